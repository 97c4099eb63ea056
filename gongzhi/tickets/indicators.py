"""The tickets' indicators (issue 21): the 12345 "three rates" (response, resolution,
satisfaction), the on-time rate, the share closed in the grid, and overdue tickets, for grids,
communities and streets — the definitions of gongzhi/tickets/stats.py (docs/ticket-statistics.md),
whose count expressions are reused here, over the tickets created in the period.

Each indicator is one aggregate query grouped by the place (the ticket's grid, the grid's
community or its street, the columns of `stats.DIMENSIONS`) whatever the number of places.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.indicators import Direction, Indicator, Period, Value, memo, register
from gongzhi.tickets import selectors, stats
from gongzhi.tickets.models import Status, Ticket

if TYPE_CHECKING:
    from gongzhi.places.models import Place

LEVELS = ("grid", "community", "street")


def _local(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def counts(places: Sequence[Place], period: Period) -> dict[int, dict[str, int]]:
    """The stats counts (stats.COUNT_NAMES) plus `overdue` of the tickets created in the period,
    per place: one aggregate query per kind of place asked (one, in a round), shared by the six
    indicators within an indicator session."""
    key = ("tickets.counts", tuple(sorted(p.pk for p in places)), period)
    return memo(key, lambda: _counts(places, period))


def _counts(places: Sequence[Place], period: Period) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    now = clock.now()
    for kind in sorted({p.kind for p in places}):
        if kind not in LEVELS:
            continue
        key = stats.DIMENSIONS[kind].key
        ids = [p.pk for p in places if p.kind == kind]
        qs = (
            selectors.with_overdue(
                Ticket.objects.filter(
                    **{f"{key}__in": ids},
                    created_at__gte=_local(period.start),
                    created_at__lt=_local(period.end),
                ).exclude(status=Status.MERGED)
            )
            .values(key)
            .annotate(
                **stats.count_expressions(now), overdue_now=Count("pk", filter=Q(overdue=True))
            )
            .order_by()
        )
        for record in stats._fetch(qs):
            row = {name: record[name] or 0 for name in stats.COUNT_NAMES}
            row["overdue"] = record["overdue_now"] or 0
            out[record[key]] = row
    return out


def _rate(name: str) -> Callable[[Sequence[Place], Period], dict[int, Value]]:
    numerator, denominator = stats.RATES[name]

    def compute(places: Sequence[Place], period: Period) -> dict[int, Value]:
        found = counts(places, period)
        return {pk: Value.share(row[numerator], row[denominator]) for pk, row in found.items()}

    return compute


def overdue(places: Sequence[Place], period: Period) -> dict[int, Value]:
    """Overdue tickets: a true zero for a place without any (nothing is overdue there)."""
    found = counts(places, period)
    return {
        p.pk: Value.count(found.get(p.pk, {}).get("overdue", 0)) for p in places if p.kind in LEVELS
    }


def ledger_url(place: Place, period: Period, **extra: Any) -> str:
    """The ticket ledger filtered to the place (its subtree) and the creation dates of the
    period; the ledger applies the viewer's own scope."""
    params = {
        "place": place.pk,
        "created_from": period.start.isoformat(),
        "created_to": (period.end - dt.timedelta(days=1)).isoformat(),
        **extra,
    }
    return f"{reverse('tickets:ledger')}?{urlencode(params)}"


def _overdue_source(place: Place, period: Period) -> str:
    return ledger_url(place, period, overdue="yes")


RATE_INDICATORS = {
    "response_rate": (
        _("Ticket response rate"),
        _(
            "Tickets created in the period and responded to by their response deadline, as a "
            "share of those due a response (responded to, or whose response deadline has passed)."
        ),
    ),
    "resolution_rate": (
        _("Ticket resolution rate"),
        _(
            "Tickets created in the period that are resolved, confirmed or closed, as a share of "
            "the tickets created in the period (merged tickets not counted)."
        ),
    ),
    "satisfaction_rate": (
        _("Ticket satisfaction rate"),
        _(
            "Tickets created in the period rated 4 or 5 stars, as a share of the rated tickets "
            "created in the period."
        ),
    ),
    "on_time_rate": (
        _("Ticket on-time rate"),
        _(
            "Resolved tickets created in the period that were resolved by their resolution "
            "deadline, as a share of the resolved tickets created in the period."
        ),
    ),
    "grid_share": (
        _("Tickets closed in the grid"),
        _(
            "Closed tickets created in the period that were still at grid level when closed, as "
            "a share of the closed tickets created in the period."
        ),
    ),
}

INDICATORS = (
    *(
        Indicator(
            code=f"tickets.{name}",
            name=label,
            unit="%",
            direction=Direction.HIGHER,
            definition=definition,
            compute=_rate(name),
            levels=LEVELS,
            source=ledger_url,
        )
        for name, (label, definition) in RATE_INDICATORS.items()
    ),
    Indicator(
        code="tickets.overdue",
        name=_("Overdue tickets"),
        unit="件",
        direction=Direction.LOWER,
        definition=_(
            "Tickets created in the period that are still open and past their response or "
            "resolution deadline now (the ledger's “overdue”)."
        ),
        compute=overdue,
        levels=LEVELS,
        source=_overdue_source,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
