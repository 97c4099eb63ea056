"""The index system (指标体系) of the community governance index: dimensions, indicators with
their weights and normalisation, bonus and veto items, grade bands (issue 21 item 2).

A `System` is plain data. It comes from the policy profile in force for the assessed place (an
``governance_index:`` block, validated when the profile loads: a bad block refuses the profile), or,
when no profile carries one, from `platform_default()`: seed 000 §十 asks for a yearly
"光谷社区治理指数" but publishes no indicator system, so the platform ships one and says so.
A round stores its system as JSON (`to_json`, canonical) when it is opened, so a later profile
change never alters an open or published round. `engine.score` applies a system to values.

The same mapping is read from a profile block and from `Round.system`; a profile block gives
``cite`` (the paragraph it comes from) where the JSON has ``source``::

    governance_index:
      cite: "§十：每年发布社区治理指数"
      dimensions: [{code: service, name: 为民服务}]
      indicators:
        - {code: tickets.resolution_rate, dimension: service, weight: 100,
           method: target, target: 95, floor: 60}
      bonus_cap: 5
      bonus: [{code: award, name: 获区级以上表彰, points: 2}]
      veto: [{code: incident, name: 重大安全责任事故, indicator: x.incidents, above: 0}]
      grades: [{minimum: 90, name: 优秀}, {minimum: 0, name: 不合格}]

docs/evaluation.md is the operator's guide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.core import indicators
from gongzhi.core.indicators import Direction, Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from gongzhi.places.models import Place

METHODS = ("target", "minmax", "banded")
SECTION = "governance_index"  # the profile block's name
HUNDRED = Decimal(100)
ASSESSED = "community"  # the place kind a round scores (core.indicators levels)


@dataclass(frozen=True)
class IndicatorRule:
    code: str  # a core.indicators code
    dimension: str  # a Dimension.code
    weight: Decimal  # points out of 100 (all weights of a system sum to 100)
    method: str  # "target" | "minmax" | "banded"
    target: Decimal | None = None  # target: the value scoring 100 (direction-aware)
    floor: Decimal | None = None  # target: the value scoring 0 (linear between)
    # banded: (threshold, normalised score), best band first; a value reaching a threshold
    # (>= for a higher-is-better indicator, <= for lower-is-better) scores that band.
    bands: tuple[tuple[Decimal, Decimal], ...] = ()


@dataclass(frozen=True)
class Dimension:
    code: str
    name: str


@dataclass(frozen=True)
class BonusItem:
    code: str
    name: str
    points: Decimal
    indicator: str | None = None  # None: recorded by the assessor in the round (manual)
    at_least: Decimal | None = None  # else automatic when the value >= at_least


@dataclass(frozen=True)
class VetoItem:
    code: str
    name: str
    indicator: str | None = None  # None: recorded by the assessor in the round (manual)
    above: Decimal | None = None  # else automatic when the value > above


@dataclass(frozen=True)
class Grade:
    minimum: Decimal
    name: str


@dataclass(frozen=True)
class System:
    dimensions: tuple[Dimension, ...]
    indicators: tuple[IndicatorRule, ...]
    bonus_items: tuple[BonusItem, ...]
    bonus_cap: Decimal
    veto_items: tuple[VetoItem, ...]
    grades: tuple[Grade, ...]  # highest first
    source: str  # the profile and paragraph, or "平台默认（…）"

    def to_json(self) -> dict[str, Any]:
        """Canonical JSON (numbers as normalised decimal strings), stored on `Round.system`."""
        return {
            "dimensions": [{"code": d.code, "name": d.name} for d in self.dimensions],
            "indicators": [_rule_json(r) for r in self.indicators],
            "bonus": [
                _drop_none(
                    {
                        "code": b.code,
                        "name": b.name,
                        "points": _num(b.points),
                        "indicator": b.indicator,
                        "at_least": _num(b.at_least),
                    }
                )
                for b in self.bonus_items
            ],
            "bonus_cap": _num(self.bonus_cap),
            "veto": [
                _drop_none(
                    {
                        "code": v.code,
                        "name": v.name,
                        "indicator": v.indicator,
                        "above": _num(v.above),
                    }
                )
                for v in self.veto_items
            ],
            "grades": [{"minimum": _num(g.minimum), "name": g.name} for g in self.grades],
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> System:
        """The system `to_json` wrote. Malformed data raises ValueError (with every problem)."""
        system, problems = parse(data, source=None)
        if system is None:
            raise ValueError("; ".join(str(p) for p in problems))
        return system

    # Helpers for callers (rounds, pages) ---------------------------------------------------

    def indicator_codes(self) -> tuple[str, ...]:
        """Every indicator the system reads: weighted ones, then those of automatic bonus and
        veto items (the values `engine.score` needs), each once."""
        codes = [r.code for r in self.indicators]
        codes += [b.indicator for b in self.bonus_items if b.indicator]
        codes += [v.indicator for v in self.veto_items if v.indicator]
        return tuple(dict.fromkeys(codes))

    def dimension(self, code: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.code == code), None)

    def rule(self, code: str) -> IndicatorRule | None:
        return next((r for r in self.indicators if r.code == code), None)

    def manual_bonus_items(self) -> tuple[BonusItem, ...]:
        return tuple(b for b in self.bonus_items if b.indicator is None)

    def manual_veto_items(self) -> tuple[VetoItem, ...]:
        return tuple(v for v in self.veto_items if v.indicator is None)

    def grade_for(self, total: Decimal) -> str:
        """The first band (highest first) whose minimum the total reaches; "" below them all."""
        return next((g.name for g in self.grades if total >= g.minimum), "")

    def dimension_weights(self) -> dict[str, Decimal]:
        weights: dict[str, Decimal] = {d.code: Decimal(0) for d in self.dimensions}
        for rule in self.indicators:
            weights[rule.dimension] = weights.get(rule.dimension, Decimal(0)) + rule.weight
        return weights


def _num(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _rule_json(rule: IndicatorRule) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": rule.code,
        "dimension": rule.dimension,
        "weight": _num(rule.weight),
        "method": rule.method,
        "target": _num(rule.target),
        "floor": _num(rule.floor),
    }
    if rule.bands:
        data["bands"] = [[_num(t), _num(s)] for t, s in rule.bands]
    return _drop_none(data)


# Reading a mapping (profile block or stored JSON) --------------------------------------------


class _Reader:
    """Collects every structural problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[StrOrPromise] = []

    def say(self, message: StrOrPromise) -> None:
        self.problems.append(message)

    def text(self, item: Mapping[str, Any], key: str, where: StrOrPromise) -> str:
        value = item.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.say(
                format_lazy(_("{where}: “{key}” must be non-empty text."), where=where, key=key)
            )
            return ""
        return value.strip()

    def optional_text(self, item: Mapping[str, Any], key: str, where: StrOrPromise) -> str | None:
        if item.get(key) in (None, ""):
            return None
        return self.text(item, key, where)

    def number(
        self, item: Mapping[str, Any], key: str, where: StrOrPromise, required: bool = True
    ) -> Decimal | None:
        value = item.get(key)
        if value is None:
            if required:
                self.say(format_lazy(_("{where}: “{key}” is missing."), where=where, key=key))
            return None
        number = _decimal(value)
        if number is None:
            self.say(
                format_lazy(
                    _("{where}: “{key}” must be a number, not “{value}”."),
                    where=where,
                    key=key,
                    value=_show(value),
                )
            )
        return number

    def items(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple) or not all(isinstance(i, Mapping) for i in value):
            self.say(format_lazy(_("“{key}” must be a list of entries."), key=key))
            return []
        return list(value)


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float | str):
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


