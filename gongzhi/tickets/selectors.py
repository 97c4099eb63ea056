"""Reads of tickets, always narrowed to what the user may see.

Who sees a ticket:
- staff with `ticket.view` in scope of its place (grid worker: their grid; community staff:
  their community; street and district officers: their area) — `access.scoped` on place_path;
- its submitter (a resident sees only their own tickets);
- its current handler (a party member, property company, partner unit… it was handed to);
- party members (`ticket.take`): the pool of their community.
Everything else does not exist for the user (404).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression, Expression
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.core import access, clock
from gongzhi.core.gates import roles_with
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets import routing, workflow
from gongzhi.tickets.models import (
    Category,
    HandlerKind,
    PhotoStage,
    Status,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from gongzhi.tickets.workflow import Step

LIST_RELATED = ("category", "place", "handler_user", "submitter", "grid")


def _scope(user: Viewer, action: str) -> Q | None:
    """The scope filter for `action`; None when the user may see everything."""
    if any(g.everything for g in access.grants(user, action)):
        return None
    return access.scope_q(user, action, path_field="place_path")


def visibility_q(user: Viewer) -> Q | None:
    """A Q keeping the tickets the user may see; None for everything."""
    if not isinstance(user, User) or not user.is_authenticated:
        return Q(pk__in=[])
    area = _scope(user, Action.TICKET_VIEW)
    if area is None:
        return None
    q = area | Q(submitter=user) | Q(handler_user=user)
    if access.has_any(user, Action.TICKET_TAKE):
        pool_area = _scope(user, Action.TICKET_TAKE)
        q |= Q(status=Status.POOLED) if pool_area is None else Q(status=Status.POOLED) & pool_area
    return q


def visible_tickets(user: Viewer) -> QuerySet[Ticket]:
    q = visibility_q(user)
    qs = Ticket.objects.all()
    return qs if q is None else qs.filter(q)


def get_ticket(user: Viewer, pk: int) -> Ticket:
    """A ticket the user may see, or 404."""
    return get_object_or_404(visible_tickets(user).select_related(*LIST_RELATED), pk=pk)


def lost_take(user: Viewer, pk: int | str, step: str) -> bool:
    """A party member who tried to take a ticket that another one took just before: no
    longer in the pool, so no longer visible to them — but they must hear that it was taken,
    not that it does not exist (the state check then raises AlreadyTaken)."""
    if step != Step.TAKE or not str(pk).isdigit():
        return False
    row = (
        Ticket.objects.filter(pk=int(pk), handler_kind=HandlerKind.PARTY_MEMBER)
        .exclude(status__in=(Status.POOLED, *workflow.TERMINAL))
        .values_list("place_path", flat=True)
        .first()
    )
    return row is not None and access.can(user, Action.TICKET_TAKE, row)


def ticket_for_step(user: Viewer, pk: int | str, step: str) -> Ticket:
    """The ticket a page or API step is made on: one the user may see (404 otherwise) — or,
    for a take lost to another party member, the ticket all the same, so that the step answers
    "already taken" rather than "not found"."""
    if not str(pk).isdigit():
        raise Http404
    try:
        return get_ticket(user, int(pk))
    except Http404:
        if not lost_take(user, pk, step):
            raise
        return Ticket.objects.select_related(*LIST_RELATED).get(pk=int(pk))


def with_overdue(qs: QuerySet[Ticket]) -> QuerySet[Any]:
    """Annotate `overdue`: a deadline has passed and was not met (open tickets only). Typed as
    a queryset of any row, so that the type checker lets callers filter and order by it."""
    now = clock.now()
    done = (*workflow.TERMINAL, Status.RESOLVED, Status.CONFIRMED)
    open_states = [s for s in Status.values if s not in done]
    return qs.annotate(
        overdue=Case(
            When(
                Q(status__in=open_states)
                & (
                    Q(responded_at__isnull=True, response_due__lt=now)
                    | Q(resolved_at__isnull=True, resolve_due__lt=now)
                ),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def my_tickets(user: User) -> QuerySet[Ticket]:
    """A resident's own tickets, newest first."""
    return Ticket.objects.filter(submitter=user).select_related(*LIST_RELATED)


