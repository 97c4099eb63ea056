"""The second factor (TOTP + recovery codes) in the real login flow and for API tokens."""

from __future__ import annotations

import re
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from gongzhi.core import otp
from gongzhi.core.models import AuditRecord, User
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.conftest import PASSWORD, make_user


def _code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def _password_login(client, user, next_url: str = ""):
    url = f"/login/?next={next_url}" if next_url else "/login/"
    return client.post(url, {"identifier": user.username, "password": PASSWORD})


def _enrol(client, user) -> list[str]:
    client.get("/login/otp/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.post("/login/otp/setup/", {"code": _code(device)})
    assert page.status_code == 200
    return page.context["codes"]


@pytest.fixture
def no_throttle(settings):
    """django-otp slows guessing down (a wait after each failure); these tests fail on purpose
    and then go on at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


@pytest.fixture
def worker(world):
    return make_user(Role.GRID_WORKER, world.grid_a1_1, name="王网格")


def test_who_needs_the_second_factor(world):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    needs = {
        Role.DISTRICT_OFFICER: "district",
        Role.STREET_OFFICER: "street_a",
        Role.SYSTEM_ADMIN: "district",
        Role.SECURITY_ADMIN: "district",
        Role.AUDIT_ADMIN: "district",
        Role.COMMUNITY_SECRETARY: "community_a1",  # exports and reveals personal data
        Role.COMMUNITY_WORKER: "community_a1",
        Role.GRID_WORKER: "grid_a1_1",
    }
    for role, place in needs.items():
        assert otp.required(make_user(role, getattr(world, place))), role
    for role in (Role.PROPERTY_STAFF, Role.VOLUNTEER, Role.MERCHANT, Role.PARTNER_CONTACT):
        assert not otp.required(make_user(role, world.community_a1)), role
    resident = make_user(Role.RESIDENT, building, household=home, phone="13900000041")
    assert not otp.required(resident)
    assert otp.required(User.objects.create_superuser("root", PASSWORD))


def test_first_login_forces_enrolment_then_lets_in(world, client, worker):
    res = _password_login(client, worker)
    assert res.status_code == 302 and res["Location"] == "/login/otp/setup/?next=%2F"
    # Nothing else is reachable yet: pages go to enrolment, the API says 403.
    assert client.get("/places/")["Location"].startswith("/login/otp/setup/")
    assert client.get("/api/v1/me/").status_code == 403
    page = client.get("/login/otp/setup/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml' in body and "设置" in body
    assert 'data-testid="current-user"' not in body  # no menu before the second factor
    secret = page.context["secret"].replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    wrong = client.post("/login/otp/setup/", {"code": "abc"})
    assert wrong.status_code == 400 and "验证码" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    done = client.post("/login/otp/setup/", {"code": _code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and all(code in done.content.decode() for code in codes)
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.filter(action="auth.otp_enrol", actor_id=worker.pk).exists()


def test_later_logins_ask_for_the_code(world, client, worker, no_throttle):
    _password_login(client, worker)
    _enrol(client, worker)
    client.post("/logout/")
    res = _password_login(client, worker, "/places/")
    assert res["Location"] == "/login/otp/?next=%2Fplaces%2F"
    assert client.get("/").status_code == 302
    wrong = client.post("/login/otp/?next=/places/", {"code": "12345"})
    assert wrong.status_code == 400
    assert AuditRecord.objects.filter(action="auth.otp_failed", actor_id=worker.pk).exists()
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=worker, confirmed=True)
    ok = client.post("/login/otp/?next=/places/", {"code": _code(device, steps_ahead=1)})
    assert ok.status_code == 302 and ok["Location"] == "/places/"
    assert client.session.session_key != before  # a new session key after the second factor
    assert client.get("/").status_code == 200


def test_a_recovery_code_works_once(world, client, worker, no_throttle):
    _password_login(client, worker)
    codes = _enrol(client, worker)
    client.post("/logout/")
    _password_login(client, worker)
    assert client.post("/login/otp/", {"code": codes[0].upper()}).status_code == 302
    client.post("/logout/")
    _password_login(client, worker)
    assert client.post("/login/otp/", {"code": codes[0]}).status_code == 400
    assert client.post("/login/otp/", {"code": codes[1]}).status_code == 302
    passed = AuditRecord.objects.filter(action="auth.otp_passed", actor_id=worker.pk)
    assert [r.changes["via"] for r in passed.order_by("id")] == ["recovery_code"] * 2


def test_a_failure_makes_the_next_try_wait(world, client, worker):
    _password_login(client, worker)
    _enrol(client, worker)
    client.post("/logout/")
    _password_login(client, worker)
    device = TOTPDevice.objects.get(user=worker, confirmed=True)
    assert client.post("/login/otp/", {"code": "000000"}).status_code == 400
    # Even the right code is refused straight after a failure (django-otp throttling).
    assert client.post("/login/otp/", {"code": _code(device, steps_ahead=1)}).status_code == 400


def test_logout_works_before_the_second_factor(world, client, worker):
    _password_login(client, worker)
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_users_without_the_rule_never_see_the_step(world, client):
    staff = make_user(Role.PROPERTY_STAFF, world.community_a1)
    res = _password_login(client, staff)
    assert res["Location"] == "/"
    assert client.get("/login/otp/").status_code == 302
    assert client.get("/login/otp/setup/").status_code == 302
    assert not TOTPDevice.objects.exists()


def test_superuser_needs_it_for_the_django_admin(world, client):
    User.objects.create_superuser("root", PASSWORD)
    res = client.post("/login/?next=/django-admin/", {"identifier": "root", "password": PASSWORD})
    assert res["Location"] == "/login/otp/setup/?next=%2Fdjango-admin%2F"
    assert client.get("/django-admin/").status_code == 302


def test_guessing_codes_is_rate_limited(world, client, worker, settings):
    settings.LOGIN_RATE = "3/m"
    _password_login(client, worker)
    _enrol(client, worker)
    client.post("/logout/")
    cache_clear()
    _password_login(client, worker)
    for i in range(3):
        client.post("/login/otp/", {"code": f"00000{i}"})
    assert client.post("/login/otp/", {"code": "000009"}).status_code == 429


def cache_clear():
    from django.core.cache import cache

    cache.clear()


def test_the_forced_login_fixture_counts_as_a_finished_login(world, client, login, worker):
    assert login(worker).get("/").status_code == 200


# --- API tokens ---------------------------------------------------------------------------


def _token(identifier, **extra):
    return APIClient().post(
        "/api/v1/auth/token/", {"identifier": identifier, "password": PASSWORD, **extra}
    )


def test_no_token_without_enrolment(world, worker):
    res = _token(worker.username)
    assert res.status_code == 403 and res.json()["otp_required"] is True
    assert "token" not in res.json()


def test_token_needs_the_code(world, client, worker, no_throttle):
    _password_login(client, worker)
    _enrol(client, worker)
    device = TOTPDevice.objects.get(user=worker, confirmed=True)
    missing = _token(worker.username)
    assert missing.status_code == 400 and "token" not in missing.json()
    assert _token(worker.username, otp="123").status_code == 400
    ok = _token(worker.username, otp=_code(device, steps_ahead=1))
    assert ok.status_code == 200 and ok.json()["token"]
    # Residents and other roles without the rule get a token with the password alone.
    staff = make_user(Role.PROPERTY_STAFF, world.community_a1)
    assert _token(staff.username).status_code == 200


# --- Resetting a lost second factor -------------------------------------------------------


@pytest.fixture
def enrolled_worker(world, client, worker):
    _password_login(client, worker)
    _enrol(client, worker)
    client.post("/logout/")
    return worker


def test_admin_resets_a_lost_second_factor(world, client, login, enrolled_worker):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=enrolled_worker)
    admin = make_user(Role.SYSTEM_ADMIN, world.district)
    page = login(admin).get("/accounts/second-factor/")
    assert page.status_code == 200 and 'data-testid="otp-reset-form"' in page.content.decode()
    res = client.post(
        "/accounts/second-factor/", {"username": enrolled_worker.username, "reason": "手机丢失"}
    )
    assert res.status_code == 302
    assert not TOTPDevice.objects.filter(user=enrolled_worker).exists()
    assert not Token.objects.filter(user=enrolled_worker).exists()
    record = AuditRecord.objects.get(action="auth.otp_reset")
    assert record.reason == "手机丢失" and record.actor_id == admin.pk
    client.logout()
    # The next login enrols a new authenticator.
    assert _password_login(client, enrolled_worker)["Location"].startswith("/login/otp/setup/")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"username": "nobody", "reason": "手机丢失"}, "username"),
        ({"username": "", "reason": ""}, "reason"),
    ],
)
def test_bad_reset_requests_change_nothing(world, client, login, enrolled_worker, data, field):
    admin = make_user(Role.SYSTEM_ADMIN, world.district)
    res = login(admin).post("/accounts/second-factor/", data)
    assert res.status_code == 400 and res.context["form"].errors[field]
    assert TOTPDevice.objects.filter(user=enrolled_worker).exists()
    assert not AuditRecord.objects.filter(action="auth.otp_reset").exists()


def test_reset_is_scoped_and_separated(world, client, login, enrolled_worker):
    from gongzhi.core import accounts

    elsewhere = make_user(Role.SYSTEM_ADMIN, world.district_b)
    res = login(elsewhere).post(
        "/accounts/second-factor/", {"username": enrolled_worker.username, "reason": "手机丢失"}
    )
    assert res.status_code == 400  # not in the area: "no such account"
    with pytest.raises(Http404):
        accounts.reset_second_factor(enrolled_worker, "手机丢失", actor=elsewhere)
    admin = make_user(Role.SYSTEM_ADMIN, world.district)
    auditor = make_user(Role.AUDIT_ADMIN, world.district)
    with pytest.raises(PermissionDenied):
        accounts.reset_second_factor(auditor, "手机丢失", actor=admin)
    with pytest.raises(PermissionDenied):
        accounts.reset_second_factor(admin, "手机丢失", actor=admin)
    security = make_user(Role.SECURITY_ADMIN, world.district)
    accounts.reset_second_factor(auditor, "手机丢失", actor=security)
    assert TOTPDevice.objects.filter(user=enrolled_worker).exists()


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.AUDIT_ADMIN, Role.DISTRICT_OFFICER])
def test_roles_without_the_right_cannot_reset(world, client, login, enrolled_worker, role):
    from tests.conftest import ROLE_HOME

    user = make_user(role, getattr(world, ROLE_HOME[role][0]))
    c = login(user)
    assert c.get("/accounts/second-factor/").status_code == 403
    res = c.post(
        "/accounts/second-factor/", {"username": enrolled_worker.username, "reason": "手机丢失"}
    )
    assert res.status_code == 403
    assert TOTPDevice.objects.filter(user=enrolled_worker).exists()
