"""Forms that parse what staff type on the fund pages; the rules live in the services."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.funds.models import LineEntryKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = forms.TextInput(attrs={"class": "form-control"})
SELECT = forms.Select(attrs={"class": "form-select"})
MONEY = forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"})
NUMBER = forms.NumberInput(attrs={"class": "form-control"})
CHECK = forms.CheckboxInput(attrs={"class": "form-check-input ms-2"})


class _Form(forms.Form):
    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]  # model choice


def _model(label: Any, required: bool = True) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(queryset=None, label=label, widget=SELECT, required=required)


def _money() -> forms.CharField:
    return forms.CharField(label=_("Amount (yuan)"), max_length=20, widget=MONEY)


class _Keyed(_Form):
    """A booking form carries the request's name: sent twice, it is booked once."""

    request_key = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("request_key", uuid.uuid4().hex)


class FundForm(_Form):
    place = _model(_("Community or district"))
    name = forms.CharField(label=_("Name"), max_length=100, widget=TEXT)
    purpose = forms.CharField(label=_("Purpose"), max_length=300, widget=TEXT, required=False)


class DonationForm(_Keyed):
    amount_yuan = _money()
    on = forms.DateField(label=_("Date"), widget=DATE)
    donor_name = forms.CharField(label=_("Donor"), max_length=100, widget=TEXT, required=False)
    anonymous = forms.BooleanField(
        label=_("Anonymous on public pages (shown as 爱心人士)"), required=False, widget=CHECK
    )
    reference = forms.CharField(
        label=_("Voucher number"), max_length=64, widget=TEXT, required=False
    )


class GrantForm(_Keyed):
    amount_yuan = _money()
    on = forms.DateField(label=_("Date"), widget=DATE)
    micro_project = _model(_("Micro-project"), required=False)
    venture_project = _model(_("Venture-philanthropy project"), required=False)
    purpose = forms.CharField(
        label=_("Purpose (where there is no project)"), max_length=200, widget=TEXT, required=False
    )
    reference = forms.CharField(
        label=_("Voucher number"), max_length=64, widget=TEXT, required=False
    )


class PurchaseForm(_Form):
    community = _model(_("Community"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)
    service = forms.CharField(label=_("Service"), max_length=200, widget=TEXT)
    organisation = _model(_("Social organisation (on the register)"), required=False)
    supplier_name = forms.CharField(
        label=_("Or a firm (its name)"), max_length=100, widget=TEXT, required=False
    )
    amount_yuan = _money()


class RemoveForm(_Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=TEXT)


class OpenLinesForm(_Form):
    community = _model(_("Community"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)


class NoticeForm(_Form):
    community = _model(_("Community"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)


class LineEntryForm(_Keyed):
    kind = forms.ChoiceField(
        label=_("Kind"),
        # A release is written only by a micro-project round's budget change.
        choices=[c for c in LineEntryKind.choices if c[0] != LineEntryKind.RELEASE],
        widget=SELECT,
    )
    amount_yuan = _money()
    on = forms.DateField(label=_("Date"), widget=DATE)
    description = forms.CharField(label=_("Description"), max_length=200, widget=TEXT)
    reference = forms.CharField(label=_("Voucher number"), max_length=64, widget=TEXT)
