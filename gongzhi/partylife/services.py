"""Every write of organisational life: one transaction, the object rule
(`rules.require_manage` / `rules.require_attend`: 404 outside the actor's reach, 403 inside it
without the right), one audit record; a refusal raises a ValidationError with a clear message
and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock, inputs, photos
from gongzhi.core.models import User
from gongzhi.party import services as registry
from gongzhi.party.models import PartyMember, PartyOrg
from gongzhi.party.selectors import residents_for
from gongzhi.partylife import checkin, rules, workflow

# Pledges, responsibility areas and the yearly letter live in their own modules; callers
# import them from here.
from gongzhi.partylife.commitments import (  # noqa: F401  (re-exported)
    MAX_PLEDGE_ITEMS,
    assign_area,
    end_area,
    make_pledge,
    review_pledge,
)
from gongzhi.partylife.declarations import (  # noqa: F401  (re-exported)
    declare_item,
    record_item,
    review_item,
)
from gongzhi.partylife.letter import yearly_letter  # noqa: F401  (re-exported)
from gongzhi.partylife.models import (
    Attendance,
    AttendanceStatus,
    DuesEntry,
    DuesKind,
    Meeting,
    MeetingPhoto,
    ReviewResult,
    ReviewRound,
    Transfer,
    TransferKind,
    TransferState,
)
from gongzhi.people.models import Resident

MAX_DUES_FEN = 1_000_000  # 10,000 yuan: more than any month's dues
MIN_YEAR, MAX_YEAR = 2000, 2100


def _kind(org: PartyOrg, kind: str) -> str:
    if kind not in rules.KINDS_OF_ORG.get(org.kind, ()):
        raise ValidationError({"kind": _("This organisation does not hold meetings of this kind.")})
    return kind


def _members_of(org: PartyOrg) -> Iterable[PartyMember]:
    return PartyMember.objects.filter(org_id__in=rules.below([org.pk]), is_active=True)


def _is_member(member: PartyMember, org: PartyOrg) -> bool:
    return member.is_active and org.pk in rules.chain(member.org)


# --------------------------------------------------------------------------- meetings


def plan_meeting(
    org: PartyOrg,
    *,
    actor: User,
    kind: str,
    held_on: dt.date,
    title: str = "",
    agenda: str = "",
    location: str = "",
) -> Meeting:
    kind = _kind(org, kind)
    title = inputs.text(title, "title", 100, required=False)
    agenda = inputs.text(agenda, "agenda", 2000, required=False)
    location = inputs.text(location, "location", 100, required=False)
    if not MIN_YEAR <= held_on.year <= MAX_YEAR:
        raise ValidationError({"held_on": _("Enter a date between 2000 and 2100.")})
    with transaction.atomic():
        grant = rules.require_manage(actor, org)
        meeting = Meeting.objects.create(
            org=org,
            kind=kind,
            # The list shows the date beside the title: the default names the body and kind.
            title=title or f"{org.name}{Meeting(kind=kind).get_kind_display()}",
            held_on=held_on,
            agenda=agenda,
            location=location,
            created_by=actor,
            place_path=org.place_path,
        )
        audit.record(
            actor=actor,
            action="partylife.meeting_plan",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"kind": kind, "held_on": held_on, "title": meeting.title},
        )
    return meeting


def plan_year(org: PartyOrg, *, actor: User, year: int) -> list[Meeting]:
    """The year's plan from the profile's frequencies: for every planned kind, one planned
    meeting in each period, from the current one on, that has no meeting yet (the first day of
    a coming period, today in the current one). Idempotent: a second call adds nothing."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    today = clock.today()
    with transaction.atomic():
        grant = rules.require_manage(actor, org)
        PartyOrg.objects.select_for_update().filter(pk=org.pk).first()
        profile = rules.profiles_of([org.place])[org.place_id]
        existing = list(
            Meeting.objects.filter(org=org, held_on__year=year).values_list("kind", "held_on")
        )
        made = []
        for kind in rules.PLANNED_KINDS.get(org.kind, ()):
            label = Meeting(kind=kind).get_kind_display()
            for first, last in rules.periods(year, rules.per_year(profile, kind)):
                if last < today or any(k == kind and first <= d <= last for k, d in existing):
                    continue
                made.append(
                    Meeting(
                        org=org,
                        kind=kind,
                        title=f"{org.name}{label}",
                        held_on=max(first, today),
                        created_by=actor,
                        place_path=org.place_path,
                    )
                )
        Meeting.objects.bulk_create(made)
        audit.record(
            actor=actor,
            action="partylife.plan_year",
            target=org,
            place_path=org.place_path,
            post=grant.post,
            changes={"year": year, "planned": len(made)},
        )
    return made