_FIELDS = {"dimensions", "indicators", "bonus", "bonus_cap", "veto", "grades", "source", "cite"}


def parse(data: Any, source: str | None) -> tuple[System | None, list[StrOrPromise]]:
    """Read a system from a mapping. `source` None: the mapping's own ``source`` (stored JSON);
    else the mapping is a profile block, its ``cite`` appended to `source`. Returns the system
    (None when the mapping is malformed) and every problem, the `validate` ones included
    (messages are lazy: rendered in the reader's language)."""
    reader = _Reader()
    if not isinstance(data, Mapping):
        return None, [_("The index system must be a section of keys (dimensions, indicators…).")]
    for key in data:
        if key not in _FIELDS or (key == "source" and source is not None):
            reader.say(format_lazy(_("Unknown key “{key}” in the index system."), key=key))
    if source is None:
        origin = reader.text(data, "source", _("index system"))
    else:
        cite = reader.text(data, "cite", _("index system"))
        origin = f"{source}：{cite}" if source and cite else (source or cite)

    dimensions = []
    for n, item in enumerate(reader.items(data, "dimensions"), 1):
        where = format_lazy(_("dimension {n}"), n=n)
        dimensions.append(
            Dimension(reader.text(item, "code", where), reader.text(item, "name", where))
        )

    rules = []
    for n, item in enumerate(reader.items(data, "indicators"), 1):
        where = format_lazy(_("indicator {n}"), n=n)
        bands: list[tuple[Decimal, Decimal]] = []
        raw_bands = item.get("bands") or []
        if not isinstance(raw_bands, list | tuple):
            reader.say(
                format_lazy(
                    _("{where}: “bands” must be a list of [threshold, score] pairs."), where=where
                )
            )
            raw_bands = []
        for band in raw_bands:
            pair = [_decimal(x) for x in band] if isinstance(band, list | tuple) else []
            if len(pair) != 2 or pair[0] is None or pair[1] is None:
                reader.say(
                    format_lazy(
                        _("{where}: each band must be a pair [threshold, score], not “{value}”."),
                        where=where,
                        value=_show(band),
                    )
                )
                continue
            bands.append((pair[0], pair[1]))
        rules.append(
            IndicatorRule(
                code=reader.text(item, "code", where),
                dimension=reader.text(item, "dimension", where),
                weight=reader.number(item, "weight", where) or Decimal(0),
                method=reader.text(item, "method", where),
                target=reader.number(item, "target", where, required=False),
                floor=reader.number(item, "floor", where, required=False),
                bands=tuple(bands),
            )
        )

    bonus = []
    for n, item in enumerate(reader.items(data, "bonus"), 1):
        where = format_lazy(_("bonus item {n}"), n=n)
        bonus.append(
            BonusItem(
                code=reader.text(item, "code", where),
                name=reader.text(item, "name", where),
                points=reader.number(item, "points", where) or Decimal(0),
                indicator=reader.optional_text(item, "indicator", where),
                at_least=reader.number(item, "at_least", where, required=False),
            )
        )
    vetoes = []
    for n, item in enumerate(reader.items(data, "veto"), 1):
        where = format_lazy(_("veto item {n}"), n=n)
        vetoes.append(
            VetoItem(
                code=reader.text(item, "code", where),
                name=reader.text(item, "name", where),
                indicator=reader.optional_text(item, "indicator", where),
                above=reader.number(item, "above", where, required=False),
            )
        )
    grades = []
    for n, item in enumerate(reader.items(data, "grades"), 1):
        where = format_lazy(_("grade {n}"), n=n)
        grades.append(
            Grade(
                reader.number(item, "minimum", where) or Decimal(0),
                reader.text(item, "name", where),
            )
        )
    cap = Decimal(0)
    if data.get("bonus_cap") is not None or bonus:
        cap = reader.number(data, "bonus_cap", _("index system")) or Decimal(0)

    if reader.problems:
        return None, reader.problems
    system = System(
        dimensions=tuple(dimensions),
        indicators=tuple(rules),
        bonus_items=tuple(bonus),
        bonus_cap=cap,
        veto_items=tuple(vetoes),
        grades=tuple(grades),
        source=origin,
    )
    return system, _problems(system)


