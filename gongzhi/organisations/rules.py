"""The rules of issue 16, as pure reads of the policy profile that the services and pages share.

Subsidies by rule (seed 000 §四), each number a profile key with its paragraph:

- incubator: `subsidies.incubator_percent` of the yearly running costs, at most
  `subsidies.incubator_max_yuan` (按照每年运营费用的50%,给予最高50万元补贴);
- rating: an organisation rated at least `awards.social_org_min_grade` A gets at most
  `awards.social_org_4a_max_yuan` (对获评4A级以上的……给予最高10万元奖励);
- foundation: `awards.foundation_percent` of the original fund, at most
  `awards.foundation_max_yuan`, once (按照原始基金的2%,给予最高50万元一次性奖励);
- social enterprise: `awards.social_enterprise_yuan`, once, on first certification
  (对区内首次获得认证的社会企业,给予5万元一次性奖励).

Venture philanthropy: a prize at most `awards.venture_max_yuan` (对获奖项目给予最高10万元奖励).
Compliance: `social_orgs.min_incubated` organisations per community (002 §四2: 不少于15个).

A profile that leaves a key unset gives no rule: the application is refused with the reason
(nothing is borrowed from another document).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import profiles
from gongzhi.organisations.models import Organisation, OrgKind, SubsidyRule
from gongzhi.places.models import Place

FEN = 100
INCUBATOR_PERCENT = "subsidies.incubator_percent"
INCUBATOR_MAX = "subsidies.incubator_max_yuan"
RATING_GRADE = "awards.social_org_min_grade"
RATING_MAX = "awards.social_org_4a_max_yuan"
FOUNDATION_PERCENT = "awards.foundation_percent"
FOUNDATION_MAX = "awards.foundation_max_yuan"
ENTERPRISE = "awards.social_enterprise_yuan"
VENTURE_MAX = "awards.venture_max_yuan"
MIN_ORGS = "social_orgs.min_incubated"

RULE_KEYS: dict[str, tuple[str, ...]] = {
    SubsidyRule.INCUBATOR: (INCUBATOR_PERCENT, INCUBATOR_MAX),
    SubsidyRule.RATING: (RATING_GRADE, RATING_MAX),
    SubsidyRule.FOUNDATION: (FOUNDATION_PERCENT, FOUNDATION_MAX),
    SubsidyRule.SOCIAL_ENTERPRISE: (ENTERPRISE,),
}
# Rules paid once per organisation, whatever the year.
ONCE = frozenset({SubsidyRule.FOUNDATION, SubsidyRule.SOCIAL_ENTERPRISE})
# Rules that multiply a figure the organisation gives.
WITH_FIGURE = frozenset({SubsidyRule.INCUBATOR, SubsidyRule.FOUNDATION})


def yuan_to_fen(value: float | Decimal) -> int:
    return int((Decimal(str(value)) * FEN).quantize(Decimal(1), rounding=ROUND_DOWN))


def fen_to_yuan(fen: int | None) -> str:
    """Fen shown as yuan with two decimals (what every page and the API show)."""
    if fen is None:
        return ""
    return f"{Decimal(fen) / FEN:,.2f}"


@dataclass(frozen=True)
class Amount:
    """What a rule allows: the amount in fen and the paragraphs it comes from."""

    fen: int
    paragraph: str


def _keys(place: Place, names: tuple[str, ...]) -> tuple[list[float], str]:
    profile = profiles.effective_profile(place)
    values: list[float] = []
    cites: list[str] = []
    for name in names:
        value = profile.get(name) if profile is not None else None
        if value is None:
            raise ValidationError(
                {
                    "rule": _(
                        "The policy document of %(place)s sets no number for this subsidy "
                        "(%(key)s); it cannot be computed here."
                    )
                    % {"place": place.name, "key": name}
                }
            )
        values.append(value)
        cite = profile.citations.get(name, "") if profile is not None else ""
        cite = cite.split(" (")[0]  # the quote, without the profile's unit note
        if cite and cite not in cites:
            cites.append(cite)
    return values, "；".join(cites)[:300]


def _share(base_fen: int, percent: float, cap_yuan: float) -> int:
    share = (Decimal(base_fen) * Decimal(str(percent)) / 100).quantize(
        Decimal(1), rounding=ROUND_DOWN
    )
    return int(min(share, Decimal(yuan_to_fen(cap_yuan))))


def allowed(org: Organisation, rule: str, base_fen: int | None, place: Place) -> Amount:
    """The most the rule of the profile of `place` allows `org`, or a refusal saying why the
    organisation does not qualify or what is missing."""
    if rule not in RULE_KEYS:
        raise ValidationError({"rule": _("Choose a subsidy rule.")})
    if rule in WITH_FIGURE and (base_fen is None or base_fen <= 0):
        raise ValidationError(
            {"base_yuan": _("Give the figure the rule applies to, in yuan, above zero.")}
        )
    values, paragraph = _keys(place, RULE_KEYS[rule])
    if rule == SubsidyRule.INCUBATOR:
        if not org.incubators_run.exists():
            raise ValidationError(
                {
                    "rule": _(
                        "Only an organisation that runs an incubator may apply under this rule."
                    )
                }
            )
        return Amount(_share(base_fen or 0, values[0], values[1]), paragraph)
    if rule == SubsidyRule.RATING:
        grade = int(org.rating or 0)
        if grade < values[0]:
            raise ValidationError(
                {
                    "rule": _(
                        "This rule is for organisations rated %(n)sA or above; this one is "
                        "rated %(rating)s."
                    )
                    % {"n": int(values[0]), "rating": org.get_rating_display() or _("not rated")}
                }
            )
        return Amount(yuan_to_fen(values[1]), paragraph)
    if rule == SubsidyRule.FOUNDATION:
        if org.kind != OrgKind.FOUNDATION:
            raise ValidationError({"rule": _("This rule is for foundations.")})
        return Amount(_share(base_fen or 0, values[0], values[1]), paragraph)
    if org.kind != OrgKind.SOCIAL_ENTERPRISE or org.certified_on is None:
        raise ValidationError(
            {"rule": _("This rule is for social enterprises with the date of their certification.")}
        )
    return Amount(yuan_to_fen(values[0]), paragraph)


def venture_cap(place: Place) -> Amount:
    values, paragraph = _keys(place, (VENTURE_MAX,))
    return Amount(yuan_to_fen(values[0]), paragraph)


@dataclass(frozen=True)
class Target:
    required: int | None
    paragraph: str


def minimum_orgs(place: Place) -> Target:
    profile = profiles.effective_profile(place)
    value = profile.get(MIN_ORGS) if profile is not None else None
    if value is None or profile is None:
        return Target(None, "")
    return Target(int(value), profile.citations.get(MIN_ORGS, "").split(" (")[0])
