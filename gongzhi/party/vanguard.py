"""认岗认事认亲 and the vanguard index (先锋指数; seed 002 §三(一)2, seed 000 §二, seed 003
annex 2 item 12).

Party members — in-service members through their check-in (在职党员到社区报到), resident members
in their own community — claim posts (岗), tasks (事) and families to visit (亲: residents with a
care tag), record the service they gave, and community staff confirm the records.

The index of a member for a year, every number from the policy profile of the member's
community (docs/vanguard.md):

    service  = min(1, confirmed hours / vanguard.full_service_hours) × 100
    tickets  = min(1, tickets resolved as handler / vanguard.full_tickets) × 100
    claims   = min(1, claims held during the year / vanguard.full_claims) × 100
    feedback = average rating (1–5) of those tickets / 5 × 100   (0 when none is rated)
    index    = Σ weight × score / Σ weight   (weights vanguard.weight_*; 0 when they sum to 0)

Writes: one transaction, the permission check, one audit record. Publishing posts and tasks
and confirming service records is community staff's work (VOLUNTEER_MANAGE: the service of
party members is volunteer service in the community); claiming and recording is the member's
(VANGUARD_SERVE).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.party.models import (
    Checkin,
    ClaimKind,
    CommunityTask,
    PartyMember,
    RecordStatus,
    ServicePost,
    ServiceRecord,
    VanguardClaim,
)
from gongzhi.people.models import Resident, ResidentTag, Tag
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place

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
MAX_HOURS_PER_RECORD = Decimal(24)


def _key(place: Place | None, key: str) -> float:
    prof = profiles.effective_profile(place) if place is not None else None
    value = prof.get(key) if prof is not None else None
    return float(value if value is not None else profiles.SCHEMA[key].default)


def community_path(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/"


# --------------------------------------------------------------------------- the member


def member_of(user) -> PartyMember | None:
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


def _may_serve_in(member: PartyMember, community: Place) -> bool:
    if member.place_path.startswith(community.path):
        return True
    return Checkin.objects.filter(
        member=member, community=community, ended_on__isnull=True
    ).exists()


def _require_member(user, community: Place) -> tuple[PartyMember, object]:
    grant = access.require(user, Action.VANGUARD_SERVE, community.path)
    member = member_of(user)
    if member is None:
        raise PermissionDenied(_("Your login is not linked to a party member record."))
    if not _may_serve_in(member, community):
        raise ValidationError(
            _(
                "Check in to this community first (in-service members report to their home community)."
            )
        )
    return member, grant


# --------------------------------------------------------------------------- staff


def add_post(community: Place, *, actor: User, name: str, description: str = "") -> ServicePost:
    name = inputs.text(name, "name", 100)
    description = inputs.text(description, "description", 500, required=False)
    with transaction.atomic():
        grant = access.require(actor, Action.VOLUNTEER_MANAGE, community.path)
        post = ServicePost.objects.create(
            community=community, name=name, description=description, place_path=community.path
        )
        audit.record(
            actor=actor,
            action="vanguard.post_add",
            target=post,
            place_path=post.place_path,
            post=grant.post,
        )
    return post


def add_task(
    community: Place, *, actor: User, title: str, description: str = "", due_on=None
) -> CommunityTask:
    title = inputs.text(title, "title", 100)
    description = inputs.text(description, "description", 500, required=False)
    with transaction.atomic():
        grant = access.require(actor, Action.VOLUNTEER_MANAGE, community.path)
        task = CommunityTask.objects.create(
            community=community,
            title=title,
            description=description,
            due_on=due_on,
            place_path=community.path,
        )
        audit.record(
            actor=actor,
            action="vanguard.task_add",
            target=task,
            place_path=task.place_path,
            post=grant.post,
        )
    return task


def review_record(record_id: int, *, actor: User, confirm: bool) -> ServiceRecord:
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update().filter(pk=record_id).first()
        if record is None:
            raise ValidationError(_("This service record does not exist."))
        grant = access.require(
            actor, Action.VOLUNTEER_MANAGE, record.place_path, read_action=Action.VANGUARD_VIEW
        )
        if record.status != RecordStatus.PENDING:
            raise ValidationError(_("This record was already reviewed."))
        record.status = RecordStatus.CONFIRMED if confirm else RecordStatus.REJECTED
        record.confirmed_by, record.confirmed_at = actor, clock.now()
        record.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        audit.record(
            actor=actor,
            action="vanguard.record_confirm" if confirm else "vanguard.record_reject",
            target=record,
            place_path=record.place_path,
            post=grant.post,
            changes={"minutes": record.minutes},
        )
    return record


# --------------------------------------------------------------------------- the member's writes


def claim(community: Place, *, actor: User, kind: str, target_id) -> VanguardClaim:
    """Claim a post, a task or a family in `community`; one open claim per target and member."""
    if kind not in ClaimKind.values:
        raise ValidationError({"kind": _("Choose a post, a task or a family.")})
    with transaction.atomic():
        member, grant = _require_member(actor, community)
        values = {
            "member": member,
            "kind": kind,
            "community": community,
            "place_path": community.path,
        }
        if kind == ClaimKind.POST:
            values["service_post"] = ServicePost.objects.filter(
                pk=target_id or 0, community=community, is_active=True
            ).first()
            missing = values["service_post"] is None
        elif kind == ClaimKind.TASK:
            values["task"] = CommunityTask.objects.filter(
                pk=target_id or 0, community=community, is_open=True
            ).first()
            missing = values["task"] is None
        else:
            values["family"] = care_families(community).filter(pk=target_id or 0).first()
            missing = values["family"] is None
        if missing:
            raise ValidationError(
                {"target": _("This post, task or family is not open in your community.")}
            )
        try:
            with transaction.atomic():
                item = VanguardClaim.objects.create(claimed_on=clock.today(), **values)
        except IntegrityError:
            raise ValidationError(_("You have already claimed this.")) from None
        audit.record(
            actor=actor,
            action="vanguard.claim",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={"kind": kind},
        )
    return item


def end_claim(claim_id: int, *, actor: User) -> VanguardClaim:
    with transaction.atomic():
        item = VanguardClaim.objects.select_for_update().filter(pk=claim_id).first()
        member = member_of(actor)
        if item is None or member is None or item.member_id != member.pk:
            raise ValidationError(_("This claim does not exist."))
        if item.ended_on is None:
            item.ended_on = clock.today()
            item.save(update_fields=["ended_on"])
            audit.record(
                actor=actor, action="vanguard.claim_end", target=item, place_path=item.place_path
            )
    return item


def record_service(*, actor: User, claim_id, served_on, hours, note: str = "") -> ServiceRecord:
    """The member records service given under one of their claims (staff confirm it later)."""
    try:
        hours = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        hours = Decimal(-1)
    if not (Decimal(0) < hours <= MAX_HOURS_PER_RECORD) or hours != hours.quantize(Decimal("0.01")):
        raise ValidationError(
            {"hours": _("Enter the hours as a number greater than 0 and at most 24.")}
        )
    if isinstance(served_on, str):
        try:
            served_on = dt.date.fromisoformat(served_on.strip())
        except ValueError:
            served_on = None
    if not isinstance(served_on, dt.date) or served_on > clock.today():
        raise ValidationError(
            {"served_on": _("Enter the date of the service (not in the future).")}
        )
    note = inputs.text(note, "note", 500, required=False)
    with transaction.atomic():
        member = member_of(actor)
        item = (
            VanguardClaim.objects.filter(pk=claim_id or 0, member=member)
            .select_related("community")
            .first()
            if member
            else None
        )
        if item is None:
            raise ValidationError({"claim": _("Choose one of your claims.")})
        grant = access.require(actor, Action.VANGUARD_SERVE, item.place_path)
        record = ServiceRecord.objects.create(
            member=member,
            claim=item,
            served_on=served_on,
            minutes=int(hours * 60),
            note=note,
            place_path=item.place_path,
        )
        audit.record(
            actor=actor,
            action="vanguard.record",
            target=record,
            place_path=record.place_path,
            post=grant.post,
            changes={"minutes": record.minutes},
        )
    return record


# --------------------------------------------------------------------------- reads


def care_families(community: Place):
    """Residents with a care tag living in the community (the families to visit, 认亲)."""
    tagged = ResidentTag.objects.filter(tag__in=CARE_TAGS).values("resident_id")
    return Resident.objects.filter(
        pk__in=tagged, is_active=True, place_path__under=community.path
    ).order_by("place_path", "id")


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
    users = dict(
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
    places = {p.path: p for p in Place.objects.filter(path__in=set(home.values()))}
    settings_cache: dict[str, dict[str, float]] = {}
    result = []
    for member in members:
        cpath = home[member.pk]
        if cpath not in settings_cache:
            place = places.get(cpath)
            settings_cache[cpath] = {
                k: _key(place, k)
                for k in (
                    *WEIGHT_KEYS.values(),
                    "vanguard.full_service_hours",
                    "vanguard.full_tickets",
                    "vanguard.full_claims",
                )
            }
        conf = settings_cache[cpath]
        row = ticket_rows.get(users.get(member.resident_id), {})
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


def ranking(user, year: int, community: Place | None = None) -> list[Index]:
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
