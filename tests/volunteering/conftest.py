"""Volunteering fixtures on the `world` of tests/conftest.py: residents with registry records
and logins, staff of each kind, an activity factory and a profile helper."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.people.models import Resident
from gongzhi.places.models import Household
from gongzhi.volunteering import services
from tests.conftest import make_user

T0 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)  # 16:00 in Beijing
_phones = itertools.count(13700000001)


def resident_user(building, name="居民", *, role=Role.RESIDENT, household=None, place=None):
    home = household or Household.objects.filter(building=building).order_by("id").first()
    user = make_user(
        role,
        place or building,
        household=home if role == Role.RESIDENT else None,
        phone=str(next(_phones)),
        name=name,
    )
    Resident.objects.create(
        name=name,
        name_initials="jm",
        gender="F",
        household=home,
        place_path=building.path,
        user=user,
    )
    return user


@pytest.fixture
def at_t0():
    clock.set_now(T0)
    yield T0


@pytest.fixture
def vol(world, at_t0):
    b1, b2 = world.grid_a1_1.buildings
    home = Household.objects.filter(building=b1).order_by("id").first()
    return SimpleNamespace(
        res1=resident_user(b1, "吴秀英"),
        family=resident_user(b1, "吴小明", household=home),
        res2=resident_user(b2, "李四"),
        res3=resident_user(world.grid_a1_2.buildings[0], "王五"),
        pm=resident_user(b2, "赵党员", role=Role.PARTY_MEMBER, place=world.community_a1),
        other=resident_user(world.grid_a2_1.buildings[0], "二社区居民"),
        cw=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
        cw_other=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        gw=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        partner=make_user(Role.PARTNER_CONTACT, world.community_a1, name="共建单位"),
        street=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
        district=make_user(Role.DISTRICT_OFFICER, world.district, name="区干部"),
        merchant=make_user(Role.MERCHANT, world.community_a1, name="商家"),
        property=make_user(Role.PROPERTY_STAFF, world.community_a1, name="物业"),
        no_record=make_user(Role.RESIDENT, b1, household=home, name="没有档案"),
    )


@pytest.fixture
def new_activity(world, vol):
    def _new(**fields):
        now = clock.now()
        values = {
            "title": "敬老院陪护",
            "location": "春园敬老院",
            "starts_at": now + dt.timedelta(hours=1),
            "ends_at": now + dt.timedelta(hours=3),
            "capacity": 5,
        }
        values.update(fields)
        organiser = values.pop("organiser", vol.cw)
        community = values.pop("community", world.community_a1)
        return services.publish(actor=organiser, community=community, **values)

    return _new


@pytest.fixture
def set_profile(world, profile_dir):
    """Give community A1 a policy profile with the given YAML body."""

    def _set(body: str, name: str = "vol-test"):
        (profile_dir / f"{name}.yaml").write_text(
            f"source: x.txt\ntitle: t\n{body}", encoding="utf-8"
        )
        world.community_a1.policy_profile = name
        world.community_a1.save()

    return _set


@pytest.fixture(autouse=True)
def english(client):
    """Messages are matched in English (zh-Hans is the default language), in the test and in
    the requests of the test client."""
    from django.utils import translation

    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield
