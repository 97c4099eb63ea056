"""Where a new ticket goes first.

The grid is the grid ancestor of the ticket's place (a building or a grid), read from its
materialised path. Point-in-polygon on grid boundaries needs Shapely, which is not installed:
left for later (docs/tickets.md). The category's routing rule then decides the first handler:
- grid: the grid's workers (status submitted, level grid);
- community: the community (status escalated, level community);
- property company / partner unit: dispatched straight to the property-company staff or
  partner-unit contact whose post covers the place (the most specific one); when there is
  none, the community, with a note saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from gongzhi.core.models import Post
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
    handler_user: object = None
    note: str = ""


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
