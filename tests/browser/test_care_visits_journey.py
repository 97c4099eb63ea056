"""Care visits in headless Chromium (issue 24 item 1): a grid worker with an overdue visit opens
我的走访 on the phone, records the visit with a photo and a need → one tap on the plan's page
makes the need a ticket (a patrol report) → the community's board shows the grid's overdue
count dropped from 1 to 0."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from PIL import Image
from playwright.sync_api import expect

from gongzhi.care import services
from gongzhi.care.models import Visit, VisitPhoto
from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.people.models import Relation, Resident, ResidentTag, Tag
from gongzhi.places.models import Household, Place
from gongzhi.tickets.models import Category, Channel, Ticket
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.test_care_journey import _phone, submit_login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2026, 7, 1, 9, 0)


def _desk(browser, live_server):
    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    desk.set_default_timeout(TIMEOUT_MS)
    return desk


def _board_overdue(browser, live_server, worker, grid_name, name):
    desk = _desk(browser, live_server)
    page = desk.new_page()
    try:
        submit_login(page, worker.username)
        page.goto("/care/visits/")
        row = page.get_by_test_id("figure-row").filter(has_text=grid_name)
        text = row.get_by_test_id("grid-overdue").inner_text().strip()
        screenshot(page, name)
        return text
    finally:
        desk.close()


def test_visit_on_the_phone_need_to_ticket_board_overdue_drops(
    browser, live_server, world, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path)
    grid = world.grid_a1_1
    building = grid.buildings[0]
    Place.objects.filter(pk=building.pk).update(
        centre_lat=Decimal("30.500000"), centre_lng=Decimal("114.400000")
    )
    home = Household.objects.filter(building=building).first() or Household.objects.create(
        building=building, unit_no="1", room_no="0101", place_path=building.path
    )
    elder = Resident.objects.create(
        name="孙奶奶",
        name_initials="snn",
        gender="F",
        household=home,
        relation=Relation.HEAD,
        place_path=building.path,
    )
    ResidentTag.objects.create(resident=elder, tag=Tag.LIVING_ALONE)
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区干事")
    visitor = make_user(Role.GRID_WORKER, grid, name="网格员小周")
    Category.objects.create(code="t-care-help", name="助老帮扶")
    clock.set_now(T0 - dt.timedelta(days=3))
    plan = services.plan_visits(elder, Tag.LIVING_ALONE, visitor=visitor, actor=worker)
    clock.set_now(T0)

    assert (
        _board_overdue(browser, live_server, worker, grid.name, "care-visits-board-before") == "1"
    )

    phone = _phone(browser, live_server)
    small = phone.new_page()
    photo = tmp_path / "visit.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, format="JPEG")
    photo.write_bytes(buffer.getvalue())
    try:
        submit_login(small, visitor.username)
        small.goto("/care/visits/mine/")
        expect(small.get_by_test_id("overdue")).to_have_count(1)
        small.get_by_test_id("record-visit").click()
        form = small.get_by_test_id("visit-form")
        form.locator("textarea[name=found]").fill("老人腿脚不便，精神尚好。")
        form.locator("textarea[name=need]").fill("卫生间需要装扶手")
        form.locator("input[name=photo]").set_input_files(str(photo))
        small.get_by_test_id("save-visit").click()
        expect(small.get_by_test_id("visit-photo")).to_have_count(1)
        small.get_by_test_id("ticket-form").locator("select").select_option(label="助老帮扶")
        small.get_by_test_id("raise-ticket").click()
        expect(small.get_by_test_id("ticket")).to_be_visible()
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(small, "care-visit-ticket-phone")
    finally:
        phone.close()

    visit = Visit.objects.get(plan=plan)
    assert VisitPhoto.objects.filter(visit=visit).exists()
    ticket = Ticket.objects.get()
    assert visit.ticket_id == ticket.pk and ticket.channel == Channel.PATROL
    assert "扶手" in ticket.text

    assert _board_overdue(browser, live_server, worker, grid.name, "care-visits-board-after") == "0"
