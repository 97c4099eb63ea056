"""Meetings: agenda, invitations, QR and manual attendance, minutes, resolutions → actions,
and the joint-meeting reminder."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone, translation

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.deliberation import services
from gongzhi.deliberation.models import (
    Attendance,
    FollowThroughStatus,
    JointMeetingReminder,
    MeetingKind,
    MeetingStatus,
    TopicStatus,
)
from tests.conftest import make_user
from tests.deliberation.conftest import T0, agenda_topic


def test_meeting_with_a_topic_on_the_agenda(d, threshold):
    topic = agenda_topic(d)
    assert topic.status == TopicStatus.ON_AGENDA
    meeting = services.create_meeting(
        actor=d.secretary,
        community=d.community,
        kind=MeetingKind.JOINT,
        title="三方联席会议",
        starts_at=T0,
        topic_ids=[topic.pk],
        free_items=["物业费收缴情况"],
    )
    assert [a.title for a in meeting.agenda.all()] == ["加装电梯", "物业费收缴情况"]
    topic.refresh_from_db()
    assert topic.meeting == meeting


def test_open_topics_cannot_go_on_the_agenda(d, topic):
    with pytest.raises(ValidationError):
        services.create_meeting(
            actor=d.secretary,
            community=d.community,
            kind=MeetingKind.HEARING,
            title="听证会",
            starts_at=T0,
            topic_ids=[topic.pk],
        )


def test_residents_and_other_communities_cannot_create_meetings(d):
    params = dict(community=d.community, kind=MeetingKind.HEARING, title="x", starts_at=T0)
    with pytest.raises(PermissionDenied):
        services.create_meeting(actor=d.resident, **params)
    with pytest.raises(Http404):
        services.create_meeting(actor=d.worker_other, **params)


def test_invitations_notify_once_and_refuse_outsiders(d, meeting):
    assert services.invite(meeting, [d.resident, d.property, d.partner], actor=d.secretary) == 3
    assert services.invite(meeting, [d.resident], actor=d.secretary) == 0
    assert Notification.objects.filter(user=d.resident, verb="meeting_invite").count() == 1
    assert Notification.objects.filter(user=d.property, verb="meeting_invite").count() == 1
    with pytest.raises(ValidationError, match="does not belong"):
        services.invite(meeting, [d.outsider], actor=d.secretary)


def test_qr_check_in_with_the_current_code_and_an_old_code_refused(d, meeting):
    services.invite(meeting, [d.property], actor=d.secretary)
    with clock.travel_to(T0):
        old = services.checkin_token(meeting)
    with clock.travel_to(T0 + dt.timedelta(seconds=95)):
        with pytest.raises(ValidationError, match="expired"):
            services.check_in(meeting, old, actor=d.resident)
        with pytest.raises(ValidationError, match="expired"):
            services.check_in(meeting, "forged", actor=d.resident)
        current = services.checkin_token(meeting)
        services.check_in(meeting, current, actor=d.resident)
        services.check_in(meeting, current, actor=d.property)  # invited, not a resident
        with pytest.raises(ValidationError, match="already"):
            services.check_in(meeting, current, actor=d.resident)
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    with pytest.raises(Http404):
        services.check_in(meeting, current, actor=d.outsider)


def test_the_previous_window_still_works_at_the_turn(d, meeting):
    with clock.travel_to(T0):
        code = services.checkin_token(meeting)
    with clock.travel_to(T0 + dt.timedelta(seconds=services.QR_WINDOW_SECONDS)):
        services.check_in(meeting, code, actor=d.resident)


def test_manual_attendance_by_staff(d, meeting):
    services.invite(meeting, [d.property], actor=d.secretary)
    with pytest.raises(PermissionDenied):
        services.mark_attendance(meeting, [d.neighbour], actor=d.resident)
    assert services.mark_attendance(meeting, [d.property, d.neighbour], actor=d.secretary) == 2
    assert services.mark_attendance(meeting, [d.property], actor=d.secretary) == 0
    with pytest.raises(ValidationError):
        services.mark_attendance(meeting, [d.outsider], actor=d.secretary)


def test_minutes_make_the_meeting_held_and_topics_discussed(d, threshold):
    topic = agenda_topic(d)
    meeting = services.create_meeting(
        actor=d.secretary,
        community=d.community,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="议事会",
        starts_at=T0,
        topic_ids=[topic.pk],
    )
    with clock.travel_to(T0 - dt.timedelta(days=1)), pytest.raises(ValidationError):
        services.record_minutes(meeting, "未开会", actor=d.secretary)
    with clock.travel_to(T0 + dt.timedelta(hours=2)):
        meeting = services.record_minutes(meeting, "一致同意加装电梯", actor=d.secretary)
    assert meeting.status == MeetingStatus.HELD
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DISCUSSED
    topic = services.set_topic_status(topic, TopicStatus.RESOLVED, "已形成决议", actor=d.secretary)
    assert topic.status == TopicStatus.RESOLVED


def test_resolution_becomes_an_action_tracked_to_done(d, meeting):
    due = dt.date(2026, 6, 30)
    resolution = services.add_resolution(
        meeting, actor=d.secretary, text="物业6月底前修复路灯", owner=d.property, due=due
    )
    action = resolution.follow_through
    with translation.override(settings.LANGUAGE_CODE):  # stored in the site's language
        expected_title = str(Role.PROPERTY_STAFF.label)
    assert action.owner == d.property and action.owner_title == expected_title
    assert Notification.objects.filter(user=d.property, verb="action_assigned").exists()
    with pytest.raises(PermissionDenied):
        services.update_follow_through(action, actor=d.resident, status="done", note="我修好了")
    with pytest.raises(Http404):
        services.update_follow_through(action, actor=d.outsider, status="done", note="我修好了")
    with pytest.raises(ValidationError):
        services.update_follow_through(action, actor=d.property, status="open", note="x")
    action = services.update_follow_through(
        action, actor=d.property, status="in_progress", note="已采购灯具"
    )
    action = services.update_follow_through(action, actor=d.property, status="done", note="已修复")
    assert action.status == FollowThroughStatus.DONE and action.done_at is not None
    assert action.notes.count() == 2
    assert AuditRecord.objects.filter(action="deliberation.action_progress").count() == 2
    with pytest.raises(ValidationError):
        services.update_follow_through(action, actor=d.secretary, status="done", note="again")


def test_action_owner_must_hold_a_post_in_the_community(d, meeting):
    with pytest.raises(ValidationError):
        services.add_resolution(
            meeting, actor=d.secretary, text="x", owner=d.worker_other, due=dt.date(2026, 6, 1)
        )


def test_action_overdue_with_a_moved_clock(d, meeting):
    action = services.add_resolution(
        meeting, actor=d.secretary, text="清理楼道", owner=d.grid, due=dt.date(2026, 6, 1)
    ).follow_through
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 6, 1, 20, 0))):
        assert action.display_status == FollowThroughStatus.OPEN
    with clock.travel_to(timezone.make_aware(dt.datetime(2026, 6, 2, 9, 0))):
        assert action.display_status == FollowThroughStatus.OVERDUE
        action = services.update_follow_through(action, actor=d.grid, status="done", note="完成")
        assert action.display_status == FollowThroughStatus.DONE


def _at(*args):
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def quarterly(d, profile_dir):
    """Community A1's document sets the joint meeting each calendar quarter (003 §三(一)3)."""
    from tests.deliberation.conftest import set_profile

    (profile_dir / "quarterly.yaml").write_text(
        "source: x.txt\ntitle: t\ndeliberation:\n  joint_meeting_months: 3  # 003\n"
    )
    set_profile(d.community, "quarterly")
    return d