def validate_section(data: Any) -> list[StrOrPromise]:
    """The profile hook (registered in `EvaluationConfig.ready`): the problems of an
    ``governance_index:`` block, lazy messages; empty when it is a valid system."""
    return parse(data, source="")[1]


# Validation ------------------------------------------------------------------------------


def validate(system: System) -> list[str]:
    """Every problem of a system, in the current language (Chinese): weights not summing to
    100, unknown indicator codes (against the registry), bad targets and bands, bad grades…
    Empty when the system can be used."""
    return [str(p) for p in _problems(system)]


def _duplicates(codes: list[str]) -> list[str]:
    seen: set[str] = set()
    twice = []
    for code in codes:
        if code in seen and code not in twice:
            twice.append(code)
        seen.add(code)
    return twice


def _problems(system: System) -> list[StrOrPromise]:
    out: list[StrOrPromise] = []
    say = out.append
    if not system.dimensions:
        say(_("The index system has no dimension."))
    if not system.indicators:
        say(_("The index system has no indicator."))
    for code in _duplicates([d.code for d in system.dimensions]):
        say(format_lazy(_("Dimension “{code}” is defined twice."), code=code))
    for code in _duplicates([r.code for r in system.indicators]):
        say(format_lazy(_("Indicator “{code}” is weighted twice."), code=code))
    dims = {d.code for d in system.dimensions}
    for rule in system.indicators:
        out.extend(_rule_problems(rule, dims))
    total = sum((r.weight for r in system.indicators), Decimal(0))
    if system.indicators and total != HUNDRED:
        say(
            format_lazy(
                _("The indicators' weights add up to {total}, not 100."), total=_num(total) or "0"
            )
        )
    used = {r.dimension for r in system.indicators}
    for dim in system.dimensions:
        if dim.code not in used:
            say(format_lazy(_("Dimension “{name}” has no indicator."), name=dim.name))

    codes = [b.code for b in system.bonus_items] + [v.code for v in system.veto_items]
    for code in _duplicates(codes):
        say(format_lazy(_("Bonus or veto item code “{code}” is used twice."), code=code))
    if system.bonus_cap < 0:
        say(_("The bonus cap cannot be negative."))
    for b in system.bonus_items:
        if b.points <= 0:
            say(format_lazy(_("Bonus item “{name}”: the points must be above 0."), name=b.name))
        out.extend(_auto_problems(b.name, b.indicator, b.at_least, "at_least"))
    for v in system.veto_items:
        out.extend(_auto_problems(v.name, v.indicator, v.above, "above"))

    if not system.grades:
        say(_("The index system has no grade band."))
    for name in _duplicates([g.name for g in system.grades]):
        say(format_lazy(_("Grade “{name}” is defined twice."), name=name))
    minimums = [g.minimum for g in system.grades]
    if any(a <= b for a, b in zip(minimums, minimums[1:], strict=False)):
        say(_("Grade bands must be listed highest first, each minimum below the one before."))
    if system.grades and minimums[-1] != 0:
        say(_("The lowest grade band must start at 0, so that every score has a grade."))
    if any(m < 0 for m in minimums):
        say(_("A grade's minimum cannot be negative."))
    return out


