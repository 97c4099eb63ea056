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

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.core import access, profiles
from gongzhi.core.models import Post
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.party.models import (
    Body,
    Checkin,
    CommitteeDuty,
    CommitteeMember,
    CommunityTask,
    OrgKind,
    PartyMember,
    PartyOrg,
    RecordStatus,
    ServicePost,
    ServiceRecord,
    VanguardClaim,
)
from gongzhi.people.models import Resident, ResidentTag, Tag
from gongzhi.people.selectors import resident_of
from gongzhi.places import selectors as places
from gongzhi.places.models import Household, Place, PlaceKind

BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
GAP_KINDS = ("community", "grid", "building")
# Profile key: 1 = a party group on every grid (seed 001 §1). Unset: the estate-branch rule.
GROUP_PER_GRID_KEY = "party.group_per_grid"


# --- Organisations ------------------------------------------------------------------


def visible_orgs(user: Viewer) -> QuerySet[PartyOrg]:
    return access.scoped(PartyOrg.objects.all(), user, Action.PARTY_VIEW, path_field="place_path")


def _count(qs: QuerySet[Any]) -> Coalesce:
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


def get_org(user: Viewer, pk: int) -> PartyOrg:
    return get_object_or_404(with_counts(visible_orgs(user)), pk=pk)


def visible_parent(user: Viewer, org: PartyOrg) -> PartyOrg | None:
    """The parent of `org` when the user may see it, else None."""
    if org.parent_id is None:
        return None
    return visible_orgs(user).filter(pk=org.parent_id).first()


def under_place(qs: QuerySet[Any], place_id: int, field: str = "place_path") -> QuerySet[Any]:
    """The rows of (an already scoped) `qs` bound under the place `place_id` (API filter);
    none when there is no such place."""
    root = Place.objects.filter(pk=place_id).values_list("path", flat=True).first()
    return qs.filter(**{f"{field}__under": root}) if root else qs.none()


def root_orgs(user: Viewer) -> QuerySet[PartyOrg]:
    """The tops of the visible tree: visible organisations whose parent is not visible."""
    visible = visible_orgs(user)
    return with_counts(
        visible.filter(Q(parent__isnull=True) | ~Q(parent__in=visible.values("pk")))
    ).order_by("place_path", "kind", "name")


def child_orgs(user: Viewer, org: PartyOrg) -> QuerySet[PartyOrg]:
    return with_counts(visible_orgs(user).filter(parent=org)).order_by("place_path", "kind", "name")


def org_choices(user: Viewer, under: Place | None = None) -> QuerySet[PartyOrg]:
    """Organisations a member may be placed in, for select boxes (bounded by the caller)."""
    qs = visible_orgs(user).exclude(kind=OrgKind.MEMBER_HOUSEHOLD).select_related("place")
    if under is not None:
        qs = qs.filter(place_path__under=under.path)
    return qs.order_by("place_path", "kind", "name")


def party_places(
    user: Viewer,
    kinds: Iterable[str],
    *,
    under: str | None = None,
    pks: Iterable[int] | None = None,
) -> QuerySet[Place]:
    """Places of `kinds` in the user's `party.view` scope (under the path `under`, among `pks`
    when given), for select boxes (bounded by the caller)."""
    qs = places.visible_places(user, Action.PARTY_VIEW).filter(kind__in=list(kinds))
    if under is not None:
        qs = qs.filter(path__under=under)
    if pks is not None:
        qs = qs.filter(pk__in=list(pks))
    return qs.order_by("path")


def free_households(user: Viewer, under: str) -> QuerySet[Household]:
    """Visible households under the path `under` that are not a party-member household yet."""
    return (
        places.visible_households(user)
        .filter(place_path__under=under, party_org__isnull=True)
        .order_by("place_path", "unit_no", "room_no")
    )


def community_of(place: Place) -> Place | None:
    """The community containing `place` (or the place itself), None above community level."""
    if place.depth < access.COMMUNITY_DEPTH:
        return None
    return Place.objects.get(path=place.ancestor_paths()[access.COMMUNITY_DEPTH])


# --- Members and check-ins ----------------------------------------------------------


