"""A door-to-door verification round in headless Chromium (issue 24 item 2): the community
worker starts a round over the rented homes from the rentals page → the grid worker answers a
home's checklist on the phone → the round shows 1 of 2 checked and the roll-up downloads."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.care import services
from gongzhi.care.models import CheckItem, CheckRound
from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.people import services as people
from gongzhi.people.idcard import make_id
from gongzhi.places.models import Household
from tests.browser.conftest import screenshot
from tests.browser.test_care_journey import _phone, submit_login
from tests.browser.test_care_visits_journey import _desk
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2026, 7, 1, 9, 0)


def test_round_sent_from_rentals_checked_on_the_phone(browser, live_server, world):
    clock.set_now(T0)
    grid = world.grid_a1_1
    building = grid.buildings[0]
    homes = [
        Household.objects.create(
            building=building, unit_no="2", room_no=f"0{i}02", place_path=building.path
        )
        for i in (1, 2)
    ]
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区干事")
    checker = make_user(Role.GRID_WORKER, grid, name="网格员小周")
    landlord = people.create_resident(
        actor=worker,
        household=homes[0],
        name="房东老周",
        id_number=make_id("420111", dt.date(1966, 6, 6), 17),
    )
    for home in homes:
        services.mark_rented(home, actor=worker, landlord=landlord)

    desk = _desk(browser, live_server)
    page = desk.new_page()
    try:
        submit_login(page, worker.username)
        page.goto("/care/rentals/")
        page.get_by_test_id("start-round").click()
        form = page.get_by_test_id("round-form")
        form.locator("select[name=place]").select_option(str(world.community_a1.pk))
        form.locator("input[name=title]").fill("出租屋夏季核查")
        form.locator("select[name=scope]").select_option("rented")
        form.locator("input[name=due_on]").fill("2026-07-15")
        page.get_by_test_id("round-send").click()
        expect(page.get_by_test_id("round-item")).to_have_count(2)
    finally:
        desk.close()
    sent = CheckRound.objects.get()

    phone = _phone(browser, live_server)
    small = phone.new_page()
    try:
        submit_login(small, checker.username)
        small.goto(f"/care/rounds/{sent.pk}/?todo=1")
        small.get_by_test_id("check-item").first.click()
        form = small.get_by_test_id("check-form")
        for code in ("people_match", "lease_valid", "landlord_reachable"):
            form.locator(f"input[name={code}][value=yes]").check()
        form.locator("input[name=fire_safe][value=no]").check()
        form.locator("textarea[name=note]").fill("楼道内有电动车充电")
        small.get_by_test_id("save-check").click()
        expect(small.get_by_test_id("round-item")).to_have_count(1)  # the one left to check
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(small, "care-round-phone")
    finally:
        phone.close()
    done = CheckItem.objects.get(round=sent, checked_at__isnull=False)
    assert done.answers["fire_safe"] == "no" and done.checked_by_id == checker.pk

    desk = _desk(browser, live_server)
    page = desk.new_page()
    try:
        submit_login(page, worker.username)
        page.goto("/care/rentals/")
        expect(page.get_by_test_id("round-checked")).to_have_text("1 / 2")
        with page.expect_download() as download:
            page.get_by_test_id("round-rollup").click()
        assert download.value.suggested_filename == f"round-{sent.pk}.xlsx"
        screenshot(page, "care-round-rentals")
    finally:
        desk.close()
