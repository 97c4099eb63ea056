"""Community funds in headless Chromium: the community secretary books a donation (anonymous on
public pages) and a grant to the community's awarded 公益创投 project; a grant above the balance
is refused in Chinese; the public page, without login and on a phone, shows every entry with the
anonymous donor as 爱心人士, the project, and the balance."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.funds import services
from gongzhi.funds.models import FundEntry
from gongzhi.organisations.models import Organisation, VentureApplication, VentureRound
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.funds.conftest import PROFILE, TODAY, D

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server, **extra):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **extra)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_donation_and_grant_reach_the_public_page(browser, live_server, world, profile_dir):
    (profile_dir / "funds-test.yaml").write_text(PROFILE)
    world.district.policy_profile = "funds-test"
    world.district.save()
    clock.set_now(TODAY)
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    org = Organisation.objects.create(
        name="珞南社工服务中心",
        kind="service_org",
        status="filed",
        filed_on=D(2025, 1, 1),
        field="elderly",
        place=world.community_a1,
        place_path=world.community_a1.path,
    )
    rnd = VentureRound.objects.create(
        place=world.street_a,
        year=2026,
        title="2026年珞南街道公益创投大赛",
        call="为老服务",
        budget_fen=20_000_000,
        prize_cap_fen=10_000_000,
        closes_on=D(2026, 5, 1),
        status="awarded",
        place_path=world.street_a.path,
    )
    project = VentureApplication.objects.create(
        round=rnd,
        organisation=org,
        title="长者助餐送餐上门",
        plan="每周三次送餐上门",
        budget_fen=12_000_000,
        status="awarded",
        award_fen=10_000_000,
        submitted_by=secretary,
        place_path=world.community_a1.path,
    )
    fund = services.create_fund(world.community_a1, actor=secretary, name="珞南一社区基金")

    context = _context(browser, live_server)
    page = context.new_page()
    try:
        submit_login(page, secretary.username)
        page.goto(f"/funds/{fund.pk}/")
        page.locator("details:has([data-testid=donation-form]) > summary").click()
        form = page.get_by_test_id("donation-form")
        form.locator("input[name=amount_yuan]").fill("5000")
        form.locator("input[name=donor_name]").fill("周秘密")
        form.locator("input[name=anonymous]").check()
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("捐赠已入账")).to_be_visible()
        expect(page.get_by_test_id("fund-balance")).to_contain_text("5,000.00")

        page.locator("details:has([data-testid=grant-form]) > summary").click()
        form = page.get_by_test_id("grant-form")
        form.locator("input[name=amount_yuan]").fill("5000.01")
        form.locator("select[name=venture_project]").select_option(str(project.pk))
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("余额不足")).to_be_visible()
        assert not FundEntry.objects.filter(kind="grant").exists()

        page.locator("details:has([data-testid=grant-form]) > summary").click()
        form = page.get_by_test_id("grant-form")
        form.locator("input[name=amount_yuan]").fill("3000")
        form.locator("select[name=venture_project]").select_option(str(project.pk))
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("资助已入账")).to_be_visible()
        expect(page.get_by_test_id("fund-balance")).to_contain_text("2,000.00")
        screenshot(page, "funds-fund")
    finally:
        context.close()

    phone = _context(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        small = phone.new_page()
        small.goto(f"/funds/public/{fund.pk}/")
        entries = small.get_by_test_id("public-fund-entries")
        expect(entries).to_contain_text("爱心人士")
        expect(entries).to_contain_text("长者助餐送餐上门")
        expect(small.get_by_test_id("public-fund-totals")).to_contain_text("2,000.00")
        assert "周秘密" not in small.content()
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(small, "funds-public-phone")
    finally:
        phone.close()
