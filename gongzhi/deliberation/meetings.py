"""Deliberation: meetings. Created with an agenda, invitations, check-in by rotating code or
marked by staff, minutes, resolutions and their follow-throughs (落实事项).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.deliberation._common import (
    OFFICIAL_ROLES,
    QR_WINDOW_SECONDS,
    TITLE_MAX,
    _earn,
    _in_site_language,
    _manage,
    _notify,
    _text,
)
from gongzhi.deliberation.models import (
    AgendaItem,
    Attendance,
    AttendanceMethod,
    FollowThrough,
    FollowThroughNote,
    FollowThroughStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Resolution,
    Topic,
    TopicStatus,
)
from gongzhi.deliberation.selectors import active_users, invitable_users, joint_invitees
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind

# --------------------------------------------------------------------------- meetings


def _agenda_topics(community: Place, topic_ids: Iterable[int | str]) -> list[Topic]:
    ids = {int(i) for i in topic_ids if str(i).isdigit()}
    if not ids:
        return []
    topics = list(
        Topic.objects.filter(pk__in=ids, community=community, status=TopicStatus.ON_AGENDA)
    )
    if len(topics) != len(ids):
        raise ValidationError(
            {"topics": _("Only topics of this community that are on the agenda can be added.")}
        )
    return topics


def create_meeting(
    *,
    actor: User,
    community: Place,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    location: str = "",
    topic_ids: Iterable[int | str] = (),
    free_items: Iterable[str] = (),
) -> Meeting:
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Meetings are held by a community.")})
    grant = _manage(actor, community.path)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    title = _text(title, "title", TITLE_MAX)
    location = _text(location, "location", 120, required=False)
    if starts_at is None:
        raise ValidationError({"starts_at": _("Give the date and time of the meeting.")})
    items = [_text(i, "free_items", TITLE_MAX) for i in free_items if (i or "").strip()]
    with transaction.atomic():
        topics = _agenda_topics(community, topic_ids)
        meeting = Meeting.objects.create(
            kind=kind,
            title=title,
            community=community,
            place_path=community.path,
            starts_at=starts_at,
            location=location,
            created_by=actor,
        )
        _add_agenda(meeting, topics, items)
        # a joint meeting invites its estates' bodies (selectors.set_joint_invitees)
        bodies = list(active_users(joint_invitees(meeting)))
        Invitation.objects.bulk_create([Invitation(meeting=meeting, user=u) for u in bodies])
        audit.record(
            actor=actor,
            action="deliberation.meeting_create",
            target=meeting,
            place_path=community.path,
            post=grant.post,
            changes={"kind": kind, "topics": [t.pk for t in topics], "items": items}
            | ({"invited": [u.pk for u in bodies]} if bodies else {}),
        )
        if bodies:
            _notify([u.pk for u in bodies], "meeting_invite", _invited_text(meeting))
    return meeting


def _add_agenda(meeting: Meeting, topics: list[Topic], items: list[str]) -> None:
    start = meeting.agenda.count()
    rows = [AgendaItem(meeting=meeting, topic=t, title=t.title[:TITLE_MAX]) for t in topics]
    rows += [AgendaItem(meeting=meeting, title=i) for i in items]
    for n, row in enumerate(rows):
        row.order = start + n + 1
    AgendaItem.objects.bulk_create(rows)
    if topics:
        Topic.objects.filter(pk__in=[t.pk for t in topics]).update(meeting=meeting)


def add_agenda_items(
    meeting: Meeting,
    *,
    actor: User,
    topic_ids: Iterable[int | str] = (),
    free_items: Iterable[str] = (),
) -> Meeting:
    grant = _manage(actor, meeting.place_path)
    if meeting.status != MeetingStatus.PLANNED:
        raise ValidationError(_("The agenda of a meeting that was held cannot change."))
    items = [_text(i, "free_items", TITLE_MAX) for i in free_items if (i or "").strip()]
    with transaction.atomic():
        already = set(meeting.agenda.exclude(topic=None).values_list("topic_id", flat=True))
        topics = [t for t in _agenda_topics(meeting.community, topic_ids) if t.pk not in already]
        if not topics and not items:
            raise ValidationError(_("Choose a topic on the agenda or write an item."))
        _add_agenda(meeting, topics, items)
        audit.record(
            actor=actor,
            action="deliberation.agenda_add",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"topics": [t.pk for t in topics], "items": items},
        )
    return meeting


def _may_attend(user: User, meeting: Meeting) -> bool:
    return meeting.invitations.filter(user=user).exists() or access.can(
        user, Action.DELIBERATION_JOIN, meeting.place_path
    )


def invite(meeting: Meeting, users: Iterable[User], *, actor: User) -> int:
    """Invite users (residents of the community, property staff, partner contacts…); each gets
    an in-app notification once."""
    grant = _manage(actor, meeting.place_path)
    users = list({u.pk: u for u in users}.values())
    if not users:
        raise ValidationError(_("Choose at least one person to invite."))
    for user in users:
        in_community = access.can(user, Action.DELIBERATION_JOIN, meeting.place_path)
        listed = invitable_users(meeting).filter(pk=user.pk).exists()
        if not (in_community or listed):
            raise ValidationError(
                _("%(name)s does not belong to this community and cannot be invited.")
                % {"name": user}
            )
    with transaction.atomic():
        known = set(meeting.invitations.values_list("user_id", flat=True))
        new = [u for u in users if u.pk not in known]
        Invitation.objects.bulk_create([Invitation(meeting=meeting, user=u) for u in new])
        audit.record(
            actor=actor,
            action="deliberation.invite",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"invited": [u.pk for u in new]},
        )
        _notify([u.pk for u in new], "meeting_invite", _invited_text(meeting))
    return len(new)


def _invited_text(meeting: Meeting) -> str:
    return _in_site_language(
        lambda: (
            _("You are invited to “%(title)s” on %(when)s.")
            % {
                "title": meeting.title,
                "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
            }
        )
    )


def checkin_token(meeting: Meeting, at: dt.datetime | None = None) -> str:
    """The rotating check-in code: HMAC of (meeting id, 30-second window)."""
    window = int((at or clock.now()).timestamp()) // QR_WINDOW_SECONDS
    message = f"deliberation-checkin:{meeting.pk}:{window}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:20]


def _token_valid(meeting: Meeting, token: str) -> bool:
    now = clock.now()
    # The code on screen and the one just before it (a scan at the turn of the window).
    for at in (now, now - dt.timedelta(seconds=QR_WINDOW_SECONDS)):
        if hmac.compare_digest(checkin_token(meeting, at), str(token or "")):
            return True
    return False


def _record_attendance(
    meeting: Meeting, user: User, method: str, marked_by: User | None
) -> Attendance | None:
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                meeting=meeting, user=user, method=method, marked_by=marked_by
            )
    except IntegrityError:
        return None


def check_in(meeting: Meeting, token: str, *, actor: User) -> Attendance:
    """A participant scans the code shown at the meeting."""
    if not _may_attend(actor, meeting):
        raise Http404
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if not _token_valid(meeting, token):
        raise ValidationError(
            _("This check-in code has expired. Scan the code on the screen again.")
        )
    with transaction.atomic():
        attendance = _record_attendance(meeting, actor, AttendanceMethod.QR, None)
        if attendance is None:
            raise ValidationError(_("You have already checked in to this meeting."))
        audit.record(
            actor=actor,
            action="deliberation.check_in",
            target=meeting,
            place_path=meeting.place_path,
            changes={"user": actor.pk, "method": AttendanceMethod.QR},
        )
        _earn(resident_of(actor), attendance, actor)
    return attendance


def mark_attendance(meeting: Meeting, users: Iterable[User], *, actor: User) -> int:
    """Staff mark invitees (or people of the community) present by hand."""
    grant = _manage(actor, meeting.place_path)
    users = list(users)
    if not users:
        raise ValidationError(_("Choose at least one person who attended."))
    for user in users:
        if not _may_attend(user, meeting):
            raise ValidationError(
                _("%(name)s was not invited and is not from this community.") % {"name": user}
            )
    marked = []
    with transaction.atomic():
        for user in users:
            attendance = _record_attendance(meeting, user, AttendanceMethod.MANUAL, actor)
            if attendance is not None:
                marked.append(user.pk)
                _earn(resident_of(user), attendance, actor)
        audit.record(
            actor=actor,
            action="deliberation.attendance_mark",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"marked": marked},
        )
    return len(marked)


def record_minutes(meeting: Meeting, minutes: str, *, actor: User) -> Meeting:
    """The minutes: the meeting counts as held and its topics as discussed."""
    grant = _manage(actor, meeting.place_path)
    minutes = _text(minutes, "minutes", 20000)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError(_("This meeting was cancelled."))
    if meeting.starts_at > clock.now():
        raise ValidationError(_("Minutes can be recorded once the meeting has started."))
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        meeting.minutes, meeting.minutes_at = minutes, clock.now()
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["minutes", "minutes_at", "status"])
        topic_ids = list(meeting.agenda.exclude(topic=None).values_list("topic_id", flat=True))
        discussed = Topic.objects.filter(pk__in=topic_ids, status=TopicStatus.ON_AGENDA).update(
            status=TopicStatus.DISCUSSED, meeting=meeting, updated_at=clock.now()
        )
        audit.record(
            actor=actor,
            action="deliberation.minutes",
            target=meeting,
            place_path=meeting.place_path,
            post=grant.post,
            changes={"status": MeetingStatus.HELD, "topics_discussed": discussed},
        )
    return meeting


def owner_title(user: User, path: str) -> str:
    """The owner's public function: the role of their post in the community."""
    post = (
        Post.objects.filter(user=user, is_active=True, role__in=OFFICIAL_ROLES)
        .filter(place__path__under=path)
        .order_by("id")
        .first()
    ) or Post.objects.filter(user=user, is_active=True).order_by("id").first()
    return str(Role(post.role).label) if post else ""


