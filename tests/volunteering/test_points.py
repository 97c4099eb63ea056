"""Earning rules (points.py): amounts from the profile, idempotency, daily cap, expiry, and
points for a resolved ticket through the tickets signal."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import clock, ledger
from gongzhi.core.models import LedgerEntry
from gongzhi.volunteering import points
from tests.volunteering.conftest import T0


def _balance(user):
    return ledger.balance(points.points_account(user.resident))


def test_earn_uses_the_profile_rate_and_the_community_issuer(vol, world, set_profile):
    set_profile("points:\n  per_activity: 7\n  per_service_hour: 12\n  daily_cap: 0\n")
    entry = points.earn(vol.res1.resident, "activity", source=("test.Thing", 1), actor=vol.cw)
    assert entry.amount == 7
    assert entry.debit_id == points.issuer_account(world.community_a1).pk
    assert entry.debit.owner_kind == "issuer" and entry.debit.owner_id == world.community_a1.pk
    points.earn(vol.res1.resident, "service_hour", source=("test.Thing", 2), units=2.5)
    assert _balance(vol.res1) == 7 + 30


def test_earn_is_idempotent_per_rule_source_and_resident(vol):
    first = points.earn(vol.res1.resident, "resolved_ticket", source=("tickets.Ticket", 5))
    again = points.earn(vol.res1.resident, "resolved_ticket", source=("tickets.Ticket", 5))
    assert first.pk == again.pk
    assert _balance(vol.res1) == 10  # platform default per_resolved_ticket
    other = points.earn(vol.res2.resident, "resolved_ticket", source=("tickets.Ticket", 5))
    assert other.pk != first.pk


def test_daily_cap_reduces_to_the_remainder_then_posts_nothing(vol, set_profile):
    set_profile("points:\n  per_service_hour: 10\n  daily_cap: 25\n")
    resident = vol.res1.resident
    first = points.earn_result(resident, "service_hour", source=("x.Y", 1), units=2)
    assert (first.amount, first.reason) == (20, "")
    second = points.earn_result(resident, "service_hour", source=("x.Y", 2), units=2)
    assert second.amount == 5 and second.requested == 20
    assert "25" in second.reason
    third = points.earn_result(resident, "service_hour", source=("x.Y", 3), units=1)
    assert third.entry is None and third.amount == 0 and third.reason
    assert _balance(vol.res1) == 25
    # A replay of the capped request returns the entry as posted, not a new one.
    assert points.earn(resident, "service_hour", source=("x.Y", 2), units=2).amount == 5
    # The next day the cap starts again.
    with clock.travel_to(T0 + dt.timedelta(days=1)):
        assert points.earn(resident, "service_hour", source=("x.Y", 4), units=1).amount == 10


def test_a_rule_worth_zero_posts_nothing(vol, set_profile):
    set_profile("points:\n  per_deliberation: 0\n")
    result = points.earn_result(vol.res1.resident, "deliberation", source=("x.Y", 1))
    assert result.entry is None and result.reason
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("units", [0, -1, "abc", 10**6, float("nan")])
def test_bad_units_are_refused_and_nothing_is_written(vol, units):
    with pytest.raises(points.EarnError):
        points.earn(vol.res1.resident, "activity", source=("x.Y", 1), units=units)
    assert LedgerEntry.objects.count() == 0


def test_unknown_rule_is_refused(vol):
    with pytest.raises(points.EarnError, match="Unknown"):
        points.earn(vol.res1.resident, "lottery", source=("x.Y", 1))
    assert LedgerEntry.objects.count() == 0


def test_expiry_moves_old_points_to_the_sink_fifo_and_is_idempotent(vol, world, set_profile):
    set_profile("points:\n  expiry_months: 1\n  daily_cap: 0\n  per_activity: 10\n")
    resident = vol.res1.resident
    account = points.points_account(resident)
    with clock.travel_to(dt.datetime(2026, 1, 10, 4, tzinfo=dt.UTC)):
        points.earn(resident, "activity", source=("x.Y", 1), units=3)  # 30 in January
    with clock.travel_to(dt.datetime(2026, 2, 10, 4, tzinfo=dt.UTC)):
        points.earn(resident, "activity", source=("x.Y", 2), units=2)  # 20 in February
        # 12 spent in February: FIFO takes them from January's points.
        ledger.transfer(
            debit=account,
            credit=points.sink_account(world.community_a1),
            amount=12,
            reason="redeem",
            idempotency_key="spend-1",
        )
        assert points.expire_points() == {"accounts": 0, "points": 0}  # not yet
    march = dt.datetime(2026, 3, 2, 4, tzinfo=dt.UTC)
    result = points.expire_points(now=march)
    assert result == {"accounts": 1, "points": 18}  # January's 30 − 12 spent
    assert ledger.balance(account) == 20
    sink = points.sink_account(world.community_a1)
    assert ledger.balance(sink) == 12 + 18
    assert points.expire_points(now=march) == {"accounts": 0, "points": 0}
    assert points.expire_points(now=march + dt.timedelta(days=5))["points"] == 0
    # In April February's points expire.
    assert points.expire_points(now=dt.datetime(2026, 4, 2, 4, tzinfo=dt.UTC))["points"] == 20
    assert ledger.balance(account) == 0
    assert ledger.verify_ledger().ok


def test_expiry_never_when_the_profile_says_zero(vol):
    with clock.travel_to(dt.datetime(2020, 1, 10, tzinfo=dt.UTC)):
        points.earn(vol.res1.resident, "activity", source=("x.Y", 1))
    assert points.expire_points()["points"] == 0
    assert _balance(vol.res1) == 5


# --------------------------------------------------------------------------- tickets signal


@pytest.fixture
def resolved_ticket(vol, world):
    from gongzhi.tickets import services as tickets
    from gongzhi.tickets.models import Category, HandlerKind

    category = Category.objects.create(code="v-repair", name="维修")
    ticket = tickets.submit(actor=vol.res1, kind="help", category=category, text="楼道灯坏了")
    gw = vol.gw
    tickets.accept(ticket, actor=gw)
    tickets.escalate(ticket, actor=gw, note="需社区协调")
    tickets.dispatch(
        ticket, actor=vol.cw, handler_user=vol.pm, handler_kind=HandlerKind.PARTY_MEMBER
    )
    tickets.start(ticket, actor=vol.pm)
    tickets.resolve(ticket, actor=vol.pm, note="已修好")
    ticket.refresh_from_db()
    return ticket


@pytest.mark.parametrize(("rating", "earned"), [(5, 10), (4, 10), (3, 0), (1, 0)])
def test_a_confirmed_satisfied_ticket_earns_the_handler_points_once(
    vol, resolved_ticket, rating, earned
):
    from gongzhi.tickets import services as tickets

    tickets.confirm(resolved_ticket, actor=vol.res1, rating=rating)
    assert _balance(vol.pm) == earned
    entries = LedgerEntry.objects.filter(reason_code="earn_resolved_ticket")
    assert entries.count() == (1 if earned else 0)
    if earned:
        assert entries.get().source_id == str(resolved_ticket.pk)
    # The signal sent again (a replay) posts nothing new.
    from gongzhi.tickets.models import Ticket
    from gongzhi.tickets.signals import ticket_stepped

    ticket = Ticket.objects.get(pk=resolved_ticket.pk)
    ticket_stepped.send(Ticket, ticket=ticket, step="confirm", actor=vol.res1, data={})
    assert _balance(vol.pm) == earned