def record_minutes(
    meeting: Meeting,
    *,
    actor: User,
    minutes: str,
    uploads: Iterable[IO[bytes] | None] | None = None,
) -> Meeting:
    """The minutes make the meeting held; photos of it may come with them."""
    minutes = inputs.text(minutes, "minutes", 5000)
    if meeting.held_on > clock.today():
        raise ValidationError(
            {"minutes": _("The meeting has not taken place yet; record the minutes after it.")}
        )
    prepared = photos.prepare(uploads)
    with photos.files_removed_on_error() as written, transaction.atomic():
        grant = rules.require_manage(actor, meeting.org)
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        before = audit.snapshot(locked, ["minutes"])
        locked.minutes = minutes
        locked.minutes_by = actor
        locked.minutes_at = clock.now()
        locked.save(update_fields=["minutes", "minutes_by", "minutes_at"])
        photos.write(MeetingPhoto, prepared, user=actor, written=written, meeting=locked)
        audit.record(
            actor=actor,
            action="partylife.minutes",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes={**audit.diff(locked, before, ["minutes"]), "photos": len(prepared)},
        )
    return locked


def _attend(
    meeting: Meeting, member: PartyMember, *, actor: User, status: str, reason: str
) -> Attendance:
    row, created = Attendance.objects.get_or_create(
        meeting=meeting,
        member=member,
        defaults={
            "status": status,
            "reason": reason,
            "checked_in_at": clock.now() if status == AttendanceStatus.PRESENT else None,
            "recorded_by": actor,
            "place_path": meeting.place_path,
        },
    )
    if not created and (row.status, row.reason) != (status, reason):
        row.status, row.reason = status, reason
        row.checked_in_at = clock.now() if status == AttendanceStatus.PRESENT else None
        row.recorded_by = actor
        row.save(update_fields=["status", "reason", "checked_in_at", "recorded_by"])
    return row


def check_in(meeting: Meeting, *, actor: User, window: int | str, token: str) -> Attendance:
    """A member checks in with the meeting's rotating check-in link (QR code)."""
    try:
        checkin.check(meeting, window, token)
    except checkin.TokenError as error:
        raise ValidationError(str(error)) from None
    with transaction.atomic():
        member, grant = rules.require_attend(actor, meeting.org)
        if meeting.held_on != clock.today():
            raise ValidationError(_("Check-in is open only on the day of the meeting."))
        row = _attend(meeting, member, actor=actor, status=AttendanceStatus.PRESENT, reason="")
        audit.record(
            actor=actor,
            action="partylife.check_in",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"member": member.pk},
        )
    return row


def ask_leave(meeting: Meeting, *, actor: User, reason: str) -> Attendance:
    """A member asks for leave from a meeting, with the reason."""
    reason = inputs.text(reason, "reason", 200)
    with transaction.atomic():
        member, grant = rules.require_attend(actor, meeting.org)
        if meeting.held:
            raise ValidationError(_("The meeting has been held; leave can no longer be asked."))
        row = _attend(meeting, member, actor=actor, status=AttendanceStatus.LEAVE, reason=reason)
        audit.record(
            actor=actor,
            action="partylife.leave",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"member": member.pk, "reason": reason},
        )
    return row


