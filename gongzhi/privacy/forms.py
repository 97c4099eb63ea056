"""Forms of the privacy pages. The services check everything again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzhi.privacy.models import RequestKind
from gongzhi.privacy.services import TEXT_MAX


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("I ask for"),
        choices=RequestKind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    what = forms.CharField(
        label=_("Which information"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("For a correction, also write what is right."),
    )
    why = forms.CharField(
        label=_("Reason given"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for refusing (the resident reads it)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
