"""Party pages: tree, gaps, organisation, member, in-service list; permissions; query counts."""

from __future__ import annotations

import itertools

import pytest

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.party.models import Checkin, OrgKind, PartyMember, PartyOrg
from tests.conftest import make_households, make_place, make_user
from tests.party.conftest import first_household, make_member, make_org, make_resident


@pytest.fixture
def secretary(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1)


@pytest.fixture
def worker(world):
    return make_user(Role.COMMUNITY_WORKER, world.community_a1)


def test_tree_shows_roots_counts_and_gaps(world, party, client):
    client.force_login(make_user(Role.STREET_OFFICER, world.street_a))
    body = client.get("/party/").content.decode()
    assert "珞南街道大工委" in body
    # Only 1栋 of A1G1 has a group: the other 5 buildings of street A are gaps.
    assert 'data-testid="gap-building">5<' in body
    assert 'data-testid="gap-grid">2<' in body  # A1G2, A2G1
    assert 'data-testid="gap-community">0<' in body
    assert f"/party/gaps/{world.street_a.pk}/" in body


def test_tree_children_fragment(world, party, client, secretary):
    client.force_login(secretary)
    body = client.get(f"/party/orgs/{party.committee.pk}/children/").content.decode()
    assert "G01网格党支部" in body
    assert "珞南二社区大党委" not in body


def test_community_secretary_tree_starts_at_the_committee(world, party, client, secretary):
    client.force_login(secretary)
    body = client.get("/party/").content.decode()
    assert "珞南一社区大党委" in body
    assert "珞南街道大工委" not in body  # bound to the street: outside the scope
    assert "珞南二社区大党委" not in body


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # Pages without an object: 403 for a missing right (the one page gate, issue 11
        # point 6; these answered 404 before). Object pages stay 404 outside the read scope.
        ("/party/", 403),
        ("/party/in-service/", 403),
        ("/party/orgs/{branch}/", 404),
        ("/party/orgs/{branch}/children/", 404),
        ("/party/members/{member}/", 404),
        ("/party/gaps/{community}/", 404),
    ],
)
def test_grid_worker_without_party_view_is_refused(world, party, client, url, expected):
    client.force_login(make_user(Role.GRID_WORKER, world.grid_a1_1))
    url = url.format(
        branch=party.branch.pk, member=party.member.pk, community=world.community_a1.pk
    )
    assert client.get(url).status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        "/party/orgs/{branch}/",
        "/party/orgs/{branch}/children/",
        "/party/members/{member}/",
        "/party/gaps/{community}/",
    ],
)
def test_other_community_gets_404_own_community_gets_200(world, party, client, worker, url):
    url = url.format(
        branch=party.branch.pk, member=party.member.pk, community=world.community_a1.pk
    )
    client.force_login(worker)
    assert client.get(url).status_code == 200
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a2))
    assert client.get(url).status_code == 404


def test_community_worker_can_view_but_not_edit(world, party, client, worker):
    client.force_login(worker)
    page = client.get(f"/party/orgs/{party.branch.pk}/").content.decode()
    assert f"/party/orgs/{party.branch.pk}/edit/" not in page
    resident = make_resident(first_household(world.grid_a1_2.buildings[0]), "王五")
    posts = {
        f"/party/orgs/{party.branch.pk}/edit/": {"name": "改名"},
        f"/party/orgs/{party.group.pk}/delete/": {},
        f"/party/orgs/new/?parent={party.branch.pk}": {"kind": "group", "name": "x"},
        f"/party/orgs/{party.branch.pk}/members/add/": {"resident": resident.pk, "status": "full"},
        f"/party/members/{party.member.pk}/edit/": {"status": "probationary"},
        f"/party/members/{party.member.pk}/move/": {"org": party.group.pk},
        f"/party/members/{party.member.pk}/end/": {},
        f"/party/members/{party.member.pk}/checkins/": {
            "community": world.community_a1.pk,
            "workplace_org": "x",
        },
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 403, url
    assert client.get(f"/party/orgs/{party.branch.pk}/edit/").status_code == 403
    assert PartyOrg.objects.filter(pk=party.group.pk).exists()
    assert not PartyMember.objects.filter(resident=resident).exists()
    assert not Checkin.objects.exists()
    assert not AuditRecord.objects.filter(action__startswith="party").exists()


def test_community_worker_cannot_end_a_checkin(world, party, client, worker):
    checkin = Checkin.objects.create(
        member=party.member,
        community=world.community_a1,
        workplace_org="区教育局党委",
        checked_in_on="2024-01-01",
        place_path=world.community_a1.path,
    )
    client.force_login(worker)
    assert client.post(f"/party/checkins/{checkin.pk}/end/", {}).status_code == 403
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a2))
    assert client.post(f"/party/checkins/{checkin.pk}/end/", {}).status_code == 404
    checkin.refresh_from_db()
    assert checkin.ended_on is None


