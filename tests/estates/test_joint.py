"""An owners' committee's measured part (issue 14 item 6): the follow-throughs of the
community's three-party joint meetings owed by its members, and how many were done on time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.deliberation.models import (
    FollowThrough,
    FollowThroughStatus,
    Meeting,
    MeetingKind,
    Resolution,
)
from gongzhi.estates import ratings
from gongzhi.estates.models import Evaluation
from tests.conftest import make_user

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _follow_through(w, kind, owner, due, done=None):
    community = w.world.community_a1
    meeting = Meeting.objects.create(
        kind=kind,
        title="三方联席会",
        community=community,
        place_path=community.path,
        starts_at=dt.datetime(2025, 3, 1, 9, 0, tzinfo=SH),
        created_by=w.worker,
    )
    resolution = Resolution.objects.create(meeting=meeting, text="整改")
    return FollowThrough.objects.create(
        resolution=resolution,
        place_path=community.path,
        title="落实整改",
        owner=owner,
        due=due,
        status=FollowThroughStatus.DONE if done else FollowThroughStatus.OPEN,
        done_at=dt.datetime.combine(done, dt.time(10, 0), tzinfo=SH) if done else None,
    )


def test_committee_scored_on_joint_meeting_follow_throughs(rw):
    chair = rw.party[0]  # a member of the 2024–2027 term
    chair.user = make_user(
        Role.RESIDENT, rw.homes[0].building, household=rw.homes[0], phone="13900000077"
    )
    chair.save()
    joint = MeetingKind.JOINT
    _follow_through(rw, joint, chair.user, dt.date(2025, 6, 30), done=dt.date(2025, 6, 20))
    _follow_through(rw, joint, chair.user, dt.date(2025, 8, 31), done=dt.date(2025, 9, 10))
    _follow_through(rw, joint, chair.user, dt.date(2025, 10, 31))  # never done
    _follow_through(rw, joint, rw.worker, dt.date(2025, 6, 30))  # not a member: not counted
    _follow_through(  # not a joint meeting: not counted
        rw, MeetingKind.RESIDENTS_COUNCIL, chair.user, dt.date(2025, 6, 30)
    )
    _follow_through(rw, joint, chair.user, dt.date(2026, 2, 1))  # another year
    assert ratings.committee_follow_throughs(rw.committee, 2025) == {
        "follow_throughs": 3,
        "on_time": 1,
        "follow_through_rate": 33.3,
    }
    assert ratings.committee_follow_throughs(rw.committee, 2024)["follow_through_rate"] is None
    clock.set_now(dt.datetime(2025, 12, 1, 10, 0))
    ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=85, note="履职认真")
    clock.set_now(dt.datetime(2026, 1, 10, 10, 0))
    ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)
    evaluation = Evaluation.objects.get(committee=rw.committee, year=2025)
    # No survey answers; assessment 85; measured 1/3 = 33.3:
    # (85×30 + 33.3×30) ÷ 60 = 59.15 → 59.2, below the two-star band (60): one star.
    assert evaluation.parts["measured"]["value"] == "33.3"
    assert evaluation.parts["measured"]["follow_throughs"] == 3
    assert evaluation.score == Decimal("59.2") and evaluation.stars == 1