def visible_members(user: Viewer) -> QuerySet[PartyMember]:
    return access.scoped(
        PartyMember.objects.select_related("resident", "org"),
        user,
        Action.PARTY_VIEW,
        path_field="place_path",
    )


def get_member(user: Viewer, pk: int) -> PartyMember:
    return get_object_or_404(visible_members(user).select_related("org__place"), pk=pk)


def find_member(user: Viewer, pk: int) -> PartyMember | None:
    """A member the user may see, or None (no 404)."""
    return visible_members(user).filter(pk=pk).first()


def org_members(user: Viewer, org: PartyOrg, *, former: bool = False) -> QuerySet[PartyMember]:
    """The current (or, with `former`, the former) members of `org` the user may see."""
    return (
        visible_members(user).filter(org=org, is_active=not former).order_by("resident__name", "id")
    )


def secretary_of(user: Viewer, member: PartyMember) -> QuerySet[PartyOrg]:
    """The visible organisations whose secretary (or leader) `member` is."""
    return visible_orgs(user).filter(secretary=member)


def residents_for(user: Viewer) -> QuerySet[Resident]:
    """The residents the user may pick as members: their `resident.view` scope."""
    return access.scoped(
        Resident.objects.all(), user, Action.RESIDENT_VIEW, path_field="place_path"
    )


def member_candidates(user: Viewer, org: PartyOrg, q: str, limit: int) -> list[Resident]:
    """Residents matching `q` (name or pinyin initials) in the community of `org` (or its place
    above community level) who are not party members yet, at most `limit`."""
    community = community_of(org.place)
    area = community.path if community else org.place_path
    return list(
        residents_for(user)
        .filter(place_path__under=area, is_active=True)
        .filter(Q(name__contains=q) | Q(name_initials__startswith=q.lower()))
        .exclude(party_member__is_active=True)
        .select_related("household__building")
        .order_by("name", "id")[:limit]
    )


def visible_checkins(user: Viewer) -> QuerySet[Checkin]:
    return access.scoped(
        Checkin.objects.select_related("member__resident", "community"),
        user,
        Action.PARTY_VIEW,
        path_field="place_path",
    )


def get_checkin(user: Viewer, pk: int) -> Checkin:
    return get_object_or_404(visible_checkins(user), pk=pk)


def member_checkins(user: Viewer, member: PartyMember) -> QuerySet[Checkin]:
    """The visible check-ins of one member, newest first."""
    return visible_checkins(user).filter(member=member).order_by("-checked_in_on", "-id")


