"""Open311 keys (issue 13): a client's `api_key` for /open311/v2/, never the person's REST token.

A key is `o311_` + 32 random bytes (URL-safe base64). The database keeps its first characters
(`prefix`, to name it in lists and when revoking) and its SHA-256 digest — enough for a random
key of that length; the key itself is shown once, when issued. A key acts for its person (their
scope and rights in Open311) and for nothing else: the REST API does not accept it, and a
revoked key or one of a deactivated account is refused. Issued and revoked by operators with
`manage.py open311_key` (docs/open311.md).
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock
from gongzhi.core.models import User
from gongzhi.tickets.models import Open311Key

KEY_PREFIX = "o311_"
PREFIX_LENGTH = 12  # "o311_" and 7 characters of the random part


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(user: User, client: str, *, actor: User | None = None) -> tuple[Open311Key, str]:
    """A new key for `user` used by `client` (a name, e.g. "街道大屏"): (the record, the key)."""
    client = (client or "").strip()
    if not client or len(client) > 100:
        raise ValidationError({"client": _("Name the client (at most 100 characters).")})
    if not user.is_active:
        raise ValidationError({"user": _("This account is deactivated.")})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        record = Open311Key.objects.create(
            user=user, client=client, prefix=key[:PREFIX_LENGTH], digest=digest(key)
        )
        audit.record(
            actor=actor,
            action="open311_key.issue",
            target=record,
            changes={"user": user.pk, "client": client, "prefix": record.prefix},
        )
    return record, key


def revoke(record: Open311Key, *, actor: User | None = None) -> Open311Key:
    """Refuse the key from now on (kept for the record)."""
    with transaction.atomic():
        record = Open311Key.objects.select_for_update().get(pk=record.pk)
        if record.revoked_at is None:
            record.revoked_at = clock.now()
            record.save(update_fields=["revoked_at"])
            audit.record(
                actor=actor,
                action="open311_key.revoke",
                target=record,
                changes={"revoked_at": record.revoked_at},
            )
    return record


def user_for(key: str) -> User | None:
    """The active account behind a valid, unrevoked key, or None. Notes when it was used."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    record = (
        Open311Key.objects.select_related("user")
        .filter(digest=digest(key), revoked_at__isnull=True)
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    now = clock.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 3600:
        Open311Key.objects.filter(pk=record.pk).update(last_used_at=now)  # bookkeeping, hourly
    return record.user
