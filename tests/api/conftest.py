"""Fixtures of the API-wide tests (issue 13): a staff user and a resident, each with a token."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from gongzhi.core.roles import Role
from tests.conftest import make_user


@pytest.fixture
def staff(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1)


@pytest.fixture
def resident(world):
    building = world.grid_a1_1.buildings[0]
    return make_user(Role.RESIDENT, building, household=building.households.first())


@pytest.fixture
def staff_token(staff):
    return Token.objects.create(user=staff).key


@pytest.fixture
def resident_token(resident):
    return Token.objects.create(user=resident).key
