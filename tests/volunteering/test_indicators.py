"""The volunteering indicators (gongzhi/volunteering/indicators.py) on hand-made residents,
volunteers and activities; the period is the year 2026, the profile's target 15%.

A1: 8 residents living there (a ninth moved out); volunteers r1, r2 active and registered in
2025, r3 waiting for approval, r4 active but registered in 2027 → 2/8 = 25.00 (target 15%).
A2: 4 residents, no volunteer → 0.00. B1: no resident → no data.
Active volunteers: A1's activity of 2026-03-01 (r1, r2 confirmed, r3 a no-show) and of
2026-05-01 (r1 again) → 2; A1's activity of 2025 (r4 confirmed) does not count; A2 → 0.
"""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal

import pytest

from gongzhi.core import indicators
from gongzhi.core.indicators import Period
from gongzhi.core.roles import Role
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from gongzhi.volunteering.models import (
    Activity,
    Signup,
    SignupStatus,
    Volunteer,
    VolunteerStatus,
)
from tests.conftest import make_place, make_user

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = Period.year(2026)
_n = itertools.count(1)
PROFILE = (
    "source: test\ntitle: t\nvolunteering:\n"
    "  target_percent: 15  # 001 §13: 注册志愿者人数达到居民人数的15%\n"
)


def _residents(place, n, living=True):
    home = Household.objects.filter(place_path__startswith=place.path).first()
    path = home.place_path if home else place.path
    return [
        Resident.objects.create(
            name=f"居民{next(_n)}",
            name_initials="jm",
            gender="F",
            household=home,
            relation=Relation.OTHER,
            place_path=path,
            is_active=living,
        )  # fmt: skip
        for _ in range(n)
    ]


def _volunteer(person, community, status, registered):
    return Volunteer.objects.create(
        resident=person, community=community, place_path=person.place_path, status=status,
        registered_at=dt.datetime(*registered, 10, tzinfo=SH),
    )  # fmt: skip


def _activity(community, organiser, starts, signups):
    start = dt.datetime(*starts, 9, tzinfo=SH)
    activity = Activity.objects.create(
        community=community, place_path=community.path, title=f"活动{next(_n)}", location="广场",
        starts_at=start, ends_at=start + dt.timedelta(hours=2), capacity=10,
        organiser=organiser,
    )  # fmt: skip
    for person, status in signups:
        Signup.objects.create(
            activity=activity, resident=person, place_path=person.place_path, status=status
        )
    return activity


@pytest.fixture
def data(world, profile_dir):
    (profile_dir / "vol-ind.yaml").write_text(PROFILE)
    world.district.policy_profile = "vol-ind"
    world.district.save()
    a1, a2 = world.community_a1, world.community_a2
    r1, r2, r3, r4, *_ = _residents(a1, 8)
    _residents(a1, 1, living=False)
    _residents(a2, 4)
    _volunteer(r1, a1, VolunteerStatus.ACTIVE, (2025, 3, 1))
    _volunteer(r2, a1, VolunteerStatus.ACTIVE, (2025, 12, 31))
    _volunteer(r3, a1, VolunteerStatus.PENDING, (2025, 3, 1))
    _volunteer(r4, a1, VolunteerStatus.ACTIVE, (2027, 1, 2))
    organiser = make_user(Role.COMMUNITY_WORKER, a1)
    C = SignupStatus.CONFIRMED
    _activity(a1, organiser, (2026, 3, 1), [(r1, C), (r2, C), (r3, SignupStatus.NO_SHOW)])
    _activity(a1, organiser, (2026, 5, 1), [(r1, C)])
    _activity(a1, organiser, (2025, 5, 1), [(r4, C)])
    return world


def _values(code, places, period=YEAR):
    return {pk: v.value for pk, v in indicators.compute([code], places, period)[code].items()}


def test_volunteer_share_against_the_target(data):
    a1, a2, b1 = data.community_a1, data.community_a2, data.community_b1
    code = "volunteering.volunteer_share"
    assert _values(code, [a1, a2, b1]) == {a1.pk: Decimal("25.00"), a2.pk: Decimal("0.00"),
                                           b1.pk: None}  # fmt: skip
    value = indicators.compute([code], [a1], YEAR)[code][a1.pk]
    assert (value.numerator, value.denominator) == (2, 8)
    assert "15" in value.note
    # At the end of 2025's first quarter only r1 had registered: 1 of 8.
    assert _values(code, [a1], Period.quarter(2025, 1))[a1.pk] == Decimal("12.50")


def test_volunteer_share_without_a_target_has_no_note(world):
    _residents(world.community_a1, 2)
    value = indicators.compute(["volunteering.volunteer_share"], [world.community_a1], YEAR)
    assert value["volunteering.volunteer_share"][world.community_a1.pk].note == ""


def test_active_volunteers(data):
    a1, a2 = data.community_a1, data.community_a2
    code = "volunteering.active_volunteers"
    assert _values(code, [a1, a2]) == {a1.pk: 2, a2.pk: 0}
    assert _values(code, [a1], Period.year(2025)) == {a1.pk: 1}
    assert _values(code, [a1], Period.quarter(2026, 2)) == {a1.pk: 1}
    assert _values(code, [data.street_a]) == {data.street_a.pk: None}


def test_bounded_queries_for_many_communities(data, django_assert_max_num_queries):
    organiser = make_user(Role.STREET_OFFICER, data.street_b)
    communities = [make_place(data.street_b, "community", f"社区{i}", f"C{i}") for i in range(12)]
    for c in communities:
        (person,) = _residents(c, 1)
        _volunteer(person, c, VolunteerStatus.ACTIVE, (2026, 1, 5))
        _activity(c, organiser, (2026, 2, 1), [(person, SignupStatus.CONFIRMED)])
    with django_assert_max_num_queries(4):
        share = _values("volunteering.volunteer_share", communities)
    with django_assert_max_num_queries(1):
        active = _values("volunteering.active_volunteers", communities)
    assert set(share.values()) == {Decimal("100.00")} and set(active.values()) == {1}
