"""Yearly ratings in headless Chromium: the street officer publishes last year's ratings of the
estates under the street, and a resident of the estate sees the property company's star level,
with the parts of the score, on their phone (issue 14 items 4 and 7)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.estates import ratings, services
from gongzhi.estates.models import Evaluation
from gongzhi.places.models import Household
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.test_estates_journey import login
from tests.conftest import make_user
from tests.estates.conftest import GOOD_CODE, TODAY, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_street_publishes_and_a_resident_sees_the_star_level(browser, live_server, world):
    clock.set_now(TODAY)
    estate = world.grid_a1_1.estate
    home = Household.objects.filter(building=world.grid_a1_1.buildings[0]).order_by("id").first()
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    owner = make_user(Role.RESIDENT, home.building, household=home, phone="13900000077")
    person = resident(home, "业主甲")
    person.user = owner
    person.save()
    services.create_committee(estate, actor=secretary)
    company = services.add_company(
        world.community_a1, actor=secretary, name="红星物业", credit_code=GOOD_CODE
    )
    services.add_contract(
        company,
        estate,
        actor=secretary,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        fee_yuan_per_m2="1.50",
    )
    ratings.assess(
        company,
        actor=secretary,
        year=2025,
        assessment=92,
        note="服务规范，居民认可",
        community=world.community_a1,
    )

    desk = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk.set_default_timeout(TIMEOUT_MS)
    try:
        page = desk.new_page()
        login(page, street.username)
        page.goto("/estates/ratings/?year=2025")
        page.get_by_text("发布年度星级评定和红黑榜").click()
        form = page.get_by_test_id("publish-form")
        form.locator("select[name=street]").select_option(label=world.street_a.name)
        form.locator("input[name=year]").fill("2025")
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("星级评定结果和红黑榜已发布")).to_be_visible()
        expect(page.get_by_test_id("evaluations")).to_contain_text("红星物业")
        screenshot(page, "estates_ratings_published")
    finally:
        desk.close()
    assert Evaluation.objects.get(company=company).stars == 5

    phone = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone.set_default_timeout(TIMEOUT_MS)
    try:
        page = phone.new_page()
        login(page, "13900000077")
        page.goto("/estates/mine/")
        card = page.get_by_test_id("my-company")
        expect(card).to_contain_text("红星物业")
        expect(card.get_by_test_id("stars")).to_have_text("★★★★★")
        expect(card.get_by_test_id("parts")).to_contain_text("社区考评")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(page, "estates_mine_phone")
    finally:
        phone.close()
        clock.set_now(None)
