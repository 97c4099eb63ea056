"""The cockpit (数字驾驶舱) in headless Chromium: a street officer opens it at 1920×1080 and at
1440×900 — the live figures equal the hand counts, both charts and the grid map are drawn
(outlines only: no tile server configured, so no tile is requested), the ranking of the latest
published round is listed, axe finds nothing serious — and the screen refreshes itself without
reloading the page. Screenshots in test-results/cockpit-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.evaluation import cockpit
from tests.browser import axe
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.evaluation.test_cockpit import (  # noqa: F401  (fixtures)
    NOW,
    data,
    fresh_cache,
    now,
    published_round,
    ticket,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _square(x: int) -> dict:
    lng = 114.0 + 0.012 * x
    ring = [[lng, 30.0], [lng + 0.01, 30.0], [lng + 0.01, 30.01], [lng, 30.01], [lng, 30.0]]
    return {"type": "Polygon", "coordinates": [ring]}


def _open(browser, live_server, width: int, height: int):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": height},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    context.set_default_timeout(TIMEOUT_MS)
    return context


def test_the_street_cockpit_at_two_sizes(browser, live_server, data, settings, monkeypatch):  # noqa: F811
    settings.MAP_TILE_URL = ""
    monkeypatch.setattr(cockpit, "REFRESH", 10)
    monkeypatch.setattr(cockpit, "TTL", 1)
    for x, grid in enumerate((data.grid_a1_1, data.grid_a1_2, data.grid_a2_1)):
        grid.boundary = _square(x)
        grid.save()
    published_round(data, data.district, "2025年度社区治理指数", dt.date(2025, 1, 1),
                    [(data.community_b1, "95"), (data.community_a2, "88"),
                     (data.community_a1, "75.5")])  # fmt: skip
    officer = make_user(Role.STREET_OFFICER, data.street_a, name="街道干部")

    for width, height in ((1920, 1080), (1440, 900)):
        context = _open(browser, live_server, width, height)
        page = context.new_page()
        tiles = []
        page.on("request", lambda r, seen=tiles: seen.append(r.url) if "tile" in r.url else None)
        try:
            submit_login(page, officer.username)
            page.goto("/cockpit/")
            expect(page.locator("body[data-loaded=true]")).to_have_count(1)
            expect(page.get_by_test_id("cockpit-title")).to_contain_text("珞南街道")
            values = {
                key: page.get_by_test_id(f"figure-value-{key}").inner_text()
                for key in ("tickets_today", "overdue", "pool", "volunteers", "tasks_at_risk")
            }
            assert values == {
                "tickets_today": "3", "overdue": "1", "pool": "2", "volunteers": "2",
                "tasks_at_risk": "2",
            }  # fmt: skip
            expect(page.get_by_test_id("figure-tickets_today")).to_contain_text("今日工单")
            # The map: three grid outlines, no tile layer.
            expect(page.locator("#gz-ck-map[data-grids='3']")).to_have_count(1)
            expect(page.locator("#gz-ck-map path.leaflet-interactive")).to_have_count(3)
            assert page.locator("#gz-ck-map .leaflet-tile").count() == 0
            assert tiles == []
            expect(page.get_by_test_id("cockpit-legend")).to_contain_text("工单热力")
            # The charts: ECharts canvases with 12 months and one round.
            expect(page.locator("#gz-ck-chart-tickets[data-points='12'] canvas")).to_have_count(1)
            expect(page.locator("#gz-ck-chart-index[data-points='1'] canvas")).to_have_count(1)
            # The ranking: street A's communities in the published round.
            expect(page.get_by_test_id("cockpit-round")).to_have_text("2025年度社区治理指数")
            rows = page.locator("#gz-ck-rank-rows tr")
            expect(rows).to_have_count(2)
            expect(rows.first).to_contain_text("珞南二社区")
            expect(page.get_by_test_id("cockpit-updated")).not_to_have_text("正在加载…")
            # One screen: nothing scrolls at these sizes.
            overflow = page.evaluate(
                "() => document.documentElement.scrollHeight - window.innerHeight"
            )
            assert overflow <= 2, f"the page scrolls by {overflow}px at {width}×{height}"
            screenshot(page, f"cockpit-{width}")
            axe.check(page, f"cockpit {width}×{height}")
        finally:
            context.close()

    # It refreshes itself: a new ticket shows at the next poll, the page is not reloaded.
    context = _open(browser, live_server, 1440, 900)
    page = context.new_page()
    try:
        submit_login(page, officer.username)
        page.goto("/cockpit/")
        expect(page.get_by_test_id("figure-value-tickets_today")).to_have_text("3")
        page.evaluate("() => { window.gzNotReloaded = true; }")
        first = page.get_by_test_id("cockpit-updated").get_attribute("datetime")
        ticket(data.grid_a1_1, data.grid_a1_1, created=NOW)
        expect(page.get_by_test_id("figure-value-tickets_today")).to_have_text("4", timeout=25_000)
        assert page.evaluate("() => window.gzNotReloaded") is True
        assert (
            page.get_by_test_id("cockpit-updated").get_attribute("datetime") == first
        )  # frozen clock
        # Choosing another colouring refetches at once.
        page.get_by_test_id("cockpit-map-pick").select_option("heat")
        expect(page.get_by_test_id("cockpit-map")).to_have_attribute("data-grids", "3")
    finally:
        context.close()
