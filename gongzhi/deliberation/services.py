"""Every write to deliberation. Each function is one transaction that checks the actor's right
through the access module and writes an audit record. A refused write raises and changes
nothing:
- Http404: the target is outside the actor's scope;
- PermissionDenied (403): inside the scope, but the role may not do this;
- ValidationError (400): bad input or a step not possible now (message says what to do).

Concurrency: supports and ballots lock their topic/poll row (SELECT … FOR UPDATE on PostgreSQL;
on SQLite writers queue on the database lock) and the unique constraints catch what slips
through (IntegrityError → the same clear message).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, ledger, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action as Perm
from gongzhi.core.roles import Role
from gongzhi.deliberation.models import (
    Action,
    ActionNote,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceMethod,
    Ballot,
    Invitation,
    JointMeetingReminder,
    Meeting,
    MeetingKind,
    MeetingSeries,
    MeetingStatus,
    Notice,
    NoticeCategory,
    NoticeStatus,
    Opinion,
    Poll,
    PollOption,
    Representative,
    Resolution,
    SeriesFrequency,
    Topic,
    TopicOrigin,
    TopicStatus,
    TopicSupport,
)
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind
from gongzhi.tickets.models import Notification

log = logging.getLogger(__name__)

TITLE_MAX = 120
TEXT_MAX = 4000
OPINION_MAX = 2000
REASON_MAX = 300
QR_WINDOW_SECONDS = 30  # how long one check-in code is shown (the code rotates)
# 003 annex 19: the public affairs of the community, grid, estate and building (社区、网格、小区、
# 楼栋) are deliberated, down to residents'-group meetings.
TOPIC_PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.ESTATE, PlaceKind.BUILDING)
# Who may be given an action or invited besides residents: posts in the community.
OFFICIAL_ROLES = (
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
    Role.BUILDING_HEAD,
    Role.PARTY_MEMBER,
    Role.VOLUNTEER,
    Role.PROPERTY_STAFF,
    Role.PARTNER_CONTACT,
    Role.STREET_OFFICER,
)
# The transitions staff make by hand (the others are made by supports and minutes).
CLOSING = {
    TopicStatus.RESOLVED: (TopicStatus.DISCUSSED,),
    TopicStatus.CLOSED: (TopicStatus.OPEN, TopicStatus.ON_AGENDA, TopicStatus.DISCUSSED),
    TopicStatus.REJECTED: (TopicStatus.OPEN, TopicStatus.ON_AGENDA),
}


# --------------------------------------------------------------------------- helpers


def setting(place: Place, key: str) -> int:
    """A policy number for `place`: its profile's value or the platform default."""
    profile = profiles.effective_profile(place)
    value = profile.get(key) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[key].default
    return int(value)


def community_of(place: Place) -> Place:
    """The community containing `place` (itself when it is one)."""
    if place.depth == access.COMMUNITY_DEPTH:
        return place
    if place.depth < access.COMMUNITY_DEPTH:
        raise ValidationError(_("Choose a community or a place inside one."))
    return Place.objects.get(path=place.ancestor_paths()[access.COMMUNITY_DEPTH])


