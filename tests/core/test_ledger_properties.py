"""Property-based tests of the ledger (Hypothesis): for any sequence of earns, spends,
refunds, reversals, replays and refused requests, every balance equals the sum of its
entries and the model's expectation, no non-issuer balance drops below zero, and a refused
operation changes nothing.

Each example runs inside `transaction.atomic()` and is rolled back at teardown, so examples
do not leak into each other (the `db` fixture gives the test its database)."""

from __future__ import annotations

import contextlib

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from gongzhi.core import ledger
from gongzhi.core.models import LedgerAccount, LedgerEntry

MAX = 1_000
RESIDENTS = 3
# Valid amounts, and ones that must be refused: zero, negative, above the maximum.
amounts = st.one_of(
    st.integers(min_value=1, max_value=300),
    st.sampled_from([0, -1, -50, MAX, MAX + 1, 10**12]),
)
who = st.integers(min_value=0, max_value=RESIDENTS - 1)


def state():
    return (
        LedgerEntry.objects.count(),
        sorted(LedgerAccount.objects.values_list("pk", "balance")),
    )


class LedgerMachine(RuleBasedStateMachine):
    entries = Bundle("entries")
    spends = Bundle("spends")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.seq = 0
        self.done: dict[str, tuple] = {}  # key → (debit, credit, amount) of applied requests

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    @initialize()
    def accounts(self):
        assert LedgerEntry.objects.count() == 0, "an earlier example leaked"
        self.issuer = ledger.account_for("points", "issuer", 1)
        self.shop = ledger.account_for("points", "merchant", 1)
        self.residents = [ledger.account_for("points", "resident", i) for i in range(RESIDENTS)]
        self.expected = {a.pk: 0 for a in [self.issuer, self.shop, *self.residents]}
        self.reversed: set[int] = set()

    def key(self):
        self.seq += 1
        return f"op{self.seq}"

    def attempt(self, fn, *, valid: bool, debit, credit, amount):
        """Run fn; if it must fail (valid False), check it raised and changed nothing."""
        before = state()
        if not valid:
            with pytest.raises(ledger.LedgerError):
                fn()
            assert state() == before
            return None
        entry = fn()
        self.expected[debit.pk] -= amount
        self.expected[credit.pk] += amount
        return entry

    def would_fit(self, account, amount):
        return 0 < amount <= MAX and (account.allow_negative or self.expected[account.pk] >= amount)

    @rule(target=entries, i=who, amount=amounts)
    def earn(self, i, amount):
        resident = self.residents[i]
        key = self.key()
        entry = self.attempt(
            lambda: ledger.transfer(
                debit=self.issuer,
                credit=resident,
                amount=amount,
                reason="earn",
                idempotency_key=key,
            ),
            valid=0 < amount <= MAX,
            debit=self.issuer,
            credit=resident,
            amount=amount,
        )
        if entry is not None:
            self.done[key] = (self.issuer, resident, amount)
        return entry

    @rule(target=spends, i=who, amount=amounts)
    def spend(self, i, amount):
        resident = self.residents[i]
        key = self.key()
        entry = self.attempt(
            lambda: ledger.transfer(
                debit=resident,
                credit=self.shop,
                amount=amount,
                reason="redeem",
                idempotency_key=key,
            ),
            valid=self.would_fit(resident, amount),
            debit=resident,
            credit=self.shop,
            amount=amount,
        )
        if entry is not None:
            self.done[key] = (resident, self.shop, amount)
        return entry

    @rule(spend=consumes(spends))
    def refund(self, spend):
        """A merchant's refund: the spend is reversed (once)."""
        self._reverse(spend)

    @rule(entry=entries)
    def reverse(self, entry):
        self._reverse(entry)

    def _reverse(self, entry):
        if entry is None:
            return
        debit = LedgerAccount.objects.get(pk=entry.credit_id)
        credit = LedgerAccount.objects.get(pk=entry.debit_id)
        valid = entry.pk not in self.reversed and self.would_fit(debit, entry.amount)
        result = self.attempt(
            lambda: ledger.reverse(entry, reason="correction", idempotency_key=self.key()),
            valid=valid,
            debit=debit,
            credit=credit,
            amount=entry.amount,
        )
        if result is not None:
            self.reversed.add(entry.pk)

    @rule(data=st.data())
    def replay(self, data):
        """Any applied request sent again returns its entry and changes nothing."""
        if not self.done:
            return
        key = data.draw(st.sampled_from(sorted(self.done)))
        debit, credit, amount = self.done[key]
        before = state()
        entry = ledger.transfer(
            debit=debit, credit=credit, amount=amount, reason="again", idempotency_key=key
        )
        assert entry.idempotency_key == key
        assert state() == before

    @rule(i=who, j=who)
    def move_between_residents(self, i, j):
        """Between residents, including a resident to themself (refused)."""
        src, dst = self.residents[i], self.residents[j]
        key = self.key()
        entry = self.attempt(
            lambda: ledger.transfer(
                debit=src, credit=dst, amount=10, reason="gift", idempotency_key=key
            ),
            valid=i != j and self.would_fit(src, 10),
            debit=src,
            credit=dst,
            amount=10,
        )
        if entry is not None:
            self.done[key] = (src, dst, 10)

    @invariant()
    def balances_hold(self):
        if not hasattr(self, "expected"):
            return
        for pk, expected in self.expected.items():
            account = LedgerAccount.objects.get(pk=pk)
            assert account.balance == expected == ledger.recompute_balance(pk)
            assert account.balance >= 0 or account.allow_negative
        assert sum(self.expected.values()) == 0


def test_ledger_invariants_hold_for_any_sequence(db, settings_override):
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=50,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@pytest.fixture
def settings_override(settings):
    settings.LEDGER_MAX_AMOUNT = {"points": MAX, "hours": MAX}


@pytest.mark.usefixtures("settings_override")
@pytest.mark.parametrize("currency", ["points", "hours"])
def test_verify_agrees_with_any_sequence_of_transfers(db, currency):
    """verify_ledger() finds no mismatch after any sequence of transfers (valid or not), and
    exactly the one account whose balance was changed behind the ledger's back."""

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(-5, 400)), max_size=20
        ),
        st.integers(1, 50),
    )
    def check(ops, tamper):
        with transaction.atomic():
            issuer = ledger.account_for(currency, "issuer", 1)
            people = [ledger.account_for(currency, "resident", i) for i in range(3)]
            everyone = [issuer, *people]
            for n, (a, b, amount) in enumerate(ops):
                with contextlib.suppress(ledger.LedgerError):
                    ledger.transfer(
                        debit=everyone[a],
                        credit=everyone[b],
                        amount=amount,
                        reason="x",
                        idempotency_key=f"k{n}",
                    )
            result = ledger.verify_ledger(batch_size=2)
            assert result.ok and result.accounts == 4
            stored = ledger.balance(people[0])
            LedgerAccount.objects.filter(pk=people[0].pk).update(balance=stored + tamper)
            result = ledger.verify_ledger(batch_size=2)
            assert [m[0] for m in result.mismatches] == [people[0].pk]
            transaction.set_rollback(True)
        assert LedgerAccount.objects.count() == 0

    check()
