"""The estates' indicator `estates.committee_compliance` (gongzhi/estates/indicators.py) on
hand-made owners' committees under the test profile of conftest.py (member share 50%, the chair a
party member); the period is the year 2025, judged on 2025-12-31.

A1: C1 (4 members: 2 party members, the chair one of them) meets it; C2 (a party member as chair and two others;
a second party member left in June 2025: 1 of 3) does not → 1/2 = 50.00 (in the first quarter,
before that member left, C2 met it: 2 of 4).
A2: C3's term starts in 2026 → no committee counted in 2025 (no data); in 2026 it has 2 party
members of 4 but a chair who is not one → 0/1 = 0.00.
B1: C4 under a profile that sets no share → the rule does not apply: no data.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from gongzhi.core import indicators
from gongzhi.core.indicators import Period
from gongzhi.estates.models import OwnersCommittee, Term, TermMember
from tests.conftest import make_place

from .conftest import party_member, resident

CODE = "estates.committee_compliance"
YEAR = Period.year(2025)
_n = itertools.count(1)
D = dt.date


def _committee(estate, community, starts, members):
    committee = OwnersCommittee.objects.create(
        estate=estate, community=community, name=f"业委会{next(_n)}", place_path=estate.path
    )
    term = Term.objects.create(
        committee=committee, number=1, starts_on=starts, ends_on=D(starts.year + 5, 1, 1),
        seats=len(members), place_path=estate.path,
    )  # fmt: skip
    for person, chair, left in members:
        TermMember.objects.create(term=term, resident=person, is_chair=chair, left_on=left)
    return committee


@pytest.fixture
def data(ew):
    w = ew.world
    p, o = ew.party, ew.others  # four party members, six others
    extra = resident(ew.others[0].household)
    party_member(extra, ew.org)
    _committee(ew.estate, w.community_a1, D(2024, 1, 1),
               [(p[0], True, None), (p[1], False, None), (o[0], False, None),
                (o[1], False, None)])  # fmt: skip
    _committee(ew.other_estate, w.community_a1, D(2024, 1, 1),
               [(p[2], True, None), (o[2], False, None), (o[3], False, None),
                (extra, False, D(2025, 6, 1))])  # fmt: skip
    _committee(w.grid_a2_1.estate, w.community_a2, D(2026, 1, 1),
               [(p[3], False, None), (extra, False, None), (o[5], True, None),
                (o[0], False, None)])  # fmt: skip
    w.street_b.policy_profile = "no-keys"
    w.street_b.save()
    _committee(w.grid_b1_1.estate, w.community_b1, D(2024, 1, 1), [(p[0], True, None)])
    return w


def _values(places, period=YEAR):
    return {pk: v.value for pk, v in indicators.compute([CODE], places, period)[CODE].items()}


def test_compliance_equals_the_hand_computation(data):
    a1, a2, b1 = data.community_a1, data.community_a2, data.community_b1
    assert _values([a1, a2, b1]) == {a1.pk: Decimal("50.00"), a2.pk: None, b1.pk: None}
    value = indicators.compute([CODE], [a1], YEAR)[CODE][a1.pk]
    assert (value.numerator, value.denominator) == (1, 2)


def test_the_periods_last_day_decides(data):
    a1, a2 = data.community_a1, data.community_a2
    # 2026: C3 runs, its chair is not a party member.
    assert _values([a1, a2], Period.year(2026)) == {a1.pk: Decimal("50.00"), a2.pk: Decimal("0.00")}
    # The first quarter of 2025: the second party member had not yet left C2 (2 of 4: 50%).
    assert _values([a1], Period.quarter(2025, 1)) == {a1.pk: Decimal("100.00")}
    # 2023: no term had started yet.
    assert _values([a1], Period.year(2023)) == {a1.pk: None}


def test_bounded_queries_for_many_communities(data, ew, django_assert_max_num_queries):
    communities = []
    for i in range(12):
        c = make_place(data.street_a, "community", f"社区{i}", f"C{i}")
        grid = make_place(c, "grid", "网格", "G1")
        estate = make_place(grid, "estate", "小区", "E1")
        _committee(estate, c, D(2024, 1, 1), [(ew.party[i % 4], True, None)])
        communities.append(c)
    with django_assert_max_num_queries(4):
        got = _values(communities)
    assert set(got.values()) == {Decimal("100.00")} and len(got) == 12
