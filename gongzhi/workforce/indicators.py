"""The workforce's indicator (issue 21): the share of community workers holding a social-work
certificate (持证上岗, seed 000 §三) — the coverage of gongzhi/workforce/checks.py, taken at the
period's last day. One aggregate query grouped by the community (or its street)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core.indicators import Direction, Indicator, Period, Value, register
from gongzhi.workforce.checks import NOT_COVERED
from gongzhi.workforce.models import SOCIAL_WORK_LEVELS, Worker

if TYPE_CHECKING:
    from gongzhi.places.models import Place

KEYS = {"community": "community_id", "street": "community__parent_id"}


def certified(places: Sequence[Place], period: Period) -> dict[int, Value]:
    out: dict[int, Value] = {}
    for kind, key in KEYS.items():
        ids = [p.pk for p in places if p.kind == kind]
        if not ids:
            continue
        rows = (
            Worker.objects.filter(**{f"{key}__in": ids}, started_on__lt=period.end)
            .filter(Q(left_on__isnull=True) | Q(left_on__gte=period.end))
            .exclude(kind__in=NOT_COVERED)
            .values(key)
            .annotate(
                covered=Count("id", distinct=True),
                certified=Count(
                    "id",
                    filter=Q(
                        certificates__level__in=SOCIAL_WORK_LEVELS,
                        certificates__obtained_on__lt=period.end,
                    ),
                    distinct=True,
                ),
            )
            .order_by()
        )
        for row in rows:
            out[row[key]] = Value.share(row["certified"], row["covered"])
    return out


def _source(place: Place, period: Period) -> str | None:
    if place.kind != "community":
        return None
    return f"{reverse('workforce:index')}?{urlencode({'community': place.pk})}"


INDICATORS = (
    Indicator(
        code="workforce.certified_share",
        name=_("Certified community workers"),
        unit="%",
        direction=Direction.HIGHER,
        definition=_(
            "Community workers in post on the period's last day (first secretaries, seconded "
            "cadres and agency social workers not counted) holding a social-work certificate "
            "obtained before the period's end, as a share of those workers."
        ),
        compute=certified,
        levels=tuple(KEYS),
        source=_source,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