def _rule_problems(rule: IndicatorRule, dims: set[str]) -> list[StrOrPromise]:
    out: list[StrOrPromise] = []
    say = out.append
    known = indicators.get(rule.code)
    name = rule.code
    if known is None:
        say(format_lazy(_("Indicator “{code}” is not registered by any app."), code=rule.code))
    elif ASSESSED not in known.levels:
        say(format_lazy(_("Indicator “{code}” is not computed for communities."), code=rule.code))
    if rule.dimension not in dims:
        say(
            format_lazy(
                _("Indicator “{code}”: unknown dimension “{dimension}”."),
                code=name,
                dimension=rule.dimension,
            )
        )
    if rule.weight <= 0:
        say(format_lazy(_("Indicator “{code}”: the weight must be above 0."), code=name))
    if rule.method not in METHODS:
        say(
            format_lazy(
                _("Indicator “{code}”: unknown method “{method}” (target, minmax or banded)."),
                code=name,
                method=rule.method,
            )
        )
        return out
    # The direction of an unknown indicator is unknown: its direction checks wait until it is.
    higher: bool | None = None if known is None else known.direction == Direction.HIGHER
    if rule.method == "target":
        if rule.target is None or rule.floor is None:
            say(
                format_lazy(
                    _("Indicator “{code}”: a target method needs both “target” and “floor”."),
                    code=name,
                )
            )
        elif higher is True and rule.target <= rule.floor:
            say(
                format_lazy(
                    _(
                        "Indicator “{code}”: higher is better, so the target ({target}) must be "
                        "above the floor ({floor})."
                    ),
                    code=name,
                    target=_num(rule.target),
                    floor=_num(rule.floor),
                )
            )
        elif higher is False and rule.target >= rule.floor:
            say(
                format_lazy(
                    _(
                        "Indicator “{code}”: lower is better, so the target ({target}) must be "
                        "below the floor ({floor})."
                    ),
                    code=name,
                    target=_num(rule.target),
                    floor=_num(rule.floor),
                )
            )
    elif rule.target is not None or rule.floor is not None:
        say(
            format_lazy(
                _("Indicator “{code}”: “target” and “floor” apply to the target method only."),
                code=name,
            )
        )
    if rule.method == "banded":
        out.extend(_band_problems(name, rule.bands, higher))
    elif rule.bands:
        say(
            format_lazy(
                _("Indicator “{code}”: “bands” apply to the banded method only."), code=name
            )
        )
    return out


