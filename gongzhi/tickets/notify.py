"""Ticket notifications: one in-app notification per person concerned, through the kernel's
notification centre (gongzhi.core.notifications), linking to the ticket's page. Reading one or
all is the kernel's too (re-exported here for callers).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import notifications
from gongzhi.core.models import User
from gongzhi.core.notifications import (  # noqa: F401 — re-exported for callers
    read_all_notifications,
    read_notification,
)
from gongzhi.tickets.models import Status, Ticket

DETAIL = "tickets:detail"


def link_of(ticket: Ticket) -> str:
    """The path a ticket's notifications lead to: its page."""
    return reverse(DETAIL, args=[ticket.pk])


def ticket_id_of(link: str) -> int | None:
    """The ticket a notification's link leads to (its page), or None (no link, another page)."""
    if not link:
        return None
    prefix = get_script_prefix()
    if prefix != "/" and link.startswith(prefix):
        link = "/" + link[len(prefix) :]
    try:
        match = resolve(link)
    except Resolver404:
        return None
    if match.view_name != DETAIL:
        return None
    return int(match.kwargs["pk"])


def _notify(
    ticket: Ticket, verb: str, user_ids: Iterable[int | None], actor: User | None = None
) -> None:
    """One in-app notification per person concerned (never the actor). Texts are written in
    the installation's language. Once the transaction commits, a background task passes them
    to the external senders (settings.NOTIFY_SENDERS, gongzhi.core.notifications)."""
    ids = {uid for uid in user_ids if uid and uid != getattr(actor, "pk", None)}
    if not ids:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Ticket %(number)s: %(status)s.") % {
            "number": ticket.number,
            "status": Status(ticket.status).label,
        }
    notifications.notify(ids, verb=verb, text=text, link=link_of(ticket), reference=ticket.number)
