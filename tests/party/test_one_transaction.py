"""A change of several things at once is one service in one transaction (issue 11): when its
second half is refused, its first half is not written either — neither the row nor its audit
record. Through the API (PATCH), the page and the services themselves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.party import services
from gongzhi.party.models import MemberStatus, OrgKind, PartyMember, PartyOrg
from tests.conftest import make_user
from tests.party.conftest import first_household, make_member, make_org, make_resident


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _actions(user) -> set[str]:
    return set(AuditRecord.objects.filter(actor_id=user.pk).values_list("action", flat=True))


@pytest.fixture
def secretary(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1)


@pytest.fixture
def member_household(world, party):
    """A party-member household under the building group: it holds no members itself, so a
    move into it is refused."""
    building = world.grid_a1_1.buildings[0]
    return make_org(
        OrgKind.MEMBER_HOUSEHOLD,
        "党员中心户",
        building,
        party.group,
        household=first_household(building),
    )


def test_member_patch_with_a_refused_move_writes_nothing(world, party, secretary, member_household):
    assert party.member.status == MemberStatus.FULL
    res = _api(secretary).patch(
        f"/api/v1/party-members/{party.member.pk}/",
        {"status": MemberStatus.PROBATIONARY, "workplace": "区税务局", "org": member_household.pk},
        format="json",
    )
    assert res.status_code == 400 and "org" in res.json()
    member = PartyMember.objects.get(pk=party.member.pk)
    assert member.status == MemberStatus.FULL  # the update (first half) rolled back too
    assert member.workplace == "区教育局"
    assert member.org_id == party.branch.pk
    assert _actions(secretary) == set()


def test_member_patch_applies_both_halves_together(world, party, secretary):
    group = party.group
    res = _api(secretary).patch(
        f"/api/v1/party-members/{party.member.pk}/",
        {"status": MemberStatus.PROBATIONARY, "org": group.pk},
        format="json",
    )
    assert res.status_code == 200, res.content
    assert res.json()["org"] == group.pk and res.json()["status"] == MemberStatus.PROBATIONARY
    assert {"party_member.update", "party_member.move"} <= _actions(secretary)


def test_org_patch_with_a_refused_secretary_keeps_the_old_name(world, party, secretary):
    # The member belongs to the branch, not to the group: the group's secretary is refused.
    res = _api(secretary).patch(
        f"/api/v1/party-orgs/{party.group.pk}/",
        {"name": "一栋党小组", "secretary": party.member.pk},
        format="json",
    )
    assert res.status_code == 400 and "secretary" in res.json()
    group = PartyOrg.objects.get(pk=party.group.pk)
    assert group.name == "1栋党小组"  # the rename (first half) rolled back too
    assert group.secretary_id is None
    assert _actions(secretary) == set()


def test_org_patch_applies_both_halves_together(world, party, secretary):
    res = _api(secretary).patch(
        f"/api/v1/party-orgs/{party.branch.pk}/",
        {"name": "G01网格第一党支部", "secretary": party.member.pk},
        format="json",
    )
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["name"] == "G01网格第一党支部" and body["secretary_name"] == "张三丰"
    assert {"party_org.rename", "party_org.set_secretary"} <= _actions(secretary)


def test_org_edit_page_with_a_refused_secretary_keeps_the_old_name(
    world, party, secretary, login, monkeypatch
):
    client = login(secretary)

    def refuse(org, member, *, actor):
        raise ValidationError({"secretary": "refused"})

    # The page offers only valid secretaries; a refusal (e.g. a member moved meanwhile) is
    # simulated in the module that calls it.
    monkeypatch.setattr(services, "set_secretary", refuse)
    res = client.post(
        f"/party/orgs/{party.branch.pk}/edit/",
        {"name": "G01网格第一党支部", "secretary": party.member.pk},
    )
    assert res.status_code == 400
    assert PartyOrg.objects.get(pk=party.branch.pk).name == "G01网格党支部"
    assert _actions(secretary) == set()


def test_change_member_rolls_back_the_update_when_the_move_fails(
    world, party, secretary, monkeypatch
):
    def fail(member, org, *, actor):
        raise RuntimeError("the second half fails")

    monkeypatch.setattr(services, "move_member", fail)
    with pytest.raises(RuntimeError):
        services.change_member(
            party.member, actor=secretary, org=party.group, in_service=False, workplace=""
        )
    member = PartyMember.objects.get(pk=party.member.pk)
    assert member.in_service is True and member.workplace == "区教育局"
    assert not AuditRecord.objects.filter(action="party_member.update").exists()


def test_change_org_rolls_back_the_rename_when_the_secretary_fails(
    world, party, secretary, monkeypatch
):
    def fail(org, member, *, actor):
        raise RuntimeError("the second half fails")

    monkeypatch.setattr(services, "set_secretary", fail)
    with pytest.raises(RuntimeError):
        services.change_org(party.branch, actor=secretary, name="新名字", secretary=None)
    assert PartyOrg.objects.get(pk=party.branch.pk).name == "G01网格党支部"
    assert not AuditRecord.objects.filter(action="party_org.rename").exists()


def test_change_member_without_a_move_only_updates(world, party, secretary):
    other = make_member(
        make_resident(first_household(world.grid_a1_1.buildings[1]), "王五"), party.branch
    )
    member = services.change_member(other, actor=secretary, status=MemberStatus.PROBATIONARY)
    assert member.status == MemberStatus.PROBATIONARY and member.org_id == party.branch.pk
    assert not AuditRecord.objects.filter(action="party_member.move").exists()
