"""The three-party joint meeting invites the real bodies (issue 14 item 6): deliberation's hook
(`set_joint_invitees`, installed by estates) names the owners' committee's current members
(their logins) and the property company's linked staff under contract for the estate."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from gongzhi.core import clock
from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.deliberation import meetings, selectors
from gongzhi.deliberation.models import MeetingKind, Topic, TopicStatus
from gongzhi.estates import services
from tests.conftest import make_user

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _bodies(rw):
    """The chair has a login; the other member has none; a left member has one; the company
    has one linked post in force and one ended."""
    rw.chair = rw.party[0]
    rw.chair.user = make_user(
        Role.RESIDENT, rw.homes[0].building, household=rw.homes[0], phone="13900000078"
    )
    rw.chair.save()
    leaver = rw.party[1]
    leaver.user = make_user(
        Role.RESIDENT, rw.homes[1].building, household=rw.homes[1], phone="13900000079"
    )
    leaver.save()
    left = services.add_member(rw.term, actor=rw.secretary, resident=leaver)
    left.left_on = dt.date(2025, 2, 1)
    left.save()
    rw.manager = make_user(Role.PROPERTY_STAFF, rw.estate, name="物业经理")
    services.link_staff(
        rw.company, Post.objects.get(user=rw.manager, role=Role.PROPERTY_STAFF), actor=rw.secretary
    )
    gone = make_user(Role.PROPERTY_STAFF, rw.estate, name="离职管家")
    link = services.link_staff(
        rw.company,
        Post.objects.get(user=gone, role=Role.PROPERTY_STAFF),
        actor=rw.secretary,
        since=dt.date(2025, 1, 1),
    )
    services.end_staff_link(link, actor=rw.secretary, ended_on=dt.date(2025, 2, 1))
    return leaver.user, gone


def _create(rw, kind=MeetingKind.JOINT, topics=()):
    return meetings.create_meeting(
        actor=rw.worker,
        community=rw.world.community_a1,
        kind=kind,
        title="三方联席会议",
        starts_at=dt.datetime(2025, 3, 20, 9, 0, tzinfo=SH),
        topic_ids=[t.pk for t in topics],
    )


def _invited(meeting):
    return set(meeting.invitations.values_list("user_id", flat=True))


def test_joint_meeting_invites_committee_members_and_company_staff(rw):
    leaver, gone = _bodies(rw)
    meeting = _create(rw)
    # the chair's login and the linked manager; not the member who left, not the ended link,
    # not rw.staff (a property_staff post at the estate that is not linked to the company)
    assert _invited(meeting) == {rw.chair.user.pk, rw.manager.pk}
    assert leaver.pk not in _invited(meeting) and gone.pk not in _invited(meeting)
    # they may be invited by hand too (a member's resident login has no post in the community)
    assert selectors.invitable_users(meeting).filter(pk=rw.chair.user.pk).exists()
    from gongzhi.core.models import Notification

    assert Notification.objects.filter(user=rw.chair.user, verb="meeting_invite").count() == 1


def test_other_kinds_invite_nobody_by_themselves(rw):
    _bodies(rw)
    meeting = _create(rw, kind=MeetingKind.RESIDENTS_COUNCIL)
    assert _invited(meeting) == set()
    assert not selectors.invitable_users(meeting).filter(pk=rw.chair.user.pk).exists()


def test_a_topic_in_another_estate_narrows_the_bodies(rw):
    _bodies(rw)
    topic = Topic.objects.create(
        title="另一小区的停车",
        place=rw.other_estate,
        community=rw.world.community_a1,
        place_path=rw.other_estate.path,
        raised_by=rw.worker,
        status=TopicStatus.ON_AGENDA,
    )
    meeting = _create(rw, topics=[topic])
    assert _invited(meeting) == set()  # the other estate has no committee and no contract
    topic_here = Topic.objects.create(
        title="本小区的电梯",
        place=rw.world.grid_a1_1.buildings[0],
        community=rw.world.community_a1,
        place_path=rw.world.grid_a1_1.buildings[0].path,
        raised_by=rw.worker,
        status=TopicStatus.ON_AGENDA,
    )
    assert _invited(_create(rw, topics=[topic_here])) == {rw.chair.user.pk, rw.manager.pk}


def test_a_term_that_is_over_invites_nobody(rw):
    _bodies(rw)
    clock.set_now(dt.datetime(2027, 3, 1, 10, 0))  # the term ended on 2027-01-01
    assert _invited(_create(rw)) == {rw.manager.pk}
