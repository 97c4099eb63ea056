"""Party fixtures: residents made directly (the people services are separate work) and a
small organisation tree on street A of the `world` fixture."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import crypto
from gongzhi.party.models import OrgKind, PartyMember, PartyOrg
from gongzhi.people.models import Membership, Relation, Resident
from gongzhi.people.pinyin import initials
from gongzhi.places.models import Household

_phones = itertools.count(13800000001)


def make_resident(household: Household, name: str, phone: str | None = None) -> Resident:
    phone = phone or str(next(_phones))
    encrypted, index, masked = crypto.protect("phone", phone)
    resident = Resident.objects.create(
        name=name,
        name_initials=initials(name),
        gender="M",
        household=household,
        relation=Relation.HEAD,
        place_path=household.place_path,
        phone_encrypted=encrypted,
        phone_index=index,
        phone_masked=masked,
    )
    Membership.objects.create(resident=resident, household=household, relation=Relation.HEAD)
    return resident


def make_org(kind, name, place, parent=None, household=None) -> PartyOrg:
    return PartyOrg.objects.create(
        kind=kind,
        name=name,
        place=place,
        parent=parent,
        household=household,
        place_path=place.path,
    )


def make_member(resident, org, **fields) -> PartyMember:
    return PartyMember.objects.create(
        resident=resident, org=org, place_path=org.place_path, **fields
    )


def first_household(place) -> Household:
    return Household.objects.filter(place_path__startswith=place.path).order_by("id").first()


@pytest.fixture
def party(world):
    """street A committee → A1 community committee → grid A1G1 branch → building 1 group."""
    g = world.grid_a1_1
    street = make_org(OrgKind.STREET_COMMITTEE, "珞南街道大工委", world.street_a)
    committee = make_org(
        OrgKind.COMMUNITY_COMMITTEE, "珞南一社区大党委", world.community_a1, street
    )
    branch = make_org(OrgKind.BRANCH, "G01网格党支部", g, committee)
    group = make_org(OrgKind.GROUP, "1栋党小组", g.buildings[0], branch)
    a2_committee = make_org(
        OrgKind.COMMUNITY_COMMITTEE, "珞南二社区大党委", world.community_a2, street
    )
    home = first_household(g.buildings[0])
    resident = make_resident(home, "张三丰")
    member = make_member(resident, branch, in_service=True, workplace="区教育局")
    a2_resident = make_resident(first_household(world.grid_a2_1.buildings[0]), "李四")
    a2_member = make_member(a2_resident, a2_committee)
    return SimpleNamespace(
        street=street,
        committee=committee,
        branch=branch,
        group=group,
        a2_committee=a2_committee,
        resident=resident,
        member=member,
        a2_resident=a2_resident,
        a2_member=a2_member,
    )
