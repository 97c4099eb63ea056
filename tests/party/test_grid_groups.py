"""Party groups built on grids (seed 001 §1 把党小组建在网格上) and the gap rule that follows the
effective policy profile: under a profile that sets `party.group_per_grid` to 1 a grid asks for a
party group (a branch on it also covers it); elsewhere it asks for a branch (seed 000 §一,
003 §三(一)1)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from gongzhi.core import profiles
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.party import selectors, services
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.places.models import Place
from tests.conftest import make_user
from tests.party.conftest import make_org

GROUP_RULE = (
    "source: 001_5ec5a89cad8c6552.txt\ntitle: groups on grids\n"
    "party:\n  group_per_grid: 1  # 001 §1: 把党小组建在网格上\n"
)


@pytest.fixture
def group_rule(profile_dir):
    """A profile `groups` that asks for a party group on every grid."""
    (profile_dir / "groups.yaml").write_text(GROUP_RULE)
    profiles.clear_cache()
    assert profiles.get("groups").ok, profiles.get("groups").errors
    return "groups"


def _set(place, name):
    Place.objects.filter(pk=place.pk).update(policy_profile=name)


def _grid_gaps(place):
    return set(selectors.gap_places(Place.objects.get(pk=place.pk), "grid"))


@pytest.fixture
def community_branch(world, party):
    """The community's own branch (社区党支部), which leads the groups on its grids."""
    return make_org(OrgKind.BRANCH, "珞南一社区党支部", world.community_a1, party.committee)


def test_a_party_group_can_be_bound_to_a_grid(world, party, community_branch):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    org = services.create_org(
        actor=secretary,
        kind=OrgKind.GROUP,
        name="第二网格党小组",
        parent=community_branch,
        place=world.grid_a1_2,
    )
    assert (org.place_id, org.parent_id, org.place_path) == (
        world.grid_a1_2.pk,
        community_branch.pk,
        world.grid_a1_2.path,
    )
    assert AuditRecord.objects.filter(action="party_org.create", target_id=str(org.pk)).exists()


def test_a_group_on_a_grid_still_needs_a_branch_above_it(world, party):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    with pytest.raises(ValidationError) as error:
        services.create_org(
            actor=secretary,
            kind=OrgKind.GROUP,
            name="无支部党小组",
            parent=party.committee,
            place=world.grid_a1_2,
        )
    assert "parent" in error.value.message_dict
    assert not PartyOrg.objects.filter(name="无支部党小组").exists()


def test_a_group_cannot_be_bound_to_a_community(world, party, community_branch):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    with pytest.raises(ValidationError) as error:
        services.create_org(
            actor=secretary,
            kind=OrgKind.GROUP,
            name="社区党小组",
            parent=community_branch,
            place=world.community_a1,
        )
    assert "place" in error.value.message_dict


