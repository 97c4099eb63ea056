"""The vanguard index in headless Chromium: a member declares a bonus item on a phone-sized
page, the branch secretary accepts it on the branch's table, and the member reads their own
index with its parts, the bonus part now counting the item."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.partylife.conftest import life  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_declared_item_accepted_shows_in_the_members_index(browser, live_server, life):  # noqa: F811
    def context(**options):
        made = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
        made.set_default_timeout(TIMEOUT_MS)
        return made

    phone = context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    submit_login(phone, life.member_user.username)
    phone.goto("/partylife/mine/")
    phone.get_by_test_id("my-index-link").click()
    expect(phone.get_by_test_id("index-part-bonus")).to_contain_text("0.0")
    phone.get_by_test_id("index-declare-link").click()
    form = phone.get_by_test_id("index-declare-form")
    form.locator("select[name=item]").select_option("bonus:neighbour_help")
    form.locator("input[name=occurred_on]").fill("2026-02-09")
    form.locator("textarea[name=text]").fill("帮独居老人更换灯泡")
    phone.get_by_test_id("index-declare-submit").click()
    expect(phone.get_by_test_id("index-items")).to_contain_text("待审核")
    screenshot(phone, "partylife-index-declared-phone")

    sec = context().new_page()
    submit_login(sec, life.secretary_user.username)
    sec.goto(f"/partylife/orgs/{life.branch.pk}/index/")
    row = sec.get_by_test_id("index-pending-row").filter(has_text="帮独居老人更换灯泡")
    row.get_by_test_id("index-review-open").click()
    row.locator("select[name=decision]").select_option("accept")
    row.get_by_test_id("index-review-submit").click()
    expect(sec.get_by_test_id("index-pending-row")).to_have_count(0)
    screenshot(sec, "partylife-index-branch")

    phone.goto("/partylife/mine/index/")
    expect(phone.get_by_test_id("index-part-bonus")).to_contain_text("2.0")
    expect(phone.get_by_test_id("index-items")).to_contain_text("已通过")
    expect(phone.get_by_test_id("index-part-attendance")).to_be_visible()
    expect(phone.get_by_test_id("index-total")).to_be_visible()
    screenshot(phone, "partylife-index-mine-phone")
