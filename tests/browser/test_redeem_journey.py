"""Points redemption in headless Chromium: a resident redeems an item on the phone and sees the
one-time code → the merchant logs in on their phone and confirms the code → the resident sees
the redemption fulfilled and the balance lowered. Each person logs in through the real form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.merchants.models import Item, Merchant, Redemption, RedemptionStatus
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.merchants.conftest import balance_of, give_points, resident_user

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def _open(identifier):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        submit_login(page, identifier)
        return page

    yield _open
    for context in contexts:
        context.close()


def test_redeem_confirm_fulfilled(phone, world):
    a1 = world.community_a1
    resident = resident_user(world.grid_a1_1.buildings[0], "13900000177", "吴秀英")
    give_points(resident, 100, a1)
    seller = make_user(Role.MERCHANT, a1, name="孙立新")
    merchant = Merchant.objects.create(
        name="春园爱心超市", kind="charity_supermarket", community=a1, place_path=a1.path
    )
    merchant.users.add(seller)
    Item.objects.create(merchant=merchant, name="东北大米", price=30, stock=3, place_path=a1.path)

    me = phone("13900000177")
    me.goto("/merchants/")
    expect(me.locator("[data-testid=balance]")).to_contain_text("100")
    me.locator("[data-testid=items] form button[type=submit]").first.click()
    me.wait_for_url(re.compile(r".*/merchants/redemptions/\d+/$"))
    code = me.locator("[data-testid=code]").inner_text().strip()
    assert code == Redemption.objects.get().code
    expect(me.locator("img[src^='data:image/svg+xml']")).to_be_visible()
    screenshot(me, "redeem-code")

    shop = phone(seller.username)
    shop.goto("/merchants/desk/")
    shop.fill("input[name=code]", code.lower())
    shop.locator("[data-testid=confirm] button[type=submit]").click()
    shop.wait_for_load_state()
    expect(shop.locator("body")).to_contain_text("东北大米")
    assert Redemption.objects.get().status == RedemptionStatus.FULFILLED
    screenshot(shop, "redeem-confirmed")

    me.goto("/merchants/mine/")
    expect(me.locator("[data-testid=redemptions]")).to_contain_text("已兑付")
    expect(me.locator("[data-testid=balance]")).to_contain_text("70")
    assert balance_of(resident) == 70