def in_service_members(
    user: Viewer, *, community: Place | None = None, status: str = ""
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


def checkins_of(user: Viewer, members: Iterable[PartyMember]) -> dict[int, list[Checkin]]:
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


def gap_roots(user: Viewer) -> list[Place]:
    """The places whose gaps the user sees: the tops of their `party.view` scope."""
    return places.root_places(user, Action.PARTY_VIEW)


def get_gap_place(user: Viewer, pk: int) -> Place:
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


def building_heads(buildings: Iterable[Place]) -> dict[int, list[dict[str, Any]]]:
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
    result: dict[int, list[dict[str, Any]]] = {}
    for post in posts:
        if post.place_id is None:  # a building head's post always has a place
            continue
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


# --- 认岗认事认亲 and the vanguard index ----------------------------------------------
#
# The index of a member for a year, every number from the policy profile of the member's
# community (docs/vanguard.md):
#
#     service  = min(1, confirmed hours / vanguard.full_service_hours) × 100
#     tickets  = min(1, tickets resolved as handler / vanguard.full_tickets) × 100
#     claims   = min(1, claims held during the year / vanguard.full_claims) × 100
#     feedback = average rating (1–5) of those tickets / 5 × 100   (0 when none is rated)
#     index    = Σ weight × score / Σ weight   (weights vanguard.weight_*; 0 when they sum to 0)
#
# The writes (claims, service records, publishing, confirming) are in gongzhi/party/vanguard.py.

CARE_TAGS = (
    Tag.LIVING_ALONE,
    Tag.DISABLED,
    Tag.LOW_INCOME,
    Tag.KEY_CARE,
    Tag.SERIOUS_ILLNESS,
    Tag.LEFT_BEHIND_CHILD,
)

# Tickets a member resolved in a year come from the tickets app, which sits above the party
# registry: it installs this provider in TicketsConfig.ready() (user ids, year) ->
# {user id: {"n": tickets, "avg": mean rating or None}}. Without it no ticket counts.
TicketFigures = Callable[[list[int], int], dict[int, dict[str, Any]]]
_ticket_provider: TicketFigures | None = None


def set_ticket_provider(provider: TicketFigures | None) -> None:
    global _ticket_provider
    _ticket_provider = provider


def _ticket_figures(user_ids: list[int], year: int) -> dict[int, dict[str, Any]]:
    return _ticket_provider(user_ids, year) if _ticket_provider and user_ids else {}


WEIGHT_KEYS = {
    "service": "vanguard.weight_service",
    "tickets": "vanguard.weight_tickets",
    "claims": "vanguard.weight_claims",
    "feedback": "vanguard.weight_feedback",
}


def _key(place: Place | None, key: str) -> float:
    return _key_of(profiles.effective_profile(place) if place is not None else None, key)


def _key_of(prof: profiles.Profile | None, key: str) -> float:
    value = prof.get(key) if prof is not None else None
    if value is None:
        value = profiles.SCHEMA[key].default
    return float(value) if value is not None else 0.0


def community_path(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/"


def member_of(user: Viewer) -> PartyMember | None:
    """The active party member behind a login (through its resident record), or None."""
    resident = resident_of(user)
    if resident is None:
        return None
    return (
        PartyMember.objects.filter(resident=resident, is_active=True).select_related("org").first()
    )


def member_community(member: PartyMember) -> Place | None:
    """Where the member serves: the community of the open check-in, else their own."""
    checkin = member.checkins.filter(ended_on__isnull=True).select_related("community").first()
    if checkin is not None:
        return checkin.community
    return Place.objects.filter(path=community_path(member.place_path)).first()


def care_families(community: Place) -> QuerySet[Resident]:
    """Residents with a care tag living in the community (the families to visit, 认亲)."""
    tagged = ResidentTag.objects.filter(tag__in=CARE_TAGS).values("resident_id")
    return Resident.objects.filter(
        pk__in=tagged, is_active=True, place_path__under=community.path
    ).order_by("place_path", "id")


def open_claims(member: PartyMember) -> list[VanguardClaim]:
    """The member's own claims that have not ended (the member's page)."""
    return list(
        VanguardClaim.objects.filter(member=member, ended_on__isnull=True).select_related(
            "service_post", "task", "family"
        )
    )


def open_posts(community: Place) -> QuerySet[ServicePost]:
    """The posts a member serving in `community` may claim."""
    return ServicePost.objects.filter(community=community, is_active=True)


def open_tasks(community: Place) -> QuerySet[CommunityTask]:
    """The tasks a member serving in `community` may claim."""
    return CommunityTask.objects.filter(community=community, is_open=True)


def member_records(member: PartyMember) -> QuerySet[ServiceRecord]:
    """The member's own service records (bounded by the caller)."""
    return ServiceRecord.objects.filter(member=member).select_related(
        "claim__service_post", "claim__task", "claim__family"
    )


def pending_records(user: Viewer) -> QuerySet[ServiceRecord]:
    """Service records waiting for confirmation where the user manages volunteer service."""
    return access.scoped(
        ServiceRecord.objects.filter(status=RecordStatus.PENDING),
        user,
        Action.VOLUNTEER_MANAGE,
        path_field="place_path",
    ).select_related("member__resident", "claim__service_post", "claim__task", "claim__family")


def publish_communities(user: Viewer) -> QuerySet[Place]:
    """The communities where the user may publish posts and tasks."""
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.COMMUNITY), user, Action.VOLUNTEER_MANAGE
    ).order_by("path")


def get_publish_community(user: Viewer, pk: int) -> Place:
    """A community where the user may publish posts and tasks, or 404."""
    return get_object_or_404(publish_communities(user), pk=pk)


@dataclass
class Component:
    name: str
    label: str
    raw: float
    full: float
    exact: float  # the unrounded score; `score` is what the page shows
    weight: float

    @property
    def score(self) -> float:
        return _one_decimal(self.exact)


