"""The rules of issue 14 items 1–3, as pure functions the services and pages share.

- `credit_code_problem`: the unified social credit code (统一社会信用代码) of GB 32100-2015,
  checked by the kernel's one implementation (gongzhi/core/credit_codes.py).
- `candidate_share` (seed 000 §五: 候选人中党员比例一般不低于60%) and `member_share`
  (seed 002 §三(一)4: 新增、换届业主委员会成员中党员比例一般不低于50%, the chair a party
  member): the share of party members, computed from the party registry, against the key of
  the effective profile of the estate. A profile that leaves the key unset makes the rule not
  apply (`required is None`); the chair rule belongs to the 002 key and applies with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from gongzhi.core import credit_codes, profiles
from gongzhi.party.models import MemberStatus, PartyMember
from gongzhi.places.models import Place

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CANDIDATE_KEY = "owners_committee.candidate_party_percent"
MEMBER_KEY = "owners_committee.member_party_percent"
COMPANY_ORG_KEY = "property.party_org_min_members"

# The unified social credit code (GB 32100) has one implementation, in the kernel.
credit_check_char = credit_codes.check_char
credit_code_problem = credit_codes.problem


def party_residents(resident_ids: Iterable[int]) -> set[int]:
    """Which of these residents are active party members (full or probationary)."""
    ids = list(resident_ids)
    if not ids:
        return set()
    return set(
        PartyMember.objects.filter(resident_id__in=ids, is_active=True).values_list(
            "resident_id", flat=True
        )
    )


def full_members(member_ids: Iterable[int]) -> int:
    return PartyMember.objects.filter(
        pk__in=list(member_ids), is_active=True, status=MemberStatus.FULL
    ).count()


@dataclass(frozen=True)
class Share:
    """A party share against the key of the effective profile."""

    total: int
    party: int
    required: float | None  # percent; None: the profile does not set the key
    citation: str
    key: str
    chair_required: bool = False
    chair_is_party: bool | None = None  # None: no chair recorded

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        return (Decimal(self.party * 100) / self.total).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    @property
    def applies(self) -> bool:
        return self.required is not None

    @property
    def share_ok(self) -> bool:
        # Integer arithmetic: exactly 60 % of 5 is 3, and 3 passes.
        if self.required is None:
            return True
        return self.total > 0 and self.party * 100 >= Decimal(str(self.required)) * self.total

    @property
    def chair_ok(self) -> bool:
        return not self.chair_required or bool(self.chair_is_party)

    @property
    def ok(self) -> bool:
        return self.share_ok and self.chair_ok

    @property
    def paragraph(self) -> str:
        """The seed paragraph the key carries (the profile's citation up to its colon)."""
        return self.citation.split(":", 1)[0].strip() if self.citation else ""

    def problems(self) -> list[StrOrPromise]:
        """What breaks the rule, in words that name the share and the paragraph."""
        out: list[StrOrPromise] = []
        where = self.paragraph or _("the local policy")
        if not self.share_ok:
            out.append(
                _(
                    "Party members are %(party)s of %(total)s (%(percent)s%%); %(where)s asks for "
                    "at least %(required)s%%."
                )
                % {
                    "party": self.party,
                    "total": self.total,
                    "percent": self.percent if self.percent is not None else 0,
                    "where": where,
                    "required": _number(self.required),
                }
            )
        if not self.chair_ok:
            out.append(
                _("The chair is not a party member; %(where)s asks for a party member as chair.")
                % {"where": where}
                if self.chair_is_party is False
                else _("No chair is recorded; %(where)s asks for a party member as chair.")
                % {"where": where}
            )
        return out


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _key(place: Place, key: str) -> tuple[float | None, str]:
    profile = profiles.effective_profile(place)
    if profile is None:
        return None, ""
    return profile.get(key), profile.citations.get(key, "")


def candidate_share(estate: Place, resident_ids: Iterable[int]) -> Share:
    """Seed 000 §五: the share of party members among the candidates who may stand."""
    ids = list(resident_ids)
    required, citation = _key(estate, CANDIDATE_KEY)
    return Share(
        total=len(ids),
        party=len(party_residents(ids)),
        required=required,
        citation=citation,
        key=CANDIDATE_KEY,
    )


def member_share(estate: Place, resident_ids: Iterable[int], chair_id: int | None) -> Share:
    """Seed 002 §三(一)4: the share of party members among a term's members, and the chair."""
    ids = list(resident_ids)
    required, citation = _key(estate, MEMBER_KEY)
    party = party_residents(ids)
    return Share(
        total=len(ids),
        party=len(party),
        required=required,
        citation=citation,
        key=MEMBER_KEY,
        chair_required=required is not None,
        chair_is_party=None if chair_id is None else chair_id in party,
    )


def company_org_minimum(place: Place) -> int | None:
    """Seed 002 §三(一)4: party members from which a company sets up its own organisation."""
    profile = profiles.effective_profile(place)
    value = profile.get(COMPANY_ORG_KEY) if profile is not None else None
    return int(value) if value is not None else None


def profiles_of(places: Iterable[Place]) -> dict[int, profiles.Profile | None]:
    """The effective profile of each place, in one query for any number of places."""
    items = list(places)
    setters = profiles.profile_setters(items)
    loaded: dict[str, profiles.Profile] = {}
    out: dict[int, profiles.Profile | None] = {}
    for place in items:
        setter = setters.get(place.pk)
        if setter is None:
            out[place.pk] = None
            continue
        name = setter.policy_profile
        if name not in loaded:
            loaded[name] = profiles.current(name)
        out[place.pk] = loaded[name]
    return out


def keys_for(
    estates: Iterable[Place],
) -> dict[int, tuple[float | None, str, float | None, str]]:
    """For each estate: (member key, its citation, candidate key, its citation)."""
    out: dict[int, tuple[float | None, str, float | None, str]] = {}
    for pk, profile in profiles_of(estates).items():
        if profile is None:
            out[pk] = (None, "", None, "")
            continue
        out[pk] = (
            profile.get(MEMBER_KEY),
            profile.citations.get(MEMBER_KEY, ""),
            profile.get(CANDIDATE_KEY),
            profile.citations.get(CANDIDATE_KEY, ""),
        )
    return out


def company_minimums(places: Iterable[Place]) -> dict[int, int | None]:
    out: dict[int, int | None] = {}
    for pk, profile in profiles_of(places).items():
        value = profile.get(COMPANY_ORG_KEY) if profile is not None else None
        out[pk] = int(value) if value is not None else None
    return out
