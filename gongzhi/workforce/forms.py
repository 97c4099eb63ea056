"""Forms that parse what staff type on the workforce pages; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.workforce.models import (
    CertificateLevel,
    CommitteeKind,
    CourseKind,
    Education,
    ElectionMethod,
    Grade,
    SeatRole,
    WorkerKind,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
SELECT = forms.Select(attrs={"class": "form-select"})
NUMBER = forms.NumberInput(attrs={"class": "form-control"})


class _Form(forms.Form):
    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]  # model choice


class WorkerForm(_Form):
    resident: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Resident"), widget=SELECT
    )
    kind = forms.ChoiceField(label=_("Kind of worker"), choices=WorkerKind.choices, widget=SELECT)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)
    education = forms.ChoiceField(
        label=_("Education"),
        choices=[("", "—"), *Education.choices],
        required=False,
        widget=SELECT,
    )
    is_reserve = forms.BooleanField(label=_("Reserve candidate"), required=False)
    monthly_pay_yuan = forms.DecimalField(
        label=_("Basic pay a month (yuan)"),
        required=False,
        min_value=0,
        max_value=100000,
        decimal_places=2,
        widget=NUMBER,
    )
    post: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Login post"), required=False, widget=SELECT
    )


class LeaveForm(_Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=TEXT)


class TermForm(_Form):
    kind = forms.ChoiceField(label=_("Committee"), choices=CommitteeKind.choices, widget=SELECT)
    number = forms.IntegerField(label=_("Term number"), min_value=1, max_value=100, widget=NUMBER)
    elected_on = forms.DateField(label=_("Elected on"), widget=DATE)
    ends_on = forms.DateField(label=_("Turnover due on"), widget=DATE)
    method = forms.ChoiceField(
        label=_("Election method"), choices=ElectionMethod.choices, widget=SELECT
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50, widget=NUMBER)


class SeatForm(_Form):
    worker: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Worker"), widget=SELECT
    )
    role = forms.ChoiceField(label=_("Role"), choices=SeatRole.choices, widget=SELECT)
    joined_on = forms.DateField(label=_("Joined on"), widget=DATE)


class SeatEndForm(_Form):
    left_on = forms.DateField(label=_("Left on"), widget=DATE)


class CertificateForm(_Form):
    level = forms.ChoiceField(
        label=_("Certificate"), choices=CertificateLevel.choices, widget=SELECT
    )
    title = forms.CharField(
        label=_("Name of the qualification (other qualifications)"),
        max_length=100,
        required=False,
        widget=TEXT,
    )
    number = forms.CharField(label=_("Certificate number"), max_length=40, widget=TEXT)
    obtained_on = forms.DateField(label=_("Obtained on"), widget=DATE)
    scan = forms.FileField(
        label=_("Scan (photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
    )


class RefuseForm(_Form):
    note = forms.CharField(label=_("Why is it refused?"), max_length=200, widget=TEXT)


class EmptyForm(_Form):
    pass


class AssessmentForm(_Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices, widget=SELECT)
    comments = forms.CharField(label=_("Comments"), max_length=500, required=False, widget=TEXT)


class CourseForm(_Form):
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Held for"), widget=SELECT
    )
    title = forms.CharField(label=_("Title"), max_length=120, widget=TEXT)
    organiser = forms.CharField(label=_("Organiser"), max_length=120, widget=TEXT)
    kind = forms.ChoiceField(label=_("Kind"), choices=CourseKind.choices, widget=SELECT)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE)
    days = forms.DecimalField(
        label=_("Days"), min_value=0, max_value=366, decimal_places=1, widget=NUMBER
    )
    county_level = forms.BooleanField(
        label=_("Held at county level or above (县及县以上)"), required=False
    )


class AttendanceForm(_Form):
    worker: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Worker"), widget=SELECT
    )
    days = forms.DecimalField(
        label=_("Days attended (blank: all)"),
        required=False,
        min_value=0,
        max_value=366,
        decimal_places=1,
        widget=NUMBER,
    )
    rank = forms.IntegerField(
        label=_("Rank"), required=False, min_value=1, max_value=10000, widget=NUMBER
    )
    score = forms.DecimalField(
        label=_("Score"),
        required=False,
        min_value=0,
        max_value=1000,
        decimal_places=2,
        widget=NUMBER,
    )


# --------------------------------------------------------------------------- first secretaries


class AppointmentForm(_Form):
    worker: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("First secretary or seconded cadre"), widget=SELECT
    )
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Sending partner unit"), required=False, widget=SELECT
    )
    office = forms.CharField(
        label=_("Or the sending office's name"), max_length=100, required=False, widget=TEXT
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    planned_end_on = forms.DateField(label=_("Planned end"), widget=DATE)


class EndAppointmentForm(_Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE)
    reason = forms.CharField(label=_("Reason for the early end"), max_length=200, widget=TEXT)


class DutyLogForm(_Form):
    day = forms.DateField(label=_("Date"), widget=DATE)
    text = forms.CharField(
        label=_("What was done"),
        max_length=1000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class ReportForm(_Form):
    report_text = forms.CharField(
        label=_("End-of-term report"),
        max_length=5000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )
    file = forms.FileField(
        label=_("Attachment (scan or photo)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
    )
