"""People's mediation in headless Chromium: a resident's dispute ticket → the community worker
opens a mediation case from the ticket page → records a session → records the agreement with a
scan of the signed copy → a follow-up visit → closes the case; the figures page counts it; the
case page is usable on a phone-sized screen."""

from __future__ import annotations

import pytest
from PIL import Image
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.mediation import services
from gongzhi.mediation.models import AgreementScan, Case, State
from gongzhi.places.models import Household
from gongzhi.tickets import services as ticket_services
from gongzhi.tickets.models import Category
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.mediation.conftest import TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _dispute_category() -> Category:
    parent, _ = Category.objects.get_or_create(
        code="neighbour", defaults={"name": "邻里纠纷", "routing": "community"}
    )
    category, _ = Category.objects.get_or_create(
        code="dispute", defaults={"name": "邻里矛盾调解", "parent": parent, "routing": "community"}
    )
    return category


def test_a_dispute_ticket_goes_through_mediation_to_closed(browser, live_server, world, tmp_path):
    clock.set_now(TODAY)
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="调解干事")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    services.create_committee(world.community_a1, actor=secretary)
    home = Household.objects.filter(building=world.grid_a1_1.buildings[0]).first()
    resident_user = make_user(
        Role.RESIDENT,
        world.grid_a1_1.buildings[0],
        household=home,
        phone="13900000081",
        name="报事居民",
    )
    ticket = ticket_services.submit(
        actor=resident_user,
        kind="help",
        category=_dispute_category(),
        text="楼上空调外机冷凝水滴到我家阳台，协商不成，希望社区帮忙调解。",
        place=world.grid_a1_1.buildings[0],
    )
    scan = tmp_path / "agreement.jpg"
    Image.new("RGB", (600, 800), "white").save(scan, "JPEG")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        submit_login(page, worker.username)
        page.goto(f"/tickets/{ticket.pk}/")
        page.get_by_test_id("ticket-to-case").locator("button").click()
        expect(page.get_by_text("案件已受理")).to_be_visible()
        expect(page.get_by_test_id("state")).to_have_text("已受理")
        expect(page.get_by_test_id("case-ticket")).to_have_text(ticket.number)

        page.get_by_test_id("session-open").click()
        session = page.get_by_test_id("session-form")
        session.locator("input[name=held_at]").fill("2026-06-01T09:00")
        session.locator("input[name=location]").fill("社区调解室")
        session.locator("textarea[name=notes]").fill("双方到场陈述，同意加装接水管。")
        session.locator("button[type=submit]").click()
        expect(page.get_by_text("调解会已记录")).to_be_visible()
        expect(page.get_by_test_id("state")).to_have_text("调解中")

        page.get_by_test_id("agree-open").click()
        agree = page.get_by_test_id("agree-form")
        agree.locator("input[name=signed_on]").fill("2026-06-01")
        agree.locator("textarea[name=terms]").fill("楼上住户一周内加装冷凝水接水管。")
        agree.locator("input[name=scan]").set_input_files(str(scan))
        agree.locator("button[type=submit]").click()
        expect(page.get_by_text("调解协议已记录")).to_be_visible()
        expect(page.get_by_test_id("state")).to_have_text("达成协议")
        expect(page.get_by_test_id("scan")).to_be_visible()

        page.get_by_test_id("follow-up-open").click()
        visit = page.get_by_test_id("follow-up-form")
        visit.locator("input[name=visited_on]").fill("2026-06-01")
        visit.locator("input[name=note]").fill("接水管已装好")
        visit.locator("button[type=submit]").click()
        expect(page.get_by_text("回访已记录")).to_be_visible()

        page.get_by_test_id("close-open").click()
        page.get_by_test_id("close-form").locator("button[type=submit]").click()
        expect(page.get_by_text("案件已结案")).to_be_visible()
        expect(page.get_by_test_id("state")).to_have_text("已结案")
        screenshot(page, "mediation-case-closed")

        case = Case.objects.get(ticket=ticket)
        assert case.state == State.CLOSED
        assert AgreementScan.objects.filter(agreement__case=case).count() == 1

        page.goto(f"/tickets/{ticket.pk}/")
        expect(page.get_by_test_id("ticket-case")).to_contain_text(case.number)

        page.goto("/mediation/figures/?year=2026")
        total = page.get_by_test_id("figures-total")
        expect(total).to_contain_text("100.0%")
        screenshot(page, "mediation-figures")
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
        submit_login(small, worker.username)
        small.goto(f"/mediation/cases/{case.pk}/")
        expect(small.get_by_test_id("state")).to_be_visible()
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(small, "mediation-case-phone")
    finally:
        phone.close()
