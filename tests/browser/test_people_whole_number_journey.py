"""The resident search by a whole phone number in headless Chromium (issue 13): the number
never reaches the address bar; typed into the address, it is refused."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from gongzhi.core.roles import Role
from gongzhi.people.idcard import make_id
from tests.browser.conftest import screenshot, submit_login
from tests.conftest import make_user

pytestmark = pytest.mark.browser


def test_a_whole_phone_number_is_searched_without_reaching_the_address(page, world):
    """Typing a whole mobile number into the search box finds the person; the address bar (and
    so every access log) shows only a token; typing the number into the address is refused."""
    from gongzhi.people import services
    from gongzhi.places.models import Household

    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    services.create_resident(
        actor=secretary,
        household=Household.objects.filter(place_path__under=world.grid_a1_1.path).first(),
        name="整号查找",
        id_number=make_id("431302", dt.date(1950, 3, 8), 25),
        phone="13955550123",
    )
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, name="吴网格")
    submit_login(page, worker.username)
    base = page.url.split("/", 3)[:3]
    page.goto("/".join(base) + "/people/")
    page.fill("input[name=q]", "139 5555 0123")
    page.get_by_test_id("resident-filters").get_by_role("button", name="查找").click()
    expect(page.get_by_test_id("residents")).to_contain_text("整号查找")
    assert "qt=" in page.url and "5555" not in page.url
    screenshot(page, "people-whole-number-search")

    response = page.goto("/".join(base) + "/people/?q=13955550123")
    assert response.status == 400
    expect(page.get_by_test_id("search-refusal")).to_contain_text("不能通过网址搜索完整的手机号")
    expect(page.get_by_test_id("residents")).not_to_contain_text("整号查找")
