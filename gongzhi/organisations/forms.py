"""Forms that parse what people type on the organisation pages; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.organisations.models import (
    DocumentKind,
    OrgKind,
    OrgStatus,
    Rating,
    ServiceField,
    SubsidyRule,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
AREA = forms.Textarea(attrs={"class": "form-control", "rows": 3})
SELECT = forms.Select(attrs={"class": "form-select"})
MONEY = forms.TextInput(attrs={"class": "form-control", "inputmode": "decimal"})
NUMBER = forms.NumberInput(attrs={"class": "form-control"})


class _Form(forms.Form):
    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]  # model choice


def _model(label: Any, required: bool = True) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(queryset=None, label=label, widget=SELECT, required=required)


def _money(label: Any, required: bool = True) -> forms.CharField:
    return forms.CharField(label=label, max_length=20, widget=MONEY, required=required)


class RegisterForm(_Form):
    place = _model(_("Serves (community or street)"))
    name = forms.CharField(label=_("Name"), max_length=100, widget=TEXT)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgKind.choices, widget=SELECT)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (OrgStatus.FILED, OrgStatus.FILED.label),
            (OrgStatus.REGISTERED, OrgStatus.REGISTERED.label),
        ],
        widget=SELECT,
    )
    field = forms.ChoiceField(
        label=_("Field of service"), choices=ServiceField.choices, widget=SELECT
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=30, required=False, widget=TEXT
    )
    filed_on = forms.DateField(label=_("Filed on"), required=False, widget=DATE)
    registered_on = forms.DateField(label=_("Registered on"), required=False, widget=DATE)
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=64, required=False, widget=TEXT
    )
    office_phone = forms.CharField(
        label=_("Office telephone"), max_length=20, required=False, widget=TEXT
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False, widget=TEXT)
    original_fund_yuan = _money(_("Original fund (yuan, foundations)"), required=False)
    certified_on = forms.DateField(
        label=_("First certified as a social enterprise on"), required=False, widget=DATE
    )


class RegistrationForm(_Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30, widget=TEXT)
    registered_on = forms.DateField(label=_("Registered on"), widget=DATE)


class DissolveForm(_Form):
    on = forms.DateField(label=_("Dissolved on"), widget=DATE)
    reason = forms.CharField(
        label=pgettext_lazy("social organisation", "Reason"), max_length=500, widget=TEXT
    )


class RatingForm(_Form):
    rating = forms.ChoiceField(
        label=pgettext_lazy("social organisation", "Rating"),
        choices=[("", _("Not rated")), *Rating.choices],
        required=False,
        widget=SELECT,
    )
    rated_on = forms.DateField(label=_("Rated on"), required=False, widget=DATE)


class PartyOrgForm(_Form):
    party_org = _model(_("Party organisation (empty: none)"), required=False)


class DocumentForm(_Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices, widget=SELECT)
    title = forms.CharField(label=_("Title"), max_length=200, widget=TEXT)
    reference = forms.CharField(
        label=pgettext_lazy("social organisation", "Document number"),
        max_length=100,
        required=False,
        widget=TEXT,
    )
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)


class ContactForm(_Form):
    user = _model(_("Login"))


class IncubatorForm(_Form):
    place = _model(_("Place"))
    name = forms.CharField(label=_("Name"), max_length=100, widget=TEXT)
    opened_on = forms.DateField(label=_("Opened on"), widget=DATE)
    operator = _model(_("Run by (organisation)"), required=False)


class IncubationForm(_Form):
    organisation = _model(pgettext_lazy("social organisation", "Organisation"))
    incubator = _model(_("Incubator"))
    applied_on = forms.DateField(label=_("Applied on"), widget=DATE)


class StepForm(_Form):
    step = forms.CharField(max_length=12, widget=forms.HiddenInput)
    on = forms.DateField(label=_("Date"), widget=DATE)
    mentor = forms.CharField(label=_("Mentor"), max_length=64, required=False, widget=TEXT)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=TEXT)


class BudgetForm(_Form):
    place = _model(_("Street or district"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)
    amount_yuan = _money(_("Budget (yuan)"))


class SubsidyForm(_Form):
    organisation = _model(pgettext_lazy("social organisation", "Organisation"))
    rule = forms.ChoiceField(label=_("Rule"), choices=SubsidyRule.choices, widget=SELECT)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)
    base_yuan = _money(_("Yearly running costs or original fund (yuan)"), required=False)


class DecideForm(_Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=SELECT,
    )
    amount_yuan = _money(_("Approved amount (yuan)"), required=False)
    reason = forms.CharField(
        label=pgettext_lazy("social organisation", "Reason"), max_length=500, widget=TEXT
    )


class PayForm(_Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    reference = forms.CharField(label=_("Payment reference"), max_length=100, widget=TEXT)


class RoundForm(_Form):
    place = _model(_("Held by"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)
    title = forms.CharField(label=_("Title"), max_length=100, widget=TEXT)
    call = forms.CharField(label=_("Call for projects"), max_length=4000, widget=AREA)
    budget_yuan = _money(_("Budget (yuan)"))
    prize_cap_yuan = _money(
        _("Most per project (yuan; empty: the policy document's cap)"), required=False
    )
    closes_on = forms.DateField(label=_("Applications close on"), widget=DATE)


class ExpertForm(_Form):
    user = _model(_("Expert"))


class VentureForm(_Form):
    organisation = _model(pgettext_lazy("social organisation", "Organisation"))
    title = forms.CharField(label=_("Project"), max_length=100, widget=TEXT)
    plan = forms.CharField(label=_("Project plan"), max_length=4000, widget=AREA)
    budget_yuan = _money(_("Project budget (yuan)"))


class ScoreForm(_Form):
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100, widget=NUMBER)
    comment = forms.CharField(
        label=pgettext_lazy("social organisation", "Comment"),
        max_length=500,
        required=False,
        widget=TEXT,
    )


class AwardForm(_Form):
    amount_yuan = _money(_("Award (yuan)"))
    reason = forms.CharField(
        label=pgettext_lazy("social organisation", "Reason"), max_length=500, widget=TEXT
    )


class MilestoneForm(_Form):
    title = forms.CharField(label=_("Milestone"), max_length=200, widget=TEXT)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class MilestoneDoneForm(_Form):
    done_on = forms.DateField(label=_("Done on"), widget=DATE)
    evidence = forms.CharField(
        label=pgettext_lazy("social organisation", "Evidence"), max_length=500, widget=TEXT
    )


class ReportForm(_Form):
    text = forms.CharField(label=_("Final report"), max_length=4000, widget=AREA)
