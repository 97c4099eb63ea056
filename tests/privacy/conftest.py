"""Privacy fixtures on the `world`: residents of community A1 with logins and registry records
(phone and ID protected), a resident of A2, and staff of both communities."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from gongzhi.core import clock, crypto
from gongzhi.core.roles import Role
from gongzhi.people.models import Resident, ResidentTag
from gongzhi.places.models import Household
from tests.conftest import make_user

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def resident_user(building, phone, name, id_number="", n=0):
    home = Household.objects.filter(building=building).order_by("id")[n]
    user = make_user(Role.RESIDENT, building, household=home, phone=phone, name=name)
    r = Resident(
        name=name,
        name_initials="jm",
        gender="F",
        birth_date=dt.date(1960, 5, 1),
        household=home,
        place_path=building.path,
        user=user,
        specialty="修理电器",
    )
    r.phone_encrypted, r.phone_index, r.phone_masked = crypto.protect("phone", phone)
    if id_number:
        r.id_encrypted, r.id_index, r.id_masked = crypto.protect("id", id_number)
    r.save()
    ResidentTag.objects.create(resident=r, tag="disabled")
    return user


@pytest.fixture
def pw(world):
    clock.set_now(NOW)
    b_a1 = world.grid_a1_1.buildings[0]
    b_a2 = world.grid_a2_1.buildings[0]
    return SimpleNamespace(
        world=world,
        alice=resident_user(b_a1, "13911110001", "王丽", "420111196005011234"),
        bob=resident_user(b_a1, "13911110002", "李强", n=1),
        carol=resident_user(b_a2, "13911110003", "赵敏"),
        worker=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社工甲"),
        worker_a2=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="社工乙"),
        grid_worker=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记"),
        merchant=make_user(Role.MERCHANT, world.community_a1, name="商户"),
    )
