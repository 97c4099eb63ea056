from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.merchants import services
from gongzhi.merchants.models import Item, Merchant, Redemption, RedemptionStatus
from tests.conftest import make_user
from tests.merchants.conftest import balance_of

pytestmark = pytest.mark.django_db


# --- staff and seller services ------------------------------------------------------


def test_staff_admit_merchant_and_link_login(shop, world):
    m = services.admit_merchant(
        actor=shop.staff,
        community=world.community_a1,
        name="新商家",
        kind="shop",
        users=[shop.seller],
    )
    assert list(m.users.all()) == [shop.seller]
    assert AuditRecord.objects.filter(action="merchants.admit").count() == 1
    with pytest.raises(ValidationError, match="already has"):
        services.admit_merchant(
            actor=shop.staff, community=world.community_a1, name="新商家", kind="shop"
        )
    with pytest.raises(ValidationError, match="no merchant post"):
        services.admit_merchant(
            actor=shop.staff,
            community=world.community_a1,
            name="另一家",
            kind="shop",
            users=[shop.seller_b],
        )
    with pytest.raises(Http404):
        services.admit_merchant(
            actor=shop.staff, community=world.community_b1, name="越界", kind="shop"
        )
    district = make_user(Role.DISTRICT_OFFICER, world.district)
    with pytest.raises(PermissionDenied):
        services.admit_merchant(
            actor=district, community=world.community_a1, name="自己", kind="shop"
        )
    with pytest.raises(Http404):
        services.admit_merchant(
            actor=shop.seller, community=world.community_a1, name="自己", kind="shop"
        )


@pytest.mark.parametrize(
    ("price", "stock", "text"),
    [
        (-5, 1, "price"),
        (0, 1, "price"),
        ("abc", 1, "price"),
        (10, -1, "stock"),
        (10, 10**9, "stock"),
        (10**9, 1, "price"),
    ],
)
def test_bad_item_input_writes_nothing(shop, price, stock, text):
    with pytest.raises(ValidationError) as info:
        services.add_item(shop.merchant, actor=shop.seller, name="鸡蛋", price=price, stock=stock)
    assert text in info.value.message_dict
    assert not Item.objects.filter(name="鸡蛋").exists()


def test_seller_adds_and_updates_only_own_items(shop):
    item = services.add_item(shop.merchant, actor=shop.seller, name="鸡蛋", price=8, stock=0)
    services.update_item(item.pk, actor=shop.seller, price=9, stock=3)
    assert Item.objects.get(pk=item.pk).stock == 3
    with pytest.raises(PermissionDenied):
        services.update_item(item.pk, actor=shop.other_seller, price=1, stock=1)
    with pytest.raises(PermissionDenied):
        services.add_item(shop.merchant, actor=shop.other_seller, name="x", price=1, stock=1)
    with pytest.raises(ValidationError, match="does not exist"):
        services.update_item(99999, actor=shop.seller, price=1, stock=1)


# --- pages ----------------------------------------------------------------------------


def test_resident_pages_render(client, shop, django_assert_max_num_queries):
    # Twelve more goods at two merchants and twelve redemptions: a query per row would show.
    for n in range(12):
        Item.objects.create(
            merchant=shop.merchant if n % 2 else shop.other,
            name=f"商品{n}",
            price=1,
            stock=5,
            place_path=shop.merchant.place_path,
        )
    client.force_login(shop.resident)
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    for n in range(11):
        services.redeem(Item.objects.get(name=f"商品{n}").pk, actor=shop.resident)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("merchants:shop"))
    body = page.content.decode()
    assert page.status_code == 200 and "食用油" in body
    assert all(f"商品{n}" in body for n in range(12))
    with django_assert_max_num_queries(12):
        mine = client.get(reverse("merchants:mine"))
    assert mine.status_code == 200
    assert mine.content.decode().count("/merchants/redemptions/") >= 12
    detail = client.get(reverse("merchants:redemption", args=[r.pk])).content.decode()
    assert r.code in detail and "data:image/svg+xml" in detail


def test_redeem_and_cancel_through_the_pages(client, shop):
    client.force_login(shop.resident)
    resp = client.post(
        reverse("merchants:redeem", args=[shop.oil.pk]), {"quantity": "1", "request_key": "x"}
    )
    r = Redemption.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("merchants:redemption", args=[r.pk])
    client.post(reverse("merchants:cancel", args=[r.pk]))
    assert Redemption.objects.get().status == RedemptionStatus.CANCELLED
    resp = client.post(
        reverse("merchants:redeem", args=[shop.oil.pk]), {"quantity": "-3"}, follow=True
    )
    assert "from 1 to" in resp.content.decode() or "1 到" in resp.content.decode()
    assert Redemption.objects.count() == 1