def test_group_on_grid_through_the_page_and_the_api(world, party, community_branch, client):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    client.force_login(secretary)
    form = client.get(f"/party/orgs/new/?parent={community_branch.pk}")
    assert form.status_code == 200
    assert f'value="{world.grid_a1_2.pk}"' in form.content.decode()  # a grid is a choice
    res = client.post(
        "/party/orgs/new/",
        {
            "parent": community_branch.pk,
            "kind": "group",
            "name": "第二网格党小组",
            "place": world.grid_a1_2.pk,
        },
    )
    assert res.status_code == 302
    assert PartyOrg.objects.get(name="第二网格党小组").place_id == world.grid_a1_2.pk
    api = APIClient()
    api.force_authenticate(secretary)
    res = api.post(
        "/api/v1/party-orgs/",
        {
            "kind": "group",
            "name": "第一网格党小组",
            "parent": community_branch.pk,
            "place": world.grid_a1_1.pk,
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    worker = APIClient()
    worker.force_authenticate(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    res = worker.post(
        "/api/v1/party-orgs/",
        {
            "kind": "group",
            "name": "越权",
            "parent": community_branch.pk,
            "place": world.grid_a1_2.pk,
        },
        format="json",
    )
    assert res.status_code == 403
    assert not PartyOrg.objects.filter(name="越权").exists()


def test_under_a_group_rule_a_grid_asks_for_a_group(world, party, community_branch, group_rule):
    _set(world.district, group_rule)
    # A1G1 has a branch on it (a branch covers the grid); A1G2 has nothing.
    assert _grid_gaps(world.community_a1) == {world.grid_a1_2}
    make_org(OrgKind.GROUP, "第二网格党小组", world.grid_a1_2, community_branch)
    assert _grid_gaps(world.community_a1) == set()
    assert selectors.wants_group_per_grid(profiles.get(group_rule))


def test_without_the_rule_a_group_on_a_grid_is_not_a_branch(world, party, community_branch):
    make_org(OrgKind.GROUP, "第二网格党小组", world.grid_a1_2, community_branch)
    _set(world.district, "wuhan-east-lake")  # the estate-branch rule of seed 000 §一
    assert _grid_gaps(world.community_a1) == {world.grid_a1_2}
    _set(world.district, "")  # no profile at all: the same rule
    assert _grid_gaps(world.community_a1) == {world.grid_a1_2}


def test_a_building_group_does_not_cover_its_grid(world, party, group_rule):
    _set(world.district, group_rule)
    b_branch = make_org(OrgKind.BRANCH, "G02小区支部", world.grid_a1_2.estate, party.committee)
    make_org(OrgKind.GROUP, "2栋党小组", world.grid_a1_2.buildings[0], b_branch)
    # The estate branch covers A1G2 (a branch covers it under either rule).
    assert world.grid_a1_2 not in _grid_gaps(world.community_a1)
    b_branch.children.all().delete()
    b_branch.delete()
    assert world.grid_a1_2 in _grid_gaps(world.community_a1)


def test_each_grid_follows_its_own_effective_profile(world, party, community_branch, group_rule):
    """A district with two rules below it: street A asks for groups, community A2 (nearer)
    for branches; street B names no profile."""
    _set(world.street_a, group_rule)
    _set(world.community_a2, "wuhan-east-lake")
    make_org(OrgKind.GROUP, "A1第二网格党小组", world.grid_a1_2, community_branch)
    a2_branch = make_org(OrgKind.BRANCH, "A2社区党支部", world.community_a2, party.a2_committee)
    make_org(OrgKind.GROUP, "A2网格党小组", world.grid_a2_1, a2_branch)
    make_org(OrgKind.GROUP, "B1网格党小组", world.grid_b1_1, _b1_branch(world, party))
    gaps = _grid_gaps(world.district)
    assert world.grid_a1_2 not in gaps  # group rule: its group covers it
    assert world.grid_a2_1 in gaps  # branch rule (nearest profile): a group does not
    assert world.grid_b1_1 in gaps  # no profile: branch rule
    counts = selectors.gap_counts(Place.objects.get(pk=world.district.pk))
    assert counts["grid"] == len(gaps)


def _b1_branch(world, party):
    committee = make_org(OrgKind.COMMUNITY_COMMITTEE, "关山一社区党委", world.community_b1)
    return make_org(OrgKind.BRANCH, "关山一社区党支部", world.community_b1, committee)


def test_gap_page_counts_follow_the_rule(world, party, community_branch, group_rule, client):
    _set(world.district, group_rule)
    make_org(OrgKind.GROUP, "第二网格党小组", world.grid_a1_2, community_branch)
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    res = client.get(f"/party/gaps/{world.community_a1.pk}/?tab=grid")
    assert res.status_code == 200
    assert res.context["counts"]["grid"] == 0


def test_compliance_shows_groups_on_grids(world, party, community_branch, group_rule, client):
    from gongzhi.places import compliance

    assert compliance.party_provider() is selectors.grid_coverage  # installed when the app loads
    community = Place.objects.get(pk=world.community_a1.pk)
    _set(world.district, "wuhan-east-lake")
    check = next(
        c for c in compliance.community_report(community).checks if c.key == "party.group_per_grid"
    )
    assert check.status == compliance.Status.NOT_SET  # a profile that does not set the rule
    _set(world.district, group_rule)
    check = next(
        c for c in compliance.community_report(community).checks if c.key == "party.group_per_grid"
    )
    assert (check.status, check.actual, check.required) == (compliance.Status.SHORT, 1, 2)
    assert check.missing == [world.grid_a1_2.name]
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    body = client.get(f"/compliance/{community.pk}/").content.decode()
    assert 'data-testid="missing-party.group_per_grid"' in body
    make_org(OrgKind.GROUP, "第二网格党小组", world.grid_a1_2, community_branch)
    data = client.get(f"/api/v1/compliance/{community.pk}/").json()
    row = next(c for c in data["checks"] if c["key"] == "party.group_per_grid")
    assert (row["status"], row["missing"]) == ("ok", [])
    assert {g["party_org"] for g in data["grids"]} == {"branch", "group"}


def test_the_compliance_page_and_the_gap_list_name_the_same_grids(
    world, party, community_branch, group_rule
):
    """Both pages read one definition of a covered grid (`party.selectors`): under the group
    rule, the grids the compliance check misses are exactly the grid gaps."""
    from gongzhi.places import compliance

    _set(world.district, group_rule)
    community = Place.objects.get(pk=world.community_a1.pk)
    g2 = world.grid_a1_2
    estate_branch = make_org(OrgKind.BRANCH, "G02小区支部", g2.estate, party.committee)
    make_org(OrgKind.GROUP, "2栋党小组", g2.buildings[0], estate_branch)

    def missing():
        report = compliance.community_report(community)
        return set(next(c for c in report.checks if c.key == "party.group_per_grid").missing)

    def gaps():
        return {grid.name for grid in _grid_gaps(community)}

    assert missing() == gaps() == set()  # A1G1: its branch; A1G2: the estate branch
    PartyOrg.objects.filter(parent=estate_branch).delete()
    estate_branch.delete()
    assert missing() == gaps() == {g2.name}
    make_org(OrgKind.GROUP, "第二网格党小组", g2, community_branch)
    assert missing() == gaps() == set()
