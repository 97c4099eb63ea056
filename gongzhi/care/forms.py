"""Forms that parse what staff type on the care pages; the rules live in the services."""

from __future__ import annotations

from decimal import Decimal
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
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"class": "form-control", "accept": "image/*", "capture": "environment"}
        ),
    )


class VisitTicketForm(forms.Form):
    """One tap: the visit's need becomes a ticket of this category."""

    category: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Ticket category"), widget=SELECT
    )

    def __init__(self, *args: Any, categories: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class VisitorForm(forms.Form):
    """The visitor of one or more plans (planning a care list, or changing a plan's visitor)."""

    visitor: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Visitor"), widget=SELECT
    )

    def __init__(self, *args: Any, visitors: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["visitor"].queryset = visitors  # type: ignore[attr-defined]


class RoundForm(forms.Form):
    """A door-to-door verification round (入户核查) sent to the grid workers."""

    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Sent from"), widget=SELECT
    )
    title = forms.CharField(label=_("Title"), max_length=120, widget=TEXT)
    scope = forms.ChoiceField(label=_("Households checked"), choices=[], widget=SELECT)
    row_tag = forms.ChoiceField(
        label=_("Care tag (for households with a care tag)"),
        choices=[("", "—")] + list(Tag.choices),
        required=False,
        widget=SELECT,
    )
    due_on = forms.DateField(label=_("Deadline"), widget=DATE)

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        from gongzhi.care.models import RoundScope

        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]
        self.fields["scope"].choices = RoundScope.choices  # type: ignore[attr-defined]


class CheckForm(forms.Form):
    """A household's checklist: each item yes or no, and a note."""

    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from gongzhi.care.models import Answer
        from gongzhi.care.rounds import CHECKLIST

        super().__init__(*args, **kwargs)
        for code, label in CHECKLIST:
            self.fields[code] = forms.ChoiceField(
                label=label,
                choices=Answer.choices,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
        self.order_fields([code for code, _label in CHECKLIST] + ["note"])


def _donation_fields() -> dict[str, forms.Field]:
    from gongzhi.care.models import DonationKind, DonationTo

    return {
        "kind": forms.ChoiceField(label=_("Kind"), choices=DonationKind.choices, widget=SELECT),
        "to": forms.ChoiceField(label=_("Given to"), choices=DonationTo.choices, widget=SELECT),
        "destination": forms.CharField(label=_("Which fund or drive"), max_length=100, widget=TEXT),
        "amount": forms.DecimalField(
            label=_("Amount (yuan, for money)"),
            required=False,
            min_value=Decimal("0.01"),
            max_digits=12,
            decimal_places=2,
            widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.01"}),
        ),
        "goods": forms.CharField(
            label=_("Goods (for goods)"), max_length=200, required=False, widget=TEXT
        ),
        "given_on": forms.DateField(label=_("Given on"), widget=DATE),
    }


class MyDonationForm(forms.Form):
    """A resident records their own gift on the phone."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(_donation_fields())

    def amount_fen(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        return int(amount * 100) if amount is not None else None


class DonationForm(MyDonationForm):
    """Staff record a resident's gift; the donor found by ID number."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["id_number"] = forms.CharField(
            label=_("Donor's ID number"), max_length=18, widget=TEXT
        )
        self.order_fields(["id_number"])


class ServicePointForm(forms.Form):
    community: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Community"), widget=SELECT
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=[], widget=SELECT)
    name = forms.CharField(label=_("Name"), max_length=100, widget=TEXT)
    address = forms.CharField(label=_("Address"), max_length=200, required=False, widget=TEXT)
    phone = forms.CharField(label=_("Service phone"), max_length=32, required=False, widget=TEXT)
    hours = forms.CharField(
        label=_("Opening hours"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "08:00–17:00"}),
    )
    lat = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6, widget=TEXT
    )
    lng = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=10, decimal_places=6, widget=TEXT
    )
    merchant: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Merchant record (optional)"), required=False, widget=SELECT
    )
    is_active = forms.BooleanField(label=_("Listed"), required=False, initial=True)

    def __init__(
        self, *args: Any, communities: Any = None, merchants: Any = None, **kwargs: Any
    ) -> None:
        from gongzhi.care.models import ServiceKind

        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["merchant"].queryset = merchants  # type: ignore[attr-defined]
        self.fields["kind"].choices = ServiceKind.choices  # type: ignore[attr-defined]
