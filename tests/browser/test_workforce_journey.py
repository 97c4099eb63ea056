"""The community workforce in headless Chromium (issue 15): a community worker imports the
office's roster from xlsx → the secretary records a social-work certificate with its scan (the
reward is proposed from the profile) → the street officer approves the reward and marks it
paid → the workforce compliance page shows the coverage changed; the roster is usable on a
phone-sized screen."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook
from PIL import Image
from playwright.sync_api import expect

from gongzhi.core import crypto
from gongzhi.workforce.models import Reward, RewardStatus, Worker
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.workforce.conftest import wf  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDS = ("420111199001010011", "420111199202020022", "42011119940303003X")


def _login(browser, live_server, user, **size):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **size)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    submit_login(page, user.username)
    return context, page


def test_roster_import_certificate_reward_and_compliance(
    browser,
    live_server,
    wf,  # noqa: F811
    tmp_path,
):
    people = wf.people[:3]
    for person, number in zip(people, IDS, strict=True):
        person.id_encrypted, person.id_index, person.id_masked = crypto.protect("id", number)
        person.save()
    book = Workbook()
    sheet = book.active
    sheet.append(["珞南一社区社区工作者台账"])
    sheet.append(
        ["姓名", "身份证号码", "人员类别", "到岗日期", "学历", "后备人选", "月基本报酬（元）"]
    )
    sheet.append(
        [people[0].name, IDS[0], "社区党组织书记", dt.datetime(2019, 3, 1), "本科", "否", 4200]
    )
    sheet.append([people[1].name, IDS[1], "社区工作者", "2021-07-15", "大专", "是", 3300])
    sheet.append([people[2].name, IDS[2], "网格员", "2022-09-01", "高中", "否", 2800])
    roster = tmp_path / "台账.xlsx"
    book.save(roster)
    scan = tmp_path / "certificate.jpg"
    Image.new("RGB", (600, 420), "white").save(scan, "JPEG")

    # 1. The community worker imports the roster.
    context, page = _login(browser, live_server, wf.worker)
    try:
        page.goto("/workforce/compliance/")
        expect(page.get_by_test_id("certified").first).to_have_text("0/0")
        page.goto("/workforce/")
        page.get_by_test_id("import-link").click()
        form = page.get_by_test_id("import-form")
        form.locator("select[name=community]").select_option(str(wf.community.pk))
        form.locator("input[name=file]").set_input_files(str(roster))
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("已导入 3 条工作者台账")).to_be_visible()
        expect(page.get_by_test_id("worker-row")).to_have_count(3)
        screenshot(page, "workforce-roster-imported")
    finally:
        context.close()
    assert Worker.objects.filter(community=wf.community).count() == 3
    worker = Worker.objects.get(resident=people[1])

    # 2. The secretary records a certificate with its scan; the reward is proposed.
    context, page = _login(browser, live_server, wf.secretary)
    try:
        page.goto(f"/workforce/workers/{worker.pk}/")
        form = page.get_by_test_id("certificate-form")
        form.locator("select[name=level]").select_option("assistant")
        form.locator("input[name=number]").fill("S2026420100001")
        form.locator("input[name=obtained_on]").fill("2026-05-10")
        form.locator("input[name=scan]").set_input_files(str(scan))
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("已登记证书")).to_be_visible()
        expect(page.get_by_test_id("certificates")).to_contain_text("1000.00")
        expect(page.get_by_test_id("certificates")).to_contain_text("待审批")
        screenshot(page, "workforce-worker-certificate")
    finally:
        context.close()

    # 3. The street officer approves the reward and marks it paid.
    context, page = _login(browser, live_server, wf.street)
    try:
        page.goto("/workforce/rewards/")
        row = page.get_by_test_id("reward-row")
        expect(row).to_contain_text(people[1].name)
        row.get_by_test_id("approve").click()
        expect(page.get_by_text("已审批该奖励")).to_be_visible()
        page.get_by_test_id("reward-row").get_by_test_id("pay").click()
        expect(page.get_by_text("已标记为已发放")).to_be_visible()
        screenshot(page, "workforce-rewards")

        # 4. The compliance page shows the change.
        page.goto("/workforce/compliance/")
        expect(page.get_by_test_id("certified").first).to_have_text("1/3")
        page.goto(f"/workforce/communities/{wf.community.pk}/")
        coverage = page.locator('[data-key="staffing.certified_percent"]')
        expect(coverage).to_contain_text("33.3")
        expect(coverage).to_contain_text("000 §三")
        screenshot(page, "workforce-community")
    finally:
        context.close()
    assert Reward.objects.get().status == RewardStatus.PAID

    # The roster on a phone-sized screen: no page-wide horizontal scroll.
    context, small = _login(
        browser,
        live_server,
        wf.secretary,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        small.goto("/workforce/")
        expect(small.get_by_test_id("roster")).to_be_visible()
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(small, "workforce-roster-phone")
    finally:
        context.close()
