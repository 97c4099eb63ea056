"""Reads of places and households, always narrowed to what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.gates import roles_with
from gongzhi.core.models import Post
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.places.models import Household, Place, PlaceKind, Room

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class HouseholdCount(TypedDict):
    household_count: int


# A place annotated by with_household_counts() (for the type checker).
CountedPlace: TypeAlias = "WithAnnotations[Place, HouseholdCount]"


def visible_places(user: Viewer, action: str = Action.PLACE_VIEW) -> QuerySet[Place]:
    return access.scoped(Place.objects.all(), user, action)


def get_place(user: Viewer, pk: int, action: str = Action.PLACE_VIEW) -> Place:
    """A place the user may see, or 404 — a place outside scope does not exist for them."""
    return get_object_or_404(visible_places(user, action), pk=pk)


def root_places(user: Viewer, action: str = Action.PLACE_VIEW) -> list[Place]:
    """The top places of the user's jurisdiction: each granted subtree's own place."""
    grants = access.grants(user, action)
    if any(g.everything for g in grants):
        return list(Place.objects.filter(parent__isnull=True))
    paths = sorted({g.path for g in grants if g.path})
    # Drop subtrees already inside another granted subtree.
    tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
    return list(Place.objects.filter(path__in=tops))


def with_household_counts(qs: QuerySet[Place]) -> QuerySet[CountedPlace]:
    """Annotate `household_count` on each place with one correlated count."""
    # Func (not Count) so that the subquery aggregates without a GROUP BY.
    count = (
        Household.objects.filter(place_path__under=OuterRef("path"))
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")
    )
    return qs.annotate(household_count=Coalesce(Subquery(count, output_field=IntegerField()), 0))


def children(user: Viewer, place: Place) -> QuerySet[CountedPlace]:
    return with_household_counts(visible_places(user).filter(parent=place).order_by("code"))


def subtree_counts(place: Place) -> dict[str, int]:
    """How many places of each kind, and households, lie in the place's subtree."""
    rows = (
        Place.objects.filter(path__under=place.path)
        .exclude(pk=place.pk)
        .order_by()
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = {kind: 0 for kind in PlaceKind.values}
    counts.update({row["kind"]: row["n"] for row in rows})
    counts["household"] = Household.objects.filter(place_path__under=place.path).count()
    return counts


def visible_ancestors(user: Viewer, place: Place) -> list[Place]:
    """The breadcrumb: ancestors the user may see, root first (not the place itself)."""
    paths = place.ancestor_paths()[:-1]
    return list(visible_places(user).filter(path__in=paths).order_by("depth"))


def visible_households(user: Viewer) -> QuerySet[Household]:
    return access.scoped(
        Household.objects.select_related("building"),
        user,
        Action.HOUSEHOLD_VIEW,
        path_field="place_path",
        own_field="pk",
    )


def get_household(user: Viewer, pk: int) -> Household:
    return get_object_or_404(visible_households(user), pk=pk)


def posts_at(place: Place) -> list[Post]:
    """Who holds a post at this place (shown on the place page)."""
    return list(
        Post.objects.filter(place=place, is_active=True)
        .select_related("user")
        .order_by("role", "user__name")
    )


# Community staff (secretary, worker, grid worker), as the permission matrix says.
COMMUNITY_STAFF_ROLES = tuple(sorted(roles_with(Action.COMMUNITY_STAFF)))


def public_workers(community: Place) -> dict[int, list[Post]]:
    """The names on the community's public notice board: secretary, workers, grid workers
    by place id. Only names and roles — never phone numbers."""
    posts = (
        Post.objects.filter(
            place__path__under=community.path, role__in=COMMUNITY_STAFF_ROLES, is_active=True
        )
        .select_related("user", "place")
        .order_by("role", "user__name")
    )
    board: dict[int, list[Post]] = {}
    for post in posts:
        if post.place_id is not None:  # place__path__under: always at a place
            board.setdefault(post.place_id, []).append(post)
    return board


def rooms_of(place: Place) -> QuerySet[Room]:
    """The rooms recorded for a community, by function and name."""
    return Room.objects.filter(place=place).order_by("function", "name", "id")


def staff_posts(place: Place) -> QuerySet[Post]:
    """Active staff posts (community secretary, community worker, grid worker) at the community
    or below, with their terms (full-time unless marked part-time), in one query."""
    from gongzhi.places.models import PostTerms

    part_time = PostTerms.objects.filter(post=OuterRef("pk"), full_time=False)
    return (
        Post.objects.filter(
            place__path__under=place.path,
            role__in=COMMUNITY_STAFF_ROLES,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user", "place")
        .annotate(part_time=Exists(part_time))
        .order_by("place__path", "role", "user__name", "id")
    )


# The people living at a household come from the people registry, which sits above places: it
# installs its selector in PeopleConfig.ready(). Without it a household page lists nobody.
_household_members: Callable[[Any, Household], Any] | None = None


def set_household_members(provider: Callable[[Any, Household], Any] | None) -> None:
    global _household_members
    _household_members = provider


def household_members(user: Any, household: Household) -> Any:
    return _household_members(user, household) if _household_members else []