def record_attendance(
    meeting: Meeting, member: PartyMember, *, actor: User, status: str, reason: str = ""
) -> Attendance:
    """The secretary records a member present or on leave (a member without a phone)."""
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Choose present or on leave.")})
    reason = inputs.text(reason, "reason", 200, required=status == AttendanceStatus.LEAVE)
    with transaction.atomic():
        grant = rules.require_manage(actor, meeting.org)
        if not _is_member(member, meeting.org):
            raise ValidationError({"member": _("Choose a member of this organisation.")})
        row = _attend(meeting, member, actor=actor, status=status, reason=reason)
        audit.record(
            actor=actor,
            action="partylife.attendance",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"member": member.pk, "status": status, "reason": reason},
        )
    return row


# --------------------------------------------------------------------------- democratic review


def open_review(org: PartyOrg, *, actor: User, year: int) -> ReviewRound:
    """The year's round of a branch, with one result row per current member."""
    if org.kind not in rules.BRANCH_KINDS:
        raise ValidationError({"org": _("The democratic review is held by a branch.")})
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError({"year": _("Enter a year between 2000 and 2100.")})
    with transaction.atomic():
        grant = rules.require_manage(actor, org)
        if ReviewRound.objects.filter(org=org, year=year).exists():
            raise ValidationError(
                {"year": _("The review of %(year)s is already open.") % {"year": year}}
            )
        round_ = ReviewRound.objects.create(
            org=org, year=year, created_by=actor, place_path=org.place_path
        )
        ReviewResult.objects.bulk_create(
            ReviewResult(round=round_, member=m, place_path=m.place_path) for m in _members_of(org)
        )
        audit.record(
            actor=actor,
            action="partylife.review_open",
            target=round_,
            place_path=round_.place_path,
            post=grant.post,
            changes={"year": year},
        )
    return round_


