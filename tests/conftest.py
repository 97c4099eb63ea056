"""Shared fixtures: a small two-street world and one user per role.

World (codes in brackets):
  district 洪山区 [420111]
    street A 珞南街道 [420111002000]
      community A1 [420111002001] → grids A1G1, A1G2 → estate in each → buildings → households
      community A2 [420111002002] → grids A2G1
    street B 关山街道 [420111003000]
      community B1 [420111003001] → grid B1G1 → ...
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import clock, paths
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.places.models import Household, Place

PASSWORD = "Gz-test-pass-2026"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _quick_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _tasks_inline():
    from gongzhi.core import tasks

    tasks.run_inline()


@pytest.fixture(autouse=True, scope="session")
def _plain_static_names():
    """Tests run on plain static names whatever the database: the live server serves
    static files from the finders, which know no hashed names, and pages are asserted by the
    names in the source tree. The server shape's hashed (manifest) storage is checked in
    tests/core/test_operations.py."""
    from django.conf import settings
    from django.test import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _second_factor_passed_on_forced_login(monkeypatch):
    """A forced login (the `login` fixture, `client.force_login`) stands for a finished login:
    its session counts as having passed the second factor (gongzhi/core/otp.py). The real
    login flow, which does require it, is tested in tests/core/test_security_otp.py."""
    from django.test.client import ClientMixin

    from gongzhi.core import otp

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[otp.SESSION_KEY] = "forced-login"
        session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture(autouse=True)
def _no_second_factor_in_browser_journeys(request):
    """The browser journeys log in through the real form without an authenticator app: the
    second factor is switched off for the live server (its own flow is tested with the
    Django client in tests/core/test_security_otp.py)."""
    if "live_server" in request.fixturenames:
        settings = request.getfixturevalue("settings")
        settings.OTP_REQUIRED = False


@pytest.fixture(autouse=True)
def _reset_clock():
    yield
    clock.set_now(None)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


def make_place(parent, kind, name, code, **fields):
    return Place.objects.create(
        parent=parent,
        kind=kind,
        name=name,
        code=code,
        path=paths.join(parent.path if parent else "", code),
        depth=parent.depth + 1 if parent else 0,
        **fields,
    )


def make_households(building, n=2):
    return [
        Household.objects.create(
            building=building, unit_no="1", room_no=f"{i + 1:02d}01", place_path=building.path
        )
        for i in range(n)
    ]


def _community(street, name, code, grid_codes):
    community = make_place(street, "community", name, code, official_code=code)
    grids = []
    for gcode in grid_codes:
        grid = make_place(community, "grid", f"{name}{gcode}网格", gcode)
        estate = make_place(grid, "estate", f"{name}{gcode}小区", "E1")
        b1 = make_place(estate, "building", "1栋", "B1")
        b2 = make_place(grid, "building", "2栋", "B2")
        make_households(b1)
        make_households(b2)
        grid.estate, grid.buildings = estate, [b1, b2]
        grids.append(grid)
    return community, grids


@pytest.fixture
def world(db):
    d = make_place(None, "district", "洪山区", "420111", official_code="420111")
    sa = make_place(d, "street", "珞南街道", "420111002000", official_code="420111002000")
    sb = make_place(d, "street", "关山街道", "420111003000", official_code="420111003000")
    a1, a1_grids = _community(sa, "珞南一社区", "420111002001", ["G01", "G02"])
    a2, a2_grids = _community(sa, "珞南二社区", "420111002002", ["G01"])
    b1, b1_grids = _community(sb, "关山一社区", "420111003001", ["G01"])
    d2 = make_place(None, "district", "武昌区", "420106", official_code="420106")
    s2 = make_place(d2, "street", "中华路街道", "420106001000", official_code="420106001000")
    c2, c2_grids = _community(s2, "粮道街社区", "420106001001", ["G01"])
    return SimpleNamespace(
        district_b=d2,
        community_c1=c2,
        grid_c1_1=c2_grids[0],
        district=d,
        street_a=sa,
        street_b=sb,
        community_a1=a1,
        community_a2=a2,
        community_b1=b1,
        grid_a1_1=a1_grids[0],
        grid_a1_2=a1_grids[1],
        grid_a2_1=a2_grids[0],
        grid_b1_1=b1_grids[0],
    )


def make_user(role, place, *, household=None, name=None, password=PASSWORD, phone=None):
    n = next(_seq)
    user = User.objects.create_user(
        username=None if phone else f"{role}{n}",
        password=password,
        name=name or f"用户{n}",
        phone=phone,
    )
    Post.objects.create(user=user, role=role, place=place, household=household)
    return user


@pytest.fixture
def profile_dir(tmp_path, settings):
    """A private policy-profile folder searched before the shipped profiles/."""
    from gongzhi.core import profiles

    settings.POLICY_PROFILE_DIRS = [tmp_path, settings.BASE_DIR / "profiles"]
    profiles.clear_cache()
    yield tmp_path
    profiles.clear_cache()


@pytest.fixture
def user_factory(db):
    return make_user


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login


ROLE_HOME = {
    # role: (attribute of `world` for its own place, attribute for a sibling place)
    Role.DISTRICT_OFFICER: ("district", "district_b"),
    Role.STREET_OFFICER: ("street_a", "street_b"),
    Role.COMMUNITY_SECRETARY: ("community_a1", "community_a2"),
    Role.COMMUNITY_WORKER: ("community_a1", "community_a2"),
    Role.GRID_WORKER: ("grid_a1_1", "grid_a1_2"),
    Role.PARTY_MEMBER: ("community_a1", "community_a2"),
    Role.VOLUNTEER: ("community_a1", "community_a2"),
    Role.MERCHANT: ("community_a1", "community_a2"),
    Role.PARTNER_CONTACT: ("community_a1", "community_a2"),
    Role.PROPERTY_STAFF: ("community_a1", "community_a2"),
    Role.SYSTEM_ADMIN: ("district", "district_b"),
    Role.SECURITY_ADMIN: ("district", "district_b"),
    Role.AUDIT_ADMIN: ("district", "district_b"),
}
