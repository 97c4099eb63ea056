"""Mediation fixtures on `world`: committees of community A1, of street A and of the district;
a staff mediator (a community worker of A1) and a resident mediator (a party member of A1 with
a login); the logins of the privacy rule (a grid worker of the household's grid, a party member
of the same community who is not a mediator, staff of the neighbouring community)."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.mediation import services
from gongzhi.mediation.models import Case, DisputeType, MediatorKind, Source
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from tests.conftest import make_user

_n = itertools.count(1)
TODAY = dt.datetime(2026, 6, 1, 10, 0)


def resident(household: Household, name: str | None = None, user=None) -> Resident:
    return Resident.objects.create(
        name=name or f"居民{next(_n)}",
        name_initials="jm",
        gender="F",
        household=household,
        relation=Relation.OTHER,
        place_path=household.place_path,
        user=user,
    )


@pytest.fixture
def mw(world):
    clock.set_now(TODAY)
    grid = world.grid_a1_1
    homes = list(Household.objects.filter(place_path__startswith=grid.path).order_by("id"))
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="调解干事")
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    admin = make_user(Role.SYSTEM_ADMIN, world.district, name="管理员")
    member_user = make_user(Role.PARTY_MEMBER, world.community_a1, name="老党员")
    member = resident(homes[0], "老党员", user=member_user)
    outsider_member = make_user(Role.PARTY_MEMBER, world.community_a1, name="另一党员")
    committee = services.create_committee(world.community_a1, actor=secretary)
    street_committee = services.create_committee(world.street_a, actor=street)
    staff_mediator = services.add_mediator(
        committee, actor=secretary, kind=MediatorKind.WORKER, user=worker, specialties="邻里"
    )
    elder = services.add_mediator(
        committee, actor=secretary, kind=MediatorKind.ELDER, resident=member, specialties="家庭"
    )
    street_mediator = services.add_mediator(
        street_committee, actor=street, kind=MediatorKind.WORKER, user=street
    )
    return SimpleNamespace(
        world=world,
        homes=homes,
        secretary=secretary,
        worker=worker,
        street=street,
        admin=admin,
        member_user=member_user,
        member=member,
        outsider_member=outsider_member,
        grid_worker=make_user(Role.GRID_WORKER, grid, name="网格员"),
        other_grid_worker=make_user(Role.GRID_WORKER, world.grid_a1_2, name="二网格员"),
        worker_a2=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        resident_user=make_user(
            Role.RESIDENT, grid.buildings[0], household=homes[0], phone="13900000071"
        ),
        committee=committee,
        street_committee=street_committee,
        staff_mediator=staff_mediator,
        elder=elder,
        street_mediator=street_mediator,
    )


def open_case(mw, *, mediators=None, household="first", **fields) -> Case:
    values = {
        "source": Source.WALK_IN,
        "title": "楼上漏水纠纷",
        "summary": "楼上卫生间漏水，双方就维修费用协商不成。",
        "dispute_type": DisputeType.NEIGHBOUR,
    }
    values.update(fields)
    return services.open_case(
        mw.committee,
        actor=mw.secretary,
        household=mw.homes[0] if household == "first" else household,
        mediators=[mw.staff_mediator, mw.elder] if mediators is None else mediators,
        **values,
    )
