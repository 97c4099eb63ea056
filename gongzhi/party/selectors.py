"""Reads of the party organisation, always narrowed to the user's `party.view` scope.

Counts are annotated with correlated subqueries (one query per list, whatever its length).

Gaps (docs/party.md):
- a community without a community party committee bound to it;
- a grid without its organisation, by the rule of the grid's effective policy profile: where
  the profile sets `party.group_per_grid` to 1 (seed 001 §1 把党小组建在网格上), a grid is covered
  by a party group bound to the grid itself, or by a branch or general branch bound to the grid
  or to an estate in it (a branch is more than a group); elsewhere (seed 000 §一, 003 §三(一)1)
  it is covered by a branch or general branch bound to the grid or to an estate in it;
- a building without a party group: covered when a group is bound to the building or to the
  estate it stands in (small estates often keep one group for all their buildings).
"""

from __future__ import annotations

from django.db.models import (
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from gongzhi.core import access, profiles
from gongzhi.core.models import Post
from gongzhi.core.roles import Action, Role
from gongzhi.party.models import Checkin, OrgKind, PartyMember, PartyOrg
from gongzhi.places import selectors as places
from gongzhi.places.models import Place, PlaceKind

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
GAP_KINDS = ("community", "grid", "building")
# Profile key: 1 = a party group on every grid (seed 001 §1). Unset: the estate-branch rule.
GROUP_PER_GRID_KEY = "party.group_per_grid"


# --- Organisations ------------------------------------------------------------------


def visible_orgs(user) -> QuerySet[PartyOrg]:
    return access.scoped(PartyOrg.objects.all(), user, Action.PARTY_VIEW, path_field="place_path")


def _count(qs: QuerySet) -> Subquery:
    # Func (not Count) so that the subquery aggregates without a GROUP BY.
    return Coalesce(
        Subquery(
            qs.order_by().annotate(n=Func(F("id"), function="COUNT")).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def with_counts(qs: QuerySet[PartyOrg]) -> QuerySet[PartyOrg]:
    """Annotate member_count, in_service_count (active members) and child_count."""
    members = PartyMember.objects.filter(org=OuterRef("pk"), is_active=True)
    return qs.select_related("place", "secretary__resident").annotate(
        member_count=_count(members),
        in_service_count=_count(members.filter(in_service=True)),
        child_count=_count(PartyOrg.objects.filter(parent=OuterRef("pk"))),
    )


def get_org(user, pk: int) -> PartyOrg:
    return get_object_or_404(with_counts(visible_orgs(user)), pk=pk)


def root_orgs(user) -> QuerySet[PartyOrg]:
    """The tops of the visible tree: visible organisations whose parent is not visible."""
    visible = visible_orgs(user)
    return with_counts(
        visible.filter(Q(parent__isnull=True) | ~Q(parent__in=visible.values("pk")))
    ).order_by("place_path", "kind", "name")


def child_orgs(user, org: PartyOrg) -> QuerySet[PartyOrg]:
    return with_counts(visible_orgs(user).filter(parent=org)).order_by("place_path", "kind", "name")


def org_choices(user, under: Place | None = None) -> QuerySet[PartyOrg]:
    """Organisations a member may be placed in, for select boxes (bounded by the caller)."""
    qs = visible_orgs(user).exclude(kind=OrgKind.MEMBER_HOUSEHOLD).select_related("place")
    if under is not None:
        qs = qs.filter(place_path__under=under.path)
    return qs.order_by("place_path", "kind", "name")


def community_of(place: Place) -> Place | None:
    """The community containing `place` (or the place itself), None above community level."""
    if place.depth < access.COMMUNITY_DEPTH:
        return None
    return Place.objects.get(path=place.ancestor_paths()[access.COMMUNITY_DEPTH])


# --- Members and check-ins ----------------------------------------------------------


def visible_members(user) -> QuerySet[PartyMember]:
    return access.scoped(
        PartyMember.objects.select_related("resident", "org"),
        user,
        Action.PARTY_VIEW,
        path_field="place_path",
    )


def get_member(user, pk: int) -> PartyMember:
    return get_object_or_404(visible_members(user).select_related("org__place"), pk=pk)


def visible_checkins(user) -> QuerySet[Checkin]:
    return access.scoped(
        Checkin.objects.select_related("member__resident", "community"),
        user,
        Action.PARTY_VIEW,
        path_field="place_path",
    )


def get_checkin(user, pk: int) -> Checkin:
    return get_object_or_404(visible_checkins(user), pk=pk)


def in_service_members(
    user, *, community: Place | None = None, status: str = ""
) -> QuerySet[PartyMember]:
    """Active in-service members; `community` keeps those organised in it or checked in to
    it; `status`: "open" (an open check-in), "ended" (only ended ones), "none" (never)."""
    qs = visible_members(user).filter(is_active=True, in_service=True)
    if community is not None:
        qs = qs.filter(
            Q(place_path__under=community.path)
            | Exists(Checkin.objects.filter(member=OuterRef("pk"), community=community))
        )
    open_ = Checkin.objects.filter(member=OuterRef("pk"), ended_on__isnull=True)
    any_ = Checkin.objects.filter(member=OuterRef("pk"))
    if status == "open":
        qs = qs.filter(Exists(open_))
    elif status == "ended":
        qs = qs.filter(Exists(any_)).exclude(Exists(open_))
    elif status == "none":
        qs = qs.exclude(Exists(any_))
    return qs.order_by("place_path", "resident__name", "id")


def checkins_of(user, members) -> dict[int, list[Checkin]]:
    """The visible check-ins of a page of members, by member id (one query)."""
    rows = visible_checkins(user).filter(member_id__in=[m.pk for m in members])
    result: dict[int, list[Checkin]] = {}
    for row in rows.order_by("-checked_in_on", "id"):
        result.setdefault(row.member_id, []).append(row)
    return result


# --- Gaps and building heads ---------------------------------------------------------


def wants_group_per_grid(profile: profiles.Profile | None) -> bool:
    """Whether the profile asks for a party group on every grid (`party.group_per_grid` = 1).
    A profile that is missing, broken or silent on the key does not."""
    if profile is None or not profile.ok:
        return False
    return profile.get(GROUP_PER_GRID_KEY) == 1


def group_rule_q(place: Place) -> Q:
    """A filter on places under `place` that keeps those whose effective profile asks for a
    party group on every grid. One query (the places that name a profile), whatever the size
    of the subtree; the nearest naming place wins, as everywhere."""
    setters = list(
        Place.objects.filter(Q(path__under=place.path) | Q(path__in=place.ancestor_paths()))
        .exclude(policy_profile="")
        .only("id", "path", "policy_profile")
        .order_by("path")
    )
    loaded: dict[str, bool] = {}
    rule = Q(pk__in=[])
    for setter in setters:
        name = setter.policy_profile
        if name not in loaded:
            loaded[name] = wants_group_per_grid(profiles.effective_profile(setter))
        if not loaded[name]:
            continue
        inner = Q(path__under=setter.path)
        for deeper in setters:
            if deeper.path != setter.path and deeper.path.startswith(setter.path):
                inner &= ~Q(path__under=deeper.path)
        rule |= inner
    return rule


def _branch_on_grid() -> Exists:
    """On a grid (OuterRef): a branch or general branch bound to it or to an estate in it."""
    return Exists(
        PartyOrg.objects.filter(kind__in=BRANCH_KINDS, place_path__under=OuterRef("path"))
    )


def _group_on_grid() -> Exists:
    """On a grid (OuterRef): a party group bound to the grid itself (001 §1), not to an estate
    or a building in it."""
    return Exists(PartyOrg.objects.filter(kind=OrgKind.GROUP, place=OuterRef("pk")))


def gap_places(place: Place, kind: str) -> QuerySet[Place]:
    """Places of `kind` under `place` (itself included) that lack their organisation."""
    under = Place.objects.filter(path__under=place.path)
    if kind == "community":
        return under.filter(kind=PlaceKind.COMMUNITY).exclude(
            Exists(PartyOrg.objects.filter(kind=OrgKind.COMMUNITY_COMMITTEE, place=OuterRef("pk")))
        )
    if kind == "grid":
        branch, group = _branch_on_grid(), _group_on_grid()
        wants_group = group_rule_q(place)
        return under.filter(kind=PlaceKind.GRID).exclude(
            (wants_group & (branch | group)) | (~wants_group & branch)
        )
    if kind == "building":
        return under.filter(kind=PlaceKind.BUILDING).exclude(
            Exists(
                PartyOrg.objects.filter(kind=OrgKind.GROUP).filter(
                    Q(place=OuterRef("pk")) | Q(place=OuterRef("parent_id"))
                )
            )
        )
    raise ValueError(kind)


def gap_counts(place: Place) -> dict[str, int]:
    return {kind: gap_places(place, kind).count() for kind in GAP_KINDS}


def gap_roots(user) -> list[Place]:
    """The places whose gaps the user sees: the tops of their `party.view` scope."""
    return places.root_places(user, Action.PARTY_VIEW)


def get_gap_place(user, pk: int) -> Place:
    return places.get_place(user, pk, Action.PARTY_VIEW)


def buildings_with_groups(place: Place) -> QuerySet[Place]:
    """The buildings under `place`, each with `group_name` (its own group, else its estate's)."""
    own = PartyOrg.objects.filter(kind=OrgKind.GROUP, place=OuterRef("pk")).order_by("id")
    estate = PartyOrg.objects.filter(kind=OrgKind.GROUP, place=OuterRef("parent_id")).order_by("id")
    return (
        Place.objects.filter(path__under=place.path, kind=PlaceKind.BUILDING)
        .select_related("parent")
        .annotate(
            group_id=Coalesce(Subquery(own.values("pk")[:1]), Subquery(estate.values("pk")[:1])),
            group_name=Coalesce(
                Subquery(own.values("name")[:1]), Subquery(estate.values("name")[:1])
            ),
        )
        .order_by("path")
    )


def building_heads(buildings) -> dict[int, list[dict]]:
    """Holders of a `building_head` post at each building (two queries for a page).

    `is_party_member` is True when the holder also holds an active `party_member` post. There
    is no link from a user account to a resident record, and names are not unique, so a
    building head is not matched to the party-member register by name.
    """
    ids = [b.pk for b in buildings]
    posts = list(
        Post.objects.filter(place_id__in=ids, role=Role.BUILDING_HEAD, is_active=True)
        .select_related("user")
        .order_by("user__name", "id")
    )
    members = set(
        Post.objects.filter(
            user_id__in={p.user_id for p in posts}, role=Role.PARTY_MEMBER, is_active=True
        ).values_list("user_id", flat=True)
    )
    result: dict[int, list[dict]] = {}
    for post in posts:
        result.setdefault(post.place_id, []).append(
            {"name": post.user.name, "is_party_member": post.user_id in members}
        )
    return result


def grid_coverage(grids: list[Place]) -> dict[int, str]:
    """For the compliance page: {grid id: "branch" | "group"} for the grids that have a branch or
    general branch bound to them or to an estate in them ("branch"), else a party group bound to
    the grid itself ("group"). Grids with neither are left out. The same two conditions as the
    grid gap list (`gap_places`), so the two pages cannot disagree; one query for any number of
    grids (by their communities)."""
    ids = {grid.pk for grid in grids}
    rows = (
        Place.objects.filter(kind=PlaceKind.GRID, parent_id__in={grid.parent_id for grid in grids})
        .annotate(branch=_branch_on_grid(), group=_group_on_grid())
        .filter(Q(branch=True) | Q(group=True))
        .values_list("pk", "branch")
    )
    return {pk: "branch" if branch else "group" for pk, branch in rows if pk in ids}
