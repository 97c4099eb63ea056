"""Supervision in headless Chromium: a task of seed 003's list goes overdue (the clock moves
past its deadline) → the street officer sees it first on the board and issues a supervision
notice from the task page → it shows on the supervision list → the community reports it done
→ the street verifies it; the timeline shows the bars. Screenshots at 1440×900."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.keytasks import list_services
from gongzhi.keytasks.list_services import TaskSpec, Unit
from gongzhi.keytasks.models import KeyTask, KeyTaskState, SupervisionNotice
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_overdue_task_supervised_done_verified(browser, live_server, world):
    clock.set_now(dt.datetime(2024, 3, 20, 9, 0))
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="一社区干事")
    task_list = list_services.create_list(
        world.street_a,
        actor=street,
        title="长乐山工业园区创建全省基层治理创新实验区重点任务清单",
        period="2024年",
        source="种子文件003 附件2",
        offices=["社事办", "党政办"],
        tasks=[
            TaskSpec(
                title="建好社区养老服务设施",
                due_on=dt.date(2024, 7, 31),
                paragraph="附件2第9条",
                lead=Unit("社事办"),
                cooperating=(Unit(world.community_a1.name, world.community_a1),),
                milestones=(("制定工作方案", dt.date(2024, 4, 30)),),
            ),
            TaskSpec(
                title="推行多种形式的帮办代办服务",
                due_on=dt.date(2024, 7, 31),
                paragraph="附件2第10条",
                lead=Unit("党政办"),
            ),
        ],
    )
    task = task_list.tasks.get(number=1)
    clock.set_now(dt.datetime(2024, 8, 5, 9, 0))  # past the deadline: overdue

    desk = _context(browser, live_server)
    page = desk.new_page()
    a1 = _context(browser, live_server).new_page()
    try:
        # 1. The street officer sees it overdue, first on the board, and supervises it.
        submit_login(page, street.username)
        page.goto(f"/keytasks/lists/?list={task_list.pk}")
        first = page.get_by_test_id("board-row").first
        expect(first).to_have_attribute("data-status", "overdue")
        expect(first).to_contain_text("建好社区养老服务设施")
        first.get_by_role("link").first.click()
        expect(page.get_by_test_id("status")).to_have_text("超期")
        form = page.get_by_test_id("notice-form")
        form.locator("textarea[name=reason]").fill("逾期未完成，请于8月底前建成。")
        form.locator("input[name=due_on]").fill("2024-08-31")
        screenshot(page, "keytasks-supervise-1440")
        form.get_by_test_id("supervise").click()
        expect(page.get_by_text("督办单已下发。")).to_be_visible()
        expect(page.get_by_test_id("notices")).to_contain_text("督办〔2024〕1号")
        expect(page.get_by_test_id("supervised-due")).to_contain_text("2024-08-31")
        assert SupervisionNotice.objects.get().due_on == dt.date(2024, 8, 31)

        # 2. The supervision list shows the open notice.
        page.goto("/keytasks/supervision/")
        row = page.get_by_test_id("notice-row")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("建好社区养老服务设施")
        screenshot(page, "keytasks-supervision-1440")

        # 3. Community A1 reports progress and reports it done.
        submit_login(a1, worker.username)
        a1.goto(f"/keytasks/lists/tasks/{task.pk}/")
        expect(a1.get_by_test_id("notices")).to_contain_text("督办〔2024〕1号")
        a1.locator("#id_text").fill("养老服务站已建成并投入使用。")
        a1.get_by_test_id("report").click()
        expect(a1.get_by_text("进展已报告。")).to_be_visible()
        a1.get_by_test_id("done").click()
        expect(a1.get_by_text("已报告任务完成。")).to_be_visible()
        assert KeyTask.objects.get(pk=task.pk).state == KeyTaskState.DONE

        # 4. The street verifies it; the notice leaves the open list.
        page.goto(f"/keytasks/lists/tasks/{task.pk}/")
        page.get_by_test_id("verify").click()
        expect(page.get_by_text("任务已核验。")).to_be_visible()
        expect(page.get_by_test_id("status")).to_have_text("已核验")
        assert KeyTask.objects.get(pk=task.pk).state == KeyTaskState.VERIFIED
        page.goto("/keytasks/supervision/")
        expect(page.get_by_test_id("notice-row")).to_have_count(0)

        # 5. The timeline of the list: one bar per task, the other one still overdue.
        page.goto(f"/keytasks/lists/{task_list.pk}/timeline/")
        expect(page.get_by_test_id("timeline-row")).to_have_count(2)
        expect(page.get_by_test_id("timeline-row").first).to_have_attribute(
            "data-status", "overdue"
        )
        screenshot(page, "keytasks-timeline-1440")
    finally:
        desk.close()
        a1.context.close()
