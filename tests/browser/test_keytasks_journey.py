"""Sent-down tasks in headless Chromium: the street officer sends a form task from the page to
every community → community A1 fills it in on a desktop, community A2 on a 390 px phone (one
refused for a missing required field, named) → the street sees the progress and exports the
roll-up, whose cells equal the answers. Screenshots at 1440×900 and 390×844."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.keytasks.models import ReceiverState, SentDownTask
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.keytasks.conftest import TODAY

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


def _fill(page, answers: dict[str, str]) -> None:
    for label, value in answers.items():
        field = page.get_by_label(label, exact=False)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def test_street_sends_two_communities_fill_street_exports(browser, live_server, world):
    clock.set_now(TODAY)
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    worker_a1 = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="一社区干事")
    worker_a2 = make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区干事")

    desk = _context(browser, live_server)
    page = desk.new_page()
    phone_context = _context(browser, live_server, phone=True)
    phone = phone_context.new_page()
    try:
        # 1. The street sends the task.
        submit_login(page, street.username)
        page.goto("/keytasks/sent/")
        page.get_by_test_id("new-task").click()
        form = page.get_by_test_id("send-form")
        form.locator("input[name=title]").fill("燃气安全隐患排查")
        form.locator("textarea[name=instructions]").fill("请于周五前报送。")
        form.locator("input[name=due_on]").fill("2026-06-05")
        form.locator("select[name=receiver_kind]").select_option("community")
        form.locator("input[name=fields-0-label]").fill("排查户数")
        form.locator("select[name=fields-0-kind]").select_option("number")
        form.locator("input[name=fields-0-required]").check()
        form.locator("input[name=fields-1-label]").fill("是否已整改")
        form.locator("select[name=fields-1-kind]").select_option("choice")
        form.locator("input[name=fields-1-required]").check()
        form.locator("input[name=fields-1-choices]").fill("是/否")
        form.locator("input[name=fields-2-label]").fill("负责人")
        screenshot(page, "keytasks-send-1440")
        form.get_by_test_id("send").click()
        expect(page.get_by_text("任务已下派")).to_be_visible()
        task = SentDownTask.objects.get()
        expect(page.get_by_test_id("task-title")).to_have_text("燃气安全隐患排查")

        # 2. Community A1 fills it in on a desktop.
        a1 = desk.browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1440, "height": 900}
        ).new_page()
        submit_login(a1, worker_a1.username)
        a1.goto("/keytasks/")
        a1.get_by_test_id("todo-row").first.click()
        _fill(a1, {"排查户数": "320", "是否已整改": "是", "负责人": "王芳"})
        a1.get_by_test_id("submit").click()
        expect(a1.get_by_test_id("form-state")).to_have_text("已提交")
        a1.context.close()

        # 3. Community A2 on a phone: the required choice forgotten, then submitted.
        submit_login(phone, worker_a2.username)
        phone.goto("/keytasks/")
        expect(phone.get_by_test_id("todo-row")).to_have_count(1)
        screenshot(phone, "keytasks-todo-390")
        phone.get_by_test_id("todo-row").click()
        _fill(phone, {"排查户数": "2a"})
        phone.get_by_test_id("submit").click()
        expect(phone.get_by_text("“排查户数”须填写数字。")).to_be_visible()
        _fill(phone, {"排查户数": "275"})
        phone.get_by_test_id("submit").click()
        expect(phone.get_by_text("“是否已整改”为必填项。")).to_be_visible()
        _fill(phone, {"排查户数": "275", "是否已整改": "否"})
        box = phone.get_by_test_id("submit").bounding_box()
        assert box and box["height"] >= 44  # a thumb-sized target
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # nothing wider than the phone
        screenshot(phone, "keytasks-fill-390")
        phone.get_by_test_id("submit").click()
        expect(phone.get_by_test_id("form-state")).to_have_text("已提交")
        screenshot(phone, "keytasks-submitted-390")
        assert set(task.receivers.values_list("state", flat=True)) == {ReceiverState.SUBMITTED}

        # 4. The street sees the progress and exports the roll-up.
        page.goto(f"/keytasks/sent/{task.pk}/")
        expect(page.get_by_test_id("progress")).to_contain_text("2 / 2")
        screenshot(page, "keytasks-task-1440")
        with page.expect_download() as download:
            page.get_by_test_id("export").click()
        content = Path(download.value.path()).read_bytes()
        sheet = [
            list(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
        ]
        assert sheet[0][:7] == [
            "接收单位",
            "状态",
            "提交时间",
            "逾期",
            "排查户数",
            "是否已整改",
            "负责人",
        ]
        assert [r[0] for r in sheet[1:]] == [world.community_a1.name, world.community_a2.name]
        assert [r[4:7] for r in sheet[1:]] == [[320, "是", "王芳"], [275, "否", None]]
        page.goto("/keytasks/sent/")
        screenshot(page, "keytasks-sent-1440")
    finally:
        desk.close()
        phone_context.close()
