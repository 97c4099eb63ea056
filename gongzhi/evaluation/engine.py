"""Scoring: an index system applied to indicator values (issue 21 item 2). Pure: no queries.

`score` scores every place of a round together (min-max normalisation needs all peers):

- each weighted indicator's raw value is normalised to 0–100, direction-aware:
  *target*: linear from the floor (0) to the target (100), clamped; *minmax*: across the
  places scored with a value, the best 100 and the worst 0 (all equal: every one 100);
  *banded*: the score of the first band (best first) whose threshold the value reaches
  (>= for higher-is-better, <= for lower-is-better), 0 beyond every band;
- a missing value (`Value(None)`) scores 0 and the part's note says so ("无数据"): a community that
  records nothing must not score better than one that records a bad figure, and the part
  shows why it has no points (the community may contest it);
- points = normalised × weight / 100; base = the sum of the points;
- bonus: the automatic items met (value >= at_least) and the manual ones recorded, capped;
- a veto (automatic: value > above; or recorded) sets the total to 0; base and bonus are kept
  and the reasons shown;
- the grade comes from the total and the bands.

Every figure is a Decimal rounded ROUND_HALF_UP to 2 places, and each is computed from the
rounded figures before it (points from the shown normalised value, the base from the shown
points), so the parts add up on the page exactly. Adjusted values are the caller's business:
it passes them in `values`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from gongzhi.core import indicators
from gongzhi.core.indicators import Direction, Value
from gongzhi.evaluation.system import HUNDRED, IndicatorRule, System

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def q(value: Decimal) -> Decimal:
    """Two decimals, ROUND_HALF_UP (the one rounding of the index)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PartResult:
    indicator: str
    dimension: str
    value: Value
    normalised: Decimal
    weight: Decimal
    points: Decimal
    note: str = ""  # "无数据" for a missing value


@dataclass(frozen=True)
class Manual:
    kind: str  # "bonus" | "veto"
    item: str  # the item's code in the system
    reason: str


@dataclass(frozen=True)
class Result:
    place_id: int
    base: Decimal
    bonus: Decimal
    total: Decimal
    vetoed: bool
    veto_reasons: tuple[str, ...]
    bonus_reasons: tuple[str, ...]
    grade: str
    parts: tuple[PartResult, ...]


def _direction(code: str) -> Direction:
    known = indicators.get(code)
    if known is None:
        raise ValueError(_("Indicator “{code}” is not registered by any app.").format(code=code))
    return known.direction


