"""The audit trail: append records inside the caller's transaction; verify the chain.

Each record's `hash` is SHA-256 (or SM3, see below) over the previous record's hash and a
canonical JSON form of the record's own fields. `verify_chain()` walks the records in id order and
recomputes every hash, so changing, deleting or reordering a row is found at that row
(or at the one after a deleted row). Removing the newest rows leaves a shorter but
consistent chain: only an anchor kept outside the database (`head()` → `--anchor`)
reveals that. docs/audit.md explains what the chain does and does not prove.

Canonical form: the hash must survive the round trip through the database, on SQLite
and on PostgreSQL alike. So the values that a database may re-spell are normalised
before hashing and storing: times as UTC ISO-8601 with microseconds, client addresses
in their `ipaddress` compressed form, and floats inside `changes` as strings (jsonb
stores numbers as `numeric`, which turns 1e20 into an integer and -0.0 into 0.0).

Hash algorithm: fixed per chain by its first record's `prev_hash` (the genesis). A chain
that starts with GENESIS ("0" * 64) hashes with SHA-256 — every chain written before the
choice existed; one that starts with GENESIS_SM3 hashes with SM3. A new installation
(empty trail) starts an SM3 chain when settings.FIELD_CRYPTO is "sm" (GONGZHI_CRYPTO=sm);
an existing chain keeps its algorithm whatever the setting, so `verify_chain()` always
checks a chain with its own hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet, Subquery
from django.utils import translation

from gongzhi.core import access, clock, context
from gongzhi.core.models import AuditRecord, Post
from gongzhi.core.roles import Action, Role

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer

GENESIS = "0" * 64
GENESIS_SM3 = "sm3:" + "0" * 60
# Genesis → hash algorithm of the chain that starts with it.
ALGORITHMS = {GENESIS: "sha256", GENESIS_SM3: "sm3"}
# Arbitrary constant: the PostgreSQL advisory lock that serialises appends.
_PG_LOCK_KEY = 7_202_611


class _AuditEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, plus floats as strings (see the module docstring)."""

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:
        return super().iterencode(_normalise(o), _one_shot)


