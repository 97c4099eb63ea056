"""The Leaflet parts without tiles: a resident picks the spot on the submit form's map and the
ticket goes to the grid containing it; staff see grid outlines and ticket markers on the map."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.tickets.models import Category, Ticket
from tests.browser.conftest import screenshot, submit_login
from tests.conftest import make_user
from tests.tickets.conftest import square

pytestmark = pytest.mark.browser


@pytest.fixture
def mapped(world, settings):
    settings.MAP_TILE_URL = ""
    for grid, box in (
        (world.grid_a1_1, (112.00, 28.00, 112.01, 28.01)),
        (world.grid_a1_2, (112.01, 28.00, 112.02, 28.01)),
    ):
        grid.boundary = square(*box)
        grid.save()
    from gongzhi.tickets import routing

    routing.clear_cache()
    Category.objects.create(code="b-lamp", name="路灯")
    return world


def _resident_at_the_map(page, mapped):
    building = mapped.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    make_user(Role.RESIDENT, building, household=home, phone="13900000088")
    submit_login(page, "13900000088")
    page.goto("/tickets/new/")
    lamp = Category.objects.get(code="b-lamp")
    page.select_option("select[name=category]", str(lamp.pk))
    page.fill("textarea[name=text]", "路口井盖缺失")
    # The resident's own building is chosen from the start.
    expect(page.locator("select[name=place]")).to_have_value(str(building.pk))
    page.locator("[data-testid=point-picker] summary").click()
    box = page.locator("#gz-point-map")
    expect(box.locator("path.leaflet-interactive")).to_have_count(2)  # the two grid outlines
    expect(box.locator(".gz-label-grid")).to_have_count(2)  # their names stay on the map
    # The map is fitted to both grids side by side: the right quarter is inside grid A1G2.
    box.scroll_into_view_if_needed()
    size = box.bounding_box()
    box.click(position={"x": size["width"] * 0.75, "y": size["height"] * 0.5})
    return building


def test_a_point_in_another_grid_asks_and_the_building_wins(phone_page, mapped):
    page = phone_page
    building = _resident_at_the_map(page, mapped)
    dialog = page.get_by_test_id("point-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(mapped.grid_a1_2.name)
    expect(dialog).to_contain_text(mapped.grid_a1_1.name)
    screenshot(page, "ticket-point-disagrees")
    page.get_by_test_id("choose-place").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("point-value")).to_have_text("")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert (ticket.place, ticket.grid, ticket.lat) == (building, mapped.grid_a1_1, None)
    # The resident reads the building and grid by name, never coordinates.
    expect(page.get_by_test_id("place-name")).to_contain_text(mapped.grid_a1_1.name)


def test_a_point_in_another_grid_asks_and_the_spot_wins(phone_page, mapped):
    page = phone_page
    _resident_at_the_map(page, mapped)
    page.get_by_test_id("choose-point").click()
    expect(page.locator("select[name=place]")).to_have_value("")
    # The spot is named by its grid, not by coordinates.
    expect(page.get_by_test_id("point-value")).to_contain_text(mapped.grid_a1_2.name)
    expect(page.get_by_test_id("point-value")).not_to_contain_text("112.")
    screenshot(page, "ticket-point-picked")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert ticket.place == mapped.grid_a1_2 and ticket.lng > Decimal("112.01")


def test_use_my_location_marks_the_spot(browser, live_server, mapped):
    building = mapped.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    make_user(Role.RESIDENT, building, household=home, phone="13900000089")
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation={"latitude": 28.005, "longitude": 112.005},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        submit_login(page, "13900000089")
        page.goto("/tickets/new/")
        page.locator("[data-testid=point-picker] summary").click()
        page.get_by_test_id("locate").click()
        expect(page.get_by_test_id("point-value")).to_contain_text(mapped.grid_a1_1.name)
        expect(page.get_by_test_id("point-dialog")).to_be_hidden()  # the building's own grid
        assert page.locator("input[name=lat]").input_value() == "28.005000"
    finally:
        context.close()


def test_a_refused_location_says_so_in_chinese(phone_page, mapped):
    building = mapped.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    make_user(Role.RESIDENT, building, household=home, phone="13900000090")
    page = phone_page
    submit_login(page, "13900000090")
    page.goto("/tickets/new/")
    page.locator("[data-testid=point-picker] summary").click()
    page.get_by_test_id("locate").click()  # no permission granted in this context
    expect(page.get_by_test_id("locate-message")).to_contain_text("地图上点选")


def test_staff_see_outlines_and_markers_without_tiles(page, mapped):
    from gongzhi.tickets import services
    from gongzhi.tickets.models import Channel, Kind

    worker = make_user(Role.COMMUNITY_WORKER, mapped.community_a1, name="社区员")
    services.submit(
        actor=worker,
        kind=Kind.REPORT,
        category=Category.objects.get(code="b-lamp"),
        text="路灯不亮",
        channel=Channel.PATROL,
        lat=Decimal("28.005"),
        lng=Decimal("112.005"),
    )
    submit_login(page, worker.username)
    page.goto("/tickets/map/")
    box = page.get_by_test_id("ticket-map")
    expect(box).to_have_attribute("data-loaded", "1")
    expect(box.locator("path.leaflet-interactive")).to_have_count(3)  # 2 outlines + 1 marker
    expect(box.locator("img.leaflet-tile")).to_have_count(0)
    expect(box.locator(".gz-label-grid")).to_have_count(2)
    expect(page.get_by_test_id("map-summary")).to_contain_text("1")
    screenshot(page, "ticket-map")


def test_staff_see_the_point_and_call_the_resident(page, mapped):
    from gongzhi.core.models import AuditRecord
    from gongzhi.tickets import services
    from gongzhi.tickets.models import Kind
    from tests.browser import axe

    building = mapped.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone="13900000091")
    ticket = services.submit(
        actor=resident,
        kind=Kind.HELP,
        category=Category.objects.get(code="b-lamp"),
        text="路灯不亮",
        lat=Decimal("28.005"),
        lng=Decimal("112.005"),
        place=building,
    )
    worker = make_user(Role.GRID_WORKER, mapped.grid_a1_1, name="网格员")
    submit_login(page, worker.username)
    page.goto(f"/tickets/{ticket.pk}/")
    box = page.get_by_test_id("point-map")
    expect(box.locator("path.leaflet-interactive")).to_have_count(0)  # drawn, not clickable
    expect(box.locator("path")).to_have_count(2)  # the grid outline and the point
    expect(box.locator(".gz-label-grid")).to_have_text(mapped.grid_a1_1.name)
    page.get_by_test_id("call").locator("summary").click()
    page.fill("#gz-call-reason", "上门前电话确认")
    page.get_by_test_id("call-form").locator("button[type=submit]").click()
    expect(page.get_by_test_id("call-link")).to_have_attribute("href", "tel:13900000091")
    assert AuditRecord.objects.filter(action="pii.reveal").count() == 1
    axe.check(page, "grid worker's ticket page with the point and the number")
    screenshot(page, "ticket-staff-point-call")
