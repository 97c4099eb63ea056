"""The selections demo on `world`: a published star-building selection of last year and a
best-building-head selection in voting that the demo resident can still vote in."""

from __future__ import annotations

import pytest

from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import selections as demo
from gongzhi.demo.places.scales import RESIDENT_PHONE
from gongzhi.places.models import Household
from gongzhi.selections import selectors
from gongzhi.selections.models import Kind, Nominee, Selection, Stage
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_shows_a_published_and_an_open_selection(world):
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("secretary2", Role.COMMUNITY_SECRETARY, world.community_a2)
    _login("partymember", Role.PARTY_MEMBER, world.community_a1)
    building = world.grid_a1_1.buildings[0]
    _login("buildinghead", Role.BUILDING_HEAD, building)
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone=RESIDENT_PHONE)
    text = demo.build("small")
    assert "2" in text
    demo.build("small")  # idempotent
    assert Selection.objects.count() == 2
    stars = Selection.objects.get(kind=Kind.STAR_BUILDING)
    assert stars.stage == Stage.PUBLISHED
    assert Nominee.objects.filter(selection=stars, stars__gt=0).exists()
    assert Nominee.objects.filter(selection=stars, stars=0).exists()
    heads = Selection.objects.get(kind=Kind.BEST_BUILDING_HEAD)
    assert heads.stage == Stage.VOTING
    assert Nominee.objects.filter(selection=heads).count() == 3
    assert list(selectors.open_for_vote(resident)) == [heads]
    assert not selectors.my_votes(resident, heads)
    assert selectors.may_manage(street, heads)


def test_the_demo_skips_without_logins(world):
    assert "skipped" in demo.build("small") or "跳过" in demo.build("small")
