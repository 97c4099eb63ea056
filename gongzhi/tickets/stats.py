"""Ticket statistics: response, resolution, satisfaction and on-time rates, and the share closed
at grid level ("small matters stay in the grid"), per grid, community, street, handler or
category and per month. Definitions: docs/ticket-statistics.md (shown on the page as well).

One aggregate query per call: tickets created in the month range, in the caller's
`ticket.stats` scope (or under the chosen place), grouped by (dimension, month) with conditional
counts. The table (sum over the months) and the monthly trend (sum over the dimension) are both
folded from that one result in Python — counts add up, rates are computed last.

Community and street come from the ticket's grid (`grid` is always set by routing: a ticket is
about a building or a grid): the grid's parent is its community, the community's parent its
street. Place codes have no fixed length (1–20 characters), so a path prefix of fixed length
would be wrong; two joins on the small places table work on every database.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import access, clock
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.places.models import Place
from gongzhi.tickets.models import Level, Status, Ticket

RESOLVED_STATES = (Status.RESOLVED, Status.CONFIRMED, Status.CLOSED)
SATISFIED_MIN = 4  # ratings 4 and 5 count as satisfied
MAX_MONTHS = 36  # a range longer than three years is refused (clear message)


@dataclass(frozen=True)
class Dimension:
    key: str  # the grouping column (an id)
    name: str  # its label column
    context: str | None  # a second label column (the parent's name), or None
    label: object  # translated name of the dimension


DIMENSIONS: dict[str, Dimension] = {
    "grid": Dimension("grid_id", "grid__name", "grid__parent__name", gettext_lazy("Grid")),
    "community": Dimension(
        "grid__parent_id",
        "grid__parent__name",
        "grid__parent__parent__name",
        gettext_lazy("Community"),
    ),
    "street": Dimension(
        "grid__parent__parent_id", "grid__parent__parent__name", None, gettext_lazy("Street")
    ),
    "handler": Dimension("handler_user_id", "handler_user__name", None, gettext_lazy("Handler")),
    "category": Dimension("category_id", "category__name", None, gettext_lazy("Category")),
}

# The counts; each rate is numerator / denominator of two of them.
COUNT_NAMES = (
    "tickets",
    "due_response",
    "responded_on_time",
    "resolved",
    "resolved_on_time",
    "rated",
    "satisfied",
    "closed",
    "closed_in_grid",
)
RATES = {
    # rate name: (numerator, denominator)
    "response_rate": ("responded_on_time", "due_response"),
    "resolution_rate": ("resolved", "tickets"),
    "satisfaction_rate": ("satisfied", "rated"),
    "on_time_rate": ("resolved_on_time", "resolved"),
    "grid_share": ("closed_in_grid", "closed"),
}

RATE_LABELS = {
    "response_rate": gettext_lazy("Response rate"),
    "resolution_rate": gettext_lazy("Resolution rate"),
    "satisfaction_rate": gettext_lazy("Satisfaction rate"),
    "on_time_rate": gettext_lazy("On-time rate"),
    "grid_share": gettext_lazy("Closed in the grid"),
}
COUNT_LABELS = {
    "tickets": gettext_lazy("Tickets"),
    "due_response": gettext_lazy("Due a response"),
    "responded_on_time": gettext_lazy("Responded in time"),
    "resolved": gettext_lazy("Resolved"),
    "resolved_on_time": gettext_lazy("Resolved in time"),
    "rated": gettext_lazy("Rated"),
    "satisfied": gettext_lazy("Satisfied (4–5 stars)"),
    "closed": gettext_lazy("Closed"),
    "closed_in_grid": gettext_lazy("Closed at grid level"),
}
# Shown on the page; the same words as docs/ticket-statistics.md.
DEFINITIONS = {
    "tickets": gettext_lazy(
        "Tickets: tickets created in the month (local time), in the chosen area; tickets merged "
        "into another one are not counted anywhere."
    ),
    "response_rate": gettext_lazy(
        "Response rate = tickets responded to by their response deadline ÷ tickets due a "
        "response (responded to, or whose response deadline has passed)."
    ),
    "resolution_rate": gettext_lazy(
        "Resolution rate = tickets resolved, confirmed or closed ÷ tickets."
    ),
    "satisfaction_rate": gettext_lazy(
        "Satisfaction rate = tickets rated 4 or 5 stars ÷ rated tickets."
    ),
    "on_time_rate": gettext_lazy(
        "On-time rate = resolved tickets resolved by their resolution deadline ÷ resolved tickets."
    ),
    "grid_share": gettext_lazy(
        "Small matters stay in the grid = closed tickets still at grid level when closed ÷ "
        "closed tickets."
    ),
    "empty": gettext_lazy("“—”: nothing to divide by (no ticket in the denominator)."),
}


class StatsError(ValueError):
    """Bad parameters (unknown dimension, reversed or too long month range): a clear message."""


@dataclass
class Row:
    key: object
    label: str
    context: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_NAMES, 0))

    def add(self, counts: dict[str, int]) -> None:
        for name in COUNT_NAMES:
            self.counts[name] += counts[name] or 0

    def rate(self, name: str) -> float | None:
        """The rate in per cent, one decimal; None when its denominator is 0 (shown "—")."""
        numerator, denominator = RATES[name]
        if not self.counts[denominator]:
            return None
        return round(100 * self.counts[numerator] / self.counts[denominator], 1)

    @property
    def rates(self) -> dict[str, float | None]:
        return {name: self.rate(name) for name in RATES}

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": self.label,
            "context": self.context,
            **self.counts,
            **self.rates,
        }


@dataclass
class Report:
    dimension: str
    month_from: dt.date
    month_to: dt.date
    place_path: str | None
    rows: list[Row]  # one per grid / community / … (sum over the months), by label
    trend: list[Row]  # one per month of the range, empty months included (key "YYYY-MM")
    total: Row


def months_between(month_from: dt.date, month_to: dt.date) -> list[dt.date]:
    months, month = [], month_from.replace(day=1)
    while month <= month_to:
        months.append(month)
        month = _next_month(month)
    return months


def _next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def parse_month(value: str | None, default: dt.date) -> dt.date:
    """'2026-03' → date(2026, 3, 1); empty → default; anything else → StatsError."""
    if not value:
        return default
    try:
        year, month = (int(part) for part in str(value).split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise StatsError(
            _("“%(value)s” is not a month: write it as YYYY-MM, e.g. 2026-03.") % {"value": value}
        ) from None


def default_range() -> tuple[dt.date, dt.date]:
    """The last six months, this month included."""
    this = clock.today().replace(day=1)
    start = this
    for _i in range(5):
        start = (start - dt.timedelta(days=1)).replace(day=1)
    return start, this


def _local_start(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def _check(dimension: str, month_from: dt.date, month_to: dt.date) -> None:
    if dimension not in DIMENSIONS:
        raise StatsError(
            _("Unknown dimension “%(value)s”: choose grid, community, street, handler or category.")
            % {"value": dimension}
        )
    if month_from > month_to:
        raise StatsError(_("The first month is after the last month: swap them."))
    if len(months_between(month_from, month_to)) > MAX_MONTHS:
        raise StatsError(
            _("Choose at most %(n)s months at a time.") % {"n": MAX_MONTHS},
        )


def require_stats(user: Viewer) -> None:
    """403 for a role without `ticket.stats` anywhere (residents, party members, merchants…)."""
    if not access.has_any(user, Action.TICKET_STATS):
        raise PermissionDenied(_("Your role may not see ticket statistics."))


def scoped_tickets(user: Viewer, place: Place | None = None) -> QuerySet[Ticket]:
    """Tickets the user may count: in their `ticket.stats` scope, under `place` when given.
    No `ticket.stats` anywhere → 403; a place outside the scope → 404."""
    require_stats(user)
    if place is None:
        return access.scoped(
            Ticket.objects.all(), user, Action.TICKET_STATS, path_field="place_path"
        )
    if not access.can(user, Action.TICKET_STATS, place.path):
        raise Http404
    # The place is inside the scope, so its subtree is the whole filter (one range).
    return Ticket.objects.filter(place_path__under=place.path)


def count_expressions(now: dt.datetime) -> dict:
    """The aggregate expressions of COUNT_NAMES (the rates' numerators and denominators), for
    `.aggregate()` or `.annotate()` over tickets; also used by the estates ratings."""
    resolved = Q(status__in=RESOLVED_STATES)
    closed = Q(status=Status.CLOSED)
    return {
        "tickets": Count("pk"),
        "due_response": Count("pk", filter=Q(responded_at__isnull=False) | Q(response_due__lt=now)),
        "responded_on_time": Count("pk", filter=Q(responded_at__lte=F("response_due"))),
        "resolved": Count("pk", filter=resolved),
        "resolved_on_time": Count("pk", filter=resolved & Q(resolved_at__lte=F("resolve_due"))),
        "rated": Count("pk", filter=Q(rating__isnull=False)),
        "satisfied": Count("pk", filter=Q(rating__gte=SATISFIED_MIN)),
        "closed": Count("pk", filter=closed),
        "closed_in_grid": Count("pk", filter=closed & Q(level=Level.GRID)),
    }


def _labels(dim: Dimension, record: dict) -> tuple[str, str]:
    label = record[dim.name]
    if record[dim.key] is None:
        label = {
            "handler_user_id": _("Not handed to a person (grid or community)"),
        }.get(dim.key, _("Not recorded"))
    context = record[dim.context] if dim.context else ""
    return label or "", context or ""


def _fetch(records: QuerySet[Any]) -> list[dict[str, Any]]:
    """Run the aggregate. On PostgreSQL without JIT compilation for this one statement: its
    cost estimate crosses jit_above_cost at district scale, and compiling takes longer (about
    100 ms) than the query itself (measured: docs/ticket-statistics.md)."""
    connection = connections[records.db]
    if connection.vendor != "postgresql":
        return list(records)
    with transaction.atomic(using=records.db), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        return list(records)


def rates(
    user: Viewer,
    *,
    dimension: str,
    month_from: dt.date,
    month_to: dt.date,
    place: Place | None = None,
) -> Report:
    """The rates of the tickets created from `month_from` to `month_to` (both included; the
    first day of each month, local time), grouped by `dimension`, in the user's `ticket.stats`
    scope — or under `place` (a Place inside that scope, else 404). One aggregate query."""
    month_from, month_to = month_from.replace(day=1), month_to.replace(day=1)
    _check(dimension, month_from, month_to)
    dim = DIMENSIONS[dimension]
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    qs = scoped_tickets(user, place).filter(
        created_at__gte=_local_start(month_from),
        created_at__lt=_local_start(_next_month(month_to)),
    )
    qs = qs.exclude(status=Status.MERGED)
    columns = [dim.key, dim.name] + ([dim.context] if dim.context else [])
    records = (
        qs.annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values(*columns, "month")
        .annotate(**count_expressions(clock.now()))
        .order_by()
    )
    records = _fetch(records)
    months = months_between(month_from, month_to)
    trend = {m: Row(key=f"{m:%Y-%m}", label=f"{m:%Y-%m}") for m in months}
    rows: dict[object, Row] = {}
    total = Row(key=None, label=_("Total"))
    for record in records:
        counts = {name: record[name] for name in COUNT_NAMES}
        key = record[dim.key]
        if key not in rows:
            label, context = _labels(dim, record)
            rows[key] = Row(key=key, label=label, context=context)
        rows[key].add(counts)
        month = record["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        if month in trend:
            trend[month].add(counts)
        total.add(counts)
    ordered = sorted(rows.values(), key=lambda r: (r.key is None, r.context, r.label, str(r.key)))
    return Report(
        dimension=dimension,
        month_from=month_from,
        month_to=month_to,
        place_path=place.path if place is not None else None,
        rows=ordered,
        trend=list(trend.values()),
        total=total,
    )
