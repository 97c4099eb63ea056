"""The micro-project indicator (issue 21): the completion of the projects selected in the
community's rounds of the period. One aggregate query grouped by the community."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.indicators import Direction, Indicator, Period, Value, register
from gongzhi.microprojects.models import Progress, Project, Selection

if TYPE_CHECKING:
    from gongzhi.places.models import Place


def _local(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def completion(places: Sequence[Place], period: Period) -> dict[int, Value]:
    ids = [p.pk for p in places if p.kind == "community"]
    if not ids:
        return {}
    rows = (
        Project.objects.filter(
            round__community_id__in=ids,
            round__selected_at__gte=_local(period.start),
            round__selected_at__lt=_local(period.end),
            selection=Selection.SELECTED,
        )
        .values("round__community_id")
        .annotate(
            selected=Count("pk"), completed=Count("pk", filter=Q(progress=Progress.COMPLETED))
        )
        .order_by()
    )
    return {
        row["round__community_id"]: Value.share(row["completed"], row["selected"]) for row in rows
    }


INDICATORS = (
    Indicator(
        code="microprojects.completion",
        name=_("Micro-project completion"),
        unit="%",
        direction=Direction.HIGHER,
        definition=_(
            "Projects selected in the community's micro-project rounds whose selection was made "
            "in the period and that are now completed, as a share of those selected projects."
        ),
        compute=completion,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