def _text(value: str | None, field: str, maximum: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required; please fill it in.")})
    if len(value) > maximum:
        raise ValidationError(
            {field: _("This text is too long (at most %(n)s characters).") % {"n": maximum}}
        )
    return value


def _reason(value: str | None) -> str:
    return _text(value, "reason", REASON_MAX)


def _notify(user_ids: Iterable[int], verb: str, text: str, actor=None) -> None:
    """In-app notifications (the tickets notification centre, with no ticket)."""
    ids = sorted({uid for uid in user_ids if uid and uid != getattr(actor, "pk", None)})
    Notification.objects.bulk_create(
        [Notification(user_id=uid, verb=verb, text=text[:300]) for uid in ids]
    )


def _in_site_language(fn):
    with translation.override(settings.LANGUAGE_CODE):
        return str(fn())


def _earn(resident: Resident | None, source, actor) -> None:
    """Participation points (gongzhi.volunteering.points, rule `deliberation`). A refusal
    there (daily cap, …) never undoes the participation."""
    if resident is None:
        return
    from gongzhi.volunteering import points

    try:
        with transaction.atomic():
            points.earn(resident, "deliberation", source=source, actor=actor)
    except (ledger.LedgerError, ValidationError, ValueError) as error:  # EarnError is a ValueError
        log.info("deliberation points not given: %s", type(error).__name__)


def _manage(actor, path: str, action: str = Perm.DELIBERATION_MANAGE):
    """403 for people of the community without the right, 404 for everyone else."""
    return access.require(actor, action, path, read_action=Perm.DELIBERATION_JOIN)


# --------------------------------------------------------------------------- topics


def raise_topic(
    actor,
    *,
    place: Place,
    title: str,
    text: str,
    origin: str = TopicOrigin.RESIDENT,
    origin_name: str = "",
) -> Topic:
    """A resident, staff member or party organisation raises a topic in a community, grid,
    estate or building (003 annex 19)."""
    if place.kind not in TOPIC_PLACE_KINDS:
        raise ValidationError(
            {"place": _("A topic belongs to a community, a grid, an estate or a building.")}
        )
    grant = access.require(actor, Perm.DELIBERATION_JOIN, place.path)
    title = _text(title, "title", TITLE_MAX)
    text = _text(text, "text", TEXT_MAX)
    if origin not in TopicOrigin.values:
        raise ValidationError({"origin": _("Choose who raises the topic.")})
    if origin != TopicOrigin.RESIDENT and not access.can(
        actor, Perm.DELIBERATION_MANAGE, place.path
    ):
        raise PermissionDenied(_("Only community staff may raise a topic for an organisation."))
    origin_name = _text(origin_name, "origin_name", 100, required=origin == TopicOrigin.PARTY_ORG)
    with transaction.atomic():
        topic = Topic.objects.create(
            title=title,
            text=text,
            place=place,
            place_path=place.path,
            community=community_of(place),
            origin=origin,
            origin_name=origin_name,
            raised_by=actor,
        )
        audit.record(
            actor=actor,
            action="deliberation.topic_raise",
            target=topic,
            place_path=place.path,
            post=grant.post,
            changes={"title": title, "origin": origin},
        )
    return topic


def _reach_agenda(topic: Topic) -> None:
    threshold = setting(topic.place, "deliberation.support_threshold")
    if topic.status == TopicStatus.OPEN and topic.support_count >= threshold:
        topic.status = TopicStatus.ON_AGENDA
        topic.threshold = threshold
        topic.on_agenda_at = clock.now()


def support(actor, topic: Topic) -> Topic:
    """One support per resident. At the profile's threshold the topic goes onto the agenda."""
    access.require(actor, Perm.DELIBERATION_JOIN, topic.place_path)
    resident = resident_of(actor)
    if resident is None:
        raise ValidationError(
            _("Only residents in the registry can support a topic. Ask your community office.")
        )
    message = _("You already support this topic; each resident supports it once.")
    try:
        with transaction.atomic():
            locked = Topic.objects.select_for_update().get(pk=topic.pk)
            if locked.status != TopicStatus.OPEN:
                raise ValidationError(_("This topic no longer collects support."))
            if TopicSupport.objects.filter(topic=locked, resident=resident).exists():
                raise ValidationError(message)
            TopicSupport.objects.create(topic=locked, resident=resident, user=actor)
            locked.support_count = F("support_count") + 1
            locked.updated_at = clock.now()
            locked.save(update_fields=["support_count", "updated_at"])
            locked.refresh_from_db(fields=["support_count"])
            _reach_agenda(locked)
            locked.save(update_fields=["status", "threshold", "on_agenda_at"])
            audit.record(
                actor=actor,
                action="deliberation.topic_support",
                target=locked,
                place_path=locked.place_path,
                changes={"support_count": locked.support_count, "status": locked.status},
            )
    except IntegrityError:
        raise ValidationError(message) from None
    return locked


def give_opinion(actor, topic: Topic, text: str, *, official: bool = False) -> Opinion:
    """An opinion from anyone in the community; an official reply only from staff."""
    access.require(actor, Perm.DELIBERATION_JOIN, topic.place_path)
    grant = None
    if official:
        grant = _manage(actor, topic.place_path)
    text = _text(text, "text", OPINION_MAX)
    finished = (TopicStatus.RESOLVED, TopicStatus.CLOSED, TopicStatus.REJECTED)
    if topic.status in finished and not official:
        raise ValidationError(_("This topic is finished and takes no more opinions."))
    with transaction.atomic():
        opinion = Opinion.objects.create(topic=topic, author=actor, text=text, official=official)
        audit.record(
            actor=actor,
            action="deliberation.official_reply" if official else "deliberation.opinion",
            target=opinion,
            place_path=topic.place_path,
            post=grant.post if grant else None,
            changes={"topic": topic.pk},
        )
    return opinion


def hide_opinion(actor, opinion: Opinion, reason: str) -> Opinion:
    """Moderation: staff hide an opinion with a reason the author and the others see."""
    grant = _manage(actor, opinion.topic.place_path)
    reason = _reason(reason)
    with transaction.atomic():
        opinion = Opinion.objects.select_for_update().get(pk=opinion.pk)
        if opinion.hidden:
            raise ValidationError(_("This opinion is already hidden."))
        opinion.hidden, opinion.hidden_reason = True, reason
        opinion.hidden_by, opinion.hidden_at = actor, clock.now()
        opinion.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
        audit.record(
            actor=actor,
            action="deliberation.opinion_hide",
            target=opinion,
            place_path=opinion.topic.place_path,
            post=grant.post,
            reason=reason,
            changes={"hidden": [False, True]},
        )
    if opinion.author_id != actor.pk:
        _notify(
            [opinion.author_id],
            "opinion_hidden",
            _in_site_language(
                lambda: _("Your opinion was hidden by a moderator: %(reason)s") % {"reason": reason}
            ),
        )
    return opinion


def set_topic_status(actor, topic: Topic, status: str, reason: str) -> Topic:
    """Staff finish a topic: resolved, closed or rejected, always with a reason."""
    grant = _manage(actor, topic.place_path)
    if status not in CLOSING:
        raise ValidationError({"status": _("Choose resolved, closed or rejected.")})
    reason = _reason(reason)
    with transaction.atomic():
        topic = Topic.objects.select_for_update().get(pk=topic.pk)
        if topic.status not in CLOSING[status]:
            raise ValidationError(
                _("A topic that is “%(current)s” cannot become “%(new)s”.")
                % {
                    "current": TopicStatus(topic.status).label,
                    "new": TopicStatus(status).label,
                }
            )
        before = topic.status
        topic.status, topic.status_reason, topic.updated_at = status, reason, clock.now()
        topic.save(update_fields=["status", "status_reason", "updated_at"])
        audit.record(
            actor=actor,
            action="deliberation.topic_status",
            target=topic,
            place_path=topic.place_path,
            post=grant.post,
            reason=reason,
            changes={"status": [before, status]},
        )
    return topic


# --------------------------------------------------------------------------- meetings


def _agenda_topics(community: Place, topic_ids: Iterable) -> list[Topic]:
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
    actor,
    *,
    community: Place,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    location: str = "",
    topic_ids: Iterable = (),
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
        audit.record(
            actor=actor,
            action="deliberation.meeting_create",
            target=meeting,
            place_path=community.path,
            post=grant.post,
            changes={"kind": kind, "topics": [t.pk for t in topics], "items": items},
        )
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


def add_agenda_items(actor, meeting: Meeting, *, topic_ids=(), free_items=()) -> Meeting:
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


def invitable_users(meeting: Meeting):
    """Officials and contacts with a post in the community (property staff, partner contacts,
    party members, building heads…), partner contacts and street officers posted at the street
    above it, plus the confirmed representatives' logins."""
    street_paths = meeting.community.ancestor_paths()[:-1]
    posts = Post.objects.filter(is_active=True).filter(
        Q(place__path__under=meeting.place_path, role__in=OFFICIAL_ROLES)
        | Q(
            place__path__in=street_paths,
            role__in=(Role.PARTNER_CONTACT, Role.STREET_OFFICER),
        )
    )
    rep_users = Representative.objects.filter(community=meeting.community).values(
        "resident__user_id"
    )
    return User.objects.filter(is_active=True).filter(
        Q(pk__in=posts.values("user_id")) | Q(pk__in=rep_users)
    )


def _may_attend(user, meeting: Meeting) -> bool:
    return meeting.invitations.filter(user=user).exists() or access.can(
        user, Perm.DELIBERATION_JOIN, meeting.place_path
    )


def invite(actor, meeting: Meeting, users: Iterable[User]) -> int:
    """Invite users (residents of the community, property staff, partner contacts…); each gets
    an in-app notification once."""
    grant = _manage(actor, meeting.place_path)
    users = list({u.pk: u for u in users}.values())
    if not users:
        raise ValidationError(_("Choose at least one person to invite."))
    for user in users:
        in_community = access.can(user, Perm.DELIBERATION_JOIN, meeting.place_path)
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
        text = _in_site_language(
            lambda: (
                _("You are invited to “%(title)s” on %(when)s.")
                % {
                    "title": meeting.title,
                    "when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
        )
        _notify([u.pk for u in new], "meeting_invite", text)
    return len(new)


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


def _record_attendance(meeting, user, method, marked_by) -> Attendance | None:
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                meeting=meeting, user=user, method=method, marked_by=marked_by
            )
    except IntegrityError:
        return None


def check_in(actor, meeting: Meeting, token: str) -> Attendance:
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


def mark_attendance(actor, meeting: Meeting, users: Iterable[User]) -> int:
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


def record_minutes(actor, meeting: Meeting, minutes: str) -> Meeting:
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
    actor,
    meeting: Meeting,
    *,
    text: str,
    owner: User,
    due: dt.date,
    action_title: str = "",
    topic: Topic | None = None,
) -> Resolution:
    """A resolution and the action it commits to, with an owner and a deadline."""
    grant = _manage(actor, meeting.place_path)
    text = _text(text, "text", 2000)
    action_title = _text(action_title or text[:200], "action_title", 200)
    if owner is None or not invitable_users(meeting).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": _("Choose an owner who holds a post in this community.")})
    if due is None:
        raise ValidationError({"due": _("Give the deadline of the action.")})
    if topic is not None and topic.community_id != meeting.community_id:
        raise ValidationError({"topic": _("The topic belongs to another community.")})
    with transaction.atomic():
        resolution = Resolution.objects.create(meeting=meeting, topic=topic, text=text)
        action = Action.objects.create(
            resolution=resolution,
            place_path=meeting.place_path,
            title=action_title,
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
            changes={"action": action.pk, "owner": owner.pk, "due": due.isoformat()},
        )
        _notify(
            [owner.pk],
            "action_assigned",
            _in_site_language(
                lambda: (
                    _("You own the action “%(title)s”, due %(due)s.")
                    % {"title": action_title, "due": due.isoformat()}
                )
            ),
            actor=actor,
        )
    return resolution


def update_action(actor, action: Action, *, status: str, note: str) -> Action:
    """The owner (or community staff) reports progress: in progress or done, with a note."""
    is_owner = action.owner_id == actor.pk
    grant = None
    if not is_owner:
        grant = _manage(actor, action.place_path)
    if status not in (ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        raise ValidationError({"status": _("Choose “in progress” or “done”.")})
    note = _text(note, "note", 2000)
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        if action.status == ActionStatus.DONE:
            raise ValidationError(_("This action is already done."))
        before = action.status
        action.status = status
        action.done_at = clock.now() if status == ActionStatus.DONE else None
        action.save(update_fields=["status", "done_at"])
        ActionNote.objects.create(action=action, author=actor, status=status, text=note)
        audit.record(
            actor=actor,
            action="deliberation.action_progress",
            target=action,
            place_path=action.place_path,
            post=grant.post if grant else None,
            changes={"status": [before, status]},
        )
    return action


# --------------------------------------------------------------------------- joint meetings

JOINT_KEY = "deliberation.joint_meeting_months"


def period_start(day: dt.date, months: int) -> dt.date:
    """The first day of the calendar period of `months` months (counted from January) that
    contains `day`: for 3, the calendar quarter."""
    index = (day.month - 1) // months
    return dt.date(day.year, index * months + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return dt.date(year, month + 1, 1)


@dataclass(frozen=True)
class JointMeetingState:
    """Where a community stands with the joint meeting (003 §三(一)3: 原则上每季度召开一次).

    `months` is None when the community's policy document sets no rhythm: then nothing is
    enforced (not due, not overdue; pages say "not set by this document"). Otherwise the year is
    cut into calendar periods of `months` months from January (3: the calendar quarters):
    - met: a joint meeting (not cancelled) is held or scheduled in the current period;
    - due: none in the current period and today is in the period's last month — the secretary is
      reminded (once per period) from the first day of that month;
    - overdue: the previous period ended without a joint meeting held in it."""

    community: Place
    months: int | None
    start: dt.date | None = None  # current period, first day
    end: dt.date | None = None  # current period, first day after it
    previous_start: dt.date | None = None
    last: Meeting | None = None  # the latest joint meeting held (started, not cancelled)
    met: bool = False
    missed_previous: bool = False
    profile: object | None = None  # the policy profile that applies (None: none named)

    @property
    def is_set(self) -> bool:
        return self.months is not None

    @property
    def reminder_from(self) -> dt.date | None:
        return None if self.end is None else _add_months(self.end, -1)

    def due(self, today: dt.date | None = None) -> bool:
        if self.months is None or self.met:
            return False
        return (today or clock.today()) >= self.reminder_from

    @property
    def overdue(self) -> bool:
        return self.months is not None and self.missed_previous

    @property
    def previous_end(self) -> dt.date | None:
        return self.start


def joint_meeting_months(communities) -> dict[int, tuple[int | None, object | None]]:
    """Each community's `deliberation.joint_meeting_months` from its policy document (None: not
    set by this document) and the profile. One query for any number of communities."""
    setters = profiles.profile_setters(communities)
    cache: dict[str, tuple[int | None, object]] = {}
    result = {}
    for community in communities:
        setter = setters.get(community.pk)
        if setter is None:
            result[community.pk] = (None, None)
            continue
        name = setter.policy_profile
        if name not in cache:
            profile = profiles.follow_successors(profiles.get(name))
            value = profile.get(JOINT_KEY) if profile.ok else None
            cache[name] = (None if value is None else int(value), profile)
        result[community.pk] = cache[name]
    return result


def joint_meeting_states(communities, today: dt.date | None = None) -> list[JointMeetingState]:
    """The state of each community; a fixed number of queries however many there are."""
    communities = list(communities)
    today = today or clock.today()
    found = joint_meeting_months(communities)
    months = {pk: m for pk, (m, _profile) in found.items()}
    windows = {}
    for c in communities:
        m = months[c.pk]
        if m is not None:
            start = period_start(today, m)
            windows[c.pk] = (_add_months(start, -m), start, _add_months(start, m))
    meetings: dict[int, list[Meeting]] = {}
    if windows:
        earliest = min(w[0] for w in windows.values())
        tz = timezone.get_current_timezone()
        since = dt.datetime(earliest.year, earliest.month, 1, tzinfo=tz)
        for meeting in (
            Meeting.objects.filter(
                community_id__in=windows, kind=MeetingKind.JOINT, starts_at__gte=since
            )
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("starts_at")
        ):
            meetings.setdefault(meeting.community_id, []).append(meeting)
    last = _last_joint_meetings([c.pk for c in communities])
    states = []
    for c in communities:
        if c.pk not in windows:
            states.append(JointMeetingState(c, None, last=last.get(c.pk), profile=found[c.pk][1]))
            continue
        prev, start, end = windows[c.pk]
        days = [timezone.localdate(m.starts_at) for m in meetings.get(c.pk, [])]
        states.append(
            JointMeetingState(
                c,
                months[c.pk],
                start=start,
                end=end,
                previous_start=prev,
                last=last.get(c.pk),
                met=any(start <= day < end for day in days),
                missed_previous=not any(prev <= day < start for day in days),
                profile=found[c.pk][1],
            )
        )
    return states


def _last_joint_meetings(community_ids) -> dict[int, Meeting]:
    """The latest joint meeting held (started, not cancelled) of each community: one query."""
    from django.db.models import Max

    latest = (
        Meeting.objects.filter(
            community_id__in=community_ids, kind=MeetingKind.JOINT, starts_at__lte=clock.now()
        )
        .exclude(status=MeetingStatus.CANCELLED)
        .values("community_id")
        .annotate(at=Max("starts_at"))
    )
    q = Q(pk__in=[])
    for row in latest:
        q |= Q(community_id=row["community_id"], starts_at=row["at"])
    found = {}
    for meeting in (
        Meeting.objects.filter(q, kind=MeetingKind.JOINT)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at", "id")
    ):
        found[meeting.community_id] = meeting
    return found


def joint_meeting_state(community: Place, today: dt.date | None = None) -> JointMeetingState:
    return joint_meeting_states([community], today)[0]


def last_joint_meeting(community: Place) -> Meeting | None:
    return _last_joint_meetings([community.pk]).get(community.pk)


def remind_joint_meetings() -> int:
    """The daily sweep: from the first day of the last month of a calendar period, remind the
    secretary of each community with no joint meeting in the period — once per period, only
    where the policy document sets the rhythm."""
    sent = 0
    today = clock.today()
    communities = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path")
    for state in joint_meeting_states(communities, today):
        if not state.due(today):
            continue
        community = state.community
        try:
            with transaction.atomic():
                JointMeetingReminder.objects.create(community=community, period_start=state.start)
                secretaries = Post.objects.filter(
                    place=community, role=Role.COMMUNITY_SECRETARY, is_active=True
                ).values_list("user_id", flat=True)
                _notify(
                    secretaries,
                    "joint_meeting_due",
                    _in_site_language(
                        lambda c=community, s=state: (
                            _(
                                "%(community)s has held no joint meeting of community, owners' "
                                "committee and property company in the period %(start)s to "
                                "%(end)s, which ends soon. Please convene one."
                            )
                            % {
                                "community": c.name,
                                "start": s.start.isoformat(),
                                "end": (s.end - dt.timedelta(days=1)).isoformat(),
                            }
                        )
                    ),
                )
                audit.record(
                    actor=None,
                    action="deliberation.joint_meeting_reminder",
                    target=community,
                    place_path=community.path,
                    changes={"period_start": state.start.isoformat(), "months": state.months},
                )
                sent += 1
        except IntegrityError:
            continue
    return sent


# --------------------------------------------------------------------------- recurring meetings

SERIES_MAX_LEAD_DAYS = 60


def occurrences(series: MeetingSeries, start: dt.date, end: dt.date) -> list[dt.datetime]:
    """The series' meeting times on days `start` ≤ day ≤ `end` (aware, local time)."""
    tz = timezone.get_current_timezone()
    found = []
    month = dt.date(start.year, start.month, 1)
    while month <= end:
        quarter_month = (month.month - 1) % 3 == 0
        if series.frequency == SeriesFrequency.MONTHLY or quarter_month:
            day = dt.date(month.year, month.month, series.day)
            if start <= day <= end:
                found.append(dt.datetime.combine(day, series.time, tzinfo=tz))
        month = _add_months(month, 1)
    return found


def create_series(
    actor,
    *,
    community: Place,
    kind: str,
    title: str,
    frequency: str,
    day,
    time: dt.time | None,
    location: str = "",
    lead_days=14,
) -> MeetingSeries:
    """Set up a recurring meeting (e.g. the 16th of every month, 003 annex 7). Its meetings
    are created ahead by the daily task; the first ones at once."""
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Meetings are held by a community.")})
    grant = _manage(actor, community.path)
    if kind not in MeetingKind.values:
        raise ValidationError({"kind": _("Choose the kind of meeting.")})
    if frequency not in SeriesFrequency.values:
        raise ValidationError({"frequency": _("Choose every month or every quarter.")})
    title = _text(title, "title", TITLE_MAX)
    location = _text(location, "location", 120, required=False)
    try:
        day = int(day)
    except (TypeError, ValueError):
        day = 0
    if not 1 <= day <= 28:
        raise ValidationError(
            {"day": _("Choose a day of the month from 1 to 28 (every month has it).")}
        )
    if time is None:
        raise ValidationError({"time": _("Give the time of day of the meeting.")})
    try:
        lead_days = int(lead_days)
    except (TypeError, ValueError):
        lead_days = -1
    if not 1 <= lead_days <= SERIES_MAX_LEAD_DAYS:
        raise ValidationError(
            {
                "lead_days": _("Create meetings between 1 and %(n)s days ahead.")
                % {"n": SERIES_MAX_LEAD_DAYS}
            }
        )
    with transaction.atomic():
        series = MeetingSeries.objects.create(
            kind=kind,
            title=title,
            community=community,
            place_path=community.path,
            frequency=frequency,
            day=day,
            time=time,
            location=location,
            lead_days=lead_days,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="deliberation.series_create",
            target=series,
            place_path=community.path,
            post=grant.post,
            changes={"kind": kind, "frequency": frequency, "day": day, "lead_days": lead_days},
        )
    create_series_meetings(series_ids=[series.pk])
    return series


def stop_series(actor, series: MeetingSeries, reason: str) -> MeetingSeries:
    """No more meetings are created; those already created stay (cancel them one by one)."""
    grant = _manage(actor, series.place_path)
    reason = _reason(reason)
    with transaction.atomic():
        series = MeetingSeries.objects.select_for_update().get(pk=series.pk)
        if not series.active:
            raise ValidationError(_("This recurring meeting is already stopped."))
        series.active, series.stopped_at = False, clock.now()
        series.save(update_fields=["active", "stopped_at"])
        audit.record(
            actor=actor,
            action="deliberation.series_stop",
            target=series,
            place_path=series.place_path,
            post=grant.post,
            reason=reason,
            changes={"active": [True, False]},
        )
    return series


def create_series_meetings(today: dt.date | None = None, series_ids=None) -> int:
    """The periodic task: for every active series, create the meetings that fall within its
    `lead_days` from today (today included). Idempotent: an occurrence that has its meeting is
    skipped (and the unique constraint catches a race)."""
    today = today or clock.today()
    rows = MeetingSeries.objects.filter(active=True).select_related("community")
    if series_ids is not None:
        rows = rows.filter(pk__in=series_ids)
    created = 0
    for series in rows.order_by("id"):
        times = occurrences(series, today, today + dt.timedelta(days=series.lead_days))
        if not times:
            continue
        existing = set(
            Meeting.objects.filter(series=series, starts_at__in=times).values_list(
                "starts_at", flat=True
            )
        )
        for when in times:
            if when in existing:
                continue
            try:
                with transaction.atomic():
                    meeting = Meeting.objects.create(
                        kind=series.kind,
                        title=series.title,
                        community=series.community,
                        place_path=series.place_path,
                        starts_at=when,
                        location=series.location,
                        created_by_id=series.created_by_id,
                        series=series,
                    )
                    audit.record(
                        actor=None,
                        action="deliberation.series_meeting",
                        target=meeting,
                        place_path=series.place_path,
                        changes={"series": series.pk, "starts_at": when.isoformat()},
                    )
                    created += 1
            except IntegrityError:
                continue
    return created


# --------------------------------------------------------------------------- polls


def create_poll(
    actor,
    *,
    community: Place,
    question: str,
    options: Iterable[str],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    multiple: bool = False,
    per_household: bool = False,
    description: str = "",
) -> Poll:
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Polls are run by a community.")})
    grant = _manage(actor, community.path)
    question = _text(question, "question", 200)
    description = _text(description, "description", 2000, required=False)
    texts = [o.strip() for o in options if (o or "").strip()]
    if len(texts) < 2:
        raise ValidationError({"options": _("Give at least two options, one per line.")})
    if len(set(texts)) != len(texts):
        raise ValidationError({"options": _("Two options have the same text.")})
    if any(len(t) > 120 for t in texts):
        raise ValidationError({"options": _("An option is too long (at most 120 characters).")})
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The poll must close after it opens.")})
    with transaction.atomic():
        poll = Poll.objects.create(
            question=question,
            description=description,
            community=community,
            place_path=community.path,
            multiple=multiple,
            per_household=per_household,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor,
        )
        PollOption.objects.bulk_create(
            [PollOption(poll=poll, text=t, order=n) for n, t in enumerate(texts, 1)]
        )
        audit.record(
            actor=actor,
            action="deliberation.poll_create",
            target=poll,
            place_path=community.path,
            post=grant.post,
            changes={"options": texts, "multiple": multiple, "per_household": per_household},
        )
    return poll


def vote(actor, poll: Poll, option_ids: Iterable) -> Ballot:
    """One vote per resident (or per household); only while the poll is open."""
    access.require(actor, Perm.DELIBERATION_JOIN, poll.place_path)
    resident = resident_of(actor)
    if resident is None:
        raise ValidationError(
            _("Only residents in the registry can vote. Ask your community office.")
        )
    if not (resident.place_path or "").startswith(poll.place_path):
        raise PermissionDenied(_("This poll is for the residents of another community."))
    if not poll.is_open():
        raise ValidationError(_("This poll is not open for voting now."))
    try:
        ids = sorted({int(i) for i in option_ids})
    except (TypeError, ValueError):
        raise ValidationError({"options": _("Choose one of the options of this poll.")}) from None
    options = list(poll.options.filter(pk__in=ids))
    if not ids or len(options) != len(ids):
        raise ValidationError({"options": _("Choose one of the options of this poll.")})
    if not poll.multiple and len(options) != 1:
        raise ValidationError({"options": _("This poll takes exactly one choice.")})
    if poll.per_household and resident.household_id is None:
        raise ValidationError(_("This poll counts households; you are not registered in one."))
    household_id = resident.household_id if poll.per_household else None
    duplicate = (
        _("Your household has already voted in this poll; one vote per household.")
        if poll.per_household
        else _("You have already voted in this poll.")
    )
    try:
        with transaction.atomic():
            Poll.objects.select_for_update().filter(pk=poll.pk).first()
            taken = Ballot.objects.filter(poll=poll, resident=resident)
            if household_id:
                taken = taken | Ballot.objects.filter(poll=poll, household_id=household_id)
            if taken.exists():
                raise ValidationError(duplicate)
            ballot = Ballot.objects.create(
                poll=poll, resident=resident, household_id=household_id, user=actor
            )
            ballot.options.set(options)
            audit.record(
                actor=actor,
                action="deliberation.vote",
                target=poll,
                place_path=poll.place_path,
                changes={"ballot": ballot.pk},
            )
            _earn(resident, ballot, actor)
    except IntegrityError:
        raise ValidationError(duplicate) from None
    return ballot


# --------------------------------------------------------------------------- disclosure


def parse_amounts(raw: str) -> list[dict]:
    """Lines "item | amount" → [{"item", "amount"}]; amounts with two decimals."""
    rows = []
    for n, line in enumerate((raw or "").splitlines(), 1):
        if not line.strip():
            continue
        item, sep, amount = line.rpartition("|")
        try:
            value = Decimal(amount.strip().replace(",", ""))
        except InvalidOperation:
            value = None
        if not sep or not item.strip() or value is None or not value.is_finite():
            raise ValidationError(
                {
                    "amounts": _(
                        "Line %(n)s: write “item | amount”, for example “Cleaning | 1200.00”."
                    )
                    % {"n": n}
                }
            )
        rows.append({"item": item.strip()[:120], "amount": f"{value.quantize(Decimal('0.01'))}"})
    return rows


def publish_notice(
    actor, *, community: Place, category: str, title: str, body: str, amounts: str = ""
) -> Notice:
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Notices are published by a community.")})
    grant = _manage(actor, community.path, Perm.DISCLOSURE_PUBLISH)
    if category not in NoticeCategory.values:
        raise ValidationError({"category": _("Choose the category of the notice.")})
    title = _text(title, "title", TITLE_MAX)
    body = _text(body, "body", 10000)
    rows = parse_amounts(amounts)
    with transaction.atomic():
        notice = Notice.objects.create(
            community=community,
            place_path=community.path,
            category=category,
            title=title,
            body=body,
            amounts=rows,
            published_by=actor,
        )
        audit.record(
            actor=actor,
            action="deliberation.notice_publish",
            target=notice,
            place_path=community.path,
            post=grant.post,
            changes={"category": category, "title": title},
        )
    return notice


def withdraw_notice(actor, notice: Notice, reason: str) -> Notice:
    grant = _manage(actor, notice.place_path, Perm.DISCLOSURE_PUBLISH)
    reason = _reason(reason)
    with transaction.atomic():
        notice = Notice.objects.select_for_update().get(pk=notice.pk)
        if notice.status == NoticeStatus.WITHDRAWN:
            raise ValidationError(_("This notice is already withdrawn."))
        notice.status = NoticeStatus.WITHDRAWN
        notice.withdrawn_reason, notice.withdrawn_at = reason, clock.now()
        notice.save(update_fields=["status", "withdrawn_reason", "withdrawn_at"])
        audit.record(
            actor=actor,
            action="deliberation.notice_withdraw",
            target=notice,
            place_path=notice.place_path,
            post=grant.post,
            reason=reason,
            changes={"status": [NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN]},
        )
    return notice


# --------------------------------------------------------------------------- representatives


def confirm_representative(actor, community: Place, resident: Resident) -> Representative:
    """Staff confirm a proposed candidate; the score at that moment is kept with its parts."""
    from gongzhi.deliberation import selectors

    grant = _manage(actor, community.path)
    if not (resident.place_path or "").startswith(community.path) or not resident.is_active:
        raise ValidationError(_("This resident does not live in this community."))
    details = selectors.score_residents(community, [resident.pk]).get(resident.pk, {})
    try:
        with transaction.atomic():
            rep = Representative.objects.create(
                community=community,
                place_path=community.path,
                resident=resident,
                score=details.get("score", 0),
                score_details=details,
                confirmed_by=actor,
            )
            audit.record(
                actor=actor,
                action="deliberation.representative_confirm",
                target=rep,
                place_path=community.path,
                post=grant.post,
                changes={"resident": resident.pk, "score": rep.score},
            )
    except IntegrityError:
        raise ValidationError(_("This resident is already a representative.")) from None
    return rep


def remove_representative(actor, rep: Representative, reason: str) -> None:
    grant = _manage(actor, rep.place_path)
    reason = _reason(reason)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="deliberation.representative_remove",
            target=rep,
            place_path=rep.place_path,
            post=grant.post,
            reason=reason,
            changes={"resident": rep.resident_id},
        )
        rep.delete()
