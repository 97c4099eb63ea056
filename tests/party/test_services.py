"""Party services: tree rules, members, secretaries, check-ins, audit records."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.party import services
from gongzhi.party.models import Checkin, OrgKind, PartyMember, PartyOrg
from tests.conftest import make_user
from tests.party.conftest import first_household, make_resident


@pytest.fixture
def secretary(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1)


@pytest.fixture
def street_officer(world):
    return make_user(Role.STREET_OFFICER, world.street_a)


def _last(action):
    return AuditRecord.objects.filter(action=action).order_by("-id").first()


# --- Tree rules --------------------------------------------------------------------


def test_group_cannot_sit_under_a_community_committee(world, party, secretary):
    with pytest.raises(ValidationError) as err:
        services.create_org(
            actor=secretary,
            kind=OrgKind.GROUP,
            name="2栋党小组",
            parent=party.committee,
            place=world.grid_a1_1.buildings[1],
        )
    assert "parent" in err.value.message_dict
    assert not PartyOrg.objects.filter(name="2栋党小组").exists()


def test_branch_must_be_bound_to_a_grid_or_estate(world, party, secretary):
    with pytest.raises(ValidationError) as err:
        services.create_org(
            actor=secretary,
            kind=OrgKind.BRANCH,
            name="楼栋支部",
            parent=party.committee,
            place=world.grid_a1_1.buildings[1],
        )
    assert "place" in err.value.message_dict


def test_branch_must_lie_in_the_parent_community(world, party, street_officer):
    # Grid A2G1 is in community A2, not under A1's committee.
    with pytest.raises(ValidationError) as err:
        services.create_org(
            actor=street_officer,
            kind=OrgKind.BRANCH,
            name="越界支部",
            parent=party.committee,
            place=world.grid_a2_1,
        )
    assert "place" in err.value.message_dict


def test_branch_on_an_estate_under_the_committee(world, party, secretary):
    org = services.create_org(
        actor=secretary,
        kind=OrgKind.BRANCH,
        name="小区党支部",
        parent=party.committee,
        place=world.grid_a1_2.estate,
    )
    assert org.place_path == world.grid_a1_2.estate.path
    record = _last("party_org.create")
    assert record.target_id == str(org.pk)
    assert record.post_id == secretary.posts.get().pk
    assert record.changes["name"] == [None, "小区党支部"]


def test_street_committee_is_a_root(world, street_officer, party):
    with pytest.raises(ValidationError):
        services.create_org(
            actor=street_officer,
            kind=OrgKind.COMMUNITY_COMMITTEE,
            name="无上级",
            parent=None,
            place=world.community_a1,
        )


def test_member_household_is_bound_to_its_building(world, party, secretary):
    household = first_household(world.grid_a1_1.buildings[0])
    org = services.create_org(
        actor=secretary,
        kind=OrgKind.MEMBER_HOUSEHOLD,
        name="张家党员中心户",
        parent=party.group,
        household=household,
    )
    assert org.place_id == world.grid_a1_1.buildings[0].pk
    assert org.household_id == household.pk
    with pytest.raises(ValidationError):  # one party-member household per household
        services.create_org(
            actor=secretary,
            kind=OrgKind.MEMBER_HOUSEHOLD,
            name="另一户",
            parent=party.group,
            household=household,
        )


def test_member_household_of_another_building_refused(world, party, secretary):
    other = first_household(world.grid_a1_1.buildings[1])
    with pytest.raises(ValidationError):
        services.create_org(
            actor=secretary,
            kind=OrgKind.MEMBER_HOUSEHOLD,
            name="别处中心户",
            parent=party.group,
            household=other,
        )


def test_duplicate_name_refused_in_chinese(world, party, secretary):
    with pytest.raises(ValidationError) as err:
        services.create_org(
            actor=secretary,
            kind=OrgKind.BRANCH,
            name="G01网格党支部",
            parent=party.committee,
            place=world.grid_a1_1,
        )
    assert "name" in err.value.message_dict


def test_create_requires_party_edit(world, party):
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    with pytest.raises(PermissionDenied):
        services.create_org(
            actor=worker,
            kind=OrgKind.BRANCH,
            name="工作者建的",
            parent=party.committee,
            place=world.grid_a1_2,
        )
    other = make_user(Role.COMMUNITY_SECRETARY, world.community_b1)
    with pytest.raises(Http404):
        services.create_org(
            actor=other,
            kind=OrgKind.BRANCH,
            name="别人建的",
            parent=party.committee,
            place=world.grid_a1_2,
        )


def test_rename_and_delete_if_empty(world, party, secretary):
    services.rename_org(party.group, "1栋红色党小组", actor=secretary)
    party.group.refresh_from_db()
    assert party.group.name == "1栋红色党小组"
    assert _last("party_org.rename").changes == {"name": ["1栋党小组", "1栋红色党小组"]}
    with pytest.raises(ValidationError):  # has a child
        services.delete_org(party.branch, actor=secretary)
    with pytest.raises(ValidationError):  # has a member
        services.delete_org(party.committee, actor=secretary)
    pk = party.group.pk
    services.delete_org(party.group, actor=secretary)
    assert not PartyOrg.objects.filter(pk=pk).exists()
    assert _last("party_org.delete").target_id == str(pk)


def test_secretary_must_be_a_member_of_the_org(world, party, secretary):
    with pytest.raises(ValidationError):
        services.set_secretary(
            party.committee, party.member, actor=secretary
        )  # member of the branch
    services.set_secretary(party.branch, party.member, actor=secretary)
    party.branch.refresh_from_db()
    assert party.branch.secretary_id == party.member.pk
    assert _last("party_org.set_secretary").changes == {"secretary": [None, "张三丰"]}


# --- Members ----------------------------------------------------------------------


def test_add_member_once_per_resident(world, party, secretary):
    resident = make_resident(first_household(world.grid_a1_2.buildings[0]), "王五")
    member = services.add_member(
        actor=secretary, org=party.branch, resident=resident, joined_on=dt.date(2001, 7, 1)
    )
    assert member.place_path == party.branch.place_path
    assert _last("party_member.add").changes["org"] == [None, "G01网格党支部"]
    with pytest.raises(ValidationError) as err:
        services.add_member(actor=secretary, org=party.group, resident=resident)
    assert "resident" in err.value.message_dict
    assert PartyMember.objects.filter(resident=resident).count() == 1


def test_add_member_needs_a_resident_in_view_scope(world, party, secretary):
    # A resident of community A2 is outside a community-A1 secretary's resident.view scope.
    with pytest.raises(Http404):
        services.add_member(
            actor=secretary,
            org=party.branch,
            resident=make_resident(first_household(world.grid_a2_1.buildings[1]), "赵六"),
        )


def test_future_joining_date_refused(world, party, secretary):
    resident = make_resident(first_household(world.grid_a1_2.buildings[0]), "钱七")
    with pytest.raises(ValidationError):
        services.add_member(
            actor=secretary,
            org=party.branch,
            resident=resident,
            joined_on=clock.today() + dt.timedelta(days=1),
        )


def test_move_member_keeps_path_and_clears_secretary(world, party, secretary):
    services.set_secretary(party.branch, party.member, actor=secretary)
    services.move_member(party.member, party.group, actor=secretary)
    party.member.refresh_from_db()
    party.branch.refresh_from_db()
    assert party.member.org_id == party.group.pk
    assert party.member.place_path == party.group.place_path
    assert party.branch.secretary_id is None
    assert _last("party_member.move").changes["org"] == ["G01网格党支部", "1栋党小组"]


def test_move_to_an_org_outside_edit_scope_refused(world, party, secretary):
    with pytest.raises(Http404):
        services.move_member(party.member, party.a2_committee, actor=secretary)


def test_end_membership_and_rejoin(world, party, secretary):
    services.set_secretary(party.branch, party.member, actor=secretary)
    services.record_checkin(
        party.member, actor=secretary, community=world.community_a1, workplace_org="区教育局党委"
    )
    services.end_membership(party.member, actor=secretary, reason="组织关系转出")
    party.member.refresh_from_db()
    party.branch.refresh_from_db()
    assert not party.member.is_active
    assert party.branch.secretary_id is None
    assert not Checkin.objects.filter(member=party.member, ended_on__isnull=True).exists()
    assert _last("party_member.end").reason == "组织关系转出"
    again = services.add_member(actor=secretary, org=party.group, resident=party.resident)
    assert again.pk == party.member.pk and again.is_active and again.org_id == party.group.pk


# --- Check-ins --------------------------------------------------------------------


def test_one_open_checkin_per_community(world, party, secretary):
    c = services.record_checkin(
        party.member,
        actor=secretary,
        community=world.community_a1,
        workplace_org="区教育局党委",
        checked_in_on=dt.date(2024, 3, 1),
    )
    assert c.place_path == world.community_a1.path
    with pytest.raises(ValidationError) as err:
        services.record_checkin(
            party.member,
            actor=secretary,
            community=world.community_a1,
            workplace_org="区教育局党委",
        )
    assert "community" in err.value.message_dict
    services.end_checkin(c, dt.date(2024, 6, 1), actor=secretary)
    c.refresh_from_db()
    assert c.ended_on == dt.date(2024, 6, 1)
    assert _last("party_checkin.end").changes == {"ended_on": [None, "2024-06-01"]}
    with pytest.raises(ValidationError):  # already ended
        services.end_checkin(c, actor=secretary)
    # Once ended, a new check-in to the same community is allowed.
    services.record_checkin(
        party.member, actor=secretary, community=world.community_a1, workplace_org="区教育局党委"
    )
    assert Checkin.objects.filter(member=party.member).count() == 2


def test_checkin_cannot_end_before_it_began(world, party, secretary):
    c = services.record_checkin(
        party.member,
        actor=secretary,
        community=world.community_a1,
        workplace_org="x",
        checked_in_on=dt.date(2024, 3, 1),
    )
    with pytest.raises(ValidationError):
        services.end_checkin(c, dt.date(2024, 2, 1), actor=secretary)


def test_checkin_only_for_in_service_members(world, party, street_officer):
    with pytest.raises(ValidationError):
        services.record_checkin(
            party.a2_member, actor=street_officer, community=world.community_a2, workplace_org="x"
        )


def test_checkin_needs_a_workplace_org(world, party, secretary):
    with pytest.raises(ValidationError) as err:
        services.record_checkin(party.member, actor=secretary, community=world.community_a1)
    assert "workplace_org" in err.value.message_dict
    services.update_member(party.member, actor=secretary, workplace_org="区教育局党委")
    party.member.refresh_from_db()
    c = services.record_checkin(party.member, actor=secretary, community=world.community_a1)
    assert c.workplace_org == "区教育局党委"
    assert c.checked_in_on == clock.today()


def test_audit_changes_never_hold_a_phone(world, party, secretary):
    resident = make_resident(first_household(world.grid_a1_2.buildings[0]), "孙八", "13912345678")
    services.add_member(actor=secretary, org=party.branch, resident=resident, in_service=True)
    for record in AuditRecord.objects.all():
        assert "13912345678" not in str(record.changes)
        assert "13912345678" not in record.target_repr
