"""Every write to workers' records and the two committees: one transaction, the permission check
(`access.require`: 404 outside the actor's `workforce.view` scope, 403 inside it without
`workforce.manage`), one audit record; a refusal raises a ValidationError with a clear message
and writes nothing.

Pay and ID numbers are never written to the audit trail: a change of pay is recorded as
"changed", without the amounts.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.access import Grant
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind
from gongzhi.workforce.assessments import is_flagged, record_assessment
from gongzhi.workforce.models import (
    CHAIR_ROLES,
    ROLES_OF,
    CommitteeKind,
    CommitteeSeat,
    CommitteeTerm,
    CommunityCommittee,
    Education,
    ElectionMethod,
    SeatRole,
    Worker,
    WorkerKind,
)
from gongzhi.workforce.rewards import (  # re-exported: callers import `services`
    approve_reward,
    mark_paid,
    record_certificate,
    refuse_reward,
    reward_terms,
)

__all__ = [
    "add_seat",
    "add_term",
    "add_worker",
    "approve_reward",
    "end_seat",
    "end_worker",
    "is_flagged",
    "mark_paid",
    "record_assessment",
    "record_certificate",
    "refuse_reward",
    "reward_terms",
    "update_worker",
]

MAX_PAY_YUAN = Decimal("100000")


def _manage(actor: User, path: str) -> Grant:
    return access.require(actor, Action.WORKFORCE_MANAGE, path, read_action=Action.WORKFORCE_VIEW)


def pay_fen(value: Any) -> int | None:
    """Monthly pay typed in yuan ("3200", "3200.50") → fen; blank → None."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({"monthly_pay_yuan": _("Enter the pay in yuan.")}) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_PAY_YUAN:
        raise ValidationError({"monthly_pay_yuan": _("Enter the pay in yuan (0 to 100,000).")})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"monthly_pay_yuan": _("Pay has at most two decimals (fen).")})
    return int(amount * 100)


def _check_worker(
    community: Place,
    resident: Resident,
    kind: str,
    started_on: dt.date,
    education: str,
    post: Post | None,
) -> None:
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    if kind not in WorkerKind.values:
        raise ValidationError({"kind": _("Choose the kind of worker.")})
    if education and education not in Education.values:
        raise ValidationError({"education": _("Choose the education.")})
    if started_on > clock.today():
        raise ValidationError({"started_on": _("The start date cannot be in the future.")})
    if post is not None:
        if resident.user_id is None or post.user_id != resident.user_id:
            raise ValidationError({"post": _("This post belongs to someone else's login.")})
        if post.place is None or not post.place.path.startswith(community.path):
            raise ValidationError({"post": _("The post is not in this community.")})


@transaction.atomic
def add_worker(
    community: Place,
    *,
    actor: User,
    resident: Resident,
    kind: str,
    started_on: dt.date,
    education: str = "",
    is_reserve: bool = False,
    monthly_pay_yuan: Any = None,
    post: Post | None = None,
) -> Worker:
    """A person's record in the community's register. One active record per person."""
    grant = _manage(actor, community.path)
    _check_worker(community, resident, kind, started_on, education, post)
    fen = pay_fen(monthly_pay_yuan)
    if Worker.objects.filter(resident=resident, left_on__isnull=True).exists():
        raise ValidationError(
            {"resident": _("%(name)s already has an active worker's record.") % {"name": resident}}
        )
    try:
        with transaction.atomic():
            worker = Worker.objects.create(
                resident=resident,
                community=community,
                kind=kind,
                post=post,
                started_on=started_on,
                education=education,
                is_reserve=is_reserve,
                monthly_pay_fen=fen,
                place_path=community.path,
            )
    except IntegrityError:
        raise ValidationError(
            {"resident": _("%(name)s already has an active worker's record.") % {"name": resident}}
        ) from None
    audit.record(
        actor=actor,
        action="workforce.worker_add",
        target=worker,
        place_path=community.path,
        post=grant.post,
        changes={
            "kind": [None, kind],
            "started_on": [None, started_on.isoformat()],
            "education": [None, education],
            "is_reserve": [None, is_reserve],
            "monthly_pay": [None, "recorded" if fen is not None else None],
        },
    )
    return worker


