"""The live ticket figures of the cockpit (数字驾驶舱, issue 21), as indicators.

The evaluation app's cockpit reads them through `core.indicators` and never imports tickets.
Each answers for many places of one kind in one aggregate query:

- `tickets.received`: tickets received (created) in the period — the cockpit asks for today
  (a one-day period) and for each of the last twelve months; per grid over the last 30 days
  it is the map's ticket heat.
- `tickets.open_overdue`: open tickets whose response or resolution deadline has passed, now
  (a snapshot: the period is not used; the definitions of `selectors.with_overdue`).
- `tickets.in_pool`: tickets in the pool now, waiting for someone to take them (a snapshot).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Q, QuerySet, When
from django.db.models import Value as V
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, indicators
from gongzhi.core.indicators import Direction, Indicator, Period, PeriodKind, Value
from gongzhi.places.models import PlaceKind
from gongzhi.tickets import workflow
from gongzhi.tickets.models import Status, Ticket

if TYPE_CHECKING:
    from gongzhi.places.models import Place

LEVELS = (PlaceKind.GRID, PlaceKind.COMMUNITY, PlaceKind.STREET, PlaceKind.DISTRICT)
PERIODS = (PeriodKind.MONTH, PeriodKind.QUARTER, PeriodKind.YEAR)


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def count_by_place(qs: QuerySet[Any], places: Sequence[Place]) -> dict[int, Value]:
    """Rows of `qs` (with `place_path`, and `grid_id` for grids) counted per place, one query:
    grouped by the grid column for grids, else by which place's subtree the row lies in."""
    if not places:
        return {}
    if all(p.kind == PlaceKind.GRID for p in places):
        ids = [p.pk for p in places]
        rows = qs.filter(grid_id__in=ids).values("grid_id").annotate(n=Count("pk"))
        found = {r["grid_id"]: r["n"] for r in rows}
    else:
        area = Q()
        whens = []
        for place in places:
            area |= Q(place_path__under=place.path)
            whens.append(When(place_path__under=place.path, then=V(place.pk)))
        rows = (
            qs.filter(area)
            .annotate(at=Case(*whens, output_field=IntegerField()))
            .values("at")
            .annotate(n=Count("pk"))
            .order_by()
        )
        found = {r["at"]: r["n"] for r in rows}
    return {p.pk: Value.count(found.get(p.pk, 0)) for p in places}


def received(places: Sequence[Place], period: Period) -> dict[int, Value]:
    qs = Ticket.objects.filter(
        created_at__gte=_start(period.start), created_at__lt=_start(period.end)
    ).exclude(status=Status.MERGED)
    return count_by_place(qs.order_by(), places)


def open_overdue(places: Sequence[Place], period: Period) -> dict[int, Value]:
    now = clock.now()
    done = (*workflow.TERMINAL, Status.RESOLVED, Status.CONFIRMED)
    qs = Ticket.objects.exclude(status__in=done).filter(
        Q(responded_at__isnull=True, response_due__lt=now)
        | Q(resolved_at__isnull=True, resolve_due__lt=now)
    )
    return count_by_place(qs.order_by(), places)


def in_pool(places: Sequence[Place], period: Period) -> dict[int, Value]:
    return count_by_place(Ticket.objects.filter(status=Status.POOLED).order_by(), places)


INDICATORS = (
    Indicator(
        code="tickets.received",
        name=_("Tickets received"),
        unit="件",
        direction=Direction.LOWER,
        definition=_(
            "Tickets received in the place in the period (by the day they were received), "
            "merged duplicates left out."
        ),
        compute=received,
        levels=LEVELS,
        periods=PERIODS,
    ),
    Indicator(
        code="tickets.open_overdue",
        name=_("Overdue open tickets"),
        unit="件",
        direction=Direction.LOWER,
        definition=_(
            "Open tickets of the place whose response or resolution deadline has passed, "
            "counted now (a snapshot: the period is not used)."
        ),
        compute=open_overdue,
        levels=LEVELS,
        periods=PERIODS,
    ),
    Indicator(
        code="tickets.in_pool",
        name=_("Tickets in the pool"),
        unit="件",
        direction=Direction.LOWER,
        definition=_(
            "Tickets of the place in the pool now, waiting for a party member or volunteer to "
            "take them (a snapshot: the period is not used)."
        ),
        compute=in_pool,
        levels=LEVELS,
        periods=PERIODS,
    ),
)


def register() -> None:
    indicators.register(*INDICATORS)
