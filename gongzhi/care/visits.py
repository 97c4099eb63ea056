"""Writes of care visits (issue 24 item 1, visit plans); re-exported by `services`.

- `plan_visits`: a person on a care list (a resident carrying a care tag that has a visit
  rhythm, `care.visit_days_<tag>` of the profile) gets a visitor — a user holding a grid worker,
  party member, volunteer or building head post over the person's home. The first visit is due
  at once; a plan exists once per person and tag (unique in the database).
- `record_visit`: the assigned visitor — only they — records a visit on the phone: its time, an
  optional point, what was found and any need raised. The next visit falls due `every_days`
  after it. A point farther from the building than `care.visit_point_max_metres` is kept and
  flagged (`far_from_building`) for the community to check, not refused: indoor GPS drifts.
- `plan_care_list`: the staff page's form: several people of a place's care list at once, one
  visitor, all or nothing.
- `reassign_visitor`: the community gives the plan another visitor.
- `notify_overdue`: the periodic job (`care.tasks.notify_overdue_visits`): each overdue plan's
  visitor gets one notification in the kernel notification centre per plan and due date.
- `raise_ticket`: one tap turns a visit's need into a ticket through the tickets app's own
  service (`tickets.services.submit`: routing, deadlines, audit), once per visit; the visitor
  only. A grid worker files it as a patrol report, any other visitor as an online request.

Overdue (`next_due_on` before today, `VisitPlan.is_overdue`) is computed from the clock when
read; the periodic job only tells the visitor (a conditional update of `overdue_told_for`
makes it idempotent, also when two workers run it at once).
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.care.models import Visit, VisitPhoto, VisitPlan
from gongzhi.core import access, audit, clock, photos, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.notifications import notify
from gongzhi.core.roles import Action, Role
from gongzhi.people.models import Resident, ResidentTag
from gongzhi.places.models import Place
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, Channel, Kind, Ticket

PLAN = Action.CARE_VISIT_PLAN
RECORD = Action.CARE_VISIT_RECORD
NOTES = Action.CARE_VISIT_NOTES
PLAN_AT_ONCE = 200
VISITOR_ROLES = (Role.GRID_WORKER, Role.PARTY_MEMBER, Role.VOLUNTEER, Role.BUILDING_HEAD)
TEXT_MAX = 1000
EARTH_RADIUS_M = 6_371_000


def rhythm_key(tag: str) -> str:
    return f"care.visit_days_{tag}"


def _setting(place: Place | None, key: str) -> int:
    profile = profiles.effective_profile(place) if place is not None else None
    value = profile.get(key) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[key].default
    return int(value or 0)


def rhythm(resident: Resident, tag: str) -> int | None:
    """Days between visits for `tag` at the resident's home; None: the tag has no rhythm."""
    key = rhythm_key(tag)
    if key not in profiles.SCHEMA:
        return None
    return _setting(_building(resident), key)


def _building(resident: Resident) -> Place | None:
    household = resident.household
    return Place.objects.filter(pk=household.building_id).first() if household else None


def visitor_posts(user: User, place_path: str) -> list[Post]:
    """The user's active visitor posts over a home at `place_path` (the post's place is the
    home's building or one of its ancestors)."""
    return [
        post
        for post in access.active_posts(user)
        if post.role in VISITOR_ROLES
        and post.place is not None
        and place_path.startswith(post.place.path)
    ]


def plan_visits(resident: Resident, tag: str, *, visitor: User, actor: User) -> VisitPlan:
    every = rhythm(resident, tag)
    if every is None:
        raise ValidationError({"tag": _("This care tag has no visit rhythm.")})
    with transaction.atomic():
        grant = access.require(actor, PLAN, resident.place_path, read_action=PLAN)
        if not resident.is_active:
            raise ValidationError({"resident": _("This person is no longer in the registry.")})
        if not ResidentTag.objects.filter(resident=resident, tag=tag).exists():
            raise ValidationError({"tag": _("This person does not carry this care tag.")})
        if not visitor.is_active or not visitor_posts(visitor, resident.place_path):
            raise ValidationError(
                {
                    "visitor": _(
                        "The visitor must be a grid worker, party member, volunteer or building "
                        "head of this person's home."
                    )
                }
            )
        try:
            with transaction.atomic():
                plan = VisitPlan.objects.create(
                    resident=resident,
                    tag=tag,
                    visitor=visitor,
                    every_days=every,
                    next_due_on=clock.today(),
                    place_path=resident.place_path,
                )
        except IntegrityError as error:
            raise ValidationError(
                {"tag": _("This person already has a visit plan for this care tag.")}
            ) from error
        audit.record(
            actor=actor,
            action="care.visit_plan",
            target=plan,
            place_path=plan.place_path,
            post=grant.post,
            changes={"tag": tag, "visitor": visitor.pk, "every_days": every},
        )
    return plan


