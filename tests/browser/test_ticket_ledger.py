"""Issue 19: the community secretary finds a ticket in the ledger by the last four digits of
the resident's phone, and exports the filtered list — in headless Chromium at 1440×900."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.tickets import services
from gongzhi.tickets.models import Category, Kind
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_secretary_finds_a_ticket_by_phone_digits_and_exports_it(browser, live_server, world):
    repair = Category.objects.create(code="b-repair", name="维修")
    b1, b2 = world.grid_a1_1.buildings
    homes = Household.objects.filter(building__in=[b1, b2]).order_by("id")
    caller = make_user(Role.RESIDENT, b1, household=homes[0], phone="13912345678", name="李秀英")
    other = make_user(Role.RESIDENT, b2, household=homes.last(), phone="13987650000")
    wanted = services.submit(actor=caller, kind=Kind.HELP, category=repair, text="三楼水管漏水")
    services.submit(actor=other, kind=Kind.HELP, category=repair, text="楼道灯坏了")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="社区书记")

    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 1440, "height": 900},
        locale="zh-CN",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        submit_login(page, secretary.username)
        page.goto("/")
        # The menu offers the ledger (under Tickets, a dropdown on the desktop).
        expect(page.locator("a[href='/tickets/ledger/']").first).to_be_attached()
        page.goto("/tickets/ledger/")
        expect(page.locator("h1")).to_have_text("全部工单台账")
        expect(page.locator("[data-testid=ledger-row]")).to_have_count(2)

        page.fill("[data-testid=ledger-phone]", "5678")
        page.click("[data-testid=ledger-search-button]")
        page.wait_for_load_state()
        rows = page.locator("[data-testid=ledger-row]")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(wanted.number)
        expect(rows.first).to_contain_text("李秀英")
        assert "5678" not in page.url and "pt=" in page.url
        screenshot(page, "ticket_ledger_phone_digits_1440")

        with page.expect_download() as download_info:
            page.click("[data-testid=ledger-export]")
        download = download_info.value
        assert download.suggested_filename.endswith(".xlsx")
        book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
        values = [list(r) for r in book.active.iter_rows(values_only=True)]
        assert len(values) == 2  # the header and the one ticket found
        assert values[1][0] == wanted.number
        assert "139****5678" in values[1] and "13912345678" not in str(values)
    finally:
        context.close()
