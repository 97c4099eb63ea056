"""Accounts nobody uses are disabled every day; an admin re-enables them, audited (issue 13)."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import accounts, clock
from gongzhi.core.models import AuditRecord, User
from gongzhi.core.roles import Role
from gongzhi.places.models import Household
from tests.conftest import PASSWORD, make_user

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now():
    clock.set_now(NOW)


def _last_login(user, days_ago: int | None) -> User:
    when = None if days_ago is None else NOW - dt.timedelta(days=days_ago)
    User.objects.filter(pk=user.pk).update(last_login=when)
    user.refresh_from_db()
    return user


def _joined(user, days_ago: int) -> None:
    User.objects.filter(pk=user.pk).update(date_joined=NOW - dt.timedelta(days=days_ago))


def test_staff_unused_for_the_period_are_disabled_and_audited(world, settings):
    settings.UNUSED_ACCOUNT_DAYS = 90
    idle = _last_login(make_user(Role.GRID_WORKER, world.grid_a1_1, name="闲置"), 91)
    busy = _last_login(make_user(Role.GRID_WORKER, world.grid_a1_1, name="常用"), 89)
    never = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="从未登录")
    _joined(never, 100)
    fresh = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="新账号")
    building = world.grid_a1_1.buildings[0]
    home = Household.objects.filter(building=building).first()
    resident = _last_login(
        make_user(Role.RESIDENT, building, household=home, phone="13900000055"), 200
    )
    assert accounts.disable_unused_accounts() == 2
    states = {u.name: u.is_active for u in User.objects.all()}
    assert states[idle.name] is False and states[never.name] is False
    assert states[busy.name] and states[fresh.name] and states[resident.name]
    records = AuditRecord.objects.filter(action="user.disable_unused")
    assert {r.target_id for r in records} == {str(idle.pk), str(never.pk)}
    # A second run changes nothing.
    assert accounts.disable_unused_accounts() == 0


def test_the_period_is_a_setting(world, settings):
    settings.UNUSED_ACCOUNT_DAYS = 30
    _last_login(make_user(Role.GRID_WORKER, world.grid_a1_1), 31)
    assert accounts.disable_unused_accounts() == 1


def test_the_daily_task_runs_the_sweep(world, settings):
    settings.UNUSED_ACCOUNT_DAYS = 90
    _last_login(make_user(Role.GRID_WORKER, world.grid_a1_1), 120)
    assert accounts.disable_unused_accounts_daily.call_local() == 1


def test_the_task_consumer_finds_the_daily_task():
    """`manage.py run_huey` autodiscovers the apps' `tasks` modules: in a fresh process (here
    every module is imported already), that must register the daily task."""
    import subprocess
    import sys

    from django.conf import settings

    script = (
        "from django.utils.module_loading import autodiscover_modules\n"
        "from huey.contrib.djhuey import HUEY\n"
        "autodiscover_modules('tasks')\n"
        "print(sorted(t.__name__ for t in HUEY._registry._periodic_tasks))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "disable_unused_accounts_daily" in out.stdout, out.stdout + out.stderr


def test_a_disabled_account_cannot_log_in(world, client, settings):
    worker = _last_login(make_user(Role.GRID_WORKER, world.grid_a1_1), 120)
    accounts.disable_unused_accounts()
    res = client.post("/login/", {"identifier": worker.username, "password": PASSWORD})
    assert res.status_code == 400 and "_auth_user_id" not in client.session


# --- The list page and re-enabling --------------------------------------------------------


@pytest.fixture
def disabled(world):
    users = [
        _last_login(make_user(Role.GRID_WORKER, world.grid_a1_1, name=f"停用{i}"), 120)
        for i in range(13)
    ]
    accounts.disable_unused_accounts()
    return users


@pytest.fixture
def sysadmin(world):
    return _last_login(make_user(Role.SYSTEM_ADMIN, world.district, name="系统管理员"), 1)


def test_list_shows_disabled_accounts_with_bounded_queries(
    world, client, login, disabled, sysadmin, django_assert_max_num_queries
):
    c = login(sysadmin)
    with django_assert_max_num_queries(12):
        page = c.get("/accounts/disabled/")
    assert page.status_code == 200
    body = page.content.decode()
    assert all(u.name in body for u in disabled)
    assert 'data-testid="disabled-accounts"' in body and "重新启用" in body


def test_reenable_with_a_reason_is_audited(world, client, login, disabled, sysadmin):
    target = disabled[0]
    res = login(sysadmin).post(f"/accounts/{target.pk}/reenable/", {"reason": "休假归来"})
    assert res.status_code == 302
    target.refresh_from_db()
    assert target.is_active and target.disabled_unused_at is None
    record = AuditRecord.objects.get(action="user.reenable")
    assert record.reason == "休假归来" and record.actor_id == sysadmin.pk
    # Not disabled again the next night: re-enabling counts as a fresh start.
    assert accounts.disable_unused_accounts() == 0
    target.refresh_from_db()
    assert target.is_active


def test_reenable_without_a_reason_changes_nothing(world, client, login, disabled, sysadmin):
    target = disabled[0]
    res = login(sysadmin).post(f"/accounts/{target.pk}/reenable/", {"reason": ""})
    assert res.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert not AuditRecord.objects.filter(action="user.reenable").exists()


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.COMMUNITY_SECRETARY, Role.AUDIT_ADMIN])
def test_roles_without_the_right_are_refused(world, client, login, disabled, role):
    from tests.conftest import ROLE_HOME

    user = make_user(role, getattr(world, ROLE_HOME[role][0]))
    c = login(user)
    assert c.get("/accounts/disabled/").status_code == 403
    assert c.post(f"/accounts/{disabled[0].pk}/reenable/", {"reason": "x" * 5}).status_code == 403
    disabled[0].refresh_from_db()
    assert not disabled[0].is_active


def test_outside_the_scope_an_account_does_not_exist(world, client, login, disabled):
    elsewhere = make_user(Role.SYSTEM_ADMIN, world.district_b)
    c = login(elsewhere)
    assert disabled[0].name not in c.get("/accounts/disabled/").content.decode()
    assert c.post(f"/accounts/{disabled[0].pk}/reenable/", {"reason": "归来"}).status_code == 404


def test_only_the_security_admin_reenables_an_auditor(world, client, login, sysadmin):
    auditor = _last_login(make_user(Role.AUDIT_ADMIN, world.district, name="审计员"), 120)
    accounts.disable_unused_accounts()
    auditor.refresh_from_db()
    assert not auditor.is_active
    res = login(sysadmin).post(f"/accounts/{auditor.pk}/reenable/", {"reason": "归来"})
    assert res.status_code == 403
    auditor.refresh_from_db()
    assert not auditor.is_active
    client.logout()
    security = make_user(Role.SECURITY_ADMIN, world.district)
    res = login(security).post(f"/accounts/{auditor.pk}/reenable/", {"reason": "归来"})
    assert res.status_code == 302
    auditor.refresh_from_db()
    assert auditor.is_active