UPDATABLE = ("kind", "started_on", "education", "is_reserve", "monthly_pay_yuan", "post")


@transaction.atomic
def update_worker(worker: Worker, *, actor: User, **fields: Any) -> Worker:
    """Change some of a record's fields (those in UPDATABLE)."""
    grant = _manage(actor, worker.place_path)
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if not worker.is_active:
        raise ValidationError(_("This worker has left; the record is closed."))
    changes: dict[str, list[Any]] = {}
    if "monthly_pay_yuan" in fields:
        fen = pay_fen(fields.pop("monthly_pay_yuan"))
        if fen != worker.monthly_pay_fen:
            worker.monthly_pay_fen = fen
            changes["monthly_pay"] = ["", "changed"]  # never the amounts
    for name, value in fields.items():
        old = getattr(worker, name)
        if old != value:
            changes[name] = [str(old) if old is not None else None, str(value)]
            setattr(worker, name, value)
    _check_worker(
        worker.community,
        worker.resident,
        worker.kind,
        worker.started_on,
        worker.education,
        worker.post,
    )
    worker.save()
    if changes:
        audit.record(
            actor=actor,
            action="workforce.worker_change",
            target=worker,
            place_path=worker.place_path,
            post=grant.post,
            changes=changes,
        )
    return worker