def plan_care_list(
    entries: list[tuple[Resident, str]], *, visitor: User, actor: User
) -> list[VisitPlan]:
    """Plan several people (resident, care tag) of a care list with one visitor: all or none
    (the first refusal names the person and writes nothing)."""
    if not entries:
        raise ValidationError({"entries": _("Choose at least one person to visit.")})
    if len(entries) > PLAN_AT_ONCE:
        raise ValidationError({"entries": _("At most %(n)s people at once.") % {"n": PLAN_AT_ONCE}})
    made: list[VisitPlan] = []
    with transaction.atomic():
        for resident, tag in entries:
            try:
                made.append(plan_visits(resident, tag, visitor=visitor, actor=actor))
            except ValidationError as error:
                raise ValidationError(
                    {"entries": f"{resident.name}: {' '.join(error.messages)}"}
                ) from error
    return made


def reassign_visitor(plan: VisitPlan, *, visitor: User, actor: User) -> VisitPlan:
    with transaction.atomic():
        grant = access.require(actor, PLAN, plan.place_path, read_action=PLAN)
        plan = VisitPlan.objects.select_for_update().get(pk=plan.pk)
        if not visitor.is_active or not visitor_posts(visitor, plan.place_path):
            raise ValidationError(
                {
                    "visitor": _(
                        "The visitor must be a grid worker, party member, volunteer or building "
                        "head of this person's home."
                    )
                }
            )
        before = plan.visitor_id
        plan.visitor = visitor
        plan.save(update_fields=["visitor"])
        audit.record(
            actor=actor,
            action="care.visit_reassign",
            target=plan,
            place_path=plan.place_path,
            post=grant.post,
            changes={"visitor": [before, visitor.pk]},
        )
    return plan


def _coordinate(value: object, limit: int, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({field: _("The position is not a number.")}) from error
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValidationError({field: _("The coordinates are out of range.")})
    return number


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> int:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(math.sqrt(a)))


def _clean(text: str | None, field: str, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({field: _("Please write what you found on the visit.")})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {field: _("The text is too long (at most %(n)s characters).") % {"n": TEXT_MAX}}
        )
    return text


