"""Rotating check-in links of a meeting (the QR code on the secretary's phone), as the
volunteering activities have them: an HMAC of (meeting id, time window) keyed with the
installation's SECRET_KEY and the meeting's own random secret. A window lasts
`PARTYLIFE_QR_WINDOW_SECONDS` (default 60 s); a link is accepted in its own window and the
next one, so a photo of the code stops working after at most two windows."""

from __future__ import annotations

import hashlib
import hmac
import io
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core import clock

if TYPE_CHECKING:
    from gongzhi.partylife.models import Meeting


class TokenError(ValueError):
    """A refused check-in link; the message says what to do."""


def window_seconds() -> int:
    return int(getattr(settings, "PARTYLIFE_QR_WINDOW_SECONDS", 60))


def current_window() -> int:
    return int(clock.now().timestamp()) // window_seconds()


def token(meeting: Meeting, window: int) -> str:
    key = f"{settings.SECRET_KEY}:partylife:{meeting.qr_secret}".encode()
    return hmac.new(key, f"{meeting.pk}:{window}".encode(), hashlib.sha256).hexdigest()[:24]


def link(meeting: Meeting) -> str:
    window = current_window()
    return reverse(
        "partylife:check_in",
        kwargs={"pk": meeting.pk, "window": window, "token": token(meeting, window)},
    )


def check(meeting: Meeting, window: int | str, value: str | None) -> None:
    try:
        number = int(window)
    except (TypeError, ValueError):
        raise TokenError(_("This check-in link is not valid.")) from None
    if not hmac.compare_digest(token(meeting, number), str(value or "")):
        raise TokenError(
            _(
                "This check-in link is not valid for this meeting. Scan the code on the secretary's phone."
            )
        )
    current = current_window()
    if number > current:
        raise TokenError(_("This check-in link is not valid yet. Check your phone's clock."))
    if number < current - 1:
        raise TokenError(
            _("This check-in link has expired. Scan the code on the secretary's phone again.")
        )


def svg(url: str) -> str:
    """The QR code of `url` as an inline SVG (segno has no type information)."""
    import segno

    code: Any = segno.make(url, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=5, border=2, xmldecl=False)
    return buffer.getvalue().decode()
