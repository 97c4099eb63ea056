"""Password rules, the change-password page, the change prompt, demo accounts (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from gongzhi.core import accounts, clock, passwords
from gongzhi.core.models import AuditRecord, PasswordHistory, User
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.conftest import PASSWORD, make_user

# --- Rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "Ab1-xyz",  # too short
        "abcdefghijkl",  # one class
        "abcdefgh1234",  # two classes
        passwords.DEMO_PASSWORD,  # published
    ],
)
def test_weak_passwords_are_refused(db, bad):
    with pytest.raises(ValidationError):
        validate_password(bad, User(username="xiaowang", name="小王"))


@pytest.mark.parametrize("good", ["Gz-new-worker-2026", "lanshan7Qiao", "qiao.lan.7.shan"])
def test_three_classes_and_the_length_pass(db, good):
    validate_password(good, User(username="xiaowang", name="小王"))


def test_character_classes_are_counted():
    assert passwords.character_classes("aaa") == 1
    assert passwords.character_classes("aA1") == 3
    assert passwords.character_classes("aA1-") == 4
    assert passwords.character_classes("汉字a1") == 3


def test_the_demo_password_is_the_published_one():
    from gongzhi.demo import places as demo

    assert passwords.DEMO_PASSWORD == demo.DEMO_PASSWORD


def test_none_of_the_last_five_passwords_again(world, settings):
    settings.PASSWORD_HISTORY = 5
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    chosen = [PASSWORD] + [f"Gz-round-{i}-pass" for i in range(5)]
    for old, new in zip(chosen, chosen[1:], strict=False):
        accounts.change_password(old, new, actor=user)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    current = chosen[-1]
    for recent in chosen[-5:]:
        with pytest.raises(ValidationError) as refused:
            accounts.change_password(current, recent, actor=user)
        assert "new_password" in refused.value.message_dict
    # The sixth-last is out of the history again.
    accounts.change_password(current, PASSWORD, actor=user)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_history_holds_hashes_only(world):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    row = PasswordHistory.objects.get(user=user)
    assert PASSWORD not in row.password and row.password.startswith("argon2")
    assert user.password_changed_at is not None


# --- The change-password page ------------------------------------------------------------


def _form(old, new, again=None):
    return {"old_password": old, "new_password": new, "new_password2": again or new}


def test_change_password_page_renders_the_rules_in_chinese(world, client, login):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    page = login(worker).get("/account/password/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="password-rules"' in body and "修改密码" in body
    assert 'data-testid="password-change-link"' in body


def test_change_password_page_changes_it_and_keeps_the_session(world, client, login):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    res = login(worker).post("/account/password/", _form(PASSWORD, "Gz-changed-2026"))
    assert res.status_code == 302 and res["Location"] == "/"
    worker.refresh_from_db()
    assert worker.check_password("Gz-changed-2026")
    assert client.get("/").status_code == 200  # still logged in
    record = AuditRecord.objects.get(action="auth.password_change")
    assert record.actor_id == worker.pk and "Gz-changed" not in str(record.changes)


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        (_form("wrong-one", "Gz-changed-2026"), "old_password", "当前密码"),
        (_form(PASSWORD, "Gz-changed-2026", "Gz-changed-2027"), "new_password2", "不一致"),
        (_form(PASSWORD, "short"), "new_password", "密码"),
        (_form(PASSWORD, "onlylowercaseletters"), "new_password", "字符"),
        (_form(PASSWORD, PASSWORD), "new_password", "最近"),
    ],
)
def test_bad_changes_are_refused_in_chinese_and_change_nothing(
    world, client, login, data, field, text
):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    before = worker.password
    res = login(worker).post("/account/password/", data)
    assert res.status_code == 400
    errors = " ".join(res.context["form"].errors[field])
    assert text in errors
    worker.refresh_from_db()
    assert worker.password == before
    assert not AuditRecord.objects.filter(action="auth.password_change").exists()


def test_residents_with_a_password_change_it_too(world, client, login):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone="13900000066")
    res = login(resident).post("/account/password/", _form(PASSWORD, "Jumin-new-2026"))
    assert res.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password("Jumin-new-2026")


def test_sms_only_accounts_are_told_they_have_no_password(world, client, login):
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = make_user(Role.RESIDENT, building, household=home, phone="13900000067")
    resident.set_unusable_password()
    resident.save()
    page = login(resident).get("/account/password/")
    assert page.status_code == 200 and 'data-testid="no-password"' in page.content.decode()


def test_anonymous_is_sent_to_login(world, client):
    res = client.get("/account/password/")
    assert res.status_code == 302 and res["Location"].startswith("/login/")


def test_guessing_the_current_password_is_rate_limited(world, client, login, settings):
    settings.LOGIN_RATE = "3/m"
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    c = login(worker)
    for i in range(3):
        c.post("/account/password/", _form(f"guess-{i}", "Gz-changed-2026"))
    assert c.post("/account/password/", _form(PASSWORD, "Gz-changed-2026")).status_code == 429


# --- The change prompt -------------------------------------------------------------------


@pytest.fixture
def _one_factor(settings):
    settings.OTP_REQUIRED = False  # the second step has its own tests (test_security_otp.py)


def _login(client, user):
    return client.post("/login/", {"identifier": user.username, "password": PASSWORD})


@pytest.mark.parametrize(("age", "prompted"), [(89, False), (91, True)])
def test_login_asks_for_a_new_password_after_the_max_age(
    world, client, settings, _one_factor, age, prompted
):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    User.objects.filter(pk=worker.pk).update(
        password_changed_at=clock.now() - dt.timedelta(days=age)
    )
    res = _login(client, worker)
    assert res.status_code == 302
    assert res["Location"] == ("/account/password/" if prompted else "/")
    if prompted:
        assert "90" in client.get(res["Location"]).content.decode()


def test_the_prompt_follows_the_setting(world, client, settings, _one_factor):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    clock.set_now(clock.now() + dt.timedelta(days=31))
    assert _login(client, worker)["Location"] == "/account/password/"


# --- Demo accounts -------------------------------------------------------------------------


def test_demo_password_is_refused_outside_a_demo(world, client, settings):
    settings.GONGZHI_DEMO = False
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, password=passwords.DEMO_PASSWORD)
    res = client.post(
        "/login/", {"identifier": worker.username, "password": passwords.DEMO_PASSWORD}
    )
    assert res.status_code == 400 and "_auth_user_id" not in client.session
    assert "演示账号" in res.content.decode()
    token = APIClient().post(
        "/api/v1/auth/token/",
        {"identifier": worker.username, "password": passwords.DEMO_PASSWORD},
    )
    assert token.status_code == 400 and "token" not in token.json()
    # Refused before any check: no failure is counted against the account.
    worker.refresh_from_db()
    assert worker.failed_logins == 0
    assert not client.login(username=worker.username, password=passwords.DEMO_PASSWORD)


def test_demo_password_opens_the_demo(world, client, settings, _one_factor):
    settings.GONGZHI_DEMO = True
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, password=passwords.DEMO_PASSWORD)
    res = client.post(
        "/login/", {"identifier": worker.username, "password": passwords.DEMO_PASSWORD}
    )
    assert res.status_code == 302
    token = APIClient().post(
        "/api/v1/auth/token/",
        {"identifier": worker.username, "password": passwords.DEMO_PASSWORD},
    )
    assert token.status_code == 200


def test_make_demo_sets_the_demo_flag():
    from django.conf import settings

    makefile = (settings.BASE_DIR / "Makefile").read_text()
    demo = makefile.split("\ndemo:", 1)[1].split("\n\n", 1)[0]
    assert "GONGZHI_DEMO=true" in demo
