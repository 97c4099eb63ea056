"""External notification senders: the in-app Notification rows, passed on by SMS, e-mail…

settings.NOTIFY_SENDERS lists dotted paths of sender classes; each has `send(message)` where
`message` is an `Outgoing` (the notification's id, its user, the text and the ticket number).
`deliver()` runs in a background task (tasks.deliver_notifications) enqueued with
`transaction.on_commit`, so a step that rolls back sends nothing, and a sender that fails is
logged and skipped: it never breaks the step, nor the other senders.

Built in:
- ConsoleSender: logs one line per message with the user's id and the ticket number only —
  no name, phone or text (personal data stays out of logs);
- SmsSender: texts users who have a phone number through gongzhi.core.sms (the configured SMS
  backend). Users have no e-mail address in Gongzhi, so there is no e-mail sender;
- MemorySender: keeps messages in `outbox` (tests).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from gongzhi.core import crypto, sms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    notification_id: int
    user: object
    text: str
    ticket_number: str = ""


class ConsoleSender:
    def send(self, message: Outgoing) -> None:
        logger.info(
            "notification %s to user #%s (ticket %s)",
            message.notification_id,
            message.user.pk,
            message.ticket_number or "-",
        )


class SmsSender:
    def send(self, message: Outgoing) -> None:
        token = getattr(message.user, "phone_encrypted", "")
        if not token:
            return
        sms.backend().send(crypto.decrypt(token), message.text)


class MemorySender:
    outbox: list[Outgoing] = []

    def send(self, message: Outgoing) -> None:
        MemorySender.outbox.append(message)


class FailingSender:
    """Always fails (tests: a broken sender must not stop the others)."""

    def send(self, message: Outgoing) -> None:
        raise RuntimeError("sender down")


def senders() -> list:
    result = []
    for path in settings.NOTIFY_SENDERS:
        try:
            result.append(import_string(path.strip())())
        except (ImportError, TypeError, AttributeError):
            logger.exception("notification sender %s cannot be loaded", path)
    return result


def deliver(notification_ids: list[int]) -> int:
    """Pass the notifications to every configured sender; returns how many sends succeeded."""
    from gongzhi.tickets.models import Notification

    rows = (
        Notification.objects.filter(pk__in=notification_ids)
        .select_related("user", "ticket")
        .order_by("id")
    )
    active = senders()
    sent = 0
    for row in rows:
        if not row.user.is_active:
            continue
        message = Outgoing(
            notification_id=row.pk,
            user=row.user,
            text=row.text,
            ticket_number=row.ticket.number if row.ticket_id else "",
        )
        for sender in active:
            try:
                sender.send(message)
                sent += 1
            except Exception:  # noqa: BLE001 — one failing channel must not stop the rest
                logger.exception("notification %s: sender %s failed", row.pk, type(sender).__name__)
    return sent
