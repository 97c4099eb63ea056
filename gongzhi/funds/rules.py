"""The numbers of the community's money, read from the policy profile with their paragraphs
(docs/funds.md). Nothing is borrowed from another document: a key the community's document
leaves unset gives no line (and the page says so).

Funding lines (item 7), per community and year:

- party-building working funds: `funds.party_building_max_yuan`, fixed per community
  (000 §一: 每个社区每年最高给予 10 万元党建工作经费);
- running funds by community type: `funds.county_working_yuan` for a county-town community
  when the document sets it, else `funds.working_yuan` (001 §15: 中心城区 25 万元, 县城 20 万元);
- working funds per 1,000 households: `funds.working_yuan_per_1000_households` × the
  community's households ÷ 1,000, rounded down to the fen (002 §四3: 每1000户不低于10万元);
- benefit-project (micro-project) funds: the micro-project budget rule
  (`microprojects.yearly_budget_yuan`, or the county key; 000 §八, 001 §15), read through
  `microprojects.services.profile_budget`, so both apps give the same number.

Purchased services (item 6): the least share bought from social organisations,
`funds.social_purchase_min_percent` (000 §四: 不低于40%).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from gongzhi.core import profiles
from gongzhi.funds.models import LineKind
from gongzhi.microprojects import services as microprojects
from gongzhi.places.models import AreaClass, Household, Place

FEN = 100
PARTY_BUILDING = "funds.party_building_max_yuan"
RUNNING = "funds.working_yuan"
COUNTY_RUNNING = "funds.county_working_yuan"
PER_1000 = "funds.working_yuan_per_1000_households"
SOCIAL_SHARE = "funds.social_purchase_min_percent"


def yuan_to_fen(value: float | Decimal) -> int:
    return int((Decimal(str(value)) * FEN).quantize(Decimal(1), rounding=ROUND_DOWN))


def fen_to_yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    return f"{Decimal(fen) / FEN:.2f}"


def _cite(profile: profiles.Profile | None, key: str) -> str:
    if profile is None:
        return ""
    return profile.citations.get(key, "").split(" (")[0][:300]


@dataclass(frozen=True)
class LineRule:
    kind: str
    key: str
    fen: int
    paragraph: str
    basis: str


def households_of(community: Place) -> int:
    return Household.objects.filter(place_path__under=community.path).count()


def line_rules(community: Place) -> list[LineRule]:
    """The lines the community's policy document gives, with the amount of each rule."""
    profile = profiles.effective_profile(community)
    if profile is None or not profile.ok:
        return []
    found: list[LineRule] = []
    value = profile.get(PARTY_BUILDING)
    if value is not None:
        found.append(
            LineRule(
                LineKind.PARTY_BUILDING,
                PARTY_BUILDING,
                yuan_to_fen(value),
                _cite(profile, PARTY_BUILDING),
                _("fixed per community (at most)"),
            )
        )
    key = RUNNING
    value = None
    if community.area_class == AreaClass.COUNTY:
        value = profile.get(COUNTY_RUNNING)
        key = COUNTY_RUNNING
    if value is None:
        key = RUNNING
        value = profile.get(RUNNING)
    if value is not None:
        basis = _("county town") if key == COUNTY_RUNNING else _("by community type")
        found.append(
            LineRule(LineKind.RUNNING, key, yuan_to_fen(value), _cite(profile, key), basis)
        )
    value = profile.get(PER_1000)
    if value is not None:
        households = households_of(community)
        fen = int(
            (Decimal(yuan_to_fen(value)) * households / 1000).quantize(
                Decimal(1), rounding=ROUND_DOWN
            )
        )
        found.append(
            LineRule(
                LineKind.PER_HOUSEHOLDS,
                PER_1000,
                fen,
                _cite(profile, PER_1000),
                _("%(n)s households") % {"n": households},
            )
        )
    budget = microprojects.profile_budget(community)
    if budget.amount is not None:
        found.append(
            LineRule(
                LineKind.BENEFIT,
                budget.key,
                yuan_to_fen(budget.amount),
                _cite(profile, budget.key),
                _("the micro-project budget"),
            )
        )
    return found


@dataclass(frozen=True)
class ShareTarget:
    percent: float | None
    paragraph: str


def social_share_target(community: Place) -> ShareTarget:
    profile = profiles.effective_profile(community)
    value = profile.get(SOCIAL_SHARE) if profile is not None else None
    return ShareTarget(value, _cite(profile, SOCIAL_SHARE) if value is not None else "")
