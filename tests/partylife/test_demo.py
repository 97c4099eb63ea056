"""The organisational-life demo on the small `world`: a year of meetings with one branch
overdue, a decided review round, dues with arrears; a second run adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import partylife as demo
from gongzhi.party.models import Body, CommitteeMember
from gongzhi.partylife import selectors
from gongzhi.partylife.models import (
    DuesEntry,
    Meeting,
    Pledge,
    ResponsibilityArea,
    ReviewResult,
    Transfer,
)
from tests.party.conftest import first_household, make_member, make_resident

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_year_once(life):
    secretary = User.objects.create_user(username="secretary", password="x-Demo-2026", name="书记")
    Post.objects.create(
        user=secretary, role=Role.COMMUNITY_SECRETARY, place=life.world.community_a1
    )
    home = first_household(life.world.grid_a1_1.buildings[1])
    for i in range(4):
        make_member(make_resident(home, f"党员{i}"), life.branch)
    make_resident(home, "新转入")  # a resident who is no member: transferred in from outside
    with clock.travel_to(dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)), translation.override("en"):
        line = demo.build("small")
        assert "meetings" in line
        count = Meeting.objects.count()
        assert count > 20
        overdue = selectors.overdue(secretary, clock.today())
        assert {row.org for row in overdue} == {life.other}  # the last branch skipped
        assert ReviewResult.objects.filter(grade="").count() == 0
        rows = selectors.dues_rows(life.branch, 2026, clock.today())
        assert any(r.arrears for r in rows)
        assert DuesEntry.objects.filter(kind="payment").exists()
        states = sorted(Transfer.objects.values_list("kind", "state"))
        assert ("internal", "accepted") in states and ("internal", "refused") in states
        assert ("internal", "requested") in states and ("out", "recorded") in states
        assert ("in", "recorded") in states
        assert Transfer.objects.get(state="refused").refusal_reason
        assert CommitteeMember.objects.filter(part_time=True).exclude(source_unit="").exists()
        assert {b.setup_form for b in Body.objects.all()} == {"", "single", "joint", "affiliated"}
        assert Body.objects.filter(org__isnull=True).count() == 2
        bodies = Body.objects.count()
        outcomes = set(Pledge.objects.filter(year=2025).values_list("outcome", flat=True))
        assert {"kept", "partly", "not_kept"} <= outcomes
        assert Pledge.objects.filter(year=2026, reviewed_at__isnull=True).exists()
        areas = ResponsibilityArea.objects.filter(org=life.branch)
        assert areas.count() == 2 and all(a.units.exists() for a in areas)  # two buildings
        pledges = Pledge.objects.count()
        demo.build("small")
        assert Pledge.objects.count() == pledges
        assert ResponsibilityArea.objects.count() == areas.count()
        assert Meeting.objects.count() == count
        assert Transfer.objects.count() == len(states)
        assert Body.objects.count() == bodies
