"""Selection fixtures on `world`: street A runs selections over communities A1 and A2."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.selections import services
from gongzhi.selections.models import Kind, Method, Nominee, Stage
from tests.conftest import make_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _home(building):
    return Household.objects.filter(building=building).first()


@pytest.fixture
def sw(world):
    a1_b1 = world.grid_a1_1.buildings[0]
    a1_b2 = world.grid_a1_1.buildings[1]
    a1g2_b1 = world.grid_a1_2.buildings[0]
    a2_b1 = world.grid_a2_1.buildings[0]
    ns = SimpleNamespace(
        world=world,
        a1_b1=a1_b1,
        a1_b2=a1_b2,
        a1g2_b1=a1g2_b1,
        a2_b1=a2_b1,
        officer=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
        officer_b=make_user(Role.STREET_OFFICER, world.street_b, name="关山干部"),
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="一社区书记"),
        secretary_a2=make_user(Role.COMMUNITY_SECRETARY, world.community_a2, name="二社区书记"),
        grid_worker=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        resident=make_user(Role.RESIDENT, a1_b1, household=_home(a1_b1), phone="13900001001"),
        resident2=make_user(Role.RESIDENT, a1_b2, household=_home(a1_b2), phone="13900001002"),
        resident_a2=make_user(Role.RESIDENT, a2_b1, household=_home(a2_b1), phone="13900001003"),
        head=make_user(Role.BUILDING_HEAD, a1_b1, name="楼栋长甲"),
        head2=make_user(Role.BUILDING_HEAD, a1g2_b1, name="楼栋长乙"),
        head_a2=make_user(Role.BUILDING_HEAD, a2_b1, name="楼栋长丙"),
    )
    return ns


@pytest.fixture
def make_selection(sw):
    def make(kind=Kind.STAR_BUILDING, method=Method.COMBINED, title="2026年星级文明楼栋评选"):
        return services.create_selection(
            actor=sw.officer,
            place=sw.world.street_a,
            kind=kind,
            year=2026,
            title=title,
            method=method,
        )

    return make


def head_post(user):
    return user.posts.get(role=Role.BUILDING_HEAD) if hasattr(user, "posts") else None


@pytest.fixture
def voting(sw, make_selection):
    """A star-building selection in voting: two A1 buildings and one A2 building nominated,
    the officer and the secretary on the panel."""
    selection = make_selection()
    n1 = services.nominate(
        actor=sw.secretary, selection=selection, reasons="整洁", building=sw.a1_b1
    )
    n2 = services.nominate(
        actor=sw.secretary, selection=selection, reasons="和睦", building=sw.a1_b2
    )
    n3 = services.nominate(
        actor=sw.secretary_a2, selection=selection, reasons="示范", building=sw.a2_b1
    )
    services.set_panel(
        actor=sw.officer, selection=selection, member_ids=[sw.officer.pk, sw.secretary.pk]
    )
    services.set_stage(actor=sw.officer, selection=selection, step="open_voting")
    selection.refresh_from_db()
    assert selection.stage == Stage.VOTING
    return SimpleNamespace(selection=selection, n1=n1, n2=n2, n3=n3)


def fresh(nominee):
    return Nominee.objects.select_related("selection").get(pk=nominee.pk)
