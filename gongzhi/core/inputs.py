"""Small readers of what a person typed, shared by services and views."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from gongzhi.core import clock


def text(value: Any, field: str, maximum: int, required: bool = True) -> str:
    """The trimmed text, or a refusal on `field` when it is missing or too long."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > maximum:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": maximum}})
    return value


def year(request: HttpRequest) -> int:
    """`?year=` when it is a plausible year (2000–2100), else this year."""
    try:
        asked = int(request.GET.get("year", ""))
    except ValueError:
        return clock.today().year
    return asked if 2000 <= asked <= 2100 else clock.today().year
