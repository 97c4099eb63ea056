"""Login: username (staff) or phone (residents), with account lockout after failures.

Lockout state lives on the user row, updated with F() so concurrent failures all count.
The per-address rate limit is applied on the login views (django-ratelimit).
We do not use django-axes: it stores the attempted username — for residents a phone
number — in plain text, which the personal-information rules forbid.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.db.models import F
from django.dispatch import receiver

from gongzhi.core import audit, clock, crypto
from gongzhi.core.models import User

# A mainland mobile number: the one definition (login, SMS codes, the people registry).
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class AccountLocked(Exception):
    def __init__(self, until):
        self.until = until


def find_user(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    try:
        if PHONE_RE.match(identifier):
            return User.objects.get(phone_index=crypto.blind_index("phone", identifier))
        return User.objects.get(username=identifier)
    except User.DoesNotExist:
        return None


def _masked(identifier: str) -> str:
    return crypto.mask_phone(identifier) if PHONE_RE.match(identifier or "") else identifier[:64]


def check_credentials(identifier: str, password: str) -> User | None:
    """Return the user for good credentials; count failures; raise AccountLocked."""
    user = find_user(identifier)
    if user is None:
        # Spend the same time as a real check so that timing does not reveal accounts.
        User().set_password(password)
        return None
    if user.is_locked():
        raise AccountLocked(user.locked_until)
    if user.check_password(password) and user.is_active:
        if user.failed_logins:
            User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
            user.failed_logins = 0
        return user
    _record_failure(user, identifier)
    return None


def _record_failure(user: User, identifier: str) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        failures = User.objects.values_list("failed_logins", flat=True).get(pk=user.pk)
        changes = {"failed_logins": failures}
        if failures >= settings.LOGIN_FAILURE_LIMIT:
            until = clock.now() + settings.LOGIN_LOCKOUT
            User.objects.filter(pk=user.pk).update(locked_until=until, failed_logins=0)
            changes["locked_until"] = until
        audit.record(
            actor=None,
            action="auth.login_failed",
            target=user,
            target_repr=_masked(identifier),
            changes=changes,
        )
    if "locked_until" in changes:
        raise AccountLocked(changes["locked_until"])


def demo_refused(password: str) -> bool:
    """The demo accounts' published password opens nothing outside a demo (GONGZHI_DEMO):
    a production installation has no default accounts. Checked before the credentials, so
    the answer says nothing about whether such an account exists."""
    from gongzhi.core.passwords import DEMO_PASSWORD

    return password == DEMO_PASSWORD and not settings.GONGZHI_DEMO


def demo_refusal_text() -> str:
    from django.utils.translation import gettext as _

    return _("The demo accounts are switched off on this installation.")


@receiver(user_logged_in, dispatch_uid="gongzhi.core.auth.start_idle_clock")
def _start_idle_clock(sender, request, user, **kwargs):
    """A new session starts its idle clock at login (middleware.StaffIdleTimeoutMiddleware),
    so that the first request after it writes nothing."""
    from gongzhi.core.middleware import IDLE_KEY, wall_time

    session = getattr(request, "session", None)
    if session is not None:
        session[IDLE_KEY] = wall_time()


class _LockoutBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None or not self.accepts(username):
            return None
        if demo_refused(password):
            return None
        try:
            return check_credentials(username, password)
        except AccountLocked:
            return None


class UsernameBackend(_LockoutBackend):
    def accepts(self, identifier: str) -> bool:
        return not PHONE_RE.match(identifier.strip())


class PhoneBackend(_LockoutBackend):
    def accepts(self, identifier: str) -> bool:
        return bool(PHONE_RE.match(identifier.strip()))
