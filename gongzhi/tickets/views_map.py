"""The staff ticket map: grid boundaries of the user's area and its open tickets.

`/tickets/map/` draws with Leaflet (served from static, no CDN); `/tickets/map/data/` feeds it
GeoJSON, scoped by `ticket.view` and bounded (geo.MAX_TICKETS latest open tickets). Tiles come
from settings.MAP_TILE_URL; without one the boundaries and markers are drawn on a plain
background."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import gettext as _

from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.tickets import forms, geo
from gongzhi.tickets.models import Status
from gongzhi.tickets.views import _render


def _filters(request) -> tuple[str, int | None]:
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    return (
        status if status in geo.OPEN_STATES else "",
        int(category) if category.isdigit() else None,
    )


@login_required
@requires(Action.TICKET_VIEW)
def ticket_map(request):
    status, category = _filters(request)
    return _render(
        request,
        "tickets/map.html",
        {
            "statuses": [(s, label) for s, label in Status.choices if s in geo.OPEN_STATES],
            "categories": forms.CategoryField(queryset=forms._categories()).choices,
            "status": status,
            "category": category,
            "tile_url": settings.MAP_TILE_URL,
            "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "max_tickets": geo.MAX_TICKETS,
            "title": _("Ticket map"),
        },
    )


@login_required
@requires(Action.TICKET_VIEW)
def map_data(request):
    status, category = _filters(request)
    return JsonResponse(
        {
            "grids": geo.grid_boundaries(request.user),
            "tickets": geo.open_tickets(request.user, status=status, category=category),
        }
    )
