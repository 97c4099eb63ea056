"""Owners' committee in headless Chromium: the community secretary sets up the committee of an
estate, records its term and members, and the page shows the party share against the local
profile (002 §三(一)4); then on a phone-sized page the same committee page is usable."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.estates.models import OwnersCommittee
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.places.models import Household
from tests.browser.conftest import TIMEOUT_MS, screenshot, submit_login
from tests.conftest import make_user
from tests.estates.conftest import PROFILE, TODAY, party_member, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_records_a_committee_term_and_sees_the_shares(
    browser, live_server, world, profile_dir
):
    (profile_dir / "estates-test.yaml").write_text(PROFILE)
    world.district.policy_profile = "estates-test"
    world.district.save()
    clock.set_now(TODAY)
    estate = world.grid_a1_1.estate
    homes = list(Household.objects.filter(building=world.grid_a1_1.buildings[0]).order_by("id"))
    org = PartyOrg.objects.create(
        kind=OrgKind.COMMUNITY_COMMITTEE,
        name="珞南一社区大党委",
        place=world.community_a1,
        place_path=world.community_a1.path,
    )
    chair = resident(homes[0], "党员甲")
    party_member(chair, org)
    party_member(resident(homes[1], "党员乙"), org)
    resident(homes[0], "群众丙")
    resident(homes[1], "群众丁")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        submit_login(page, secretary.username)
        page.goto("/estates/")
        page.get_by_text("登记业主委员会").click()
        form = page.get_by_test_id("committee-form")
        form.locator("select[name=estate]").select_option(label=estate.name)
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("业主委员会已登记")).to_be_visible()
        page.get_by_role("link", name=f"{estate.name}业主委员会").click()

        term = page.get_by_test_id("term-form")
        term.locator("input[name=number]").fill("1")
        term.locator("input[name=starts_on]").fill("2026-01-01")
        term.locator("input[name=ends_on]").fill("2030-12-31")
        term.locator("input[name=seats]").fill("5")
        term.locator("button[type=submit]").click()
        expect(page.get_by_text("本届已登记")).to_be_visible()

        for name, is_chair in (("党员甲", True), ("群众丙", False), ("群众丁", False)):
            page.get_by_test_id("term-1").get_by_text("添加委员").click()
            member = page.get_by_test_id("member-form")
            member.locator("select[name=resident]").select_option(label=name)
            if is_chair:
                member.locator("input[name=is_chair]").check()
            member.locator("button[type=submit]").click()
            expect(page.get_by_text("成员已登记")).to_be_visible()

        shares = page.get_by_test_id("shares")
        expect(shares.get_by_test_id("member-share")).to_contain_text("3人中党员1人（33.3%）")
        expect(shares.get_by_test_id("member-share")).to_contain_text("002 §三(一)4")
        expect(shares.get_by_test_id("member-share")).to_contain_text("未达要求")
        screenshot(page, "estates_committee_short")

        page.get_by_test_id("term-1").get_by_text("添加委员").click()
        member = page.get_by_test_id("member-form")
        member.locator("select[name=resident]").select_option(label="党员乙")
        member.locator("button[type=submit]").click()
        expect(shares.get_by_test_id("member-share")).to_contain_text("4人中党员2人（50.0%）")
        expect(shares.get_by_test_id("member-share")).to_contain_text("符合要求")
        screenshot(page, "estates_committee_meets")
        committee_url = page.url
    finally:
        context.close()
        clock.set_now(None)
    assert OwnersCommittee.objects.get().terms.get().members.count() == 4

    phone = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    phone.set_default_timeout(TIMEOUT_MS)
    try:
        clock.set_now(TODAY)
        page = phone.new_page()
        submit_login(page, secretary.username)
        page.goto(committee_url)
        expect(page.get_by_test_id("member-share")).to_contain_text("符合要求")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width  # no sideways scrolling of the page on a phone
        screenshot(page, "estates_committee_phone")
    finally:
        phone.close()
        clock.set_now(None)
