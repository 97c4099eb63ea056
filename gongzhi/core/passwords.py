"""Password rules (GB/T 22239-2019 level 3, identity: complexity, no reuse, regular change).

The rules are Django password validators (settings.AUTH_PASSWORD_VALIDATORS), so every path
that checks a new password — the change-password page, new staff accounts — applies all of
them. The history is written from `password_changed`, which Django calls whenever a user with
a new password is saved, so no path that sets a password can skip it.
"""

from __future__ import annotations

import datetime as dt
import string
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongzhi.core import clock

if TYPE_CHECKING:
    from gongzhi.core.models import User

# The published password of the demo accounts (gongzhi/demo/places/scales.py DEMO_PASSWORD).
DEMO_PASSWORD = "Gongzhi-demo-2026"  # noqa: S105 - published on purpose, refused outside demos

_CLASSES = (
    set(string.ascii_lowercase),
    set(string.ascii_uppercase),
    set(string.digits),
)


def character_classes(password: str) -> int:
    """How many of: lower-case letters, upper-case letters, digits, anything else."""
    found = sum(1 for chars in _CLASSES if any(c in chars for c in password))
    other = any(not any(c in chars for chars in _CLASSES) for c in password)
    return found + int(other)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with a message that has a Chinese translation."""

    def get_error_message(self) -> str:
        return _("This password is too short: it needs at least %(count)d characters.") % {
            "count": self.min_length
        }

    def get_help_text(self) -> str:
        return _("At least %(count)d characters.") % {"count": self.min_length}


class CharacterClassValidator:
    """At least `min_classes` of the four character classes."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: User | None = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _(
            "Use at least %(count)d of these: lower-case letters, upper-case letters, digits, "
            "other characters."
        ) % {"count": self.min_classes}


class DemoPasswordValidator:
    """The demo password is published: nobody may choose it."""

    def validate(self, password: str, user: User | None = None) -> None:
        if password == DEMO_PASSWORD:
            raise ValidationError(
                _("This is the published demo password; choose another one."),
                code="password_demo",
            )

    def get_help_text(self) -> str:
        return _("Not the published demo password.")


def recent_hashes(user: User | None, count: int | None = None) -> list[str]:
    from gongzhi.core.models import PasswordHistory

    count = settings.PASSWORD_HISTORY if count is None else count
    if user is None or user.pk is None or count <= 0:
        return []
    return list(
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-id")
        .values_list("password", flat=True)[:count]
    )


class HistoryValidator:
    """None of the last settings.PASSWORD_HISTORY passwords (the current one included)."""

    def validate(self, password: str, user: User | None = None) -> None:
        if user is None or user.pk is None:
            return
        hashes = recent_hashes(user)
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            count = settings.PASSWORD_HISTORY
            raise ValidationError(
                ngettext(
                    "You used this password recently; it may not be the same as your last "
                    "password.",
                    "You used this password recently; it may not be one of your last %(count)d "
                    "passwords.",
                    count,
                )
                % {"count": count},
                code="password_reused",
            )

    def password_changed(self, password: str, user: User | None = None) -> None:
        remember(user)

    def get_help_text(self) -> str:
        return _("Not one of your recent passwords.")


def remember(user: User | None) -> None:
    """Keep the user's current hash in the history (the newest PASSWORD_HISTORY only) and
    note when it was set."""
    from gongzhi.core.models import PasswordHistory, User

    if user is None or user.pk is None or not user.has_usable_password():
        return
    now = clock.now()
    PasswordHistory.objects.create(user_id=user.pk, password=user.password, created_at=now)
    User.objects.filter(pk=user.pk).update(password_changed_at=now)
    user.password_changed_at = now
    keep = (
        PasswordHistory.objects.filter(user_id=user.pk)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[: max(settings.PASSWORD_HISTORY, 1)]
    )
    PasswordHistory.objects.filter(user_id=user.pk).exclude(id__in=list(keep)).delete()


def password_due(user: User) -> bool:
    """Whether the user's password is older than settings.PASSWORD_MAX_AGE_DAYS."""
    if not user.has_usable_password() or settings.PASSWORD_MAX_AGE_DAYS <= 0:
        return False
    since = user.password_changed_at or user.date_joined
    return clock.now() - since > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)
