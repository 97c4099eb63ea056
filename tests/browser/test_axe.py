"""Accessibility in the suite (issue 19): axe-core (npm, injected by tests/browser/axe.py) finds
no critical or serious WCAG 2 A/AA violation on the key pages of each role — residents' pages on
a 390×844 phone, also in the large-text mode, staff pages on a 1440×900 desktop."""

from __future__ import annotations

import pytest

from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, Kind
from tests.browser import axe
from tests.browser.conftest import TIMEOUT_MS, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
RESIDENT_PHONE = "13900000077"

# (who, url, large text); "{ticket}" is the demo ticket's id. Who: None (not logged in),
# "resident" (phone), "gw" grid worker, "cs" community secretary (desktop).
PAGES = [
    (None, "/login/", False),
    (None, "/funds/public/", False),
    (None, "/no-such-page/", False),
    ("resident", "/", False),
    ("resident", "/", True),
    ("resident", "/tickets/new/", False),
    ("resident", "/tickets/new/", True),
    ("resident", "/tickets/mine/", False),
    ("resident", "/tickets/mine/", True),
    ("resident", "/tickets/{ticket}/", False),
    ("resident", "/volunteering/activities/", False),
    ("resident", "/volunteering/points/", False),
    ("resident", "/deliberation/topics/", False),
    ("resident", "/owners/", False),
    ("resident", "/microprojects/", False),
    ("resident", "/care/mine/", True),
    ("resident", "/selections/mine/", True),
    ("gw", "/", False),
    ("gw", "/tickets/queue/", False),
    ("gw", "/tickets/{ticket}/", False),
    ("cs", "/", False),
    ("cs", "/tickets/board/", False),
    ("cs", "/tickets/pool/", False),
    ("cs", "/tickets/map/", False),
    ("cs", "/people/", False),
    ("cs", "/places/", False),
    ("cs", "/volunteering/activities/", False),
    ("cs", "/deliberation/topics/", False),
    ("cs", "/care/notices/", False),
    ("cs", "/keytasks/", False),
    ("cs", "/mediation/", False),
    ("cs", "/estates/", False),
    ("cs", "/organisations/", False),
    ("cs", "/evaluation/", False),
    ("cs", "/no-such-page/", False),
    ("so", "/evaluation/", False),
    ("so", "/selections/", False),
]


@pytest.fixture
def cast(world):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone=RESIDENT_PHONE)
    gw = make_user(Role.GRID_WORKER, world.grid_a1_1)
    cs = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    so = make_user(Role.STREET_OFFICER, world.street_a)
    repair = Category.objects.create(code="axe-repair", name="维修")
    ticket = tickets.submit(actor=resident, kind=Kind.HELP, category=repair, text="楼道灯不亮")
    return {
        "resident": RESIDENT_PHONE,
        "gw": gw.username,
        "cs": cs.username,
        "so": so.username,
        "ticket": ticket,
    }


def _context(browser, live_server, who):
    phone = who == "resident"
    return browser.new_context(
        base_url=live_server.url,
        viewport=PHONE if phone else DESKTOP,
        device_scale_factor=2 if phone else 1,
        is_mobile=phone,
        has_touch=phone,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )


@pytest.mark.parametrize(
    "who,url,large",
    PAGES,
    ids=[f"{w or 'anon'}-{u}-{'large' if g else 'std'}" for w, u, g in PAGES],
)
def test_no_serious_accessibility_violations(browser, live_server, cast, who, url, large):
    context = _context(browser, live_server, who)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        if who:
            submit_login(page, cast[who])
        if large:
            page.goto("/")
            page.get_by_test_id("text-size").click()
            page.wait_for_load_state()
        page.goto(url.format(ticket=cast["ticket"].pk))
        page.wait_for_load_state("networkidle")
        if large:
            assert page.locator("html.gz-large").count() == 1
        axe.check(page, f"{who or 'anonymous'} {url}{' (large text)' if large else ''}")
    finally:
        context.close()
