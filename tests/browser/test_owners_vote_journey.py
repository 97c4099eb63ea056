"""An owners' vote in headless Chromium: the owner votes on the phone, staff enter the other
owner's paper ballot, close the vote after its window and see every threshold on the result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.owners import services
from gongzhi.owners.models import Ballot, Matter, OwnersVote, RollEntry
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _context(browser, live_server, phone=False):
    options = {"base_url": live_server.url, "locale": "zh-CN"}
    if phone:
        options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


SCAN = {
    "name": "ballot.pdf",
    "mimeType": "application/pdf",
    "buffer": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
}


def test_owner_votes_and_staff_sees_the_result(browser, live_server, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    building = world.grid_a1_1.buildings[0]
    homes = list(Household.objects.filter(building=building).order_by("id"))
    for home, area in zip(homes, ("90", "60"), strict=True):
        home.exclusive_area_m2 = Decimal(area)
        home.save()
    owner = make_user(Role.RESIDENT, building, household=homes[0], phone="13900000031")
    Resident.objects.create(
        name="吴业主",
        name_initials="wyz",
        gender="F",
        household=homes[0],
        relation=Relation.HEAD,
        place_path=building.path,
        user=owner,
    )
    staff = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者")
    now = clock.now()
    services.import_roll(world.grid_a1_1.estate, actor=staff)
    vote = services.create_vote(
        world.grid_a1_1.estate,
        actor=staff,
        title="使用维修资金更换电梯",
        matter=Matter.MAJOR,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(hours=1),
    )
    vote = services.open_vote(vote, actor=staff)

    phone = _context(browser, live_server, phone=True)
    page = phone.new_page()
    submit_login(page, "13900000031")
    page.goto("/owners/")
    page.get_by_text("使用维修资金更换电梯").click()
    page.get_by_role("button", name="同意").click()
    expect(page.get_by_text("您的投票已计入")).to_be_visible()
    screenshot(page, "owners_vote_phone")
    phone.close()
    assert Ballot.objects.get().channel == "online"

    desk = _context(browser, live_server)
    page = desk.new_page()
    submit_login(page, staff.username)
    other = RollEntry.objects.exclude(name="吴业主").get(vote=vote)
    page.goto(f"/owners/vote/{vote.pk}/")
    page.fill("input[name=ballot_id]", "FORGED0000000000")
    page.set_input_files("input[name=scan]", SCAN)
    page.fill("input[name=scan_ref]", "SCAN-1")
    page.locator("form[action$='/paper/'] button").click()
    expect(page.get_by_text("本次表决没有这个编号的选票")).to_be_visible()
    page.fill("input[name=ballot_id]", other.ballot_id)
    page.set_input_files("input[name=scan]", SCAN)
    page.fill("input[name=scan_ref]", "SCAN-1")
    page.locator("form[action$='/paper/'] button").click()
    expect(page.get_by_text("纸质选票已录入")).to_be_visible()
    expect(page.get_by_test_id("scan-link")).to_be_visible()
    clock.set_now(now + dt.timedelta(hours=2))
    try:
        page.goto(f"/owners/vote/{vote.pk}/")
        page.get_by_role("button", name="结束并计票").click()
        expect(page.get_by_text("结果：通过")).to_be_visible()
        expect(page.get_by_text("150.00 / 150.00 m²").first).to_be_visible()
        screenshot(page, "owners_vote_result")
    finally:
        clock.set_now(None)
        desk.close()
    assert OwnersVote.objects.get(pk=vote.pk).result["passed"] is True
    paper = Ballot.objects.get(channel="paper")
    assert paper.scan_type == "application/pdf" and len(paper.scan_sha256) == 64
