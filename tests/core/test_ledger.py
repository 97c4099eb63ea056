"""The ledger mechanism (gongzhi/core/ledger.py): rules, error messages, idempotency,
reversals, statements, verification, and concurrent spending on both databases."""

from __future__ import annotations

import datetime as dt
import json
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from gongzhi.core import clock, ledger
from gongzhi.core.models import LedgerAccount, LedgerEntry
from gongzhi.core.roles import Role
from tests.conftest import make_user

POINTS, HOURS = "points", "hours"


@pytest.fixture
def accounts(db):
    issuer = ledger.account_for(POINTS, "issuer", 1, place_path="420111/")
    alice = ledger.account_for(POINTS, "resident", 1)
    bob = ledger.account_for(POINTS, "resident", 2)
    shop = ledger.account_for(POINTS, "merchant", 1)
    return issuer, alice, bob, shop


def earn(issuer, who, amount, key):
    return ledger.transfer(
        debit=issuer, credit=who, amount=amount, reason="activity", idempotency_key=key
    )


def snapshot():
    return (
        LedgerEntry.objects.count(),
        sorted(LedgerAccount.objects.values_list("pk", "balance")),
    )


# --- Accounts ---------------------------------------------------------------------------


def test_account_for_returns_the_same_account(db):
    a = ledger.account_for(POINTS, "resident", 7, place_path="420111/")
    assert ledger.account_for(POINTS, "resident", 7) == a
    assert ledger.account_for(HOURS, "resident", 7) != a
    assert a.balance == 0 and not a.allow_negative
    assert ledger.account_for(POINTS, "issuer", 1).allow_negative


def test_account_for_refuses_unknown_currency_and_owner_kind(db):
    with pytest.raises(ValueError):
        ledger.account_for("coins", "resident", 1)
    with pytest.raises(ValueError):
        ledger.account_for(POINTS, "stranger", 1)


def test_account_for_race_returns_the_winner(db, monkeypatch):
    """The unique constraint decides when two requests create the same account."""
    first = ledger.account_for(POINTS, "resident", 9)
    real_filter = LedgerAccount.objects.filter
    calls = []

    def filter_missing_once(*args, **kwargs):
        calls.append(1)
        qs = real_filter(*args, **kwargs)
        return qs.none() if len(calls) == 1 else qs

    monkeypatch.setattr(LedgerAccount.objects, "filter", filter_missing_once)
    assert ledger.account_for(POINTS, "resident", 9) == first
    assert LedgerAccount.objects.count() == 1


