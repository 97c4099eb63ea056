"""A service's refusal (ValidationError) shown to the person on a page.

Views call services; when a service refuses, these put its translated messages where the person
sees them: on the form's fields, as one line of text, or as flash messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def text(error: ValidationError) -> str:
    """Every message of the refusal on one line (field errors included)."""
    return " ".join(error.messages)


def on_form(form: forms.BaseForm, error: ValidationError) -> None:
    """On the field it names when the form has that field, else on top of the form."""
    if hasattr(error, "error_dict"):
        for field, msgs in error.message_dict.items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, error.messages)


def say(request: HttpRequest, error: ValidationError) -> None:
    """As flash messages, one per message of the refusal."""
    for message in error.messages:
        messages.error(request, message)


def act(
    request: HttpRequest,
    form: forms.BaseForm,
    call: Callable[[dict[str, Any]], object],
    done: str,
) -> bool:
    """A posted action form: run `call` with the cleaned data and flash `done`; a form error
    (with its field's label) or a service's refusal becomes a flash message instead."""
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else str(error))
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        say(request, error)
        return False
    messages.success(request, done)
    return True
