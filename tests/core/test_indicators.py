"""The indicator registry (core/indicators.py, issue 21) and what every registered indicator
must carry: a Chinese name, a definition, levels, an entry in docs/evaluation.md, and no query
for an empty list of places."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from gongzhi.core import indicators
from gongzhi.core.indicators import Direction, Indicator, Period, PeriodKind, Value


def _compute(places, period):
    return {p.pk: Value.count(7) for p in places}


def _other(places, period):
    return {}


@pytest.fixture
def throwaway():
    made = Indicator(
        code="testapp.sample",
        name="样例",
        unit="个",
        direction=Direction.HIGHER,
        definition="A sample.",
        compute=_compute,
    )
    indicators.register(made)
    yield made
    indicators.unregister("testapp.sample")


def test_register_get_and_fill_app(throwaway):
    assert indicators.get("testapp.sample") is throwaway
    assert throwaway.app == "testapp"
    assert throwaway in indicators.registered("community", PeriodKind.YEAR)
    assert throwaway not in indicators.registered("grid")
    assert throwaway not in indicators.registered(period=PeriodKind.MONTH)
    indicators.register(throwaway)  # the same object again (a reloaded app): harmless


def test_register_twice_with_another_definition_is_refused(throwaway):
    clash = Indicator(
        code="testapp.sample",
        name="x",
        unit="个",
        direction=Direction.LOWER,
        definition="x",
        compute=_other,
    )
    with pytest.raises(ValueError, match="registered twice"):
        indicators.register(clash)
    assert indicators.get("testapp.sample") is throwaway


def test_a_code_needs_the_app_label():
    bad = Indicator(
        code="nodot", name="x", unit="个", direction=Direction.HIGHER, definition="x",
        compute=_other,
    )  # fmt: skip
    with pytest.raises(ValueError, match="app label"):
        indicators.register(bad)
    assert indicators.get("nodot") is None


def test_unknown_code_raises_and_missing_place_is_no_data(throwaway, world):
    with pytest.raises(KeyError):
        indicators.compute(["testapp.nothing"], [world.community_a1], Period.year(2026))
    out = indicators.compute(["testapp.sample"], [world.community_a1], Period.year(2026))
    assert out["testapp.sample"][world.community_a1.pk] == Value(Decimal(7))


def test_periods():
    year = Period.year(2026)
    assert (year.start, year.end, year.label) == (
        dt.date(2026, 1, 1),
        dt.date(2027, 1, 1),
        "2026年",
    )
    q4 = Period.quarter(2026, 4)
    assert (q4.start, q4.end, q4.label) == (
        dt.date(2026, 10, 1),
        dt.date(2027, 1, 1),
        "2026年第4季度",
    )
    q1 = Period.quarter(2026, 1)
    assert q1.end == dt.date(2026, 4, 1) and q1.contains(dt.date(2026, 3, 31))
    assert not q1.contains(dt.date(2026, 4, 1))
    assert Period.month(2026, 12).end == dt.date(2027, 1, 1)
    with pytest.raises(ValueError):
        Period.quarter(2026, 5)


def test_share_rounds_half_up_and_keeps_its_counts():
    v = Value.share(1, 3)
    assert v.value == Decimal("33.33") and (v.numerator, v.denominator) == (1, 3)
    assert Value.share(1, 8).value == Decimal("12.50")
    assert Value.share(1, 200).value == Decimal("0.50")
    assert Value.share(2, 3, percent=False).value == Decimal("0.67")


def test_share_without_a_denominator_is_no_data_not_zero():
    v = Value.share(0, 0)
    assert v.value is None and v.denominator == 0
    assert Value.count(0).value == Decimal(0)


def _ours():
    return [i for i in indicators.registered() if not i.code.startswith("testapp.")]


def test_every_app_registers_its_indicators():
    codes = {i.code for i in _ours()}
    for code in (
        "tickets.response_rate",
        "tickets.resolution_rate",
        "tickets.satisfaction_rate",
        "tickets.on_time_rate",
        "tickets.grid_share",
        "tickets.overdue",
        "volunteering.volunteer_share",
        "volunteering.active_volunteers",
        "estates.committee_compliance",
        "workforce.certified_share",
        "keytasks.done_on_time",
        "keytasks.overdue",
        "keytasks.forms_on_time",
        "mediation.success_rate",
        "mediation.referred_up",
        "organisations.registered",
        "microprojects.completion",
    ):
        assert code in codes


def test_every_indicator_is_named_in_chinese_defined_and_has_levels():
    with translation.override("zh-hans"):
        for ind in _ours():
            name, definition = str(ind.name), str(ind.definition)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in name), (ind.code, name)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in definition), (ind.code, definition)
            assert ind.levels and ind.periods and ind.unit, ind.code
            assert isinstance(ind.direction, Direction)


def test_every_indicator_computes_for_no_place_without_a_query(db, django_assert_num_queries):
    for ind in _ours():
        with django_assert_num_queries(0):
            assert ind.compute([], Period.year(2026)) == {}, ind.code


def test_every_indicator_is_in_docs_evaluation():
    text = (Path(settings.BASE_DIR) / "docs" / "evaluation.md").read_text(encoding="utf-8")
    section = text.split("<!-- indicators:begin -->", 1)[1].split("<!-- indicators:end -->", 1)[0]
    for ind in _ours():
        assert f"`{ind.code}`" in section, ind.code


def test_a_session_computes_a_memo_key_once_and_nothing_outlives_it():
    calls = []

    def count():
        calls.append(1)
        return len(calls)

    assert indicators.memo("k", count) == 1  # outside a session: every time
    assert indicators.memo("k", count) == 2
    with indicators.session():
        assert indicators.memo("k", count) == 3
        assert indicators.memo("k", count) == 3
        with indicators.session():  # nested: the same session
            assert indicators.memo("k", count) == 3
        assert indicators.memo("other", count) == 4
    assert indicators.memo("k", count) == 5


def test_the_ticket_indicators_of_a_round_read_the_tickets_once(
    world, db, django_assert_max_num_queries
):
    """Six ticket indicators asked one by one in a session (as a round asks them) share one
    aggregate query (on PostgreSQL wrapped in a savepoint that turns JIT off)."""
    names = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate")
    codes = [f"tickets.{name}" for name in (*names, "grid_share", "overdue")]
    places = [world.community_a1]
    with django_assert_max_num_queries(4) as captured, indicators.session():
        for code in codes:
            indicators.compute([code], places, Period.year(2026))
    reads = [q["sql"] for q in captured.captured_queries if "tickets_ticket" in q["sql"]]
    assert len(reads) == 1
