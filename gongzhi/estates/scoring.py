"""The yearly evaluation (issue 14 item 4; seed 000 §五: 红色物业 / 红色业委会 star ratings) and
the black-list bar (item 5), as pure functions over numbers and profile keys.

The score (0–100, one decimal, half up) is the weighted mean of the parts that are present:

- `satisfaction`: residents' satisfaction survey, the mean answer (1–5) × 20;
- `assessment`: the community's assessment, 0–100 as entered by the community staff;
- `measured`: what the platform measures, the mean of the sub-parts present — for a property
  company its ticket value (the mean of the ticket rates that have a denominator: response,
  resolution, satisfaction and on-time rates of the tickets its staff handled, definitions of
  gongzhi.tickets.stats), and for both bodies the three-party joint meetings' attendance rate
  and the on-time rate of the follow-throughs their people owed (gongzhi/estates/ratings.py,
  docs/estates.md).

Each part weighs `evaluation.weight_<part>` of the effective profile (platform defaults 40, 30,
30); a part that is missing (no answer, no assessment, no ticket) leaves out its weight, and
the weights of the parts present are scaled to 100. The star level is the highest band
`evaluation.star<n>_min` (n = 5, 4, 3, 2; platform defaults 90, 80, 70, 60) the score reaches,
else one star.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gongzhi.core import profiles

PARTS = ("satisfaction", "assessment", "measured")
STAR_LEVELS = (5, 4, 3, 2)
BLACKLIST_YEARS_KEY = "property.blacklist_years"
BAN_YEARS_KEY = "property.blacklist_ban_years"
REMINDER_KEY = "owners_committee.term_reminder_months"


def setting(profile: profiles.Profile | None, key: str) -> float | None:
    """The key from the effective profile, or the platform default when there is no profile."""
    if profile is None:
        return profiles.SCHEMA[key].default
    return profile.get(key)


def _one(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Result:
    score: Decimal | None
    stars: int | None
    parts: dict[str, dict[str, Any]]


def satisfaction_value(scores: Iterable[int]) -> Decimal | None:
    items = list(scores)
    if not items:
        return None
    return _one(Decimal(sum(items)) * 20 / len(items))


def measured_value(rates: Mapping[str, Decimal | float | None]) -> Decimal | None:
    present = [Decimal(str(v)) for v in rates.values() if v is not None]
    if not present:
        return None
    return _one(sum(present, Decimal(0)) / len(present))


def score(
    values: Mapping[str, Decimal | int | None],
    profile: profiles.Profile | None,
    details: Mapping[str, dict[str, Any]] | None = None,
) -> Result:
    """The weighted score of the parts present, its star level and every part with its weight
    (kept with the evaluation so anyone can see why)."""
    parts: dict[str, dict[str, Any]] = {}
    total = Decimal(0)
    weights = 0
    for name in PARTS:
        weight = int(setting(profile, f"evaluation.weight_{name}") or 0)
        value = values.get(name)
        parts[name] = {
            "value": None if value is None else str(value),
            "weight": weight,
            **((details or {}).get(name) or {}),
        }
        if value is not None and weight:
            total += Decimal(value) * weight
            weights += weight
    if not weights:
        return Result(None, None, parts)
    result = _one(total / weights)
    return Result(result, stars_for(result, profile), parts)


def stars_for(value: Decimal, profile: profiles.Profile | None) -> int:
    for stars in STAR_LEVELS:
        band = setting(profile, f"evaluation.star{stars}_min")
        if band is not None and value >= Decimal(str(band)):
            return stars
    return 1


AWARD_YUAN_KEY = "awards.red_property_max_yuan"
AWARD_STARS_KEYS = {
    "committee": "awards.red_owners_committee_stars",
    "company": "awards.red_property_min_stars",
}


def award(kind: str, stars: int | None, profile: profiles.Profile | None) -> tuple[int, str] | None:
    """Seed 000 §五 (对获评“五星级红色业委会”和三星级及以上的“红色物业”企业,给予最高10万元
    奖励): a committee rated `awards.red_owners_committee_stars` or more, a company rated
    `awards.red_property_min_stars` or more earns an award of at most
    `awards.red_property_max_yuan`. Returns (most, in fen; the key's paragraph) or None. The
    keys are set by a document (no profile, or a profile without them: no award)."""
    if profile is None or stars is None or kind not in AWARD_STARS_KEYS:
        return None
    least, most = profile.get(AWARD_STARS_KEYS[kind]), profile.get(AWARD_YUAN_KEY)
    if least is None or most is None or stars < int(least):
        return None
    citation = profile.citations.get(AWARD_YUAN_KEY, "").split(":", 1)[0].strip()
    return int(Decimal(str(most)) * 100), citation


@dataclass(frozen=True)
class Bar:
    """A company barred after `run` consecutive black-list years ending with `last_year`."""

    run: int
    last_year: int
    until: dt.date
    citation: str


def bar(black_years: Iterable[int], profile: profiles.Profile | None, today: dt.date) -> Bar | None:
    """Seed 000 §五 (连续两年列入“黑榜”的物业企业,五年内不能承接……公益性物业项目): a company on
    the black list `property.blacklist_years` years running is barred for
    `property.blacklist_ban_years` years after the last of them (to 31 December). Both keys
    are set by a document (no platform default): a profile that leaves them out bars no one."""
    if profile is None:
        return None
    need, ban = profile.get(BLACKLIST_YEARS_KEY), profile.get(BAN_YEARS_KEY)
    if need is None or ban is None:
        return None
    years = sorted(set(black_years))
    # Every run of at least `need` years counts, not only the latest one.
    best: Bar | None = None
    run = 0
    for i, year in enumerate(years):
        run = run + 1 if i and years[i - 1] == year - 1 else 1
        if run >= int(need):
            until = dt.date(year + int(ban), 12, 31)
            if today <= until and (best is None or until > best.until):
                citation = profile.citations.get(BLACKLIST_YEARS_KEY, "")
                best = Bar(run, year, until, citation.split(":", 1)[0].strip())
    return best
