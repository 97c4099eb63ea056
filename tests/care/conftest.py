"""Care fixtures: building B1 of estate E1 in grid A1-G01 of `world` with five households —
three with a resident who logs in (phones), one whose only resident has no phone, one empty —
building B2 of the same grid with its two households, and the posts around them."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import crypto, sms
from gongzhi.core.roles import Role
from gongzhi.people.models import Membership, Relation, Resident, ResidentTag, Tag
from gongzhi.people.pinyin import initials
from gongzhi.places.models import Household, Place
from tests.conftest import make_user

_phones = itertools.count(13900000001)


def citizen(household: Household, name: str, *, role: str = Role.RESIDENT):
    """A login with a resident post and its linked Resident record, living in `household`."""
    phone = str(next(_phones))
    building = Place.objects.get(pk=household.building_id)
    user = make_user(role, building, household=household, phone=phone, name=name)
    encrypted, index, masked = crypto.protect("phone", phone)
    resident = Resident.objects.create(
        name=name,
        name_initials=initials(name),
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
    user.phone_plain = phone
    user.record = resident
    return user


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "gongzhi.core.sms.MemoryBackend"
    sms.MemoryBackend.outbox = []
    yield sms.MemoryBackend.outbox
    sms.MemoryBackend.outbox = []


@pytest.fixture
def cw(world):
    b1 = world.grid_a1_1.buildings[0]
    for i in range(3, 6):
        Household.objects.create(building=b1, unit_no="1", room_no=f"{i:02d}01", place_path=b1.path)
    households = list(Household.objects.filter(building=b1).order_by("room_no"))
    r1 = citizen(households[0], "王一")
    r2 = citizen(households[1], "李二")
    r3 = citizen(households[2], "张三")
    nophone = Resident.objects.create(
        name="赵四",
        name_initials="zs",
        gender="M",
        household=households[3],
        relation=Relation.HEAD,
        place_path=households[3].place_path,
    )
    ResidentTag.objects.create(resident=r3.record, tag=Tag.LIVING_ALONE)
    ResidentTag.objects.create(resident=nophone, tag=Tag.LIVING_ALONE)
    b2 = world.grid_a1_1.buildings[1]
    return SimpleNamespace(
        world=world,
        b1=b1,
        b2=b2,
        households=households,
        r1=r1,
        r2=r2,
        r3=r3,
        nophone=nophone,
        worker=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社工"),
        grid=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        head=make_user(Role.BUILDING_HEAD, b1, name="一栋楼长"),
        head2=make_user(Role.BUILDING_HEAD, b2, name="二栋楼长"),
        other=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="别社工"),
        merchant=make_user(Role.MERCHANT, world.community_a1, name="商户"),
        partner=make_user(Role.PARTNER_CONTACT, world.community_a1, name="共建"),
        outsider=citizen(
            Household.objects.filter(place_path__under=world.community_a2.path).first(), "外人"
        ),
    )
