"""Ledgers: points and time-bank hours as append-only, double-entry entries.

One mechanism for every currency (docs/ledger.md):

- `transfer()` appends one entry that moves `amount` from the `debit` account to the `credit`
  account and changes both stored balances in the same transaction. It locks the two accounts
  (`SELECT … FOR UPDATE`, lower id first, so two transfers never wait on each other in a
  circle), refuses what would take a non-issuer account below zero, and is idempotent: a
  request repeated with the same `idempotency_key` returns the entry already written and
  changes nothing, also when the two requests race (the unique key decides).
- `reverse()` is the only correction: an opposite entry pointing at the original, at most once.
- `verify_ledger()` recomputes every account's balance from its entries.

Amounts are integers in the smallest unit: points, and minutes for time-bank hours.

These functions check no permission and write no audit record: they are the mechanism under
the use-case services (confirm an activity's hours, redeem a good, correct an award…), which
check the actor's right and record the business action once. The entry itself is the
append-only record of the movement: who, when, why, what caused it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gongzhi.core import clock
from gongzhi.core.models import (
    LedgerAccount,
    LedgerCurrency,
    LedgerEntry,
    LedgerOwnerKind,
    User,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_MAX_AMOUNT: dict[str, int] = {
    LedgerCurrency.POINTS: 100_000,
    LedgerCurrency.HOURS: 1_000 * 60,
    # Money (community funds and funding lines, gongzhi/funds): a platform default of ten
    # million yuan per entry, in fen; anything above is a typing error.
    LedgerCurrency.MONEY: 10_000_000 * 100,
}


# --- Errors ----------------------------------------------------------------------------


class LedgerError(Exception):
    """A refused ledger operation. `message` is for the user (translated when shown);
    `code` is stable for programs and the API. Nothing was written."""

    code = "ledger_error"
    template = _("The ledger operation was refused.")

    def __init__(self, message: StrOrPromise | None = None, **params: object) -> None:
        self.params = params
        self._message = message
        super().__init__(self.message)

    @property
    def message(self) -> str:
        template = self._message if self._message is not None else self.template
        return str(template) % self.params if self.params else str(template)

    def __str__(self) -> str:
        return self.message


class InvalidAmount(LedgerError):
    code = "invalid_amount"
    template = _("The amount must be a whole number greater than zero.")


class AmountTooLarge(LedgerError):
    code = "amount_too_large"
    template = _("The amount %(amount)s is more than one entry may move (at most %(maximum)s).")


class UnknownAccount(LedgerError):
    code = "unknown_account"
    template = _("The ledger account does not exist.")


class CurrencyMismatch(LedgerError):
    code = "currency_mismatch"
    template = _("Points and time-bank hours cannot be moved between each other.")


class SameAccount(LedgerError):
    code = "same_account"
    template = _("An entry needs two different accounts.")


class MissingKey(LedgerError):
    code = "missing_key"
    template = _("Every ledger entry needs an idempotency key.")


class InsufficientBalance(LedgerError):
    code = "insufficient_balance"
    template = _("Not enough balance: %(available)s available, %(amount)s needed.")


class IdempotencyConflict(LedgerError):
    code = "idempotency_conflict"
    template = _(
        "This request was already recorded with different details; it was not applied again."
    )


class AlreadyReversed(LedgerError):
    code = "already_reversed"
    template = _("This entry has already been reversed.")


class ReversalOfReversal(LedgerError):
    code = "reversal_of_reversal"
    template = _("A reversal cannot be reversed; post a new entry instead.")


class ReversalRefused(InsufficientBalance):
    code = "reversal_refused"
    template = _(
        "The reversal would take the balance below zero: %(available)s available, "
        "%(amount)s needed. Reverse the later spending first, or post a correction."
    )


def format_amount(currency: str, amount: int) -> str:
    """An amount as a user reads it: "120 points", "2 h 30 min" (translated)."""
    if currency == LedgerCurrency.HOURS:
        hours, minutes = divmod(abs(amount), 60)
        sign = "-" if amount < 0 else ""
        if not minutes:
            return sign + str(_("%(hours)s h") % {"hours": hours})
        return sign + str(_("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes})
    if currency == LedgerCurrency.MONEY:
        return str(_("%(yuan)s yuan") % {"yuan": f"{Decimal(amount) / 100:,.2f}"})
    return ngettext("%(n)s point", "%(n)s points", abs(amount)) % {"n": amount}


class Amount:
    """An amount shown in the language active when the message is read, not when raised."""

    def __init__(self, currency: str, value: int):
        self.currency, self.value = currency, value

    def __str__(self) -> str:
        return format_amount(self.currency, self.value)


def max_amount(currency: str) -> int:
    limits = getattr(settings, "LEDGER_MAX_AMOUNT", None) or DEFAULT_MAX_AMOUNT
    return int(limits.get(str(currency), DEFAULT_MAX_AMOUNT[LedgerCurrency(currency)]))


# --- Accounts --------------------------------------------------------------------------


def account_for(
    currency: str, owner_kind: str, owner_id: int, *, place_path: str = ""
) -> LedgerAccount:
    """The owner's account in `currency`, created on first use. Race-safe: two requests
    creating the same account both get the one row (the unique constraint decides)."""
    currency = LedgerCurrency(currency)
    owner_kind = LedgerOwnerKind(owner_kind)
    lookup = dict(currency=currency, owner_kind=owner_kind, owner_id=owner_id)
    account = LedgerAccount.objects.filter(**lookup).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return LedgerAccount.objects.create(
                **lookup,
                place_path=place_path,
                allow_negative=owner_kind == LedgerOwnerKind.ISSUER,
            )
    except IntegrityError:
        account = LedgerAccount.objects.filter(**lookup).first()
        if account is None:
            raise
        return account


def balance(account: LedgerAccount | int) -> int:
    """The stored balance, read fresh from the database."""
    pk = _pk_of(account)
    value = LedgerAccount.objects.filter(pk=pk).values_list("balance", flat=True).first()
    if value is None:
        raise UnknownAccount()
    return value


def _pk_of(account: LedgerAccount | int) -> int:
    return account.pk if isinstance(account, LedgerAccount) else account


def _sum(qs: QuerySet[LedgerEntry]) -> int:
    return qs.aggregate(s=Sum("amount"))["s"] or 0


def recompute_balance(account: LedgerAccount | int) -> int:
    """The balance from the entries: credits minus debits (two indexed sums)."""
    pk = _pk_of(account)
    return _sum(LedgerEntry.objects.filter(credit_id=pk)) - _sum(
        LedgerEntry.objects.filter(debit_id=pk)
    )


# --- Posting ---------------------------------------------------------------------------


def _account_id(value: object) -> int:
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise UnknownAccount()
    return pk


def _check_amount(amount: object) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount()
    return amount


def _replayed(
    key: str, debit_id: int, credit_id: int, amount: int, reverses_id: int | None = None
) -> LedgerEntry | None:
    """The entry already written under `key`, if any; a different request under the same key
    is refused."""
    entry = LedgerEntry.objects.filter(idempotency_key=key).first()
    if entry is None:
        return None
    if (entry.debit_id, entry.credit_id, entry.amount, entry.reverses_id) != (
        debit_id,
        credit_id,
        amount,
        reverses_id,
    ):
        raise IdempotencyConflict()
    return entry


def _lock(ids: list[int]) -> dict[int, LedgerAccount]:
    """Lock the accounts in id order (no deadlock between two transfers over the same pair)."""
    rows = LedgerAccount.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {a.pk: a for a in rows}


def _post(
    *,
    debit_id: int,
    credit_id: int,
    amount: int,
    reason_code: str,
    reason_text: str,
    source_type: str,
    source_id: str,
    key: str,
    actor: User | None,
    reverses: LedgerEntry | None = None,
) -> LedgerEntry:
    if not key:
        raise MissingKey()
    if debit_id == credit_id:
        raise SameAccount()
    reverses_id = reverses.pk if reverses is not None else None
    replay = _replayed(key, debit_id, credit_id, amount, reverses_id)
    if replay is not None:
        return replay
    with transaction.atomic():
        accounts = _lock([debit_id, credit_id])
        if len(accounts) != 2:
            raise UnknownAccount()
        debit, credit = accounts[debit_id], accounts[credit_id]
        if debit.currency != credit.currency:
            raise CurrencyMismatch()
        maximum = max_amount(debit.currency)
        if amount > maximum:
            raise AmountTooLarge(
                amount=Amount(debit.currency, amount),
                maximum=Amount(debit.currency, maximum),
            )
        # Under the locks: a request with the same key that committed while we waited.
        replay = _replayed(key, debit_id, credit_id, amount, reverses_id)
        if replay is not None:
            return replay
        if reverses is not None and LedgerEntry.objects.filter(reverses_id=reverses_id).exists():
            raise AlreadyReversed()
        if not debit.allow_negative and debit.balance < amount:
            error = ReversalRefused if reverses is not None else InsufficientBalance
            raise error(
                available=Amount(debit.currency, debit.balance),
                amount=Amount(debit.currency, amount),
            )
        entry = LedgerEntry(
            debit_id=debit_id,
            credit_id=credit_id,
            amount=amount,
            reason_code=reason_code[:32],
            reason_text=reason_text[:200],
            source_type=source_type[:64],
            source_id=source_id[:64],
            idempotency_key=key,
            reverses=reverses,
            created_at=clock.now(),
            actor=actor if getattr(actor, "pk", None) else None,
        )
        try:
            # The entry first, in a savepoint: if a racer with the same key (or reversing the
            # same entry) won, nothing else has been touched yet.
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            winner = _replayed(key, debit_id, credit_id, amount, reverses_id)
            if winner is not None:
                return winner
            if (
                reverses is not None
                and LedgerEntry.objects.filter(reverses_id=reverses_id).exists()
            ):
                raise AlreadyReversed() from None
            raise
        _apply(debit_id, -amount)
        _apply(credit_id, amount)
        return entry


def _apply(account_id: int, delta: int) -> None:
    # The row is locked by this transaction; the CheckConstraint is the last line of defence.
    LedgerAccount.objects.filter(pk=account_id).update(balance=F("balance") + delta)


def transfer(
    *,
    debit: LedgerAccount | int,
    credit: LedgerAccount | int,
    amount: int,
    reason: str,
    idempotency_key: str,
    actor: User | None = None,
    reason_text: str = "",
    source: models.Model | tuple[str, object] | None = None,
) -> LedgerEntry:
    """Move `amount` from `debit` to `credit`; return the entry (the original on a replay).

    `reason` is a short code ("activity_hours", "redeem", "refund", "expiry"…), `reason_text`
    the words a resident reads on the statement. `source` is the object that caused the
    movement (a model instance, or a (type, id) pair). Raises a LedgerError and writes
    nothing when the entry is refused."""
    amount = _check_amount(amount)
    source_type, source_id = _source(source)
    return _post(
        debit_id=_account_id(debit),
        credit_id=_account_id(credit),
        amount=amount,
        reason_code=reason,
        reason_text=reason_text,
        source_type=source_type,
        source_id=source_id,
        key=idempotency_key,
        actor=actor,
    )


def reverse(
    entry: LedgerEntry, *, reason: str, idempotency_key: str, actor: User | None = None
) -> LedgerEntry:
    """Post the opposite of `entry` (same amount, accounts swapped), at most once.

    Refused when it would take an account below zero (the points were spent meanwhile):
    reverse the later spending first, or post an ordinary correcting transfer of what can be
    taken back — see docs/ledger.md."""
    if entry.reverses_id is not None:
        raise ReversalOfReversal()
    return _post(
        debit_id=entry.credit_id,
        credit_id=entry.debit_id,
        amount=entry.amount,
        reason_code="reversal",
        reason_text=reason,
        source_type=LedgerEntry._meta.label,
        source_id=str(entry.pk),
        key=idempotency_key,
        actor=actor,
        reverses=entry,
    )


def _source(source: models.Model | tuple[str, object] | None) -> tuple[str, str]:
    if source is None:
        return "", ""
    if isinstance(source, tuple):
        kind, pk = source
        return str(kind), str(pk)
    return source._meta.label, str(source.pk)


# --- Reading ---------------------------------------------------------------------------


@dataclass
class Statement:
    account: LedgerAccount
    start: dt.datetime
    end: dt.datetime
    opening: int
    credits: int
    debits: int
    entries: object  # a queryset of the month's entries, oldest first; paginate it

    @property
    def closing(self) -> int:
        return self.opening + self.credits - self.debits


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a calendar month in the installation's time zone."""
    tz = timezone.get_default_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


