"""The daily loop in headless Chromium: a resident submits on the phone → the grid worker
accepts and escalates → the community publishes to the pool → a party member takes, starts
and resolves → the resident rates. Each person uses their own browser context and logs in
through the real form. The resident attaches a photo; the grid worker sees its thumbnail."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from PIL import Image
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.tickets.models import Ticket
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

seed = importlib.import_module("gongzhi.tickets.migrations.0002_default_categories")

pytestmark = pytest.mark.browser


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(user, phone=False):
        options = {"base_url": live_server.url, "locale": "zh-CN"}
        if phone:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        submit_login(page, user.phone_login if phone else user.username)
        return page

    yield _open
    for context in contexts:
        context.close()


def _step(page, ticket, step, note=None):
    page.goto(f"/tickets/{ticket.pk}/")
    form = page.locator(f"[data-testid=steps] form[action$='/{ticket.pk}/{step}/']")
    if note is not None:
        form.locator("input[name=note]").fill(note)
    form.locator("button").click()
    page.wait_for_load_state()


def test_resident_to_rating_through_the_pages(as_user, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "lamp.jpg"
    Image.new("RGB", (320, 240), (40, 90, 160)).save(photo, "JPEG")
    # Transactional tests flush the data-migration rows: seed the default tree again.
    seed.create(apps, None)
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(
        Role.RESIDENT, building, household=home, phone="13900000077", name="吴阿姨"
    )
    resident.phone_login = "13900000077"
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1, name="陈网格")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="张书记")
    member = make_user(Role.PARTY_MEMBER, world.community_a1, name="赵党员")

    phone = as_user(resident, phone=True)
    phone.goto("/tickets/new/")
    phone.select_option("select[name=kind]", "help")
    # A category the grid handles first (the default tree routes 路灯照明 to the grid).
    lamp = phone.locator("select[name=category] option", has_text="路灯").get_attribute("value")
    phone.select_option("select[name=category]", lamp)
    phone.fill("textarea[name=text]", "楼道灯坏了，晚上很黑，请尽快维修。")
    phone.set_input_files("input[name=photos]", str(photo))
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    expect(phone.locator("main")).to_contain_text(ticket.number)
    screenshot(phone, "ticket-submitted")

    assert ticket.photos.count() == 1

    desk = as_user(grid_worker)
    desk.goto(f"/tickets/{ticket.pk}/")
    thumb = desk.locator("[data-testid=timeline] img.gz-thumb")
    expect(thumb).to_have_count(1)
    expect(thumb).to_be_visible()
    # Loaded through the checking view (a broken image has no natural width).
    desk.wait_for_function(
        "() => { const i = document.querySelector('img.gz-thumb'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    screenshot(desk, "ticket-photo-thumbnail")
    _step(desk, ticket, "accept")
    _step(desk, ticket, "escalate", note="需要社区协调电工")
    ticket.refresh_from_db()
    assert ticket.status == "escalated"

    board = as_user(secretary)
    _step(board, ticket, "pool")
    ticket.refresh_from_db()
    assert ticket.status == "pooled"

    party = as_user(member)
    party.goto("/tickets/pool/")
    expect(party.locator("main")).to_contain_text(ticket.number)
    _step(party, ticket, "take")
    _step(party, ticket, "start")
    _step(party, ticket, "resolve", note="已更换灯泡")
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.handler_user_id == member.pk

    phone.goto(f"/tickets/{ticket.pk}/")
    rate = phone.get_by_test_id("rate")
    rate.locator("label[for=star5]").click()
    rate.locator("textarea[name=comment]").fill("很及时，谢谢！")
    rate.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    expect(phone.get_by_test_id("rating")).to_contain_text("5")
    ticket.refresh_from_db()
    assert ticket.status == "confirmed" and ticket.rating == 5
    assert list(ticket.events.values_list("to_status", flat=True))[-1] == "confirmed"
    screenshot(phone, "ticket-rated")
