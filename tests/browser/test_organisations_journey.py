"""Venture philanthropy (公益创投) in headless Chromium: an organisation's contact submits a project
to the street's round → the street closes the call → an expert scores it → the street awards it
and publishes the results → the public page, without login, shows the winner and the award; the
public page fits a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.organisations import services
from gongzhi.organisations.models import (
    OrgKind,
    OrgStatus,
    RoundStatus,
    ServiceField,
    VentureApplication,
    VentureRound,
    VentureStatus,
)
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.organisations.conftest import CODE_1, PROFILE, TODAY, D

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server, **extra):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **extra)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _as(browser, live_server, user):
    context = _context(browser, live_server)
    page = context.new_page()
    submit_login(page, user.username)
    return context, page


def test_an_organisation_applies_experts_score_the_street_awards_the_public_sees(
    browser, live_server, world, profile_dir
):
    (profile_dir / "orgs-test.yaml").write_text(PROFILE)
    world.district.policy_profile = "orgs-test"
    world.district.save()
    clock.set_now(TODAY)
    officer = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    # A community secretary as the expert: may review, holds none of the street's money.
    expert = make_user(Role.COMMUNITY_SECRETARY, world.community_a2, name="评审专家")
    partner = make_user(Role.PARTNER_CONTACT, world.community_a1, name="组织联系人")
    org = services.register(
        world.community_a1,
        actor=secretary,
        name="珞南社工服务中心",
        kind=OrgKind.SERVICE_ORG,
        status=OrgStatus.REGISTERED,
        field=ServiceField.ELDERLY,
        credit_code=CODE_1,
        registered_on=D(2024, 5, 10),
    )
    services.link_contact(org, actor=secretary, user=partner)
    rnd = services.open_round(
        world.street_a,
        actor=officer,
        year=2026,
        title="2026年珞南街道公益创投大赛",
        call="面向辖区社会组织征集为老服务项目。",
        budget_yuan="200000",
        closes_on=D(2026, 6, 30),
    )
    services.appoint_expert(rnd, expert, actor=officer)

    # The organisation's contact submits a project.
    context, page = _as(browser, live_server, partner)
    try:
        page.goto(f"/organisations/venture/{rnd.pk}/")
        form = page.get_by_test_id("venture-form")
        page.locator("details:has([data-testid=venture-form]) > summary").click()
        form.locator("select[name=organisation]").select_option(str(org.pk))
        form.locator("input[name=title]").fill("长者助餐送餐上门")
        form.locator("textarea[name=plan]").fill("每周三次为独居老人送餐上门，覆盖80位老人。")
        form.locator("input[name=budget_yuan]").fill("120000")
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("项目已提交")).to_be_visible()
        expect(page.get_by_test_id("projects")).to_contain_text("长者助餐送餐上门")
        expect(page.get_by_test_id("expert-form")).to_have_count(0)
    finally:
        context.close()
    project = VentureApplication.objects.get(round=rnd)

    # The street closes the call.
    context, page = _as(browser, live_server, officer)
    try:
        page.goto(f"/organisations/venture/{rnd.pk}/")
        page.get_by_test_id("start-review").click()
        expect(page.get_by_test_id("round-status")).to_have_text("专家评审中")
    finally:
        context.close()

    # The expert scores.
    context, page = _as(browser, live_server, expert)
    try:
        page.goto(f"/organisations/venture/projects/{project.pk}/")
        score = page.get_by_test_id("score-form")
        score.locator("input[name=score]").fill("91")
        score.locator("input[name=comment]").fill("需求迫切，方案可行")
        score.locator("button[type=submit]").click()
        expect(page.get_by_text("评分已记录")).to_be_visible()
        expect(page.get_by_test_id("my-score")).to_contain_text("91")
        expect(page.get_by_test_id("award-form")).to_have_count(0)
    finally:
        context.close()

    # The street awards within the cap and publishes the results.
    context, page = _as(browser, live_server, officer)
    try:
        page.goto(f"/organisations/venture/projects/{project.pk}/")
        award = page.get_by_test_id("award-form")
        award.locator("input[name=amount_yuan]").fill("100000.01")
        award.locator("input[name=reason]").fill("一等奖")
        award.locator("button[type=submit]").click()
        expect(page.get_by_text("单个项目奖励最高100,000.00元")).to_be_visible()
        award = page.get_by_test_id("award-form")
        award.locator("input[name=amount_yuan]").fill("100000")
        award.locator("input[name=reason]").fill("一等奖")
        award.locator("button[type=submit]").click()
        expect(page.get_by_text("评奖结果已记录")).to_be_visible()
        expect(page.get_by_test_id("award")).to_contain_text("100,000.00")
        screenshot(page, "organisations-project-awarded")
        page.goto(f"/organisations/venture/{rnd.pk}/")
        page.get_by_test_id("publish").click()
        expect(page.get_by_test_id("round-status")).to_have_text("已评奖")
        screenshot(page, "organisations-round")
    finally:
        context.close()
    assert VentureRound.objects.get(pk=rnd.pk).status == RoundStatus.AWARDED
    assert VentureApplication.objects.get(pk=project.pk).status == VentureStatus.AWARDED

    # The public page, without login, on a phone.
    phone = _context(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        small = phone.new_page()
        small.goto(f"/organisations/public/venture/{rnd.pk}/")
        winners = small.get_by_test_id("winners")
        expect(winners).to_contain_text("长者助餐送餐上门")
        expect(winners).to_contain_text("珞南社工服务中心")
        expect(winners).to_contain_text("100,000.00")
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(small, "organisations-public-round-phone")
    finally:
        phone.close()
