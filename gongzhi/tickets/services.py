"""Every write to tickets. One function per step of the workflow; each is one transaction that
locks the ticket row, checks the step against the transition table (workflow.py), checks the
actor's right through the access module, sets deadlines, writes a TicketEvent, an audit record
and notifications. A refused step raises and changes nothing:
- Http404: the ticket is not visible to the actor;
- workflow.IllegalTransition (409 in the API): not possible from the current state
  (workflow.AlreadyTaken when another party member took it first);
- PermissionDenied (403): visible, but the actor's role may not make this step;
- ValidationError (400): bad input (empty note, rating out of range, unknown handler…).

Concurrency: the row lock (SELECT … FOR UPDATE on PostgreSQL; on SQLite every write
transaction is BEGIN IMMEDIATE, so writers queue) means two party members taking the same
pooled ticket are serialised: the second sees "taken" and gets AlreadyTaken.

Notifications go through notify.py to the kernel's centre (gongzhi.core.notifications), category
administration lives in categories.py; both are re-exported here (`services.create_category`,
`services.read_notification`, ...) for callers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.access import Grant
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.places.models import Place
from gongzhi.tickets import deadlines, routing, selectors, signals, workflow
from gongzhi.tickets import photos as photo_files
from gongzhi.tickets.categories import (  # noqa: F401 — re-exported for callers
    CATEGORY_CODE_RE,
    CATEGORY_EDITABLE,
    CATEGORY_FIELDS,
    CATEGORY_HOURS_MAX,
    CATEGORY_NAME_MAX,
    activate_category,
    create_category,
    deactivate_category,
    delete_category,
    update_category,
)
from gongzhi.tickets.ledger import phone_tail_of
from gongzhi.tickets.models import (
    Category,
    Channel,
    HandlerKind,
    Kind,
    Level,
    PhotoStage,
    Priority,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from gongzhi.tickets.notify import (  # noqa: F401 — read_* re-exported for callers
    _notify,
    read_all_notifications,
    read_notification,
)
from gongzhi.tickets.workflow import Step

# A step's change to the locked ticket: (details for its history, whom to tell).
Applied = tuple[dict[str, Any], Sequence[int | None]]
TicketRef = Ticket | int  # a step takes the ticket or its id
Coordinate = Decimal | float | None

TEXT_MAX = 2000
NOTE_MAX = 2000
AUDITED_FIELDS = [
    "status",
    "level",
    "handler_kind",
    "handler_user_id",
    "handler_place_id",
    "supervised",
    "rating",
    "merged_into_id",
]

# Who may be dispatched a ticket, by handler kind: the roles whose posts qualify.
HANDLER_ROLES: dict[str, tuple[str, ...]] = {
    HandlerKind.PARTY_MEMBER: (Role.PARTY_MEMBER,),
    HandlerKind.VOLUNTEER_TEAM: (Role.VOLUNTEER,),
    HandlerKind.PROPERTY_COMPANY: (Role.PROPERTY_STAFF,),
    HandlerKind.PARTNER_UNIT: (Role.PARTNER_CONTACT,),
    HandlerKind.DEPARTMENT: (Role.STREET_OFFICER, Role.DISTRICT_OFFICER),
    HandlerKind.GRID_WORKER: (Role.GRID_WORKER,),
    HandlerKind.COMMUNITY: (Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY),
}
COMMUNITY_STAFF = (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER)
STAFF_CHANNELS = (Channel.PHONE, Channel.WALK_IN)


# --------------------------------------------------------------------------- helpers


def _number(day: dt.date) -> str:
    """The next readable number of the day, GZ-YYYYMMDD-NNNN. The counter row is updated
    inside the caller's transaction, so concurrent submissions queue on it (row lock on
    PostgreSQL, the write lock on SQLite) and never get the same number."""
    updated = TicketCounter.objects.filter(day=day).update(last=F("last") + 1)
    if not updated:
        try:
            with transaction.atomic():
                TicketCounter.objects.create(day=day, last=1)
        except IntegrityError:  # a concurrent first ticket of the day created the row
            TicketCounter.objects.filter(day=day).update(last=F("last") + 1)
    last = TicketCounter.objects.get(day=day).last
    return f"GZ-{day:%Y%m%d}-{last:04d}"


def _clean_note(note: str | None, required: bool, field: str = "note") -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({field: _("Please write a note for this step.")})
    if len(note) > NOTE_MAX:
        raise ValidationError(
            {field: _("The note is too long (at most %(n)s characters).") % {"n": NOTE_MAX}}
        )
    return note


def _place_at(ticket: Ticket, level: str) -> Place | None:
    depths: dict[str, int] = {
        Level.GRID: routing.GRID_DEPTH,
        Level.COMMUNITY: routing.COMMUNITY_DEPTH,
    }
    depth = depths.get(level, routing.STREET_DEPTH)
    return routing.ancestor(ticket.place, depth)


def _staff_ids(place: Place | None, roles: Iterable[str]) -> list[int]:
    if place is None:
        return []
    return list(
        Post.objects.filter(place=place, role__in=list(roles), is_active=True).values_list(
            "user_id", flat=True
        )
    )


def _visible(actor: User, pk: int) -> bool:
    return selectors.visible_tickets(actor).filter(pk=pk).exists()


def lost_take(actor: User, pk: int, step: str) -> bool:
    """A take lost to another party member (selectors.lost_take)."""
    return selectors.lost_take(actor, pk, step)


def _lock(ticket: Ticket | int) -> Ticket:
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    return Ticket.objects.select_for_update().get(pk=pk)


def _authorise(actor: User, ticket: Ticket, rule: workflow.Rule) -> Grant | None:
    """The granting grant (or None for the submitter's own steps); raises 403."""
    if rule.permissions == (workflow.SYSTEM,):
        raise PermissionDenied(_("This step is made only by the system."))
    grant = None
    for permission in rule.permissions:
        grant = access.grant_for(actor, permission, ticket.place_path)
        if grant is not None:
            break
    if rule.permissions and grant is None:
        raise PermissionDenied(_("Your role may not take this step on this ticket."))
    if rule.condition == "handler" and ticket.handler_user_id != actor.pk:
        raise PermissionDenied(_("Only the person handling this ticket may do this."))
    if rule.condition == "rater":
        if ticket.submitter_id:
            if ticket.submitter_id != actor.pk:
                raise PermissionDenied(_("Only the person who submitted this ticket may rate it."))
        else:  # entered on someone's behalf: staff record the rating after a follow-up call
            grant = access.grant_for(
                actor, Action.TICKET_DISPATCH, ticket.place_path
            ) or access.grant_for(actor, Action.TICKET_ACCEPT, ticket.place_path)
            if grant is None:
                raise PermissionDenied(_("Your role may not take this step on this ticket."))
    if rule.condition == "unsatisfied" and (
        ticket.rating is None or ticket.rating > workflow.UNSATISFIED_MAX
    ):
        raise workflow.IllegalTransition(
            _("Only a ticket rated %(n)s stars or fewer can be reopened.")
            % {"n": workflow.UNSATISFIED_MAX}
        )
    return grant


def _record(
    ticket: Ticket,
    step: str,
    before: dict[str, Any],
    actor: User | None,
    post: Post | None,
    note: str,
    data: dict[str, Any],
    *,
    at: dt.datetime,
) -> None:
    TicketEvent.objects.create(
        ticket=ticket,
        action=step,
        from_status=before.get("status", ""),
        to_status=ticket.status,
        actor=actor,
        post=post,
        note=note,
        data=data,
        at=at,
    )
    audit.record(
        actor=actor,
        action=f"ticket.{step}",
        target=ticket,
        place_path=ticket.place_path,
        changes=audit.diff(ticket, before, AUDITED_FIELDS),
        post=post,
        reason=note,
    )


def _step(
    actor: User,
    ticket: Ticket | int,
    step: str,
    apply: Callable[[Ticket, dt.datetime, str], Applied],
    *,
    note: str = "",
    validate: Callable[[Ticket], None] | None = None,
) -> Ticket:
    """The one path by which a person changes a ticket's status."""
    pk = ticket.pk if isinstance(ticket, Ticket) else ticket
    with transaction.atomic():
        if not _visible(actor, pk) and not lost_take(actor, pk, step):
            raise Http404
        locked = _lock(pk)
        rule = workflow.rule_for(locked.status, step)
        grant = _authorise(actor, locked, rule)
        note = _clean_note(note, rule.note_required)
        if validate:
            validate(locked)
        now = clock.now()
        before = audit.snapshot(locked, AUDITED_FIELDS)
        locked.status = rule.target
        if locked.responded_at is None and step not in (Step.CONFIRM,):
            locked.responded_at = now
            locked.escalate_at = deadlines.after_response(locked, now)
        data, recipients = apply(locked, now, note)
        locked.updated_at = now
        locked.save()
        post = grant.post if grant else None
        _record(locked, step, before, actor, post, note, data, at=now)
        _notify(locked, step, [locked.submitter_id, *recipients], actor)
        signals.ticket_stepped.send(Ticket, ticket=locked, step=step, actor=actor, data=data)
    if isinstance(ticket, Ticket):
        ticket.refresh_from_db()
    return locked


def _hand_back(ticket: Ticket) -> list[int]:
    """Give the ticket back to its level's dispatcher; returns whom to tell."""
    if ticket.level == Level.STREET:
        street = _place_at(ticket, Level.STREET)
        ticket.handler_kind, ticket.handler_place = HandlerKind.STREET, street
        recipients = _staff_ids(street, (Role.STREET_OFFICER,))
    else:
        community = _place_at(ticket, Level.COMMUNITY)
        ticket.handler_kind, ticket.handler_place = HandlerKind.COMMUNITY, community
        ticket.level = Level.COMMUNITY
        recipients = _staff_ids(community, COMMUNITY_STAFF)
    ticket.handler_user = None
    return recipients


def _check_handler(ticket: Ticket, user: User | None, handler_kind: str) -> None:
    """The handler must hold a post of the kind's role that may handle tickets here."""
    roles = HANDLER_ROLES.get(handler_kind)
    if roles is None or handler_kind == HandlerKind.COMMUNITY:
        raise ValidationError({"handler_kind": _("Choose who should handle the ticket.")})
    if user is None or not user.is_active:
        raise ValidationError({"handler_user": _("Choose the person to hand the ticket to.")})
    access.forget_posts(user)
    for grant in access.grants(user, Action.TICKET_HANDLE):
        if grant.post is None or grant.post.role not in roles:
            continue
        if grant.everything or ticket.place_path.startswith(grant.path or ""):
            return
    raise ValidationError(
        {
            "handler_user": _("%(name)s is not a %(kind)s who can handle tickets at this place.")
            % {"name": user, "kind": HandlerKind(handler_kind).label}
        }
    )


# --------------------------------------------------------------------------- intake


def submit(
    *,
    actor: User,
    kind: str,
    category: Category,
    text: str,
    place: Place | None = None,
    priority: str | None = None,
    anonymous: bool = False,
    channel: str = Channel.ONLINE,
    on_behalf_of_name: str = "",
    lat: Coordinate = None,
    lng: Coordinate = None,
    photos: Sequence[IO[bytes] | None] | None = None,
    share_location: bool = False,
    prefer: str = "",
) -> Ticket:
    """A resident's request (online), a grid worker's patrol report (channel patrol), or a
    ticket staff enter for someone who phoned or walked in (channel phone / walk_in: no
    submitter account, `on_behalf_of_name` instead).

    Up to TICKET_PHOTO_MAX_COUNT photos; all are checked before anything is written (a bad one
    stops the submission). With `share_location`, the first photo's GPS position becomes the
    ticket's point when none was given. Without a chosen place, a point is routed to the grid
    whose boundary contains it (routing.grid_at), within the actor's area.

    A chosen place is never silently overridden by a point: when a point the person picked
    lies outside the chosen building's (or grid's) grid, the submission is refused with a
    question on `prefer` until they say which is right — "place" keeps the place and drops
    the point, "point" routes by the point instead."""
    prepared = photo_files.prepare(photos)
    from_photo = False
    if (lat is None or lng is None) and share_location:
        gps = photo_files.first_location(prepared)
        if gps is not None:
            (lat, lng), from_photo = gps, True
    with photo_files.files_removed_on_error() as written, transaction.atomic():
        ticket = _submit(
            actor,
            kind=kind,
            category=category,
            text=text,
            place=place,
            priority=priority,
            anonymous=anonymous,
            channel=channel,
            on_behalf_of_name=on_behalf_of_name,
            lat=lat,
            lng=lng,
            point_from_photo=from_photo,
            prefer=prefer,
        )
        if prepared:
            photo_files.attach(
                ticket,
                prepared,
                stage=PhotoStage.INTAKE,
                user=actor,
                event=ticket.events.order_by("id").first(),
                written=written,
            )
    return ticket


def _point_place(
    actor: User, lat: Decimal | float, lng: Decimal | float, action: str, from_photo: bool
) -> Place | None:
    """The grid containing the point, within the actor's area for `action`. A point the
    person picked must fall in a grid; a photo's position that does not is ignored."""
    for value, limit in ((lat, 90), (lng, 180)):
        if not -limit <= float(value) <= limit:
            raise ValidationError({"lat": _("The coordinates are out of range.")})
    grants = access.grants(actor, action)
    within = None if any(g.everything for g in grants) else [g.path for g in grants if g.path]
    if from_photo:
        return routing.grid_at(lat, lng, within)
    return routing.require_grid_at(lat, lng, within)


PREFER_PLACE, PREFER_POINT = "place", "point"


def _check_agreement(
    actor: User, place: Place, lat: Decimal | float, lng: Decimal | float, action: str
) -> None:
    """Refuse a point outside the chosen place's grid (when that grid has a boundary) with a
    question: which of the two is right?"""
    grid = routing.ancestor(place, routing.GRID_DEPTH)
    if grid is None or not grid.boundary:
        return
    for value, limit in ((lat, 90), (lng, 180)):
        if not -limit <= float(value) <= limit:
            raise ValidationError({"lat": _("The coordinates are out of range.")})
    grants = access.grants(actor, action)
    within = None if any(g.everything for g in grants) else [g.path for g in grants if g.path]
    at = routing.grid_at(lat, lng, within)
    if at is not None and at.pk == grid.pk:
        return
    if at is None:
        message = _(
            "The spot marked on the map is outside %(grid)s, where %(place)s is. "
            "Which one is right: the place you chose or the spot on the map?"
        ) % {"grid": grid.name, "place": place.name}
    else:
        message = _(
            "The spot marked on the map is in %(other)s, but %(place)s is in %(grid)s. "
            "Which one is right: the place you chose or the spot on the map?"
        ) % {"other": at.name, "place": place.name, "grid": grid.name}
    raise ValidationError({"prefer": message}, code="point_disagrees")


def _submit(
    actor: User,
    *,
    kind: str,
    category: Category,
    text: str,
    place: Place | None,
    priority: str | None,
    anonymous: bool,
    channel: str,
    on_behalf_of_name: str,
    lat: Coordinate,
    lng: Coordinate,
    point_from_photo: bool,
    prefer: str = "",
) -> Ticket:
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    staff_entry = channel in STAFF_CHANNELS or channel == Channel.PATROL
    if place is not None and lat is not None and lng is not None and not point_from_photo:
        action = Action.TICKET_ENTER if staff_entry else Action.TICKET_SUBMIT
        if prefer == PREFER_POINT:
            place = None
        elif prefer == PREFER_PLACE:
            lat = lng = None
        else:
            _check_agreement(actor, place, lat, lng, action)
    if place is None and lat is not None and lng is not None:
        action = Action.TICKET_ENTER if staff_entry else Action.TICKET_SUBMIT
        place = _point_place(actor, lat, lng, action, point_from_photo)
    if place is None and not staff_entry:
        place = _home_building(actor)
    if place is None:
        raise ValidationError({"place": _("Choose the building or grid the ticket is about.")})
    grant = access.require(
        actor,
        Action.TICKET_ENTER if staff_entry else Action.TICKET_SUBMIT,
        place.path,
        read_action=Action.TICKET_SUBMIT,
    )
    text = (text or "").strip()
    if not text:
        errors.setdefault("text", []).append(_("Please describe the matter."))
    elif len(text) > TEXT_MAX:
        errors.setdefault("text", []).append(
            _("The text is too long (at most %(n)s characters).") % {"n": TEXT_MAX}
        )
    if kind not in Kind.values:
        errors.setdefault("kind", []).append(_("Unknown kind of ticket."))
    if category is None or not category.is_active:
        errors.setdefault("category", []).append(_("Choose a category."))
    if priority is not None and priority not in Priority.values:
        errors.setdefault("priority", []).append(_("Unknown priority."))
    if anonymous and kind != Kind.REPORT:
        errors.setdefault("anonymous", []).append(_("Only a report may be anonymous."))
    if not routing.is_ticket_place(place):
        errors.setdefault("place", []).append(_("A ticket is about a building or a grid."))
    on_behalf_of_name = (on_behalf_of_name or "").strip()[:64]
    if channel in STAFF_CHANNELS and not on_behalf_of_name:
        errors.setdefault("on_behalf_of_name", []).append(
            _("Write the name of the person who phoned or came in.")
        )
    for name, value, limit in (("lat", lat, 90), ("lng", lng, 180)):
        if value is not None and not -limit <= float(value) <= limit:
            errors.setdefault(name, []).append(_("The coordinates are out of range."))
    if errors:
        raise ValidationError(errors)

    now = clock.now()
    priority = priority or category.default_priority
    route = routing.route(place, category)
    periods = deadlines.periods(place, kind, priority, category)
    ticket = Ticket(
        number=_number(clock.today()),
        kind=kind,
        category=category,
        text=text,
        priority=priority,
        anonymous=anonymous,
        channel=channel,
        submitter=None if channel in STAFF_CHANNELS else actor,
        on_behalf_of_name=on_behalf_of_name if channel in STAFF_CHANNELS else "",
        # The ledger's last-four-digits search (a blind index, never the digits).
        phone_tail_index="" if anonymous or channel in STAFF_CHANNELS else phone_tail_of(actor),
        entered_by=actor if staff_entry else None,
        place=place,
        place_path=place.path,
        lat=lat,
        lng=lng,
        grid=route.grid,
        status=route.status,
        level=route.level,
        handler_kind=route.handler_kind,
        handler_user=route.handler_user,
        handler_place=route.handler_place,
        response_due=now + periods.response,
        resolve_due=now + periods.resolve,
        created_at=now,
        updated_at=now,
    )
    ticket.escalate_at = ticket.response_due
    ticket.save()
    data: dict[str, Any] = {"routing": category.routing}
    if route.handler_user is not None:
        data["handler_user"] = route.handler_user.pk
    _record(ticket, Step.SUBMIT, {}, actor, grant.post, route.note, data, at=now)
    if route.handler_user is not None:
        recipients = [route.handler_user.pk]
    elif route.level == Level.GRID:
        recipients = _staff_ids(route.grid, (Role.GRID_WORKER,))
    else:
        recipients = _staff_ids(route.handler_place, COMMUNITY_STAFF)
    _notify(ticket, Step.SUBMIT, recipients, actor)
    return ticket


def _home_building(actor: User) -> Place | None:
    for post in access.active_posts(actor):
        if post.role == Role.RESIDENT and post.household is not None:
            return post.household.building
    return None


# --------------------------------------------------------------------------- the grid


def accept(ticket: TicketRef, *, actor: User) -> Ticket:
    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.handler_kind, t.handler_user = HandlerKind.GRID_WORKER, actor
        t.handler_place = t.grid
        return {}, []

    return _step(actor, ticket, Step.ACCEPT, apply)


def handle_in_grid(ticket: TicketRef, note: str = "", *, actor: User) -> Ticket:
    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.handler_kind, t.handler_user = HandlerKind.GRID_WORKER, actor
        return {}, []

    return _step(actor, ticket, Step.HANDLE, apply, note=note)


def escalate(ticket: TicketRef, note: str = "", *, actor: User) -> Ticket:
    """Grid → community ("big matters go to the community")."""

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.level = Level.COMMUNITY
        return {}, _hand_back(t)

    return _step(actor, ticket, Step.ESCALATE, apply, note=note)


# --------------------------------------------------------------------------- the community


def dispatch(
    ticket: TicketRef,
    *,
    actor: User,
    handler_user: User | None = None,
    handler_kind: str = "",
    note: str = "",
) -> Ticket:
    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.handler_kind, t.handler_user = handler_kind, handler_user
        t.handler_place = _place_at(t, t.level)
        t.escalate_at = deadlines.after_response(t, now)
        assert handler_user is not None  # checked by _check_handler
        return {"handler_user": handler_user.pk, "handler_kind": handler_kind}, [handler_user.pk]

    return _step(
        actor,
        ticket,
        Step.DISPATCH,
        apply,
        note=note,
        validate=lambda t: _check_handler(t, handler_user, handler_kind),
    )


def reassign(
    ticket: TicketRef,
    *,
    actor: User,
    handler_user: User | None = None,
    handler_kind: str = "",
    note: str = "",
) -> Ticket:
    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        previous = t.handler_user_id
        t.handler_kind, t.handler_user = handler_kind, handler_user
        t.handler_place = _place_at(t, t.level)
        assert handler_user is not None  # checked by _check_handler
        data = {"handler_user": handler_user.pk, "previous_handler": previous}
        return data, [handler_user.pk, previous]

    def validate(t: Ticket) -> None:
        _check_handler(t, handler_user, handler_kind)
        if handler_user is not None and handler_user.pk == t.handler_user_id:
            raise ValidationError({"handler_user": _("The ticket is already with this person.")})

    return _step(actor, ticket, Step.REASSIGN, apply, note=note, validate=validate)


def pool(ticket: TicketRef, note: str = "", *, actor: User) -> Ticket:
    """Publish to the pool of the community, from which party members take (接单)."""

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.handler_kind, t.handler_user = HandlerKind.PARTY_MEMBER, None
        t.handler_place = _place_at(t, Level.COMMUNITY)
        t.escalate_at = deadlines.after_response(t, now)
        return {}, []

    return _step(actor, ticket, Step.POOL, apply, note=note)


def escalate_to_street(ticket: TicketRef, note: str = "", *, actor: User) -> Ticket:
    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.level = Level.STREET
        return {}, _hand_back(t)

    return _step(actor, ticket, Step.ESCALATE_TO_STREET, apply, note=note)


def merge(ticket: TicketRef, *, actor: User, into: Ticket | None = None, note: str = "") -> Ticket:
    """A duplicate joins another ticket (terminal); its submitter is told which one."""

    def validate(t: Ticket) -> None:
        if into is None or into.pk == t.pk or not _visible(actor, into.pk):
            raise ValidationError({"into": _("Choose another ticket you can see.")})
        target = Ticket.objects.get(pk=into.pk)
        if target.status in workflow.TERMINAL:
            raise ValidationError({"into": _("A closed or merged ticket cannot take duplicates.")})

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        assert into is not None  # checked by validate
        t.merged_into_id = into.pk
        t.closed_at, t.escalate_at = now, None
        return {"merged_into": into.pk, "merged_into_number": into.number}, [t.handler_user_id]

    return _step(actor, ticket, Step.MERGE, apply, note=note, validate=validate)


def close(ticket: TicketRef, note: str = "", *, actor: User) -> Ticket:
    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.closed_at, t.escalate_at = now, None
        return {}, []

    return _step(actor, ticket, Step.CLOSE, apply, note=note)


def reopen(ticket: TicketRef, note: str = "", *, actor: User) -> Ticket:
    """After an unsatisfied rating: back to the handler, with the follow-up visit (回访) note."""

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        data = {"rating": t.rating, "rating_comment": t.rating_comment}
        t.rating, t.rating_comment, t.resolved_at = None, "", None
        recipients = _hand_back(t) if t.handler_user_id is None else [t.handler_user_id]
        t.escalate_at = now + deadlines.ticket_periods(t).resolve
        return data, recipients

    return _step(actor, ticket, Step.REOPEN, apply, note=note)


# --------------------------------------------------------------------------- handlers


def take_from_pool(ticket: TicketRef, *, actor: User) -> Ticket:
    """A party member takes a pooled ticket. Of two at the same moment exactly one wins; the
    other gets workflow.AlreadyTaken."""

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.handler_kind, t.handler_user = HandlerKind.PARTY_MEMBER, actor
        return {}, _staff_ids(t.handler_place, COMMUNITY_STAFF)

    return _step(actor, ticket, Step.TAKE, apply)


def start(ticket: TicketRef, note: str = "", *, actor: User) -> Ticket:
    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        return {}, []

    return _step(actor, ticket, Step.START, apply, note=note)


def resolve(
    ticket: TicketRef,
    note: str = "",
    photos: Sequence[IO[bytes] | None] | None = None,
    *,
    actor: User,
) -> Ticket:
    """The handler's resolution note, with up to TICKET_PHOTO_MAX_COUNT photos (checked before
    anything is written; a bad one stops the step)."""
    prepared = photo_files.prepare(photos)

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.resolution_note, t.resolved_at = note, now
        t.escalate_at = now + deadlines.ticket_periods(t).rating_window
        return ({"photos": len(prepared)} if prepared else {}), []

    with photo_files.files_removed_on_error() as written, transaction.atomic():
        resolved = _step(actor, ticket, Step.RESOLVE, apply, note=note)
        if prepared:
            event = resolved.events.filter(action=Step.RESOLVE).order_by("-id").first()
            photo_files.attach(
                resolved,
                prepared,
                stage=PhotoStage.RESOLUTION,
                user=actor,
                event=event,
                written=written,
            )
    return resolved


def return_ticket(ticket: TicketRef, reason: str = "", *, actor: User) -> Ticket:
    """退单: the handler gives the ticket back to the dispatcher, with a reason."""

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        previous = t.handler_user_id
        return {"previous_handler": previous}, _hand_back(t)

    return _step(actor, ticket, Step.RETURN, apply, note=reason)


# --------------------------------------------------------------------------- the resident


def confirm(
    ticket: TicketRef, *, actor: User, rating: int | str | None = None, comment: str = ""
) -> Ticket:
    try:
        stars = int(rating)  # type: ignore[arg-type]  # None and junk: refused below
    except (TypeError, ValueError):
        stars = 0
    comment = (comment or "").strip()

    def validate(t: Ticket) -> None:
        if not 1 <= stars <= 5:
            raise ValidationError({"rating": _("Give 1 to 5 stars.")})
        if len(comment) > 500:
            raise ValidationError(
                {"comment": _("The comment is too long (at most 500 characters).")}
            )

    def apply(t: Ticket, now: dt.datetime, note: str) -> Applied:
        t.rating, t.rating_comment = stars, comment
        unsatisfied = stars <= workflow.UNSATISFIED_MAX
        t.escalate_at = None
        recipients: list[int | None] = [t.handler_user_id]
        if unsatisfied:  # the community follows up (回访)
            recipients += _staff_ids(_place_at(t, Level.COMMUNITY), COMMUNITY_STAFF)
        return {"rating": stars, "unsatisfied": unsatisfied}, recipients

    return _step(actor, ticket, Step.CONFIRM, apply, validate=validate)


# --------------------------------------------------------------------------- the sweep


def sweep_one(pk: int) -> str | None:
    """Escalate, supervise or close one ticket whose check time has passed (system actor).
    Returns the step taken, or None."""
    with transaction.atomic():
        t = _lock(pk)
        now = clock.now()
        if t.escalate_at is None or t.escalate_at > now:
            return None
        step = next(
            (
                s
                for s in (Step.AUTO_CLOSE, Step.AUTO_ESCALATE, Step.SUPERVISE)
                if (t.status, s) in workflow.TRANSITIONS
            ),
            None,
        )
        if step is None:
            Ticket.objects.filter(pk=pk).update(escalate_at=None)
            return None
        rule = workflow.TRANSITIONS[(t.status, step)]
        before = audit.snapshot(t, AUDITED_FIELDS)
        t.status = rule.target
        recipients: list[int | None] = [t.handler_user_id]
        if step == Step.AUTO_CLOSE:
            t.closed_at, t.escalate_at = now, None
        else:
            t.supervised = True
            t.escalate_at = None
            if step == Step.AUTO_ESCALATE:
                t.level = (
                    Level.STREET if rule.target == Status.ESCALATED_TO_STREET else (Level.COMMUNITY)
                )
                recipients += _hand_back(t)
                if rule.target == Status.ESCALATED:  # the community's own response period
                    t.escalate_at = now + deadlines.ticket_periods(t).response
            else:
                recipients += _staff_ids(_place_at(t, Level.COMMUNITY), COMMUNITY_STAFF)
        t.updated_at = now
        t.save()
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Deadline passed.") if step != Step.AUTO_CLOSE else _("Not rated in time.")
        _record(t, step, before, None, None, note, {}, at=now)
        _notify(t, step, [t.submitter_id, *recipients])
        return step


# Steps by name, for the API: name → (function, parameter names).
STEPS: dict[str, tuple[Callable, tuple[str, ...]]] = {
    Step.ACCEPT: (accept, ()),
    Step.HANDLE: (handle_in_grid, ("note",)),
    Step.ESCALATE: (escalate, ("note",)),
    Step.DISPATCH: (dispatch, ("handler_user", "handler_kind", "note")),
    Step.REASSIGN: (reassign, ("handler_user", "handler_kind", "note")),
    Step.POOL: (pool, ("note",)),
    Step.ESCALATE_TO_STREET: (escalate_to_street, ("note",)),
    Step.MERGE: (merge, ("into", "note")),
    Step.CLOSE: (close, ("note",)),
    Step.REOPEN: (reopen, ("note",)),
    Step.TAKE: (take_from_pool, ()),
    Step.START: (start, ("note",)),
    Step.RESOLVE: (resolve, ("note", "photos")),
    Step.RETURN: (return_ticket, ("reason",)),
    Step.CONFIRM: (confirm, ("rating", "comment")),
}
