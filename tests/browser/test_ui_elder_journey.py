"""A resident on a phone (issue 19): rates the second of two resolved tickets from 我的工单
(each rating form with its own star ids), finds every button at least 44 px tall, and switches
on the large-text mode, which is remembered on the next page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, HandlerKind, Kind
from gongzhi.tickets.workflow import Step
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser

RESIDENT_PAGES = ["/", "/tickets/mine/", "/tickets/new/", "/tickets/notifications/"]
TARGETS = ".btn:visible, .form-control:visible, .form-select:visible, .page-link:visible"


def _run(ticket, step, actor, **params):
    function, _names = tickets.STEPS[step]
    return function(ticket, actor=actor, **params)


@pytest.fixture
def two_resolved(world):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone="13900000088")
    gw = make_user(Role.GRID_WORKER, world.grid_a1_1)
    cw = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    pm = make_user(Role.PARTY_MEMBER, world.community_a1)
    repair = Category.objects.create(code="ui-repair", name="维修")
    resolved = []
    for text in ("水管漏水", "门禁坏了"):
        t = tickets.submit(actor=resident, kind=Kind.HELP, category=repair, text=text)
        t = _run(t, Step.ACCEPT, gw)
        t = _run(t, Step.ESCALATE, gw, note="需社区协调")
        t = _run(t, Step.DISPATCH, cw, handler_user=pm, handler_kind=HandlerKind.PARTY_MEMBER)
        t = _run(t, Step.START, pm)
        resolved.append(_run(t, Step.RESOLVE, pm, note="已修好"))
    return resident, resolved


@pytest.fixture
def phone(browser, live_server):
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


def _short_targets(page) -> list[str]:
    short = []
    for handle in page.locator(TARGETS).all():
        box = handle.bounding_box()
        if box and box["height"] < 43.5:
            short.append(
                f"{handle.evaluate('e => e.outerHTML.slice(0, 90)')} {box['height']:.0f}px"
            )
    return short


def test_resident_rates_the_second_ticket_with_large_buttons(two_resolved, phone):
    resident, (first, second) = two_resolved
    submit_login(phone, "13900000088")
    phone.goto("/tickets/mine/")
    forms = phone.get_by_test_id("rate")
    expect(forms).to_have_count(2)
    target = phone.locator(f"form[action$='/tickets/{second.pk}/confirm/']")
    target.locator("label", has_text="4").click()
    assert target.locator("input[name=rating][value='4']").is_checked()
    other = phone.locator(f"form[action$='/tickets/{first.pk}/confirm/']")
    assert not other.locator("input[name=rating]:checked").count()
    target.locator("button[type=submit]").click()
    phone.wait_for_load_state()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (second.status, second.rating) == ("confirmed", 4)
    assert first.status == "resolved"

    for url in RESIDENT_PAGES:
        phone.goto(url)
        assert not _short_targets(phone), (url, _short_targets(phone))


def test_large_text_mode_is_remembered(two_resolved, phone):
    submit_login(phone, "13900000088")
    phone.goto("/")
    size = phone.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    phone.get_by_test_id("text-size").click()
    phone.wait_for_load_state()
    phone.goto("/tickets/mine/")
    larger = phone.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert larger >= 20 and larger > size
    expect(phone.locator("html")).to_have_class("gz-large")
    assert not _short_targets(phone)
    phone.goto("/")
    screenshot(phone, "ui-resident-home-large-text-390")
