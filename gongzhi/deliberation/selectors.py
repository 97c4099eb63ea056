"""Reads for deliberation, always through the access module (or, for the public pages, limited
to what is published: no phones, no addresses, no ids)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import access, clock, crypto
from gongzhi.core.gates import roles_with
from gongzhi.core.models import LedgerCurrency, LedgerEntry, LedgerOwnerKind, Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.deliberation._common import OFFICIAL_ROLES, TOPIC_PLACE_KINDS, setting
from gongzhi.deliberation.joint import JointMeetingState, joint_meeting_states
from gongzhi.deliberation.models import (
    AgendaItem,
    Attendance,
    FollowThrough,
    FollowThroughNote,
    Meeting,
    MeetingKind,
    MeetingSeries,
    Notice,
    NoticeCategory,
    Opinion,
    Poll,
    PollBallot,
    PollOption,
    Representative,
    Resolution,
    Topic,
    TopicStatus,
    TopicSupport,
)
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind

# Roles that count for a representative candidate (002 §三(三)2: 角色身份), as the permission
# matrix says (deliberation.stand).
CANDIDATE_ROLES = tuple(sorted(roles_with(Action.DELIBERATION_STAND)))


# --------------------------------------------------------------------------- topics


def visible_topics(user: Viewer, status: str = "") -> QuerySet[Topic]:
    """Topics of the places where the user takes part; only those in `status` when it is one."""
    topics = access.scoped(
        Topic.objects.select_related("place"), user, Action.DELIBERATION_JOIN, "place_path"
    )
    if status in TopicStatus.values:
        topics = topics.filter(status=status)
    return topics


def get_topic(user: Viewer, pk: int | str) -> Topic:
    return get_object_or_404(visible_topics(user), pk=pk)


def get_opinion(user: Viewer, pk: int | str) -> Opinion:
    """An opinion on a topic the user sees (404 otherwise)."""
    return get_object_or_404(
        Opinion.objects.select_related("topic").filter(topic__in=visible_topics(user)), pk=pk
    )


def supported(user: Viewer, topic: Topic) -> bool:
    resident = resident_of(user)
    return resident is not None and topic.supports.filter(resident=resident).exists()


def opinions_for(user: Viewer, topic: Topic) -> list[Opinion]:
    """Opinions with what this reader may see: `show_text` is False for a hidden opinion
    unless the reader wrote it or moderates the topic."""
    moderator = access.can(user, Action.DELIBERATION_MANAGE, topic.place_path)
    rows = list(topic.opinions.select_related("author"))
    for row in rows:
        row.show_text = not row.hidden or moderator or row.author_id == user.pk
        row.may_hide = moderator and not row.hidden
    return rows


def topic_opinions(topic: Topic) -> QuerySet[Opinion]:
    return Opinion.objects.filter(topic=topic)


def agenda_candidates(community: Place) -> QuerySet[Topic]:
    return Topic.objects.filter(community=community, status=TopicStatus.ON_AGENDA).order_by(
        "on_agenda_at", "id"
    )


def topic_places(user: Viewer) -> QuerySet[Place]:
    """Communities, grids, estates and buildings where the user may raise a topic."""
    return access.scoped(
        Place.objects.filter(kind__in=TOPIC_PLACE_KINDS),
        user,
        Action.DELIBERATION_JOIN,
    ).order_by("path")


def managed_communities(user: Viewer, action: str = Action.DELIBERATION_MANAGE) -> QuerySet[Place]:
    return access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, action).order_by(
        "path"
    )


# --------------------------------------------------------------------------- meetings


def managed_series(user: Viewer) -> QuerySet[MeetingSeries]:
    return (
        access.scoped(
            MeetingSeries.objects.select_related("community"),
            user,
            Action.DELIBERATION_MANAGE,
            "place_path",
        )
        .annotate(meeting_count=Count("meetings"))
        .order_by("-active", "day", "id")
    )


def get_series(user: Viewer, pk: int | str | None) -> MeetingSeries:
    """A series for its managers; 403 for people of the community without the right."""
    series = get_object_or_404(MeetingSeries.objects.select_related("community"), pk=pk)
    access.require(
        user, Action.DELIBERATION_MANAGE, series.place_path, read_action=Action.DELIBERATION_JOIN
    )
    return series


def managed_meetings(user: Viewer) -> QuerySet[Meeting]:
    return access.scoped(
        Meeting.objects.select_related("community"),
        user,
        Action.DELIBERATION_MANAGE,
        "place_path",
    )


def my_meetings(user: User) -> QuerySet[Meeting]:
    """Meetings the user is invited to, or (residents) meetings of their community."""
    joined = access.scope_q(user, Action.DELIBERATION_JOIN, "place_path")
    return (
        Meeting.objects.filter(joined | Q(invitations__user=user))
        .select_related("community")
        .distinct()
    )


def get_meeting(user: User, pk: int | str) -> Meeting:
    meeting = (
        managed_meetings(user).filter(pk=pk).first() or my_meetings(user).filter(pk=pk).first()
    )
    if meeting is None:
        raise Http404
    return meeting


def meeting_agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    return meeting.agenda.select_related("topic")


def meeting_resolutions(meeting: Meeting) -> QuerySet[Resolution]:
    return meeting.resolutions.select_related("follow_through__owner", "topic")


def attended(user: User, meeting: Meeting) -> bool:
    return meeting.attendances.filter(user=user).exists()


def agenda_topics(meeting: Meeting) -> QuerySet[Topic]:
    return Topic.objects.filter(agenda_items__meeting=meeting)


def agenda_topic(meeting: Meeting, pk: int) -> Topic | None:
    """A topic on the agenda of `meeting`, or None."""
    return agenda_topics(meeting).filter(pk=pk).first()


# Extra invitees of a joint meeting: the bodies of its estates (the owners' committee's members,
# the property company's linked staff), named by a higher app (estates installs it in its
# AppConfig.ready(); deliberation does not import estates). Takes the meeting, gives user ids.
_joint_invitees: Callable[[Meeting], Iterable[int]] | None = None


def set_joint_invitees(finder: Callable[[Meeting], Iterable[int]] | None) -> None:
    global _joint_invitees
    _joint_invitees = finder


def joint_invitees(meeting: Meeting) -> list[int]:
    """The user ids the installed finder names for a joint meeting ([] for other kinds)."""
    if meeting.kind != MeetingKind.JOINT or _joint_invitees is None:
        return []
    return list(_joint_invitees(meeting))


def invitable_users(meeting: Meeting) -> QuerySet[User]:
    """Officials and contacts with a post in the community (property staff, partner contacts,
    party members, building heads…), partner contacts and street officers posted at the street
    above it, plus the confirmed representatives' logins (and a joint meeting's bodies)."""
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
        Q(pk__in=posts.values("user_id")) | Q(pk__in=rep_users) | Q(pk__in=joint_invitees(meeting))
    )


def invitable_user(meeting: Meeting, pk: int) -> User | None:
    return invitable_users(meeting).filter(pk=pk).first()


def active_users(ids: Iterable[int]) -> QuerySet[User]:
    return User.objects.filter(pk__in=ids, is_active=True)


def users_with_ids(ids: Iterable[int | str]) -> QuerySet[User]:
    """The logins with these ids (a form's checkboxes); the caller compares the counts."""
    return User.objects.filter(pk__in=list(ids))


def user_by_phone(phone: str) -> User | None:
    """The login with this phone number (through its blind index), or None."""
    return User.objects.filter(phone_index=crypto.blind_index("phone", phone)).first()


def attendance_rows(meeting: Meeting) -> list[dict[str, Any]]:
    invited = {i.user_id: i.user for i in meeting.invitations.select_related("user")}
    present = {a.user_id: a for a in meeting.attendances.select_related("user")}
    rows = []
    for uid in sorted(set(invited) | set(present)):
        user = invited.get(uid) or present[uid].user
        rows.append({"user": user, "invited": uid in invited, "attendance": present.get(uid)})
    return rows


# --------------------------------------------------------------------------- follow-throughs


def _follow_throughs() -> QuerySet[FollowThrough]:
    return FollowThrough.objects.select_related("owner", "resolution__meeting")


def managed_follow_throughs(user: Viewer) -> QuerySet[FollowThrough]:
    return access.scoped(_follow_throughs(), user, Action.DELIBERATION_MANAGE, "place_path")


def my_follow_throughs(user: User) -> QuerySet[FollowThrough]:
    return _follow_throughs().filter(owner=user)


def my_open_follow_throughs(user: User, limit: int = 50) -> list[FollowThrough]:
    """The user's follow-throughs not done yet, first deadline first."""
    return list(my_follow_throughs(user).exclude(status="done")[:limit])


def get_follow_through(user: User, pk: int | str) -> FollowThrough:
    follow_through = (
        managed_follow_throughs(user).filter(pk=pk).first()
        or my_follow_throughs(user).filter(pk=pk).first()
    )
    if follow_through is None:
        raise Http404
    return follow_through


def follow_through_notes(follow_through: FollowThrough) -> QuerySet[FollowThroughNote]:
    return follow_through.notes.select_related("author")


def follow_through_of(resolution: Resolution) -> FollowThrough:
    """The follow-through a resolution commits to, with its owner (for the API's answer)."""
    return FollowThrough.objects.select_related("owner", "resolution").get(
        resolution_id=resolution.pk
    )


# --------------------------------------------------------------------------- polls


def visible_polls(user: Viewer) -> QuerySet[Poll]:
    return access.scoped(
        Poll.objects.select_related("community"), user, Action.DELIBERATION_JOIN, "place_path"
    )


def get_poll(user: Viewer, pk: int | str) -> Poll:
    return get_object_or_404(visible_polls(user), pk=pk)


def poll_options(poll: Poll) -> QuerySet[PollOption]:
    return poll.options.all()


def my_ballot(user: Viewer, poll: Poll) -> PollBallot | None:
    resident = resident_of(user)
    if resident is None:
        return None
    q = Q(resident=resident)
    if poll.per_household and resident.household_id:
        q |= Q(household_id=resident.household_id)
    return poll.ballots.filter(q).first()


def turnout(poll: Poll) -> int:
    return poll.ballots.count()


def results(poll: Poll) -> list[dict[str, Any]]:
    """Counts per option — only once the poll has closed."""
    if not poll.is_closed():
        return []
    options = PollOption.objects.filter(poll=poll).annotate(votes=Count("ballots"))
    total = turnout(poll)
    return [
        {"option": o, "votes": o.votes, "percent": round(100 * o.votes / total) if total else 0}
        for o in options
    ]


# --------------------------------------------------------------------------- notices


def managed_notices(user: Viewer) -> QuerySet[Notice]:
    return access.scoped(
        Notice.objects.select_related("community"), user, Action.DISCLOSURE_PUBLISH, "place_path"
    )


def get_managed_notice(user: Viewer, pk: int | str) -> Notice:
    return get_object_or_404(managed_notices(user), pk=pk)


def public_community(pk: int | str) -> Place:
    return get_object_or_404(Place, pk=pk, kind=PlaceKind.COMMUNITY)


def public_notices(community: Place, category: str = "") -> QuerySet[Notice]:
    """The community's notices, newest first; only one category when `category` is one."""
    notices = Notice.objects.filter(community=community)
    if category in NoticeCategory.values:
        notices = notices.filter(category=category)
    return notices.order_by("-published_at", "-id")


def public_follow_throughs(community: Place) -> QuerySet[FollowThrough]:
    return (
        FollowThrough.objects.filter(resolution__meeting__community=community)
        .select_related("owner", "resolution__meeting")
        .order_by("-resolution__meeting__starts_at", "id")
    )


def public_representatives(community: Place) -> QuerySet[Representative]:
    return Representative.objects.filter(community=community).select_related("resident")


def managed_representative(user: Viewer, pk: int | str) -> Representative:
    """A representative of a community the user manages (404 otherwise)."""
    return get_object_or_404(
        access.scoped(Representative.objects.all(), user, Action.DELIBERATION_MANAGE, "place_path"),
        pk=pk,
    )


def community_resident(community: Place, pk: int | str) -> Resident:
    """A resident registered in `community` (404 otherwise)."""
    return get_object_or_404(Resident.objects.filter(place_path__under=community.path), pk=pk)


def public_name(resident: Resident) -> str:
    """A representative's name on public pages: in full with consent to public display."""
    from gongzhi.people.services import mask_name

    return resident.name if resident.consent_publicity else mask_name(resident.name)


# --------------------------------------------------------------------------- representatives


def _weights(community: Place) -> tuple[int, int]:
    return (
        setting(community, "deliberation.representative_role_weight"),
        setting(community, "deliberation.representative_participation_weight"),
    )


POINTS_PERIOD_MONTHS = 12


def points_since() -> dt.datetime:
    """Start of the period whose earned points count for representatives: the same day twelve
    months ago, at midnight (local time)."""
    today = clock.today()
    years = POINTS_PERIOD_MONTHS // 12
    try:
        start = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - years, day=28)
    return dt.datetime(start.year, start.month, start.day, tzinfo=timezone.get_current_timezone())


