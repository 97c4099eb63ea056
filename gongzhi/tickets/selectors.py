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
