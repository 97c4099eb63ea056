"""Login with the second factor and a password change, in headless Chromium, with the
Content-Security-Policy in force: the browser reports no violation on the way."""

from __future__ import annotations

import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from gongzhi.core.models import User
from gongzhi.core.roles import Role
from tests.browser.conftest import screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def _code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_second_factor_enrolment_and_password_change(page, world, settings):
    settings.OTP_REQUIRED = True  # the journeys' fixture switches it off; this one is about it
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, name="王网格")

    posted = submit_login(page, worker.username)
    assert posted.status == 302
    page.wait_for_url("**/login/otp/setup/**")
    qr = page.get_by_test_id("otp-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('[data-testid=otp-qr]').naturalWidth") > 0
    screenshot(page, "otp_setup")

    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    page.fill("input[name=code]", _code(device))
    page.click("[data-testid=otp-form] button[type=submit]")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="继续").click()
    page.wait_for_url(re.compile(r"https?://[^/]+/$"))
    expect(page.get_by_test_id("current-user")).to_contain_text("王网格")

    page.get_by_test_id("password-change-link").click()
    page.wait_for_url("**/account/password/")
    page.fill("input[name=old_password]", "Gz-test-pass-2026")
    page.fill("input[name=new_password]", "short")
    page.fill("input[name=new_password2]", "short")
    page.click("[data-testid=password-form] button[type=submit]")
    expect(page.get_by_test_id("error-new_password").first).to_contain_text("密码太短")
    page.fill("input[name=old_password]", "Gz-test-pass-2026")
    page.fill("input[name=new_password]", "Gz-browser-2026")
    page.fill("input[name=new_password2]", "Gz-browser-2026")
    page.click("[data-testid=password-form] button[type=submit]")
    page.wait_for_url(re.compile(r"https?://[^/]+/$"))
    expect(page.locator(".alert")).to_contain_text("密码已修改")
    assert User.objects.get(pk=worker.pk).check_password("Gz-browser-2026")
    screenshot(page, "password_changed")

    # The statistics page draws its charts from a script carrying the response's nonce.
    page.goto("/tickets/stats/")
    expect(page.locator("#stats-chart-rows canvas")).to_have_count(1)
    assert violations == []
