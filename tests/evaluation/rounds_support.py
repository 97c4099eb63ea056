"""Assessment round fixtures on `world`: throwaway indicators registered for the test (so the
tests depend on no app's real indicators), a small index system returned by `system.load`,
a street officer of street A (the assessor), the staff of communities A1 and A2, a worker of
B1 (another street), a district officer, a grid worker and a resident.

The hand computation of the fixture's figures (street A's round, year 2025):
- ev.rate (minmax, weight 60): A1 80 %, A2 60 % → normalised 100 / 0 → 60 / 0 points;
- ev.count (banded ≥10 → 100, ≥5 → 60, ≥0 → 20; weight 40): A1 12 → 40, A2 6 → 24 points;
- ev.incidents (veto when > 0): none. Totals A1 100.00, A2 24.00; ranks 1, 2.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core import indicators as ind
from gongzhi.core.indicators import Direction, Indicator, Period, Value
from gongzhi.core.roles import Role
from gongzhi.evaluation import services
from gongzhi.evaluation import system as systems
from gongzhi.evaluation.models import Round
from tests.conftest import make_user

TODAY = dt.datetime(2026, 3, 2, 10, 0)
YEAR = Period.year(2025)
# {code: {place id: Value}}, filled per test; the throwaway indicators read it.
FIGURES: dict[str, dict[int, Value]] = {}


def _reader(code: str):
    def compute(places, period):
        return {p.pk: v for p, v in ((p, FIGURES.get(code, {}).get(p.pk)) for p in places) if v}

    return compute


INDICATORS = (
    Indicator(
        code="ev.rate",
        name="测试办结率",
        unit="%",
        direction=Direction.HIGHER,
        definition="测试用：办结件数占受理件数的比例。",
        compute=_reader("ev.rate"),
        source=lambda place, period: f"/tickets/?place={place.pk}",
    ),
    Indicator(
        code="ev.count",
        name="测试社会组织数",
        unit="个",
        direction=Direction.HIGHER,
        definition="测试用：登记的社会组织个数。",
        compute=_reader("ev.count"),
    ),
    Indicator(
        code="ev.incidents",
        name="测试重大事故数",
        unit="起",
        direction=Direction.LOWER,
        definition="测试用：重大安全事故起数。",
        compute=_reader("ev.incidents"),
    ),
)

SYSTEM = systems.System(
    dimensions=(systems.Dimension("service", "为民服务"), systems.Dimension("org", "组织建设")),
    indicators=(
        systems.IndicatorRule("ev.rate", "service", D("60"), "minmax"),
        systems.IndicatorRule(
            "ev.count",
            "org",
            D("40"),
            "banded",
            bands=((D("10"), D("100")), (D("5"), D("60")), (D("0"), D("20"))),
        ),
    ),
    bonus_items=(
        systems.BonusItem("award", "获市级以上表彰", D("3")),
        systems.BonusItem("model", "获评示范社区", D("4")),
    ),
    bonus_cap=D("5"),
    veto_items=(
        systems.VetoItem("incident", "发生重大安全事故", indicator="ev.incidents", above=D("0")),
        systems.VetoItem("safety", "发生重大安全责任事件"),
    ),
    grades=(
        systems.Grade(D("90"), "优秀"),
        systems.Grade(D("60"), "合格"),
        systems.Grade(D("0"), "不合格"),
    ),
    source="测试体系",
)


@pytest.fixture
def ev(world, monkeypatch):
    yield from setup(world, monkeypatch)


def setup(world, monkeypatch):
    """The fixture's body, for test folders outside tests/evaluation (the browser journey)."""
    clock.set_now(TODAY)
    ind.register(*INDICATORS)
    monkeypatch.setattr(systems, "load", lambda place, period: SYSTEM)
    FIGURES.clear()
    w = world
    FIGURES.update(
        {
            "ev.rate": {
                w.community_a1.pk: Value.share(8, 10),
                w.community_a2.pk: Value.share(6, 10),
                w.community_b1.pk: Value.share(7, 10),
            },
            "ev.count": {
                w.community_a1.pk: Value.count(12),
                w.community_a2.pk: Value.count(6),
                w.community_b1.pk: Value.count(3),
            },
            "ev.incidents": {
                w.community_a1.pk: Value.count(0),
                w.community_a2.pk: Value.count(0),
                w.community_b1.pk: Value.count(0),
            },
        }
    )
    yield SimpleNamespace(
        world=w,
        street=make_user(Role.STREET_OFFICER, w.street_a, name="珞南街道考核员"),
        street_b=make_user(Role.STREET_OFFICER, w.street_b, name="关山街道干部"),
        district=make_user(Role.DISTRICT_OFFICER, w.district, name="区考核办"),
        secretary_a1=make_user(Role.COMMUNITY_SECRETARY, w.community_a1, name="一社区书记"),
        worker_a1=make_user(Role.COMMUNITY_WORKER, w.community_a1, name="一社区干事"),
        worker_a2=make_user(Role.COMMUNITY_WORKER, w.community_a2, name="二社区干事"),
        worker_b1=make_user(Role.COMMUNITY_WORKER, w.community_b1, name="关山社区干事"),
        grid_a1=make_user(Role.GRID_WORKER, w.grid_a1_1, name="网格员"),
    )
    FIGURES.clear()
    for indicator in INDICATORS:
        ind.unregister(indicator.code)


def open_street_round(ev, **extra) -> Round:
    values = {"place": ev.world.street_a, "period": YEAR, "title": "2025年度社区治理考核"}
    values.update(extra)
    rnd = services.open_round(actor=ev.street, **values)
    rnd.refresh_from_db()
    return rnd


def score_of(rnd: Round, place):
    return rnd.scores.get(place=place)


def part_of(rnd: Round, place, code: str):
    return score_of(rnd, place).parts.get(indicator=code)
