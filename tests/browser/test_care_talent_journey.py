"""The talent and skills base in headless Chromium (row 002-15): a resident lists what they can
do on their phone, refused until they agree to be listed → the community secretary finds them
on the desktop by that skill, the phone masked → shows the full number with a reason, which
lands in the audit trail → the resident withdraws and no search finds them any more."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from gongzhi.care.models import SkillTerm, Talent
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.test_care_journey import _phone, submit_login
from tests.care.conftest import citizen
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_resident_lists_a_skill_and_the_community_finds_them(browser, live_server, world):
    # Live-server tests flush the tables between tests: the shipped terms are made again here.
    haircut = SkillTerm.objects.get_or_create(community=None, name="理发")[0]
    SkillTerm.objects.get_or_create(community=None, name="家电维修")
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.create(
        building=building, unit_no="1", room_no="0301", place_path=building.path
    )
    resident = citizen(home, "王一")
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="社区书记")

    phone = _phone(browser, live_server)
    small = phone.new_page()
    try:
        submit_login(small, resident.phone_plain)
        small.goto("/care/mine/talent/")
        form = small.get_by_test_id("my-talent-form")
        form.get_by_text("理发", exact=True).click()
        form.locator("[name=specialty]").fill("会给行动不便的老人上门理发")
        form.locator("[name=availability]").fill("周末上午")
        small.get_by_test_id("my-talent-save").click()
        expect(small.get_by_test_id("form-error").first).to_be_visible()
        assert not Talent.objects.exists()

        small.get_by_test_id("my-talent-form").locator("[name=consent]").check()
        small.get_by_test_id("my-talent-save").click()
        expect(small.get_by_test_id("listed")).to_be_visible()
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= 400, width
        screenshot(small, "care-talent-phone")
    finally:
        phone.close()
    talent = Talent.objects.get(resident=resident.record)
    assert talent.listed and list(talent.skills.all()) == [haircut]

    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    desk.set_default_timeout(TIMEOUT_MS)
    page = desk.new_page()
    try:
        submit_login(page, secretary.username)
        page.goto("/care/talents/")
        search = page.get_by_test_id("talent-search")
        search.locator("select[name=skill]").select_option(str(haircut.pk))
        page.get_by_test_id("talent-search-submit").click()
        rows = page.get_by_test_id("talent-row")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("王一")
        expect(rows.first).to_contain_text("上门理发")
        masked = rows.first.get_by_test_id("masked-phone")
        expect(masked).to_contain_text("****")
        assert resident.phone_plain not in page.content()
        screenshot(page, "care-talent-search")

        reveal = rows.first.get_by_test_id("reveal-dialog")
        reveal.locator("summary").click()
        reveal.locator("input[name=reason]").fill("联系上门理发服务")
        reveal.locator("button[type=submit]").click()
        expect(page.get_by_test_id("revealed")).to_have_text(resident.phone_plain)
    finally:
        desk.close()
    reveal = AuditRecord.objects.get(action="pii.reveal")
    assert resident.phone_plain not in str(reveal.changes)

    phone = _phone(browser, live_server)
    small = phone.new_page()
    try:
        submit_login(small, resident.phone_plain)
        small.goto("/care/mine/talent/")
        small.get_by_test_id("withdraw-dialog").locator("summary").click()
        small.get_by_test_id("my-withdraw").click()
        expect(small.get_by_test_id("withdrawn")).to_be_visible()
    finally:
        phone.close()
    talent.refresh_from_db()
    assert not talent.listed and talent.specialty == ""

    desk = browser.new_context(
        base_url=live_server.url, viewport={"width": 1440, "height": 900}, locale="zh-CN"
    )
    desk.set_default_timeout(TIMEOUT_MS)
    page = desk.new_page()
    try:
        submit_login(page, secretary.username)
        page.goto(f"/care/talents/?skill={haircut.pk}")
        expect(page.get_by_test_id("talent-row")).to_have_count(0)
    finally:
        desk.close()