def _normalise(value: Any) -> Any:
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        # PostgreSQL rejects NUL in text and jsonb; keep the record writable.
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {str(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(item) for item in value]
    return value


def _jsonable(value: Any) -> Any:
    """The value as it will come back from a JSON column: plain str/int/bool/None/list/dict."""
    return json.loads(json.dumps(value, cls=_AuditEncoder, ensure_ascii=False))


def _canonical_ip(value: str | None) -> str | None:
    if not value:
        return None
    return ipaddress.ip_address(value).compressed


def _clean_ip(value: str | None) -> str | None:
    """A valid client address in canonical form, or None (never fail the write over it)."""
    try:
        return _canonical_ip(value)
    except ValueError:
        return None


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
        "client_ip": _canonical_ip(record.client_ip),
        "changes": record.changes,
        "reason": record.reason,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode()


def _digest(algorithm: str, data: bytes) -> str:
    if algorithm == "sm3":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    return hashlib.sha256(data).hexdigest()


def compute_hash(prev_hash: str, record: AuditRecord, algorithm: str = "sha256") -> str:
    return _digest(algorithm, prev_hash.encode() + b"\n" + _canonical(record))


def new_chain_genesis() -> str:
    """The genesis a new (empty) trail starts with: SM3 when the installation uses "sm"."""
    return GENESIS_SM3 if getattr(settings, "FIELD_CRYPTO", "aes") == "sm" else GENESIS


def chain_algorithm(genesis: str | None) -> str:
    """The hash algorithm of a chain whose first record follows `genesis` (None: empty)."""
    if genesis is None:
        return ALGORITHMS[new_chain_genesis()]
    return ALGORITHMS.get(genesis, "sha256")


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        # Held to the end of the transaction: the next appender reads the head only
        # after this one has committed (READ COMMITTED takes a new snapshot per
        # statement), and ids come from the sequence in the same order.
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
    # SQLite: transactions are IMMEDIATE (settings), so the writer lock is already held.


def head() -> tuple[int | None, str | None, str]:
    """(id, hash, algorithm) of the newest record — (None, None, …) for an empty trail —
    in one query (the chain's algorithm comes from its first record's genesis), without
    walking the chain: the head to append to, and the anchor backups note."""
    first = AuditRecord.objects.order_by("id").values("prev_hash")[:1]
    row = (
        AuditRecord.objects.order_by("-id")
        .annotate(genesis=Subquery(first))
        .values_list("id", "hash", "genesis")
        .first()
    )
    if row is None:
        return None, None, chain_algorithm(None)
    return row[0], row[1], chain_algorithm(row[2])


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
    actor: Viewer | None,
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
    # Labels are stored in the installation's language, whatever the request's language,
    # so that the trail reads the same for every auditor.
    with translation.override(settings.LANGUAGE_CODE):
        actor_name = str(actor)[:64] if actor is not None else ""
        post_label = str(post)[:200] if post else ""
        label = (target_repr if target_repr is not None else str(target or ""))[:200]
    _lock_chain()
    _, last, algorithm = head()
    entry = AuditRecord(
        at=clock.now(),
        actor_id=getattr(actor, "pk", None),
        actor_name=actor_name,
        post_id=post.pk if post else None,
        post_label=post_label,
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=label,
        place_path=place_path,
        client_ip=_clean_ip(context.current().client_ip),
        changes=_jsonable(changes or {}),
        reason=reason[:500],
        prev_hash=last or new_chain_genesis(),
    )
    entry.hash = compute_hash(entry.prev_hash, entry, algorithm)
    entry.save()
    return entry


@dataclass
class VerifyResult:
    checked: int
    broken_id: int | None = None
    broken_at: dt.datetime | None = None
    broken_action: str = ""
    problem: str = ""
    head_id: int | None = None
    head_hash: str = GENESIS
    algorithm: str = "sha256"

    @property
    def ok(self) -> bool:
        return not self.problem


def _misfit(prev: str, entry: AuditRecord, algorithm: str = "sha256") -> str:
    """Why `entry` does not follow a record whose hash is `prev`; "" when it does."""
    if entry.prev_hash != prev:
        return "prev_hash does not match the hash of the previous record"
    try:
        expected = compute_hash(prev, entry, algorithm)
    except (TypeError, ValueError, AttributeError) as exc:
        return f"record cannot be read: {exc}"
    if expected != entry.hash:
        return "content does not match its hash"
    return ""


def verify_chain(batch_size: int = 5000, anchor: str | None = None) -> VerifyResult:
    """Recompute every hash in id order; report the first record that does not fit.

    `anchor`: a hash noted earlier (e.g. the head printed by a previous run). The check
    fails when no record in the verified chain carries it — the newest rows were cut
    off, or the chain was rewritten from some earlier row on.
    """
    prev = None
    algorithm = chain_algorithm(None)
    checked = 0
    head_id = None
    anchor_seen = anchor is None
    for entry in AuditRecord.objects.order_by("id").iterator(chunk_size=batch_size):
        if prev is None:
            # The first record's genesis names the chain's algorithm; anything else is a
            # cut-off start, reported by _misfit against the SHA-256 genesis.
            prev = entry.prev_hash if entry.prev_hash in ALGORITHMS else GENESIS
            algorithm = ALGORITHMS[prev]
        problem = _misfit(prev, entry, algorithm)
        if problem:
            return VerifyResult(
                checked,
                entry.id,
                entry.at,
                entry.action,
                problem,
                head_id,
                head_hash=prev,
                algorithm=algorithm,
            )
        prev = entry.hash
        head_id = entry.id
        checked += 1
        if not anchor_seen and entry.hash == anchor:
            anchor_seen = True
    if prev is None:
        prev = new_chain_genesis()
    if not anchor_seen:
        return VerifyResult(
            checked,
            problem="the anchor hash is not in the chain: newest records removed or rewritten",
            head_id=head_id,
            head_hash=prev,
            algorithm=algorithm,
        )
    return VerifyResult(checked, head_id=head_id, head_hash=prev, algorithm=algorithm)


# --- Reads for auditors -------------------------------------------------------------


def _sees_unplaced(user: Viewer) -> bool:
    """Records without a place (logins, accounts) are for system admins and superusers."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return any(
        g.post is not None and g.post.role == Role.SYSTEM_ADMIN
        for g in access.grants(user, Action.AUDIT_VIEW)
    )


def visible_records(user: Viewer) -> QuerySet[AuditRecord]:
    """The records an auditor may read: those placed inside the user's scope."""
    grants = access.grants(user, Action.AUDIT_VIEW)
    if any(g.everything for g in grants):
        return AuditRecord.objects.all()
    # (Not `scope_q(...) | Q(...)`: an empty Q() OR'd with X is X, not "everything".)
    q = access.scope_q(user, Action.AUDIT_VIEW, path_field="place_path")
    if _sees_unplaced(user):
        q |= Q(place_path="")
    return AuditRecord.objects.filter(q)


def change_rows(changes: Any) -> list[dict[str, Any]]:
    """`changes` as rows for display: {field, before, after, pair}."""
    if not isinstance(changes, dict):
        return [{"field": "", "before": None, "after": changes, "pair": False}]
    rows = []
    for field, value in sorted(changes.items()):
        if isinstance(value, list) and len(value) == 2:
            rows.append({"field": field, "before": value[0], "after": value[1], "pair": True})
        else:
            rows.append({"field": field, "before": None, "after": value, "pair": False})
    return rows