def _score(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValidationError({field: _("Enter a score from 0 to 100.")})
    return value


def self_assess(result: ReviewResult, *, actor: User, score: int, note: str = "") -> ReviewResult:
    """The member's own part."""
    score = _score(score, "self_score")
    note = inputs.text(note, "self_note", 500, required=False)
    with transaction.atomic():
        member, grant = rules.require_attend(actor, result.round.org)
        if member.pk != result.member_id:
            raise ValidationError(_("You can only assess yourself."))
        if result.decided_at is not None:
            raise ValidationError(_("The grade has been decided; the parts can no longer change."))
        result.self_score, result.self_note = score, note
        result.save(update_fields=["self_score", "self_note"])
        audit.record(
            actor=actor,
            action="partylife.review_self",
            target=result,
            place_path=result.place_path,
            post=grant.post,
            changes={"self_score": score},
        )
    return result


def decide(
    result: ReviewResult,
    *,
    actor: User,
    peer_score: int,
    branch_score: int,
    self_score: int | None = None,
) -> ReviewResult:
    """The branch records the peer and branch parts and decides the grade from the profile's
    bands; who decided and when are kept. The self part is the member's own (the secretary
    enters it only when the member has none)."""
    peer_score = _score(peer_score, "peer_score")
    branch_score = _score(branch_score, "branch_score")
    org = result.round.org
    with transaction.atomic():
        grant = rules.require_manage(actor, org)
        locked = ReviewResult.objects.select_for_update().get(pk=result.pk)
        if locked.self_score is None:
            if self_score is None:
                raise ValidationError({"self_score": _("The member's self-assessment is missing.")})
            locked.self_score = _score(self_score, "self_score")
        profile = rules.profiles_of([org.place])[org.place_id]
        fields = ["self_score", "peer_score", "branch_score", "total", "grade"]
        before = audit.snapshot(locked, fields)
        locked.peer_score, locked.branch_score = peer_score, branch_score
        locked.total = rules.total_of(profile, locked.self_score, peer_score, branch_score)
        locked.grade = rules.grade_of(profile, locked.total)
        locked.decided_by, locked.decided_at = actor, clock.now()
        locked.save(update_fields=[*fields, "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="partylife.review_decide",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes=audit.diff(locked, before, fields),
        )
    return locked


# --------------------------------------------------------------------------- dues


def _month(value: dt.date) -> dt.date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError({"month": _("Enter a month between 2000 and 2100.")})
    return value.replace(day=1)


def _fen(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_DUES_FEN:
        raise ValidationError({field: _("Enter an amount greater than 0 and at most 10,000 yuan.")})
    return value


def _dues_org(member: PartyMember) -> PartyOrg:
    """The branch a member pays dues to: the nearest branch above (or of) their organisation."""
    org: PartyOrg | None = member.org
    while org is not None and org.kind not in rules.BRANCH_KINDS:
        org = org.parent
    return org or member.org


def _post_dues(
    member: PartyMember,
    *,
    actor: User,
    kind: str,
    month: dt.date,
    amount_fen: int,
    base_fen: int | None,
    key: str,
) -> DuesEntry:
    """Append one line, idempotently: a replay of `key` returns the line already written; a
    second line of the same kind for the month is refused, also when two requests race (the
    member's row is locked, and the unique constraint decides on any database)."""
    key = inputs.text(key, "idempotency_key", 64)
    replay = DuesEntry.objects.filter(idempotency_key=key).first()
    if replay is not None:
        if (replay.member_id, replay.kind, replay.month, replay.amount_fen) != (
            member.pk,
            kind,
            month,
            amount_fen,
        ):
            raise ValidationError(
                _(
                    "This request was already recorded with different details; it was not applied again."
                )
            )
        return replay
    org = _dues_org(member)
    with transaction.atomic():
        grant = rules.require_manage(actor, org)
        PartyMember.objects.select_for_update().filter(pk=member.pk).first()
        replay = DuesEntry.objects.filter(idempotency_key=key).first()
        if replay is not None:
            return replay
        if kind == DuesKind.PAYMENT:
            due = DuesEntry.objects.filter(member=member, month=month, kind=DuesKind.DUE).first()
            if due is None:
                raise ValidationError(
                    {
                        "month": _(
                            "No amount is due for this month yet; record the amount due first."
                        )
                    }
                )
            if amount_fen != due.amount_fen:
                raise ValidationError(
                    {
                        "amount": _(
                            "The payment must be the amount due for the month (%(yuan)s yuan)."
                        )
                        % {"yuan": yuan(due.amount_fen)}
                    }
                )
        if DuesEntry.objects.filter(member=member, month=month, kind=kind).exists():
            raise ValidationError({"month": _already(kind, month)})
        entry = DuesEntry(
            member=member,
            org=org,
            month=month,
            kind=kind,
            amount_fen=amount_fen,
            base_fen=base_fen,
            idempotency_key=key,
            recorded_by=actor,
            place_path=member.place_path,
        )
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            winner = DuesEntry.objects.filter(idempotency_key=key).first()
            if winner is not None:
                return winner
            raise ValidationError({"month": _already(kind, month)}) from None
        audit.record(
            actor=actor,
            action=f"partylife.dues_{kind}",
            target=entry,
            place_path=entry.place_path,
            post=grant.post,
            changes={"member": member.pk, "month": month, "amount_fen": amount_fen},
        )
    return entry


def _already(kind: str, month: dt.date) -> str:
    if kind == DuesKind.PAYMENT:
        return _("The dues of %(month)s have already been paid.") % {"month": f"{month:%Y-%m}"}
    return _("The amount due for %(month)s is already recorded.") % {"month": f"{month:%Y-%m}"}


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def record_due(
    member: PartyMember,
    *,
    actor: User,
    month: dt.date,
    amount_fen: int,
    base_fen: int | None = None,
    idempotency_key: str = "",
) -> DuesEntry:
    """The amount a member owes for a month, set by the branch (with the base it records)."""
    month = _month(month)
    amount_fen = _fen(amount_fen, "amount")
    if base_fen is not None:
        base_fen = _fen(base_fen, "base")
    return _post_dues(
        member,
        actor=actor,
        kind=DuesKind.DUE,
        month=month,
        amount_fen=amount_fen,
        base_fen=base_fen,
        key=idempotency_key or f"due-{member.pk}-{month:%Y%m}",
    )


def record_payment(
    member: PartyMember,
    *,
    actor: User,
    month: dt.date,
    amount_fen: int,
    idempotency_key: str = "",
) -> DuesEntry:
    """A member's payment of a month's dues: at most once per month."""
    month = _month(month)
    amount_fen = _fen(amount_fen, "amount")
    return _post_dues(
        member,
        actor=actor,
        kind=DuesKind.PAYMENT,
        month=month,
        amount_fen=amount_fen,
        base_fen=None,
        key=idempotency_key or f"pay-{member.pk}-{month:%Y%m}",
    )


# --------------------------------------------------------------------------- transfers


def _step(transfer: Transfer, step: str) -> str:
    try:
        return workflow.target(transfer.state, step)
    except workflow.IllegalTransition as error:
        raise ValidationError(error.message) from None


def _letter(outside_org: str, letter_no: str, note: str) -> tuple[str, str, str]:
    return (
        inputs.text(outside_org, "outside_org", 100),
        inputs.text(letter_no, "letter_no", 40),
        inputs.text(note, "note", 500, required=False),
    )


def request_transfer(
    member: PartyMember, to_org: PartyOrg, *, actor: User, note: str = ""
) -> Transfer:
    """The member's branch asks `to_org` (anywhere on the platform) to take the member in.
    Nothing moves until the receiving branch accepts."""
    note = inputs.text(note, "note", 500, required=False)
    with transaction.atomic():
        locked = (
            PartyMember.objects.select_for_update(of=("self",))
            .select_related("org")
            .get(pk=member.pk)
        )
        grant = rules.require_manage(actor, locked.org)
        if not locked.is_active:
            raise ValidationError(_("This membership has ended; it cannot be transferred."))
        if to_org.kind not in registry.MEMBER_ORG_KINDS:
            raise ValidationError({"to_org": _("Choose a branch, group or committee.")})
        if to_org.pk == locked.org_id:
            raise ValidationError({"to_org": _("The member already belongs to this organisation.")})
        if Transfer.objects.filter(member=locked, state=TransferState.REQUESTED).exists():
            raise ValidationError(_("A transfer of this member is already awaiting acceptance."))
        transfer = Transfer(
            kind=TransferKind.INTERNAL,
            state=workflow.target(workflow.NEW, workflow.Step.REQUEST),
            member=locked,
            from_org=locked.org,
            to_org=to_org,
            note=note,
            requested_by=actor,
            from_path=locked.org.place_path,
            to_path=to_org.place_path,
        )
        try:
            with transaction.atomic():
                transfer.save()
        except IntegrityError:
            raise ValidationError(
                _("A transfer of this member is already awaiting acceptance.")
            ) from None
        audit.record(
            actor=actor,
            action="partylife.transfer_request",
            target=transfer,
            place_path=transfer.from_path,
            post=grant.post,
            changes={"member": locked.pk, "from": locked.org.name, "to": to_org.name},
        )
    return transfer


def _decide_transfer(transfer: Transfer, *, actor: User, step: str, reason: str = "") -> Transfer:
    with transaction.atomic():
        locked = (
            Transfer.objects.select_for_update(of=("self",))
            .select_related("from_org", "to_org")
            .get(pk=transfer.pk)
        )
        side = locked.from_org if step == workflow.Step.WITHDRAW else locked.to_org
        if side is None:
            raise ValidationError(_("This transfer has no branch on the platform to decide it."))
        grant = rules.manage_grant(actor, side)
        if grant is None:
            # The other end's secretary sees the transfer but may not decide for this end.
            ends = [o for o in (locked.from_org, locked.to_org) if o is not None]
            if any(rules.may_view(actor, o) for o in ends):
                raise PermissionDenied
            raise Http404
        new = _step(locked, step)
        if step == workflow.Step.ACCEPT:
            member = (
                PartyMember.objects.select_for_update()
                .select_related("org")
                .get(pk=locked.member_id)
            )
            if not member.is_active or member.org_id != locked.from_org_id:
                raise ValidationError(
                    _(
                        "The member is no longer in %(org)s; refuse this transfer and ask for a "
                        "new one."
                    )
                    % {"org": locked.from_org.name if locked.from_org else ""}
                )
            assert locked.to_org is not None
            registry.transfer_member(
                member, locked.to_org, actor=actor, post=grant.post, reason=locked.note
            )
        locked.state = new
        locked.refusal_reason = reason
        locked.decided_by, locked.decided_at = actor, clock.now()
        locked.save(update_fields=["state", "refusal_reason", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action=f"partylife.transfer_{step}",
            target=locked,
            place_path=locked.to_path if step != workflow.Step.WITHDRAW else locked.from_path,
            post=grant.post,
            changes={"state": [TransferState.REQUESTED, new]},
            reason=reason,
        )
    return locked


def accept_transfer(transfer: Transfer, *, actor: User) -> Transfer:
    """The receiving branch accepts: the member moves to it (and stops being the secretary of
    the branch they leave)."""
    return _decide_transfer(transfer, actor=actor, step=workflow.Step.ACCEPT)


def refuse_transfer(transfer: Transfer, *, actor: User, reason: str) -> Transfer:
    """The receiving branch refuses, with the reason; the member stays where they were."""
    reason = inputs.text(reason, "refusal_reason", 500)
    return _decide_transfer(transfer, actor=actor, step=workflow.Step.REFUSE, reason=reason)


def withdraw_transfer(transfer: Transfer, *, actor: User) -> Transfer:
    """The member's branch takes its request back; the member stays where they were."""
    return _decide_transfer(transfer, actor=actor, step=workflow.Step.WITHDRAW)


def record_transfer_out(
    member: PartyMember, *, actor: User, outside_org: str, letter_no: str, note: str = ""
) -> Transfer:
    """The member's relation moves to an organisation outside the platform: a record with the
    letter's number; the membership ends at once (the row stays, inactive)."""
    outside_org, letter_no, note = _letter(outside_org, letter_no, note)
    with transaction.atomic():
        locked = (
            PartyMember.objects.select_for_update(of=("self",))
            .select_related("org")
            .get(pk=member.pk)
        )
        grant = rules.require_manage(actor, locked.org)
        if Transfer.objects.filter(member=locked, state=TransferState.REQUESTED).exists():
            raise ValidationError(
                _("A transfer of this member is awaiting acceptance; withdraw it first.")
            )
        registry.transfer_out(locked, actor=actor, post=grant.post, reason=letter_no)
        transfer = Transfer.objects.create(
            kind=TransferKind.OUT,
            state=workflow.target(workflow.NEW, workflow.Step.RECORD),
            member=locked,
            from_org=locked.org,
            outside_org=outside_org,
            letter_no=letter_no,
            note=note,
            requested_by=actor,
            decided_by=actor,
            decided_at=clock.now(),
            from_path=locked.org.place_path,
        )
        audit.record(
            actor=actor,
            action="partylife.transfer_out",
            target=transfer,
            place_path=transfer.from_path,
            post=grant.post,
            changes={"member": locked.pk, "to": outside_org, "letter_no": letter_no},
        )
    return transfer


def record_transfer_in(
    resident: Resident,
    to_org: PartyOrg,
    *,
    actor: User,
    outside_org: str,
    letter_no: str,
    note: str = "",
) -> Transfer:
    """A resident's relation arrives from an organisation outside the platform: a record with
    the letter's number; the resident becomes (again) a member of `to_org` at once. Whoever
    records it must manage `to_org` and see the resident in the residents' registry."""
    outside_org, letter_no, note = _letter(outside_org, letter_no, note)
    with transaction.atomic():
        grant = rules.require_manage(actor, to_org)
        if not residents_for(actor).filter(pk=resident.pk).exists():
            raise Http404
        member = registry.transfer_in(
            resident, to_org, actor=actor, post=grant.post, reason=letter_no
        )
        transfer = Transfer.objects.create(
            kind=TransferKind.IN,
            state=workflow.target(workflow.NEW, workflow.Step.RECORD),
            member=member,
            to_org=to_org,
            outside_org=outside_org,
            letter_no=letter_no,
            note=note,
            requested_by=actor,
            decided_by=actor,
            decided_at=clock.now(),
            to_path=to_org.place_path,
        )
        audit.record(
            actor=actor,
            action="partylife.transfer_in",
            target=transfer,
            place_path=transfer.to_path,
            post=grant.post,
            changes={"member": member.pk, "from": outside_org, "letter_no": letter_no},
        )
    return transfer