def test_secretary_creates_renames_and_deletes(world, party, client, secretary):
    client.force_login(secretary)
    form = client.get(f"/party/orgs/new/?parent={party.branch.pk}")
    assert form.status_code == 200
    b2 = world.grid_a1_1.buildings[1]
    res = client.post(
        "/party/orgs/new/",
        {"parent": party.branch.pk, "kind": "group", "name": "2栋党小组", "place": b2.pk},
    )
    assert res.status_code == 302
    org = PartyOrg.objects.get(name="2栋党小组")
    assert org.parent_id == party.branch.pk and org.place_id == b2.pk
    res = client.post(f"/party/orgs/{org.pk}/edit/", {"name": "2栋红色党小组", "secretary": ""})
    assert res.status_code == 302
    org.refresh_from_db()
    assert org.name == "2栋红色党小组"
    assert client.post(f"/party/orgs/{org.pk}/delete/").status_code == 302
    assert not PartyOrg.objects.filter(pk=org.pk).exists()


def test_create_with_a_wrong_place_shows_the_error(world, party, client, secretary):
    client.force_login(secretary)
    res = client.post(
        "/party/orgs/new/",
        {
            "parent": party.committee.pk,
            "kind": "branch",
            "name": "错支部",
            "place": world.grid_a1_1.buildings[1].pk,
        },
    )
    # The building is not among the choices for a committee's children: the form refuses it.
    assert res.status_code == 400
    assert not PartyOrg.objects.filter(name="错支部").exists()


def test_secretary_of_another_community_cannot_reach_the_branch(world, party, client):
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a2))
    assert client.post(f"/party/orgs/{party.branch.pk}/edit/", {"name": "越权"}).status_code == 404
    assert client.get(f"/party/orgs/new/?parent={party.branch.pk}").status_code == 404
    party.branch.refresh_from_db()
    assert party.branch.name == "G01网格党支部"


def test_add_member_by_initials_and_masked_phone(world, party, client, secretary):
    resident = make_resident(first_household(world.grid_a1_2.buildings[0]), "王小明", "13912345678")
    client.force_login(secretary)
    body = client.get(f"/party/orgs/{party.branch.pk}/?q=wxm").content.decode()
    assert "王小明" in body and "139****5678" in body
    assert "13912345678" not in body
    res = client.post(
        f"/party/orgs/{party.branch.pk}/members/add/",
        {"resident": resident.pk, "status": "full", "joined_on": "2010-07-01"},
    )
    assert res.status_code == 302
    member = PartyMember.objects.get(resident=resident)
    detail = client.get(f"/party/members/{member.pk}/").content.decode()
    assert "139****5678" in detail and "13912345678" not in detail
    # Already a member: no longer offered, and adding again is refused with a message.
    again = client.post(
        f"/party/orgs/{party.group.pk}/members/add/", {"resident": resident.pk, "status": "full"}
    )
    assert again.status_code == 400
    assert PartyMember.objects.filter(resident=resident).count() == 1


def test_add_member_outside_resident_scope_is_404(world, party, client, secretary):
    stranger = make_resident(first_household(world.grid_b1_1.buildings[0]), "外人")
    client.force_login(secretary)
    res = client.post(
        f"/party/orgs/{party.branch.pk}/members/add/", {"resident": stranger.pk, "status": "full"}
    )
    assert res.status_code == 404
    assert not PartyMember.objects.filter(resident=stranger).exists()


