"""An owners' committee's measured part (issue 14 item 6): the follow-throughs of the
community's three-party joint meetings owed by its members, and how many were done on time."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

from gongzhi.core import clock
from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.deliberation.models import (
    Attendance,
    AttendanceMethod,
    FollowThrough,
    FollowThroughStatus,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Resolution,
)
from gongzhi.estates import ratings, services
from gongzhi.estates.models import Evaluation
from tests.conftest import make_user
from tests.estates.conftest import survey_2025
from tests.estates.test_ratings import _tickets

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


def _meeting(w, day, invited=(), came=(), kind=MeetingKind.JOINT, status=MeetingStatus.HELD):
    community = w.world.community_a1
    meeting = Meeting.objects.create(
        kind=kind,
        title="三方联席会",
        community=community,
        place_path=community.path,
        starts_at=dt.datetime.combine(day, dt.time(9, 0), tzinfo=SH),
        created_by=w.worker,
        status=status,
    )
    for user in invited:
        Invitation.objects.create(meeting=meeting, user=user)
    for user in came:
        Attendance.objects.create(
            meeting=meeting, user=user, method=AttendanceMethod.MANUAL, marked_by=w.worker
        )
    return meeting


def test_attendance_and_follow_throughs_count_for_company_and_committee(rw):
    """Joint-meeting attendance and the follow-throughs owed count in the measured part of
    both bodies, next to the company's ticket rates; every number below is worked by hand."""
    chair = rw.party[0]
    chair.user = make_user(
        Role.RESIDENT, rw.homes[0].building, household=rw.homes[0], phone="13900000078"
    )
    chair.save()
    services.link_staff(
        rw.company,
        Post.objects.get(user=rw.staff, role=Role.PROPERTY_STAFF),
        actor=rw.secretary,
        since=dt.date(2025, 1, 1),
    )
    staff, member, other = rw.staff, chair.user, rw.worker
    d = dt.date
    _meeting(rw, d(2025, 2, 1), invited=[staff, member], came=[staff, member])  # both came
    _meeting(rw, d(2025, 5, 1), invited=[staff, member])  # neither came
    _meeting(rw, d(2025, 6, 1), came=[staff])  # not invited but came: counts, attended
    _meeting(rw, d(2025, 7, 1), invited=[staff, member], status=MeetingStatus.CANCELLED)
    _meeting(rw, d(2025, 8, 1), invited=[other])  # neither body invited
    _meeting(rw, d(2025, 9, 1), invited=[staff], kind=MeetingKind.RESIDENTS_COUNCIL)
    _meeting(rw, d(2026, 2, 1), invited=[staff, member])  # another year
    joint = MeetingKind.JOINT
    _follow_through(rw, joint, staff, d(2025, 6, 30), done=d(2025, 6, 1))  # on time
    _follow_through(rw, joint, staff, d(2025, 9, 30))  # never done
    _follow_through(rw, joint, member, d(2025, 6, 30), done=d(2025, 7, 5))  # late
    _follow_through(rw, joint, other, d(2025, 6, 30))  # neither body's
    survey = survey_2025(rw)
    for user, score in zip(rw.voters, (5, 4, 3), strict=True):
        ratings.answer_survey(survey, actor=user, company_score=score, committee_score=3)
    _tickets(rw)  # three tickets handled by rw.staff: ticket rates 33.3, 66.7, 50, 50
    clock.set_now(dt.datetime(2025, 12, 1, 10, 0))
    community = rw.world.community_a1
    ratings.assess(
        rw.company, actor=rw.worker, year=2025, assessment=90, note="好", community=community
    )
    ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=85, note="好")
    assert ratings.company_joint_work(rw.company, community, 2025) == {
        "meetings": 3,  # 1 Feb, 1 May, 1 Jun
        "attended": 2,  # 1 Feb, 1 Jun
        "attendance_rate": 66.7,
        "follow_throughs": 2,
        "on_time": 1,
        "follow_through_rate": 50.0,
    }
    assert ratings.committee_joint_work(rw.committee, 2025) == {
        "meetings": 2,  # 1 Feb, 1 May
        "attended": 1,
        "attendance_rate": 50.0,
        "follow_throughs": 1,
        "on_time": 0,
        "follow_through_rate": 0.0,
    }
    clock.set_now(dt.datetime(2026, 1, 10, 10, 0))
    ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)
    company = Evaluation.objects.get(company=rw.company, year=2025)
    # Company: tickets (33.3+66.7+50+50)/4 = 50.0; attendance 2/3 = 66.7; follow-throughs
    # 1/2 = 50.0 → measured (50.0+66.7+50.0)/3 = 55.57 → 55.6. Satisfaction (5+4+3)/3×20 = 80.0.
    # Score (80×40 + 90×30 + 55.6×30)/100 = 75.68 → 75.7: three stars (70 ≤ 75.7 < 80).
    assert company.parts["measured"]["ticket_value"] == "50.0"
    assert company.parts["measured"]["attendance_rate"] == 66.7
    assert company.parts["measured"]["value"] == "55.6"
    assert company.score == Decimal("75.7") and company.stars == 3
    committee = Evaluation.objects.get(committee=rw.committee, year=2025)
    # Committee: attendance 1/2 = 50.0, follow-throughs 0/1 = 0.0 → measured 25.0;
    # satisfaction 3×20 = 60.0; (60×40 + 85×30 + 25×30)/100 = 57.0: one star (< 60).
    assert committee.parts["measured"]["value"] == "25.0"
    assert committee.score == Decimal("57.0") and committee.stars == 1


def test_attendance_shown_with_the_parts(rw, client):
    services.link_staff(
        rw.company, Post.objects.get(user=rw.staff, role=Role.PROPERTY_STAFF), actor=rw.secretary
    )
    _meeting(rw, dt.date(2025, 2, 1), invited=[rw.staff], came=[rw.staff])
    clock.set_now(dt.datetime(2025, 12, 1, 10, 0))
    ratings.assess(
        rw.company, actor=rw.worker, year=2025, assessment=90, note="好",
        community=rw.world.community_a1,
    )  # fmt: skip
    clock.set_now(dt.datetime(2026, 1, 5, 10, 0))  # the page shows ended years
    client.force_login(rw.worker)
    page = client.get("/estates/ratings/?year=2025").content.decode()
    assert "受邀参加三方联席会议1次，出席1次" in page
