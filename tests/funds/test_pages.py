"""Every page rendered, the public page without login or personal data, the API, wrong roles."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.funds import services
from gongzhi.funds.models import FundEntry, PurchasedService
from tests.funds.conftest import D, donate


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_staff_pages_render(fw, login):
    donate(fw, 100)
    donate(fw, 50, anonymous=True, donor_name="")
    services.grant(fw.fund, actor=fw.secretary, amount_yuan="30", on=D(2026, 5, 3), purpose="助餐")
    line = services.open_lines(fw.a1, 2026, actor=fw.secretary)[0]
    services.record_purchase(
        fw.a1,
        actor=fw.secretary,
        year=2026,
        service="助老",
        amount_yuan="10",
        supplier_name="某公司",
    )
    client = login(fw.secretary)
    for url in (
        reverse("funds:index"),
        reverse("funds:fund", args=[fw.fund.pk]),
        reverse("funds:purchases") + "?year=2026",
        reverse("funds:lines") + "?year=2026",
        reverse("funds:line", args=[line.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("funds:fund", args=[fw.fund.pk])).content.decode()
    assert 'data-testid="donation-form"' in page and 'data-testid="grant-form"' in page
    assert "¥120.00" in page  # the balance: 150 in, 30 out
    shares = client.get(reverse("funds:purchases") + "?year=2026").content.decode()
    assert "000 §四" in shares


def test_public_page_without_login_shows_every_entry_and_no_personal_data(fw, client):
    donate(fw, 100, donor_name="张三")
    donate(fw, 50, anonymous=True, donor_name="李秘密")
    services.grant(fw.fund, actor=fw.secretary, amount_yuan="30", on=D(2026, 5, 3), purpose="助餐")
    page = client.get(reverse("funds:public_fund", args=[fw.fund.pk])).content.decode()
    assert "张三" in page
    assert "李秘密" not in page
    assert "爱心人士" in page
    assert "助餐" in page
    assert "书记" not in page  # who recorded it is not public
    listing = client.get(reverse("funds:public_funds")).content.decode()
    assert fw.fund.name in listing


def test_forms_show_only_to_who_may_book(fw, login):
    page = login(fw.worker).get(reverse("funds:fund", args=[fw.fund.pk])).content.decode()
    assert 'data-testid="donation-form"' not in page


@pytest.mark.parametrize("name", ["index", "purchases", "lines"])
def test_wrong_roles_on_pages(fw, login, name):
    assert login(fw.grid).get(reverse(f"funds:{name}")).status_code == 403


def test_wrong_roles_on_object_pages(fw, login, client):
    url = reverse("funds:fund", args=[fw.fund.pk])
    assert login(fw.worker_a2).get(url).status_code == 404  # another community
    client.logout()
    worker = login(fw.worker)
    assert worker.get(url).status_code == 200
    response = worker.post(
        url, {"form": "donation", "amount_yuan": "1", "on": "2026-05-01", "donor_name": "x"}
    )
    assert response.status_code == 403
    assert FundEntry.objects.count() == 0


def test_posting_a_donation_and_a_refused_grant_through_the_page(fw, login):
    client = login(fw.secretary)
    url = reverse("funds:fund", args=[fw.fund.pk])
    client.post(
        url,
        {
            "form": "donation",
            "amount_yuan": "100",
            "on": "2026-05-01",
            "donor_name": "赵六",
            "request_key": "k1",
        },
    )
    client.post(
        url,
        {
            "form": "donation",
            "amount_yuan": "100",
            "on": "2026-05-01",
            "donor_name": "赵六",
            "request_key": "k1",
        },
    )  # a double click
    assert FundEntry.objects.count() == 1
    response = client.post(
        url,
        {"form": "grant", "amount_yuan": "500", "on": "2026-05-02", "purpose": "助学"},
        follow=True,
    )
    assert "余额不足" in response.content.decode()
    assert FundEntry.objects.filter(kind="grant").count() == 0


def test_lists_are_paginated_with_bounded_queries(fw, login, django_assert_max_num_queries):
    for i in range(35):
        donate(fw, 1 + i)
        services.record_purchase(
            fw.a1,
            actor=fw.secretary,
            year=2026,
            service=f"服务{i}",
            amount_yuan="10",
            supplier_name=f"公司{i}",
        )
    for i in range(14):
        services.create_fund(fw.a1, actor=fw.secretary, name=f"基金{i}")
    client = login(fw.secretary)
    for url in (
        reverse("funds:fund", args=[fw.fund.pk]),
        reverse("funds:public_fund", args=[fw.fund.pk]),
        reverse("funds:purchases") + "?year=2026",
        reverse("funds:index"),
        reverse("funds:public_funds"),
    ):
        with django_assert_max_num_queries(40):
            response = client.get(url)
        assert response.status_code == 200
    page = client.get(reverse("funds:fund", args=[fw.fund.pk]) + "?page=2").content.decode()
    assert page.count("<tr>") >= 5


def test_api_funds_entries_and_wrong_roles(fw):
    api = _client(fw.secretary)
    response = api.post(
        f"/api/v1/community-funds/{fw.fund.pk}/donations/",
        {"amount_yuan": "200", "on": "2026-05-01", "donor_name": "钱七"},
        format="json",
    )
    assert response.status_code == 201, response.content
    response = api.post(
        f"/api/v1/community-funds/{fw.fund.pk}/grants/",
        {"amount_yuan": "300", "on": "2026-05-01", "purpose": "助学"},
        format="json",
    )
    assert response.status_code == 400
    listing = api.get("/api/v1/community-funds/").json()
    rows = listing["results"] if isinstance(listing, dict) else listing
    assert rows[0]["balance_yuan"] == "200.00"
    entries = api.get(f"/api/v1/community-funds/{fw.fund.pk}/entries/").json()
    assert entries["results"][0]["donor_name"] == "钱七"
    assert _client(fw.grid).get("/api/v1/community-funds/").status_code == 403
    assert _client(fw.worker_a2).get(f"/api/v1/community-funds/{fw.fund.pk}/").status_code == 404
    refused = _client(fw.worker).post(
        f"/api/v1/community-funds/{fw.fund.pk}/donations/",
        {"amount_yuan": "1", "on": "2026-05-01", "donor_name": "x"},
        format="json",
    )
    assert refused.status_code == 403


def test_api_purchases_shares_and_lines(fw):
    api = _client(fw.secretary)
    response = api.post(
        "/api/v1/purchased-services/",
        {
            "community": fw.a1.pk,
            "year": 2026,
            "service": "助老",
            "amount_yuan": "100",
            "supplier_name": "某公司",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    shares = api.get("/api/v1/purchased-services/shares/?year=2026").json()
    assert any(r["community"] == fw.a1.pk and r["status"] == "short" for r in shares)
    opened = api.post(
        "/api/v1/funding-lines/open/", {"community": fw.a1.pk, "year": 2026}, format="json"
    )
    assert opened.status_code == 201, opened.content
    line = opened.json()[0]["id"]
    booked = api.post(
        f"/api/v1/funding-lines/{line}/entries/",
        {
            "kind": "receipt",
            "amount_yuan": "50",
            "on": "2026-05-01",
            "description": "拨付",
            "reference": "r1",
        },
        format="json",
    )
    assert booked.status_code == 201 and booked.json()["balance_yuan"] == "50.00"
    spent = api.post(
        f"/api/v1/funding-lines/{line}/entries/",
        {
            "kind": "spending",
            "amount_yuan": "51",
            "on": "2026-05-01",
            "description": "x",
            "reference": "p1",
        },
        format="json",
    )
    assert spent.status_code == 400
    worker = _client(fw.worker)
    assert (
        worker.post(
            "/api/v1/purchased-services/",
            {
                "community": fw.a1.pk,
                "year": 2026,
                "service": "s",
                "amount_yuan": "1",
                "supplier_name": "x",
            },
            format="json",
        ).status_code
        == 403
    )
    assert (
        worker.post(
            f"/api/v1/funding-lines/{line}/entries/",
            {
                "kind": "receipt",
                "amount_yuan": "1",
                "on": "2026-05-01",
                "description": "x",
                "reference": "y",
            },
            format="json",
        ).status_code
        == 403
    )
    assert _client(fw.grid).get("/api/v1/funding-lines/").status_code == 403
    assert _client(fw.officer_b).get(f"/api/v1/funding-lines/{line}/").status_code == 404
    assert PurchasedService.objects.count() == 1


def test_the_notice_form_and_api(fw, login):
    from gongzhi.deliberation.models import Notice

    line = services.open_lines(fw.a1, 2026, actor=fw.secretary)[0]
    services.receive(
        line,
        actor=fw.secretary,
        amount_yuan="10",
        on=D(2026, 5, 1),
        description="拨付",
        reference="r1",
    )
    client = login(fw.secretary)
    page = client.get(reverse("funds:lines") + "?year=2026").content.decode()
    assert 'data-testid="notice-form"' in page
    client.post(reverse("funds:lines"), {"form": "notice", "community": fw.a1.pk, "year": 2026})
    assert Notice.objects.filter(community=fw.a1, category="financial").count() == 1
    response = _client(fw.secretary).post(
        "/api/v1/funding-lines/notice/", {"community": fw.a1.pk, "year": 2026}, format="json"
    )
    assert response.status_code == 201
    assert (
        _client(fw.worker)
        .post("/api/v1/funding-lines/notice/", {"community": fw.a1.pk, "year": 2026}, format="json")
        .status_code
        == 403
    )
