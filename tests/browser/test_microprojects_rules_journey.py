"""In headless Chromium: the secretary opens a round whose document sets no budget (she enters
it and chooses equal shares), changes the rules, opens voting — the rules form is gone — and
after the vote the round page shows the greedy and the equal-shares outcomes side by side."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.microprojects import services
from gongzhi.microprojects.models import Round
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.microprojects.conftest import _resident

pytestmark = pytest.mark.browser


def test_rules_frozen_and_both_results(browser, live_server, world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="张书记")
    b1, b2 = world.grid_a1_1.buildings
    voters = [
        _resident(b1, "13900000031", "居民一"),
        _resident(b2, "13900000032", "居民二"),
        _resident(b1, "13900000033", "居民三"),
    ]
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    submit_login(page, secretary.username)

    page.goto("/microprojects/")
    form = page.locator("[data-testid=open-round-form]")
    form.locator("input[name=budget]").fill("300")
    form.locator("select[name=method]").select_option("mes")
    form.locator("button").click()
    page.wait_for_url(re.compile(r".*/microprojects/rounds/\d+/$"))
    expect(page.locator("[data-testid=budget-source]")).to_contain_text("本政策文件未规定")
    expect(page.locator("[data-testid=method]")).to_contain_text("平等份额法")
    rnd = Round.objects.get()

    page.locator("[data-testid=rules-form] summary").click()
    page.locator("[data-testid=rules-form] input[name=max_votes]").fill("2")
    page.locator("[data-testid=rules-form] button").click()
    page.wait_for_load_state()
    rnd.refresh_from_db()
    assert rnd.max_votes == 2 and rnd.method == "mes"

    projects = {}
    for title, cost in (("A", "200"), ("B", "100"), ("C", "100")):
        p = services.propose(
            rnd, actor=voters[0], title=title, description="d", items=[("x", cost)]
        )
        projects[title] = services.review(p, actor=secretary, feasible=True, reason="")
    page.reload()
    page.get_by_role("button", name="开始投票").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=rules-frozen]")).to_be_visible()
    expect(page.locator("[data-testid=rules-form]")).to_have_count(0)

    for user, titles in ((voters[0], "AC"), (voters[1], "AC"), (voters[2], "B")):
        for title in titles:
            services.support(projects[title], actor=user)
    page.reload()
    page.get_by_role("button", name=re.compile("预算")).click()
    page.wait_for_load_state()
    results = page.locator("[data-testid=results]")
    expect(results).to_contain_text("按票数顺序填满预算")
    expect(results).to_contain_text("平等份额法")
    screenshot(page, "microprojects-both-results")
    context.close()
