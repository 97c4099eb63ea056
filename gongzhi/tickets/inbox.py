"""The unread count behind the top bar's bell, cached per user so that an ordinary page costs no
query for it (one COUNT on a miss). Every way a notification is created or read forgets the
user's entry: `Notification.objects.bulk_create` and `Notification.save` (the model's manager,
so other apps' notifications count too) and the services that mark notifications read. The
entry is forgotten at once and again when the transaction commits; TTL bounds what a write that
bypasses the ORM could leave behind. Needs a shared cache (Redis) with several worker processes,
as the login rate limit does (docs/deployment.md)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

TTL = 300  # seconds


def key(user_id: int) -> str:
    return f"tickets:unread:{user_id}"


def forget(user_ids: Iterable[int | None]) -> None:
    keys = sorted({key(uid) for uid in user_ids if uid})
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def remembered(user_id: int, compute) -> int:
    """The cached count, or `compute()` stored for TTL seconds."""
    count = cache.get(key(user_id))
    if count is None:
        count = compute()
        cache.set(key(user_id), count, TTL)
    return count
