"""Structures of the party registry (issue 23 item 1, gongzhi/party): members of a big
committee with the part-time members from partner units (兼职委员: term, source unit), bodies
covered by a party organisation alone, jointly or by affiliation (单独建、联合建、挂靠建), and the
list of bodies without any organisation; pages and API with wrong roles and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from gongzhi.core.roles import Role
from gongzhi.party import selectors, services
from gongzhi.party.models import Body, CommitteeMember, OrgKind
from tests.conftest import make_user
from tests.party.conftest import make_org

pytestmark = pytest.mark.django_db

TERM = {"term_start": dt.date(2024, 1, 1), "term_end": dt.date(2028, 12, 31)}


def test_part_time_committee_member_names_the_source_unit(life):
    with pytest.raises(ValidationError):
        services.add_committee_member(
            life.committee, actor=life.cs, name="刘委员", part_time=True, **TERM
        )
    with pytest.raises(ValidationError):
        services.add_committee_member(
            life.committee,
            actor=life.cs,
            name="刘委员",
            term_start=dt.date(2028, 1, 1),
            term_end=dt.date(2024, 1, 1),
        )
    with pytest.raises(ValidationError):  # a branch has no big committee
        services.add_committee_member(life.branch, actor=life.cs, name="刘委员", **TERM)
    row = services.add_committee_member(
        life.committee,
        actor=life.cs,
        name="刘委员",
        part_time=True,
        source_unit="区供电公司",
        **TERM,
    )
    assert row.part_time and row.source_unit == "区供电公司"
    assert list(selectors.committee_members(life.cs, life.committee)) == [row]
    services.end_committee_member(row, actor=life.cs)
    assert list(selectors.committee_members(life.cs, life.committee)) == []
    assert list(selectors.committee_members(life.cs, life.committee, former=True)) == [row]
    with pytest.raises(ValidationError):
        services.end_committee_member(row, actor=life.cs)


def test_committee_constraints_hold_in_the_database(life):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMember.objects.create(
            org=life.committee,
            name="x",
            part_time=True,
            place_path=life.committee.place_path,
            **TERM,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Body.objects.create(
            community=life.world.community_a1,
            name="x",
            kind="firm",
            org=life.branch,
            place_path=life.world.community_a1.path,
        )


def test_committee_wrong_role_and_scope(life):
    with pytest.raises(PermissionDenied):
        services.add_committee_member(life.committee, actor=life.cw, name="刘", **TERM)
    with pytest.raises(Http404):
        services.add_committee_member(life.committee, actor=life.foreign_cs, name="刘", **TERM)
    assert not CommitteeMember.objects.exists()


def test_bodies_covered_alone_jointly_or_by_affiliation_and_the_unorganised_list(life):
    a1 = life.world.community_a1
    ngo = services.add_body(a1, actor=life.cs, name="夕阳红志愿者协会", kind="social_org")
    firm = services.add_body(a1, actor=life.cs, name="某物流公司", kind="firm", party_count=2)
    assert set(selectors.bodies_without_org(life.cs)) == {ngo, firm}
    services.set_body_org(firm, actor=life.cs, org=life.branch, setup_form="affiliated")
    services.add_body(
        a1, actor=life.cs, name="某超市", kind="firm", org=life.branch, setup_form="joint"
    )
    assert list(selectors.bodies_without_org(life.cs)) == [ngo]
    assert {b.setup_form for b in selectors.bodies_of(life.cs, life.branch)} == {
        "affiliated",
        "joint",
    }
    with pytest.raises(ValidationError):  # an organisation needs its form
        services.set_body_org(ngo, actor=life.cs, org=life.branch, setup_form="")
    with pytest.raises(ValidationError):  # a group does not cover bodies
        group = make_org(OrgKind.GROUP, "一组", life.world.grid_a1_1.buildings[0], life.branch)
        services.set_body_org(ngo, actor=life.cs, org=group, setup_form="single")
    with pytest.raises(ValidationError):  # same name twice in a community
        services.add_body(a1, actor=life.cs, name="某超市", kind="firm")
    with pytest.raises(ValidationError):  # a body sits in a community, not a grid
        services.add_body(life.world.grid_a1_1, actor=life.cs, name="新", kind="firm")
    with pytest.raises(PermissionDenied):
        services.add_body(a1, actor=life.cw, name="新", kind="firm")
    with pytest.raises(Http404):
        services.add_body(a1, actor=life.foreign_cs, name="新", kind="firm")
    assert selectors.bodies_without_org(life.foreign_cs).count() == 0


def test_another_communitys_branch_cannot_cover_a_body(life):
    foreign = make_org(OrgKind.COMMUNITY_COMMITTEE, "珞南二社区党委", life.world.community_a2)
    admin = make_user(Role.STREET_OFFICER, life.world.street_a)
    with pytest.raises(ValidationError):
        services.add_body(
            life.world.community_a1,
            actor=admin,
            name="某公司",
            kind="firm",
            org=foreign,
            setup_form="affiliated",
        )


# --------------------------------------------------------------------------- pages


def test_org_page_shows_committee_and_bodies_and_adds_a_part_time_member(life, client):
    client.force_login(life.cs)
    url = reverse("party:org", args=[life.committee.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="committee"' in page and 'data-testid="committee-add"' in page
    client.post(
        reverse("party:committee_add", args=[life.committee.pk]),
        {
            "name": "陈委员",
            "duty": "member",
            "part_time": "on",
            "source_unit": "区自来水公司",
            "term_start": "2024-01-01",
            "term_end": "2028-12-31",
        },
    )
    page = client.get(url).content.decode()
    assert "陈委员" in page and "区自来水公司" in page and "兼职" in page
    page = client.post(
        reverse("party:committee_add", args=[life.committee.pk]),
        {
            "name": "无单位",
            "duty": "member",
            "part_time": "on",
            **{k: str(v) for k, v in TERM.items()},
        },
        follow=True,
    ).content.decode()
    assert "无单位" not in page.split('data-testid="committee"')[1].split("</table>")[0]


def test_structure_pages_wrong_role(life, client):
    row = services.add_committee_member(life.committee, actor=life.cs, name="刘", **TERM)
    body = services.add_body(life.world.community_a1, actor=life.cs, name="协会", kind="social_org")
    client.force_login(life.cw)  # sees the registry, edits nothing: no forms, 403 on posts
    page = client.get(reverse("party:org", args=[life.committee.pk])).content.decode()
    assert 'data-testid="committee-add"' not in page and "committee_end" not in page
    assert "/committee/" not in page
    page = client.get(reverse("party:bodies")).content.decode()
    assert "协会" in page and 'data-testid="body-add"' not in page
    assert client.post(reverse("party:bodies"), {"name": "x"}).status_code == 404
    assert (
        client.post(reverse("party:committee_add", args=[life.committee.pk]), {}).status_code == 403
    )
    assert client.post(reverse("party:committee_end", args=[row.pk])).status_code == 403
    assert client.post(reverse("party:body_org", args=[body.pk]), {"org": ""}).status_code == 403
    client.force_login(life.foreign_cs)
    assert client.post(reverse("party:committee_end", args=[row.pk])).status_code == 404
    assert "协会" not in client.get(reverse("party:bodies")).content.decode()
    client.force_login(make_user(Role.GRID_WORKER, life.world.grid_a1_1))
    assert client.get(reverse("party:bodies")).status_code in (403, 404)
    assert CommitteeMember.objects.get().ended_on is None


def test_bodies_page_lists_many_in_bounded_queries_and_records_a_cover(
    life, client, django_assert_max_num_queries
):
    for i in range(13):
        services.add_body(life.world.community_a1, actor=life.cs, name=f"企业{i}", kind="firm")
    client.force_login(life.cs)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("party:bodies"))
    assert page.content.decode().count('data-testid="body-row"') == 13
    body = Body.objects.get(name="企业0")
    client.post(
        reverse("party:body_org", args=[body.pk]), {"org": life.branch.pk, "setup_form": "joint"}
    )
    body.refresh_from_db()
    assert body.org_id == life.branch.pk and body.setup_form == "joint"
    page = client.get(reverse("party:org", args=[life.branch.pk])).content.decode()
    assert "企业0" in page.split('data-testid="bodies"')[1]


def test_unorganised_elsewhere_hook_rows_are_shown(life, client):
    def provider(user):
        return [("业委会、物业企业未建党组织", "/estates/compliance/?tab=orgs", 3)]

    selectors.add_unorganised_provider(provider)
    try:
        client.force_login(life.cs)
        page = client.get(reverse("party:bodies")).content.decode()
        assert "/estates/compliance/?tab=orgs" in page and "业委会、物业企业未建党组织" in page
    finally:
        selectors._elsewhere.remove(provider)


# --------------------------------------------------------------------------- API


def test_structures_api_wrong_role_scope_and_malformed(life, client):
    client.force_login(life.cw)
    body = {
        "org": life.committee.pk,
        "name": "刘",
        "term_start": "2024-01-01",
        "term_end": "2028-12-31",
    }
    assert (
        client.post(
            "/api/v1/party-committee-members/", body, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(life.foreign_cs)
    assert (
        client.post(
            "/api/v1/party-committee-members/", body, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(life.cs)
    for bad in (
        {"org": "x"},
        {**body, "term_start": "nope"},
        {**body, "org": 2**40},
        {**body, "part_time": True},
    ):
        assert (
            client.post(
                "/api/v1/party-committee-members/", bad, content_type="application/json"
            ).status_code
            == 400
        )
    r = client.post(
        "/api/v1/party-committee-members/",
        {**body, "part_time": True, "source_unit": "区税务局"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert (
        client.post(
            f"/api/v1/party-committee-members/{pk}/end/", {}, content_type="application/json"
        ).status_code
        == 200
    )
    r = client.post(
        "/api/v1/party-bodies/",
        {"community": life.world.community_a1.pk, "name": "某协会", "kind": "social_org"},
        content_type="application/json",
    )
    assert r.status_code == 201
    bid = r.json()["id"]
    rows = client.get("/api/v1/party-bodies/?unorganised=1").json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [x["id"] for x in rows] == [bid]
    assert (
        client.post(
            f"/api/v1/party-bodies/{bid}/org/", {"org": "x"}, content_type="application/json"
        ).status_code
        == 400
    )
    r = client.post(
        f"/api/v1/party-bodies/{bid}/org/",
        {"org": life.branch.pk, "setup_form": "affiliated"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["setup_form"] == "affiliated"
    client.force_login(life.cw)
    assert (
        client.post(
            f"/api/v1/party-bodies/{bid}/org/", {"org": None}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(life.foreign_cs)
    assert client.get(f"/api/v1/party-bodies/{bid}/").status_code == 404
    client.force_login(life.member_user)  # a party member's post has no party.view
    assert client.get("/api/v1/party-bodies/").status_code in (403, 404)
