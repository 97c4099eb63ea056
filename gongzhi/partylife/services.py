"""Every write of organisational life: one transaction, the object rule
(`rules.require_manage` / `rules.require_attend`: 404 outside the actor's reach, 403 inside it
without the right), one audit record; a refusal raises a ValidationError with a clear message
and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock, inputs, photos
from gongzhi.core.models import User
from gongzhi.party.models import PartyMember, PartyOrg
from gongzhi.partylife import checkin, rules
from gongzhi.partylife.models import (
    Attendance,
    AttendanceStatus,
    DuesEntry,
    DuesKind,
    Meeting,
    MeetingPhoto,
    ReviewResult,
    ReviewRound,
)

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
