from __future__ import annotations

from types import SimpleNamespace

import pytest

from gongzhi.core.roles import Role
from gongzhi.people.models import Resident
from gongzhi.places.models import Household
from tests.conftest import make_user


def _resident(building, phone, name):
    home = Household.objects.filter(building=building).order_by("id").first()
    user = make_user(Role.RESIDENT, building, household=home, phone=phone)
    Resident.objects.create(
        name=name,
        name_initials="x",
        gender="F",
        household=home,
        place_path=building.path,
        user=user,
    )
    return user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Photos are written under a per-test MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def mp(world):
    b1, b2 = world.grid_a1_1.buildings
    return SimpleNamespace(
        community=world.community_a1,
        r1=_resident(b1, "13900000021", "居民一"),
        r2=_resident(b2, "13900000022", "居民二"),
        r_other=_resident(world.grid_a2_1.buildings[0], "13900000023", "二社区居民"),
        cw=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
        cw_other=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        gw=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
    )
