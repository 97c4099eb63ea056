"""Forms that parse what staff type on the care pages; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.care.models import NoticeKind
from gongzhi.people.models import Tag

TEXT = forms.TextInput(attrs={"class": "form-control"})
SELECT = forms.Select(attrs={"class": "form-select"})


class NoticeForm(forms.Form):
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Send to"), widget=SELECT
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices, widget=SELECT)
    care_tag = forms.ChoiceField(
        label=_("Only households with"),
        choices=[("", _("every household"))] + list(Tag.choices),
        required=False,
        widget=SELECT,
    )
    title = forms.CharField(label=_("Title"), max_length=100, widget=TEXT)
    body = forms.CharField(
        label=_("Text"),
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
    )
    urgent = forms.BooleanField(
        label=_("Urgent: text the households that have not read it in time"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]  # model choice
        self.fields["place"].label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.get_kind_display()} · {p.name}"
        )


class ReadForm(forms.Form):
    """The resident's confirmation (no fields: the notice is in the URL)."""


DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})


class MarkRentedForm(forms.Form):
    household: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Home"), widget=SELECT
    )
    landlord_id = forms.CharField(
        label=_("Landlord's ID number (the landlord must be in the resident registry)"),
        max_length=24,
        widget=TEXT,
    )

    def __init__(self, *args: Any, households: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households  # type: ignore[attr-defined]


class TenantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=64, widget=TEXT)
    id_number = forms.CharField(label=_("ID number"), max_length=24, widget=TEXT)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False, widget=TEXT)
    starts_on = forms.DateField(label=_("Lease starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Lease ends on"), widget=DATE)


class EndTenancyForm(forms.Form):
    ended_on = forms.DateField(label=_("Moved out on"), required=False, widget=DATE)


class ExtendLeaseForm(forms.Form):
    ends_on = forms.DateField(label=_("New end of the lease"), widget=DATE)


class VisitForm(forms.Form):
    """A care visit recorded on the phone (the position filled in by the browser, if allowed)."""

    found = forms.CharField(
        label=_("What was found"),
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 4}),
    )
    need = forms.CharField(
        label=_("Need raised (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )
    lat = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput()
    )
    lng = forms.DecimalField(
        required=False, max_digits=10, decimal_places=6, widget=forms.HiddenInput()
    )


class VisitTicketForm(forms.Form):
    """One tap: the visit's need becomes a ticket of this category."""

    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Ticket category"), widget=SELECT
    )

    def __init__(self, *args: Any, categories: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
