"""Who sees which tickets (selectors), and the grid worker's queue order."""

from __future__ import annotations

import datetime as dt

from gongzhi.core import clock
from gongzhi.tickets import selectors
from gongzhi.tickets.models import Status
from gongzhi.tickets.workflow import Step
from tests.tickets.conftest import run_step


def _ids(qs):
    return set(qs.values_list("id", flat=True))


def test_a_resident_sees_only_their_own_tickets(new_ticket, people, world, cats):
    from gongzhi.tickets import services

    mine = new_ticket()
    theirs = services.submit(
        actor=people.neighbour, kind="help", category=cats.repair, text="邻居的"
    )
    assert _ids(selectors.visible_tickets(people.resident)) == {mine.pk}
    assert _ids(selectors.visible_tickets(people.neighbour)) == {theirs.pk}
    assert _ids(selectors.my_tickets(people.resident)) == {mine.pk}


def test_staff_see_their_area(new_ticket, people, world):
    a1g1 = new_ticket()
    a1g2 = new_ticket(place=world.grid_a1_2)
    assert _ids(selectors.visible_tickets(people.gw)) == {a1g1.pk}
    assert _ids(selectors.visible_tickets(people.gw_other)) == {a1g2.pk}
    assert _ids(selectors.visible_tickets(people.cw)) == {a1g1.pk, a1g2.pk}
    assert _ids(selectors.visible_tickets(people.cw_other)) == set()
    assert _ids(selectors.visible_tickets(people.street)) == {a1g1.pk, a1g2.pk}
    assert _ids(selectors.visible_tickets(people.building_head)) == set()


def test_party_members_see_their_communitys_pool_and_their_own(drive, people):
    pooled = drive(Status.POOLED)
    dispatched = drive(Status.DISPATCHED)  # to pm1
    assert _ids(selectors.pool(people.pm2)) == {pooled.pk}
    assert _ids(selectors.pool(people.pm_other)) == set()
    assert _ids(selectors.pool(people.resident)) == set()
    assert _ids(selectors.visible_tickets(people.pm2)) == {pooled.pk}
    assert _ids(selectors.visible_tickets(people.pm1)) == {pooled.pk, dispatched.pk}
    assert _ids(selectors.handled_by(people.pm1)) == {dispatched.pk}
    run_step(pooled, Step.TAKE, people.pm2, {})
    assert _ids(selectors.visible_tickets(people.pm1)) == {dispatched.pk}
    assert _ids(selectors.handled_by(people.pm2)) == {pooled.pk}


def test_the_grid_queue_puts_overdue_and_new_first(new_ticket, people, world):
    t0 = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
    clock.set_now(t0)
    old_accepted = run_step(new_ticket(), Step.ACCEPT, people.gw, {})
    overdue_new = new_ticket()
    clock.set_now(t0 + dt.timedelta(hours=3))
    fresh = new_ticket()
    in_grid = run_step(
        run_step(new_ticket(), Step.ACCEPT, people.gw, {}), Step.HANDLE, people.gw, {}
    )
    new_ticket(place=world.grid_a1_2)  # another grid: not in this queue
    queue = list(selectors.grid_queue(people.gw))
    assert [t.pk for t in queue] == [overdue_new.pk, fresh.pk, old_accepted.pk, in_grid.pk]
    assert [t.overdue for t in queue] == [True, False, False, False]
    assert _ids(selectors.grid_queue(people.gw_other)) != _ids(selectors.grid_queue(people.gw))


def test_the_dispatch_board_and_supervised_list(drive, people):
    escalated, returned, pooled = (
        drive(Status.ESCALATED),
        drive(Status.RETURNED),
        drive(Status.POOLED),
    )
    drive(Status.DISPATCHED)
    assert _ids(selectors.dispatch_board(people.cw)) == {escalated.pk, returned.pk, pooled.pk}
    assert _ids(selectors.dispatch_board(people.cw_other)) == set()
    assert _ids(selectors.supervised(people.cw)) == set()
    clock.set_now(clock.now() + dt.timedelta(days=4))
    from gongzhi.tickets import deadlines

    deadlines.sweep()
    assert escalated.pk in _ids(selectors.supervised(people.cw))


def test_history_is_in_order(drive):
    ticket = drive(Status.CLOSED)
    steps = [e.action for e in selectors.history(ticket)]
    assert steps == [
        "submit",
        "accept",
        "escalate",
        "dispatch",
        "start",
        "resolve",
        "confirm",
        "close",
    ]
