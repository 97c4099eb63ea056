"""Forms of the volunteering pages. They only shape input; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.volunteering.models import OrganiserKind, PostKind, Theme, VolunteerStatus


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render `{{ field }}`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


class RegisterForm(BootstrapMixin, forms.Form):
    skills = forms.CharField(
        label=_("Skills"),
        max_length=200,
        help_text=_("E.g. first aid, driving, repairs, teaching, singing."),
    )
    availability = forms.CharField(
        label=_("When are you available?"),
        max_length=200,
        required=False,
        help_text=_("E.g. weekday evenings, weekends."),
    )
    areas = forms.CharField(
        label=_("Areas of service"),
        max_length=200,
        required=False,
        help_text=_("E.g. elderly care, environment, culture, mediation."),
    )


class DecideForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (VolunteerStatus.ACTIVE, _("Approve")),
            (VolunteerStatus.SUSPENDED, _("Suspend")),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class TeamForm(BootstrapMixin, forms.Form):
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    name = forms.CharField(label=_("Name"), max_length=60)
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices)
    leader = forms.ModelChoiceField(label=_("Leader"), queryset=None, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Members"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, communities, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["leader"].queryset = volunteers
        self.fields["members"].queryset = volunteers


class ActivityForm(BootstrapMixin, forms.Form):
    community = forms.ModelChoiceField(label=_("Community or grid"), queryset=None)
    organiser_kind = forms.ChoiceField(
        label=_("Organised by"),
        choices=OrganiserKind.choices,
        initial=OrganiserKind.COMMUNITY,
        required=False,
    )
    party_org = forms.ModelChoiceField(
        label=_("Party organisation"),
        queryset=None,
        required=False,
        help_text=_("When a party organisation organises it."),
    )
    partner_unit = forms.ModelChoiceField(
        label=_("Partner unit"),
        queryset=None,
        required=False,
        help_text=_("When a partner unit organises it."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Social organisation"),
        queryset=None,
        required=False,
        help_text=_(
            "When a social organisation organises it: one on the register of social "
            "organisations (register it there first if it is missing)."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    location = forms.CharField(label=_("Place"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=1000)
    required_skills = forms.CharField(label=_("Required skills"), max_length=200, required=False)
    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False)
    awards_points = forms.BooleanField(label=_("Awards points"), required=False, initial=True)
    awards_hours = forms.BooleanField(
        label=_("Deposits time-bank hours"), required=False, initial=True
    )
    allow_walk_in = forms.BooleanField(label=_("Walk-ins allowed"), required=False)

    def __init__(
        self,
        *args,
        communities,
        teams,
        party_orgs=None,
        units=None,
        organisations=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["team"].queryset = teams
        if party_orgs is None:  # editing: the organising body is fixed when publishing
            for name in ("organiser_kind", "party_org", "partner_unit", "organisation"):
                del self.fields[name]
        else:
            self.fields["party_org"].queryset = party_orgs
            self.fields["partner_unit"].queryset = units
            self.fields["organisation"].queryset = organisations


class CorrectForm(BootstrapMixin, forms.Form):
    minutes = forms.IntegerField(
        label=pgettext_lazy("duration", "Minutes"), min_value=0, max_value=24 * 60
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)


class ExchangeForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=PostKind.choices)
    title = forms.CharField(label=_("What is it?"), max_length=100)
    description = forms.CharField(
        label=_("Details"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    minutes = forms.IntegerField(label=_("Time (minutes)"), help_text=_("E.g. 120 for two hours."))


class FamilyTransferForm(BootstrapMixin, forms.Form):
    to_resident = forms.ChoiceField(label=_("Family member"), choices=())
    minutes = forms.IntegerField(label=_("Time (minutes)"))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_resident"].choices = [(m.pk, m.name) for m in members]


class ReverseForm(BootstrapMixin, forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    reason_kind = forms.ChoiceField(label=_("Why"), choices=())
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, reasons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_kind"].choices = list(reasons)
