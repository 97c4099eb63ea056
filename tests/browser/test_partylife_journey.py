"""Organisational life in headless Chromium: the branch secretary plans a theme party day,
a member checks in with the check-in link on a phone-sized page, the secretary records the
minutes, and the community secretary's overdue list no longer shows the branch's theme day."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.partylife.conftest import life  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overdue_theme_day(page, branch_name):
    page.goto("/partylife/")
    return (
        page.get_by_test_id("overdue-row").filter(has_text=branch_name).filter(has_text="主题党日")
    )


def test_theme_day_from_plan_to_minutes_clears_the_overdue_list(browser, live_server, life):  # noqa: F811
    def context(**options):
        made = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
        made.set_default_timeout(TIMEOUT_MS)
        return made

    cs = context().new_page()
    submit_login(cs, life.cs.username)
    expect(_overdue_theme_day(cs, life.branch.name)).to_have_count(1)

    sec = context().new_page()
    submit_login(sec, life.secretary_user.username)
    sec.goto(f"/partylife/orgs/{life.branch.pk}/")
    sec.get_by_test_id("plan-dialog").locator("summary").click()
    form = sec.get_by_test_id("meeting-form")
    form.locator("select[name=kind]").select_option("theme_day")
    form.locator("input[name=title]").fill("二月主题党日")
    form.locator("button[type=submit]").click()
    expect(sec.get_by_text("会议已安排")).to_be_visible()
    sec.get_by_role("link", name="二月主题党日").click()
    link = sec.get_by_test_id("checkin-link").get_attribute("href")
    assert link

    phone = context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    submit_login(phone, life.member_user.username)
    phone.goto(link)
    phone.get_by_test_id("check-in").click()
    expect(phone.get_by_test_id("checked-in")).to_be_visible()
    screenshot(phone, "partylife-check-in-phone")

    sec.reload()
    expect(sec.get_by_test_id("attendance-row").filter(has_text="张党员")).to_contain_text("出席")
    sec.get_by_test_id("minutes-form").locator("textarea[name=minutes]").fill(
        "清理楼道，走访老人。"
    )
    sec.get_by_test_id("minutes-submit").click()
    expect(sec.get_by_test_id("held")).to_be_visible()
    screenshot(sec, "partylife-meeting")

    expect(_overdue_theme_day(cs, life.branch.name)).to_have_count(0)
    screenshot(cs, "partylife-overdue")
