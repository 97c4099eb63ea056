"""A best-building-head selection in headless Chromium: the street officer opens it and names
the panel → the community secretary nominates a building head → a resident votes on a 390 px
phone in large-text mode (44 px targets) → the officer scores as the panel, closes and
publishes → the resident's result page shows the winner. Screenshots at 1440×900 and 390×844."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.selections.models import Nominee, Selection, Stage, Vote
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server, phone: bool = False):
    size = {"width": 390, "height": 844} if phone else {"width": 1440, "height": 900}
    context = browser.new_context(
        base_url=live_server.url,
        viewport=size,
        locale="zh-CN",
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=2 if phone else 1,
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_selection_from_opening_to_the_published_winner(browser, live_server, world):
    year = clock.today().year
    officer = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="一社区书记")
    building = world.grid_a1_1.buildings[0]
    make_user(Role.BUILDING_HEAD, building, name="杨志强")
    home = Household.objects.filter(building=building).first()
    make_user(Role.RESIDENT, building, household=home, phone="13900002001")

    desk = _context(browser, live_server)
    page = desk.new_page()
    phone_context = _context(browser, live_server, phone=True)
    phone = phone_context.new_page()
    try:
        # 1. The street officer opens the selection and names the panel (dialogs).
        submit_login(page, officer.username)
        page.goto("/selections/")
        page.get_by_test_id("new-selection").click()
        form = page.get_by_test_id("new-selection-form")
        form.locator("input[name=title]").fill(f"{year}年度最美楼栋长评选")
        form.locator("select[name=place]").select_option(str(world.street_a.pk))
        form.locator("select[name=kind]").select_option("best_building_head")
        form.locator("select[name=method]").select_option("combined")
        form.locator("input[name=year]").fill(str(year))
        screenshot(page, "selections-new-1440")
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("stage")).to_have_text("推荐中")
        selection = Selection.objects.get()
        page.get_by_test_id("name-panel").click()
        page.get_by_test_id("panel-form").get_by_label("街道干部").check()
        page.get_by_test_id("panel-form").locator("button[type=submit]").click()
        expect(page.get_by_test_id("panel")).to_have_text("街道干部")

        # 2. The community secretary nominates the building head.
        sec_context = _context(browser, live_server)
        sec = sec_context.new_page()
        submit_login(sec, secretary.username)
        sec.goto(f"/selections/{selection.pk}/")
        sec.get_by_test_id("nominate").click()
        nominate = sec.get_by_test_id("nominate-form")
        nominate.locator("textarea[name=reasons]").fill("担任楼栋长八年,组织邻里互助。")
        nominate.locator("button[type=submit]").click()
        expect(sec.get_by_text("已推荐")).to_be_visible()
        expect(sec.get_by_test_id("nominee-row")).to_contain_text("杨志强")
        sec_context.close()
        nominee = Nominee.objects.get()

        # 3. The officer opens voting and scoring.
        page.reload()
        page.get_by_test_id("open-voting").click()
        expect(page.get_by_test_id("stage")).to_have_text("投票评分中")

        # 4. A resident votes on the phone, in large-text mode.
        submit_login(phone, "13900002001")
        phone.goto("/selections/mine/")
        phone.get_by_text(selection.title).click()
        phone.get_by_test_id("text-size").click()
        vote = phone.get_by_test_id(f"vote-{nominee.pk}")
        expect(vote).to_be_visible()
        box = vote.bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 44, box
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width
        screenshot(phone, "selections-vote-390-large")
        vote.click()
        expect(phone.get_by_text("投的票已计入")).to_be_visible()
        assert Vote.objects.filter(nominee=nominee).count() == 1

        # 5. The officer scores as the panel, closes and publishes.
        page.reload()
        page.get_by_test_id(f"score-{nominee.pk}").click()
        score = page.get_by_test_id("score-form")
        for field in score.locator("input[type=number]").all():
            field.fill("18")
        score.locator("button[type=submit]").click()
        expect(page.get_by_text("您的评分已保存")).to_be_visible()
        page.get_by_test_id("close").click()
        expect(page.get_by_test_id("score")).to_have_text("94.00")  # 0.4 × 100 + 0.6 × 90
        page.get_by_test_id("publish").click()
        expect(page.get_by_test_id("stage")).to_have_text("已发布")
        screenshot(page, "selections-detail-1440")
        selection.refresh_from_db()
        assert selection.stage == Stage.PUBLISHED

        # 6. The resident's result page shows the winner.
        phone.goto(f"/selections/{selection.pk}/result/")
        row = phone.get_by_test_id("result-row").first
        expect(row).to_contain_text("杨志强")
        expect(row.get_by_test_id("winner")).to_be_visible()
        screenshot(phone, "selections-result-390")
    finally:
        desk.close()
        phone_context.close()