@dataclass
class Index:
    member: PartyMember
    year: int
    components: list[Component] = field(default_factory=list)
    value: float = 0.0
    hours: float = 0.0
    tickets: int = 0
    claims: int = 0
    rating: float | None = None


def _capped(raw: float, full: float) -> float:
    return min(1.0, raw / full) * 100 if full > 0 else 0.0


def _one_decimal(value: float) -> float:
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def indices(members: list[PartyMember], year: int) -> list[Index]:
    """The index of each member for `year`, in a fixed number of queries (grouped sums)."""
    if not members:
        return []
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    ids = [m.pk for m in members]
    minutes = dict(
        ServiceRecord.objects.filter(
            member_id__in=ids, status=RecordStatus.CONFIRMED, served_on__range=(start, end)
        )
        .values("member_id")
        .annotate(s=Sum("minutes"))
        .values_list("member_id", "s")
    )
    claims = dict(
        VanguardClaim.objects.filter(member_id__in=ids, claimed_on__lte=end)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values("member_id")
        .annotate(n=Count("id"))
        .values_list("member_id", "n")
    )
    users: dict[int, int | None] = dict(
        Resident.objects.filter(pk__in=[m.resident_id for m in members]).values_list(
            "pk", "user_id"
        )
    )
    ticket_rows = _ticket_figures([u for u in users.values() if u], year)
    # The community whose profile applies: an in-service member's check-in, else their own.
    served = dict(
        Checkin.objects.filter(member_id__in=ids, ended_on__isnull=True).values_list(
            "member_id", "place_path"
        )
    )
    home = {m.pk: community_path(served.get(m.pk) or m.place_path) for m in members}
    places_by_path = {p.path: p for p in Place.objects.filter(path__in=set(home.values()))}
    settings_cache: dict[str, dict[str, float]] = {}
    result = []
    for member in members:
        cpath = home[member.pk]
        if cpath not in settings_cache:
            place = places_by_path.get(cpath)
            # One profile read per community (not one per key).
            prof = profiles.effective_profile(place) if place is not None else None
            settings_cache[cpath] = {
                k: _key_of(prof, k)
                for k in (
                    *WEIGHT_KEYS.values(),
                    "vanguard.full_service_hours",
                    "vanguard.full_tickets",
                    "vanguard.full_claims",
                )
            }
        conf = settings_cache[cpath]
        user_id = users.get(member.resident_id)
        row = ticket_rows.get(user_id, {}) if user_id is not None else {}
        hours = (minutes.get(member.pk) or 0) / 60
        n_tickets = row.get("n", 0)
        rating = float(row["avg"]) if row.get("avg") is not None else None
        n_claims = claims.get(member.pk, 0)
        comps = [
            Component(
                "service",
                _("Service hours"),
                round(hours, 2),
                conf["vanguard.full_service_hours"],
                _capped(hours, conf["vanguard.full_service_hours"]),
                conf[WEIGHT_KEYS["service"]],
            ),
            Component(
                "tickets",
                _("Tickets resolved"),
                n_tickets,
                conf["vanguard.full_tickets"],
                _capped(n_tickets, conf["vanguard.full_tickets"]),
                conf[WEIGHT_KEYS["tickets"]],
            ),
            Component(
                "claims",
                _("Posts, tasks and families claimed"),
                n_claims,
                conf["vanguard.full_claims"],
                _capped(n_claims, conf["vanguard.full_claims"]),
                conf[WEIGHT_KEYS["claims"]],
            ),
            Component(
                "feedback",
                _("Residents' average rating"),
                round(rating or 0, 2),
                5,
                (rating or 0) / 5 * 100,
                conf[WEIGHT_KEYS["feedback"]],
            ),
        ]
        total = sum(c.weight for c in comps)
        value = _one_decimal(sum(c.weight * c.exact for c in comps) / total) if total else 0.0
        result.append(
            Index(member, year, comps, value, round(hours, 2), n_tickets, n_claims, rating)
        )
    return result


def index_for(member: PartyMember, year: int) -> Index:
    return indices([member], year)[0]


