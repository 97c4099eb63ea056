"""The audit trail: append records inside the caller's transaction; verify the chain."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

from gongzhi.core import clock, context
from gongzhi.core.models import AuditRecord, Post

GENESIS = "0" * 64
# Arbitrary constant: the PostgreSQL advisory lock that serialises appends.
_PG_LOCK_KEY = 7_202_611


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _canonical(record: AuditRecord) -> bytes:
    body = {
        "at": record.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": record.actor_id,
        "actor_name": record.actor_name,
        "post_id": record.post_id,
        "post_label": record.post_label,
        "action": record.action,
        "target_type": record.target_type,
        "target_id": record.target_id,
        "target_repr": record.target_repr,
        "place_path": record.place_path,
        "client_ip": record.client_ip,
        "changes": record.changes,
        "reason": record.reason,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode()


def compute_hash(prev_hash: str, record: AuditRecord) -> str:
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(record)).hexdigest()


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite: transactions are IMMEDIATE (settings), so the writer lock is already held.


def diff(instance: models.Model, before: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """{field: [before, after]} for the fields whose value changed."""
    changes = {}
    for name in fields:
        after = getattr(instance, name)
        if before.get(name) != after:
            changes[name] = [before.get(name), after]
    return _jsonable(changes)


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    place_path: str = "",
    changes: dict[str, Any] | None = None,
    post: Post | None = None,
    reason: str = "",
    target_repr: str | None = None,
) -> AuditRecord:
    """Append one record. Must run inside the transaction of the write it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    _lock_chain()
    last = AuditRecord.objects.order_by("-id").values_list("hash", flat=True).first()
    entry = AuditRecord(
        at=clock.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=str(actor)[:64] if actor is not None else "",
        post_id=post.pk if post else None,
        post_label=str(post)[:200] if post else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr if target_repr is not None else str(target or ""))[:200],
        place_path=place_path,
        client_ip=context.current().client_ip,
        changes=_jsonable(changes or {}),
        reason=reason[:500],
        prev_hash=last or GENESIS,
    )
    entry.hash = compute_hash(entry.prev_hash, entry)
    entry.save()
    return entry


@dataclass
class VerifyResult:
    checked: int
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain(batch_size: int = 5000) -> VerifyResult:
    """Recompute every hash in id order; report the first record that does not fit."""
    prev = GENESIS
    checked = 0
    for entry in AuditRecord.objects.order_by("id").iterator(chunk_size=batch_size):
        if entry.prev_hash != prev:
            return VerifyResult(checked, entry.id, "prev_hash does not match the previous record")
        if compute_hash(prev, entry) != entry.hash:
            return VerifyResult(checked, entry.id, "content does not match its hash")
        prev = entry.hash
        checked += 1
    return VerifyResult(checked)
