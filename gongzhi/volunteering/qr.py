"""Rotating check-in codes for activities.

The organiser's phone shows a QR code of a URL carrying an HMAC token of (activity id, kind
"in"/"out", time window). A window lasts `VOLUNTEERING_QR_WINDOW_SECONDS` (30 s); a token is
accepted in its own window and the next one, so a code read just before it changes still
works, and a photo or screenshot of a code stops working after at most two windows (60 s).
The key is the installation's SECRET_KEY together with the activity's own random secret, so
a code cannot be made up from the URL of another activity or another moment.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core import clock

if TYPE_CHECKING:
    from gongzhi.volunteering.models import Activity

KINDS = ("in", "out")


class TokenError(ValueError):
    """A refused check-in code; the message says what to do."""


def window_seconds() -> int:
    return int(getattr(settings, "VOLUNTEERING_QR_WINDOW_SECONDS", 30))


def current_window(now: dt.datetime | None = None) -> int:
    now = now or clock.now()
    return int(now.timestamp()) // window_seconds()


def token(activity: Activity, kind: str, window: int) -> str:
    key = f"{settings.SECRET_KEY}:volunteering:{activity.qr_secret}".encode()
    message = f"{activity.pk}:{kind}:{window}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:24]


def scan_path(activity: Activity, kind: str, now: dt.datetime | None = None) -> str:
    window = current_window(now)
    return reverse(
        "volunteering:scan",
        kwargs={
            "pk": activity.pk,
            "kind": kind,
            "window": window,
            "token": token(activity, kind, window),
        },
    )


def check(
    activity: Activity,
    kind: str,
    window: int | str,
    value: str | None,
    now: dt.datetime | None = None,
) -> None:
    """Raise TokenError unless `value` is this activity's code for `kind`, current or just
    before. The comparison runs in constant time."""
    if kind not in KINDS:
        raise TokenError(_("This is not a check-in code. Scan the code on the organiser's phone."))
    try:
        number = int(window)
    except (TypeError, ValueError):
        raise TokenError(_("This check-in code is not valid.")) from None
    expected = token(activity, kind, number)
    if not hmac.compare_digest(expected, str(value or "")):
        raise TokenError(
            _(
                "This check-in code is not valid for this activity. Scan the code shown on "
                "the organiser's phone."
            )
        )
    current = current_window(now)
    if number > current:
        raise TokenError(_("This check-in code is not valid yet. Check your phone's clock."))
    if number < current - 1:
        raise TokenError(
            _(
                "This check-in code has expired: the code changes every %(n)s seconds, so a "
                "photo or an old screenshot does not work. Scan the code on the organiser's "
                "phone again."
            )
            % {"n": window_seconds()}
        )


def _code(url: str) -> Any:  # a segno.QRCode (segno has no type information)
    import segno

    return segno.make(url, error="m")


def svg(url: str) -> str:
    """The QR code of `url` as an inline SVG (segno)."""
    buffer = io.BytesIO()
    _code(url).save(buffer, kind="svg", scale=6, border=2, xmldecl=False)
    return buffer.getvalue().decode()


def data_uri(url: str, scale: int = 5) -> str:
    """The QR code of `url` as an SVG data URI, for an <img src> (merchants' redemption codes)."""
    return _code(url).svg_data_uri(scale=scale)