def test_checkin_page_flow(world, party, client, secretary):
    client.force_login(secretary)
    url = f"/party/members/{party.member.pk}/checkins/"
    data = {
        "community": world.community_a1.pk,
        "workplace_org": "区教育局党委",
        "checked_in_on": "2024-03-01",
    }
    assert client.post(url, data).status_code == 302
    again = client.post(url, data)
    assert again.status_code == 400
    assert "已" in again.content.decode() or "already" in again.content.decode()
    checkin = Checkin.objects.get()
    assert (
        client.post(f"/party/checkins/{checkin.pk}/end/", {"ended_on": "2024-05-01"}).status_code
        == 302
    )
    checkin.refresh_from_db()
    assert str(checkin.ended_on) == "2024-05-01"


def test_in_service_filters(world, party, client, secretary):
    Checkin.objects.create(
        member=party.member,
        community=world.community_a1,
        workplace_org="区教育局党委",
        checked_in_on="2024-01-01",
        place_path=world.community_a1.path,
    )
    other = make_member(
        make_resident(first_household(world.grid_a1_2.buildings[0]), "钱晓峰"),
        party.branch,
        in_service=True,
    )
    client.force_login(secretary)
    open_ = client.get("/party/in-service/?status=open").content.decode()
    assert "张三丰" in open_ and other.resident.name not in open_
    none = client.get("/party/in-service/?status=none").content.decode()
    assert "张三丰" not in none and "钱晓峰" in none
    by_a1 = client.get(f"/party/in-service/?community={world.community_a1.pk}").content.decode()
    assert "张三丰" in by_a1
    # Another street's community is not offered, and asking for it filters nothing in.
    outside = client.get(f"/party/in-service/?community={world.community_b1.pk}")
    assert world.community_b1.name not in outside.content.decode()


def test_gaps_page_lists_and_links(world, party, client, secretary):
    client.force_login(secretary)
    b2 = world.grid_a1_1.buildings[1]
    body = client.get(f"/party/gaps/{world.community_a1.pk}/?tab=building").content.decode()
    assert f"/places/{b2.pk}/" in body
    grids = client.get(f"/party/gaps/{world.community_a1.pk}/?tab=grid").content.decode()
    assert f"/places/{world.grid_a1_2.pk}/" in grids
    assert f"/places/{world.grid_a1_1.pk}/" not in grids
    make_user(Role.BUILDING_HEAD, b2, name="楼长乙")
    heads = client.get(f"/party/gaps/{world.community_a1.pk}/?tab=heads").content.decode()
    assert "楼长乙" in heads and "1栋党小组" in heads
    assert client.get(f"/party/gaps/{world.grid_a1_1.pk}/").status_code == 404


# --- Query counts -----------------------------------------------------------------


_codes = itertools.count()


def _grow(world, party, n):
    """n more groups with a member household each, residents, in-service members, check-ins."""
    grid = world.grid_a1_1
    for _ in range(n):
        i = next(_codes)
        b = make_place(grid, "building", f"{i + 3}栋", f"X{i}")
        hh = make_households(b, 2)
        group = make_org(OrgKind.GROUP, f"{i + 3}栋党小组", b, party.branch)
        make_org(OrgKind.MEMBER_HOUSEHOLD, f"{i + 3}栋中心户", b, group, household=hh[0])
        m = make_member(make_resident(hh[0], f"党员{i}"), group, in_service=True)
        make_member(make_resident(hh[1], f"党员乙{i}"), party.branch)
        Checkin.objects.create(
            member=m,
            community=world.community_a1,
            workplace_org="单位党委",
            checked_in_on="2024-01-01",
            place_path=world.community_a1.path,
        )
        make_user(Role.BUILDING_HEAD, b)


@pytest.mark.parametrize(
    "url",
    [
        "/party/",
        "/party/orgs/{branch}/",
        "/party/orgs/{branch}/children/",
        "/party/in-service/",
        "/party/gaps/{community}/?tab=building",
        "/party/gaps/{community}/?tab=heads",
    ],
)
def test_page_queries_do_not_grow(world, party, client, django_assert_max_num_queries, url):
    user = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    client.force_login(user)
    url = url.format(branch=party.branch.pk, community=world.community_a1.pk)
    _grow(world, party, 2)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    _grow(world, party, 25)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