def test_database_refuses_a_negative_balance_except_for_issuers(db):
    ok = LedgerAccount.objects.create(
        currency=POINTS, owner_kind="issuer", owner_id=3, allow_negative=True, balance=-5
    )
    assert ok.balance == -5
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(currency=POINTS, owner_kind="resident", owner_id=3, balance=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.create(
            currency=POINTS, owner_kind="resident", owner_id=4, allow_negative=True
        )


# --- Transfers ------------------------------------------------------------------------


def test_transfer_moves_the_amount_and_records_everything(accounts, world):
    issuer, alice, _, _ = accounts
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    moment = timezone.make_aware(dt.datetime(2026, 3, 5, 9, 30))
    with clock.travel_to(moment):
        entry = ledger.transfer(
            debit=issuer,
            credit=alice,
            amount=30,
            reason="activity",
            reason_text="敬老院陪护 2 小时",
            source=world.community_a1,
            idempotency_key="act:1:res:1",
            actor=worker,
        )
    entry.refresh_from_db()
    assert (entry.debit_id, entry.credit_id, entry.amount) == (issuer.pk, alice.pk, 30)
    assert entry.reason_code == "activity" and entry.reason_text == "敬老院陪护 2 小时"
    assert (entry.source_type, entry.source_id) == ("places.Place", str(world.community_a1.pk))
    assert entry.created_at == moment and entry.actor == worker
    assert ledger.balance(alice) == 30 and ledger.balance(issuer) == -30
    assert ledger.recompute_balance(alice) == 30 and ledger.recompute_balance(issuer) == -30


def test_transfer_accepts_account_ids_and_a_type_id_source(accounts):
    issuer, alice, _, _ = accounts
    entry = ledger.transfer(
        debit=issuer.pk,
        credit=alice.pk,
        amount=5,
        reason="ticket",
        source=("tickets.Ticket", 42),
        idempotency_key="t42",
    )
    assert (entry.source_type, entry.source_id) == ("tickets.Ticket", "42")
    assert entry.actor is None


@pytest.mark.parametrize("amount", [0, -1, -100, 2.5, "10", True, None])
def test_bad_amounts_are_refused_and_nothing_is_written(accounts, amount):
    issuer, alice, _, _ = accounts
    before = snapshot()
    with pytest.raises(ledger.InvalidAmount) as exc:
        earn(issuer, alice, amount, "k")
    assert exc.value.code == "invalid_amount"
    with translation.override("en"):
        assert str(exc.value) == "The amount must be a whole number greater than zero."
    assert snapshot() == before


def test_huge_amounts_are_refused(accounts, settings):
    issuer, alice, _, _ = accounts
    settings.LEDGER_MAX_AMOUNT = {"points": 1000, "hours": 600}
    before = snapshot()
    with pytest.raises(ledger.AmountTooLarge) as exc, translation.override("en"):
        earn(issuer, alice, 1001, "k")
    with translation.override("en"):
        assert str(exc.value) == (
            "The amount 1001 points is more than one entry may move (at most 1000 points)."
        )
    assert snapshot() == before
    assert earn(issuer, alice, 1000, "k2").amount == 1000


def test_unknown_accounts_are_refused(accounts):
    issuer, alice, _, _ = accounts
    before = snapshot()
    ghost = LedgerAccount(pk=999_999, currency=POINTS, owner_kind="resident", owner_id=99)
    for debit, credit in [(issuer, ghost), (ghost, alice), (issuer, 999_999), (issuer, "x")]:
        with pytest.raises(ledger.UnknownAccount) as exc:
            earn(debit, credit, 10, "k")
        with translation.override("en"):
            assert str(exc.value) == "The ledger account does not exist."
    assert snapshot() == before


def test_currencies_do_not_mix(accounts):
    issuer, alice, _, _ = accounts
    alice_hours = ledger.account_for(HOURS, "resident", 1)
    before = snapshot()
    with pytest.raises(ledger.CurrencyMismatch) as exc:
        earn(issuer, alice_hours, 10, "k")
    with translation.override("en"):
        assert "cannot be moved between each other" in str(exc.value)
    assert snapshot() == before


def test_same_account_and_missing_key_are_refused(accounts):
    issuer, alice, _, _ = accounts
    before = snapshot()
    with pytest.raises(ledger.SameAccount):
        earn(alice, alice, 10, "k")
    with pytest.raises(ledger.MissingKey):
        earn(issuer, alice, 10, "")
    assert snapshot() == before


def test_database_refuses_non_positive_amounts_and_self_transfers(accounts):
    """Even a write that bypasses the service cannot break these rules."""
    issuer, alice, _, _ = accounts
    for amount, credit in [(0, alice), (-3, alice), (5, issuer)]:
        with pytest.raises(IntegrityError), transaction.atomic():
            LedgerEntry(
                debit=issuer, credit=credit, amount=amount, reason_code="x", idempotency_key="raw"
            ).save()


def test_insufficient_balance_is_refused_with_a_clear_message(accounts):
    issuer, alice, bob, shop = accounts
    earn(issuer, alice, 40, "e1")
    before = snapshot()
    with pytest.raises(ledger.InsufficientBalance) as exc:
        ledger.transfer(debit=alice, credit=shop, amount=41, reason="redeem", idempotency_key="r")
    with translation.override("en"):
        assert str(exc.value) == "Not enough balance: 40 points available, 41 points needed."
    assert exc.value.code == "insufficient_balance"
    assert snapshot() == before
    # Exactly the balance is fine; then nothing is left.
    ledger.transfer(debit=alice, credit=shop, amount=40, reason="redeem", idempotency_key="r2")
    assert ledger.balance(alice) == 0 and ledger.balance(shop) == 40


def test_messages_are_in_chinese_by_default_whatever_language_raised_them(accounts):
    issuer, alice, _, shop = accounts
    earn(issuer, alice, 40, "e1")
    with translation.override("en"), pytest.raises(ledger.InsufficientBalance) as exc:
        ledger.transfer(debit=alice, credit=shop, amount=41, reason="redeem", idempotency_key="r")
    assert str(exc.value) == "余额不足：可用 40 积分，需要 41 积分。"


def test_hours_are_shown_in_hours_and_minutes(db):
    pool = ledger.account_for(HOURS, "issuer", 1)
    carer = ledger.account_for(HOURS, "resident", 1)
    family = ledger.account_for(HOURS, "resident", 2)
    ledger.transfer(debit=pool, credit=carer, amount=150, reason="service", idempotency_key="h1")
    with pytest.raises(ledger.InsufficientBalance) as exc:
        ledger.transfer(
            debit=carer, credit=family, amount=180, reason="family", idempotency_key="h2"
        )
    with translation.override("en"):
        assert str(exc.value) == "Not enough balance: 2 h 30 min available, 3 h needed."


def test_error_messages_have_chinese_in_the_catalogue_source():
    table = json.loads((Path(settings.BASE_DIR) / "i18n" / "ledger.json").read_text())
    errors = [
        cls
        for cls in vars(ledger).values()
        if isinstance(cls, type) and issubclass(cls, ledger.LedgerError)
    ]
    assert len(errors) >= 10
    with translation.override("en"):
        for cls in errors:
            assert table.get(str(cls.template)), cls.__name__


# --- Idempotency ---------------------------------------------------------------------


def test_a_replayed_key_returns_the_original_and_changes_nothing(accounts):
    issuer, alice, _, _ = accounts
    first = earn(issuer, alice, 25, "activity:7:resident:1")
    before = snapshot()
    again = earn(issuer, alice, 25, "activity:7:resident:1")
    assert again.pk == first.pk
    assert snapshot() == before and ledger.balance(alice) == 25


def test_a_replay_is_returned_even_when_the_balance_no_longer_covers_it(accounts):
    issuer, alice, _, shop = accounts
    earn(issuer, alice, 10, "e")
    spend = ledger.transfer(debit=alice, credit=shop, amount=10, reason="r", idempotency_key="s")
    assert ledger.balance(alice) == 0
    again = ledger.transfer(debit=alice, credit=shop, amount=10, reason="r", idempotency_key="s")
    assert again.pk == spend.pk and ledger.balance(alice) == 0


def test_the_same_key_with_different_details_is_refused(accounts):
    issuer, alice, bob, _ = accounts
    earn(issuer, alice, 25, "k")
    before = snapshot()
    for other in [(issuer, alice, 26), (issuer, bob, 25)]:
        with pytest.raises(ledger.IdempotencyConflict):
            earn(*other, "k")
    assert snapshot() == before


def test_losing_the_insert_race_returns_the_winner(accounts, monkeypatch):
    """The racer's entry committed after both checks: the unique key decides, the savepoint
    keeps the transaction usable, and the loser returns the winner without moving points."""
    issuer, alice, _, _ = accounts
    winner = earn(issuer, alice, 25, "race")
    real = ledger._replayed
    calls = []

    def blind_twice(*args):
        calls.append(args)
        return None if len(calls) <= 2 else real(*args)

    monkeypatch.setattr(ledger, "_replayed", blind_twice)
    before = snapshot()
    with transaction.atomic():
        assert earn(issuer, alice, 25, "race").pk == winner.pk
    assert snapshot() == before and len(calls) == 3


def test_losing_the_insert_race_with_other_details_is_a_conflict(accounts, monkeypatch):
    issuer, alice, bob, _ = accounts
    earn(issuer, alice, 25, "race")
    real = ledger._replayed
    calls = []
    monkeypatch.setattr(
        ledger, "_replayed", lambda *a: None if calls.append(1) or len(calls) <= 2 else real(*a)
    )
    before = snapshot()
    with pytest.raises(ledger.IdempotencyConflict):
        earn(issuer, bob, 25, "race")
    assert snapshot() == before


# --- Reversal ------------------------------------------------------------------------


def test_reverse_posts_the_opposite_entry_once(accounts, world):
    issuer, alice, _, _ = accounts
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    entry = earn(issuer, alice, 30, "e")
    rev = ledger.reverse(entry, reason="重复登记", idempotency_key="rev:e", actor=worker)
    assert (rev.debit_id, rev.credit_id, rev.amount) == (alice.pk, issuer.pk, 30)
    assert rev.reverses == entry and rev.reason_code == "reversal"
    assert rev.reason_text == "重复登记" and rev.actor == worker
    assert (rev.source_type, rev.source_id) == ("core.LedgerEntry", str(entry.pk))
    assert ledger.balance(alice) == 0 and ledger.balance(issuer) == 0
    # A replay of the reversal returns it; another reversal is refused.
    assert ledger.reverse(entry, reason="x", idempotency_key="rev:e").pk == rev.pk
    before = snapshot()
    with pytest.raises(ledger.AlreadyReversed) as exc:
        ledger.reverse(entry, reason="x", idempotency_key="rev:e:2")
    with translation.override("en"):
        assert str(exc.value) == "This entry has already been reversed."
    with pytest.raises(ledger.ReversalOfReversal):
        ledger.reverse(rev, reason="x", idempotency_key="rev:rev")
    assert snapshot() == before


def test_database_allows_one_reversal_per_entry(accounts):
    issuer, alice, _, _ = accounts
    entry = earn(issuer, alice, 30, "e")
    ledger.reverse(entry, reason="x", idempotency_key="r1")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry(
            debit=alice,
            credit=issuer,
            amount=30,
            reason_code="reversal",
            idempotency_key="r2",
            reverses=entry,
        ).save()


def test_reversal_that_would_go_negative_is_refused(accounts):
    issuer, alice, _, shop = accounts
    award = earn(issuer, alice, 30, "e")
    spend = ledger.transfer(debit=alice, credit=shop, amount=20, reason="r", idempotency_key="s")
    before = snapshot()
    with pytest.raises(ledger.ReversalRefused) as exc:
        ledger.reverse(award, reason="错发", idempotency_key="rev:e")
    assert isinstance(exc.value, ledger.InsufficientBalance)
    with translation.override("en"):
        assert str(exc.value).startswith(
            "The reversal would take the balance below zero: 10 points available, 30 points needed."
        )
    assert snapshot() == before
    # The documented way out: reverse the later spending first (a refund), then the award.
    ledger.reverse(spend, reason="退货", idempotency_key="rev:s")
    ledger.reverse(award, reason="错发", idempotency_key="rev:e")
    assert ledger.balance(alice) == 0 and ledger.balance(shop) == 0


def test_concurrent_reversal_of_the_same_entry_loses_cleanly(accounts, monkeypatch):
    issuer, alice, _, _ = accounts
    entry = earn(issuer, alice, 30, "e")
    ledger.reverse(entry, reason="x", idempotency_key="r1")
    earn(issuer, alice, 30, "e2")  # so that the balance check does not stop it first
    monkeypatch.setattr(
        LedgerEntry.objects, "filter", _filter_blind_to_reversals(LedgerEntry.objects.filter)
    )
    before = snapshot()
    with pytest.raises(ledger.AlreadyReversed):
        ledger.reverse(entry, reason="x", idempotency_key="r2")
    assert snapshot() == before


def _filter_blind_to_reversals(real):
    """A filter that misses the existing reversal once: as if it committed just after the
    check, so only the unique constraint on `reverses` can stop the second one."""
    state = {"hidden": False}

    def fake(*args, **kwargs):
        qs = real(*args, **kwargs)
        if "reverses_id" in kwargs and not state["hidden"]:
            state["hidden"] = True
            return qs.none()
        return qs

    return fake


# --- Append-only --------------------------------------------------------------------


def test_entries_cannot_be_changed_or_deleted(accounts):
    issuer, alice, _, _ = accounts
    entry = earn(issuer, alice, 30, "e")
    entry.amount = 3000
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(PermissionError):
        LedgerEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.bulk_create([LedgerEntry(amount=1)])
    with pytest.raises(PermissionError):
        LedgerEntry.objects.bulk_update([entry], ["amount"])
    assert LedgerEntry.objects.get().amount == 30


def test_accounts_with_entries_cannot_be_deleted(accounts):
    from django.db.models import ProtectedError

    issuer, alice, _, _ = accounts
    earn(issuer, alice, 30, "e")
    with pytest.raises(ProtectedError):
        alice.delete()


# --- Statement and verification -----------------------------------------------------


def _at(y, m, d, h=12):
    return timezone.make_aware(dt.datetime(y, m, d, h))


def test_monthly_statement(accounts, django_assert_num_queries):
    issuer, alice, _, shop = accounts
    with clock.travel_to(_at(2026, 2, 27)):
        earn(issuer, alice, 100, "feb")
    # Midnight local time on 1 March belongs to March (Asia/Shanghai, not UTC).
    with clock.travel_to(_at(2026, 3, 1, 0)):
        earn(issuer, alice, 20, "mar1")
    with clock.travel_to(_at(2026, 3, 15)):
        ledger.transfer(debit=alice, credit=shop, amount=50, reason="r", idempotency_key="mar2")
    with clock.travel_to(_at(2026, 3, 31, 23)):
        earn(issuer, alice, 7, "mar3")
    with clock.travel_to(_at(2026, 4, 1, 0)):
        earn(issuer, alice, 1000, "apr")

    with django_assert_num_queries(5):
        st = ledger.statement(alice, 2026, 3)
        keys = [e.idempotency_key for e in st.entries]
    assert (st.opening, st.credits, st.debits, st.closing) == (100, 27, 50, 77)
    assert keys == ["mar1", "mar2", "mar3"]
    dec = ledger.statement(alice, 2025, 12)
    assert (dec.opening, dec.closing, list(dec.entries)) == (0, 0, [])
    apr = ledger.statement(alice, 2026, 4)
    assert (apr.opening, apr.closing) == (77, 1077) == (77, ledger.balance(alice))


def test_statement_query_count_does_not_grow_with_entries(accounts, django_assert_num_queries):
    issuer, alice, bob, _ = accounts
    with clock.travel_to(_at(2026, 3, 10)):
        for i in range(30):
            earn(issuer, alice if i % 2 else bob, 1 + i, f"k{i}")
    with django_assert_num_queries(5):
        st = ledger.statement(alice, 2026, 3)
        assert len(list(st.entries)) == 15


def test_verify_ledger_and_the_command(accounts):
    issuer, alice, bob, shop = accounts
    earn(issuer, alice, 100, "a")
    earn(issuer, bob, 50, "b")
    ledger.transfer(debit=alice, credit=shop, amount=60, reason="r", idempotency_key="c")
    result = ledger.verify_ledger(batch_size=2)
    assert result.ok and result.accounts == 4 and result.entries == 3
    assert result.totals == {"points": 0}
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    assert "4 accounts, 3 entries checked: OK" in out.getvalue()

    # A balance changed behind the ledger's back is found.
    LedgerAccount.objects.filter(pk=bob.pk).update(balance=500)
    result = ledger.verify_ledger()
    assert not result.ok and result.mismatches == [(bob.pk, 500, 50)]
    assert result.totals == {"points": 450}
    err = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("ledger_verify", stdout=StringIO(), stderr=err)
    assert exc.value.returncode == 1
    assert f"account {bob.pk}: stored balance 500, entries sum to 50" in err.getvalue()


# --- Concurrency (real threads, real transactions) ------------------------------------


def _run_threads(n, work):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 — inspected by the caller
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_concurrent_spending_of_the_same_points(transactional_db):
    """8 requests spend 30 of 100 points at once: exactly 3 succeed, the balance ends at 10.
    PostgreSQL: the row locks serialise the balance checks; SQLite: IMMEDIATE transactions
    queue the writers."""
    issuer = ledger.account_for(POINTS, "issuer", 1)
    alice = ledger.account_for(POINTS, "resident", 1)
    shop = ledger.account_for(POINTS, "merchant", 1)
    earn(issuer, alice, 100, "e")

    results = _run_threads(
        8,
        lambda i: ledger.transfer(
            debit=alice.pk, credit=shop.pk, amount=30, reason="redeem", idempotency_key=f"s{i}"
        ),
    )
    ok = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, ledger.InsufficientBalance)]
    assert len(ok) == 100 // 30 and len(refused) == 8 - 3, results
    assert ledger.balance(alice) == 10 == ledger.recompute_balance(alice)
    assert ledger.balance(shop) == 90
    assert ledger.verify_ledger().ok