def _joint(d, when):
    return services.create_meeting(
        actor=d.secretary,
        community=d.community,
        kind=MeetingKind.JOINT,
        title="三方联席会议",
        starts_at=when,
    )


def test_no_rhythm_without_the_key_nothing_enforced(d):
    """Issue 12.2: a document that says nothing (Loudi, Wuhan, Lishui) gets no reminder and
    no overdue listing — seed 003's quarter is not a platform default."""
    Notification.objects.all().delete()
    with clock.travel_to(_at(2026, 6, 20, 9, 0)):
        state = services.joint_meeting_state(d.community)
        assert state.months is None and not state.due() and not state.overdue
        services.remind_joint_meetings()
    assert not JointMeetingReminder.objects.exists()
    assert not Notification.objects.filter(verb="joint_meeting_due").exists()


def test_meeting_on_31_march_the_april_june_quarter_is_flagged_by_its_end(quarterly):
    """Calendar quarters, not a rolling three months: after a meeting on 31 March, the
    April–June quarter without one is due from 1 June and overdue from 1 July."""
    d = quarterly
    _joint(d, _at(2026, 3, 31, 15, 0))
    Notification.objects.all().delete()
    with clock.travel_to(_at(2026, 5, 31, 23, 0)):
        state = services.joint_meeting_state(d.community)
        assert (state.start, state.end) == (dt.date(2026, 4, 1), dt.date(2026, 7, 1))
        assert not state.due() and not state.overdue  # Q1 had its meeting
        assert services.remind_joint_meetings() == 0
    with clock.travel_to(_at(2026, 6, 1, 8, 5)):
        assert services.joint_meeting_state(d.community).due()
        assert services.remind_joint_meetings() >= 1
        assert services.remind_joint_meetings() == 0  # once per period
    mine = Notification.objects.filter(user=d.secretary, verb="joint_meeting_due")
    assert mine.count() == 1
    with clock.travel_to(_at(2026, 6, 30, 23, 0)):
        services.remind_joint_meetings()
        assert not services.joint_meeting_state(d.community).overdue
    assert mine.count() == 1
    with clock.travel_to(_at(2026, 7, 1, 0, 30)):
        state = services.joint_meeting_state(d.community)
        assert state.overdue and state.previous_start == dt.date(2026, 4, 1)
        assert not state.due()  # the July–September quarter's reminder comes in September
        services.remind_joint_meetings()
    assert mine.count() == 1
    with clock.travel_to(_at(2026, 9, 1, 9, 0)):
        services.remind_joint_meetings()
    assert mine.count() == 2


