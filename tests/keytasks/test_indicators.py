"""The key-task indicators (gongzhi/keytasks/indicators.py) on hand-made lists and sent-down
tasks; "today" is 2026-06-15 (Asia/Shanghai), the period the second quarter of 2026.

A1's own list:  k1 due 04-10, done 04-10 23:30 local (in time, the same local day)
                k2 due 05-01, done 05-03, verified (late)
                k3 due 05-20, open (deadline passed)
                k4 due 06-30, open (deadline not yet passed)
                k5 due 03-01, done in time (first quarter)
  → done on time 1/4 = 25.00; overdue: k2, k3 = 2.
Street A's own list: k6 due 04-05, done 04-01 → 1/1 = 100.00, overdue 0 (A1 does not get it).
A2 has no list: no data for either.

Sent-down forms (street A's tasks; a receiver is a community):
  f1 due 05-10: A1 submitted in time, A2 submitted late
  f2 due 06-30: A1 pending (not yet due: not counted), A2 submitted in time
  f3 due 05-20: A1 pending (passed), A2 reopened (passed)
  f4 due 02-01: A1 pending (first quarter)
  → A1 1/2 = 50.00; A2 1/3 = 33.33; B1 no form: no data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal

import pytest

from gongzhi.core import clock, indicators
from gongzhi.core.indicators import Period
from gongzhi.core.roles import Role
from gongzhi.keytasks.models import (
    KeyTask,
    KeyTaskState,
    Receiver,
    ReceiverKind,
    ReceiverState,
    SentDownTask,
    TaskList,
)
from tests.conftest import make_place, make_user

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
Q2 = Period.quarter(2026, 2)
_n = itertools.count(1)
D = dt.date


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def _list(place, user, tasks):
    tl = TaskList.objects.create(
        place=place, place_path=place.path, title=f"清单{next(_n)}", period="2026", created_by=user
    )
    for number, (due, state, done_at) in enumerate(tasks, start=1):
        KeyTask.objects.create(
            task_list=tl, place_path=place.path, number=number, title=f"任务{number}",
            due_on=due, state=state, done_at=done_at,
            verified_at=done_at if state == KeyTaskState.VERIFIED else None,
        )  # fmt: skip
    return tl


def _sent(street, user, due, receivers):
    task = SentDownTask.objects.create(
        place=street, place_path=street.path, title=f"表单{next(_n)}", due_on=due,
        receiver_kind=ReceiverKind.COMMUNITY, sent_by=user,
    )  # fmt: skip
    for place, state, late in receivers:
        Receiver.objects.create(
            task=task, place=place, place_path=place.path, state=state, late=late,
            submitted_at=at(5, 1) if state != ReceiverState.PENDING else None,
        )  # fmt: skip
    return task


OPEN, DONE, VER = KeyTaskState.OPEN, KeyTaskState.DONE, KeyTaskState.VERIFIED
PEND, SUB, REOP = ReceiverState.PENDING, ReceiverState.SUBMITTED, ReceiverState.REOPENED


@pytest.fixture
def tasks(world):
    clock.set_now(at(6, 15))
    a1, a2, street = world.community_a1, world.community_a2, world.street_a
    officer = make_user(Role.STREET_OFFICER, street)
    _list(a1, officer, [
        (D(2026, 4, 10), DONE, at(4, 10, 23, 30)),
        (D(2026, 5, 1), VER, at(5, 3)),
        (D(2026, 5, 20), OPEN, None),
        (D(2026, 6, 30), OPEN, None),
        (D(2026, 3, 1), DONE, at(2, 27)),
    ])  # fmt: skip
    _list(street, officer, [(D(2026, 4, 5), DONE, at(4, 1))])
    _sent(street, officer, D(2026, 5, 10), [(a1, SUB, False), (a2, SUB, True)])
    _sent(street, officer, D(2026, 6, 30), [(a1, PEND, False), (a2, SUB, False)])
    _sent(street, officer, D(2026, 5, 20), [(a1, PEND, False), (a2, REOP, False)])
    _sent(street, officer, D(2026, 2, 1), [(a1, PEND, False)])
    yield world
    clock.set_now(None)


def _values(code, places, period=Q2):
    return {pk: v.value for pk, v in indicators.compute([code], places, period)[code].items()}


def test_key_tasks_done_on_time_and_overdue(tasks):
    a1, a2, street = tasks.community_a1, tasks.community_a2, tasks.street_a
    assert _values("keytasks.done_on_time", [a1, a2]) == {a1.pk: Decimal("25.00"), a2.pk: None}
    assert _values("keytasks.overdue", [a1, a2]) == {a1.pk: 2, a2.pk: None}
    assert _values("keytasks.done_on_time", [street]) == {street.pk: Decimal("100.00")}
    assert _values("keytasks.overdue", [street]) == {street.pk: 0}


def test_forms_filled_on_time(tasks):
    a1, a2, b1 = tasks.community_a1, tasks.community_a2, tasks.community_b1
    got = _values("keytasks.forms_on_time", [a1, a2, b1])
    assert got == {a1.pk: Decimal("50.00"), a2.pk: Decimal("33.33"), b1.pk: None}


def test_other_periods_do_not_count(tasks):
    a1 = tasks.community_a1
    q1 = Period.quarter(2026, 1)
    assert _values("keytasks.done_on_time", [a1], q1) == {a1.pk: Decimal("100.00")}
    assert _values("keytasks.overdue", [a1], q1) == {a1.pk: 0}
    assert _values("keytasks.forms_on_time", [a1], q1) == {a1.pk: Decimal("0.00")}
    # The year: k1–k5 (2 in time of 5); forms f1–f4 (1 in time of 3 counted).
    year = Period.year(2026)
    assert _values("keytasks.done_on_time", [a1], year) == {a1.pk: Decimal("40.00")}
    assert _values("keytasks.forms_on_time", [a1], year) == {a1.pk: Decimal("33.33")}


def test_bounded_queries_for_many_communities(tasks, django_assert_max_num_queries):
    officer = make_user(Role.STREET_OFFICER, tasks.street_b)
    communities = [make_place(tasks.street_b, "community", f"社区{i}", f"C{i}") for i in range(12)]
    for c in communities:
        _list(c, officer, [(D(2026, 4, 1), DONE, at(3, 30))])
    _sent(tasks.street_b, officer, D(2026, 4, 1), [(c, SUB, False) for c in communities])
    for code in ("keytasks.done_on_time", "keytasks.overdue", "keytasks.forms_on_time"):
        with django_assert_max_num_queries(1):
            got = _values(code, communities)
        assert len(got) == 12 and len(set(got.values())) == 1, code
