"""Elder-friendly pages (适老化, issue 19, item 6): resident menus without staff words, a
large-text mode remembered in a cookie that holds nothing personal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.core import navigation
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _resident(world):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    return make_user(Role.RESIDENT, building, household=home, phone="13900000001")


def _labels(user) -> list[str]:
    return [str(i["label"]) for g in navigation.menu_for(user) for i in g["items"]] + [
        str(g["label"]) for g in navigation.menu_for(user)
    ]


def test_a_resident_menu_has_no_staff_words(world, login):
    resident = _resident(world)
    labels = _labels(resident)
    assert "工作台" not in labels and "居民" not in labels and "首页" in labels
    urls = [i["url"] for g in navigation.menu_for(resident) for i in g["items"]]
    assert reverse("people:list") not in urls  # the staff search with care filters
    assert reverse("tickets:mine") in urls  # their services instead
    html = login(resident).get("/").content.decode()
    nav = html.split('id="gz-nav"', 1)[1].split("</nav>", 1)[0]
    assert "工作台" not in nav and 'href="/people/"' not in nav


@pytest.mark.parametrize("role", [Role.PARTY_MEMBER, Role.VOLUNTEER])
def test_other_citizens_have_a_home_not_a_workbench(world, role):
    assert "工作台" not in _labels(make_user(role, world.community_a1))


def test_staff_keep_their_workbench(world):
    labels = _labels(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    assert "工作台" in labels and "居民" in labels


def test_large_text_is_switched_on_remembered_and_off(world, login):
    client = login(_resident(world))
    assert 'class="gz-large"' not in client.get("/").content.decode()
    response = client.post(reverse("text_size"), {"size": "large", "next": "/tickets/mine/"})
    assert response.status_code == 302 and response["Location"] == "/tickets/mine/"
    cookie = response.cookies["gz_text"]
    assert cookie.value == "large" and cookie["httponly"] and cookie["max-age"] >= 30 * 86400
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans" class="gz-large">' in html and "标准字号" in html
    client.post(reverse("text_size"), {"size": "normal"})
    assert 'class="gz-large"' not in client.get("/").content.decode()


def test_the_switch_never_sends_anyone_to_another_site(client):
    response = client.post(reverse("text_size"), {"size": "large", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")
    assert "标准字号" in client.get("/login/").content.decode()  # before logging in, too


def test_the_switch_is_a_post(client):
    assert client.get(reverse("text_size")).status_code == 405
