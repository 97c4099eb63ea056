"""Login: username or phone, Argon2, lockout after repeated failures, per-address rate limit."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, User
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.conftest import PASSWORD, make_user


def _post(client, identifier, password):
    return client.post("/login/", {"identifier": identifier, "password": password})


def test_staff_login_with_username_lands_on_workbench(world, client, settings):
    settings.OTP_REQUIRED = False  # the second step: tests/core/test_security_otp.py
    user = make_user(Role.GRID_WORKER, world.grid_a1_1, name="王网格")
    res = _post(client, user.username, PASSWORD)
    assert res.status_code == 302 and res["Location"] == "/"
    page = client.get("/")
    assert "王网格" in page.content.decode()
    assert world.grid_a1_1.name in page.content.decode()
    assert AuditRecord.objects.filter(action="auth.login", actor_id=user.pk).exists()


def test_resident_login_with_phone_lands_on_phone_home(world, client):
    home = Household.objects.filter(building=world.grid_a1_1.buildings[0]).first()
    make_user(Role.RESIDENT, world.grid_a1_1.buildings[0], household=home, phone="13912345678")
    res = _post(client, "13912345678", PASSWORD)
    assert res.status_code == 302
    page = client.get("/").content.decode()
    assert home.room_no in page
    assert "gz-phone" in page


def test_passwords_are_hashed_with_argon2(world):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    assert user.password.startswith("argon2")
    from gongzhi import settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_wrong_password_is_refused_with_a_clear_message(world, client):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    res = _post(client, user.username, "wrong")
    assert res.status_code == 400
    assert 'data-testid="login-error"' in res.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_locks_after_repeated_failures_and_unlocks_later(world, client):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    start = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
    clock.set_now(start)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _post(client, user.username, "wrong")
    user.refresh_from_db()
    assert user.locked_until == start + settings.LOGIN_LOCKOUT
    # Even the right password is refused while locked, and the page says so.
    res = _post(client, user.username, PASSWORD)
    assert res.status_code == 400
    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(
        action="auth.login_failed", target_id=str(user.pk)
    ).count() == (settings.LOGIN_FAILURE_LIMIT)
    clock.set_now(start + settings.LOGIN_LOCKOUT + dt.timedelta(seconds=1))
    assert _post(client, user.username, PASSWORD).status_code == 302


def test_locked_message_differs_from_wrong_password(world, client, settings):
    settings.LANGUAGE_CODE = "en"
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        _post(client, user.username, "wrong")
    body = _post(client, user.username, PASSWORD).content.decode()
    assert "locked" in body


def test_unknown_account_gives_the_same_answer_and_locks_nothing(world, client):
    res = _post(client, "nobody", "whatever")
    assert res.status_code == 400
    assert not User.objects.filter(locked_until__isnull=False).exists()


def test_login_is_rate_limited_per_address(world, client, settings):
    settings.LOGIN_RATE = "3/m"
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    codes = [_post(client, f"nobody{i}", "x").status_code for i in range(3)]
    assert codes == [400, 400, 400]
    assert _post(client, user.username, PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session


def test_phone_is_never_stored_in_plain_text(world, client):
    make_user(
        Role.RESIDENT,
        world.grid_a1_1.buildings[0],
        household=Household.objects.first(),
        phone="13987654321",
    )
    for _ in range(2):
        _post(client, "13987654321", "wrong")
    with connection.cursor() as cur:
        cur.execute("SELECT phone_encrypted, phone_index FROM core_user")
        user_rows = cur.fetchall()
        cur.execute("SELECT target_repr, changes FROM core_auditrecord")
        audit_rows = cur.fetchall()
    assert "13987654321" not in repr(user_rows)
    assert "13987654321" not in repr(audit_rows)
    assert "139****4321" in repr(audit_rows)


def test_session_expires(world, client):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    _post(client, user.username, PASSWORD)
    assert client.session.get_expire_at_browser_close()
    assert 0 < client.session.get_expiry_age() <= 8 * 3600


def test_logout_needs_post(world, client):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_open_redirect_after_login_is_refused(world, client):
    user = make_user(Role.PROPERTY_STAFF, world.community_a1)
    res = client.post(
        "/login/?next=https://evil.example/", {"identifier": user.username, "password": PASSWORD}
    )
    assert res["Location"] == "/"