def grid_queue(user: Viewer) -> QuerySet[Ticket]:
    """The grid worker's queue: tickets at grid level not yet resolved — supervised and overdue
    first, then new ones, then the oldest."""
    area = _scope(user, Action.TICKET_ACCEPT)
    qs = Ticket.objects.filter(status__in=workflow.GRID_STATES)
    if area is not None:
        qs = qs.filter(area)
    return (
        with_overdue(qs)
        .annotate(
            is_new=Case(
                When(status=Status.SUBMITTED, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .select_related(*LIST_RELATED)
        .order_by("-supervised", "-overdue", "-is_new", "created_at", "id")
    )


def dispatch_board(user: Viewer) -> QuerySet[Ticket]:
    """Tickets waiting for the community or street: escalated, returned, pooled, at street."""
    area = _scope(user, Action.TICKET_DISPATCH)
    qs = Ticket.objects.filter(status__in=(*workflow.WAITING_STATES, Status.ESCALATED_TO_STREET))
    if area is not None:
        qs = qs.filter(area)
    return (
        with_overdue(qs)
        .select_related(*LIST_RELATED)
        .order_by("-supervised", "-overdue", "created_at", "id")
    )


@dataclass(frozen=True)
class Home:
    """Where a person lives, for "the pool near me": their home building's grid and the point
    of the building (its centre), else of the grid; lat/lng None when neither has one."""

    grid_id: int | None
    lat: float | None
    lng: float | None


def member_home(user: User) -> Home | None:
    """The user's home: the household of a resident post, else of their resident record
    (people.Resident.user). At most two queries (none for the post, which is cached)."""
    from gongzhi.people.models import Resident

    path = next(
        (
            post.household.place_path
            for post in access.active_posts(user)
            if post.role == Role.RESIDENT and post.household is not None
        ),
        None,
    )
    if path is None:
        path = (
            Resident.objects.filter(user=user, is_active=True, household__isnull=False)
            .order_by("id")
            .values_list("household__place_path", flat=True)
            .first()
        )
    if not path:
        return None
    parts = [p for p in path.split("/") if p]
    grid_path = "/".join(parts[: routing.GRID_DEPTH + 1]) + "/"
    rows = {
        r["path"]: r
        for r in Place.objects.filter(path__in={path, grid_path}).values(
            "pk", "path", "kind", "centre_lat", "centre_lng"
        )
    }
    grid = rows.get(grid_path) if len(parts) > routing.GRID_DEPTH else None
    if grid is not None and grid["kind"] != PlaceKind.GRID:
        grid = None
    point = next(
        (
            (float(r["centre_lat"]), float(r["centre_lng"]))
            for r in (rows.get(path), grid)
            if r and r["centre_lat"] is not None and r["centre_lng"] is not None
        ),
        (None, None),
    )
    return Home(grid_id=grid["pk"] if grid else None, lat=point[0], lng=point[1])


def _ticket_point(field: str) -> Cast:
    """The ticket's own point, else its place's centre, else its grid's (as on the map)."""
    return Cast(
        Coalesce(F(field), F(f"place__centre_{field}"), F(f"grid__centre_{field}")),
        FloatField(),
    )


def nearest_first(qs: QuerySet[Ticket], home: Home | None) -> QuerySet[Ticket]:
    """Order by closeness to `home`: tickets in the home grid first (`in_my_grid`), then by
    distance from the home point (`distance2`: squared degrees on a local flat projection,
    enough to order and to show "about 300 m" at city scale; tickets without a point last),
    then the oldest first. One query, like the plain list."""
    if home is None:
        return qs.annotate(
            in_my_grid=Value(False, output_field=BooleanField()),
            distance2=Value(None, output_field=FloatField()),
        ).order_by("created_at", "id")
    mine = (
        Case(
            When(grid_id=home.grid_id, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        if home.grid_id
        else Value(False, output_field=BooleanField())
    )
    distance2: Expression
    if home.lat is None or home.lng is None:
        distance2 = Value(None, output_field=FloatField())
    else:
        shrink = math.cos(math.radians(home.lat))  # a degree of longitude is shorter

        def dy() -> CombinedExpression:
            return _ticket_point("lat") - Value(home.lat)

        def dx() -> CombinedExpression:
            return (_ticket_point("lng") - Value(home.lng)) * Value(shrink)

        distance2 = ExpressionWrapper(dx() * dx() + dy() * dy(), output_field=FloatField())
    return qs.annotate(in_my_grid=mine, distance2=distance2).order_by(
        F("in_my_grid").desc(), F("distance2").asc(nulls_last=True), "created_at", "id"
    )


_HOME_UNKNOWN = object()


def pool(user: User, home: Home | None | object = _HOME_UNKNOWN) -> QuerySet[Ticket]:
    """The pool a party member may take from: pooled tickets of their community, nearest
    first (`nearest_first` from `member_home`; the oldest first when the home is unknown)."""
    area = _scope(user, Action.TICKET_TAKE)
    if not access.has_any(user, Action.TICKET_TAKE):
        return Ticket.objects.none()
    qs = Ticket.objects.filter(status=Status.POOLED)
    if area is not None:
        qs = qs.filter(area)
    where = member_home(user) if home is _HOME_UNKNOWN else home
    return nearest_first(
        qs.select_related(*LIST_RELATED), where if isinstance(where, Home) else None
    )


def handled_by(user: User) -> QuerySet[Ticket]:
    """Tickets handed to the user (taken from the pool or dispatched), still open."""
    return (
        Ticket.objects.filter(handler_user=user, status__in=workflow.IN_HANDS)
        .select_related(*LIST_RELATED)
        .order_by("resolve_due", "id")
    )


def supervised(user: Viewer) -> QuerySet[Ticket]:
    return (
        visible_tickets(user)
        .filter(supervised=True)
        .exclude(status__in=workflow.TERMINAL)
        .select_related(*LIST_RELATED)
        .order_by("resolve_due", "id")
    )


def history(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("at", "id")


def merged_into(user: Viewer, ticket: Ticket) -> dict | None:
    """The ticket a merged one joined: its number always, a link when the user may see it."""
    if not ticket.merged_into_id:
        return None
    target = Ticket.objects.only("pk", "number").get(pk=ticket.merged_into_id)
    visible = visible_tickets(user).filter(pk=target.pk).exists()
    return {"number": target.number, "pk": target.pk if visible else None}


def merge_candidate(user: Viewer, ticket: Ticket, number: str) -> Ticket | None:
    """The ticket numbered `number` in `ticket`'s community that the user sees, or None."""
    parts = ticket.place_path.strip("/").split("/")
    community = "/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/"
    return visible_tickets(user).filter(number=number, place_path__startswith=community).first()


def get_photo(user: Viewer, pk: int, photo_id: int) -> TicketPhoto:
    """A photo of a ticket the user may see (404 otherwise, like the ticket)."""
    return get_object_or_404(TicketPhoto, pk=photo_id, ticket=get_ticket(user, pk))


# --------------------------------------------------------------------------- Open311 reads
# gongzhi/tickets/open311.py (GeoReport v2): the requests a key or session holder may see, the
# public ones, the services (active categories) and the place an address_id names.

OPEN311_RELATED = ("category", "place", "grid", "handler_place", "merged_into")
OPEN311_PUBLIC_RELATED = ("category", "grid", "handler_place", "merged_into")


def _first_photo() -> Prefetch:
    """A request's intake photos, oldest first, as `intake_photos` (its media_url is the first)."""
    return Prefetch(
        "photos",
        queryset=TicketPhoto.objects.filter(stage=PhotoStage.INTAKE).order_by("id"),
        to_attr="intake_photos",
    )


def open311_requests(user: Viewer) -> QuerySet[Ticket]:
    """The tickets the user may see, with what a GeoReport v2 request row shows."""
    return visible_tickets(user).select_related(*OPEN311_RELATED).prefetch_related(_first_photo())


def public_requests() -> QuerySet[Ticket]:
    """The tickets anyone may list without signing in: all but anonymous reports."""
    return Ticket.objects.filter(anonymous=False).select_related(*OPEN311_PUBLIC_RELATED)


def active_categories() -> QuerySet[Category]:
    """The categories open for new tickets (Open311 services; category names are public)."""
    return Category.objects.filter(is_active=True).select_related("parent")


def active_category(code: str) -> Category | None:
    """The active category with this code, or None."""
    return Category.objects.filter(code=code, is_active=True).first()


def place_by_id(pk: int) -> Place | None:
    """The place with this id (an Open311 address_id), or None. Submitting checks that the
    submitter may report there (services.submit)."""
    return Place.objects.filter(pk=pk).first()


def category_tree() -> list[Category]:
    """Every category, each parent followed by its children (by order, then name), with
    `depth`, `used` (some ticket has it), `child_count` and `deletable` (neither used nor a
    parent: what services.delete_category accepts). One query: the tree is small
    (tens to a few hundred nodes) and shown whole."""
    rows = list(
        Category.objects.annotate(used=Exists(Ticket.objects.filter(category=OuterRef("pk"))))
        .select_related("parent")
        .order_by("sort", "name", "id")
    )
    children: dict[int | None, list[Category]] = {}
    for row in rows:
        children.setdefault(row.parent_id, []).append(row)
    ordered: list[Category] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int) -> None:
        for row in children.get(parent_id, []):
            if row.pk in seen:
                continue
            seen.add(row.pk)
            row.depth, row.child_count = depth, len(children.get(row.pk, []))  # type: ignore[attr-defined]
            row.deletable = not row.used and not row.child_count  # type: ignore[attr-defined]
            ordered.append(row)
            walk(row.pk, depth + 1)

    walk(None, 0)
    return ordered


def get_category(pk: int) -> Category:
    return get_object_or_404(Category.objects.select_related("parent"), pk=pk)


# --------------------------------------------------------------------------- for the pages


def steps_for(user: Viewer, ticket: Ticket) -> list[str]:
    """The manual steps the table allows from the ticket's state (`workflow.steps_from`, as in
    the API) that this user's role could make on it — which buttons a page shows. The service
    still checks everything when the step is asked for."""
    steps = []
    for step in workflow.steps_from(ticket.status):
        rule = workflow.TRANSITIONS[(ticket.status, step)]
        if rule.permissions and not any(
            access.can(user, p, ticket.place_path) for p in rule.permissions
        ):
            continue
        if rule.condition == "handler" and ticket.handler_user_id != user.pk:
            continue
        if rule.condition == "rater":
            if ticket.submitter_id and ticket.submitter_id != user.pk:
                continue
            if not ticket.submitter_id and not (
                access.can(user, Action.TICKET_DISPATCH, ticket.place_path)
                or access.can(user, Action.TICKET_ACCEPT, ticket.place_path)
            ):
                continue
        if rule.condition == "unsatisfied" and (
            ticket.rating is None or ticket.rating > workflow.UNSATISFIED_MAX
        ):
            continue
        steps.append(step)
    return steps


def overdue(user: Viewer) -> QuerySet[Ticket]:
    """Open tickets the user may see whose response or resolution deadline has passed."""
    return (
        with_overdue(visible_tickets(user))
        .filter(overdue=True)
        .select_related(*LIST_RELATED)
        .order_by("resolve_due", "id")
    )


def community_pool(user: Viewer) -> QuerySet[Ticket]:
    """The pool as the community sees it: pooled tickets in the dispatcher's area."""
    area = _scope(user, Action.TICKET_DISPATCH)
    qs = Ticket.objects.filter(status=Status.POOLED)
    if area is not None:
        qs = qs.filter(area)
    return qs.select_related(*LIST_RELATED).order_by("created_at", "id")


HANDLER_CHOICE_LIMIT = 200


def handler_candidates(ticket: Ticket) -> QuerySet[Post]:
    """Posts whose holder could be handed the ticket (the kinds of services.HANDLER_ROLES):
    posts at the ticket's place or above it, and posts anywhere in its community. A short,
    bounded list for a select box; services.dispatch checks the choice again."""
    roles = roles_with(Action.TICKET_RECEIVE_DISPATCH)  # the permission matrix says who
    parts = [p for p in ticket.place_path.split("/") if p]
    ancestors = ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
    community = ancestors[access.COMMUNITY_DEPTH] if len(ancestors) > access.COMMUNITY_DEPTH else ""
    q = Q(place__path__in=ancestors)
    if community:
        q |= Q(place__path__startswith=community)
    return (
        Post.objects.filter(q, is_active=True, role__in=roles, user__is_active=True)
        .select_related("user", "place")
        .order_by("role", "user__name", "id")[:HANDLER_CHOICE_LIMIT]
    )


# States in which a ticket counts as resolved by its handler (the vanguard index's ticket part).
RESOLVED_STATUSES = ("resolved", "confirmed", "closed")


def resolved_by_handlers(user_ids: list[int], year: int) -> dict[int, dict[str, Any]]:
    """Per handler: tickets resolved in `year` and their mean rating — one query. Installed into
    the party registry's vanguard index (party.vanguard.set_ticket_provider)."""
    return {
        row["handler_user_id"]: dict(row)
        for row in Ticket.objects.filter(
            handler_user_id__in=user_ids, status__in=RESOLVED_STATUSES, resolved_at__year=year
        )
        .values("handler_user_id")
        .annotate(n=Count("id"), avg=Avg("rating"))
    }
