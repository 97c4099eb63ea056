"""A1 community committee → branch on grid A1G1 (secretary 王书记, members 张党员 and 12 more)
and a second branch on grid A1G2 (member 李党员); users linked to their resident records."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.party.models import OrgKind
from tests.conftest import make_user
from tests.party.conftest import first_household, make_member, make_org, make_resident


def _member_user(resident, community):
    user = make_user(Role.PARTY_MEMBER, community, name=resident.name)
    resident.user = user
    resident.save(update_fields=["user"])
    return user


@pytest.fixture
def life(world):
    clock.set_now(dt.datetime(2026, 2, 10, 9, 0, tzinfo=dt.UTC))
    a1 = world.community_a1
    committee = make_org(OrgKind.COMMUNITY_COMMITTEE, "珞南一社区党委", a1)
    branch = make_org(OrgKind.BRANCH, "G01网格党支部", world.grid_a1_1, committee)
    other = make_org(OrgKind.BRANCH, "G02网格党支部", world.grid_a1_2, committee)
    home = first_household(world.grid_a1_1.buildings[0])
    sec_res = make_resident(home, "王书记")
    secretary = make_member(sec_res, branch)
    branch.secretary = secretary
    branch.save(update_fields=["secretary"])
    mem_res = make_resident(home, "张党员")
    member = make_member(mem_res, branch)
    oth_res = make_resident(first_household(world.grid_a1_2.buildings[0]), "李党员")
    outsider = make_member(oth_res, other)
    return SimpleNamespace(
        world=world,
        committee=committee,
        branch=branch,
        other=other,
        secretary=secretary,
        member=member,
        outsider=outsider,
        secretary_user=_member_user(sec_res, a1),
        member_user=_member_user(mem_res, a1),
        outsider_user=_member_user(oth_res, a1),
        cs=make_user(Role.COMMUNITY_SECRETARY, a1),
        cw=make_user(Role.COMMUNITY_WORKER, a1),
        foreign_cs=make_user(Role.COMMUNITY_SECRETARY, world.community_b1),
    )