def _band_problems(
    name: str, bands: tuple[tuple[Decimal, Decimal], ...], higher: bool | None
) -> list[StrOrPromise]:
    out: list[StrOrPromise] = []
    if not bands:
        return [format_lazy(_("Indicator “{code}”: a banded method needs bands."), code=name)]
    thresholds = [t for t, _s in bands]
    scores = [s for _t, s in bands]
    pairs = list(zip(thresholds, thresholds[1:], strict=False))
    if higher is True and any(a <= b for a, b in pairs):
        out.append(
            format_lazy(
                _(
                    "Indicator “{code}”: higher is better, so the bands' thresholds must go "
                    "down, best band first."
                ),
                code=name,
            )
        )
    if higher is False and any(a >= b for a, b in pairs):
        out.append(
            format_lazy(
                _(
                    "Indicator “{code}”: lower is better, so the bands' thresholds must go up, "
                    "best band first."
                ),
                code=name,
            )
        )
    if any(not 0 <= s <= HUNDRED for s in scores):
        out.append(
            format_lazy(_("Indicator “{code}”: a band's score must be within 0–100."), code=name)
        )
    if any(a < b for a, b in zip(scores, scores[1:], strict=False)):
        out.append(
            format_lazy(
                _("Indicator “{code}”: a worse band cannot score more than a better one."),
                code=name,
            )
        )
    return out


def _auto_problems(
    name: str, indicator: str | None, limit: Decimal | None, key: str
) -> list[StrOrPromise]:
    if indicator is None:
        if limit is not None:
            return [
                format_lazy(
                    _(
                        "“{name}”: “{key}” needs an indicator (or leave both out for a manual item)."
                    ),
                    name=name,
                    key=key,
                )
            ]
        return []
    out: list[StrOrPromise] = []
    known = indicators.get(indicator)
    if known is None:
        out.append(
            format_lazy(_("Indicator “{code}” is not registered by any app."), code=indicator)
        )
    elif ASSESSED not in known.levels:
        out.append(
            format_lazy(_("Indicator “{code}” is not computed for communities."), code=indicator)
        )
    if limit is None:
        out.append(
            format_lazy(
                _("“{name}”: an automatic item needs “{key}” beside its indicator."),
                name=name,
                key=key,
            )
        )
    return out


# Where a system comes from --------------------------------------------------------------------

PLATFORM_SOURCE = (
    "平台默认（文件000 §十要求每年发布“光谷社区治理指数”，但未公布指标体系；"
    "本体系的维度、权重、目标值、加分、否决与等次均为平台默认，政策配置文件可整体替换）"
)


def _rule(
    code: str,
    dimension: str,
    weight: str,
    method: str,
    target: str | None = None,
    floor: str | None = None,
    bands: tuple[tuple[str, str], ...] = (),
) -> IndicatorRule:
    return IndicatorRule(
        code=code,
        dimension=dimension,
        weight=Decimal(weight),
        method=method,
        target=Decimal(target) if target is not None else None,
        floor=Decimal(floor) if floor is not None else None,
        bands=tuple((Decimal(t), Decimal(s)) for t, s in bands),
    )


