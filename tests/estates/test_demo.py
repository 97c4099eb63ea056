"""The estates demo on the small `world`: what it builds, and that a second run adds nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import estates as estates_demo
from gongzhi.estates import selectors
from gongzhi.estates.models import (
    Evaluation,
    OwnersCommittee,
    PropertyCompany,
    RedBlackEntry,
    ServiceContract,
    Survey,
)
from gongzhi.places.models import Household
from tests.estates.conftest import party_member, resident

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_builds_committees_and_a_shared_company_once(ew):
    world = ew.world
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    second = world.grid_a1_2.estate
    home = Household.objects.filter(place_path__startswith=second.path).first()
    assert home is not None
    people = [resident(home) for _ in range(6)]
    for p in people[:3]:
        party_member(p, ew.org)
    with translation.override("en"):
        line = estates_demo.build("small")
        assert "2 owners' committees" in line and "3 property companies" in line
        assert "ratings published" in line
        assert "already present" in estates_demo.build("small")
    assert OwnersCommittee.objects.count() == 2
    assert PropertyCompany.objects.count() == 3
    shared = PropertyCompany.objects.get(name=estates_demo.COMPANIES[0][0])
    assert ServiceContract.objects.filter(company=shared).count() == 2
    orgs = {(r.kind, r.body.name) for r in selectors.without_party_org(street)}
    assert ("company", estates_demo.COMPANIES[2][0]) in orgs
    # Last year's ratings published with star levels; the third company black-listed two
    # years running; this year's survey in progress.
    last = Evaluation.objects.filter(year=2025, published_at__isnull=False)
    assert last.filter(kind="committee").count() == 2
    assert all(e.stars for e in last.filter(kind="committee"))
    bare = PropertyCompany.objects.get(name=estates_demo.COMPANIES[2][0])
    assert sorted(
        RedBlackEntry.objects.filter(company=bare, colour="black").values_list("year", flat=True)
    ) == [2024, 2025]
    assert Survey.objects.get(year=2026).is_open
