"""Early warning and the joint meeting on disputes in headless Chromium: the community worker
opens a walk-in case at risk of escalation (群体性) — the street officer is notified at once —,
the warning board shows it with the missed meeting, the secretary schedules a joint meeting on
disputes with the case on its agenda and records a decision with its action; the board and the
meetings page fit a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.models import Notification
from gongzhi.core.roles import Role
from gongzhi.mediation import services
from gongzhi.mediation.models import AgendaCase, Case, CaseDecision
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.mediation.conftest import TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_escalation_risk_reaches_the_board_the_street_and_a_joint_meeting(
    browser, live_server, world
):
    clock.set_now(TODAY)
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="调解干事")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道综治干部")
    committee = services.create_committee(world.community_a1, actor=secretary)

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        submit_login(page, worker.username)
        page.goto("/mediation/")
        page.get_by_test_id("open-case").click()
        form = page.get_by_test_id("case-form")
        form.locator("select[name=committee]").select_option(str(committee.pk))
        form.locator("input[name=title]").fill("加装电梯意见分歧")
        form.locator("textarea[name=summary]").fill("二十余户联名，情绪激动。")
        form.locator("select[name=risk]").select_option("high")
        form.locator("input[name=escalation_risk]").check()
        form.locator("button[type=submit]").click()
        expect(page.get_by_test_id("escalation")).to_be_visible()
        case = Case.objects.get(title="加装电梯意见分歧")
        assert case.escalation_risk
        assert Notification.objects.filter(user=street, verb="mediation_escalation").exists()

        page.goto("/mediation/board/")
        expect(page.get_by_test_id("board-escalation")).to_contain_text(case.number)
        expect(page.get_by_test_id("board-high-risk")).to_contain_text(case.number)
        expect(
            page.get_by_test_id("board-meetings").get_by_test_id("meeting-overdue")
        ).to_be_visible()
        screenshot(page, "mediation-board")
        context.clear_cookies()

        submit_login(page, secretary.username)
        page.goto("/mediation/meetings/")
        page.get_by_test_id("meeting-open").click()
        meeting = page.get_by_test_id("meeting-form")
        meeting.locator("input[name=title]").fill("六月矛盾纠纷联席会议")
        meeting.locator("input[name=starts_at]").fill("2026-06-01T09:00")
        meeting.locator("select[name=cases]").select_option(str(case.pk))
        meeting.locator("button[type=submit]").click()
        expect(page.get_by_text("矛盾纠纷联席会议已安排")).to_be_visible()
        expect(page.get_by_test_id("dispute-meeting")).to_contain_text(case.number)
        page.get_by_test_id("decision-open").click()
        decision = page.get_by_test_id("decision-form")
        decision.locator("textarea[name=text]").fill("街道、社区、物业共同召开业主协商会")
        decision.locator("input[name=action_title]").fill("一周内召开业主协商会")
        decision.locator("select[name=owner]").select_option(str(worker.pk))
        decision.locator("input[name=due]").fill("2026-06-08")
        decision.locator("button[type=submit]").click()
        expect(page.get_by_text("决定已记录")).to_be_visible()
        expect(page.get_by_test_id("decision")).to_contain_text("一周内召开业主协商会")
        assert AgendaCase.objects.filter(case=case).count() == 1
        assert CaseDecision.objects.filter(entry__case=case).count() == 1
        screenshot(page, "mediation-meetings")
    finally:
        context.close()

    phone = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    phone.set_default_timeout(TIMEOUT_MS)
    small = phone.new_page()
    try:
        submit_login(small, secretary.username)
        for path in ("/mediation/board/", "/mediation/meetings/"):
            small.goto(path)
            width = small.evaluate("document.documentElement.scrollWidth")
            assert width <= 400, (path, width)
        screenshot(small, "mediation-board-phone")
    finally:
        phone.close()
