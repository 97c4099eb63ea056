"""Points and time-bank hours of residents: the earning rules on top of gongzhi.core.ledger.

Other apps import this module (merchants spend points with `ledger.transfer()` from
`points_account(resident)`; deliberation earns with `earn(resident, "deliberation", ...)`).

- `points_account(resident)` / `hours_account(resident)`: the resident's ledger accounts.
- `issuer_account(community, currency)` / `sink_account(community)`: the community's accounts.
- `earn(resident, rule, *, source, units=1, actor, when=None, key=None) -> LedgerEntry | None`
  credits the points of an earning rule from the resident's community issuer. The amount comes
  from the community's policy profile (`points.per_<rule>` × units), reduced to what is left of
  `points.daily_cap` for the day; None when nothing is posted (rule worth 0, cap reached).
  `earn_result(...)` does the same and also says why (`EarnResult.reason`).
  Idempotent: the same (rule, source, resident) — or the same `key` — posts once.
- `expire_points(now=None)`: moves points older than `points.expiry_months` to the sink,
  first-in first-out by earning month; re-running changes nothing.

Amounts are integers (points; minutes for hours). No permission is checked here: callers are
services that checked the actor's right, or signal receivers acting on a checked step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, TypeAlias

from django.db import models, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import clock, ledger, profiles
from gongzhi.core.models import LedgerAccount, LedgerCurrency, LedgerEntry, LedgerOwnerKind, User
from gongzhi.places.models import Place

if TYPE_CHECKING:
    from gongzhi.people.models import Resident

# What caused a movement: a model instance, or a (type label, id) pair (as gongzhi.core.ledger).
Source: TypeAlias = models.Model | tuple[str, object]

# Earning rule → the policy-profile key that says how many points one unit is worth.
RULES: dict[str, str] = {
    "service_hour": "points.per_service_hour",
    "activity": "points.per_activity",
    "resolved_ticket": "points.per_resolved_ticket",
    "deliberation": "points.per_deliberation",
}
RULE_LABELS = {
    "service_hour": gettext_lazy("Volunteer service hours"),
    "activity": gettext_lazy("Taking part in an activity"),
    "resolved_ticket": gettext_lazy("Resolved a resident's ticket"),
    "deliberation": gettext_lazy("Taking part in deliberation"),
}
EARN_REASONS = tuple(f"earn_{rule}" for rule in RULES)
COMMUNITY_SEGMENTS = 3  # district / street / community


class EarnError(ValueError):
    """A refused earning request (unknown rule, bad units, no community)."""


@dataclass
class EarnResult:
    entry: LedgerEntry | None
    requested: int  # the rule's amount before the daily cap
    amount: int  # what was posted (0: nothing)
    reason: str = ""  # why less (or nothing) was posted; "" when all of it was


# --------------------------------------------------------------------------- places, profile


def community_path(path: str) -> str:
    """The community path of any path at or below community level."""
    parts = (path or "").strip("/").split("/")
    if len(parts) < COMMUNITY_SEGMENTS or not parts[0]:
        return ""
    return "/".join(parts[:COMMUNITY_SEGMENTS]) + "/"


def community_of(resident: Resident) -> Place | None:
    path = community_path(resident.place_path)
    return Place.objects.filter(path=path).first() if path else None


def setting(place: Place | None, key: str) -> float | None:
    """The profile value for `key` at `place` (the platform default when none applies)."""
    profile = profiles.effective_profile(place) if place is not None else None
    value = profile.get(key) if profile is not None else None
    return profiles.SCHEMA[key].default if value is None else value


def int_setting(place: Place | None, key: str) -> int:
    value = setting(place, key)
    return int(value or 0)


# --------------------------------------------------------------------------- accounts


def points_account(resident: Resident) -> LedgerAccount:
    return ledger.account_for(
        LedgerCurrency.POINTS, LedgerOwnerKind.RESIDENT, resident.pk, place_path=resident.place_path
    )


def hours_account(resident: Resident) -> LedgerAccount:
    return ledger.account_for(
        LedgerCurrency.HOURS, LedgerOwnerKind.RESIDENT, resident.pk, place_path=resident.place_path
    )


def issuer_account(community: Place, currency: str = LedgerCurrency.POINTS) -> LedgerAccount:
    return ledger.account_for(
        currency, LedgerOwnerKind.ISSUER, community.pk, place_path=community.path
    )


def sink_account(community: Place) -> LedgerAccount:
    return ledger.account_for(
        LedgerCurrency.POINTS, LedgerOwnerKind.SINK, community.pk, place_path=community.path
    )


# --------------------------------------------------------------------------- earning


def _units(units: float | Decimal | str) -> Decimal:
    try:
        value = Decimal(str(units))
    except (InvalidOperation, ValueError):
        raise EarnError(_("The number of units must be a number.")) from None
    if not value.is_finite() or value <= 0 or value > 1000:
        raise EarnError(_("The number of units must be greater than 0 and at most 1000."))
    return value


def _source_key(source: Source) -> str:
    if isinstance(source, tuple):
        return f"{source[0]}:{source[1]}"
    return f"{source._meta.label}:{source.pk}"


def _day_bounds(when: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    from django.utils import timezone

    day = timezone.localtime(when).date()
    tz = timezone.get_default_timezone()
    start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def earned_on(account: LedgerAccount, when: dt.datetime) -> int:
    """Points the account earned (from the earning rules) on `when`'s day; an award that
    staff reversed as a correction no longer counts towards the cap."""
    start, end = _day_bounds(when)
    return (
        LedgerEntry.objects.filter(
            credit_id=account.pk,
            reason_code__in=EARN_REASONS,
            created_at__gte=start,
            created_at__lt=end,
            reversed_by__isnull=True,
        ).aggregate(s=Sum("amount"))["s"]
        or 0
    )


def earn_result(
    resident: Resident,
    rule: str,
    *,
    source: Source,
    units: float | Decimal | str = 1,
    actor: User | None = None,
    when: dt.datetime | None = None,
    key: str | None = None,
    reason_text: str = "",
) -> EarnResult:
    if rule not in RULES:
        raise EarnError(_("Unknown earning rule: %(rule)s.") % {"rule": rule})
    count = _units(units)
    community = community_of(resident)
    if community is None:
        raise EarnError(_("The resident has no community; points cannot be credited."))
    key = key or f"earn:{rule}:{_source_key(source)}:resident:{resident.pk}"
    done = LedgerEntry.objects.filter(idempotency_key=key).first()
    if done is not None:
        return EarnResult(done, done.amount, done.amount)
    rate = Decimal(str(setting(community, RULES[rule]) or 0))
    requested = int((rate * count).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if requested <= 0:
        return EarnResult(None, 0, 0, _("This kind of contribution earns no points here."))
    account = points_account(resident)
    issuer = issuer_account(community)
    cap = int_setting(community, "points.daily_cap")
    with transaction.atomic():
        # The resident's account row is the lock that serialises earnings of one day.
        LedgerAccount.objects.select_for_update().filter(pk=account.pk).first()
        amount, reason = requested, ""
        if cap:
            left = max(cap - earned_on(account, when or clock.now()), 0)
            if left < requested:
                amount = left
                reason = _(
                    "The daily cap of %(cap)s points is reached: %(amount)s of %(requested)s "
                    "points credited."
                ) % {"cap": cap, "amount": amount, "requested": requested}
        if amount <= 0:
            return EarnResult(None, requested, 0, reason)
        entry = ledger.transfer(
            debit=issuer,
            credit=account,
            amount=amount,
            reason=f"earn_{rule}",
            reason_text=reason_text or str(RULE_LABELS[rule]),
            source=source,
            idempotency_key=key,
            actor=actor,
        )
    return EarnResult(entry, requested, amount, reason)


def earn(
    resident: Resident,
    rule: str,
    *,
    source: Source,
    units: float | Decimal | str = 1,
    actor: User | None = None,
    when: dt.datetime | None = None,
    key: str | None = None,
    reason_text: str = "",
) -> LedgerEntry | None:
    """Credit the points of `rule` for `source`; the entry, or None when nothing is posted."""
    return earn_result(
        resident,
        rule,
        source=source,
        units=units,
        actor=actor,
        when=when,
        key=key,
        reason_text=reason_text,
    ).entry


def deposit_hours(
    resident: Resident,
    minutes: int,
    *,
    source: Source,
    key: str,
    actor: User | None = None,
    reason_text: str = "",
) -> LedgerEntry:
    """Time-bank hours for confirmed service: community issuer (hours) → resident."""
    community = community_of(resident)
    if community is None:
        raise EarnError(_("The resident has no community; hours cannot be credited."))
    return ledger.transfer(
        debit=issuer_account(community, LedgerCurrency.HOURS),
        credit=hours_account(resident),
        amount=minutes,
        reason="service_hours",
        reason_text=reason_text or _("Volunteer service"),
        source=source,
        idempotency_key=key,
        actor=actor,
    )


# --------------------------------------------------------------------------- expiry


def _month_start(year: int, month: int) -> dt.datetime:
    return ledger.month_bounds(year, month)[0]


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by `delta` months."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def expire_account(
    account: LedgerAccount, months: int, now: dt.datetime, sink: LedgerAccount
) -> int:
    """Expire what is left of the points earned before the cutoff (FIFO: spending and earlier
    expiries consumed the oldest points first). Returns the points moved."""
    from django.utils import timezone

    local = timezone.localtime(now)
    cy, cm = shift_month(local.year, local.month, -months)
    cutoff = _month_start(cy, cm)  # credits before this are older than the expiry period
    ky, km = shift_month(cy, cm, -1)
    key = f"expiry:{account.pk}:{ky:04d}-{km:02d}"
    if LedgerEntry.objects.filter(idempotency_key=key).exists():
        return 0
    old_in = (
        LedgerEntry.objects.filter(credit_id=account.pk, created_at__lt=cutoff).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    all_out = LedgerEntry.objects.filter(debit_id=account.pk).aggregate(s=Sum("amount"))["s"] or 0
    amount = min(old_in - all_out, ledger.balance(account))
    if amount <= 0:
        return 0
    ledger.transfer(
        debit=account,
        credit=sink,
        amount=amount,
        reason="expiry",
        reason_text=_("Points earned up to %(month)s expired") % {"month": f"{ky:04d}-{km:02d}"},
        idempotency_key=key,
    )
    return amount


def expire_points(now: dt.datetime | None = None) -> dict[str, int]:
    """Run expiry for every community whose profile sets `points.expiry_months`."""
    now = now or clock.now()
    moved = accounts = 0
    communities: dict[str, tuple[int, Place | None]] = {}
    rows = LedgerAccount.objects.filter(
        currency=LedgerCurrency.POINTS, owner_kind=LedgerOwnerKind.RESIDENT, balance__gt=0
    ).order_by("pk")
    for account in rows.iterator(chunk_size=2000):
        path = community_path(account.place_path)
        if path not in communities:
            community = Place.objects.filter(path=path).first() if path else None
            months = int_setting(community, "points.expiry_months") if community else 0
            communities[path] = (months, community)
        months, community = communities[path]
        if not months or community is None:
            continue
        with transaction.atomic():
            amount = expire_account(account, months, now, sink_account(community))
        if amount:
            moved += amount
            accounts += 1
    return {"accounts": accounts, "points": moved}
