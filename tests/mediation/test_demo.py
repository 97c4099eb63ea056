"""The mediation demo on the small `world`: every outcome once built, and a second run adds
nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import mediation as mediation_demo
from gongzhi.mediation import selectors, stats
from gongzhi.mediation.models import Case, Committee, LegalAdviser, Referral, State
from gongzhi.places.models import Household

from .conftest import resident

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_builds_cases_with_every_outcome_once(world):
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("worker", Role.COMMUNITY_WORKER, world.community_a1)
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    grid = _login("grid", Role.GRID_WORKER, world.grid_a1_1)
    homes = list(Household.objects.filter(place_path__startswith=world.grid_a1_1.path))
    for i in range(16):
        resident(homes[i % len(homes)])
    with translation.override("en"):
        line = mediation_demo.build("small")
        assert "14 cases" in line
        assert "already present" in mediation_demo.build("small")
    assert Case.objects.count() == 14
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert set(Referral.objects.values_list("kind", flat=True)) == {"up", "court", "arbitration"}
    assert Committee.objects.filter(place=world.street_a).exists()
    assert LegalAdviser.objects.count() == 2  # the two communities of the street
    # The grid worker knows of the cases of the grid, reads none of them.
    assert selectors.known_cases(grid).count() == 14
    assert not selectors.readable_cases(grid).exists()
    rows = stats.figures(street, Case.objects.first().opened_at.year)
    assert rows and sum(r.opened for r in rows if r.month) >= 1