def test_concurrent_requests_with_the_same_key_write_one_entry(transactional_db):
    issuer = ledger.account_for(POINTS, "issuer", 1)
    alice = ledger.account_for(POINTS, "resident", 1)
    results = _run_threads(
        6,
        lambda i: ledger.transfer(
            debit=issuer.pk, credit=alice.pk, amount=10, reason="a", idempotency_key="same"
        ),
    )
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert LedgerEntry.objects.count() == 1 and ledger.balance(alice) == 10


def test_crossing_transfers_do_not_deadlock(transactional_db):
    """A→B and B→A at once: the accounts are locked in id order, so neither waits forever."""
    issuer = ledger.account_for(POINTS, "issuer", 1)
    a = ledger.account_for(POINTS, "resident", 1)
    b = ledger.account_for(POINTS, "resident", 2)
    earn(issuer, a, 1000, "ea")
    earn(issuer, b, 1000, "eb")

    def work(i):
        src, dst = (a, b) if i % 2 else (b, a)
        for n in range(10):
            ledger.transfer(
                debit=src.pk, credit=dst.pk, amount=1, reason="x", idempotency_key=f"{i}:{n}"
            )
        return "done"

    assert _run_threads(4, work) == ["done"] * 4
    assert ledger.balance(a) == 1000 and ledger.balance(b) == 1000
    assert LedgerEntry.objects.count() == 42 and ledger.verify_ledger().ok


def test_concurrent_reversals_of_one_entry(transactional_db):
    issuer = ledger.account_for(POINTS, "issuer", 1)
    alice = ledger.account_for(POINTS, "resident", 1)
    entry = earn(issuer, alice, 50, "e")
    results = _run_threads(
        4, lambda i: ledger.reverse(entry, reason="x", idempotency_key=f"rev{i}")
    )
    assert sum(isinstance(r, LedgerEntry) for r in results) == 1, results
    assert sum(isinstance(r, ledger.AlreadyReversed) for r in results) == 3
    assert ledger.balance(alice) == 0 and ledger.verify_ledger().ok
