"""Transfers in headless Chromium: the branch secretary asks another branch to take a member
in; the receiving side refuses once with a reason (the member stays), the sender asks again,
and the community secretary accepts — the member now belongs to the other branch."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.party.models import PartyMember
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.partylife.conftest import life  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _request(page, branch, member, target):
    page.goto(f"/partylife/orgs/{branch.pk}/transfers/")
    page.get_by_test_id("transfer-request").locator("summary").click()
    form = page.get_by_test_id("transfer-request").locator("form")
    form.locator("select[name=member]").select_option(str(member.pk))
    form.locator("select[name=to_org]").select_option(str(target.pk))
    form.locator("input[name=note]").fill("随子女迁居")
    page.get_by_test_id("transfer-request-submit").click()
    expect(page.get_by_text("等待接收组织办理")).to_be_visible()


def test_refused_then_accepted_transfer(browser, live_server, life):  # noqa: F811
    def context(**options):
        made = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
        made.set_default_timeout(TIMEOUT_MS)
        return made

    sec = context().new_page()
    submit_login(sec, life.secretary_user.username)
    _request(sec, life.branch, life.member, life.other)

    cs = context().new_page()
    submit_login(cs, life.cs.username)
    cs.goto(f"/partylife/orgs/{life.other.pk}/")
    expect(cs.get_by_test_id("transfers-awaiting")).to_be_visible()
    cs.get_by_test_id("transfers-link").click()
    row = cs.get_by_test_id("transfer-row").filter(has_text="张党员")
    row.locator("details summary").click()
    row.locator("input[name=reason]").fill("请先核实居住地址")
    row.get_by_test_id("transfer-refuse").click()
    expect(cs.get_by_test_id("transfer-state").first).to_have_text("不予接收")
    assert PartyMember.objects.get(pk=life.member.pk).org_id == life.branch.pk

    _request(sec, life.branch, life.member, life.other)
    cs.reload()
    cs.get_by_test_id("transfer-accept").click()
    expect(cs.get_by_text("该党员转入本组织")).to_be_visible()
    assert PartyMember.objects.get(pk=life.member.pk).org_id == life.other.pk
    screenshot(cs, "partylife-transfers")
    cs.set_viewport_size({"width": 390, "height": 844})
    screenshot(cs, "partylife-transfers-phone")
