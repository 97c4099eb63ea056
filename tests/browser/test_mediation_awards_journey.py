"""Mediation awards and online legal services in headless Chromium: a street officer proposes an
award for a mediator, another officer approves it and marks it paid; a resident asks the
community's legal adviser on a phone-sized screen, the community worker answers, the resident
reads the answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock, profiles
from gongzhi.core.roles import Role
from gongzhi.mediation import services
from gongzhi.mediation.models import Award, AwardState, LegalQuestion, MediatorKind
from gongzhi.places.models import Household, Place
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.mediation.conftest import TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_award_is_proposed_approved_and_paid(browser, live_server, world):
    clock.set_now(TODAY)
    Place.objects.filter(pk=world.district.pk).update(policy_profile="wuhan-east-lake")
    profiles.clear_cache()
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="调解干事")
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    deputy = make_user(Role.STREET_OFFICER, world.street_a, name="街道副主任")
    committee = services.create_committee(world.community_a1, actor=secretary)
    services.add_mediator(committee, actor=secretary, kind=MediatorKind.WORKER, user=worker)
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        submit_login(page, street.username)
        page.goto("/mediation/awards/")
        expect(page.get_by_test_id("award-cap").first).to_have_text("¥10,000.00")
        page.get_by_test_id("award-open").click()
        form = page.get_by_test_id("award-form")
        form.locator("select[name=kind]").select_option("mediator")
        form.locator("select[name=mediator]").select_option(
            label="调解干事（珞南一社区人民调解委员会）"
        )
        form.locator("textarea[name=reason]").fill("化解邻里纠纷成效突出")
        form.locator("input[name=amount_yuan]").fill("10000.01")
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("奖励最高为")).to_be_visible()
        page.get_by_test_id("award-open").click()
        form.locator("select[name=kind]").select_option("mediator")
        form.locator("select[name=mediator]").select_option(
            label="调解干事（珞南一社区人民调解委员会）"
        )
        form.locator("textarea[name=reason]").fill("化解邻里纠纷成效突出")
        form.locator("input[name=amount_yuan]").fill("5000")
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("奖励已提名")).to_be_visible()
        expect(page.get_by_test_id("award-row")).to_contain_text("¥5,000.00")
        expect(page.get_by_test_id("award-decide")).to_have_count(0)  # not the proposer's
        context.clear_cookies()
        submit_login(page, deputy.username)
        page.goto("/mediation/awards/")
        page.get_by_test_id("award-decide").click()
        decision = page.get_by_test_id("award-decision-form")
        decision.locator("textarea[name=note]").fill("评选入选，同意")
        decision.locator("button[type=submit]").first.click()
        expect(page.get_by_text("奖励已批准")).to_be_visible()
        page.get_by_test_id("award-paid").click()
        expect(page.get_by_text("奖励已标记为发放")).to_be_visible()
        screenshot(page, "mediation-awards")
        assert Award.objects.get().state == AwardState.PAID
    finally:
        context.close()


def test_a_resident_asks_and_reads_the_answer_on_a_phone(browser, live_server, world):
    clock.set_now(TODAY)
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="调解干事")
    services.set_adviser(
        world.community_a1, actor=secretary, name="王律师", office_hours="每周三下午"
    )
    home = Household.objects.filter(building=world.grid_a1_1.buildings[0]).first()
    asker = make_user(
        Role.RESIDENT, world.grid_a1_1.buildings[0], household=home, phone="13900000091"
    )
    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone.set_default_timeout(TIMEOUT_MS)
    page = phone.new_page()
    try:
        submit_login(page, "13900000091")
        page.goto("/mediation/legal/")
        expect(page.get_by_test_id("legal-adviser")).to_contain_text("王律师")
        form = page.get_by_test_id("question-form")
        form.locator("select[name=topic]").select_option("labour")
        form.locator("textarea[name=text]").fill(
            "我的身份证号420111199001011234，工资被拖欠怎么办？"
        )
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("请勿在问题中填写身份证号").first).to_be_visible()
        assert not LegalQuestion.objects.exists()
        form.locator("textarea[name=text]").fill("装修公司拖欠我两个月工资，怎么办？")
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("您的问题已发送给社区法律顾问")).to_be_visible()
        expect(page.get_by_test_id("my-question")).to_contain_text("待答复")
        question = LegalQuestion.objects.get()
        phone.clear_cookies()
        submit_login(page, worker.username)
        page.goto("/mediation/legal/questions/")
        page.get_by_test_id("question-row").locator("a").click()
        page.get_by_test_id("answer-form").locator("textarea[name=answer]").fill(
            "可向劳动监察部门投诉，或申请劳动仲裁。"
        )
        page.get_by_test_id("answer-form").locator("button[type=submit]").click()
        expect(page.get_by_test_id("question-answer")).to_contain_text("劳动仲裁")
        phone.clear_cookies()
        submit_login(page, "13900000091")
        page.goto(f"/mediation/legal/questions/{question.pk}/")
        expect(page.get_by_test_id("question-answer")).to_contain_text("劳动仲裁")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        screenshot(page, "mediation-legal-answer-phone")
    finally:
        phone.close()
    assert asker.pk == question.asker_id
