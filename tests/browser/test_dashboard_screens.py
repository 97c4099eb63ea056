"""The workbench of every role at 1440×900 and the resident's home at 390×844 in large-text
mode (issue 19 item 1): screenshots kept under test-results/ (not committed) to be looked at;
the page uses the width on a desktop (to-do tiles side by side, no sideways scrolling) and
stacks on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from tests.browser.conftest import CHROMIUM_ARGS, TIMEOUT_MS, screenshot, submit_login
from tests.ui.test_no_forbidden_buttons import _build

pytestmark = pytest.mark.browser

ROLES = [
    Role.GRID_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_WORKER,
    Role.STREET_OFFICER,
    Role.DISTRICT_OFFICER,
    Role.BUILDING_HEAD,
    Role.PROPERTY_STAFF,
    Role.PARTY_MEMBER,
    Role.VOLUNTEER,
    Role.PARTNER_CONTACT,
    Role.MERCHANT,
    Role.SYSTEM_ADMIN,
]
STAFF = {
    Role.GRID_WORKER,
    Role.COMMUNITY_SECRETARY,
    Role.COMMUNITY_WORKER,
    Role.STREET_OFFICER,
    Role.DISTRICT_OFFICER,
}


@pytest.fixture
def built(transactional_db, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    return _build()


def _context(browser, live_server, **extra):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **extra
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert width <= 1, f"the page scrolls sideways by {width}px"


def test_every_roles_workbench_and_the_residents_large_text_home(built, browser, live_server):
    assert CHROMIUM_ARGS  # the fixtures' browser
    for role in ROLES:
        context = _context(browser, live_server, viewport={"width": 1440, "height": 900})
        page = context.new_page()
        submit_login(page, built[role].username)
        page.goto("/")
        expect(page.locator("main h1")).to_be_visible()
        if role in STAFF:
            tiles = page.get_by_test_id("todo")
            expect(tiles.first).to_be_visible()
            # Tiles sit side by side on a desktop: the second is right of the first.
            if tiles.count() > 1:
                a, b = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
                assert b["x"] > a["x"] + a["width"] - 1 and abs(b["y"] - a["y"]) < 2
            expect(page.get_by_test_id("today")).to_be_visible()
        _no_sideways_scroll(page)
        screenshot(page, f"dashboard-{role}-1440")
        context.close()

    context = _context(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    context.add_cookies([{"name": "gz_text", "value": "large", "url": live_server.url}])
    phone = context.new_page()
    submit_login(phone, "13900000001")
    phone.goto("/")
    expect(phone.locator("html.gz-large")).to_have_count(1)
    expect(phone.get_by_test_id("services")).to_be_visible()
    _no_sideways_scroll(phone)
    screenshot(phone, "resident-home-390-large")
    # A party member's home on a phone: his to-dos stack above the service tiles.
    context.clear_cookies()
    context.add_cookies([{"name": "gz_text", "value": "large", "url": live_server.url}])
    submit_login(phone, built[Role.PARTY_MEMBER].username)
    phone.goto("/")
    expect(phone.get_by_test_id("todo").first).to_be_visible()
    _no_sideways_scroll(phone)
    screenshot(phone, "party-member-home-390-large")
    context.close()
