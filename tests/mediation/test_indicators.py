"""The mediation indicators (gongzhi/mediation/indicators.py) on cases driven through the
services, as in test_stats.py; "today" is 2026-06-01, the period the year 2026.

Opened by A1's committee in 2026: kept (agreed), failed (no agreement), withdrawn, up (referred
up to the street, agreed there: its latest outcome is an agreement), broken (agreed, found broken:
reopened, pending), pending (just opened) → success 2 / (2 + 1) = 66.67; referred up: 1.
Opened in 2025 and agreed: another period. A2 has a committee and no case: no success rate (no
data), 0 referred up. B1 has no committee: no data for either.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core import clock, indicators
from gongzhi.core.indicators import Period
from gongzhi.mediation import services
from gongzhi.mediation.models import Committee, Level, ReferralKind
from tests.conftest import make_place

from .conftest import open_case

pytestmark = pytest.mark.django_db
YEAR = Period.year(2026)


def _agree(case, actor):
    services.record_agreement(case, actor=actor, signed_on=clock.today(), terms="条款", text="协议")


def _committee(place):
    return Committee.objects.create(
        place=place,
        level=Level.COMMUNITY,
        name=f"{place.name}人民调解委员会",
        place_path=place.path,
    )


@pytest.fixture
def cases(mw):
    w = mw.worker
    with clock.travel_to(dt.datetime(2025, 11, 3, 9, 0)):
        _agree(services.start(open_case(mw, title="去年"), actor=w), w)
    _agree(services.start(open_case(mw, title="甲"), actor=w), w)
    failed = services.start(open_case(mw, title="乙"), actor=w)
    services.record_no_agreement(failed, actor=w, referral=ReferralKind.COURT, note="诉调对接")
    services.withdraw(open_case(mw, title="丙"), actor=w, note="撤回")
    up = services.refer_up(services.start(open_case(mw, title="丁"), actor=w), actor=w, note="上交")
    _agree(services.start(up, actor=mw.street), mw.street)
    broken = services.start(open_case(mw, title="戊"), actor=w)
    _agree(broken, w)
    services.follow_up(broken, actor=w, visited_on=clock.today(), kept=False, note="未履行")
    open_case(mw, title="己")
    _committee(mw.world.community_a2)
    return mw.world


def _values(code, places, period=YEAR):
    return {pk: v.value for pk, v in indicators.compute([code], places, period)[code].items()}


def test_success_rate_equals_the_hand_computation(cases):
    a1, a2, b1 = cases.community_a1, cases.community_a2, cases.community_b1
    got = _values("mediation.success_rate", [a1, a2, b1])
    assert got == {a1.pk: Decimal("66.67"), a2.pk: None, b1.pk: None}
    value = indicators.compute(["mediation.success_rate"], [a1], YEAR)["mediation.success_rate"]
    assert (value[a1.pk].numerator, value[a1.pk].denominator) == (2, 3)


def test_referred_up_counts_and_no_committee_is_no_data(cases):
    a1, a2, b1 = cases.community_a1, cases.community_a2, cases.community_b1
    assert _values("mediation.referred_up", [a1, a2, b1]) == {a1.pk: 1, a2.pk: 0, b1.pk: None}


def test_other_periods_do_not_count(cases):
    a1 = cases.community_a1
    assert _values("mediation.success_rate", [a1], Period.year(2025)) == {a1.pk: Decimal("100.00")}
    assert _values("mediation.referred_up", [a1], Period.year(2025)) == {a1.pk: 0}
    assert _values("mediation.success_rate", [a1], Period.quarter(2026, 1)) == {a1.pk: None}


def test_bounded_queries_for_many_communities(cases, django_assert_max_num_queries):
    communities = [
        _committee(make_place(cases.street_b, "community", f"社区{i}", f"C{i}")).place
        for i in range(12)
    ]
    places = [cases.community_a1, *communities]
    with django_assert_max_num_queries(1):
        success = _values("mediation.success_rate", places)
    with django_assert_max_num_queries(2):
        referred = _values("mediation.referred_up", places)
    assert success[cases.community_a1.pk] == Decimal("66.67")
    assert referred[cases.community_a1.pk] == 1
    assert all(referred[c.pk] == 0 and success[c.pk] is None for c in communities)