def _show(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def normalise(
    rule: IndicatorRule, value: Decimal, direction: Direction, peers: Sequence[Decimal] = ()
) -> Decimal:
    """One value on 0–100 (2 decimals) by the rule's method; `peers`: every value of the round
    for this indicator (min-max only)."""
    higher = direction == Direction.HIGHER
    if rule.method == "target":
        assert rule.target is not None and rule.floor is not None
        span = rule.target - rule.floor
        share = (value - rule.floor) / span
        return q(min(max(share, Decimal(0)), Decimal(1)) * HUNDRED)
    if rule.method == "minmax":
        low, high = min(peers, default=value), max(peers, default=value)
        if high == low:
            return q(HUNDRED)
        share = (value - low) / (high - low) if higher else (high - value) / (high - low)
        return q(min(max(share, Decimal(0)), Decimal(1)) * HUNDRED)
    if rule.method == "banded":
        for threshold, band_score in rule.bands:
            if (value >= threshold) if higher else (value <= threshold):
                return q(band_score)
        return ZERO
    raise ValueError(rule.method)


def score(
    system: System,
    values: dict[str, dict[int, Value]],
    place_ids: Sequence[int],
    manual: Mapping[int, Sequence[Manual]] | None = None,
) -> dict[int, Result]:
    """Every place's result, scored together. `values`: {indicator code: {place id: Value}}
    (every code of `system.indicator_codes()`; a code or place left out is "no data");
    `manual`: the items the assessor recorded per place. An unknown manual item, or one for
    an automatic item, raises ValueError (the caller checks what it stores)."""
    manual = manual or {}
    # An indicator no app registers any more (a stored system) can only be "no data": its
    # direction is unknown, so a value for it is refused (`_direction`).
    directions = {
        code: known.direction
        for code in system.indicator_codes()
        if (known := indicators.get(code)) is not None
    }
    bonus_by_code = {b.code: b for b in system.bonus_items}
    veto_by_code = {v.code: v for v in system.veto_items}

    def raw(code: str, place_id: int) -> Value:
        return values.get(code, {}).get(place_id) or Value(None)

    peers: dict[str, list[Decimal]] = {}
    for rule in system.indicators:
        if rule.method == "minmax":
            found = (raw(rule.code, pid).value for pid in place_ids)
            peers[rule.code] = [v for v in found if v is not None]

    results: dict[int, Result] = {}
    for pid in place_ids:
        parts = []
        for rule in system.indicators:
            value = raw(rule.code, pid)
            if value.value is None:
                normalised, note = ZERO, _("No data")
            else:
                direction = directions.get(rule.code) or _direction(rule.code)
                normalised = normalise(rule, value.value, direction, peers.get(rule.code, ()))
                note = ""
            points = q(normalised * rule.weight / HUNDRED)
            parts.append(
                PartResult(rule.code, rule.dimension, value, normalised, rule.weight, points, note)
            )
        base = sum((p.points for p in parts), ZERO)

        bonus_reasons: list[str] = []
        bonus_points = ZERO
        for item in system.bonus_items:
            if item.indicator is None or item.at_least is None:
                continue
            got = raw(item.indicator, pid).value
            if got is not None and got >= item.at_least:
                bonus_points += item.points
                bonus_reasons.append(
                    _("{name} (+{points}): {value} ≥ {limit}").format(
                        name=item.name,
                        points=_show(item.points),
                        value=_show(got),
                        limit=_show(item.at_least),
                    )
                )
        veto_reasons: list[str] = []
        for veto in system.veto_items:
            if veto.indicator is None or veto.above is None:
                continue
            got = raw(veto.indicator, pid).value
            if got is not None and got > veto.above:
                veto_reasons.append(
                    _("{name}: {value} > {limit}").format(
                        name=veto.name, value=_show(got), limit=_show(veto.above)
                    )
                )
        for entry in manual.get(pid, ()):
            if entry.kind == "bonus" and entry.item in bonus_by_code:
                item = bonus_by_code[entry.item]
                if item.indicator is None:
                    bonus_points += item.points
                    bonus_reasons.append(
                        _("{name} (+{points}): {reason}").format(
                            name=item.name, points=_show(item.points), reason=entry.reason
                        )
                    )
                    continue
            elif entry.kind == "veto" and entry.item in veto_by_code:
                veto = veto_by_code[entry.item]
                if veto.indicator is None:
                    veto_reasons.append(
                        _("{name}: {reason}").format(name=veto.name, reason=entry.reason)
                    )
                    continue
            raise ValueError(
                _("“{item}” is not a manual {kind} item of this index system.").format(
                    item=entry.item, kind=entry.kind
                )
            )
        bonus = q(min(bonus_points, system.bonus_cap))
        if bonus_points > system.bonus_cap:
            bonus_reasons.append(
                _("Bonus points add up to {points}; the cap of {cap} applies.").format(
                    points=_show(bonus_points), cap=_show(system.bonus_cap)
                )
            )
        vetoed = bool(veto_reasons)
        total = ZERO if vetoed else q(base + bonus)
        results[pid] = Result(
            place_id=pid,
            base=q(base),
            bonus=bonus,
            total=total,
            vetoed=vetoed,
            veto_reasons=tuple(veto_reasons),
            bonus_reasons=tuple(bonus_reasons),
            grade=system.grade_for(total),
            parts=tuple(parts),
        )
    return results


def rank(totals: Mapping[int, Decimal], groups: Mapping[int, int] | None = None) -> dict[int, int]:
    """Competition ranks, 1 = best; equal totals share a rank and the next rank skips
    (1, 2, 2, 4). With `groups` (place id -> group id, e.g. the street) each place is ranked
    within its group; a place missing from `groups` is ranked among the other ungrouped ones."""
    by_group: dict[int | None, list[int]] = {}
    for pid in totals:
        by_group.setdefault(groups.get(pid) if groups is not None else None, []).append(pid)
    ranks: dict[int, int] = {}
    for members in by_group.values():
        ordered = sorted(members, key=lambda pid: totals[pid], reverse=True)
        for position, pid in enumerate(ordered, 1):
            previous = ordered[position - 2] if position > 1 else None
            if previous is not None and totals[previous] == totals[pid]:
                ranks[pid] = ranks[previous]
            else:
                ranks[pid] = position
    return ranks
