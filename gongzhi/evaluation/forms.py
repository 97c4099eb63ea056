"""Forms of the assessment round pages. They parse; the services decide (and refuse with a
clear message)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"})
TEXT = forms.TextInput(attrs={"class": "form-control"})
NUMBER = forms.NumberInput(attrs={"class": "form-control", "step": "any"})
AREA = forms.Textarea(attrs={"class": "form-control", "rows": 3})
SELECT = forms.Select(attrs={"class": "form-select"})

QUARTERS = [
    (0, _("The whole year")),
    (1, _("First quarter")),
    (2, _("Second quarter")),
    (3, _("Third quarter")),
    (4, _("Fourth quarter")),
]


class OpenRoundForm(forms.Form):
    place: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None, label=_("Assessed area"), empty_label=None, widget=SELECT
    )
    title = forms.CharField(label=_("Title"), max_length=120, widget=TEXT)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, widget=NUMBER)
    quarter = forms.TypedChoiceField(
        label=_("Period"), choices=QUARTERS, coerce=int, initial=0, widget=SELECT
    )
    contest_until = forms.DateField(label=_("Contests until"), required=False, widget=DATE)

    def __init__(self, *args: Any, places: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places  # type: ignore[attr-defined]


class ContestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=AREA)
    claimed = forms.DecimalField(
        label=_("Value you claim"), required=False, max_digits=14, decimal_places=4, widget=NUMBER
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("adjust", _("Adjust the figure")), ("reject", _("Reject the contest"))],
        widget=SELECT,
    )
    adjust_to = forms.DecimalField(
        label=_("Adjusted value"), required=False, max_digits=14, decimal_places=4, widget=NUMBER
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=AREA)


class ItemForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"), widget=SELECT)
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=AREA)

    def __init__(self, *args: Any, choices: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = list(choices)  # type: ignore[attr-defined]
