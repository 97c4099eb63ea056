"""Page forms: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.partylife.models import AttendanceStatus, MeetingKind, PledgeOutcome

_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", "class": "form-control"})
_TEXT = {"class": "form-control"}


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=_DATE)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    location = forms.CharField(label=_("Location"), max_length=100, required=False)
    agenda = forms.CharField(
        label=_("Agenda"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, kinds: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k, MeetingKind(k).label) for k in kinds]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        kind.widget.attrs["class"] = "form-select"


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5, **_TEXT})
    )


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.TextInput(_TEXT))


class AttendanceForm(forms.Form):
    member = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class ReviewOpenForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class SelfForm(forms.Form):
    score = forms.IntegerField(label=_("Score (0–100)"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DecideForm(forms.Form):
    peer_score = forms.IntegerField(label=_("Peer assessment"), min_value=0, max_value=100)
    branch_score = forms.IntegerField(label=_("Branch assessment"), min_value=0, max_value=100)
    self_score = forms.IntegerField(
        label=_("Self-assessment (when the member has none)"),
        min_value=0,
        max_value=100,
        required=False,
    )


class DuesForm(forms.Form):
    member = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), min_value=0, max_digits=8, decimal_places=2
    )
    base = forms.DecimalField(
        label=_("Base (yuan)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )


class TransferRequestForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Party member"), coerce=int)
    to_org = forms.TypedChoiceField(label=_("Receiving organisation"), coerce=int)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(
        self,
        *args: Any,
        members: list[tuple[int, str]] | None = None,
        targets: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "member", members or [])
        _choices(self, "to_org", targets or [])
        _style(self)


class TransferOutForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Party member"), coerce=int)
    outside_org = forms.CharField(
        label=_("Receiving organisation outside the platform"), max_length=100
    )
    letter_no = forms.CharField(label=_("Letter number"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "member", members or [])
        _style(self)


class TransferInForm(forms.Form):
    resident = forms.TypedChoiceField(label=_("Resident"), coerce=int)
    outside_org = forms.CharField(
        label=_("Sending organisation outside the platform"), max_length=100
    )
    letter_no = forms.CharField(label=_("Letter number"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, residents: list[tuple[int, str]] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "resident", residents or [])
        _style(self)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusal"), max_length=500, widget=forms.TextInput(_TEXT)
    )


def _choices(form: forms.Form, name: str, choices: list[tuple[int, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices
    field.widget.attrs["class"] = "form-select"


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control")


class PledgeForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, widget=forms.HiddenInput)
    items = forms.CharField(
        label=_("My pledge for the year (one item a line)"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5, **_TEXT}),
    )


class PledgeReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=PledgeOutcome.choices)
    comment = forms.CharField(
        label=_("Review comment"), max_length=500, required=False, widget=forms.TextInput(_TEXT)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["class"] = "form-select"


class AreaForm(forms.Form):
    member = forms.TypedChoiceField(label=_("Party member"), coerce=int)
    starts_on = forms.DateField(label=_("From"), widget=_DATE)
    ends_on = forms.DateField(label=_("Until (empty: open)"), widget=_DATE, required=False)
    buildings = forms.TypedMultipleChoiceField(label=_("Buildings"), coerce=int, required=False)
    households = forms.TypedMultipleChoiceField(label=_("Households"), coerce=int, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        members: list[tuple[int, str]] | None = None,
        buildings: list[tuple[int, str]] | None = None,
        households: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "member", members or [])
        _choices(self, "buildings", buildings or [])
        _choices(self, "households", households or [])
        _style(self)


class AreaEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Ends on (empty: today)"), widget=_DATE, required=False)


# --------------------------------------------------------------------------- the vanguard index


def _item_choices(kinds: tuple[str, ...]) -> list[tuple[str, list[tuple[str, str]]]]:
    from gongzhi.partylife.index import CATALOGUE
    from gongzhi.partylife.models import IndexItemKind

    return [
        (
            str(IndexItemKind(kind).label),
            [(f"{kind}:{code}", str(label)) for code, label in CATALOGUE[kind].items()],
        )
        for kind in kinds
    ]


class _ItemForm(forms.Form):
    kinds: tuple[str, ...] = ()
    item = forms.ChoiceField(label=pgettext_lazy("vanguard index", "Item"))
    occurred_on = forms.DateField(label=_("Date"), widget=_DATE)
    text = forms.CharField(
        label=_("What happened"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, **_TEXT}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        assert isinstance(item, forms.ChoiceField)
        item.choices = _item_choices(self.kinds)
        item.widget.attrs["class"] = "form-select"

    def kind_code(self) -> tuple[str, str]:
        kind, _sep, code = self.cleaned_data["item"].partition(":")
        return kind, code


class DeclareForm(_ItemForm):
    kinds = ("bonus", "deduction")
    evidence = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
    )


class RecordItemForm(_ItemForm):
    kinds = ("bonus", "deduction", "veto")
    member = forms.TypedChoiceField(label=_("Party member"), coerce=int)

    def __init__(
        self, *args: Any, members: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        assert isinstance(member, forms.ChoiceField)
        member.choices = list(members or [])
        member.widget.attrs["class"] = "form-select"
        self.order_fields(["member", "item", "occurred_on", "text"])


class ItemReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=pgettext_lazy("vanguard index", "Decision"),
        choices=[
            ("accept", pgettext_lazy("vanguard index", "Accept")),
            ("refuse", pgettext_lazy("vanguard index", "Refuse")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (required to refuse)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(_TEXT),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-select"