@transaction.atomic
def end_worker(worker: Worker, *, actor: User, left_on: dt.date, reason: str) -> Worker:
    """The worker leaves: the record closes and every committee seat they hold ends."""
    grant = _manage(actor, worker.place_path)
    worker = Worker.objects.select_for_update().get(pk=worker.pk)
    if not worker.is_active:
        raise ValidationError(_("This worker has already left."))
    if left_on < worker.started_on or left_on > clock.today():
        raise ValidationError(
            {"left_on": _("The leaving date must lie between the start date and today.")}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for leaving.")})
    worker.left_on = left_on
    worker.leave_reason = reason[:200]
    worker.save(update_fields=["left_on", "leave_reason"])
    ended = CommitteeSeat.objects.filter(worker=worker, left_on__isnull=True).update(
        left_on=left_on
    )
    audit.record(
        actor=actor,
        action="workforce.worker_leave",
        target=worker,
        place_path=worker.place_path,
        post=grant.post,
        changes={"left_on": [None, left_on.isoformat()], "seats_ended": [None, ended]},
        reason=worker.leave_reason,
    )
    return worker


# --------------------------------------------------------------------------- the two committees


def committee_of(community: Place, kind: str) -> CommunityCommittee | None:
    return CommunityCommittee.objects.filter(community=community, kind=kind).first()


@transaction.atomic
def add_term(
    community: Place,
    kind: str,
    *,
    actor: User,
    number: int,
    elected_on: dt.date,
    ends_on: dt.date,
    method: str,
    seats: int,
) -> CommitteeTerm:
    """A new term of one of the two committees (换届). The current term, if any, is succeeded
    on the election day and its open seats end then."""
    grant = _manage(actor, community.path)
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    if kind not in CommitteeKind.values:
        raise ValidationError({"kind": _("Choose the committee.")})
    if method not in ElectionMethod.values:
        raise ValidationError({"method": _("Choose how the term was elected.")})
    if kind == CommitteeKind.RESIDENTS and method != ElectionMethod.DIRECT:
        # 001 §5: 全面实行社区居委会直接选举
        raise ValidationError(
            {"method": _("The residents' committee is elected directly by the residents.")}
        )
    if ends_on <= elected_on:
        raise ValidationError({"ends_on": _("The turnover date must come after the election.")})
    if elected_on > clock.today():
        raise ValidationError({"elected_on": _("The election date cannot be in the future.")})
    if not 1 <= seats <= 50:
        raise ValidationError({"seats": _("Seats: 1 to 50.")})
    committee, _made = CommunityCommittee.objects.get_or_create(
        community=community, kind=kind, defaults={"place_path": community.path}
    )
    CommunityCommittee.objects.select_for_update().filter(pk=committee.pk).first()
    current = committee.terms.filter(succeeded_on__isnull=True).first()
    if current is not None:
        if number <= current.number:
            raise ValidationError(
                {"number": _("The new term's number must follow %(n)s.") % {"n": current.number}}
            )
        if elected_on < current.elected_on:
            raise ValidationError(
                {"elected_on": _("The new term cannot be elected before the current one.")}
            )
    if committee.terms.filter(number=number).exists():
        raise ValidationError(
            {"number": _("This committee already has a term %(n)s.") % {"n": number}}
        )
    if current is not None:
        current.succeeded_on = elected_on
        current.save(update_fields=["succeeded_on"])
        current.seats_held.filter(left_on__isnull=True).update(left_on=elected_on)
    term = CommitteeTerm.objects.create(
        committee=committee,
        number=number,
        elected_on=elected_on,
        ends_on=ends_on,
        method=method,
        seats=seats,
        place_path=community.path,
    )
    audit.record(
        actor=actor,
        action="workforce.term_add",
        target=term,
        target_repr=f"{committee.get_kind_display()} #{number}",
        place_path=community.path,
        post=grant.post,
        changes={
            "number": [None, number],
            "elected_on": [None, elected_on.isoformat()],
            "ends_on": [None, ends_on.isoformat()],
            "method": [None, method],
            "seats": [None, seats],
        },
    )
    return term


@transaction.atomic
def add_seat(
    term: CommitteeTerm, *, actor: User, worker: Worker, role: str, joined_on: dt.date
) -> CommitteeSeat:
    """A worker takes a seat with a role (书记、主任、委员 …) on a current term."""
    grant = _manage(actor, term.place_path)
    CommitteeTerm.objects.select_for_update().filter(pk=term.pk).first()
    term.refresh_from_db()
    kind = term.committee.kind
    if not term.is_current:
        raise ValidationError(_("This term has been succeeded; seats go on the current term."))
    if role not in ROLES_OF[kind]:
        raise ValidationError({"role": _("This role does not exist on this committee.")})
    if worker.community_id != term.committee.community_id or not worker.is_active:
        raise ValidationError({"worker": _("Choose an active worker of this community.")})
    if joined_on < term.elected_on or joined_on > clock.today():
        raise ValidationError({"joined_on": _("The date must lie between the election and today.")})
    open_seats = term.seats_held.filter(left_on__isnull=True)
    if open_seats.filter(worker=worker).exists():
        raise ValidationError({"worker": _("This worker already sits on this term.")})
    if role in CHAIR_ROLES and open_seats.filter(role=role).exists():
        raise ValidationError({"role": _("This committee already has its chair.")})
    if open_seats.count() >= term.seats:
        raise ValidationError(_("Every seat of this term is taken."))
    try:
        with transaction.atomic():
            seat = CommitteeSeat.objects.create(
                term=term, worker=worker, role=role, joined_on=joined_on, place_path=term.place_path
            )
    except IntegrityError:
        raise ValidationError(_("This seat was just taken; reload the page.")) from None
    audit.record(
        actor=actor,
        action="workforce.seat_add",
        target=seat,
        target_repr=f"{worker.resident.name} · {SeatRole(role).label}",
        place_path=term.place_path,
        post=grant.post,
        changes={"role": [None, role], "joined_on": [None, joined_on.isoformat()]},
    )
    return seat


@transaction.atomic
def end_seat(seat: CommitteeSeat, *, actor: User, left_on: dt.date) -> CommitteeSeat:
    grant = _manage(actor, seat.place_path)
    seat = CommitteeSeat.objects.select_for_update().get(pk=seat.pk)
    if seat.left_on is not None:
        raise ValidationError(_("This seat has already been vacated."))
    if left_on < seat.joined_on or left_on > clock.today():
        raise ValidationError({"left_on": _("The date must lie between joining and today.")})
    seat.left_on = left_on
    seat.save(update_fields=["left_on"])
    audit.record(
        actor=actor,
        action="workforce.seat_end",
        target=seat,
        target_repr=f"{seat.worker.resident.name} · {seat.get_role_display()}",
        place_path=seat.place_path,
        post=grant.post,
        changes={"left_on": [None, left_on.isoformat()]},
    )
    return seat
