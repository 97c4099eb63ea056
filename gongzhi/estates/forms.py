"""Forms that parse what staff type on the estates pages; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.estates.models import PartyOrgForm

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
SELECT = forms.Select(attrs={"class": "form-select"})
NUMBER = forms.NumberInput(attrs={"class": "form-control"})


class _Form(forms.Form):
    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]  # model choice


class CommitteeForm(_Form):
    estate: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Estate"), widget=SELECT
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False, widget=TEXT)


class TermForm(_Form):
    number = forms.IntegerField(label=_("Term number"), min_value=1, max_value=100, widget=NUMBER)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50, widget=NUMBER)
    elected_by: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Owners' vote that elected it"), required=False, widget=SELECT
    )


class MemberForm(_Form):
    resident: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Resident"), widget=SELECT
    )
    is_chair = forms.BooleanField(label=_("Chair"), required=False)


class LeaveForm(_Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=TEXT)


class FileForm(_Form):
    filed_on = forms.DateField(label=_("Filed with the street on"), widget=DATE)
    filing_ref = forms.CharField(label=_("Filing document"), max_length=100, widget=TEXT)


class EndForm(_Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=TEXT)


class ListForm(_Form):
    title = forms.CharField(label=_("Title"), max_length=100, widget=TEXT)


class CandidateForm(_Form):
    resident: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Resident"), widget=SELECT
    )


class ExcludeForm(_Form):
    reason = forms.CharField(label=_("Why may this person not stand?"), max_length=500, widget=TEXT)


class ReviewForm(_Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=TEXT)


class PartyOrgChoiceForm(_Form):
    form = forms.ChoiceField(
        label=_("Form of the party organisation"),
        choices=[("", _("None recorded")), *PartyOrgForm.choices],
        required=False,
        widget=SELECT,
    )
    party_org: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Party organisation"), required=False, widget=SELECT
    )


class SupervisorForm(_Form):
    community: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Community"), widget=SELECT
    )
    resident: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Resident"), widget=SELECT
    )
    since = forms.DateField(label=_("Since"), widget=DATE)
    is_chair = forms.BooleanField(label=_("Chair"), required=False)


class SupervisorLeaveForm(_Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE)


class CompanyForm(_Form):
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Registered by"), widget=SELECT
    )
    name = forms.CharField(label=_("Name"), max_length=100, widget=TEXT)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30, widget=TEXT)
    address = forms.CharField(label=_("Address"), max_length=200, required=False, widget=TEXT)
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=64, required=False, widget=TEXT
    )
    office_phone = forms.CharField(
        label=_("Office telephone"), max_length=20, required=False, widget=TEXT
    )


class ContractForm(_Form):
    estate: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Estate"), widget=SELECT
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    fee_yuan_per_m2 = forms.CharField(
        label=_("Fee (yuan per m² and month)"), max_length=12, widget=TEXT
    )
    scope = forms.CharField(
        label=_("Scope of service"), max_length=500, required=False, widget=TEXT
    )


class PartyStaffForm(_Form):
    members: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Party members among the staff"),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
    )


class StaffPostChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user.name} · {obj.place.name}"


class StaffLinkForm(_Form):
    post = StaffPostChoice(queryset=None, label=_("Property-company staff post"), widget=SELECT)
    since = forms.DateField(label=_("Since"), required=False, widget=DATE)


class StaffEndForm(_Form):
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DATE)


# --------------------------------------------------------------------------- ratings (items 4, 5)

STARS = [(n, "★" * n) for n in range(5, 0, -1)]


class YearField(forms.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER, **kwargs)


class SurveyForm(_Form):
    estate: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Estate"), widget=SELECT
    )
    year = YearField()
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE)


class AnswerForm(_Form):
    company_score = forms.TypedChoiceField(
        label=_("How satisfied are you with the property company?"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
    )
    committee_score = forms.TypedChoiceField(
        label=_("How satisfied are you with the owners' committee?"),
        choices=STARS,
        coerce=int,
        widget=forms.RadioSelect,
    )


class AssessForm(_Form):
    body = forms.CharField(label=_("Body"), max_length=40, widget=SELECT)
    year = YearField()
    assessment = forms.IntegerField(
        label=_("Community's assessment (0–100)"), min_value=0, max_value=100, widget=NUMBER
    )
    note = forms.CharField(label=_("Note"), max_length=500, widget=TEXT)

    def __init__(self, *args: Any, bodies: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget = forms.Select(
            attrs={"class": "form-select"}, choices=bodies or []
        )


class PublishForm(_Form):
    street: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Street"), widget=SELECT
    )
    year = YearField()


class RedBlackForm(_Form):
    street: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Street"), widget=SELECT
    )
    year = YearField()
    colour = forms.ChoiceField(
        label=_("List"),
        choices=[("red", _("Red list")), ("black", _("Black list"))],
        widget=SELECT,
    )
    body = forms.CharField(label=_("Body"), max_length=40, widget=SELECT)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=TEXT)
    evidence = forms.CharField(label=_("Evidence reference"), max_length=200, widget=TEXT)

    def __init__(self, *args: Any, bodies: list[tuple[str, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget = forms.Select(
            attrs={"class": "form-select"}, choices=bodies or []
        )


class SecretaryForm(_Form):
    full_time = forms.BooleanField(
        label=_("The secretary of the party organisation is full-time"), required=False
    )


class GrantRefuseForm(_Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=TEXT)


class GrantPayForm(_Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    payment_ref = forms.CharField(
        label=_("Payment reference"), max_length=100, required=False, widget=TEXT
    )


class ConfirmForm(_Form):
    """A button with nothing to type (the request and the approval of a grant)."""
