"""Ticket statistics: the page (/tickets/stats/), its xlsx export and the JSON API
(/api/v1/ticket-stats/). All three read `stats.rates()` with the same parameters:

- `place`: a place id inside the caller's `ticket.stats` scope (else 404); empty: the whole scope;
- `dimension`: grid, community, street, handler or category (default community);
- `from`, `to`: months as YYYY-MM (default: the last six months).

No `ticket.stats` anywhere → 403 (residents, party members, merchants…).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError as APIValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.exports import XLSX_CONTENT_TYPE, write_xlsx
from gongzhi.core.roles import Action
from gongzhi.places import selectors as places
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import stats

PAGE_SIZE = 30
PLACE_CHOICE_LIMIT = 300
DEFAULT_DIMENSION = "community"


class Params:
    """The request's parameters, checked: place (in scope or 404), dimension, month range."""

    def __init__(self, user, data):
        self.place = _place(user, data.get("place"))
        self.dimension = data.get("dimension") or DEFAULT_DIMENSION
        self.raw_from, self.raw_to = data.get("from"), data.get("to")
        self.month_from, self.month_to = stats.default_range()

    def report(self, user) -> stats.Report:
        """The report; a bad month or dimension raises stats.StatsError (clear message)."""
        self.month_from = stats.parse_month(self.raw_from, self.month_from)
        self.month_to = stats.parse_month(self.raw_to, self.month_to)
        return stats.rates(
            user,
            dimension=self.dimension,
            month_from=self.month_from,
            month_to=self.month_to,
            place=self.place,
        )


def _place(user, value) -> Place | None:
    if not value:
        return None
    if not str(value).isdigit():
        raise Http404
    return places.get_place(user, int(value), Action.TICKET_STATS)


def place_choices(user) -> list[Place]:
    """Districts, streets, communities and grids in the caller's statistics scope (bounded)."""
    kinds = (PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.GRID)
    return list(
        places.visible_places(user, Action.TICKET_STATS)
        .filter(kind__in=kinds)
        .only("id", "name", "path", "depth", "kind")
        .order_by("path")[:PLACE_CHOICE_LIMIT]
    )


def _rate_text(value) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _chart_data(report: stats.Report, rows: list[stats.Row]) -> dict:
    """Numbers and labels for the charts, passed with json_script (never inline in JS)."""
    names = {key: str(label) for key, label in stats.RATE_LABELS.items()}
    return {
        "names": names,
        "rows": {
            "labels": [f"{r.context} {r.label}".strip() for r in rows],
            "series": {key: [r.rate(key) for r in rows] for key in stats.RATES},
        },
        "trend": {
            "months": [r.label for r in report.trend],
            "series": {key: [r.rate(key) for r in report.trend] for key in stats.RATES},
        },
    }


@login_required
def stats_page(request):
    stats.require_stats(request.user)
    params = Params(request.user, request.GET)
    try:
        report = params.report(request.user)
    except stats.StatsError as error:
        messages.error(request, str(error))
        params.dimension, params.raw_from, params.raw_to = DEFAULT_DIMENSION, None, None
        params.month_from, params.month_to = stats.default_range()
        report = params.report(request.user)
    page = Paginator(report.rows, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page)
    return render(
        request,
        "tickets/stats.html",
        {
            "report": report,
            "params": params,
            "page": page,
            "rows": [_row_view(r) for r in rows],
            "total": _row_view(report.total),
            "summary": [
                (label, _rate_text(report.total.rate(key)))
                for key, label in stats.RATE_LABELS.items()
            ],
            "trend": [_row_view(r) for r in report.trend],
            "dimensions": [(key, d.label) for key, d in stats.DIMENSIONS.items()],
            "dimension_label": stats.DIMENSIONS[report.dimension].label,
            "places": place_choices(request.user),
            "rate_labels": list(stats.RATE_LABELS.items()),
            "count_labels": list(stats.COUNT_LABELS.items()),
            "definitions": list(stats.DEFINITIONS.values()),
            "chart": _chart_data(report, rows),
            "month_from": f"{report.month_from:%Y-%m}",
            "month_to": f"{report.month_to:%Y-%m}",
        },
    )


def _row_view(row: stats.Row) -> dict:
    return {
        "label": row.label,
        "context": row.context,
        "counts": [row.counts[name] for name in stats.COUNT_NAMES],
        "rates": [_rate_text(row.rate(name)) for name in stats.RATES],
    }


def export_rows(report: stats.Report) -> tuple[list[str], list[list]]:
    headers = [
        str(stats.DIMENSIONS[report.dimension].label),
        _("Part of"),
        *[str(stats.COUNT_LABELS[n]) for n in stats.COUNT_NAMES],
        *[str(stats.RATE_LABELS[n]) + " (%)" for n in stats.RATES],
    ]
    out = []
    for row in [*report.rows, report.total]:
        rates = [row.rate(n) for n in stats.RATES]
        out.append(
            [
                row.label,
                row.context,
                *[row.counts[n] for n in stats.COUNT_NAMES],
                *["—" if r is None else r for r in rates],
            ]
        )
    return headers, out


@login_required
def stats_export(request):
    stats.require_stats(request.user)
    params = Params(request.user, request.GET)
    try:
        report = params.report(request.user)
    except stats.StatsError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    headers, rows = export_rows(report)
    body = write_xlsx(rows, headers, title=_("Ticket statistics"))
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    name = f"ticket-stats-{report.dimension}-{report.month_from:%Y%m}-{report.month_to:%Y%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class TicketStatsAPIView(APIView):
    """GET /api/v1/ticket-stats/?place=&dimension=&from=YYYY-MM&to=YYYY-MM — the same numbers
    as the page: `rows` (one per grid/community/…), `trend` (one per month), `total`, each with
    the counts and the rates in per cent (null when there is nothing to divide by)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("place", int, description="A place id in your scope (optional)"),
            OpenApiParameter("dimension", str, enum=list(stats.DIMENSIONS)),
            OpenApiParameter("from", str, description="First month, YYYY-MM"),
            OpenApiParameter("to", str, description="Last month, YYYY-MM"),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        stats.require_stats(request.user)
        params = Params(request.user, request.query_params)
        try:
            report = params.report(request.user)
        except stats.StatsError as error:
            raise APIValidationError({"detail": str(error)}) from None
        return Response(
            {
                "dimension": report.dimension,
                "from": f"{report.month_from:%Y-%m}",
                "to": f"{report.month_to:%Y-%m}",
                "place": params.place.pk if params.place else None,
                "definitions": {k: str(v) for k, v in stats.DEFINITIONS.items()},
                "rows": [r.as_dict() for r in report.rows],
                "trend": [r.as_dict() for r in report.trend],
                "total": report.total.as_dict(),
            }
        )
