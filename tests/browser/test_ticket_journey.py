"""The daily loop in headless Chromium, as the issue asks: a resident submits on the phone with a
photo → the grid worker accepts and escalates → the community dispatches (派单) to a party member,
who finds it through the notification bell, starts and resolves it → the resident rates. A
second journey takes the pool path: the community publishes to the pool and a party member
takes it there. Each person uses their own browser context and logs in through the real form;
the grid worker sees the photo's thumbnail."""

from __future__ import annotations

import importlib
import re
from types import SimpleNamespace

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


@pytest.fixture
def loop(world, tmp_path, settings):
    """The people of the loop, the default category tree and a photo to attach."""
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
    return SimpleNamespace(
        photo=photo,
        resident=resident,
        grid_worker=make_user(Role.GRID_WORKER, world.grid_a1_1, name="陈网格"),
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="张书记"),
        member=make_user(Role.PARTY_MEMBER, world.community_a1, name="赵党员"),
    )


def _submit_and_escalate(as_user, loop):
    """The resident submits on the phone with a photo; the grid worker, who sees its
    thumbnail, accepts and escalates. Returns (the resident's page, the ticket)."""
    phone = as_user(loop.resident, phone=True)
    phone.goto("/tickets/new/")
    phone.select_option("select[name=kind]", "help")
    # A category the grid handles first (the default tree routes 路灯照明 to the grid).
    lamp = phone.locator("select[name=category] option", has_text="路灯").get_attribute("value")
    phone.select_option("select[name=category]", lamp)
    phone.fill("textarea[name=text]", "楼道灯坏了，晚上很黑，请尽快维修。")
    phone.set_input_files("input[name=photos]", str(loop.photo))
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    expect(phone.locator("main")).to_contain_text(ticket.number)
    screenshot(phone, "ticket-submitted")
    assert ticket.photos.count() == 1

    desk = as_user(loop.grid_worker)
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
    return phone, ticket


def _resolve(page, ticket, member):
    _step(page, ticket, "start")
    _step(page, ticket, "resolve", note="已更换灯泡")
    ticket.refresh_from_db()
    assert ticket.status == "resolved" and ticket.handler_user_id == member.pk


def _rate(phone, ticket):
    phone.goto(f"/tickets/{ticket.pk}/")
    rate = phone.get_by_test_id("rate")
    rate.locator(f"label[for=star-{ticket.pk}-5]").click()  # ids unique per form
    rate.locator("textarea[name=comment]").fill("很及时，谢谢！")
    rate.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    expect(phone.get_by_test_id("rating")).to_contain_text("5")
    ticket.refresh_from_db()
    assert ticket.status == "confirmed" and ticket.rating == 5
    assert list(ticket.events.values_list("to_status", flat=True))[-1] == "confirmed"
    screenshot(phone, "ticket-rated")


def test_resident_to_rating_with_the_community_dispatching(as_user, loop):
    phone, ticket = _submit_and_escalate(as_user, loop)

    # The community dispatches (派单) to the party member from the ticket's page.
    board = as_user(loop.secretary)
    board.goto("/tickets/board/")
    expect(board.locator("main")).to_contain_text(ticket.number)
    board.goto(f"/tickets/{ticket.pk}/")
    form = board.locator(f"[data-testid=steps] form[action$='/{ticket.pk}/dispatch/']")
    choice = form.locator("select[name=handler] option", has_text="赵党员").get_attribute("value")
    form.locator("select[name=handler]").select_option(choice)
    screenshot(board, "ticket-dispatch")
    form.locator("button").click()
    board.wait_for_load_state()
    ticket.refresh_from_db()
    assert ticket.status == "dispatched" and ticket.handler_user_id == loop.member.pk

    # The party member hears of it through the bell and opens it from the notification centre.
    party = as_user(loop.member)
    party.goto("/")
    expect(party.get_by_test_id("unread-count")).to_have_text("1")
    party.get_by_test_id("notification-bell").click()
    party.wait_for_url("**/tickets/notifications/")
    row = party.get_by_test_id("notification").first
    expect(row).to_contain_text(ticket.number)
    expect(row).to_have_attribute("data-read", "0")
    screenshot(party, "notification-centre")
    row.click()
    party.wait_for_url(re.compile(rf".*/tickets/{ticket.pk}/$"))
    expect(party.get_by_test_id("unread-count")).to_have_count(0)
    _resolve(party, ticket, loop.member)

    # The resident sees the news on the phone's bell, then rates.
    phone.goto("/")
    expect(phone.get_by_test_id("unread-count")).to_be_visible()
    _rate(phone, ticket)


def test_resident_to_rating_through_the_pool(as_user, loop):
    phone, ticket = _submit_and_escalate(as_user, loop)

    board = as_user(loop.secretary)
    _step(board, ticket, "pool")
    ticket.refresh_from_db()
    assert ticket.status == "pooled"

    party = as_user(loop.member)
    party.goto("/tickets/pool/")
    expect(party.locator("main")).to_contain_text(ticket.number)
    _step(party, ticket, "take")
    _resolve(party, ticket, loop.member)
    _rate(phone, ticket)
