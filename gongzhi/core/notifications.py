"""Notifications (kernel): the in-app notification centre every app writes to, the cached
unread count behind the top bar's bell, and the external senders (SMS, …) that pass them on.

Write: `notify(user_ids, verb=…, text=…, link=…)` — one row per person (bulk), their cached
counts forgotten, and, once the transaction commits, a background task hands the rows to every
sender of settings.NOTIFY_SENDERS. A person's own inbox: `read_notification` (another user's is
404) and `read_all_notifications`. Marking as read changes no one else's data, so — like
choosing a language — it is not written to the audit trail.

Reads: `notifications(user)`, `unread_count(user)` (one bounded COUNT), `badge_count(user)`
(cached per user, so an ordinary page costs no query for it) and `badge_label(count)`.

The unread count is cached per user. Every way a notification is created or read forgets the
user's entry: `Notification.objects.bulk_create` and `Notification.save` (the model's manager)
and the services here. The entry is forgotten at once and again when the transaction commits;
TTL bounds what a write that bypasses the ORM could leave behind. Needs a shared cache (Redis)
with several worker processes, as the login rate limit does (docs/deployment.md).

Senders: settings.NOTIFY_SENDERS lists dotted paths of classes with `send(message)`, where
`message` is an `Outgoing` (the notification's id, its user, the text and its reference, e.g.
a ticket's number). A sender that fails is logged and skipped: it never breaks the step that
notified, nor the other senders. Built in:
- ConsoleSender: logs one line per message with the user's id and the reference only — no name,
  phone or text (personal data stays out of logs);
- SmsSender: texts users who have a phone number through gongzhi.core.sms (the configured SMS
  backend). Users have no e-mail address in Gongzhi, so there is no e-mail sender;
- MemorySender: keeps messages in `outbox` (tests); FailingSender always fails (tests).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.module_loading import import_string

from gongzhi.core import crypto, sms
from gongzhi.core.models import Notification, User
from gongzhi.core.tasks import task
from gongzhi.core.types import Viewer

logger = logging.getLogger(__name__)

TTL = 300  # seconds an unread count stays cached
UNREAD_CAP = 100  # the badge shows "99+" beyond this; counting stops there
TEXT_MAX = 300
LINK_MAX = 200
REFERENCE_MAX = 40


# --------------------------------------------------------------------------- the cached count


def cache_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def forget(user_ids: Iterable[int | None]) -> None:
    """Forget the cached unread counts of these users, now and when the transaction commits."""
    keys = sorted({cache_key(uid) for uid in user_ids if uid})
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def remembered(user_id: int, compute: Callable[[], int]) -> int:
    """The cached count, or `compute()` stored for TTL seconds."""
    count = cache.get(cache_key(user_id))
    if count is None:
        count = compute()
        cache.set(cache_key(user_id), count, TTL)
    return int(count)


# --------------------------------------------------------------------------- writes


def notify(
    user_ids: Iterable[int | None],
    *,
    verb: str,
    text: str,
    link: str = "",
    reference: str = "",
) -> list[Notification]:
    """One in-app notification per person (empty ids and duplicates dropped; the caller leaves
    out the actor). `link` is the path the notification leads to (blank: none), `reference` a
    short label of what it is about (a ticket's number). Once the transaction commits, a
    background task passes them to the external senders."""
    ids = sorted({uid for uid in user_ids if uid})
    if not ids:
        return []
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user_id=uid,
                verb=verb,
                text=text[:TEXT_MAX],
                link=link[:LINK_MAX],
                reference=reference[:REFERENCE_MAX],
            )
            for uid in ids
        ]
    )
    created = [row.pk for row in rows if row.pk]
    if created and settings.NOTIFY_SENDERS:
        transaction.on_commit(lambda: _enqueue_delivery(created))
    return rows


def _enqueue_delivery(ids: list[int]) -> None:
    try:
        deliver_task(ids)
    except Exception:  # noqa: BLE001 — a queue outage must not break the committed step
        logger.exception("could not enqueue the delivery of %s notifications", len(ids))


def read_notification(pk: int, *, actor: User) -> Notification:
    """Mark one of the actor's notifications read (404 when it is not theirs)."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=pk, user=actor).first()
        if notification is None:
            raise Http404
        if not notification.read:
            notification.read = True
            notification.save(update_fields=["read"])
    return notification


def read_all_notifications(*, actor: User) -> int:
    """Mark all the actor's unread notifications read; returns how many."""
    with transaction.atomic():
        count = Notification.objects.filter(user=actor, read=False).update(read=True)
        forget([actor.pk])
    return count


# --------------------------------------------------------------------------- reads


def notifications(user: Viewer, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody sees another person's)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Notification.objects.none()
    qs = Notification.objects.filter(user=user)
    return qs.filter(read=False) if unread_only else qs


def unread_count(user: Viewer, cap: int = UNREAD_CAP) -> int:
    """How many unread notifications the user has, counted up to `cap` (one query on the
    `core_notification_inbox` index)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read=False)[:cap].count()


def badge_count(user: Viewer | None) -> int:
    """The unread count for the top bar: `unread_count`, cached per user, so a page usually
    costs no query for it."""
    if not isinstance(user, User) or not user.is_authenticated or user.pk is None:
        return 0
    return remembered(user.pk, lambda: unread_count(user))


def badge_label(count: int) -> str:
    """How the bell and the notification centre show an unread count: "99+" from the cap."""
    return "99+" if count >= UNREAD_CAP else str(count)


# --------------------------------------------------------------------------- senders


@dataclass(frozen=True)
class Outgoing:
    notification_id: int
    user: User
    text: str
    reference: str = ""

    @property
    def ticket_number(self) -> str:
        """The reference under its former name (senders written for ticket notifications)."""
        return self.reference


class Sender(Protocol):
    def send(self, message: Outgoing) -> None: ...


class ConsoleSender:
    def send(self, message: Outgoing) -> None:
        logger.info(
            "notification %s to user #%s (%s)",
            message.notification_id,
            message.user.pk,
            message.reference or "-",
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


def senders() -> list[Sender]:
    """The configured senders; one that cannot be loaded is logged and left out."""
    result: list[Sender] = []
    for path in settings.NOTIFY_SENDERS:
        try:
            result.append(import_string(path.strip())())
        except (ImportError, TypeError, AttributeError):
            logger.exception("notification sender %s cannot be loaded", path)
    return result


def deliver(notification_ids: list[int]) -> int:
    """Pass the notifications to every configured sender; returns how many sends succeeded."""
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("user")
    active = senders()
    sent = 0
    for row in rows.order_by("id"):
        if not row.user.is_active:
            continue
        message = Outgoing(
            notification_id=row.pk, user=row.user, text=row.text, reference=row.reference
        )
        for sender in active:
            try:
                sender.send(message)
                sent += 1
            except Exception:  # noqa: BLE001 — one failing channel must not stop the rest
                logger.exception("notification %s: sender %s failed", row.pk, type(sender).__name__)
    return sent


@task()
def deliver_task(notification_ids: list[int]) -> int:
    """Background task: pass new in-app notifications to the external senders."""
    return deliver(notification_ids)
