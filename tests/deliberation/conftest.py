"""Deliberation fixtures on the `world` of tests/conftest.py: residents with a registry record
and a login, community staff, property staff, and helpers to build topics, meetings and polls."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest
from django.utils import timezone

from gongzhi.core import crypto
from gongzhi.core.roles import Role
from gongzhi.deliberation import services
from gongzhi.people.models import Membership, Relation, Resident
from gongzhi.people.pinyin import initials
from gongzhi.places.models import Household, Place
from tests.conftest import make_user

_phones = itertools.count(13700000001)
T0 = timezone.make_aware(dt.datetime(2026, 5, 10, 10, 0))


def make_citizen(household: Household, name: str = "", *, role=Role.RESIDENT, place=None):
    """A login with a post and its Resident record (linked), living in `household`."""
    phone = str(next(_phones))
    building = Place.objects.get(pk=household.building_id)
    user = make_user(role, place or building, household=household, phone=phone, name=name or None)
    encrypted, index, masked = crypto.protect("phone", phone)
    resident = Resident.objects.create(
        name=user.name,
        name_initials=initials(user.name),
        gender="F",
        household=household,
        relation=Relation.HEAD,
        place_path=household.place_path,
        phone_encrypted=encrypted,
        phone_index=index,
        phone_masked=masked,
        user=user,
    )
    Membership.objects.create(resident=resident, household=household, relation=Relation.HEAD)
    user.resident_record = resident
    user.phone_plain = phone
    return user


@pytest.fixture(autouse=True)
def _english():
    """Service messages are matched in English (the catalog translates them to Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def set_profile(place, name):
    Place.objects.filter(pk=place.pk).update(policy_profile=name)


@pytest.fixture
def threshold(world, profile_dir):
    """Community A1 uses a profile with a support threshold of 3."""
    (profile_dir / "tiny.yaml").write_text(
        "source: x.txt\ntitle: t\ndeliberation:\n  support_threshold: 3\n"
    )
    set_profile(world.community_a1, "tiny")
    return 3


@pytest.fixture
def d(world):
    b1, b2 = world.grid_a1_1.buildings
    homes = list(Household.objects.filter(building__in=[b1, b2]).order_by("id"))
    other_home = Household.objects.filter(building=world.grid_a2_1.buildings[0]).first()
    return SimpleNamespace(
        world=world,
        community=world.community_a1,
        homes=homes,
        resident=make_citizen(homes[0], "吴秀英"),
        neighbour=make_citizen(homes[1], "李大爷"),
        outsider=make_citizen(other_home, "外社区居民"),
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="张书记"),
        worker_other=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        property=make_user(Role.PROPERTY_STAFF, world.community_a1, name="胡经理"),
        partner=make_user(Role.PARTNER_CONTACT, world.community_a1, name="马联络"),
        grid=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        street=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
    )


@pytest.fixture
def topic(d):
    return services.raise_topic(
        actor=d.resident, place=d.community, title="增设电动车充电桩", text="小区缺少充电桩"
    )


def agenda_topic(d, threshold_n=3):
    """A topic of community A1 on the agenda (needs the `threshold` fixture)."""
    t = services.raise_topic(
        actor=d.resident, place=d.community, title="加装电梯", text="老楼加装电梯"
    )
    for i in range(threshold_n):
        home = d.homes[i % len(d.homes)]
        services.support(t, actor=make_citizen(home, f"支持者{i}"))
    t.refresh_from_db()
    return t


@pytest.fixture
def meeting(d):
    return services.create_meeting(
        actor=d.secretary,
        community=d.community,
        kind="residents_council",
        title="五月居民议事会",
        starts_at=T0,
        location="社区会议室",
        free_items=["通报上月工作"],
    )
