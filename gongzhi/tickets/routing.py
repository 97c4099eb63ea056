"""Where a new ticket goes first.

The grid is the grid ancestor of the ticket's place (a building or a grid), read from its
materialised path. A ticket that has only a point (a map click, or a photo's GPS position when
the submitter shared it) gets the grid whose boundary (`Place.boundary`, GeoJSON) contains the
point — `grid_at()`: a point on the edge between two grids goes to the first by path. The
category's routing rule then decides the first handler:
- grid: the grid's workers (status submitted, level grid);
- community: the community (status escalated, level community);
- property company / partner unit: dispatched straight to the property-company staff or
  partner-unit contact whose post covers the place (the most specific one); when there is
  none, the community, with a note saying so. A higher app that knows which property company
  serves a place (estates: the company with a service contract for the estate, as a body)
  installs a finder with `set_property_finder`; the post it returns is tried first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.prepared import prep

from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets.models import HandlerKind, Level, RoutingTarget, Status

GRID_DEPTH, COMMUNITY_DEPTH, STREET_DEPTH = 3, 2, 1

_DIRECT_ROLES = {
    RoutingTarget.PROPERTY_COMPANY: (Role.PROPERTY_STAFF, HandlerKind.PROPERTY_COMPANY),
    RoutingTarget.PARTNER_UNIT: (Role.PARTNER_CONTACT, HandlerKind.PARTNER_UNIT),
}


@dataclass
class Route:
    grid: Place
    status: str
    level: str
    handler_kind: str
    handler_place: Place
    handler_user: User | None = None
    note: str = ""


# Installed by a higher app (tickets must not import it): the ticket's place -> the active
# property-company staff post that handles it, or None (then the posts covering the place).
PropertyFinder = Callable[[Place], Post | None]
_property_finder: PropertyFinder | None = None


def set_property_finder(finder: PropertyFinder | None) -> None:
    global _property_finder
    _property_finder = finder


def ancestor(place: Place, depth: int) -> Place | None:
    if place.depth == depth:
        return place
    if place.depth < depth:
        return None
    return Place.objects.get(path=place.ancestor_paths()[depth])


def route(place: Place, category) -> Route:
    grid = ancestor(place, GRID_DEPTH)
    community = ancestor(place, COMMUNITY_DEPTH)
    if category.routing == RoutingTarget.GRID:
        return Route(grid, Status.SUBMITTED, Level.GRID, HandlerKind.GRID_WORKER, grid)
    to_community = Route(grid, Status.ESCALATED, Level.COMMUNITY, HandlerKind.COMMUNITY, community)
    if category.routing == RoutingTarget.COMMUNITY:
        return to_community
    role, kind = _DIRECT_ROLES[category.routing]
    if category.routing == RoutingTarget.PROPERTY_COMPANY and _property_finder is not None:
        found = _property_finder(place)
        if found is not None:
            return Route(grid, Status.DISPATCHED, Level.COMMUNITY, kind, community, found.user)
    post = (
        Post.objects.filter(
            role=role, is_active=True, place__path__in=place.ancestor_paths(), user__is_active=True
        )
        .select_related("user", "place")
        .order_by("-place__depth", "id")
        .first()
    )
    if post is None:
        to_community.note = _("No %(kind)s covers this place; routed to the community.") % {
            "kind": HandlerKind(kind).label
        }
        return to_community
    return Route(grid, Status.DISPATCHED, Level.COMMUNITY, kind, community, post.user)


def is_ticket_place(place: Place) -> bool:
    return place.kind in (PlaceKind.BUILDING, PlaceKind.GRID) and place.depth >= GRID_DEPTH


# --------------------------------------------------------------------------- by point

# Prepared grid geometries per process, keyed by (grid id, updated_at): an edited boundary
# gets a new key, so the cache never serves a stale shape. Stale keys are dropped on refresh.
_PREPARED: dict[tuple[int, object], object] = {}
_LOCK = threading.Lock()


def _geometry(boundary):
    try:
        geometry = shape(boundary)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return None
    if geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    return prep(geometry if geometry.is_valid else geometry.buffer(0))


def _prepared_grids(within: list[str] | None) -> list[tuple[Place, object]]:
    """(grid, prepared geometry) for grids with a boundary under any of `within` (None: all)."""
    qs = Place.objects.filter(kind=PlaceKind.GRID, boundary__isnull=False)
    if within is not None:
        if not within:
            return []
        q = Q(pk__in=[])
        for path in within:
            q |= Q(path__startswith=path)
        qs = qs.filter(q)
    grids = list(qs.only("id", "updated_at", "path", "name", "depth", "kind").order_by("path"))
    missing = [g.pk for g in grids if (g.pk, g.updated_at) not in _PREPARED]
    if missing:
        shapes = dict(Place.objects.filter(pk__in=missing).values_list("pk", "boundary"))
        with _LOCK:
            fresh = {g.pk: g.updated_at for g in grids if g.pk in shapes}
            for key in [k for k in _PREPARED if k[0] in fresh and k[1] != fresh[k[0]]]:
                del _PREPARED[key]
            for pk, boundary in shapes.items():
                _PREPARED[(pk, fresh[pk])] = _geometry(boundary)
    return [(g, _PREPARED.get((g.pk, g.updated_at))) for g in grids]


def grid_at(lat, lng, within: list[str] | None = None) -> Place | None:
    """The grid whose boundary contains (lat, lng) — edges included — among the grids under
    the paths `within` (None: anywhere). GeoJSON is (lng, lat)."""
    point = Point(float(lng), float(lat))
    for grid, geometry in _prepared_grids(within):
        if geometry is not None and geometry.intersects(point):
            return grid
    return None


def require_grid_at(lat, lng, within: list[str] | None) -> Place:
    grid = grid_at(lat, lng, within)
    if grid is None:
        raise ValidationError(
            {
                "place": _(
                    "This location is not inside any grid you can report for. Please choose "
                    "the building or grid from the list, or pick a point inside your community."
                )
            }
        )
    return grid


def clear_cache() -> None:
    with _LOCK:
        _PREPARED.clear()
