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


def test_a_point_picked_on_the_map_routes_the_ticket(phone_page, mapped):
    building = mapped.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    make_user(Role.RESIDENT, building, household=home, phone="13900000088")
    page = phone_page
    submit_login(page, "13900000088")
    page.goto("/tickets/new/")
    lamp = Category.objects.get(code="b-lamp")
    page.select_option("select[name=category]", str(lamp.pk))
    page.fill("textarea[name=text]", "路口井盖缺失")
    page.locator("[data-testid=point-picker] summary").click()
    box = page.locator("#gz-point-map")
    expect(box.locator("path.leaflet-interactive")).to_have_count(2)  # the two grid outlines
    # The map is fitted to both grids side by side: the right quarter is inside grid A1G2.
    box.scroll_into_view_if_needed()
    size = box.bounding_box()
    box.click(position={"x": size["width"] * 0.75, "y": size["height"] * 0.5})
    expect(page.get_by_test_id("point-value")).to_contain_text(re.compile(r"28\.\d+, 112\.01"))
    screenshot(page, "ticket-point-picked")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert ticket.place == mapped.grid_a1_2 and ticket.lng > Decimal("112.01")


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
    expect(page.get_by_test_id("map-summary")).to_contain_text("1")
    screenshot(page, "ticket-map")
