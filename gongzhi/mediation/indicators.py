"""The mediation indicators (issue 21): mediation success and cases referred up, for the
community whose mediation committee opened the cases (the definitions of
gongzhi/mediation/stats.py and docs/mediation.md "Figures"). Bounded queries whatever the
number of communities."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from gongzhi.core.indicators import Direction, Indicator, Period, Value, register
from gongzhi.mediation.models import Case, CaseEvent, Committee, Referral, ReferralKind
from gongzhi.mediation.stats import OUTCOME_STEPS
from gongzhi.mediation.workflow import Step

if TYPE_CHECKING:
    from gongzhi.places.models import Place


def _local(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _ids(places: Sequence[Place]) -> list[int]:
    return [p.pk for p in places if p.kind == "community"]


def success(places: Sequence[Place], period: Period) -> dict[int, Value]:
    """Cases opened in the period by the community's committee whose latest outcome is an
    agreement ÷ those whose latest outcome is an agreement or no agreement (withdrawn and
    pending cases, and cases referred up without a new outcome, do not count). One query."""
    ids = _ids(places)
    if not ids:
        return {}
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"), step__in=OUTCOME_STEPS)
        .order_by("-at", "-id")
        .values("step")[:1]
    )
    rows = (
        Case.objects.filter(
            origin_committee__place_id__in=ids,
            opened_at__gte=_local(period.start),
            opened_at__lt=_local(period.end),
        )
        .annotate(last_outcome=Subquery(last))
        .values("origin_committee__place_id")
        .annotate(
            agreed=Count("pk", filter=Q(last_outcome=Step.AGREE)),
            failed=Count("pk", filter=Q(last_outcome=Step.FAIL)),
        )
        .order_by()
    )
    return {
        row["origin_committee__place_id"]: Value.share(row["agreed"], row["agreed"] + row["failed"])
        for row in rows
    }


def referred_up(places: Sequence[Place], period: Period) -> dict[int, Value]:
    """Cases referred up from the community's committee to the committee above in the period;
    a community without a mediation committee has no data. Two queries."""
    ids = _ids(places)
    if not ids:
        return {}
    with_committee = set(
        Committee.objects.filter(place_id__in=ids).values_list("place_id", flat=True)
    )
    found = dict(
        Referral.objects.filter(
            kind=ReferralKind.UP,
            from_committee__place_id__in=ids,
            made_at__gte=_local(period.start),
            made_at__lt=_local(period.end),
        )
        .values("from_committee__place_id")
        .annotate(n=Count("pk"))
        .values_list("from_committee__place_id", "n")
    )
    return {pk: Value.count(found.get(pk, 0)) for pk in ids if pk in with_committee}


INDICATORS = (
    Indicator(
        code="mediation.success_rate",
        name=_("Mediation success rate"),
        unit="%",
        direction=Direction.HIGHER,
        definition=_(
            "Cases opened in the period by the community's mediation committee whose latest "
            "outcome is an agreement, as a share of those whose latest outcome is an agreement "
            "or no agreement."
        ),
        compute=success,
    ),
    Indicator(
        code="mediation.referred_up",
        name=_("Disputes referred up"),
        unit="件",
        direction=Direction.LOWER,
        definition=_(
            "Cases the community's mediation committee referred up to the committee above in "
            "the period (矛盾上交); usable as a veto item."
        ),
        compute=referred_up,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
