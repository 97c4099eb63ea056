"""Browser fixtures: Debian's Chromium, headless, driven by Playwright's sync API.

The browser is launched once per test process (xdist worker) and each test gets a
fresh context (cookies, storage, viewport) against pytest-django's `live_server`.
We never run `playwright install`: the browser is /usr/bin/chromium from apt
(scripts/setup-system.sh installs it).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

# Playwright's sync API keeps an asyncio event loop in the main thread; Django would
# otherwise refuse ORM calls made by the test itself ("async unsafe").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("GONGZHI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make system` (scripts/setup-system.sh)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def browser_context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    return browser_context.new_page()


@pytest.fixture
def phone_page(browser, live_server):
    """A page the size of a common phone (390×844), with touch."""
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
    yield context.new_page()
    context.close()


def submit_login(page, identifier: str, password: str = PASSWORD):
    """Fill the real login form at /login/ and submit it; return the POST response."""
    if not page.url.endswith("/login/"):
        page.goto("/login/")
    page.fill("input[name=identifier]", identifier)
    page.fill("input[name=password]", password)
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/login/" in r.url
    ) as posted:
        # The login form's own button: the page frame has other forms (the text-size switch).
        page.click("form:has(input[name=identifier]) button[type=submit]")
    page.wait_for_load_state()
    return posted.value


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as test-results/<name>.png (the folder is gitignored)."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{re.sub(r'[^A-Za-z0-9_-]', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