def test_a_meeting_in_the_quarter_stops_the_reminder(quarterly):
    d = quarterly
    _joint(d, _at(2026, 4, 2, 9, 0))
    with clock.travel_to(_at(2026, 6, 15, 9, 0)):
        state = services.joint_meeting_state(d.community)
        assert state.met and not state.due()
        services.remind_joint_meetings()
    assert not JointMeetingReminder.objects.filter(community=d.community).exists()
    with clock.travel_to(_at(2026, 7, 2, 9, 0)):
        assert not services.joint_meeting_state(d.community).overdue


def test_a_cancelled_or_other_kind_of_meeting_does_not_count(quarterly):
    d = quarterly
    cancelled = _joint(d, _at(2026, 4, 2, 9, 0))
    cancelled.status = MeetingStatus.CANCELLED
    cancelled.save()
    services.create_meeting(
        actor=d.secretary,
        community=d.community,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="居民议事会",
        starts_at=_at(2026, 4, 3, 9, 0),
    )
    with clock.travel_to(_at(2026, 6, 15, 9, 0)):
        assert services.joint_meeting_state(d.community).due()


def test_six_monthly_periods(d, profile_dir):
    from tests.deliberation.conftest import set_profile

    (profile_dir / "half.yaml").write_text(
        "source: x.txt\ntitle: t\ndeliberation:\n  joint_meeting_months: 6  # x\n"
    )
    set_profile(d.community, "half")
    with clock.travel_to(_at(2026, 5, 31, 9, 0)):
        assert not services.joint_meeting_state(d.community).due()
    with clock.travel_to(_at(2026, 6, 1, 9, 0)):
        state = services.joint_meeting_state(d.community)
        assert state.due() and (state.start, state.end) == (
            dt.date(2026, 1, 1),
            dt.date(2026, 7, 1),
        )


def test_period_start():
    assert services.period_start(dt.date(2026, 5, 31), 3) == dt.date(2026, 4, 1)
    assert services.period_start(dt.date(2026, 12, 1), 6) == dt.date(2026, 7, 1)
    assert services.period_start(dt.date(2026, 1, 1), 1) == dt.date(2026, 1, 1)


def test_attending_and_voting_earn_participation_points(d, meeting):
    """gongzhi.volunteering.points.earn(resident, "deliberation", ...) once per source."""
    from gongzhi.core import ledger
    from gongzhi.volunteering import points

    rate = services.setting(d.community, "points.per_deliberation")
    assert rate > 0
    resident = d.resident.resident_record
    with clock.travel_to(T0):
        services.check_in(meeting, services.checkin_token(meeting), actor=d.resident)
    assert ledger.balance(points.points_account(resident)) == rate
    poll = services.create_poll(
        actor=d.secretary,
        community=d.community,
        question="q",
        options=["a", "b"],
        opens_at=T0,
        closes_at=T0 + dt.timedelta(days=1),
    )
    with clock.travel_to(T0 + dt.timedelta(hours=1)):
        services.vote(poll, [poll.options.first().pk], actor=d.resident)
    assert ledger.balance(points.points_account(resident)) == 2 * rate


def test_street_officer_manages_meetings_below(d, meeting):
    other = make_user(Role.COMMUNITY_WORKER, d.community, name="工作者")
    assert services.invite(meeting, [other], actor=d.street) == 1


def test_street_partner_contact_can_be_invited_and_own_an_action(d, meeting):
    partner = make_user(Role.PARTNER_CONTACT, d.world.street_a, name="街道共建联络人")
    far = make_user(Role.PARTNER_CONTACT, d.world.street_b, name="外街道联络人")
    assert services.invite(meeting, [partner], actor=d.secretary) == 1
    with pytest.raises(ValidationError):
        services.invite(meeting, [far], actor=d.secretary)
    action = services.add_resolution(
        meeting, actor=d.secretary, text="共建单位提供场地", owner=partner, due=dt.date(2026, 6, 1)
    ).follow_through
    assert action.owner == partner
