"""The demo builds every state in the secretary's community, quickly and only once."""

from __future__ import annotations

from gongzhi.core.models import User
from gongzhi.core.roles import Role
from gongzhi.deliberation.models import (
    FollowThrough,
    Meeting,
    MeetingSeries,
    Notice,
    Poll,
    Representative,
    Topic,
    TopicStatus,
)
from gongzhi.demo import deliberation as demo
from tests.conftest import make_user
from tests.deliberation.conftest import make_citizen


def test_demo_is_complete_and_idempotent(d):
    make_user(Role.COMMUNITY_SECRETARY, d.community, name="张丽华")
    User.objects.filter(name="张丽华").update(username="secretary")
    make_user(Role.PROPERTY_STAFF, d.community, name="胡建军")
    User.objects.filter(name="胡建军").update(username="property")
    for i in range(30):
        make_citizen(d.homes[i % len(d.homes)], f"居民{i}")
    line = demo.build(None)
    assert "8 topics" in line
    statuses = set(Topic.objects.filter(community=d.community).values_list("status", flat=True))
    assert statuses == set(TopicStatus.values)
    assert {a.display_status for a in FollowThrough.objects.all()} == {
        "done",
        "in_progress",
        "overdue",
    }
    assert Poll.objects.count() == 2 and Notice.objects.count() == 5
    assert Notice.objects.filter(category="convention").exists()
    assert Topic.objects.filter(place__kind="grid").exists()
    series = MeetingSeries.objects.get(day=16)
    assert Meeting.objects.filter(series=series).exists()
    assert Representative.objects.exists()
    counts = [M.objects.count() for M in (Topic, Meeting, Poll, Notice, FollowThrough)]
    assert demo.build(None) == line
    assert [M.objects.count() for M in (Topic, Meeting, Poll, Notice, FollowThrough)] == counts
