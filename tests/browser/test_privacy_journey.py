"""My personal information on the phone, in headless Chromium: the resident logs in through the
real form, reads and agrees to the privacy notice from the home page prompt, downloads a copy of
their data, and files a deletion request that then shows in their list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gongzhi.privacy.models import Consent, PrivacyRequest
from tests.browser.conftest import screenshot, submit_login
from tests.privacy.conftest import resident_user

pytestmark = pytest.mark.browser


def test_notice_download_and_request_on_the_phone(phone_page, world):
    user = resident_user(
        world.grid_a1_1.buildings[0], "13900000188", "吴秀英", "420111196005011234"
    )
    page = phone_page
    submit_login(page, "13900000188")
    expect(page.locator("[data-testid=notice-prompt]")).to_be_visible()
    page.locator("[data-testid=notice-prompt] a").click()
    page.locator("[data-testid=agree]").click()
    page.wait_for_url(re.compile(r".*/$"))
    expect(page.locator("[data-testid=notice-prompt]")).to_have_count(0)
    assert Consent.objects.filter(user=user, withdrawn_at=None).count() == 1

    page.locator("[data-testid=privacy-tile]").click()
    page.wait_for_url(re.compile(r".*/privacy/$"))
    with page.expect_download() as download:
        page.locator("[data-testid=download-xlsx]").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "13900000188" not in download.value.suggested_filename

    page.locator("[data-testid=new-request]").click()
    page.select_option("select[name=kind]", "deletion")
    page.fill("textarea[name=what]", "我的旧手机号码")
    page.fill("textarea[name=why]", "号码已停用")
    page.locator("[data-testid=request-form] button").click()
    page.wait_for_url(re.compile(r".*/privacy/requests/\d+/$"))
    expect(page.locator("[data-testid=request]")).to_contain_text("我的旧手机号码")
    screenshot(page, "privacy-request")
    page.goto("/privacy/")
    expect(page.locator("[data-testid=requests]")).to_contain_text("删除")
    screenshot(page, "privacy-mine")
    assert PrivacyRequest.objects.get(user=user).kind == "deletion"
