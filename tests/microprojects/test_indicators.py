"""The micro-project indicator `microprojects.completion` (gongzhi/microprojects/indicators.py)
on hand-made rounds; the period is the year 2026.

A1's 2026 round, selected 2026-04-01: p1 completed, p2 in progress, p3 not started, p4 not
selected (skipped) → 1/3 = 33.33. A1's 2025 round (selected 2025-05-01): one completed project,
another year. A2's 2026 round, selected 2026-12-31 23:30 local: p5, p6 completed → 2/2 = 100.00.
B1's 2026 round is still voting (not selected): no data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal

import pytest

from gongzhi.core import indicators
from gongzhi.core.indicators import Period
from gongzhi.microprojects.models import Phase, Progress, Project, Round, Selection
from tests.conftest import make_place

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
CODE = "microprojects.completion"
YEAR = Period.year(2026)
_n = itertools.count(1)


def _round(community, year, selected_at, projects):
    rnd = Round.objects.create(
        community=community, place_path=community.path, year=year, budget_yuan=Decimal(10000),
        phase=Phase.SELECTED if selected_at else Phase.VOTING, selected_at=selected_at,
    )  # fmt: skip
    for selection, progress in projects:
        Project.objects.create(
            round=rnd, place_path=community.path, title=f"项目{next(_n)}", description="x",
            proposer_name="居民", proposed_cost=Decimal(100), cost=Decimal(100),
            selection=selection, progress=progress,
        )  # fmt: skip
    return rnd


S, K = Selection.SELECTED, Selection.SKIPPED


@pytest.fixture
def rounds(world):
    a1, a2, b1 = world.community_a1, world.community_a2, world.community_b1
    _round(a1, 2026, dt.datetime(2026, 4, 1, 10, tzinfo=SH),
           [(S, Progress.COMPLETED), (S, Progress.IN_PROGRESS), (S, Progress.NOT_STARTED),
            (K, Progress.NOT_STARTED)])  # fmt: skip
    _round(a1, 2025, dt.datetime(2025, 5, 1, 10, tzinfo=SH), [(S, Progress.COMPLETED)])
    _round(a2, 2026, dt.datetime(2026, 12, 31, 23, 30, tzinfo=SH),
           [(S, Progress.COMPLETED), (S, Progress.COMPLETED)])  # fmt: skip
    _round(b1, 2026, None, [(S, Progress.NOT_STARTED)])
    return world


def _values(places, period=YEAR):
    return {pk: v.value for pk, v in indicators.compute([CODE], places, period)[CODE].items()}


def test_completion_equals_the_hand_computation(rounds):
    a1, a2, b1 = rounds.community_a1, rounds.community_a2, rounds.community_b1
    assert _values([a1, a2, b1]) == {a1.pk: Decimal("33.33"), a2.pk: Decimal("100.00"),
                                     b1.pk: None}  # fmt: skip
    value = indicators.compute([CODE], [a1], YEAR)[CODE][a1.pk]
    assert (value.numerator, value.denominator) == (1, 3)


def test_rounds_of_another_period_do_not_count(rounds):
    a1, a2 = rounds.community_a1, rounds.community_a2
    assert _values([a1, a2], Period.year(2025)) == {a1.pk: Decimal("100.00"), a2.pk: None}
    assert _values([a1, a2], Period.quarter(2026, 2)) == {a1.pk: Decimal("33.33"), a2.pk: None}


def test_other_kinds_of_place_have_no_data(rounds):
    assert _values([rounds.street_a]) == {rounds.street_a.pk: None}


def test_bounded_queries_for_many_communities(world, django_assert_max_num_queries):
    communities = [make_place(world.street_a, "community", f"社区{i}", f"C{i}") for i in range(12)]
    for c in communities:
        _round(c, 2026, dt.datetime(2026, 3, 1, tzinfo=SH), [(S, Progress.COMPLETED)])
    with django_assert_max_num_queries(1):
        got = _values(communities)
    assert set(got.values()) == {Decimal("100.00")} and len(got) == 12