def statement(account: LedgerAccount, year: int, month: int) -> Statement:
    """Opening balance, the month's credits and debits, and the entries (a lazy queryset).
    Five queries when the entries are read, whatever the size of the ledger; each one is
    served by the (account, created_at) indexes."""
    start, end = month_bounds(year, month)
    pk = account.pk
    before = LedgerEntry.objects.filter(created_at__lt=start)
    during = LedgerEntry.objects.filter(created_at__gte=start, created_at__lt=end)
    opening = _sum(before.filter(credit_id=pk)) - _sum(before.filter(debit_id=pk))
    credits = _sum(during.filter(credit_id=pk))
    debits = _sum(during.filter(debit_id=pk))
    entries = during.filter(Q(credit_id=pk) | Q(debit_id=pk)).order_by("created_at", "pk")
    return Statement(account, start, end, opening, credits, debits, entries)


@dataclass
class VerifyResult:
    accounts: int = 0
    entries: int = 0
    mismatches: list[tuple[int, int, int]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)  # per currency; 0 in double entry

    @property
    def ok(self) -> bool:
        return not self.mismatches and all(v == 0 for v in self.totals.values())


def verify_ledger(batch_size: int = 5000) -> VerifyResult:
    """Check every account: stored balance == credits − debits; and per currency the
    balances sum to zero. Walks the accounts in id batches (memory stays flat); the sums of a
    batch are two grouped queries served by the (account, created_at) indexes."""
    result = VerifyResult()
    last = 0
    while True:
        batch = list(
            LedgerAccount.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "balance", "currency")[:batch_size]
        )
        if not batch:
            break
        low, high = batch[0][0], batch[-1][0]
        net: dict[int, int] = {}
        for side, sign in (("credit_id", 1), ("debit_id", -1)):
            rows = (
                LedgerEntry.objects.filter(**{f"{side}__gte": low, f"{side}__lte": high})
                .order_by()
                .values(side)
                .annotate(s=Sum("amount"))
                .values_list(side, "s")
            )
            for pk, s in rows:
                net[pk] = net.get(pk, 0) + sign * s
        for pk, stored, currency in batch:
            computed = net.get(pk, 0)
            if computed != stored:
                result.mismatches.append((pk, stored, computed))
            result.totals[currency] = result.totals.get(currency, 0) + stored
        result.accounts += len(batch)
        last = high
    result.entries = LedgerEntry.objects.count()
    return result
