"""Reads for the ticket map: grid boundaries and open tickets as GeoJSON, scoped by
`ticket.view` (access.scoped on place_path) and bounded.

A ticket's marker stands at its own point (map click or shared photo position), else at its
place's centre (a building), else at its grid's centre; tickets with none of these are left off
the map (counted in `unplaced`)."""

from __future__ import annotations

import math

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.places import selectors as places
from gongzhi.places.models import PlaceKind
from gongzhi.tickets import selectors, workflow
from gongzhi.tickets.models import Status, Ticket

MAX_TICKETS = 2000
MAX_GRIDS = 2000
OPEN_STATES = [
    s for s in Status.values if s not in (*workflow.TERMINAL, Status.RESOLVED, Status.CONFIRMED)
]


def _feature(geometry: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def grid_boundaries(user, action: str = Action.TICKET_VIEW, limit: int = MAX_GRIDS) -> dict:
    """The grids with a boundary in the user's area for `action`, as a FeatureCollection."""
    qs = places.visible_places(user, action).filter(kind=PlaceKind.GRID, boundary__isnull=False)
    qs = qs.order_by("path")
    rows = qs.values("pk", "name", "path", "boundary")[:limit]
    return {
        "type": "FeatureCollection",
        "features": [
            _feature(r["boundary"], id=r["pk"], name=r["name"], path=r["path"]) for r in rows
        ],
    }


def open_tickets(user, *, status: str = "", category: int | None = None) -> dict:
    """The latest MAX_TICKETS open tickets in the user's `ticket.view` area, as points."""
    qs = access.scoped(
        Ticket.objects.filter(status__in=OPEN_STATES),
        user,
        Action.TICKET_VIEW,
        path_field="place_path",
    )
    if status in OPEN_STATES:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(Q(category_id=category) | Q(category__parent_id=category))
    qs = (
        selectors.with_overdue(qs)
        .annotate(
            y=Coalesce(F("lat"), F("place__centre_lat"), F("grid__centre_lat")),
            x=Coalesce(F("lng"), F("place__centre_lng"), F("grid__centre_lng")),
        )
        .order_by("-created_at", "-id")
    )
    rows = list(
        qs.values("pk", "number", "status", "category__name", "overdue", "supervised", "x", "y")[
            :MAX_TICKETS
        ]
    )
    labels = dict(Status.choices)
    features, unplaced = [], 0
    for r in rows:
        if r["x"] is None or r["y"] is None:
            unplaced += 1
            continue
        features.append(
            _feature(
                {"type": "Point", "coordinates": [float(r["x"]), float(r["y"])]},
                id=r["pk"],
                number=r["number"],
                status=r["status"],
                status_label=str(labels[r["status"]]),
                category=r["category__name"],
                overdue=bool(r["overdue"]),
                supervised=r["supervised"],
            )
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "truncated": len(rows) == MAX_TICKETS,
        "unplaced": unplaced,
    }


METRES_PER_DEGREE = 111_195  # mean Earth radius × π / 180


def metres(distance2: float | None) -> int | None:
    """Metres from the squared-degree distance of selectors.nearest_first."""
    if distance2 is None:
        return None
    return round(math.sqrt(distance2) * METRES_PER_DEGREE)


def nearness(ticket) -> str:
    """The label of a pool row: "In your grid", "about 300 m", "about 2.4 km", or ""."""
    if getattr(ticket, "in_my_grid", False):
        return _("In your grid")
    m = metres(getattr(ticket, "distance2", None))
    if m is None:
        return ""
    if m < 1000:
        return _("about %(m)s m") % {"m": max(10, round(m, -1))}
    return _("about %(km)s km") % {"km": f"{m / 1000:.1f}"}
