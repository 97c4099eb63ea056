"""Reads for deliberation, always through the access module (or, for the public pages, limited
to what is published: no phones, no addresses, no ids)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import access, clock
from gongzhi.core.gates import roles_with
from gongzhi.core.models import LedgerCurrency, LedgerEntry, LedgerOwnerKind, Post, User
from gongzhi.core.roles import Action as Perm
from gongzhi.core.roles import Role
from gongzhi.deliberation.models import (
    Action,
    Attendance,
    Ballot,
    Meeting,
    MeetingSeries,
    Notice,
    NoticeCategory,
    Opinion,
    Poll,
    PollOption,
    Representative,
    Topic,
    TopicStatus,
    TopicSupport,
)
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind

# Roles that count for a representative candidate (002 §三(三)2: 角色身份), as the permission
# matrix says (deliberation.stand).
CANDIDATE_ROLES = tuple(sorted(roles_with(Perm.DELIBERATION_STAND)))


# --------------------------------------------------------------------------- topics


def visible_topics(user) -> QuerySet[Topic]:
    return access.scoped(
        Topic.objects.select_related("place"), user, Perm.DELIBERATION_JOIN, "place_path"
    )


def get_topic(user, pk) -> Topic:
    return get_object_or_404(visible_topics(user), pk=pk)


def supported(user, topic: Topic) -> bool:
    resident = resident_of(user)
    return resident is not None and topic.supports.filter(resident=resident).exists()


def opinions_for(user, topic: Topic) -> list[Opinion]:
    """Opinions with what this reader may see: `show_text` is False for a hidden opinion
    unless the reader wrote it or moderates the topic."""
    moderator = access.can(user, Perm.DELIBERATION_MANAGE, topic.place_path)
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


def topic_places(user) -> QuerySet[Place]:
    """Communities, grids, estates and buildings where the user may raise a topic."""
    from gongzhi.deliberation.services import TOPIC_PLACE_KINDS

    return access.scoped(
        Place.objects.filter(kind__in=TOPIC_PLACE_KINDS),
        user,
        Perm.DELIBERATION_JOIN,
    ).order_by("path")


def managed_communities(user, action: str = Perm.DELIBERATION_MANAGE) -> QuerySet[Place]:
    return access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, action).order_by(
        "path"
    )


# --------------------------------------------------------------------------- meetings


def managed_series(user) -> QuerySet[MeetingSeries]:
    return (
        access.scoped(
            MeetingSeries.objects.select_related("community"),
            user,
            Perm.DELIBERATION_MANAGE,
            "place_path",
        )
        .annotate(meeting_count=Count("meetings"))
        .order_by("-active", "day", "id")
    )


def get_series(user, pk) -> MeetingSeries:
    """A series for its managers; 403 for people of the community without the right."""
    series = get_object_or_404(MeetingSeries.objects.select_related("community"), pk=pk)
    access.require(
        user, Perm.DELIBERATION_MANAGE, series.place_path, read_action=Perm.DELIBERATION_JOIN
    )
    return series


def managed_meetings(user) -> QuerySet[Meeting]:
    return access.scoped(
        Meeting.objects.select_related("community"), user, Perm.DELIBERATION_MANAGE, "place_path"
    )


def my_meetings(user) -> QuerySet[Meeting]:
    """Meetings the user is invited to, or (residents) meetings of their community."""
    joined = access.scope_q(user, Perm.DELIBERATION_JOIN, "place_path")
    return (
        Meeting.objects.filter(joined | Q(invitations__user=user))
        .select_related("community")
        .distinct()
    )


def get_meeting(user, pk) -> Meeting:
    meeting = (
        managed_meetings(user).filter(pk=pk).first() or my_meetings(user).filter(pk=pk).first()
    )
    if meeting is None:
        raise Http404
    return meeting


def agenda_topics(meeting: Meeting) -> QuerySet[Topic]:
    return Topic.objects.filter(agenda_items__meeting=meeting)


def active_users(ids) -> QuerySet[User]:
    return User.objects.filter(pk__in=ids, is_active=True)


def attendance_rows(meeting: Meeting) -> list[dict]:
    invited = {i.user_id: i.user for i in meeting.invitations.select_related("user")}
    present = {a.user_id: a for a in meeting.attendances.select_related("user")}
    rows = []
    for uid in sorted(set(invited) | set(present)):
        user = invited.get(uid) or present[uid].user
        rows.append({"user": user, "invited": uid in invited, "attendance": present.get(uid)})
    return rows


# --------------------------------------------------------------------------- actions


def managed_actions(user) -> QuerySet[Action]:
    return access.scoped(_actions(), user, Perm.DELIBERATION_MANAGE, "place_path")


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related("owner", "resolution__meeting")


def my_actions(user) -> QuerySet[Action]:
    return _actions().filter(owner=user)


def get_action(user, pk) -> Action:
    action = managed_actions(user).filter(pk=pk).first() or my_actions(user).filter(pk=pk).first()
    if action is None:
        raise Http404
    return action


# --------------------------------------------------------------------------- polls


def visible_polls(user) -> QuerySet[Poll]:
    return access.scoped(
        Poll.objects.select_related("community"), user, Perm.DELIBERATION_JOIN, "place_path"
    )


def get_poll(user, pk) -> Poll:
    return get_object_or_404(visible_polls(user), pk=pk)


def my_ballot(user, poll: Poll) -> Ballot | None:
    resident = resident_of(user)
    if resident is None:
        return None
    q = Q(resident=resident)
    if poll.per_household and resident.household_id:
        q |= Q(household_id=resident.household_id)
    return poll.ballots.filter(q).first()


def turnout(poll: Poll) -> int:
    return poll.ballots.count()


def results(poll: Poll) -> list[dict]:
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


def managed_notices(user) -> QuerySet[Notice]:
    return access.scoped(
        Notice.objects.select_related("community"), user, Perm.DISCLOSURE_PUBLISH, "place_path"
    )


def public_community(pk) -> Place:
    return get_object_or_404(Place, pk=pk, kind=PlaceKind.COMMUNITY)


def public_notices(community: Place, category: str = "") -> QuerySet[Notice]:
    """The community's notices, newest first; only one category when `category` is one."""
    notices = Notice.objects.filter(community=community)
    if category in NoticeCategory.values:
        notices = notices.filter(category=category)
    return notices.order_by("-published_at", "-id")


