"""Second factor (TOTP through django-otp, recovery codes as static tokens) for the roles that
reach much personal data: district and street officers, the three administrators, superusers,
and every role that may reveal or export residents' personal data (docs/security.md).

A session of such a user is usable only after the second factor: the login logs them in, then
`middleware.OtpRequiredMiddleware` sends every request to enrolment (first time) or to the
verify step until `mark_verified()` has run for the session. API tokens for such users are
issued only with a valid code (gongzhi/core/api.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from gongzhi.core import access, audit
from gongzhi.core.models import User
from gongzhi.core.roles import PERMISSIONS, Action, Role

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer

SESSION_KEY = "_gz_otp_device"
RECOVERY_CODES = 10
RECOVERY_DEVICE = "recovery"

# Actions that reveal or export personal data: holding any of them anywhere needs two factors.
PERSONAL_DATA_ACTIONS = (
    Action.REVEAL_PHONE,
    Action.REVEAL_ID,
    Action.RESIDENT_EXPORT,
    Action.RESIDENT_EXPORT_FULL,
)
OTP_ROLES = frozenset(
    {
        Role.DISTRICT_OFFICER,
        Role.STREET_OFFICER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
    | {role for action in PERSONAL_DATA_ACTIONS for role in PERMISSIONS.get(action, {})}
)


def required(user: Viewer) -> bool:
    """Whether `user` must pass the second factor."""
    if not settings.OTP_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return any(post.role in OTP_ROLES for post in access.active_posts(user))


def verified(request: HttpRequest) -> bool:
    return bool(request.session.get(SESSION_KEY))


def mark_verified(request: HttpRequest, device: Device) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = device.persistent_id


def enrolled(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user; a fresh secret each time
    none is pending)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


def _clean(code: str) -> str:
    return "".join((code or "").split()).lower()


@transaction.atomic
def confirm_enrolment(device: TOTPDevice, code: str, *, actor: User) -> list[str] | None:
    """Confirm the authenticator with its first code; return fresh recovery codes (shown
    once), or None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=actor)
    if device.confirmed or not device.verify_token(_clean(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _new_recovery_codes(actor)
    audit.record(actor=actor, action="auth.otp_enrol", target=actor, changes={"recovery_codes": 10})
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


def check(user: User, code: str) -> Device | None:
    """The confirmed device (authenticator, or a recovery code, which is then used up) that
    accepts `code`, or None. Both outcomes are audited (a recovery code used shows as such);
    django-otp slows repeated failures down."""
    code = _clean(code)
    # Six digits: the authenticator app; anything else: a recovery code.
    model = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    if code:
        for device in model.objects.filter(user=user, confirmed=True):
            if device.verify_token(code):
                via = "recovery_code" if model is StaticDevice else "totp"
                with transaction.atomic():
                    audit.record(
                        actor=user, action="auth.otp_passed", target=user, changes={"via": via}
                    )
                return device
    with transaction.atomic():
        audit.record(actor=user, action="auth.otp_failed", target=user)
    return None
