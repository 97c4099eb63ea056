"""Pages and API: every page renders, the shares show, refusals reach the page, wrong roles
get 404 (another community) or 403 (a resident), lists answer in a bounded number of queries,
malformed ids and bodies give 400/404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.estates import services
from gongzhi.estates.models import OwnersCommittee, PropertyCompany, Term
from gongzhi.places.models import Place
from tests.conftest import make_place
from tests.estates.conftest import GOOD_CODE, party_member, resident

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def body(ew):
    committee = services.create_committee(ew.estate, actor=ew.secretary)
    term = services.add_term(
        committee,
        actor=ew.secretary,
        number=1,
        starts_on=D(2025, 1, 1),
        ends_on=D(2029, 12, 31),
        seats=5,
    )
    for i, p in enumerate([*ew.party[:2], *ew.others[:2]]):
        services.add_member(term, actor=ew.secretary, resident=p, is_chair=i == 0)
    clist = services.create_candidate_list(committee, actor=ew.secretary, title="第二届候选人")
    for p in [*ew.party[:3], *ew.others[:2]]:
        services.add_candidate(clist, actor=ew.secretary, resident=p)
    company = services.add_company(
        ew.world.community_a1, actor=ew.secretary, name="楚天物业", credit_code=GOOD_CODE
    )
    services.add_contract(
        company,
        ew.estate,
        actor=ew.secretary,
        starts_on=D(2025, 1, 1),
        ends_on=D(2027, 12, 31),
        fee_yuan_per_m2="1.80",
    )
    services.add_supervisor(
        ew.world.community_a1, actor=ew.secretary, resident=ew.others[5], since=D(2026, 1, 1)
    )
    return committee, term, clist, company


def _pages(committee, company):
    return [
        reverse("estates:index"),
        reverse("estates:committee", args=[committee.pk]),
        reverse("estates:supervision"),
        reverse("estates:companies"),
        reverse("estates:company", args=[company.pk]),
        reverse("estates:compliance"),
        reverse("estates:compliance") + "?tab=orgs",
        reverse("estates:compliance") + "?tab=vacancies",
    ]


@pytest.mark.parametrize("who", ["secretary", "worker", "street"])
def test_every_page_renders(ew, body, login, who):
    committee, _t, _l, company = body
    client = login(getattr(ew, who))
    for url in _pages(committee, company):
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_committee_page_shows_both_shares(ew, body, login):
    committee = body[0]
    page = login(ew.secretary).get(reverse("estates:committee", args=[committee.pk]))
    text = page.content.decode()
    # Members: 2 of 4 (50 %), the chair a party member; candidates 3 of 5 (60 %).
    assert "4人中党员2人（50.0%）" in text and "002 §三(一)4" in text
    assert "5人中党员3人（60.0%）" in text and "000 §五" in text
    assert "未达要求" not in text


def test_an_unset_key_shows_not_set_by_the_local_policy(ew, body, login):
    ew.world.district.policy_profile = "no-keys"
    ew.world.district.save()
    page = login(ew.secretary).get(reverse("estates:committee", args=[body[0].pk]))
    assert "本地政策未规定" in page.content.decode()


def test_a_refusal_reaches_the_page_in_chinese(ew, body, login):
    _c, term, _l, _co = body
    client = login(ew.secretary)
    response = client.post(
        reverse("estates:member_add", args=[term.pk]), {"resident": ew.outside.pk}, follow=True
    )
    assert "不是" in response.content.decode() and "小区居民" in response.content.decode()
    response = client.post(
        reverse("estates:companies"),
        {
            "place": ew.world.community_a1.pk,
            "name": "错码物业",
            "credit_code": "91350100M000100Y44",
        },
        follow=True,
    )
    assert "校验码不正确" in response.content.decode()
    assert not PropertyCompany.objects.filter(name="错码物业").exists()


def test_the_street_files_a_term_from_the_page(ew, body, login):
    _c, term, _l, _co = body
    response = login(ew.street).post(
        reverse("estates:term_file", args=[term.pk]),
        {"filed_on": "2026-05-20", "filing_ref": "珞南备〔2026〕1号"},
        follow=True,
    )
    assert response.status_code == 200
    term.refresh_from_db()
    assert term.filing_ref == "珞南备〔2026〕1号"


def test_a_secretary_records_a_term_and_a_member_through_the_pages(ew, login, body):
    committee = body[0]
    client = login(ew.secretary)
    services.end_term_early(
        Term.objects.get(committee=committee),
        actor=ew.secretary,
        ended_on=D(2026, 1, 31),
        reason="换届",
    )
    client.post(
        reverse("estates:term_add", args=[committee.pk]),
        {"number": 2, "starts_on": "2026-02-01", "ends_on": "2031-01-31", "seats": 5},
    )
    term = Term.objects.get(committee=committee, number=2)
    client.post(
        reverse("estates:member_add", args=[term.pk]),
        {"resident": ew.party[0].pk, "is_chair": "on"},
    )
    assert term.members.get().is_chair


@pytest.mark.parametrize("name", ["committee", "company"])
def test_a_worker_of_another_community_gets_404_and_a_resident_403(ew, body, login, name):
    committee, _t, _l, company = body
    url = reverse(f"estates:{name}", args=[(committee if name == "committee" else company).pk])
    assert login(ew.worker_a2).get(url).status_code == 404
    assert login(ew.resident_user).get(url).status_code == 403
    assert login(ew.resident_user).get(reverse("estates:index")).status_code == 403


def test_writes_of_the_wrong_role_are_refused(ew, body, login):
    committee, term, clist, _co = body
    a2 = login(ew.worker_a2)
    assert a2.post(reverse("estates:list_finalise", args=[clist.pk])).status_code == 404
    worker = login(ew.worker)
    assert worker.post(reverse("estates:list_review", args=[clist.pk])).status_code == 403
    assert (
        worker.post(
            reverse("estates:term_file", args=[term.pk]),
            {"filed_on": "2026-05-20", "filing_ref": "x"},
        ).status_code
        == 403
    )


def _many(ew, n=13):
    """n estates with a committee each (one of them short), and n companies."""
    grid = ew.world.grid_a1_1
    codes = iter(
        f"{base}{services.rules.credit_check_char(base)}"
        for base in (f"91420111MA4K{i:04d}X" for i in range(100))
    )
    for i in range(n):
        estate = make_place(grid, "estate", f"第{i}小区", f"EX{i}")
        building = make_place(estate, "building", "1栋", "B1")
        home = building.households.create(unit_no="1", room_no="101", place_path=building.path)
        committee = services.create_committee(estate, actor=ew.secretary)
        term = services.add_term(
            committee,
            actor=ew.secretary,
            number=1,
            starts_on=D(2025, 1, 1),
            ends_on=D(2029, 12, 31),
            seats=3,
        )
        people = [resident(home) for _ in range(2)]
        party_member(people[0], ew.org)
        for j, p in enumerate(people):
            services.add_member(term, actor=ew.secretary, resident=p, is_chair=j == (i % 2))
        company = services.add_company(
            ew.world.community_a1, actor=ew.secretary, name=f"物业{i}", credit_code=next(codes)
        )
        services.add_contract(
            company,
            estate,
            actor=ew.secretary,
            starts_on=D(2025, 1, 1),
            ends_on=D(2027, 1, 1),
            fee_yuan_per_m2="1",
        )
    services.add_supervisor(
        ew.world.community_a1, actor=ew.secretary, resident=ew.others[0], since=D(2026, 1, 1)
    )


def test_lists_answer_in_a_bounded_number_of_queries(ew, login, django_assert_max_num_queries):
    _many(ew)
    assert OwnersCommittee.objects.count() >= 12
    client = login(ew.street)
    urls = [
        reverse("estates:index"),
        reverse("estates:companies"),
        reverse("estates:supervision"),
        reverse("estates:compliance"),
        reverse("estates:compliance") + "?tab=orgs",
        reverse("estates:compliance") + "?tab=vacancies",
        "/api/v1/owners-committees/",
        "/api/v1/property-companies/",
    ]
    for url in urls:
        with django_assert_max_num_queries(25):
            response = client.get(url)
        assert response.status_code == 200, url
    short = client.get(reverse("estates:compliance")).content.decode()
    assert short.count("主任不是党员") >= 6  # the odd estates chose the non-member as chair


# --------------------------------------------------------------------------- API


@pytest.fixture
def api(ew):
    def _as(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _as


def test_api_committee_shows_shares_and_scopes(ew, body, api):
    committee = body[0]
    data = api(ew.secretary).get(f"/api/v1/owners-committees/{committee.pk}/").json()
    assert data["shares"]["members"]["party"] == 2 and data["shares"]["members"]["ok"]
    assert data["shares"]["candidates"]["percent"] == "60.0"
    assert api(ew.worker_a2).get(f"/api/v1/owners-committees/{committee.pk}/").status_code == 404
    assert api(ew.resident_user).get("/api/v1/owners-committees/").status_code == 403


def test_api_malformed_ids_and_bodies(ew, body, api):
    committee, term, clist, company = body
    client = api(ew.secretary)
    assert client.get("/api/v1/owners-committees/abc/").status_code == 404
    assert client.get("/api/v1/property-companies/999999/").status_code == 404
    bad_bodies = [
        (f"/api/v1/owners-committees/{committee.pk}/terms/", {"number": "x"}),
        (f"/api/v1/owners-committees/{committee.pk}/terms/", ["not", "an", "object"]),
        (f"/api/v1/committee-terms/{term.pk}/members/", {"resident": "abc"}),
        (f"/api/v1/committee-terms/{term.pk}/members/", {"resident": ew.outside.pk}),
        ("/api/v1/property-companies/", {"place": ew.world.community_a1.pk, "name": "x"}),
        (
            "/api/v1/property-companies/",
            {"place": ew.world.community_a1.pk, "name": "x", "credit_code": "123"},
        ),
        (f"/api/v1/property-companies/{company.pk}/contracts/", {"estate": "e"}),
        (
            f"/api/v1/property-companies/{company.pk}/contracts/",
            {
                "estate": ew.estate.pk,
                "starts_on": "2030-01-01",
                "ends_on": "2029-01-01",
                "fee_yuan_per_m2": "1",
            },
        ),
    ]
    for url, data in bad_bodies:
        response = client.post(url, data, format="json")
        assert response.status_code == 400, (url, data, response.content)


def test_api_finalise_refused_when_short_and_filing_only_by_the_street(ew, body, api):
    _c, term, clist, _co = body
    services.add_candidate(clist, actor=ew.secretary, resident=ew.others[3])  # 3 of 6: 50 %
    services.review_list(clist, actor=ew.secretary)
    response = api(ew.secretary).post(f"/api/v1/candidate-lists/{clist.pk}/finalise/")
    assert response.status_code == 400 and "000 §五" in response.json()["detail"]
    assert (
        api(ew.secretary)
        .post(
            f"/api/v1/committee-terms/{term.pk}/file/",
            {"filed_on": "2026-05-01", "filing_ref": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    response = api(ew.street).post(
        f"/api/v1/committee-terms/{term.pk}/file/",
        {"filed_on": "2026-05-01", "filing_ref": "备1"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["filed_on"] == "2026-05-01"


def test_api_creates_a_company_and_a_contract(ew, api):
    client = api(ew.secretary)
    response = client.post(
        "/api/v1/property-companies/",
        {"place": ew.world.community_a1.pk, "name": "楚天物业", "credit_code": GOOD_CODE},
        format="json",
    )
    assert response.status_code == 201 and response.json()["party_members"] == 0
    pk = response.json()["id"]
    response = client.post(
        f"/api/v1/property-companies/{pk}/contracts/",
        {
            "estate": ew.estate.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2028-12-31",
            "fee_yuan_per_m2": "2.10",
        },
        format="json",
    )
    assert response.status_code == 201
    other = api(ew.worker_a2).post(
        f"/api/v1/property-companies/{pk}/contracts/",
        {
            "estate": Place.objects.get(pk=ew.world.grid_a2_1.estate.pk).pk,
            "starts_on": "2026-01-01",
            "ends_on": "2028-12-31",
            "fee_yuan_per_m2": "2.10",
        },
        format="json",
    )
    assert other.status_code == 404  # not visible to community A2 before a contract there
