"""Forms that parse what staff and mediators type on the mediation pages; the rules live in
the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.mediation.models import (
    AwardKind,
    DisputeType,
    LegalTopic,
    MediatorKind,
    ReferralKind,
    Risk,
    Side,
    Source,
)

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local", "class": "form-control"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
AREA = forms.Textarea(attrs={"class": "form-control", "rows": 3})
SELECT = forms.Select(attrs={"class": "form-select"})
MULTI = forms.SelectMultiple(attrs={"class": "form-select"})
NUMBER = forms.NumberInput(attrs={"class": "form-control"})


class _Form(forms.Form):
    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (choices or {}).items():
            self.fields[name].queryset = queryset  # type: ignore[attr-defined]  # model choice


class CommitteeForm(_Form):
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Community, street or district"), widget=SELECT
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False, widget=TEXT)


class MediatorForm(_Form):
    kind = forms.ChoiceField(
        label=_("Who the mediator is"), choices=MediatorKind.choices, widget=SELECT
    )
    resident: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Resident from the registry"), required=False, widget=SELECT
    )
    user: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Or a staff login"), required=False, widget=SELECT
    )
    specialties = forms.CharField(
        label=_("Specialties"), max_length=200, required=False, widget=TEXT
    )


class AdviserForm(_Form):
    community: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Community"), widget=SELECT
    )
    name = forms.CharField(label=_("Name"), max_length=64, widget=TEXT)
    firm = forms.CharField(label=_("Law firm"), max_length=100, required=False, widget=TEXT)
    office_phone = forms.CharField(
        label=_("Office phone"), max_length=20, required=False, widget=TEXT
    )
    office_hours = forms.CharField(label=_("Office hours"), max_length=200, widget=TEXT)


class CaseForm(_Form):
    committee: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Committee"), widget=SELECT
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[(Source.WALK_IN, Source.WALK_IN.label), (Source.REFERRAL, Source.REFERRAL.label)],
        widget=SELECT,
    )
    referred_by = forms.CharField(
        label=_("Referred by"), max_length=100, required=False, widget=TEXT
    )
    title = forms.CharField(label=_("Title"), max_length=100, widget=TEXT)
    summary = forms.CharField(label=_("Summary"), max_length=2000, widget=AREA)
    dispute_type = forms.ChoiceField(
        label=_("Dispute type"), choices=DisputeType.choices, widget=SELECT
    )
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices, widget=SELECT)
    escalation_risk = forms.BooleanField(
        label=_("Risk of escalation (群体性): flag it to the street at once"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    amount_yuan = forms.DecimalField(
        label=_("Amount at stake (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        widget=NUMBER,
    )
    household: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Household concerned"), required=False, widget=SELECT
    )


class PartyForm(_Form):
    side = forms.ChoiceField(label=_("Side"), choices=Side.choices, widget=SELECT)
    resident: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Resident from the registry"), required=False, widget=SELECT
    )
    name = forms.CharField(
        label=_("Or an outsider's name"), max_length=64, required=False, widget=TEXT
    )
    phone = forms.CharField(
        label=_("Outsider's mobile number"), max_length=20, required=False, widget=TEXT
    )


class AssignForm(_Form):
    mediator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Mediator"), widget=SELECT
    )


class SessionForm(_Form):
    held_at = forms.DateTimeField(label=_("Held at"), widget=DATETIME)
    location = forms.CharField(label=_("Location"), max_length=100, required=False, widget=TEXT)
    parties: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Parties present"), required=False, widget=MULTI
    )
    mediators: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Mediators present"), required=False, widget=MULTI
    )
    others = forms.CharField(label=_("Others present"), max_length=200, required=False, widget=TEXT)
    notes = forms.CharField(label=_("Notes"), max_length=4000, widget=AREA)


class AgreementForm(_Form):
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    terms = forms.CharField(label=_("Agreement terms"), max_length=2000, widget=AREA)
    text = forms.CharField(label=_("Agreement text"), max_length=8000, required=False, widget=AREA)
    scan = forms.FileField(
        label=_("Scan of the signed copy"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
    )


class NoAgreementForm(_Form):
    referral = forms.ChoiceField(
        label=_("Referral"),
        choices=[
            (k, label)
            for k, label in ReferralKind.choices
            if k in (ReferralKind.COURT, ReferralKind.ARBITRATION, ReferralKind.NONE)
        ],
        widget=SELECT,
    )
    note = forms.CharField(label=_("Note"), max_length=500, widget=TEXT)


class NoteForm(_Form):
    note = forms.CharField(label=_("Note"), max_length=500, widget=TEXT)


class OptionalNoteForm(_Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=TEXT)


class FollowUpForm(_Form):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE)
    kept = forms.ChoiceField(
        label=_("Is the agreement kept?"),
        choices=[("1", _("Kept (or nothing to keep)")), ("0", _("Broken: reopen the case"))],
        widget=SELECT,
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=TEXT)


class MeetingForm(_Form):
    """A joint meeting on disputes of a community committee, with cases on its agenda."""

    title = forms.CharField(label=_("Title"), max_length=120, widget=TEXT)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    location = forms.CharField(label=_("Location"), max_length=120, required=False, widget=TEXT)
    cases: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Cases on the agenda"), required=False, widget=MULTI
    )


class AgendaForm(_Form):
    cases: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Cases on the agenda"), widget=MULTI
    )


class DecisionForm(_Form):
    text = forms.CharField(
        label=pgettext_lazy("meeting decision", "Decision"), max_length=2000, widget=AREA
    )
    action_title = forms.CharField(
        label=_("Action to take"), max_length=200, required=False, widget=TEXT
    )
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Responsible person"), widget=SELECT
    )
    due = forms.DateField(label=_("Deadline"), widget=DATE)


class AwardForm(_Form):
    kind = forms.ChoiceField(label=_("Award for"), choices=AwardKind.choices, widget=SELECT)
    mediator: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Mediator"), required=False, widget=SELECT
    )
    adviser: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Legal adviser"), required=False, widget=SELECT
    )
    case: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Case"), required=False, widget=SELECT
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=AREA)
    amount_yuan = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=0, max_digits=12, decimal_places=2, widget=NUMBER
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].label_from_instance = (  # type: ignore[attr-defined]
            lambda c: f"{c.number}（{c.get_dispute_type_display()}）"
        )
        self.fields["mediator"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: f"{m.name}（{m.committee.name}）"
        )
        self.fields["adviser"].label_from_instance = (  # type: ignore[attr-defined]
            lambda a: f"{a.name}（{a.community.name}）"
        )


class AwardDecisionForm(_Form):
    note = forms.CharField(label=_("Reason"), max_length=500, widget=AREA)


class ConfirmForm(_Form):
    """A button with nothing to type (mark paid)."""


class QuestionForm(_Form):
    topic = forms.ChoiceField(label=_("Topic"), choices=LegalTopic.choices, widget=SELECT)
    text = forms.CharField(
        label=_("Your question"),
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 5}),
        help_text=_("Do not write ID-card numbers or other people's details."),
    )


class AnswerForm(_Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )
