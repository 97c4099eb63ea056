"""Deliberation: joint meetings. The period a community must hold one in, its state, and the
reminders when one is due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock, profiles
from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.deliberation._common import _in_site_language, _notify
from gongzhi.deliberation.models import (
    JointMeetingReminder,
    Meeting,
    MeetingKind,
    MeetingStatus,
)
from gongzhi.places.models import Place, PlaceKind

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
    profile: profiles.Profile | None = None  # the policy profile that applies (None: none named)

    @property
    def is_set(self) -> bool:
        return self.months is not None

    @property
    def reminder_from(self) -> dt.date | None:
        return None if self.end is None else _add_months(self.end, -1)

    def due(self, today: dt.date | None = None) -> bool:
        reminder_from = self.reminder_from
        if self.months is None or self.met or reminder_from is None:
            return False
        return (today or clock.today()) >= reminder_from

    @property
    def overdue(self) -> bool:
        return self.months is not None and self.missed_previous

    @property
    def previous_end(self) -> dt.date | None:
        return self.start


def joint_meeting_months(
    communities: Iterable[Place],
) -> dict[int, tuple[int | None, profiles.Profile | None]]:
    """Each community's `deliberation.joint_meeting_months` from its policy document (None: not
    set by this document) and the profile. One query for any number of communities."""
    setters = profiles.profile_setters(communities)
    cache: dict[str, tuple[int | None, profiles.Profile]] = {}
    result: dict[int, tuple[int | None, profiles.Profile | None]] = {}
    for community in communities:
        setter = setters.get(community.pk)
        if setter is None:
            result[community.pk] = (None, None)
            continue
        name = setter.policy_profile
        if name not in cache:
            profile = profiles.current(name)
            value = profile.get(JOINT_KEY) if profile.ok else None
            cache[name] = (None if value is None else int(value), profile)
        result[community.pk] = cache[name]
    return result


def joint_meeting_states(
    communities: Iterable[Place], today: dt.date | None = None
) -> list[JointMeetingState]:
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


def _last_joint_meetings(community_ids: Iterable[int]) -> dict[int, Meeting]:
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
    found: dict[int, Meeting] = {}
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


def _reminder_text(community: Place, start: dt.date, end: dt.date) -> str:
    return _(
        "%(community)s has held no joint meeting of community, owners' "
        "committee and property company in the period %(start)s to "
        "%(end)s, which ends soon. Please convene one."
    ) % {
        "community": community.name,
        "start": start.isoformat(),
        "end": (end - dt.timedelta(days=1)).isoformat(),
    }


def remind_joint_meetings() -> int:
    """The daily sweep: from the first day of the last month of a calendar period, remind the
    secretary of each community with no joint meeting in the period — once per period, only
    where the policy document sets the rhythm."""
    sent = 0
    today = clock.today()
    communities = Place.objects.filter(kind=PlaceKind.COMMUNITY).order_by("path")
    for state in joint_meeting_states(communities, today):
        start, end = state.start, state.end
        if not state.due(today) or start is None or end is None:
            continue
        community = state.community
        try:
            with transaction.atomic():
                JointMeetingReminder.objects.create(community=community, period_start=start)
                secretaries = Post.objects.filter(
                    place=community, role=Role.COMMUNITY_SECRETARY, is_active=True
                ).values_list("user_id", flat=True)
                _notify(
                    secretaries,
                    "joint_meeting_due",
                    _in_site_language(partial(_reminder_text, community, start, end)),
                )
                audit.record(
                    actor=None,
                    action="deliberation.joint_meeting_reminder",
                    target=community,
                    place_path=community.path,
                    changes={"period_start": start.isoformat(), "months": state.months},
                )
                sent += 1
        except IntegrityError:
            continue
    return sent
