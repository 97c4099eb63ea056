"""Reads for the ticket map: grid boundaries and open tickets as GeoJSON, scoped by
`ticket.view` (access.scoped on place_path) and bounded.

A ticket's marker stands at its own point (map click or shared photo position), else at its
place's centre (a building), else at its grid's centre; tickets with none of these are left off
the map (counted in `unplaced`)."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from gongzhi.core import access
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.places import selectors as places
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import routing, selectors, workflow
from gongzhi.tickets.models import Status, Ticket

MAX_TICKETS = 2000
MAX_GRIDS = 2000
OPEN_STATES = [
    s for s in Status.values if s not in (*workflow.TERMINAL, Status.RESOLVED, Status.CONFIRMED)
]


def _feature(geometry: Any, **properties: Any) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def grid_boundaries(user: Viewer, action: str = Action.TICKET_VIEW, limit: int = MAX_GRIDS) -> dict:
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


def open_tickets(user: Viewer, *, status: str = "", category: int | None = None) -> dict:
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


def nearness(ticket: Ticket) -> str:
    """The label of a pool row: "In your grid", "about 300 m", "about 2.4 km", or ""."""
    if getattr(ticket, "in_my_grid", False):
        return _("In your grid")
    m = metres(getattr(ticket, "distance2", None))
    if m is None:
        return ""
    if m < 1000:
        return _("about %(m)s m") % {"m": max(10, round(m, -1))}
    return _("about %(km)s km") % {"km": f"{m / 1000:.1f}"}


# --------------------------------------------------------------------------- map pages

MAX_LABELS = 3000
# Zoom levels from which labels are shown (Leaflet zoom; 13 ≈ a town, 17 ≈ a few streets).
LABEL_ZOOM = {"grid": 13, "estate": 15, "building": 17}


def map_config() -> dict:
    """What every map page needs, handed over with json_script (never inline JS): the optional
    tile layer from settings (none by default: outlines only, no external request), the label
    zoom levels and the Chinese messages of the "use my location" button."""
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "key": getattr(settings, "MAP_TILE_KEY", ""),
        "subdomains": getattr(settings, "MAP_TILE_SUBDOMAINS", "") or "abc",
        "label_zoom": LABEL_ZOOM,
        "centre": [28.0, 112.0],
        "text": {
            "locate": str(_("Use my location")),
            "locating": str(_("Finding your location…")),
            "refused": str(
                _("Your location could not be read (permission refused). Tap the map instead.")
            ),
            "unavailable": str(
                _("This browser cannot share its location here. Tap the map instead.")
            ),
            "outside": str(_("Outside every grid on this map")),
            "in_grid": str(_("Marked on the map in: %(grid)s")),
        },
    }


def place_labels(
    user: Viewer, action: str = Action.TICKET_VIEW, limit: int = MAX_LABELS
) -> list[dict]:
    """Estates and buildings with a centre in the user's area for `action`, as label points
    ({kind, name, lat, lng}); the page shows estates from LABEL_ZOOM["estate"] on, buildings
    from LABEL_ZOOM["building"] on."""
    qs = (
        places.visible_places(user, action)
        .filter(
            kind__in=(PlaceKind.ESTATE, PlaceKind.BUILDING),
            centre_lat__isnull=False,
            centre_lng__isnull=False,
        )
        .order_by("depth", "path")
    )
    rows = qs.values_list("kind", "name", "centre_lat", "centre_lng")[:limit]
    return [
        {"kind": kind, "name": name, "lat": float(lat), "lng": float(lng)}
        for kind, name, lat, lng in rows
        if lat is not None and lng is not None
    ]


def grid_path(place: Place) -> str:
    """The path of the grid a building or grid belongs to ("" above grid level)."""
    paths = place.ancestor_paths()
    return paths[routing.GRID_DEPTH] if len(paths) > routing.GRID_DEPTH else ""


def place_name(place: Place | None) -> str:
    """A place as residents read it: "乐坪花园 2栋 · 第五网格" rather than coordinates
    (one query for the estate and grid names)."""
    if place is None:
        return ""
    paths = place.ancestor_paths()[routing.GRID_DEPTH : -1]
    names = dict(Place.objects.filter(path__in=paths).values_list("path", "name"))
    grid = names.pop(paths[0], "") if paths else ""
    parts = [*(names[p] for p in paths[1:] if p in names), place.name]
    return " ".join(parts) + (f" · {grid}" if grid else "")


def home_building(user: Viewer) -> Place | None:
    """The building of the user's resident post: the submit form's default place."""
    for post in access.active_posts(user):
        if post.role == Role.RESIDENT and post.household is not None:
            return post.household.building
    return None


def ticket_point(ticket: Ticket) -> dict | None:
    """Where the staff detail map puts the ticket: its own point ("exact"), else its place's
    centre, else its grid's; with the grid outline when there is one."""
    candidates = [(ticket.lat, ticket.lng)]
    candidates += [(w.centre_lat, w.centre_lng) for w in (ticket.place, ticket.grid) if w]
    found = [(lat, lng) for lat, lng in candidates if lat is not None and lng is not None]
    if not found:
        return None
    lat, lng = found[0]
    exact = ticket.lat is not None and ticket.lng is not None
    grid = ticket.grid
    outline = None
    if grid is not None and grid.boundary:
        outline = _feature(grid.boundary, id=grid.pk, name=grid.name, path=grid.path)
    return {"lat": float(lat), "lng": float(lng), "exact": exact, "grid": outline}