def public_actions(community: Place) -> QuerySet[Action]:
    return (
        Action.objects.filter(resolution__meeting__community=community)
        .select_related("owner", "resolution__meeting")
        .order_by("-resolution__meeting__starts_at", "id")
    )


def public_representatives(community: Place) -> QuerySet[Representative]:
    return Representative.objects.filter(community=community).select_related("resident")


def public_name(resident: Resident) -> str:
    """A representative's name on public pages: in full with consent to public display."""
    from gongzhi.people.services import mask_name

    return resident.name if resident.consent_publicity else mask_name(resident.name)


# --------------------------------------------------------------------------- representatives


def _weights(community: Place) -> tuple[int, int]:
    from gongzhi.deliberation.services import setting

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


def _earned_entries(since: dt.datetime):
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


def earned_points(resident_ids, since: dt.datetime | None = None) -> dict[int, int]:
    """Points each resident earned since `since` (default: the last 12 months). One query."""
    rows = (
        _earned_entries(since or points_since())
        .filter(credit__owner_id__in=list(resident_ids))
        .values("credit__owner_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {row["credit__owner_id"]: row["total"] for row in rows}


def score_residents(community: Place, resident_ids: list[int]) -> dict[int, dict]:
    """The transparent score of each resident: roles × weight + points earned in the last 12
    months (not the balance: spending points at the charity supermarket changes nothing) +
    participation (supports, opinions, meetings attended) × weight. Bulk queries, no per-row
    work."""
    role_w, part_w = _weights(community)
    residents = {
        r.pk: r for r in Resident.objects.filter(pk__in=resident_ids).only("pk", "user_id")
    }
    users = {r.user_id: r.pk for r in residents.values() if r.user_id}
    roles: dict[int, set] = {pk: set() for pk in residents}
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


def candidates(community: Place, limit: int = 50) -> list[dict]:
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


def overdue_joint_meetings(user) -> list:
    """The managed communities that need attention (due or overdue), then those whose policy
    document sets no rhythm (listed as "not set by this document", nothing enforced). Fixed
    number of queries however many communities."""
    from gongzhi.deliberation.services import joint_meeting_states

    states = joint_meeting_states(managed_communities(user))
    today = clock.today()
    listed = [s for s in states if s.is_set and (s.due(today) or s.overdue)]
    unset = [s for s in states if not s.is_set]
    return listed + unset


def status_label(status: str) -> str:
    return str(TopicStatus(status).label) if status in TopicStatus.values else _("Unknown")
