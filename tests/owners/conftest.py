"""Owners' vote fixtures: the estate of grid A1G1 of `world` with a small roll."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.owners import services
from gongzhi.owners.models import Matter
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from tests.conftest import make_user

START = dt.datetime(2026, 5, 1, 9, 0, tzinfo=dt.UTC)


def scan_pdf(label: str = "1") -> bytes:
    """A minimal PDF: the scan of a paper ballot (its content differs with `label`)."""
    return b"%PDF-1.4\n% ballot " + label.encode() + b"\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Scans are written under a per-test MEDIA_ROOT, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def estate_world(world):
    estate = world.grid_a1_1.estate
    building = world.grid_a1_1.buildings[0]
    homes = list(Household.objects.filter(building=building).order_by("id"))
    for home, area in zip(homes, ("89.50", "120.00"), strict=True):
        home.exclusive_area_m2 = Decimal(area)
        home.save()
    owner_user = make_user(Role.RESIDENT, building, household=homes[0], phone="13900000011")
    resident = Resident.objects.create(
        name="吴业主",
        name_initials="wyz",
        gender="F",
        household=homes[0],
        relation=Relation.HEAD,
        place_path=building.path,
        user=owner_user,
    )
    tenant_user = make_user(Role.RESIDENT, building, household=homes[1], phone="13900000012")
    Resident.objects.create(
        name="租户",
        name_initials="zh",
        gender="M",
        household=homes[1],
        relation=Relation.TENANT,
        place_path=building.path,
        user=tenant_user,
    )
    return SimpleNamespace(
        estate=estate,
        building=building,
        homes=homes,
        owner_user=owner_user,
        owner=resident,
        tenant_user=tenant_user,
        cw=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
        cw_other=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        gw=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        outsider=make_user(
            Role.RESIDENT,
            world.grid_a2_1.buildings[0],
            household=Household.objects.filter(building=world.grid_a2_1.buildings[0]).first(),
            phone="13900000019",
        ),
    )


@pytest.fixture
def open_vote(estate_world):
    """Import the roll (2 owners: 吴业主 89.5 m², a placeholder 120 m²), open an ordinary vote
    from START for a week, and move the clock into it."""

    def _open(matter=Matter.ORDINARY, **fields):
        ew = estate_world
        clock.set_now(START - dt.timedelta(days=1))
        services.import_roll(ew.estate, actor=ew.cw)
        vote = services.create_vote(
            ew.estate,
            actor=ew.cw,
            title="更换电梯",
            matter=matter,
            opens_at=START,
            closes_at=START + dt.timedelta(days=7),
            **fields,
        )
        vote = services.open_vote(vote, actor=ew.cw)
        clock.set_now(START + dt.timedelta(hours=1))
        return vote

    return _open