def add_resolution(
    meeting: Meeting,
    *,
    actor: User,
    text: str,
    owner: User | None,
    due: dt.date | None,
    follow_through_title: str = "",
    topic: Topic | None = None,
) -> Resolution:
    """A resolution and the follow-through it commits to, with an owner and a deadline. (The
    title's field is still called `action_title` in the page's form and the API.)"""
    grant = _manage(actor, meeting.place_path)
    text = _text(text, "text", 2000)
    follow_through_title = _text(follow_through_title or text[:200], "action_title", 200)
    if owner is None or not invitable_users(meeting).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Choose an owner who holds a post in this community.")})
    if due is None:
        raise ValidationError({"due": _("Give the deadline of the action.")})
    if topic is not None and topic.community_id != meeting.community_id:
        raise ValidationError({"topic": _("The topic belongs to another community.")})
    with transaction.atomic():
        resolution = Resolution.objects.create(meeting=meeting, topic=topic, text=text)
        follow_through = FollowThrough.objects.create(
            resolution=resolution,
            place_path=meeting.place_path,
            title=follow_through_title,
            owner=owner,
            owner_title=_in_site_language(lambda: owner_title(owner, meeting.place_path)),
            due=due,
        )
        audit.record(
            actor=actor,
            action="deliberation.resolution",
            target=resolution,
            place_path=meeting.place_path,
            post=grant.post,
            # "action": the key of the records written before the rename (issue 11).
            changes={"action": follow_through.pk, "owner": owner.pk, "due": due.isoformat()},
        )
        _notify(
            [owner.pk],
            "action_assigned",
            _in_site_language(
                lambda: (
                    _("You own the action “%(title)s”, due %(due)s.")
                    % {"title": follow_through_title, "due": due.isoformat()}
                )
            ),
            actor=actor,
        )
    return resolution