def platform_default() -> System:
    """The platform's default system (docs/evaluation.md explains every number). No seed
    document publishes one; the one public anchor is the 12345 hotline's three rates weighed
    10 / 50 / 40 (response / resolution / satisfaction), kept inside "service to residents"."""
    return System(
        dimensions=(
            Dimension("service", "为民服务"),
            Dimension("grid", "网格治理"),
            Dimension("party", "党建引领"),
            Dimension("cogovernance", "多元共治"),
            Dimension("capacity", "队伍与平安"),
        ),
        indicators=(
            # 为民服务 40 = the 12345 three rates, 10 / 50 / 40 of 40.
            _rule("tickets.response_rate", "service", "4", "target", "100", "60"),
            _rule("tickets.resolution_rate", "service", "20", "target", "95", "60"),
            _rule("tickets.satisfaction_rate", "service", "16", "target", "95", "60"),
            # 网格治理 15: on time, and "small matters stay in the grid" (001 §3, 003 §三(三)3).
            _rule("tickets.on_time_rate", "grid", "8", "target", "95", "60"),
            _rule("tickets.grid_share", "grid", "7", "minmax"),
            # 党建引领 15: owners' committees meeting the party-member share (000 §五, 002
            # §三(一)4), key tasks done on time (003 §五).
            _rule(
                "estates.committee_compliance",
                "party",
                "8",
                "banded",
                bands=(("100", "100"), ("75", "80"), ("50", "60"), ("0", "0")),
            ),
            _rule("keytasks.done_on_time", "party", "7", "target", "100", "60"),
            # 多元共治 15: volunteers (001 §13: ≥ 15% of residents), social organisations,
            # micro-projects.
            _rule("volunteering.volunteer_share", "cogovernance", "6", "target", "15", "0"),
            _rule("organisations.registered", "cogovernance", "4", "minmax"),
            _rule("microprojects.completion", "cogovernance", "5", "target", "100", "50"),
            # 队伍与平安 15: certified workers (000 §三), mediation (000 §九).
            _rule("workforce.certified_share", "capacity", "8", "target", "100", "40"),
            _rule("mediation.success_rate", "capacity", "7", "target", "95", "60"),
        ),
        bonus_items=(
            BonusItem("award", "获得区级及以上表彰", Decimal(2)),
            BonusItem("model", "工作经验被区级及以上推广", Decimal(2)),
            BonusItem("innovation", "治理创新项目获评区级优秀", Decimal(1)),
        ),
        bonus_cap=Decimal(5),
        veto_items=(
            VetoItem("safety", "发生重大安全责任事故或重大群体性事件"),
            VetoItem("discipline", "社区“两委”成员因严重违纪违法受到处理"),
            VetoItem("falsified", "考核数据弄虚作假"),
        ),
        grades=(
            Grade(Decimal(90), "优秀"),
            Grade(Decimal(80), "良好"),
            Grade(Decimal(60), "合格"),
            Grade(Decimal(0), "不合格"),
        ),
        source=PLATFORM_SOURCE,
    )


def from_profile(profile: Any) -> System | None:
    """The system of a profile's ``governance_index:`` block, or None when it has none (or is broken:
    a broken profile's numbers are never used)."""
    if profile is None or not profile.ok:
        return None
    block = profile.section(SECTION)
    if block is None:
        return None
    source = f"{profile.title}（{profile.file_name}）" if profile.file_name else profile.title
    system, _problems_found = parse(block, source=source)
    return system if system is not None and not _problems_found else None


def load(place: Place, period: Period) -> System:
    """The system in force for `place` at the end of `period`: the ``governance_index:`` block of the
    profile that applies to the place on the period's last day (inherited down the place tree,
    an expired profile's successor followed), else the platform default. A profile not yet in
    force on that day does not apply."""
    from gongzhi.core import profiles

    last_day = period.end - dt.timedelta(days=1)
    profile = profiles.effective_profile(place, on=last_day)
    if profile is not None and profile.status(last_day).code != "not_yet":
        system = from_profile(profile)
        if system is not None:
            return system
    return platform_default()
