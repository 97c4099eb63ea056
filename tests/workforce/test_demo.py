"""The workforce demo on the small `world`: what it builds (gaps included), and that a second run
adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import workforce as workforce_demo
from gongzhi.workforce import checks, pay, training
from gongzhi.workforce.models import (
    Appointment,
    Attendance,
    CommitteeTerm,
    Course,
    CourseKind,
    Reward,
    RewardStatus,
    Worker,
)
from tests.workforce.conftest import resident

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_builds_workers_committees_and_a_reward_once(wf):
    world = wf.world
    world.district.policy_profile = "loudi"  # the demo district's document: no rewards
    world.district.save()
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("street", Role.STREET_OFFICER, world.street_a)
    home_a2 = world.community_a2
    from gongzhi.places.models import Household

    home = Household.objects.filter(place_path__startswith=home_a2.path).first()
    for i in range(8):  # the second community: workers aged 25–50
        resident(home, f"二社区居民{i}", born=dt.date(1985 + i, 3, 1))
    wf.people[0].birth_date = dt.date(1995, 1, 1)  # the reserve candidate, under 35
    wf.people[0].save()

    message = workforce_demo.build(None)
    assert message.startswith("Workforce: 15 workers' records in 2 communities")
    mine = Worker.objects.filter(community=world.community_a1)
    assert mine.count() == 7
    assert CommitteeTerm.objects.filter(committee__community=world.community_a1).count() == 2
    report = checks.community_report(world.community_a1)
    assert report.one_person_both_chairs and report.cross_appointed >= 1
    # the second (and last) community of the street: the Wuhan East Lake profile, a reward
    # awaiting approval and one paid, uncertified workers (coverage overdue)
    world.community_a2.refresh_from_db()
    assert world.community_a2.policy_profile == workforce_demo.CERTIFIED_PROFILE
    statuses = sorted(Reward.objects.values_list("status", flat=True))
    assert statuses == [RewardStatus.AWAITING, RewardStatus.PAID]
    coverage = next(
        c for c in checks.community_report(world.community_a2).checks if c.key == checks.CERTIFIED
    )
    assert coverage.status == "overdue"

    # training (001 §5): one committee member of the demo community short of training days;
    # the grid workers' skills contest with ranked results
    row = next(
        c
        for c in checks.community_report(world.community_a1).checks
        if c.key == training.TRAINING_ROW
    )
    assert row.status == "short" and row.actual == 1
    assert Attendance.objects.filter(course__kind=CourseKind.CONTEST, rank=1).exists()
    # pay floors (001 §15): a member of the demo community below Loudi's 1,200 yuan
    street_user = User.objects.get(username="street")
    assert [r.pay_yuan for r in pay.below_floor(street_user)] == ["1150.00"]

    # first secretaries (000 §二): the demo community's mid-term with a duty log written by its
    # own login; the East Lake community's seconded cadre ended without a report (a gap)
    first = Appointment.objects.get(community=world.community_a1)
    assert first.kind == "first_secretary" and not first.is_over(clock.today())
    assert first.log.count() >= 3
    assert {e.written_by.username for e in first.log.all()} == {"firstsecretary"}
    cadre = Appointment.objects.get(community=world.community_a2)
    assert cadre.kind == "seconded_cadre" and cadre.is_over(clock.today())
    rows = {c.key: c for c in checks.community_report(world.community_a2).checks}
    assert rows[checks.REPORTS_ROW].status == "short" and rows[checks.REPORTS_ROW].actual == 1
    assert rows["party.secondment_min_years"].status == "ok"  # exactly one year

    counts = (Worker.objects.count(), CommitteeTerm.objects.count(), Reward.objects.count())
    again = workforce_demo.build(None)
    assert again == "Workforce: already present (15 workers' records)"
    assert (Worker.objects.count(), CommitteeTerm.objects.count(), Reward.objects.count()) == (
        counts
    )
    assert Course.objects.count() == 2
    # the gap on the compliance page (last: a page request switches the language)
    page = Client()
    page.force_login(street_user)
    body = page.get(reverse("workforce:compliance")).content.decode()
    assert 'data-key="workforce.appointment_reports"' in body
