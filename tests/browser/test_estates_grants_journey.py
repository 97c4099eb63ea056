"""Row 000-17 in headless Chromium: the community worker sees the 5,000 yuan the profile sets on
the committee page and requests the start-up funds of its new party branch; the worker has no
approve button; the street officer approves on the list of grants and marks the grant paid; on
a phone the committee page shows the full-time secretary and the paid grant without sideways
scrolling."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.estates import grants, services
from gongzhi.estates.models import GrantStatus, StartupGrant
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.places.models import Household
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.test_estates_journey import login
from tests.conftest import make_user
from tests.estates.conftest import TODAY, party_member, resident
from tests.estates.test_grants import WITH_KEY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_request_approve_and_pay_the_start_up_funds(browser, live_server, world, profile_dir):
    (profile_dir / "grants-test.yaml").write_text(WITH_KEY)
    world.district.policy_profile = "grants-test"
    world.district.save()
    clock.set_now(TODAY)
    estate = world.grid_a1_1.estate
    home = Household.objects.filter(building=world.grid_a1_1.buildings[0]).first()
    branch = PartyOrg.objects.create(
        kind=OrgKind.BRANCH, name="乐居小区业委会党支部", place=estate, place_path=estate.path
    )
    branch.secretary = party_member(resident(home, "支书甲"), branch)
    branch.save()
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者")
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    committee = services.create_committee(estate, actor=worker)
    services.set_party_org(committee, actor=worker, form="single", party_org=branch)
    grants.set_secretary_full_time(committee, actor=worker, full_time=True)
    url = f"/estates/committees/{committee.pk}/"

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        login(page, worker.username)
        page.goto(url)
        panel = page.get_by_test_id("grant-panel")
        expect(panel.get_by_test_id("grant-amount")).to_have_text("¥5,000.00")
        expect(panel).to_contain_text("000 §五")
        panel.get_by_test_id("grant-request").click()
        expect(page.get_by_text("已向街道申请启动工作经费")).to_be_visible()
        expect(page.get_by_test_id("grant-request")).to_have_count(0)
        expect(page.get_by_test_id("grant-approve")).to_have_count(0)  # not the community's
        page.context.clear_cookies()

        login(page, street.username)
        page.goto("/estates/grants/")
        page.get_by_test_id("grant-approve").click()
        expect(page.get_by_text("启动工作经费已批准")).to_be_visible()
        page.get_by_test_id("grant-pay-open").click()
        page.locator("input[name=paid_on]").fill(TODAY.date().isoformat())
        page.locator("input[name=payment_ref]").fill("拨付-2026-01")
        page.get_by_test_id("grant-pay").click()
        expect(page.get_by_text("拨付已记录")).to_be_visible()
        screenshot(page, "estates_grants_street")
    finally:
        context.close()
    assert StartupGrant.objects.get().status == GrantStatus.PAID

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
        login(page, worker.username)
        page.goto(url)
        expect(page.get_by_test_id("secretary-full-time")).to_be_visible()
        expect(page.get_by_test_id("grant-panel")).to_contain_text("支书甲")
        expect(page.get_by_test_id("grant-rows")).to_contain_text("已拨付")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(page, "estates_grants_committee_phone")
    finally:
        phone.close()
        clock.set_now(None)