def test_merchant_desk_confirms(client, shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    client.force_login(shop.seller)
    assert client.get(reverse("merchants:desk") + f"?code={r.code}").status_code == 200
    client.post(reverse("merchants:desk"), {"code": r.code})
    assert Redemption.objects.get().status == RedemptionStatus.FULFILLED
    assert client.get(reverse("merchants:redemption", args=[r.pk])).status_code == 200
    client.post(
        reverse("merchants:item_add", args=[shop.merchant.pk]),
        {"name": "牙膏", "price": "5", "stock": "2"},
    )
    assert Item.objects.filter(name="牙膏").exists()


def test_other_merchant_refused_on_desk(client, shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    client.force_login(shop.other_seller)
    resp = client.post(reverse("merchants:desk"), {"code": r.code}, follow=True)
    assert resp.status_code == 200
    unknown = client.post(reverse("merchants:desk"), {"code": "ZZZZZZZZ"}, follow=True)
    said = [str(m) for m in resp.context["messages"]]
    assert said == [str(m) for m in unknown.context["messages"]]
    assert "爱心超市" not in resp.content.decode() and "食用油" not in resp.content.decode()
    assert Redemption.objects.get().status == RedemptionStatus.PENDING
    assert client.get(reverse("merchants:redemption", args=[r.pk])).status_code == 404
    assert (
        client.post(
            reverse("merchants:item_edit", args=[shop.oil.pk]), {"price": 1, "stock": 1}
        ).status_code
        == 404
    )


def test_manage_page(client, shop, world):
    client.force_login(shop.staff)
    assert client.get(reverse("merchants:manage")).status_code == 200
    client.post(
        reverse("merchants:manage"),
        {
            "community": world.community_a1.pk,
            "name": "新超市",
            "kind": "charity_supermarket",
            "users": [shop.seller.pk],
        },
    )
    assert Merchant.objects.filter(name="新超市").exists()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("seller", "merchants:shop"),
        ("seller", "merchants:mine"),
        ("seller", "merchants:manage"),
        ("resident", "merchants:desk"),
        ("resident", "merchants:manage"),
        ("staff", "merchants:desk"),
    ],
)
def test_wrong_role_refused(client, shop, who, url):
    client.force_login(getattr(shop, who))
    assert client.get(reverse(url)).status_code == 403


def test_grid_worker_has_no_shop(client, world, shop):
    client.force_login(make_user(Role.GRID_WORKER, world.grid_a1_1))
    assert client.get(reverse("merchants:shop")).status_code == 403


# --- API ------------------------------------------------------------------------------


def test_api_redeem_mine_confirm(client, shop):
    client.force_login(shop.resident)
    items = client.get("/api/v1/merchant-items/").json()
    assert {i["name"] for i in items["results"] if "results" in items} or items
    resp = client.post(
        f"/api/v1/merchant-items/{shop.oil.pk}/redeem/",
        {"quantity": 1, "request_key": "a"},
        content_type="application/json",
    )
    assert resp.status_code == 201
    code = resp.json()["code"]
    again = client.post(
        f"/api/v1/merchant-items/{shop.oil.pk}/redeem/",
        {"quantity": 1, "request_key": "a"},
        content_type="application/json",
    )
    assert again.json()["id"] == resp.json()["id"]
    bad = client.post(
        f"/api/v1/merchant-items/{shop.oil.pk}/redeem/",
        {"quantity": 100000},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["detail"]
    assert (
        client.post(
            "/api/v1/redemptions/confirm/", {"code": code}, content_type="application/json"
        ).status_code
        == 403
    )
    mine = client.get("/api/v1/redemptions/").json()
    assert len(mine["results"] if isinstance(mine, dict) else mine) == 1
    client.force_login(shop.other_seller)
    refused = client.post(
        "/api/v1/redemptions/confirm/", {"code": code}, content_type="application/json"
    )
    assert refused.status_code == 400
    unknown = client.post(
        "/api/v1/redemptions/confirm/", {"code": "ZZZZZZZZ"}, content_type="application/json"
    )
    assert refused.json() == unknown.json() and "爱心超市" not in refused.content.decode()
    client.force_login(shop.seller)
    ok = client.post(
        "/api/v1/redemptions/confirm/", {"code": code}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "fulfilled"
    assert balance_of(shop.resident) == 70


def test_api_wrong_roles(client, shop):
    client.force_login(shop.seller)
    assert client.get("/api/v1/merchant-items/").status_code == 403
    client.force_login(shop.resident)
    assert client.get("/api/v1/merchants/").status_code == 403
    assert (
        client.post(
            f"/api/v1/merchant-items/{shop.far_item.pk}/redeem/",
            {},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_home_tiles(client, shop):
    client.force_login(shop.seller)
    page = client.get(reverse("home")).content.decode()
    assert reverse("merchants:desk") in page and f'href="{reverse("merchants:shop")}"' not in page
    client.force_login(shop.resident)
    page = client.get(reverse("home")).content.decode()
    assert reverse("merchants:shop") in page and reverse("merchants:mine") in page
    assert reverse("merchants:desk") not in page
    client.force_login(shop.staff)
    assert reverse("merchants:manage") in client.get(reverse("home")).content.decode()


def test_desk_and_manage_lists_are_bounded(client, shop, django_assert_max_num_queries):
    Item.objects.filter(pk=shop.oil.pk).update(price=5, stock=30)
    for _i in range(15):
        services.confirm(services.redeem(shop.oil.pk, actor=shop.resident).code, actor=shop.seller)
    client.force_login(shop.seller)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("merchants:desk")).status_code == 200
    client.force_login(shop.staff)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("merchants:manage")).status_code == 200