def record_visit(
    plan: VisitPlan,
    *,
    actor: User,
    found: str,
    need: str = "",
    visited_at: dt.datetime | None = None,
    lat: object = None,
    lng: object = None,
    photo: object = None,
) -> Visit:
    found = _clean(found, "found", required=True)
    # The photo is checked (and re-encoded without its metadata) before anything is written.
    prepared = photos.prepare([photo]) if photo else []  # type: ignore[list-item]
    need = _clean(need, "need", required=False)
    lat_d, lng_d = _coordinate(lat, 90, "lat"), _coordinate(lng, 180, "lng")
    if (lat_d is None) != (lng_d is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    now = clock.now()
    visited_at = visited_at or now
    if visited_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"visited_at": _("A visit cannot be recorded in the future.")})
    with photos.files_removed_on_error() as written, transaction.atomic():
        grant = access.require(actor, RECORD, plan.place_path, read_action=RECORD)
        plan = VisitPlan.objects.select_for_update().select_related("resident").get(pk=plan.pk)
        if plan.visitor_id != actor.pk:
            raise PermissionDenied(_("Only the assigned visitor records this person's visits."))
        distance, far = None, False
        building = _building(plan.resident)
        if (
            lat_d is not None
            and lng_d is not None
            and building is not None
            and building.centre_lat is not None
            and building.centre_lng is not None
        ):
            distance = distance_m(
                float(lat_d),
                float(lng_d),
                float(building.centre_lat),
                float(building.centre_lng),
            )
            far = distance > _setting(building, "care.visit_point_max_metres")
        visit = Visit.objects.create(
            plan=plan,
            visitor=actor,
            visited_at=visited_at,
            lat=lat_d,
            lng=lng_d,
            distance_m=distance,
            far_from_building=far,
            found=found,
            need=need,
            place_path=plan.place_path,
        )
        if prepared:
            photos.write(VisitPhoto, prepared, user=actor, written=written, visit=visit)
        if plan.last_visited_at is None or visited_at >= plan.last_visited_at:
            plan.last_visited_at = visited_at
            plan.next_due_on = timezone.localdate(visited_at) + dt.timedelta(days=plan.every_days)
            plan.save(update_fields=["last_visited_at", "next_due_on"])
        # The audit keeps who visited whom and when, never the notes (they are sensitive).
        audit.record(
            actor=actor,
            action="care.visit_record",
            target=visit,
            place_path=visit.place_path,
            post=grant.post,
            changes={
                "plan": plan.pk,
                "far_from_building": far,
                "need": bool(need),
                "photo": bool(prepared),
            },
        )
    return visit


def raise_ticket(visit: Visit, *, actor: User, category: Category) -> Ticket:
    with transaction.atomic():
        visit = Visit.objects.select_for_update().select_related("plan__resident").get(pk=visit.pk)
        access.require(actor, RECORD, visit.place_path, read_action=RECORD)
        if visit.visitor_id != actor.pk:
            raise PermissionDenied(_("Only the visitor turns the need into a ticket."))
        if not visit.need:
            raise ValidationError({"need": _("This visit raised no need.")})
        if visit.ticket_id is not None:
            raise ValidationError({"need": _("This need is already a ticket.")})
        if not category.is_active:
            raise ValidationError({"category": _("Choose an open ticket category.")})
        building = _building(visit.plan.resident)
        patrol = any(
            post.role == Role.GRID_WORKER for post in visitor_posts(actor, visit.place_path)
        )
        ticket = tickets.submit(
            actor=actor,
            kind=Kind.HELP,
            category=category,
            text=_("Raised on a care visit: %(need)s") % {"need": visit.need},
            place=building,
            channel=Channel.PATROL if patrol else Channel.ONLINE,
        )
        visit.ticket = ticket
        visit.save(update_fields=["ticket"])
        audit.record(
            actor=actor,
            action="care.visit_ticket",
            target=visit,
            place_path=visit.place_path,
            changes={"ticket": ticket.pk},
        )
    return ticket


def notify_overdue(batch: int = 500) -> int:
    """Tell each visitor of their overdue plans in the notification centre: once per plan and
    due date. A plan is claimed by a conditional UPDATE (`overdue_told_for` not yet this due
    date), so two runs at once never tell twice; a visit moves the due date, and the next
    overdue is told again. Returns the number of notifications."""
    today = clock.today()
    pending = (
        VisitPlan.objects.filter(next_due_on__lt=today, resident__is_active=True)
        .filter(Q(overdue_told_for__isnull=True) | ~Q(overdue_told_for=F("next_due_on")))
        .select_related("resident")
        .order_by("next_due_on", "id")
    )
    told = 0
    link = reverse("care:my_visits")
    for plan in list(pending[:batch]):
        with transaction.atomic():
            claimed = (
                VisitPlan.objects.filter(pk=plan.pk, next_due_on=plan.next_due_on)
                .filter(Q(overdue_told_for__isnull=True) | ~Q(overdue_told_for=plan.next_due_on))
                .update(overdue_told_for=plan.next_due_on)
            )
            if not claimed:
                continue
            notify(
                [plan.visitor_id],
                verb="care_visit_overdue",
                text=_("Care visit overdue since %(date)s: %(name)s")
                % {"date": plan.next_due_on.isoformat(), "name": plan.resident.name},
                link=link,
                reference=f"V{plan.pk}",
            )
            told += 1
    return told
