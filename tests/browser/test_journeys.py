"""The main journeys, in headless Chromium against the live server.

Each test logs in through the real login form with a real password; nothing is forced.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from gongzhi.core.models import User
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.browser.conftest import screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_grid_worker_sees_only_own_grid_in_the_place_tree(page, world):
    grid = world.grid_a1_1
    worker = make_user(Role.GRID_WORKER, grid, name="王网格")

    posted = submit_login(page, worker.username)
    assert posted.status == 302
    # Lands on the workbench: the home URL, showing the worker's post.
    assert re.fullmatch(r"https?://[^/]+/", page.url)
    expect(page.get_by_test_id("current-user")).to_contain_text("王网格")
    expect(page.get_by_test_id("post")).to_contain_text(grid.name)

    # "Places" sits in the Registry menu of the grouped navigation.
    registry = page.locator("li.dropdown", has=page.locator("a[href='/places/']"))
    registry.locator(".dropdown-toggle").click()
    registry.locator("a.dropdown-item[href='/places/']").click()
    page.wait_for_url("**/places/")
    tree = page.get_by_test_id("place-tree")
    roots = tree.locator(":scope > ul > li[data-testid=place-node]")
    expect(roots).to_have_count(1)
    expect(roots.first).to_have_attribute("data-kind", "grid")
    expect(roots.first.locator(":scope > a")).to_have_text(grid.name)
    # Nothing above or beside the grid is shown (names compared whole: the grid's name
    # starts with its community's).
    assert tree.locator("li[data-testid=place-node] > a").all_inner_texts() == [grid.name]

    # Unfold the grid (htmx fetches its children): its estate and the building that
    # stands directly in the grid appear.
    with page.expect_response(f"**/places/{grid.pk}/children/"):
        roots.first.get_by_test_id("unfold").click()
    children = roots.first.locator(":scope > ul > li[data-testid=place-node]")
    expect(children).to_have_count(2)
    expect(children.nth(0)).to_have_attribute("data-kind", "building")
    expect(children.nth(0)).to_contain_text("2栋")
    estate = children.nth(1)
    expect(estate).to_have_attribute("data-kind", "estate")
    expect(estate).to_contain_text(grid.estate.name)

    # And the estate unfolds to its building.
    with page.expect_response(f"**/places/{grid.estate.pk}/children/"):
        estate.get_by_test_id("unfold").click()
    expect(estate.locator("li[data-kind=building]")).to_contain_text("1栋")
    screenshot(page, "grid-worker-place-tree")

    # Another grid does not exist for this worker.
    response = page.goto(f"/places/{world.grid_a1_2.pk}/")
    assert response.status == 404
    response = page.goto(f"/places/{world.grid_a1_2.pk}/children/")
    assert response.status == 404


def test_resident_logs_in_with_phone_and_sees_household_on_phone(phone_page, world):
    building = world.grid_a1_1.buildings[0]
    household = Household.objects.filter(building=building).order_by("room_no").first()
    make_user(Role.RESIDENT, building, phone="13900000001", household=household, name="李居民")

    phone_page.goto("/login/")
    posted = submit_login(phone_page, "13900000001")
    assert posted.status == 302
    assert re.fullmatch(r"https?://[^/]+/", phone_page.url)
    expect(phone_page.locator("h1")).to_contain_text("李居民")
    mine = phone_page.locator(f"a[href='/places/households/{household.pk}/']")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(household.room_no)
    # The resident's home is not the staff workbench.
    expect(phone_page.locator("nav a[href='/places/']")).to_have_count(0)
    # The page fits the phone: nothing scrolls sideways.
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    screenshot(phone_page, "resident-home-phone")

    # The household link opens; a neighbour's household does not exist for them.
    mine.click()
    expect(phone_page.locator("h1")).to_contain_text(household.room_no)
    neighbour = Household.objects.exclude(pk=household.pk).filter(building=building).first()
    response = phone_page.goto(f"/places/households/{neighbour.pk}/")
    assert response.status == 404


def test_account_locks_after_repeated_wrong_passwords(page, world, settings):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    assert settings.LOGIN_FAILURE_LIMIT < 6

    page.goto("/login/")
    first = submit_login(page, worker.username, "wrong-password-1")
    assert first.status == 400
    expect(page.get_by_test_id("login-error")).to_be_visible()
    wrong_text = page.get_by_test_id("login-error").inner_text()

    for attempt in range(2, 7):
        response = submit_login(page, worker.username, f"wrong-password-{attempt}")
        assert response.status == 400
    locked_text = page.get_by_test_id("login-error").inner_text()
    assert locked_text != wrong_text  # the message now says "locked", not "wrong password"
    assert re.search(r"\d{2}:\d{2}", locked_text)  # ... and until when
    worker.refresh_from_db()
    assert worker.is_locked()

    # Even the right password is refused while the account is locked.
    response = submit_login(page, worker.username)
    assert response.status == 400
    expect(page.get_by_test_id("login-error")).to_have_text(locked_text)
    assert page.url.endswith("/login/")
    assert User.objects.get(pk=worker.pk).failed_logins == 0  # reset when the lock was set
    screenshot(page, "login-locked")


def test_language_switch_in_footer_changes_page_language(page, world):
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.click("footer button[name=language][value=en]")
    page.wait_for_url("**/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("footer button[value=en]")).to_have_class(re.compile(r"\bfw-bold\b"))

    # The choice sticks for the next page and after logging in.
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    submit_login(page, worker.username)
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.click("footer button[name=language][value=zh-hans]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
