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

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.shortcuts import get_object_or_404

from gongzhi.core import access, clock
from gongzhi.core.roles import Action
from gongzhi.tickets import workflow
from gongzhi.tickets.models import Notification, Status, Ticket, TicketEvent

LIST_RELATED = ("category", "place", "handler_user", "submitter", "grid")


def _scope(user, action: str) -> Q | None:
    """The scope filter for `action`; None when the user may see everything."""
    if any(g.everything for g in access.grants(user, action)):
        return None
    return access.scope_q(user, action, path_field="place_path")


def visibility_q(user) -> Q | None:
    """A Q keeping the tickets the user may see; None for everything."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    area = _scope(user, Action.TICKET_VIEW)
    if area is None:
        return None
    q = area | Q(submitter=user) | Q(handler_user=user)
    if access.has_any(user, Action.TICKET_TAKE):
        pool_area = _scope(user, Action.TICKET_TAKE)
        q |= Q(status=Status.POOLED) if pool_area is None else Q(status=Status.POOLED) & pool_area
    return q


def visible_tickets(user) -> QuerySet[Ticket]:
    q = visibility_q(user)
    qs = Ticket.objects.all()
    return qs if q is None else qs.filter(q)


def get_ticket(user, pk: int) -> Ticket:
    """A ticket the user may see, or 404."""
    return get_object_or_404(visible_tickets(user).select_related(*LIST_RELATED), pk=pk)


def with_overdue(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate `overdue`: a deadline has passed and was not met (open tickets only)."""
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


def my_tickets(user) -> QuerySet[Ticket]:
    """A resident's own tickets, newest first."""
    return Ticket.objects.filter(submitter=user).select_related(*LIST_RELATED)


def grid_queue(user) -> QuerySet[Ticket]:
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


def dispatch_board(user) -> QuerySet[Ticket]:
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


def pool(user) -> QuerySet[Ticket]:
    """The pool a party member may take from: pooled tickets of their community."""
    area = _scope(user, Action.TICKET_TAKE)
    if not access.has_any(user, Action.TICKET_TAKE):
        return Ticket.objects.none()
    qs = Ticket.objects.filter(status=Status.POOLED)
    if area is not None:
        qs = qs.filter(area)
    return qs.select_related(*LIST_RELATED).order_by("created_at", "id")


def handled_by(user) -> QuerySet[Ticket]:
    """Tickets handed to the user (taken from the pool or dispatched), still open."""
    return (
        Ticket.objects.filter(handler_user=user, status__in=workflow.IN_HANDS)
        .select_related(*LIST_RELATED)
        .order_by("resolve_due", "id")
    )


def supervised(user) -> QuerySet[Ticket]:
    return (
        visible_tickets(user)
        .filter(supervised=True)
        .exclude(status__in=workflow.TERMINAL)
        .select_related(*LIST_RELATED)
        .order_by("resolve_due", "id")
    )


def history(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("at", "id")


def notifications(user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(user=user).select_related("ticket")
    return qs.filter(read=False) if unread_only else qs


# --------------------------------------------------------------------------- for the pages


def steps_for(user, ticket: Ticket) -> list[str]:
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


def overdue(user) -> QuerySet[Ticket]:
    """Open tickets the user may see whose response or resolution deadline has passed."""
    return (
        with_overdue(visible_tickets(user))
        .filter(overdue=True)
        .select_related(*LIST_RELATED)
        .order_by("resolve_due", "id")
    )


def community_pool(user) -> QuerySet[Ticket]:
    """The pool as the community sees it: pooled tickets in the dispatcher's area."""
    area = _scope(user, Action.TICKET_DISPATCH)
    qs = Ticket.objects.filter(status=Status.POOLED)
    if area is not None:
        qs = qs.filter(area)
    return qs.select_related(*LIST_RELATED).order_by("created_at", "id")


HANDLER_CHOICE_LIMIT = 200


def handler_candidates(ticket: Ticket):
    """Posts whose holder could be handed the ticket (the kinds of services.HANDLER_ROLES):
    posts at the ticket's place or above it, and posts anywhere in its community. A short,
    bounded list for a select box; services.dispatch checks the choice again."""
    from gongzhi.core.models import Post
    from gongzhi.core.roles import Role

    roles = (
        Role.PARTY_MEMBER,
        Role.VOLUNTEER,
        Role.PROPERTY_STAFF,
        Role.PARTNER_CONTACT,
        Role.STREET_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.GRID_WORKER,
    )
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
