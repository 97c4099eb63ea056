"""The figures of docs/mediation.md against a hand-made set of cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gongzhi.core import clock
from gongzhi.mediation import services, stats
from gongzhi.mediation.models import ReferralKind

from .conftest import open_case

pytestmark = pytest.mark.django_db


def _agree(case, actor):
    services.record_agreement(
        case, actor=actor, signed_on=clock.today(), terms="条款", text="协议全文"
    )


def test_figures_by_month_and_committee(mw):
    w = mw.worker
    kept = services.start(open_case(mw, title="甲"), actor=w)
    _agree(kept, w)
    services.follow_up(kept, actor=w, visited_on=clock.today())
    failed = services.start(open_case(mw, title="乙"), actor=w)
    services.record_no_agreement(failed, actor=w, referral=ReferralKind.COURT, note="诉调对接")
    services.withdraw(open_case(mw, title="丙"), actor=w, note="撤回")
    up = services.refer_up(services.start(open_case(mw, title="丁"), actor=w), actor=w, note="上交")
    _agree(services.start(up, actor=mw.street), mw.street)  # agreed at the street, unvisited
    broken = services.start(open_case(mw, title="戊"), actor=w)
    _agree(broken, w)
    services.follow_up(broken, actor=w, visited_on=clock.today(), kept=False, note="未履行")
    open_case(mw, title="己")
    with clock.travel_to(dt.datetime(2026, 7, 3, 9, 0)):
        open_case(mw, title="庚")

    rows = stats.figures(mw.street, 2026)
    june, july, total = rows
    name = mw.committee.name
    assert (june.committee, june.month, july.month, total.month) == (name, 6, 7, 0)
    assert (june.opened, june.agreed, june.no_agreement, june.withdrawn, june.pending) == (
        6,
        2,
        1,
        1,
        2,
    )
    assert june.success_rate == Decimal("66.7")
    assert june.community_share == Decimal("33.3")  # the street's agreement does not count
    assert (june.agreements_checked, june.agreements_kept, june.kept_rate) == (
        2,
        1,
        Decimal("50.0"),
    )
    assert (july.opened, july.pending, july.success_rate) == (1, 1, None)
    assert (total.opened, total.pending) == (7, 3)
    # The neighbouring community's worker knows of none of these cases.
    assert stats.figures(mw.worker_a2, 2026) == []
    assert stats.figures(mw.street, 2025) == []
