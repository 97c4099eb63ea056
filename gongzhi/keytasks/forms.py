"""Forms of the sent-down task pages. They parse; the services decide (and refuse with the
field named)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.keytasks.models import FieldKind, ReceiverKind, RowsOf
from gongzhi.keytasks.services import FieldSpec
from gongzhi.people.models import Tag

SPLIT = re.compile(r"[/／,，;；、\n]+")
DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
AREA = forms.Textarea(attrs={"class": "form-control", "rows": 3})
SELECT = forms.Select(attrs={"class": "form-select"})
CHECK = forms.CheckboxInput(attrs={"class": "form-check-input"})


class SendForm(forms.Form):
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Sent from"), empty_label=None, widget=SELECT
    )
    title = forms.CharField(label=_("Title"), max_length=120, widget=TEXT)
    instructions = forms.CharField(
        label=_("Instructions"), max_length=2000, required=False, widget=AREA
    )
    due_on = forms.DateField(label=_("Deadline"), widget=DATE)
    receiver_kind = forms.ChoiceField(
        label=_("Receivers"), choices=ReceiverKind.choices, widget=SELECT
    )
    rows_of = forms.ChoiceField(
        label=_("Rows"), choices=RowsOf.choices, required=False, widget=SELECT
    )
    row_tag = forms.ChoiceField(
        label=_("Only those with the care tag"),
        choices=[("", _("Everyone")), *Tag.choices],
        required=False,
        widget=SELECT,
    )

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class FieldRowForm(forms.Form):
    label = forms.CharField(label=_("Field"), max_length=60, required=False, widget=TEXT)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=FieldKind.choices, initial=FieldKind.TEXT, widget=SELECT
    )
    required = forms.BooleanField(label=_("Required"), required=False, widget=CHECK)
    per_row = forms.BooleanField(label=_("For each row"), required=False, widget=CHECK)
    choices = forms.CharField(
        label=_("Options (separated by /)"), max_length=600, required=False, widget=TEXT
    )

    def spec(self) -> FieldSpec | None:
        data = self.cleaned_data
        if not data.get("label"):
            return None
        return FieldSpec(
            label=data["label"],
            kind=data["kind"],
            required=data.get("required", False),
            per_row=data.get("per_row", False),
            choices=tuple(c for c in SPLIT.split(data.get("choices") or "") if c.strip()),
        )


FieldFormSet = forms.formset_factory(FieldRowForm, extra=6, max_num=30, absolute_max=30)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why it is reopened"), max_length=500)