def update_follow_through(
    follow_through: FollowThrough, *, actor: User, status: str, note: str
) -> FollowThrough:
    """The owner (or community staff) reports progress: in progress or done, with a note."""
    is_owner = follow_through.owner_id == actor.pk
    grant = None
    if not is_owner:
        grant = _manage(actor, follow_through.place_path)
    if status not in (FollowThroughStatus.IN_PROGRESS, FollowThroughStatus.DONE):
        raise ValidationError({"status": _("Choose “in progress” or “done”.")})
    note = _text(note, "note", 2000)
    with transaction.atomic():
        follow_through = FollowThrough.objects.select_for_update().get(pk=follow_through.pk)
        if follow_through.status == FollowThroughStatus.DONE:
            raise ValidationError(_("This action is already done."))
        before = follow_through.status
        follow_through.status = status
        follow_through.done_at = clock.now() if status == FollowThroughStatus.DONE else None
        follow_through.save(update_fields=["status", "done_at"])
        FollowThroughNote.objects.create(
            follow_through=follow_through, author=actor, status=status, text=note
        )
        audit.record(
            actor=actor,
            # The audit code of the records written before the rename (issue 11).
            action="deliberation.action_progress",
            target=follow_through,
            place_path=follow_through.place_path,
            post=grant.post if grant else None,
            changes={"status": [before, status]},
        )
    return follow_through
