"""The index system: the platform default, the canonical JSON stored on a round, validation
messages, and the system a profile's `governance_index:` block sets for the places under it."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.utils import translation

from gongzhi.core import indicators, profiles
from gongzhi.core.indicators import Direction, Indicator, Period
from gongzhi.evaluation import system as sysmod
from gongzhi.evaluation.system import (
    BonusItem,
    Dimension,
    Grade,
    IndicatorRule,
    System,
    VetoItem,
)
from gongzhi.places.models import Place

TEST_CODES = {
    "evaltest.rate": Direction.HIGHER,
    "evaltest.slow": Direction.LOWER,
    "evaltest.incidents": Direction.LOWER,
}


def _stand_in(code: str, direction: Direction) -> Indicator:
    return Indicator(code, code, "%", direction, "test", compute=lambda places, period: {})


@pytest.fixture(autouse=True)
def throwaway_indicators():
    """The test indicators, and stand-ins for any indicator of the platform default that no app
    registers (the tests do not depend on the apps' indicators)."""
    added = []
    for code, direction in TEST_CODES.items():
        indicators.register(_stand_in(code, direction))
        added.append(code)
    for code in sysmod.platform_default().indicator_codes():
        if indicators.get(code) is None:
            indicators.register(_stand_in(code, Direction.HIGHER))
            added.append(code)
    yield
    for code in added:
        indicators.unregister(code)


def zh(messages_of):
    with translation.override("zh-hans"):
        return [str(m) for m in messages_of()]


def small() -> System:
    return System(
        dimensions=(Dimension("a", "服务"), Dimension("b", "平安")),
        indicators=(
            IndicatorRule("evaltest.rate", "a", D("62.5"), "target", target=D(95), floor=D(60)),
            IndicatorRule(
                "evaltest.slow",
                "b",
                D("37.5"),
                "banded",
                bands=((D(1), D(100)), (D("2.5"), D(60))),
            ),
        ),
        bonus_items=(
            BonusItem("award", "获奖", D(2)),
            BonusItem("fast", "快速", D("1.5"), indicator="evaltest.rate", at_least=D(99)),
        ),
        bonus_cap=D(3),
        veto_items=(
            VetoItem("incident", "重大事故", indicator="evaltest.incidents", above=D(0)),
            VetoItem("fraud", "弄虚作假"),
        ),
        grades=(Grade(D(90), "优秀"), Grade(D(0), "一般")),
        source="测试",
    )


# ------------------------------------------------------------------------- platform default


def test_platform_default_is_valid_and_says_no_document_publishes_one():
    default = sysmod.platform_default()
    assert sysmod.validate(default) == []
    assert default.source.startswith("平台默认") and "000 §十" in default.source
    assert 4 <= len(default.dimensions) <= 5
    assert sum(r.weight for r in default.indicators) == 100
    # The public anchor: the 12345 three rates weigh 10 / 50 / 40 inside "service".
    weights = {r.code: r.weight for r in default.indicators}
    three = [weights[f"tickets.{n}_rate"] for n in ("response", "resolution", "satisfaction")]
    assert [w / sum(three) * 100 for w in three] == [10, 50, 40]
    assert {
        r.dimension
        for r in default.indicators
        if r.code.startswith("tickets.")
        and r.code.endswith(("response_rate", "resolution_rate", "satisfaction_rate"))
    } == {"service"}
    assert {r.method for r in default.indicators} == {"target", "minmax", "banded"}
    assert default.bonus_cap == 5 and [g.name for g in default.grades][0] == "优秀"
    assert default.manual_veto_items() == default.veto_items


# ------------------------------------------------------------------------- JSON


def test_json_round_trip_is_exact_and_canonical():
    for original in (small(), sysmod.platform_default()):
        data = original.to_json()
        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        assert sysmod.System.from_json(json.loads(text)) == original
        assert json.dumps(original.to_json(), ensure_ascii=False, sort_keys=True) == text
    data = small().to_json()
    # Numbers as exact decimal strings, without trailing zeros; optional fields left out.
    assert data["indicators"][0] == {
        "code": "evaltest.rate",
        "dimension": "a",
        "weight": "62.5",
        "method": "target",
        "target": "95",
        "floor": "60",
    }
    assert data["indicators"][1]["bands"] == [["1", "100"], ["2.5", "60"]]
    assert data["bonus"][0] == {"code": "award", "name": "获奖", "points": "2"}
    assert data["veto"][0]["above"] == "0" and data["source"] == "测试"


def test_from_json_refuses_malformed_data():
    data = small().to_json()
    data["indicators"][0]["weight"] = "lots"
    with pytest.raises(ValueError):
        sysmod.System.from_json(data)
    with pytest.raises(ValueError):
        sysmod.System.from_json({"dimensions": "x"})


def test_indicator_codes_include_those_of_automatic_items_once():
    assert small().indicator_codes() == ("evaltest.rate", "evaltest.slow", "evaltest.incidents")


# ------------------------------------------------------------------------- validation


def test_a_valid_system_has_no_problem():
    assert sysmod.validate(small()) == []


def test_validation_messages_in_chinese():
    s = small()
    bad = System(
        dimensions=(*s.dimensions, Dimension("c", "空维度"), Dimension("a", "重复")),
        indicators=(
            IndicatorRule("evaltest.rate", "a", D(50), "target", target=D(60), floor=D(95)),
            IndicatorRule(
                "evaltest.slow", "z", D(30), "banded", bands=((D(3), D(100)), (D(1), D(120)))
            ),
            IndicatorRule("nowhere.thing", "b", D(10), "minmax"),
            IndicatorRule("evaltest.incidents", "b", D(0), "average"),
        ),
        bonus_items=(BonusItem("x", "半自动", D(0), indicator="evaltest.rate"),),
        bonus_cap=D(-1),
        veto_items=(VetoItem("x", "重复代码", above=D(1)),),
        grades=(Grade(D(60), "合格"), Grade(D(80), "良好")),
        source="t",
    )
    with translation.override("zh-hans"):
        problems = sysmod.validate(bad)
    expected = [
        "维度“a”重复定义。",
        "指标“evaltest.rate”：该指标越高越好，满分值（60）须高于零分值（95）。",
        "指标“evaltest.slow”：维度“z”不存在。",
        "指标“evaltest.slow”：该指标越低越好，分档门槛须从低到高排列，最好的一档在前。",
        "指标“evaltest.slow”：分档得分须在 0–100 之间。",
        "指标“evaltest.slow”：较差一档的得分不能高于较好一档。",
        "指标“nowhere.thing”不存在（没有任何模块登记该指标）。",
        "指标“evaltest.incidents”：权重须大于 0。",
        "指标“evaltest.incidents”：计分方法“average”无效（应为 target、minmax 或 banded）。",
        "各指标权重合计为 90，不是 100。",
        "维度“空维度”下没有任何指标。",
        "加分项或否决项代码“x”重复使用。",
        "加分上限不能为负数。",
        "加分项“半自动”：分值须大于 0。",
        "“半自动”：自动判定的项目除指标外还须设定“at_least”。",
        "“重复代码”：设定“above”须同时指定指标（人工认定的项目两者都不填）。",
        "等次须从高到低排列，每个等次的最低分须低于上一个等次。",
        "最低等次的最低分须为 0，以保证每个得分都有等次。",
    ]
    assert problems == expected


def test_a_lower_is_better_target_must_sit_below_its_floor():
    rule = IndicatorRule("evaltest.slow", "b", D("37.5"), "target", target=D(5), floor=D(2))
    bad = System(**{**small().__dict__, "indicators": (small().indicators[0], rule)})
    with translation.override("zh-hans"):
        assert sysmod.validate(bad) == [
            "指标“evaltest.slow”：该指标越低越好，满分值（5）须低于零分值（2）。"
        ]


def test_an_indicator_not_computed_for_communities_is_refused():
    indicators.register(
        Indicator(
            "evaltest.street_only",
            "x",
            "%",
            Direction.HIGHER,
            "test",
            compute=lambda places, period: {},
            levels=("street",),
        )
    )
    try:
        rule = IndicatorRule("evaltest.street_only", "b", D("37.5"), "minmax")
        bad = System(**{**small().__dict__, "indicators": (small().indicators[0], rule)})
        with translation.override("zh-hans"):
            assert sysmod.validate(bad) == ["指标“evaltest.street_only”不适用于社区。"]
    finally:
        indicators.unregister("evaltest.street_only")


def test_parse_reports_every_structural_problem():
    with translation.override("zh-hans"):
        system, problems = sysmod.parse(
            {
                "cite": "x",
                "dimensions": [{"code": "a"}],
                "indicators": [
                    {
                        "code": "evaltest.rate",
                        "dimension": "a",
                        "weight": "许多",
                        "method": "minmax",
                    }
                ],
                "grades": "优秀",
                "colour": "red",
            },
            source="p",
        )
        texts = [str(p) for p in problems]
    assert system is None
    assert texts == [
        "指标体系中有未知的键“colour”。",
        "第 1 个维度：“name”须为非空文字。",
        "第 1 项指标：“weight”须为数字，而不是“许多”。",
        "“grades”须为条目列表。",
    ]


def test_grade_for_a_total():
    s = small()
    assert s.grade_for(D("90.00")) == "优秀" and s.grade_for(D("89.99")) == "一般"


# ------------------------------------------------------------------------- profiles

BLOCK = """\
source: 000_f4fdb9c15225924f.txt
title: 测试区治理指数
valid_from: 2025-01-01
governance_index:
  cite: "§十：每年发布社区治理指数（测试）"
  dimensions:
    - {code: a, name: 服务}
    - {code: b, name: 平安}
  indicators:
    - {code: evaltest.rate, dimension: a, weight: 62.5, method: target, target: 95, floor: 60}
    - code: evaltest.slow
      dimension: b
      weight: 37.5
      method: banded
      bands: [[1, 100], [2.5, 60]]
  bonus_cap: 3
  bonus:
    - {code: award, name: 获奖, points: 2}
    - {code: fast, name: 快速, points: 1.5, indicator: evaltest.rate, at_least: 99}
  veto:
    - {code: incident, name: 重大事故, indicator: evaltest.incidents, above: 0}
    - {code: fraud, name: 弄虚作假}
  grades:
    - {minimum: 90, name: 优秀}
    - {minimum: 0, name: 一般}
"""


def write(folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text, encoding="utf-8")


def test_a_profile_block_sets_the_system_of_the_places_under_it(world, profile_dir):
    write(profile_dir, "eval-test.yaml", BLOCK)
    Place.objects.filter(pk=world.street_a.pk).update(policy_profile="eval-test")
    community = Place.objects.get(pk=world.community_a1.pk)
    loaded = sysmod.load(community, Period.year(2026))
    assert loaded == System(**{**small().__dict__, "source": loaded.source})
    assert loaded.source == "测试区治理指数（eval-test.yaml）：§十：每年发布社区治理指数（测试）"
    # The stored JSON of a profile's system reads back the same.
    assert System.from_json(loaded.to_json()) == loaded
    # Another street has no profile: the platform default.
    other = Place.objects.get(pk=world.community_b1.pk)
    assert sysmod.load(other, Period.year(2026)) == sysmod.platform_default()


def test_a_profile_not_yet_in_force_at_the_period_end_does_not_apply(world, profile_dir):
    write(profile_dir, "eval-test.yaml", BLOCK)
    Place.objects.filter(pk=world.district.pk).update(policy_profile="eval-test")
    community = Place.objects.get(pk=world.community_a1.pk)
    assert sysmod.load(community, Period.year(2024)) == sysmod.platform_default()
    assert sysmod.load(community, Period.quarter(2025, 1)).source.startswith("测试区")


def test_a_profile_without_a_block_gives_the_platform_default(world):
    Place.objects.filter(pk=world.district.pk).update(policy_profile="loudi")
    community = Place.objects.get(pk=world.community_a1.pk)
    assert sysmod.load(community, Period.year(2026)) == sysmod.platform_default()


def test_a_bad_block_refuses_the_profile_with_a_chinese_message(world, profile_dir):
    bad = BLOCK.replace("weight: 62.5", "weight: 50").replace("nosuch", "")
    bad = bad.replace("code: evaltest.slow", "code: nowhere.thing")
    write(profile_dir, "eval-bad.yaml", bad)
    profile = profiles.get("eval-bad")
    assert not profile.ok
    with translation.override("zh-hans"):
        texts = [issue.message for issue in profile.errors]
    assert texts == [
        "eval-bad.yaml：“governance_index”部分：指标“nowhere.thing”不存在（没有任何模块登记该指标）。",
        "eval-bad.yaml：“governance_index”部分：各指标权重合计为 87.5，不是 100。",
    ]
    # The place form's check names the problem; a round of a place naming it uses the default.
    assert "governance_index" in profiles.describe_problem("eval-bad")
    Place.objects.filter(pk=world.district.pk).update(policy_profile="eval-bad")
    community = Place.objects.get(pk=world.community_a1.pk)
    assert sysmod.load(community, Period.year(2026)) == sysmod.platform_default()


def test_a_block_that_is_not_a_mapping_is_refused(profile_dir):
    write(profile_dir, "eval-list.yaml", "source: x.txt\ntitle: t\ngovernance_index: [1, 2]\n")
    profile = profiles.get("eval-list")
    assert not profile.ok and profile.section("governance_index") is None
    with translation.override("zh-hans"):
        assert "指标体系须为一组键值" in profile.errors[0].message


def test_the_block_is_cited(profile_dir):
    write(
        profile_dir,
        "eval-nocite.yaml",
        BLOCK.replace('  cite: "§十：每年发布社区治理指数（测试）"\n', ""),
    )
    profile = profiles.get("eval-nocite")
    with translation.override("zh-hans"):
        assert [i.message for i in profile.errors] == [
            "eval-nocite.yaml：“governance_index”部分：指标体系：“cite”须为非空文字。"
        ]


def test_a_toml_profile_may_carry_the_block(world, profile_dir):
    write(
        profile_dir,
        "eval-toml.toml",
        """\
source = "000_f4fdb9c15225924f.txt"
title = "TOML 测试"

[governance_index]
cite = "§十"
bonus_cap = 0

[[governance_index.dimensions]]
code = "a"
name = "服务"

[[governance_index.indicators]]
code = "evaltest.rate"
dimension = "a"
weight = 100
method = "minmax"

[[governance_index.grades]]
minimum = 0
name = "合格"
""",
    )
    profile = profiles.get("eval-toml")
    assert profile.ok, [i.message for i in profile.errors]
    system = sysmod.from_profile(profile)
    assert system is not None and system.indicators[0].method == "minmax"
    assert system.source == "TOML 测试（eval-toml.toml）：§十"
