"""Ticket notifications: one in-app notification per person concerned (passed on to the
external senders after commit), and a person's own inbox (read one, read all).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core.models import User
from gongzhi.tickets import inbox
from gongzhi.tickets.models import (
    Notification,
    Status,
    Ticket,
)

logger = logging.getLogger(__name__)


def _notify(ticket: Ticket, verb: str, user_ids: Iterable[int | None], actor=None) -> None:
    """One in-app notification per person concerned (never the actor). Texts are written in
    the installation's language. Once the transaction commits, a background task passes them
    to the external senders (settings.NOTIFY_SENDERS, gongzhi.tickets.senders)."""
    ids = {uid for uid in user_ids if uid and uid != getattr(actor, "pk", None)}
    if not ids:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Ticket %(number)s: %(status)s.") % {
            "number": ticket.number,
            "status": Status(ticket.status).label,
        }
    rows = Notification.objects.bulk_create(
        [Notification(user_id=uid, ticket=ticket, verb=verb, text=text) for uid in sorted(ids)]
    )
    created = [row.pk for row in rows if row.pk]
    if created and settings.NOTIFY_SENDERS:
        transaction.on_commit(lambda: _enqueue_delivery(created))


def _enqueue_delivery(ids: list[int]) -> None:
    from gongzhi.tickets import tasks

    try:
        tasks.deliver_notifications(ids)
    except Exception:  # noqa: BLE001 — a queue outage must not break the committed step
        logger.exception("could not enqueue the delivery of %s notifications", len(ids))


# --------------------------------------------------------------------------- notifications
# A person's own inbox: nobody else may read or mark it (another user's notification is 404).
# Marking as read changes no ticket and no one else's data, so — like choosing a language — it
# is not written to the audit trail.


def read_notification(pk: int, *, actor: User) -> Notification:
    """Mark one of the actor's notifications read (404 when it is not theirs)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .filter(pk=pk, user_id=getattr(actor, "pk", None))
            .first()
        )
        if notification is None:
            raise Http404
        if not notification.read:
            notification.read = True
            notification.save(update_fields=["read"])
    return notification


def read_all_notifications(*, actor: User) -> int:
    """Mark all the actor's unread notifications read; returns how many."""
    with transaction.atomic():
        count = Notification.objects.filter(user_id=actor.pk, read=False).update(read=True)
        inbox.forget([actor.pk])
    return count
