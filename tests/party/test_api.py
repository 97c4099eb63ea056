"""The party API: scoped like the pages, masked phones, writes for party.edit holders only."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.party.models import Checkin, OrgKind, PartyMember, PartyOrg
from tests.conftest import make_user
from tests.party.conftest import first_household, make_member, make_org, make_resident


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _all(api, url):
    rows = []
    while url:
        body = api.get(url).json()
        rows += body["results"]
        url = body["next"]
    return rows


def test_org_list_is_scoped_with_counts(world, party):
    api = _api(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    rows = {r["name"]: r for r in _all(api, "/api/v1/party-orgs/")}
    assert set(rows) == {"珞南一社区大党委", "G01网格党支部", "1栋党小组"}
    branch = rows["G01网格党支部"]
    assert branch["kind"] == OrgKind.BRANCH
    assert branch["parent"] == party.committee.pk
    assert branch["place"] == world.grid_a1_1.pk
    assert (branch["member_count"], branch["in_service_count"], branch["child_count"]) == (1, 1, 1)


def test_members_api_masks_the_phone(world, party):
    resident = make_resident(first_household(world.grid_a1_2.buildings[0]), "王五", "13912345678")
    make_member(
        resident,
        party.branch,
        in_service=True,
        workplace="区税务局",
        workplace_org="区税务局机关党委",
    )
    api = _api(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    res = api.get("/api/v1/party-members/?in_service=true")
    assert "13912345678" not in res.content.decode()
    rows = {r["resident_name"]: r for r in res.json()["results"]}
    assert rows["王五"]["phone"] == "139****5678"
    assert rows["王五"]["workplace_org"] == "区税务局机关党委"
    assert "李四" not in rows  # community A2


@pytest.mark.parametrize(
    "role, place, status",
    [
        (Role.GRID_WORKER, "grid_a1_1", 404),
        (Role.BUILDING_HEAD, None, 404),
        (Role.COMMUNITY_WORKER, "community_a2", 404),
        (Role.COMMUNITY_WORKER, "community_a1", 200),
    ],
)
def test_detail_scope(world, party, role, place, status):
    anchor = world.grid_a1_1.buildings[0] if place is None else getattr(world, place)
    api = _api(make_user(role, anchor))
    assert api.get(f"/api/v1/party-orgs/{party.branch.pk}/").status_code == status
    assert api.get(f"/api/v1/party-members/{party.member.pk}/").status_code == status


def test_grid_worker_lists_are_empty(world, party):
    api = _api(make_user(Role.GRID_WORKER, world.grid_a1_1))
    assert _all(api, "/api/v1/party-orgs/") == []
    assert _all(api, "/api/v1/party-members/") == []
    assert _all(api, "/api/v1/checkins/") == []


def test_community_worker_cannot_write(world, party):
    api = _api(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    resident = make_resident(first_household(world.grid_a1_2.buildings[0]), "王五")
    assert (
        api.post(
            "/api/v1/party-orgs/",
            {
                "kind": "group",
                "name": "2栋党小组",
                "parent": party.branch.pk,
                "place": world.grid_a1_1.buildings[1].pk,
            },
            format="json",
        ).status_code
        == 403
    )
    assert (
        api.patch(
            f"/api/v1/party-orgs/{party.branch.pk}/", {"name": "x"}, format="json"
        ).status_code
        == 403
    )
    assert api.delete(f"/api/v1/party-orgs/{party.group.pk}/").status_code == 403
    assert (
        api.post(
            "/api/v1/party-members/",
            {
                "resident": resident.pk,
                "org": party.branch.pk,
            },
            format="json",
        ).status_code
        == 403
    )
    assert (
        api.patch(
            f"/api/v1/party-members/{party.member.pk}/", {"status": "probationary"}, format="json"
        ).status_code
        == 403
    )
    assert api.post(f"/api/v1/party-members/{party.member.pk}/end/").status_code == 403
    assert (
        api.post(
            "/api/v1/checkins/",
            {
                "member": party.member.pk,
                "community": world.community_a1.pk,
                "workplace_org": "x",
            },
            format="json",
        ).status_code
        == 403
    )
    assert PartyOrg.objects.count() == 5
    assert not PartyMember.objects.filter(resident=resident).exists()
    assert not Checkin.objects.exists()


def test_checkin_end_refused_without_the_right(world, party):
    checkin = Checkin.objects.create(
        member=party.member,
        community=world.community_a1,
        workplace_org="x",
        checked_in_on="2024-01-01",
        place_path=world.community_a1.path,
    )
    worker = _api(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    assert worker.get(f"/api/v1/checkins/{checkin.pk}/").status_code == 200
    assert worker.post(f"/api/v1/checkins/{checkin.pk}/end/").status_code == 403
    other = _api(make_user(Role.COMMUNITY_SECRETARY, world.community_a2))
    assert other.get(f"/api/v1/checkins/{checkin.pk}/").status_code == 404
    assert other.post(f"/api/v1/checkins/{checkin.pk}/end/").status_code == 404
    checkin.refresh_from_db()
    assert checkin.ended_on is None


def test_other_community_secretary_gets_404_on_writes(world, party):
    api = _api(make_user(Role.COMMUNITY_SECRETARY, world.community_a2))
    assert (
        api.patch(
            f"/api/v1/party-orgs/{party.branch.pk}/", {"name": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/v1/party-orgs/",
            {
                "kind": "group",
                "name": "越权",
                "parent": party.branch.pk,
                "place": world.grid_a1_1.buildings[1].pk,
            },
            format="json",
        ).status_code
        == 404
    )
    assert (
        api.post(
            "/api/v1/checkins/",
            {
                "member": party.member.pk,
                "community": world.community_a2.pk,
                "workplace_org": "x",
            },
            format="json",
        ).status_code
        == 404
    )


def test_secretary_writes_through_the_api(world, party):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    api = _api(user)
    res = api.post(
        "/api/v1/party-orgs/",
        {
            "kind": "group",
            "name": "2栋党小组",
            "parent": party.branch.pk,
            "place": world.grid_a1_1.buildings[1].pk,
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    group = res.json()
    assert group["member_count"] == 0 and group["parent"] == party.branch.pk
    bad = api.post(
        "/api/v1/party-orgs/",
        {
            "kind": "group",
            "name": "错组",
            "parent": party.committee.pk,
            "place": world.grid_a1_1.buildings[1].pk,
        },
        format="json",
    )
    assert bad.status_code == 400 and "parent" in bad.json()

    resident = make_resident(first_household(world.grid_a1_1.buildings[1]), "王五")
    res = api.post(
        "/api/v1/party-members/",
        {
            "resident": resident.pk,
            "org": group["id"],
            "joined_on": "2005-07-01",
            "in_service": True,
            "workplace": "区税务局",
            "workplace_org": "区税务局机关党委",
        },
        format="json",
    )
    assert res.status_code == 201, res.content
    member = res.json()
    again = api.post(
        "/api/v1/party-members/", {"resident": resident.pk, "org": party.branch.pk}, format="json"
    )
    assert again.status_code == 400

    res = api.patch(
        f"/api/v1/party-orgs/{group['id']}/", {"secretary": member["id"]}, format="json"
    )
    assert res.status_code == 200 and res.json()["secretary_name"] == "王五"
    res = api.patch(
        f"/api/v1/party-members/{member['id']}/", {"org": party.branch.pk}, format="json"
    )
    assert res.status_code == 200 and res.json()["org"] == party.branch.pk

    res = api.post(
        "/api/v1/checkins/",
        {"member": member["id"], "community": world.community_a1.pk},
        format="json",
    )
    assert res.status_code == 201, res.content
    checkin = res.json()
    assert checkin["workplace_org"] == "区税务局机关党委"
    dup = api.post(
        "/api/v1/checkins/",
        {"member": member["id"], "community": world.community_a1.pk},
        format="json",
    )
    assert dup.status_code == 400
    assert len(_all(api, "/api/v1/checkins/?open=true")) == 1
    res = api.post(f"/api/v1/checkins/{checkin['id']}/end/", {}, format="json")
    assert res.status_code == 200 and res.json()["ended_on"]
    assert _all(api, "/api/v1/checkins/?open=true") == []

    actions = set(AuditRecord.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert {
        "party_org.create",
        "party_member.add",
        "party_org.set_secretary",
        "party_member.move",
        "party_checkin.create",
        "party_checkin.end",
    } <= actions


def test_add_resident_outside_scope_is_404(world, party):
    api = _api(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    stranger = make_resident(first_household(world.grid_a2_1.buildings[1]), "外人")
    res = api.post(
        "/api/v1/party-members/", {"resident": stranger.pk, "org": party.branch.pk}, format="json"
    )
    assert res.status_code == 404


@pytest.mark.parametrize(
    "url", ["/api/v1/party-orgs/", "/api/v1/party-members/", "/api/v1/checkins/"]
)
def test_api_list_queries_do_not_grow(world, party, django_assert_max_num_queries, url):
    api = _api(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))

    def grow(n, tag):
        for i in range(n):
            group = make_org(
                OrgKind.GROUP, f"{tag}组{i}", world.grid_a1_1.buildings[1], party.branch
            )
            hh = first_household(world.grid_a1_1.buildings[1])
            m = make_member(make_resident(hh, f"{tag}员{i}"), group, in_service=True)
            Checkin.objects.create(
                member=m,
                community=world.community_a1,
                workplace_org="x",
                checked_in_on="2024-01-01",
                place_path=world.community_a1.path,
            )

    grow(2, "甲")
    with django_assert_max_num_queries(20) as small:
        assert api.get(url).status_code == 200
    grow(25, "乙")
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get(url).status_code == 200
