"""认岗认事认亲 and the vanguard index (先锋指数; seed 002 §三(一)2, seed 000 §二, seed 003
annex 2 item 12): the writes.

Party members — in-service members through their check-in (在职党员到社区报到), resident members
in their own community — claim posts (岗), tasks (事) and families to visit (亲: residents with a
care tag), record the service they gave, and community staff confirm the records.

The reads — the member behind a login, the families to visit, the index of a member for a year
and the ranking — are in gongzhi/party/selectors.py (docs/vanguard.md has the formula); the
names are re-exported here for the callers that import them from this module.

Writes: one transaction, the permission check, one audit record. Publishing posts and tasks
and confirming service records is community staff's work (VOLUNTEER_MANAGE: the service of
party members is volunteer service in the community); claiming and recording is the member's
(VANGUARD_SERVE).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs
from gongzhi.core.access import Grant
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
from gongzhi.party.selectors import (
    CARE_TAGS,
    WEIGHT_KEYS,
    Component,
    Index,
    TicketFigures,
    care_families,
    community_path,
    index_for,
    indices,
    member_community,
    member_of,
    ranking,
    set_ticket_provider,
)
from gongzhi.places.models import Place

__all__ = [
    "CARE_TAGS",
    "MAX_HOURS_PER_RECORD",
    "WEIGHT_KEYS",
    "Component",
    "Index",
    "TicketFigures",
    "add_post",
    "add_task",
    "care_families",
    "claim",
    "community_path",
    "end_claim",
    "index_for",
    "indices",
    "member_community",
    "member_of",
    "ranking",
    "record_service",
    "review_record",
    "set_ticket_provider",
]

MAX_HOURS_PER_RECORD = Decimal(24)


# --------------------------------------------------------------------------- the member


def _may_serve_in(member: PartyMember, community: Place) -> bool:
    if member.place_path.startswith(community.path):
        return True
    return Checkin.objects.filter(
        member=member, community=community, ended_on__isnull=True
    ).exists()


def _require_member(user: User, community: Place) -> tuple[PartyMember, Grant]:
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
    community: Place,
    *,
    actor: User,
    title: str,
    description: str = "",
    due_on: dt.date | None = None,
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


def claim(community: Place, *, actor: User, kind: str, target_id: int | str) -> VanguardClaim:
    """Claim a post, a task or a family in `community`; one open claim per target and member."""
    if kind not in ClaimKind.values:
        raise ValidationError({"kind": _("Choose a post, a task or a family.")})
    with transaction.atomic():
        member, grant = _require_member(actor, community)
        values: dict[str, Any] = {
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


def record_service(
    *,
    actor: User,
    claim_id: int | str,
    served_on: dt.date | str,
    hours: Decimal | float | str,
    note: str = "",
) -> ServiceRecord:
    """The member records service given under one of their claims (staff confirm it later)."""
    try:
        amount = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        amount = Decimal(-1)
    if not (Decimal(0) < amount <= MAX_HOURS_PER_RECORD) or amount != amount.quantize(
        Decimal("0.01")
    ):
        raise ValidationError(
            {"hours": _("Enter the hours as a number greater than 0 and at most 24.")}
        )
    day: dt.date | None
    if isinstance(served_on, str):
        try:
            day = dt.date.fromisoformat(served_on.strip())
        except ValueError:
            day = None
    else:
        day = served_on
    if not isinstance(day, dt.date) or day > clock.today():
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
        if item is None or member is None:
            raise ValidationError({"claim": _("Choose one of your claims.")})
        grant = access.require(actor, Action.VANGUARD_SERVE, item.place_path)
        record = ServiceRecord.objects.create(
            member=member,
            claim=item,
            served_on=day,
            minutes=int(amount * 60),
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
