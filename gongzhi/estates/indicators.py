"""The estates' indicator (issue 21): the share of owners' committees whose members meet the
party-member share of the effective profile (seed 002 §三(一)4, `owners_committee.
member_party_percent`, with a party member as chair) — the rule of gongzhi/estates/rules.py that
the compliance page checks, taken on the period's last day. Four queries whatever the number of
communities (terms, their members, party members, the profiles' setters).

The property companies' ratings are not an indicator here: a company serves several estates and
communities, so its rating belongs to no one community."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.indicators import Direction, Indicator, Period, Value, register
from gongzhi.estates import rules
from gongzhi.estates.models import Term, TermMember

if TYPE_CHECKING:
    from gongzhi.places.models import Place


def compliance(places: Sequence[Place], period: Period) -> dict[int, Value]:
    ids = [p.pk for p in places if p.kind == "community"]
    if not ids:
        return {}
    day = period.end - dt.timedelta(days=1)
    terms = list(
        Term.objects.filter(committee__community_id__in=ids, starts_on__lte=day, ends_on__gte=day)
        .filter(Q(ended_early_on__isnull=True) | Q(ended_early_on__gte=day))
        .select_related("committee__estate")
        .prefetch_related(
            Prefetch(
                "members",
                queryset=TermMember.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=day)),
            )
        )
    )
    if not terms:
        return {}
    party = rules.party_residents(m.resident_id for t in terms for m in t.members.all())
    keys = rules.keys_for({t.committee.estate for t in terms})
    counted: dict[int, list[int]] = {}  # community id: [committees counted, of them meeting it]
    for term in terms:
        required = keys[term.committee.estate_id][0]
        if required is None:  # the profile sets no share: the rule does not apply here
            continue
        members = list(term.members.all())
        chair = next((m.resident_id for m in members if m.is_chair), None)
        share = rules.Share(
            total=len(members),
            party=sum(1 for m in members if m.resident_id in party),
            required=required,
            citation="",
            key=rules.MEMBER_KEY,
            chair_required=True,
            chair_is_party=None if chair is None else chair in party,
        )
        row = counted.setdefault(term.committee.community_id, [0, 0])
        row[0] += 1
        row[1] += 1 if share.ok else 0
    return {pk: Value.share(met, total) for pk, (total, met) in counted.items()}


INDICATORS = (
    Indicator(
        code="estates.committee_compliance",
        name=_("Owners' committees meeting the party-member share"),
        unit="%",
        direction=Direction.HIGHER,
        definition=_(
            "Owners' committees of the community whose term runs on the period's last day and "
            "whose members then include at least the profile's share of party members, with a "
            "party member as chair, as a share of those committees (where the profile sets the "
            "share)."
        ),
        compute=compliance,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
