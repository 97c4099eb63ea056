"""SMS sending behind a pluggable backend, and one-time login codes.

settings.SMS_BACKEND names a class with `send(phone, text)`. The console backend (default)
prints the message with the phone masked, for development and the demo; production plugs in
the city's SMS gateway. Codes are kept hashed in the cache, expire, and allow few attempts.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Protocol, cast

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from gongzhi.core import crypto

logger = logging.getLogger(__name__)


class Backend(Protocol):
    """What `settings.SMS_BACKEND` names: a class whose instances send one text message."""

    def send(self, phone: str, text: str) -> None: ...


class ConsoleBackend:
    """Prints messages instead of sending them. Never prints the full phone number, and outside
    the embedded demo never the text either: a login code in a production log is a login."""

    def send(self, phone: str, text: str) -> None:
        shown = text if settings.EMBEDDED or settings.GONGZHI_DEMO else "(text withheld)"
        print(f"[SMS to {crypto.mask_phone(phone)}] {shown}", flush=True)  # noqa: T201


class MemoryBackend:
    """Keeps sent messages in `outbox` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append((phone, text))


def backend() -> Backend:
    return cast(Backend, import_string(settings.SMS_BACKEND)())


def _key(phone: str) -> str:
    return "smscode:" + crypto.blind_index("phone", phone)


def _digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def codes_available() -> bool:
    """Whether a code can be kept until it is checked: the shared cache answers (a Redis outage
    makes it a miss, gongzhi/core/cache.py)."""
    probe = "smscode:probe"
    cache.set(probe, 1, 5)
    return bool(cache.get(probe))


def issue_login_code(phone: str) -> None:
    """Send a fresh 6-digit code to `phone`; at most one per SMS_CODE_INTERVAL seconds."""
    key = _key(phone)
    if cache.get(key + ":sent"):
        return
    code = f"{secrets.randbelow(10**6):06d}"
    text = _("Your Gongzhi login code is %(code)s, valid for %(minutes)s minutes.") % {
        "code": code,
        "minutes": settings.SMS_CODE_TTL // 60,
    }
    try:
        backend().send(phone, text)
    except Exception as exc:  # noqa: BLE001 — a gateway failure must not break the login page
        # The same answer as for an unknown number (no hint who is registered); no code kept,
        # so the resident may ask again at once.
        logger.warning("login code not sent: %s", type(exc).__name__)
        return
    cache.set(key, {"digest": _digest(code), "tries": 0}, settings.SMS_CODE_TTL)
    cache.set(key + ":sent", True, settings.SMS_CODE_INTERVAL)


def check_login_code(phone: str, code: str) -> bool:
    """True once for the right code; the code is spent. Wrong tries are limited."""
    key = _key(phone)
    entry = cache.get(key)
    if not entry:
        return False
    if hmac.compare_digest(entry["digest"], _digest(code.strip())):
        # delete() reports whether this call removed it: of two racing requests, one wins.
        return bool(cache.delete(key))
    entry["tries"] += 1
    if entry["tries"] >= settings.SMS_CODE_MAX_TRIES:
        cache.delete(key)
    else:
        cache.set(key, entry, settings.SMS_CODE_TTL)
    return False
