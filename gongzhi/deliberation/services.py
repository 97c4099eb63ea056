"""Every write to deliberation. Each function is one transaction that checks the actor's right
through the access module and writes an audit record. A refused write raises and changes
nothing:
- Http404: the target is outside the actor's scope;
- PermissionDenied (403): inside the scope, but the role may not do this;
- ValidationError (400): bad input or a step not possible now (message says what to do).

Concurrency: supports and ballots lock their topic/poll row (SELECT … FOR UPDATE on PostgreSQL;
on SQLite writers queue on the database lock) and the unique constraints catch what slips
through (IntegrityError → the same clear message).

The functions live in one module per part, all re-exported here (`services.raise_topic(...)`):
- `topics.py`: topics, supports and opinions;
- `meetings.py`: meetings, agenda, invitations, attendance, minutes, resolutions and their
  follow-throughs (落实事项);
- `joint.py`: joint meetings (periods, states, reminders);
- `series.py`: recurring meetings;
- `polls.py`: polls and their ballots (`PollBallot`);
- `disclosure.py`: notices;
- `representatives.py`: residents' representatives;
- `_common.py`: the limits and helpers they share.
"""

from __future__ import annotations

from gongzhi.deliberation._common import (
    CLOSING,
    OFFICIAL_ROLES,
    OPINION_MAX,
    QR_WINDOW_SECONDS,
    REASON_MAX,
    TEXT_MAX,
    TITLE_MAX,
    TOPIC_PLACE_KINDS,
    community_of,
    setting,
)
from gongzhi.deliberation.disclosure import (
    parse_amounts,
    publish_entries_notice,
    publish_notice,
    withdraw_notice,
)
from gongzhi.deliberation.joint import (
    JOINT_KEY,
    JointMeetingState,
    joint_meeting_months,
    joint_meeting_state,
    joint_meeting_states,
    last_joint_meeting,
    period_start,
    remind_joint_meetings,
)
from gongzhi.deliberation.meetings import (
    add_agenda_items,
    add_resolution,
    check_in,
    checkin_token,
    create_meeting,
    invite,
    mark_attendance,
    owner_title,
    record_minutes,
    update_follow_through,
)
from gongzhi.deliberation.polls import (
    create_poll,
    vote,
)
from gongzhi.deliberation.representatives import (
    confirm_representative,
    remove_representative,
)
from gongzhi.deliberation.selectors import invitable_users
from gongzhi.deliberation.series import (
    SERIES_MAX_LEAD_DAYS,
    create_series,
    create_series_meetings,
    occurrences,
    stop_series,
)
from gongzhi.deliberation.topics import (
    give_opinion,
    hide_opinion,
    raise_topic,
    set_topic_status,
    support,
)

__all__ = [
    "TITLE_MAX",
    "TEXT_MAX",
    "OPINION_MAX",
    "REASON_MAX",
    "QR_WINDOW_SECONDS",
    "TOPIC_PLACE_KINDS",
    "OFFICIAL_ROLES",
    "CLOSING",
    "setting",
    "community_of",
    "raise_topic",
    "support",
    "give_opinion",
    "hide_opinion",
    "set_topic_status",
    "create_meeting",
    "add_agenda_items",
    "invitable_users",
    "invite",
    "checkin_token",
    "check_in",
    "mark_attendance",
    "record_minutes",
    "owner_title",
    "add_resolution",
    "update_follow_through",
    "JOINT_KEY",
    "period_start",
    "JointMeetingState",
    "joint_meeting_months",
    "joint_meeting_states",
    "joint_meeting_state",
    "last_joint_meeting",
    "remind_joint_meetings",
    "SERIES_MAX_LEAD_DAYS",
    "occurrences",
    "create_series",
    "stop_series",
    "create_series_meetings",
    "create_poll",
    "vote",
    "parse_amounts",
    "publish_notice",
    "publish_entries_notice",
    "withdraw_notice",
    "confirm_representative",
    "remove_representative",
]
