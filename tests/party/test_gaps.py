"""Gaps in the organisation (buildings without a group, grids without a branch, communities
without a committee) and building heads."""

from __future__ import annotations

from gongzhi.core.roles import Role
from gongzhi.party import selectors, services
from gongzhi.party.models import OrgKind
from tests.conftest import make_user
from tests.party.conftest import make_org


def _names(place, kind):
    return {p.name for p in selectors.gap_places(place, kind)}


def test_building_without_a_group_appears_until_one_is_added(world, party):
    g1 = world.grid_a1_1
    b1, b2 = g1.buildings
    gaps = set(selectors.gap_places(world.community_a1, "building"))
    assert b1 not in gaps  # 1栋 has its group
    assert b2 in gaps
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    services.create_org(
        actor=secretary, kind=OrgKind.GROUP, name="2栋党小组", parent=party.branch, place=b2
    )
    assert b2 not in set(selectors.gap_places(world.community_a1, "building"))


def test_group_on_an_estate_covers_its_buildings(world, party):
    g2 = world.grid_a1_2
    branch = make_org(OrgKind.BRANCH, "G02支部", g2, party.committee)
    assert g2.buildings[0] in set(selectors.gap_places(world.community_a1, "building"))
    make_org(OrgKind.GROUP, "小区党小组", g2.estate, branch)
    gaps = set(selectors.gap_places(world.community_a1, "building"))
    assert g2.buildings[0] not in gaps  # stands in the estate
    assert g2.buildings[1] in gaps  # stands directly in the grid


def test_grid_without_a_branch(world, party):
    assert set(selectors.gap_places(world.community_a1, "grid")) == {world.grid_a1_2}
    # A branch on an estate in the grid covers the grid.
    make_org(OrgKind.BRANCH, "小区支部", world.grid_a1_2.estate, party.committee)
    assert not selectors.gap_places(world.community_a1, "grid").exists()


def test_general_branch_on_the_community_does_not_cover_grids(world, party):
    make_org(OrgKind.GENERAL_BRANCH, "社区党总支", world.community_a1, party.committee)
    assert world.grid_a1_2 in set(selectors.gap_places(world.community_a1, "grid"))


def test_communities_without_a_committee(world, party):
    assert set(selectors.gap_places(world.street_a, "community")) == set()
    assert set(selectors.gap_places(world.street_b, "community")) == {world.community_b1}
    counts = selectors.gap_counts(world.street_b)
    assert counts == {"community": 1, "grid": 1, "building": 2}


def test_building_heads_and_party_membership(world, party):
    b1, b2 = world.grid_a1_1.buildings
    head = make_user(Role.BUILDING_HEAD, b1, name="楼长甲")
    head.posts.create(role=Role.PARTY_MEMBER, place=world.community_a1)
    make_user(Role.BUILDING_HEAD, b2, name="楼长乙")
    buildings = list(selectors.buildings_with_groups(world.grid_a1_1))
    heads = selectors.building_heads(buildings)
    assert heads[b1.pk] == [{"name": "楼长甲", "is_party_member": True}]
    assert heads[b2.pk] == [{"name": "楼长乙", "is_party_member": False}]
    groups = {b.pk: b.group_name for b in buildings}
    assert groups == {b1.pk: "1栋党小组", b2.pk: None}
