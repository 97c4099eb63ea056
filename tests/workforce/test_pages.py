"""Pages and API: render, personal data hidden from a grid worker (page and API), wrong roles get
403 (a resident) or 404 (another community), bounded queries with 12+ rows, bad input 400/404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.workforce.models import CommitteeKind, CommitteeSeat, CommitteeTerm, Worker
from tests.workforce.conftest import add, seat, term

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def staffed(wf):
    workers = [add(wf, p, education="bachelor", monthly_pay_yuan="3888.00") for p in wf.people[:12]]
    t = term(wf, CommitteeKind.PARTY, seats=5)
    seat(wf, t, workers[0], "secretary")
    seat(wf, t, workers[1])
    # the grid worker's own record
    me = wf.people[11]
    me.user = wf.grid
    me.save()
    return workers


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_pages_render_for_the_secretary(wf, staffed, login):
    client = login(wf.secretary)
    for url in (
        reverse("workforce:index"),
        reverse("workforce:index") + f"?community={wf.community.pk}&kind=community_worker&q=工作",
        reverse("workforce:worker", args=[staffed[0].pk]),
        reverse("workforce:community", args=[wf.community.pk]),
        reverse("workforce:compliance"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("workforce:index")).content.decode()
    assert "3888.00" in page and "420111********1234" in page
    community = client.get(reverse("workforce:community", args=[wf.community.pk])).content.decode()
    assert 'data-testid="term-form"' in community and 'data-key="committees.each_min_members"' in (
        community
    )


def test_grid_worker_sees_colleagues_without_id_or_pay(wf, staffed, login):
    client = login(wf.grid)
    page = client.get(reverse("workforce:index")).content.decode()
    assert staffed[0].resident.name in page
    assert page.count("3888.00") == 1  # only their own row
    detail = client.get(reverse("workforce:worker", args=[staffed[0].pk])).content.decode()
    assert "3888.00" not in detail and "420111********1234" not in detail
    own = client.get(reverse("workforce:worker", args=[staffed[11].pk])).content.decode()
    assert "3888.00" in own
    community = client.get(reverse("workforce:community", args=[wf.community.pk])).content.decode()
    assert 'data-testid="term-form"' not in community and "worker-form" not in community


def test_grid_worker_api_has_no_personal_fields_of_colleagues(wf, staffed):
    api = _api(wf.grid)
    rows = api.get("/api/v1/workforce-workers/").json()["results"]
    assert len(rows) == 12
    others = [r for r in rows if r["id"] != staffed[11].pk]
    assert all("monthly_pay_yuan" not in r and "id_masked" not in r for r in others)
    mine = next(r for r in rows if r["id"] == staffed[11].pk)
    assert mine["monthly_pay_yuan"] == "3888.00"
    one = api.get(f"/api/v1/workforce-workers/{staffed[0].pk}/").json()
    assert "monthly_pay_yuan" not in one and "age" not in one
    street = _api(wf.street).get(f"/api/v1/workforce-workers/{staffed[0].pk}/").json()
    assert street["monthly_pay_yuan"] == "3888.00" and street["age"] == 30


def test_grid_worker_cannot_write_page_or_api(wf, staffed, login):
    client = login(wf.grid)
    response = client.post(
        reverse("workforce:community", args=[wf.community.pk]),
        {
            "form": "term",
            "kind": "party",
            "number": 2,
            "elected_on": "2026-01-01",
            "ends_on": "2031-01-01",
            "method": "two_recommend",
            "seats": 5,
        },
    )
    assert response.status_code == 403
    response = client.post(
        reverse("workforce:worker_leave", args=[staffed[0].pk]),
        {"left_on": "2026-05-01", "reason": "x"},
    )
    assert response.status_code == 403
    api = _api(wf.grid)
    assert (
        api.post(
            f"/api/v1/workforce-communities/{wf.community.pk}/terms/",
            {
                "kind": "party",
                "number": 2,
                "elected_on": "2026-01-01",
                "ends_on": "2031-01-01",
                "method": "two_recommend",
                "seats": 5,
            },
            format="json",
        ).status_code
        == 403
    )
    assert (
        api.post(
            f"/api/v1/workforce-workers/{staffed[0].pk}/leave/",
            {"left_on": "2026-05-01", "reason": "x"},
            format="json",
        ).status_code
        == 403
    )
    assert CommitteeTerm.objects.count() == 1 and Worker.objects.filter(left_on=None).count() == 12


def test_resident_gets_403_page_and_api(wf, staffed, login):
    client = login(wf.resident_user)
    assert client.get(reverse("workforce:index")).status_code == 403
    assert client.get(reverse("workforce:compliance")).status_code == 403
    assert _api(wf.resident_user).get("/api/v1/workforce-workers/").status_code == 403


def test_other_community_gets_404_page_and_api(wf, staffed, login):
    client = login(wf.worker_a2)
    assert client.get(reverse("workforce:worker", args=[staffed[0].pk])).status_code == 404
    assert client.get(reverse("workforce:community", args=[wf.community.pk])).status_code == 404
    api = _api(wf.worker_a2)
    assert api.get(f"/api/v1/workforce-workers/{staffed[0].pk}/").status_code == 404
    assert api.get("/api/v1/workforce-workers/").json()["count"] == 0
    assert (
        api.post(
            "/api/v1/workforce-workers/",
            {
                "community": wf.community.pk,
                "resident": wf.people[0].pk,
                "kind": "grid_worker",
                "started_on": "2020-01-01",
            },
            format="json",
        ).status_code
        == 404
    )


def test_roster_and_api_bounded_queries(wf, staffed, login, django_assert_max_num_queries):
    client = login(wf.secretary)
    with django_assert_max_num_queries(30):
        assert client.get(reverse("workforce:index")).status_code == 200
    api = _api(wf.secretary)
    with django_assert_max_num_queries(12):
        assert len(api.get("/api/v1/workforce-workers/").json()["results"]) == 12
    with django_assert_max_num_queries(30):
        assert client.get(reverse("workforce:compliance")).status_code == 200


def test_add_worker_term_seat_through_the_pages(wf, login):
    client = login(wf.secretary)
    url = reverse("workforce:community", args=[wf.community.pk])
    response = client.post(
        url,
        {
            "form": "worker",
            "resident": wf.people[0].pk,
            "kind": "secretary",
            "started_on": "2021-01-01",
            "education": "master",
            "monthly_pay_yuan": "4200",
        },
    )
    assert response.status_code == 302
    worker = Worker.objects.get()
    assert worker.monthly_pay_fen == 420000
    client.post(
        url,
        {
            "form": "term",
            "kind": "party",
            "number": 1,
            "elected_on": "2024-01-01",
            "ends_on": "2029-01-01",
            "method": "two_recommend",
            "seats": 5,
        },
    )
    t = CommitteeTerm.objects.get()
    client.post(
        url,
        {
            "form": "seat",
            "term": t.pk,
            "worker": worker.pk,
            "role": "secretary",
            "joined_on": "2024-01-01",
        },
    )
    s = CommitteeSeat.objects.get()
    assert s.role == "secretary"
    client.post(reverse("workforce:seat_end", args=[s.pk]), {"left_on": "2026-01-01"})
    s.refresh_from_db()
    assert s.left_on == D(2026, 1, 1)


def test_a_refusal_reaches_the_page(wf, login):
    client = login(wf.secretary)
    url = reverse("workforce:community", args=[wf.community.pk])
    response = client.post(
        url,
        {
            "form": "term",
            "kind": "residents",
            "number": 1,
            "elected_on": "2024-01-01",
            "ends_on": "2029-01-01",
            "method": "two_recommend",
            "seats": 5,
        },
        follow=True,
    )
    assert "社区居委会由居民直接选举产生" in response.content.decode()  # the page is in Chinese
    assert not CommitteeTerm.objects.exists()


def test_api_writes(wf):
    api = _api(wf.secretary)
    made = api.post(
        "/api/v1/workforce-workers/",
        {
            "community": wf.community.pk,
            "resident": wf.people[0].pk,
            "kind": "community_worker",
            "started_on": "2020-01-01",
            "monthly_pay_yuan": "3000.00",
            "education": "college",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["monthly_pay_yuan"] == "3000.00"
    t = api.post(
        f"/api/v1/workforce-communities/{wf.community.pk}/terms/",
        {
            "kind": "party",
            "number": 1,
            "elected_on": "2024-01-01",
            "ends_on": "2029-01-01",
            "method": "two_recommend",
            "seats": 5,
        },
        format="json",
    )
    assert t.status_code == 201
    s = api.post(
        f"/api/v1/workforce-terms/{t.json()['id']}/seats/",
        {"worker": made.json()["id"], "role": "secretary", "joined_on": "2024-01-01"},
        format="json",
    )
    assert s.status_code == 201 and s.json()["members"][0]["role"] == "secretary"
    detail = api.get(f"/api/v1/workforce-communities/{wf.community.pk}/").json()
    assert detail["committees"][0]["current"]["number"] == 1
    keys = [c["key"] for c in detail["compliance"]["checks"]]
    assert "committees.total_min_members" in keys and "staffing.full_time_workers" in keys


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"community": "x"},
        {"community": 1, "resident": 1, "kind": "boss", "started_on": "2020-01-01"},
        {"community": 1, "resident": 1, "kind": "grid_worker", "started_on": "not a date"},
        {
            "community": 1,
            "resident": 1,
            "kind": "grid_worker",
            "started_on": "2020-01-01",
            "monthly_pay_yuan": "-5",
        },
        ["a list"],
    ],
)
def test_api_bad_bodies_are_400(wf, body):
    response = _api(wf.secretary).post("/api/v1/workforce-workers/", body, format="json")
    assert response.status_code == 400
    assert not Worker.objects.exists()


def test_api_refusal_is_400_with_the_message(wf):
    api = _api(wf.secretary)
    body = {
        "community": wf.community.pk,
        "resident": wf.people[0].pk,
        "kind": "grid_worker",
        "started_on": "2020-01-01",
    }
    assert api.post("/api/v1/workforce-workers/", body, format="json").status_code == 201
    again = api.post("/api/v1/workforce-workers/", body, format="json")
    assert again.status_code == 400 and "resident" in again.json()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/workforce-workers/abc/",
        "/api/v1/workforce-workers/99999999/",
        "/api/v1/workforce-communities/abc/",
        "/api/v1/workforce-communities/99999999/",
    ],
)
def test_api_malformed_ids(wf, url):
    assert _api(wf.secretary).get(url).status_code == 404


def test_page_malformed_ids(wf, login):
    client = login(wf.secretary)
    assert client.get("/workforce/workers/99999999/").status_code == 404
    assert client.get("/workforce/workers/abc/").status_code == 404
    response = client.post(
        reverse("workforce:community", args=[wf.community.pk]), {"form": "seat", "term": "x"}
    )
    assert response.status_code == 404
