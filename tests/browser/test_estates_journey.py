"""Issue 14's journey in headless Chromium: the community secretary sets up the committee of an
estate and records its term from the owners' vote that elected it, then its members; the page
shows the party share against the local profile (002 §三(一)4); the street officer publishes
last year's ratings; a resident of the estate sees the property company's star level and the
committee on their phone (and the committee page is usable on a phone)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.estates import ratings, services
from gongzhi.estates.models import Evaluation, OwnersCommittee
from gongzhi.owners.models import Matter, OwnersVote, VoteStatus
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.places.models import Household
from tests.browser.conftest import PASSWORD, TIMEOUT_MS, screenshot
from tests.conftest import make_user
from tests.estates.conftest import GOOD_CODE, PROFILE, TODAY, party_member, resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, identifier: str, password: str = PASSWORD) -> None:
    """The login form's own submit button (the header holds other forms: text size)."""
    if not page.url.endswith("/login/"):
        page.goto("/login/")
    page.fill("input[name=identifier]", identifier)
    page.fill("input[name=password]", password)
    with page.expect_response(lambda r: r.request.method == "POST" and "/login/" in r.url):
        page.click("form:has(input[name=identifier]) button[type=submit]")
    page.wait_for_load_state()


def test_committee_from_an_election_shares_ratings_and_the_residents_star_level(
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
    street = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部")
    owner = make_user(Role.RESIDENT, homes[0].building, household=homes[0], phone="13900000077")
    person = resident(homes[0], "业主甲")
    person.user = owner
    person.save()
    OwnersVote.objects.create(
        estate=estate,
        place_path=estate.path,
        title="第一届业主委员会选举",
        matter=Matter.MAJOR,
        opens_at=dt.datetime(2025, 12, 1, 9, 0, tzinfo=dt.UTC),
        closes_at=dt.datetime(2025, 12, 20, 18, 0, tzinfo=dt.UTC),
        status=VoteStatus.CLOSED,
    )
    company = services.add_company(
        world.community_a1, actor=secretary, name="红星物业", credit_code=GOOD_CODE
    )
    services.add_contract(
        company,
        estate,
        actor=secretary,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2027, 12, 31),
        fee_yuan_per_m2="1.50",
    )
    ratings.assess(
        company,
        actor=secretary,
        year=2025,
        assessment=92,
        note="服务规范，居民认可",
        community=world.community_a1,
    )

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        login(page, secretary.username)
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
        term.locator("select[name=elected_by]").select_option(label="第一届业主委员会选举")
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
    term = OwnersCommittee.objects.get().terms.get()
    assert term.members.count() == 4
    assert term.elected_by is not None and term.elected_by.title == "第一届业主委员会选举"

    desk = browser.new_context(base_url=live_server.url, locale="zh-CN")
    desk.set_default_timeout(TIMEOUT_MS)
    try:
        clock.set_now(TODAY)
        page = desk.new_page()
        login(page, street.username)
        page.goto("/estates/ratings/?year=2025")
        page.get_by_text("发布年度星级评定和红黑榜").click()
        form = page.get_by_test_id("publish-form")
        form.locator("select[name=street]").select_option(label=world.street_a.name)
        form.locator("input[name=year]").fill("2025")
        form.locator("button[type=submit]").click()
        expect(page.get_by_text("星级评定结果和红黑榜已发布")).to_be_visible()
        expect(page.get_by_test_id("evaluations")).to_contain_text("红星物业")
    finally:
        desk.close()
        clock.set_now(None)
    assert Evaluation.objects.get(company=company).stars == 5

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
        login(page, secretary.username)
        page.goto(committee_url)
        expect(page.get_by_test_id("member-share")).to_contain_text("符合要求")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width  # no sideways scrolling of the page on a phone
        screenshot(page, "estates_committee_phone")
        page.context.clear_cookies()

        login(page, "13900000077")
        page.goto("/estates/mine/")
        card = page.get_by_test_id("my-company")
        expect(card).to_contain_text("红星物业")
        expect(card.get_by_test_id("stars")).to_have_text("★★★★★")
        expect(card.get_by_test_id("parts")).to_contain_text("社区考评")
        expect(page.get_by_test_id("my-committee")).to_contain_text("党员甲")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(page, "estates_journey_resident_phone")
    finally:
        phone.close()
        clock.set_now(None)