def ranking(user: Viewer, year: int, community: Place | None = None) -> list[Index]:
    """Members in the viewer's scope (VANGUARD_VIEW), best index first."""
    checkins = access.scoped(
        Checkin.objects.filter(ended_on__isnull=True),
        user,
        Action.VANGUARD_VIEW,
        path_field="place_path",
    ).values("member_id")
    scope = access.scope_q(user, Action.VANGUARD_VIEW, path_field="place_path")
    qs = (
        PartyMember.objects.filter(is_active=True)
        .filter(scope | Q(pk__in=checkins))
        .select_related("resident")
    )
    if community is not None:
        checked_in = Checkin.objects.filter(community=community, ended_on__isnull=True).values(
            "member_id"
        )
        qs = qs.filter(Q(place_path__under=community.path) | Q(pk__in=checked_in))
    rows = indices(list(qs), year)
    rows.sort(key=lambda r: (-r.value, r.member.pk))
    return rows


# --- Structures: committee members and bodies (issue 23 item 1) ------------------------------

# A lower app cannot read the estates app: it tells the registry where its own list of bodies
# without a party organisation is (owners' committees, property companies), and how many.
UnorganisedElsewhere = Callable[[Viewer], list[tuple[str, str, int]]]
_elsewhere: list[UnorganisedElsewhere] = []


def add_unorganised_provider(provider: UnorganisedElsewhere) -> None:
    """Register a provider of (label, url, count) rows: bodies another app keeps that have
    no party organisation (gongzhi/estates: owners' committees and property companies)."""
    if provider not in _elsewhere:
        _elsewhere.append(provider)


def unorganised_elsewhere(user: Viewer) -> list[tuple[str, str, int]]:
    return [row for provider in _elsewhere for row in provider(user)]


def committee_members(
    user: Viewer, org: PartyOrg, *, former: bool = False
) -> QuerySet[CommitteeMember]:
    qs = access.scoped(
        CommitteeMember.objects.filter(org=org), user, Action.PARTY_VIEW, "place_path"
    )
    qs = qs.filter(ended_on__isnull=not former)
    rank = Case(
        When(duty=CommitteeDuty.SECRETARY, then=Value(0)),
        When(duty=CommitteeDuty.DEPUTY, then=Value(1)),
        default=Value(2),
    )
    return qs.order_by(rank, "part_time", "name", "id")


def visible_committee_members(user: Viewer) -> QuerySet[CommitteeMember]:
    return access.scoped(
        CommitteeMember.objects.select_related("org"), user, Action.PARTY_VIEW, "place_path"
    ).order_by("place_path", "org_id", "ended_on", "name", "id")


def get_committee_member(user: Viewer, pk: int) -> CommitteeMember:
    return get_object_or_404(visible_committee_members(user), pk=pk)


def visible_bodies(user: Viewer) -> QuerySet[Body]:
    return access.scoped(
        Body.objects.select_related("community", "org"), user, Action.PARTY_VIEW, "place_path"
    ).order_by("place_path", "name", "id")


def get_body(user: Viewer, pk: int) -> Body:
    return get_object_or_404(visible_bodies(user), pk=pk)


def bodies_of(user: Viewer, org: PartyOrg) -> QuerySet[Body]:
    """The bodies `org` covers (alone, jointly with others, or by affiliation)."""
    return visible_bodies(user).filter(org=org)


def bodies_without_org(user: Viewer) -> QuerySet[Body]:
    return visible_bodies(user).filter(org__isnull=True)


def covering_choices(user: Viewer, community: Place | None) -> QuerySet[PartyOrg]:
    """Organisations the user edits that may cover a body of `community` (None: of any
    community): its branches, general branches and community party committee."""
    from gongzhi.party.services import COVERING_KINDS

    qs = access.scoped(PartyOrg.objects.all(), user, Action.PARTY_EDIT, "place_path").filter(
        kind__in=list(COVERING_KINDS)
    )
    if community is not None:
        qs = qs.filter(place_path__under=community.path)
    return qs.order_by("place_path", "kind", "name")


def body_communities(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.COMMUNITY), user, Action.PARTY_EDIT, "path"
    ).order_by("path")
