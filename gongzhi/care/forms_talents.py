"""Forms of the talent base and the opinion channels; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.care.models import ConsentWay, Platform, Willingness
from gongzhi.tickets.models import Kind

TEXT = forms.TextInput(attrs={"class": "form-control"})
SELECT = forms.Select(attrs={"class": "form-select"})
CHECK = forms.CheckboxInput(attrs={"class": "form-check-input"})
REASON = forms.CharField(label=_("Reason"), max_length=200, widget=TEXT)


class TalentForm(forms.Form):
    skills: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Skills"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    specialty = forms.CharField(
        label=_("Other skills, in your own words"), max_length=200, required=False, widget=TEXT
    )
    willingness = forms.ChoiceField(
        label=_("Willing to help"), choices=Willingness.choices, widget=SELECT
    )
    availability = forms.CharField(
        label=_("When available"), max_length=100, required=False, widget=TEXT
    )
    consent = forms.BooleanField(
        label=_("The person agrees to be listed and to be contacted for their skills"),
        required=False,
        widget=CHECK,
    )
    consent_way = forms.ChoiceField(
        label=_("Consent given"),
        choices=[("", "—"), *[c for c in ConsentWay.choices if c[0] != ConsentWay.SELF]],
        required=False,
        widget=SELECT,
    )

    def __init__(self, *args: Any, terms: Any = None, own: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = terms  # type: ignore[attr-defined]
        if own:
            del self.fields["consent_way"]
            self.fields["consent"].label = _(
                "I agree to be listed in my community's talent base and to be contacted for my skills"
            )


class ReasonForm(forms.Form):
    reason = REASON


class BackboneForm(forms.Form):
    backbone = forms.BooleanField(label=_("Backbone"), required=False, widget=CHECK)
    reason = REASON


class SkillTermForm(forms.Form):
    community: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Community"), widget=SELECT
    )
    name = forms.CharField(label=_("Skill"), max_length=24, widget=TEXT)

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class OpinionTicketForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=SELECT)
    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Ticket category"), widget=SELECT
    )
    place = forms.TypedChoiceField(label=_("About"), coerce=int, widget=SELECT)

    def __init__(self, *args: Any, categories: Any = None, places: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["place"].choices = [(p.pk, p.name) for p in places]  # type: ignore[attr-defined]


class HandledForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, widget=TEXT)


class ChannelForm(forms.Form):
    community: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Community"), widget=SELECT
    )
    platform = forms.ChoiceField(label=_("Platform"), choices=Platform.choices, widget=SELECT)
    secret = forms.CharField(
        label=_("Token or AppSecret"),
        help_text=_(
            "WeChat: the token set in the official account's server configuration (leave empty "
            "to generate one). DingTalk: the robot's AppSecret. Empty keeps the stored one."
        ),
        max_length=128,
        required=False,
        strip=True,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    is_active = forms.BooleanField(label=_("Receiving"), required=False, initial=True, widget=CHECK)

    def __init__(self, *args: Any, communities: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
