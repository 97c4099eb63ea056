"""The audit chain's hash follows the installation's suite for a new trail (SM3 when "sm"),
is recorded by the chain's genesis, and audit_verify checks each chain with its own hash."""

from __future__ import annotations

import hashlib
import io

import pytest
from cryptography.hazmat.primitives import hashes
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from gongzhi.core import audit
from gongzhi.core.models import AuditRecord


def _append(n, prefix="记录"):
    for i in range(n):
        with transaction.atomic():
            audit.record(actor=None, action="test.sm3", target_repr=f"{prefix}{i}")


def _verify() -> str:
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def _sm3(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def test_new_trail_on_sm_installation_hashes_with_sm3(db, settings):
    settings.FIELD_CRYPTO = "sm"
    _append(4)
    rows = list(AuditRecord.objects.order_by("id"))
    assert rows[0].prev_hash == audit.GENESIS_SM3
    for prev, row in zip([audit.GENESIS_SM3] + [r.hash for r in rows], rows, strict=False):
        assert row.prev_hash == prev
        assert row.hash == _sm3(prev.encode() + b"\n" + audit._canonical(row))
    output = _verify()
    assert "4 records checked: OK" in output
    assert "hash: SM3" in output
    assert rows[-1].hash in output


def test_sm3_chain_tamper_is_caught(db, settings):
    settings.FIELD_CRYPTO = "sm"
    _append(5)
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cur:
        cur.execute("UPDATE core_auditrecord SET target_repr = %s WHERE id = %s", ["改", ids[2]])
    with pytest.raises(CommandError) as failure:
        _verify()
    assert f"record id {ids[2]} " in str(failure.value)
    assert "hash SM3" in str(failure.value)
    assert "content does not match its hash" in str(failure.value)


def test_sm3_chain_rehashed_with_sha256_is_caught(db, settings):
    """Relabelling the chain as SHA-256 (genesis swapped) breaks at the first record."""
    settings.FIELD_CRYPTO = "sm"
    _append(2)
    first = AuditRecord.objects.order_by("id").first()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE core_auditrecord SET prev_hash = %s WHERE id = %s", [audit.GENESIS, first.id]
        )
    result = audit.verify_chain()
    assert result.broken_id == first.id
    assert result.algorithm == "sha256"


def test_existing_sha256_chain_keeps_its_hash_after_switching_to_sm(db, settings):
    settings.FIELD_CRYPTO = "aes"
    _append(2, "旧")
    settings.FIELD_CRYPTO = "sm"
    _append(2, "新")
    rows = list(AuditRecord.objects.order_by("id"))
    assert rows[0].prev_hash == audit.GENESIS
    last = rows[-1]
    assert (
        last.hash
        == hashlib.sha256(last.prev_hash.encode() + b"\n" + audit._canonical(last)).hexdigest()
    )
    output = _verify()
    assert "4 records checked: OK" in output
    assert "hash: SHA-256" in output


def test_anchor_works_on_an_sm3_chain(db, settings):
    settings.FIELD_CRYPTO = "sm"
    _append(3)
    anchor = AuditRecord.objects.order_by("-id").first().hash
    assert audit.verify_chain(anchor=anchor).ok
    assert not audit.verify_chain(anchor=_sm3(b"elsewhere")).ok


def test_append_costs_no_extra_query(db, settings, django_assert_num_queries):
    settings.FIELD_CRYPTO = "sm"
    _append(1)
    # Head + genesis in one SELECT, then the INSERT; PostgreSQL first takes the advisory lock
    # that serialises appends (SQLite holds its write lock from BEGIN IMMEDIATE).
    expected = 3 if connection.vendor == "postgresql" else 2
    with django_assert_num_queries(expected), transaction.atomic(savepoint=False):
        audit.record(actor=None, action="test.sm3")
