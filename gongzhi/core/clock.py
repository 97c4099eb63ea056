"""The one clock. Everything that depends on "now" calls now() or today().

Tests move time with `travel_to(...)` (see tests/conftest.py `clock` fixture).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def set_now(value: dt.datetime | None) -> None:
    """Freeze the clock at an aware datetime, or unfreeze it with None."""
    global _frozen
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value)
    _frozen = value


@contextlib.contextmanager
def travel_to(value: dt.datetime) -> Iterator[None]:
    previous = _frozen
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)