def _earned_entries(since: dt.datetime) -> QuerySet[LedgerEntry]:
    """Ledger entries that are points *earned* by residents (002 §三(三)2: 贡献积分): credits of
    the earning rules (service hours, activities, resolved tickets, deliberation) since `since`
    that were not reversed. Redemptions, spending, transfers and expiry are not earnings."""
    from gongzhi.volunteering.points import EARN_REASONS

    return LedgerEntry.objects.filter(
        credit__currency=LedgerCurrency.POINTS,
        credit__owner_kind=LedgerOwnerKind.RESIDENT,
        reason_code__in=EARN_REASONS,
        reversed_by__isnull=True,
        created_at__gte=since,
    )


def earned_points(resident_ids: Iterable[int], since: dt.datetime | None = None) -> dict[int, int]:
    """Points each resident earned since `since` (default: the last 12 months). One query."""
    rows = (
        _earned_entries(since or points_since())
        .filter(credit__owner_id__in=list(resident_ids))
        .values("credit__owner_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["credit__owner_id"]: row["total"] for row in rows}


def score_residents(community: Place, resident_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The transparent score of each resident: roles × weight + points earned in the last 12
    months (not the balance: spending points at the charity supermarket changes nothing) +
    participation (supports, opinions, meetings attended) × weight. Bulk queries, no per-row
    work."""
    role_w, part_w = _weights(community)
    residents = {
        r.pk: r for r in Resident.objects.filter(pk__in=resident_ids).only("pk", "user_id")
    }
    users = {r.user_id: r.pk for r in residents.values() if r.user_id}
    roles: dict[int, set[str]] = {pk: set() for pk in residents}
    for user_id, role in Post.objects.filter(
        user_id__in=users, is_active=True, role__in=CANDIDATE_ROLES
    ).values_list("user_id", "role"):
        roles[users[user_id]].add(role)
    from gongzhi.party.models import PartyMember

    for rid in PartyMember.objects.filter(resident_id__in=residents, is_active=True).values_list(
        "resident_id", flat=True
    ):
        roles[rid].add(Role.PARTY_MEMBER)
    points = earned_points(residents)
    supports = Counter(
        TopicSupport.objects.filter(resident_id__in=residents).values_list("resident_id", flat=True)
    )
    opinions = Counter(
        users[u]
        for u in Opinion.objects.filter(author_id__in=users, hidden=False).values_list(
            "author_id", flat=True
        )
    )
    attended = Counter(
        users[u]
        for u in Attendance.objects.filter(user_id__in=users).values_list("user_id", flat=True)
    )
    result = {}
    for pk in residents:
        participation = supports[pk] + opinions[pk] + attended[pk]
        pts = max(points.get(pk, 0), 0)
        result[pk] = {
            "roles": sorted(roles[pk]),
            "points": pts,
            "supports": supports[pk],
            "opinions": opinions[pk],
            "attended": attended[pk],
            "score": len(roles[pk]) * role_w + pts + participation * part_w,
        }
    return result


def candidates(community: Place, limit: int = 50) -> list[dict[str, Any]]:
    """Proposed representatives, best score first. The pool is everyone of the community who
    holds a role, earned points in the last 12 months or took part (others score zero)."""
    base = Resident.objects.filter(place_path__under=community.path, is_active=True)
    with_user = base.exclude(user=None)
    pool = set(
        with_user.filter(
            user__posts__role__in=CANDIDATE_ROLES, user__posts__is_active=True
        ).values_list("pk", flat=True)
    )
    from gongzhi.party.models import PartyMember

    pool |= set(
        PartyMember.objects.filter(
            resident__place_path__under=community.path, resident__is_active=True, is_active=True
        ).values_list("resident_id", flat=True)
    )
    pool |= set(
        _earned_entries(points_since())
        .filter(credit__place_path__under=community.path)
        .values_list("credit__owner_id", flat=True)
        .distinct()
    )
    pool |= set(
        TopicSupport.objects.filter(topic__community=community).values_list(
            "resident_id", flat=True
        )
    )
    pool &= set(base.filter(pk__in=pool).values_list("pk", flat=True))
    scores = score_residents(community, sorted(pool))
    confirmed = set(
        Representative.objects.filter(community=community).values_list("resident_id", flat=True)
    )
    names = dict(base.filter(pk__in=scores).values_list("pk", "name"))
    rows = [
        {"resident_id": pk, "name": names.get(pk, ""), "confirmed": pk in confirmed, **s}
        for pk, s in scores.items()
    ]
    rows.sort(key=lambda r: (-r["score"], r["resident_id"]))
    for row in rows:
        row["role_labels"] = ", ".join(str(Role(r).label) for r in row["roles"])
    return rows[:limit]


# --------------------------------------------------------------------------- joint meetings


def overdue_joint_meetings(user: Viewer) -> list[JointMeetingState]:
    """The managed communities that need attention (due or overdue), then those whose policy
    document sets no rhythm (listed as "not set by this document", nothing enforced). Fixed
    number of queries however many communities."""
    states = joint_meeting_states(managed_communities(user))
    today = clock.today()
    listed = [s for s in states if s.is_set and (s.due(today) or s.overdue)]
    unset = [s for s in states if not s.is_set]
    return listed + unset


def status_label(status: str) -> str:
    return str(TopicStatus(status).label) if status in TopicStatus.values else _("Unknown")
