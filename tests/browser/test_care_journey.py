"""Household notices in headless Chromium: the community worker sends an urgent water-cut notice
to a building from the template → two households read it on their phones → the building head's
door-knock list (on a phone) shows the other three → once the wait has passed, the urgent SMS
goes to the unread households that have a phone, and only to them, once."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.care.models import Delivery, Notice
from gongzhi.core import clock, sms
from gongzhi.core.roles import Role
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.care.conftest import citizen
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2026, 7, 1, 9, 0)


def submit_login(page, identifier: str, password: str = PASSWORD) -> None:
    """The real login form. (The shared helper clicks the first submit button of the page,
    which is now the header's text-size toggle.)"""
    page.goto("/login/")
    page.fill("input[name=identifier]", identifier)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form:has(input[name=identifier]) button[type=submit]")
    page.wait_for_load_state()


def _phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_water_cut_notice_read_knocked_and_texted(browser, live_server, world, settings):
    settings.SMS_BACKEND = "gongzhi.core.sms.MemoryBackend"
    sms.MemoryBackend.outbox = []
    clock.set_now(T0)
    building = world.grid_a1_1.buildings[0]
    for i in range(3, 6):
        Household.objects.create(
            building=building, unit_no="1", room_no=f"{i:02d}01", place_path=building.path
        )
    homes = list(Household.objects.filter(building=building).order_by("room_no"))
    readers = [citizen(homes[0], "王一"), citizen(homes[1], "李二")]
    unread_texted = citizen(homes[2], "张三")
    Resident.objects.create(
        name="赵四",
        name_initials="zs",
        gender="M",
        household=homes[3],
        relation=Relation.HEAD,
        place_path=building.path,
    )
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区干事")
    head = make_user(Role.BUILDING_HEAD, building, name="一栋楼长")

    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    desk.set_default_timeout(TIMEOUT_MS)
    page = desk.new_page()
    try:
        submit_login(page, worker.username)
        page.goto("/care/notices/")
        page.get_by_test_id("notice-new").click()
        page.get_by_test_id("template-water").click()
        form = page.get_by_test_id("notice-form")
        form.locator("select[name=place]").select_option(str(building.pk))
        expect(form.locator("input[name=urgent]")).to_be_checked()
        form.locator("textarea[name=body]").fill("7月2日9:00至17:00停水，请提前储水。")
        page.get_by_test_id("send").click()
        expect(page.get_by_text("通知已发送至5户")).to_be_visible()
        expect(page.get_by_test_id("unread-count")).to_have_text("5")
        screenshot(page, "care-notice-sent")
    finally:
        desk.close()
    notice = Notice.objects.get()
    assert notice.urgent and notice.households == 5

    for reader in readers:
        phone = _phone(browser, live_server)
        small = phone.new_page()
        try:
            submit_login(small, reader.phone_plain, PASSWORD)
            small.goto("/care/mine/")
            small.get_by_test_id("my-notice").first.click()
            expect(small.get_by_test_id("notice-body")).to_contain_text("停水")
            small.get_by_test_id("confirm-read").click()
            expect(small.get_by_text("已记录您家的回执")).to_be_visible()
            if reader is readers[0]:
                small.goto(f"/care/mine/{notice.pk}/")
                expect(small.get_by_test_id("receipt")).to_be_visible()
                width = small.evaluate("document.documentElement.scrollWidth")
                assert width <= 400, width
                screenshot(small, "care-resident-phone")
        finally:
            phone.close()
    assert Delivery.objects.filter(notice=notice, read_at__isnull=False).count() == 2

    phone = _phone(browser, live_server)
    small = phone.new_page()
    try:
        submit_login(small, head.username)
        small.goto(f"/care/notices/{notice.pk}/knock/")
        rows = small.get_by_test_id("knock-row")
        expect(rows).to_have_count(3)
        expect(small.get_by_test_id("knock-list")).to_contain_text("张三")
        expect(small.get_by_test_id("knock-list")).to_contain_text("赵四")
        expect(small.get_by_test_id("knock-list")).not_to_contain_text("王一")
        screenshot(small, "care-door-knock-phone")
    finally:
        phone.close()

    clock.set_now(T0 + dt.timedelta(minutes=61))
    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    desk.set_default_timeout(TIMEOUT_MS)
    page = desk.new_page()
    try:
        submit_login(page, worker.username)
        page.goto(f"/care/notices/{notice.pk}/")
        page.get_by_test_id("send-sms").click()
        expect(page.get_by_text("已向1户未读住户发送短信")).to_be_visible()
        expect(page.get_by_test_id("texted-count")).to_have_text("1")
        expect(page.get_by_test_id("send-sms")).to_have_count(0)
        screenshot(page, "care-notice-texted")
    finally:
        desk.close()
    assert [phone for phone, _ in sms.MemoryBackend.outbox] == [unread_texted.phone_plain]
    sms.MemoryBackend.outbox = []
