"""The index engine: a hand-made data set scored exactly as computed by hand (target, min-max
and banded normalisation, a missing value, an automatic and a manual bonus capped, an automatic
veto), direction-aware normalisation, and ranks with ties."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.utils import translation

from gongzhi.core import indicators
from gongzhi.core.indicators import Direction, Indicator, Value
from gongzhi.evaluation import engine
from gongzhi.evaluation.engine import Manual
from gongzhi.evaluation.system import (
    BonusItem,
    Dimension,
    Grade,
    IndicatorRule,
    System,
    VetoItem,
)

CODES = {
    "evaltest.rate": Direction.HIGHER,
    "evaltest.slow": Direction.LOWER,
    "evaltest.count": Direction.HIGHER,
    "evaltest.incidents": Direction.LOWER,
    "evaltest.star": Direction.HIGHER,
}


@pytest.fixture(autouse=True)
def throwaway_indicators():
    made = [
        Indicator(code, code, "%", direction, "test", compute=lambda places, period: {})
        for code, direction in CODES.items()
    ]
    indicators.register(*made)
    yield
    for code in CODES:
        indicators.unregister(code)


def hand_system() -> System:
    return System(
        dimensions=(Dimension("a", "服务"), Dimension("b", "治理")),
        indicators=(
            IndicatorRule("evaltest.rate", "a", D(50), "target", target=D(90), floor=D(50)),
            IndicatorRule("evaltest.slow", "b", D(30), "minmax"),
            IndicatorRule(
                "evaltest.count",
                "b",
                D(20),
                "banded",
                bands=((D(10), D(100)), (D(5), D(60)), (D(1), D(20))),
            ),
        ),
        bonus_items=(
            BonusItem("star", "星级", D(3), indicator="evaltest.star", at_least=D(80)),
            BonusItem("award", "获奖", D(4)),
        ),
        bonus_cap=D(5),
        veto_items=(
            VetoItem("incident", "重大事故", indicator="evaltest.incidents", above=D(0)),
            VetoItem("fraud", "弄虚作假"),
        ),
        grades=(
            Grade(D(90), "优秀"),
            Grade(D(75), "良好"),
            Grade(D(60), "合格"),
            Grade(D(0), "不合格"),
        ),
        source="test",
    )


VALUES = {
    "evaltest.rate": {
        1: Value(D(90), D(90), D(100)),
        2: Value(D(70)),
        3: Value(None),
        4: Value(D("63.33")),
    },
    "evaltest.slow": {1: Value(D(2)), 2: Value(D(5)), 3: Value(D(8))},  # 4: left out
    "evaltest.count": {1: Value(D(12)), 2: Value(D(5)), 3: Value(D(3)), 4: Value(D(0))},
    "evaltest.incidents": {1: Value(D(0)), 2: Value(D(1)), 3: Value(D(0)), 4: Value(None)},
    "evaltest.star": {1: Value(D(85)), 2: Value(D(90)), 4: Value(D("79.99"))},
}


def points(result):
    return {p.indicator.split(".")[1]: (p.normalised, p.points) for p in result.parts}


def test_index_on_a_hand_made_data_set_equals_the_hand_computation():
    manual = {1: [Manual("bonus", "award", "获市级表彰")]}
    with translation.override("zh-hans"):
        results = engine.score(hand_system(), VALUES, [1, 2, 3, 4], manual)

    # 1: rate 90 reaches the target: 100 → 50; slow 2 is the lowest (best): 100 → 30;
    # count 12 ≥ 10: 100 → 20. Bonus: star 85 ≥ 80 (+3) and the award (+4) = 7, capped at 5.
    one = results[1]
    assert points(one) == {
        "rate": (D("100.00"), D("50.00")),
        "slow": (D("100.00"), D("30.00")),
        "count": (D("100.00"), D("20.00")),
    }
    assert (one.base, one.bonus, one.total, one.grade) == (D("100.00"), D(5), D("105.00"), "优秀")
    assert not one.vetoed
    assert one.bonus_reasons[0].startswith("星级（+3）") and "获市级表彰" in one.bonus_reasons[1]
    assert "上限" in one.bonus_reasons[2]

    # 2: rate (70-50)/(90-50) = 50 → 25; slow (8-5)/(8-2) = 50 → 15; count 5: band 60 → 12;
    # base 52. One incident > 0: vetoed, total 0, base and bonus kept, the reason shown.
    two = results[2]
    assert points(two) == {
        "rate": (D("50.00"), D("25.00")),
        "slow": (D("50.00"), D("15.00")),
        "count": (D("60.00"), D("12.00")),
    }
    assert two.vetoed and two.total == D("0.00") and two.base == D("52.00")
    assert two.bonus == D(3)  # star 90 ≥ 80, kept beside the veto
    assert two.veto_reasons == ("重大事故：1 > 0",)
    assert two.grade == "不合格"

    # 3: no rate: 0 and "无数据"; slow 8 is the worst: 0; count 3: band 20 → 4. Base 4.
    three = results[3]
    assert points(three) == {
        "rate": (D("0.00"), D("0.00")),
        "slow": (D("0.00"), D("0.00")),
        "count": (D("20.00"), D("4.00")),
    }
    assert three.parts[0].note == "无数据" and three.parts[0].value == Value(None)
    assert (three.base, three.bonus, three.total) == (D("4.00"), D(0), D("4.00"))

    # 4: rate (63.33-50)/40 = 33.325 → 33.33 (half up) → 33.33 × 50 / 100 = 16.665 → 16.67;
    # slow missing (and not a peer of the min-max); count 0 below every band: 0.
    four = results[4]
    assert points(four) == {
        "rate": (D("33.33"), D("16.67")),
        "slow": (D("0.00"), D("0.00")),
        "count": (D("0.00"), D("0.00")),
    }
    assert four.parts[1].note == "无数据"
    assert (four.base, four.bonus, four.total, four.vetoed) == (D("16.67"), D(0), D("16.67"), False)
    assert four.bonus_reasons == ()  # 79.99 < 80

    # The parts keep the raw value with its counts.
    assert one.parts[0].value == Value(D(90), D(90), D(100))
    assert one.parts[0].weight == D(50) and one.parts[0].dimension == "a"


def test_a_manual_veto_sets_the_total_to_zero_with_its_reason():
    manual = {1: [Manual("veto", "fraud", "台账造假")]}
    with translation.override("zh-hans"):
        result = engine.score(hand_system(), VALUES, [1], manual)[1]
    assert result.vetoed and result.total == 0 and result.base == D("100.00")
    assert result.veto_reasons == ("弄虚作假：台账造假",)


def test_an_unknown_or_automatic_item_recorded_by_hand_is_refused():
    with pytest.raises(ValueError):
        engine.score(hand_system(), VALUES, [1], {1: [Manual("bonus", "nope", "x")]})
    with pytest.raises(ValueError):  # "star" is automatic: the engine decides it
        engine.score(hand_system(), VALUES, [1], {1: [Manual("bonus", "star", "x")]})
    with pytest.raises(ValueError):
        engine.score(hand_system(), VALUES, [1], {1: [Manual("veto", "award", "x")]})


def test_min_max_peers_all_equal_score_100_and_higher_is_better_is_respected():
    system = hand_system()
    rule = IndicatorRule("evaltest.count", "b", D(20), "minmax")
    assert engine.normalise(rule, D(7), Direction.HIGHER, [D(7), D(7)]) == D(100)
    assert engine.normalise(rule, D(7), Direction.HIGHER, [D(2), D(7), D(12)]) == D(50)
    assert engine.normalise(rule, D(12), Direction.LOWER, [D(2), D(7), D(12)]) == D(0)
    # A lone place (its own only peer) scores 100.
    values = {"evaltest.slow": {5: Value(D(3))}}
    assert engine.score(system, values, [5])[5].parts[1].normalised == D(100)


def test_target_normalisation_is_direction_aware_and_clamped():
    lower = IndicatorRule("evaltest.slow", "b", D(30), "target", target=D(2), floor=D(10))
    assert engine.normalise(lower, D(4), Direction.LOWER) == D(75)
    assert engine.normalise(lower, D(1), Direction.LOWER) == D(100)
    assert engine.normalise(lower, D(12), Direction.LOWER) == D(0)
    higher = IndicatorRule("evaltest.rate", "a", D(50), "target", target=D(90), floor=D(50))
    assert engine.normalise(higher, D(95), Direction.HIGHER) == D(100)
    assert engine.normalise(higher, D(40), Direction.HIGHER) == D(0)


def test_banded_lower_is_better_takes_the_first_band_not_exceeded():
    rule = IndicatorRule(
        "evaltest.slow", "b", D(30), "banded", bands=((D(1), D(100)), (D(3), D(70)), (D(6), D(30)))
    )
    assert engine.normalise(rule, D(1), Direction.LOWER) == D(100)
    assert engine.normalise(rule, D("2.5"), Direction.LOWER) == D(70)
    assert engine.normalise(rule, D(6), Direction.LOWER) == D(30)
    assert engine.normalise(rule, D(7), Direction.LOWER) == D(0)


def test_a_code_missing_from_values_is_no_data_for_everyone():
    results = engine.score(hand_system(), {}, [1, 2])
    assert all(r.base == 0 and r.total == 0 for r in results.values())
    assert all(p.note for r in results.values() for p in r.parts)


def test_an_indicator_no_app_registers_is_no_data_and_a_value_for_it_is_refused():
    indicators.unregister("evaltest.rate")
    values = {**VALUES, "evaltest.rate": {1: Value(None, note="指标不可用")}}
    result = engine.score(hand_system(), values, [1])[1]
    assert result.parts[0].normalised == 0 and result.base == D("50.00")
    with pytest.raises(ValueError):
        engine.score(hand_system(), VALUES, [1])


def test_ranks_share_ties_and_skip_after_them():
    totals = {1: D("80.00"), 2: D("90.00"), 3: D("80.00"), 4: D("70.00"), 5: D("70")}
    assert engine.rank(totals) == {2: 1, 1: 2, 3: 2, 4: 4, 5: 4}


def test_ranks_within_groups():
    totals = {1: D(80), 2: D(90), 3: D(85), 4: D(85), 5: D(10)}
    groups = {1: 100, 2: 100, 3: 200, 4: 200, 5: 200}
    assert engine.rank(totals, groups) == {2: 1, 1: 2, 3: 1, 4: 1, 5: 3}
    assert engine.rank({}) == {}


def test_a_vetoed_zero_ranks_last():
    results = engine.score(hand_system(), VALUES, [1, 2, 3, 4])
    ranks = engine.rank({pid: r.total for pid, r in results.items()})
    assert ranks == {1: 1, 4: 2, 3: 3, 2: 4}
