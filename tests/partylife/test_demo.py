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
from gongzhi.partylife import selectors
from gongzhi.partylife.models import DuesEntry, Meeting, ReviewResult

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_year_once(life):
    secretary = User.objects.create_user(username="secretary", password="x-Demo-2026", name="书记")
    Post.objects.create(
        user=secretary, role=Role.COMMUNITY_SECRETARY, place=life.world.community_a1
    )
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
        demo.build("small")
        assert Meeting.objects.count() == count
