"""Operations (issue 22): periodic jobs once across workers on Beijing time, the cache that
degrades when Redis is down, the field key checked against the database, readiness."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.utils.module_loading import autodiscover_modules
from huey import crontab

from gongzhi.core import cache as resilient_cache
from gongzhi.core import clock, crypto, keycheck, sms
from gongzhi.core import tasks as core_tasks
from gongzhi.core.models import KeySentinel, PeriodicRun
from gongzhi.core.roles import Role
from tests.conftest import PASSWORD, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
RAN: list[str] = []


@core_tasks.periodic(hour="3", minute="20")
def _nightly_job() -> str:
    RAN.append("nightly")
    return "ran"


def _at(y, mo, d, h, mi, s=0):
    return dt.datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)


# ------------------------------------------------------------------------ periodic jobs


def test_schedules_are_beijing_wall_time():
    """08:05 in a schedule is 08:05 in Beijing (00:05 UTC), not 16:05."""
    assert settings.HUEY["utc"] is False
    validate = crontab(hour="8", minute="5")
    slot = core_tasks.scheduled_slot(validate, _at(2026, 3, 2, 8, 5, 30))
    assert slot == dt.datetime(2026, 3, 2, 0, 5, tzinfo=dt.UTC)
    # Run late (a busy queue): still the 08:05 run, not a new one.
    assert core_tasks.scheduled_slot(validate, _at(2026, 3, 2, 9, 40)) == slot


@pytest.mark.django_db
def test_a_periodic_job_runs_once_however_many_workers_queue_it():
    RAN.clear()
    clock.set_now(_at(2026, 3, 2, 3, 20, 1))
    job = _nightly_job.call_local
    assert job() == "ran"
    # A second worker's scheduler queued the same 03:20 run; it runs a minute later.
    clock.set_now(_at(2026, 3, 2, 3, 21, 30))
    assert job() is None
    assert RAN == ["nightly"]
    # The next night is a new run.
    clock.set_now(_at(2026, 3, 3, 3, 20, 2))
    assert job() == "ran"
    assert RAN == ["nightly", "nightly"]
    assert PeriodicRun.objects.filter(name__endswith="_nightly_job").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_run_the_job_once():
    RAN.clear()
    clock.set_now(_at(2026, 3, 4, 3, 20, 0))
    barrier = threading.Barrier(2)
    results = []

    def worker():
        barrier.wait()
        try:
            results.append(_nightly_job.call_local())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(map(str, results)) == ["None", "ran"]
    assert RAN == ["nightly"]


def test_every_periodic_job_goes_through_the_once_per_slot_guard():
    root = Path(settings.BASE_DIR) / "gongzhi"
    direct = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "db_periodic_task" in p.read_text(encoding="utf-8") and p != root / "core" / "tasks.py"
    ]
    assert direct == []


def test_deployment_guide_lists_every_periodic_job_with_its_time():
    autodiscover_modules("tasks")
    guide = (Path(settings.BASE_DIR) / "docs" / "deployment.md").read_text(encoding="utf-8")
    missing = [
        name
        for name in core_tasks.periodic_jobs()
        if not name.startswith("tests.") and f"`{name}`" not in guide
    ]
    assert missing == []


# ------------------------------------------------------------------------ the cache

DEAD_REDIS = {
    "default": {
        "BACKEND": "gongzhi.core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def dead_redis(settings):
    settings.CACHES = DEAD_REDIS
    resilient_cache._state["down_since"] = 0.0
    yield
    resilient_cache._state["down_since"] = 0.0


def test_the_resilient_cache_works_on_a_real_redis(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "gongzhi.core.cache.ResilientRedisCache",
            "LOCATION": os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15"),
        }
    }
    from django.core.cache import cache

    cache.set("ops:test", {"n": 1}, 5)
    assert cache.get("ops:test") == {"n": 1}
    assert cache.add("ops:test", 2, 5) is False
    assert cache.delete("ops:test") is True
    assert resilient_cache.available()


def test_with_redis_down_pages_still_render_and_logins_work(world, client, dead_redis):
    from django.core.cache import cache

    assert cache.get("anything", "fallback") == "fallback"
    assert not resilient_cache.available()
    user = make_user(Role.COMMUNITY_WORKER, world.community_a1, name="测试")
    user.username = "ops-worker"
    user.save()
    res = client.post("/login/", {"identifier": "ops-worker", "password": PASSWORD})
    assert res.status_code == 302
    client.force_login(user)
    page = client.get("/")
    assert page.status_code == 200
    assert "测试" in page.content.decode()


def test_with_redis_down_an_sms_code_is_not_promised(world, client, dead_redis, settings):
    settings.SMS_BACKEND = "gongzhi.core.sms.MemoryBackend"
    sms.MemoryBackend.outbox.clear()
    res = client.post("/login/sms/", {"phone": "13966660000"}, follow=True)
    assert "短信验证码登录暂不可用" in res.content.decode()
    assert sms.MemoryBackend.outbox == []


# ------------------------------------------------------------------------ the field key


@pytest.mark.django_db
def test_the_field_key_seals_a_sentinel_and_a_changed_key_is_caught(settings):
    status = keycheck.check()
    assert status.ok and status.checked == [crypto.current_version()]
    assert KeySentinel.objects.count() == 1
    settings.FIELD_ENCRYPTION_KEY = "another-key-entirely-000000000000"
    wrong = keycheck.check()
    assert not wrong.ok and wrong.wrong == [1]
    with pytest.raises(crypto.KeyMissing):
        keycheck.verify_at_start()


@pytest.mark.django_db
def test_a_new_key_version_keeps_the_old_sentinel_readable(settings):
    old = settings.FIELD_ENCRYPTION_KEY
    keycheck.check()
    settings.FIELD_ENCRYPTION_KEY = f"2:a-second-key-version-0000000000,1:{old}"
    status = keycheck.check()
    assert status.ok and status.checked == [1, 2]
    # The old version retired after re-encryption: its sentinel is no longer checked.
    settings.FIELD_ENCRYPTION_KEY = "2:a-second-key-version-0000000000"
    status = keycheck.check()
    assert status.ok and status.retired == [1]


def _settings_in_subprocess(env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "GONGZHI_FIELD_KEY"}}
    clean.pop("GONGZHI_GENERATE_KEYS", None)
    return subprocess.run(  # noqa: S603 (our own interpreter, a fixed expression)
        [sys.executable, "-c", "import gongzhi.settings"],
        cwd=settings.BASE_DIR,
        env={**clean, "GONGZHI_VAR_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_its_keys(tmp_path):
    pg = {"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    refused = _settings_in_subprocess(pg, tmp_path)
    assert refused.returncode != 0
    assert "SECRET_KEY 未设置" in refused.stderr
    assert not (tmp_path / "secret_key").exists() and not (tmp_path / "field_key").exists()
    given = _settings_in_subprocess(
        {**pg, "SECRET_KEY": "s" * 50, "GONGZHI_FIELD_KEY": "k" * 40}, tmp_path
    )
    assert given.returncode == 0, given.stderr
    # The embedded shape makes its own, once.
    embedded = _settings_in_subprocess(
        {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}, tmp_path
    )
    assert embedded.returncode == 0 and (tmp_path / "field_key").exists()


def test_check_deploy_finds_nothing_in_the_production_shape(tmp_path):
    """The security half of `check --deploy` (the API schema half: tests/core/test_api_schema.py)
    is silent for the documented production settings: TLS at nginx, cookies secure, HSTS, the
    redirect to HTTPS once the proxy's header is believed."""
    production = {
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "SECRET_KEY": "x" * 20 + "Kq9#mZ" * 8,
        "GONGZHI_FIELD_KEY": "k" * 40,
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SMS_BACKEND": "gongzhi.core.sms_providers.AliyunBackend",
        "SECURE_COOKIES": "true",
        "TRUSTED_PROXIES": "127.0.0.1",
        "GONGZHI_VAR_DIR": str(tmp_path),
    }
    clean = {k: v for k, v in os.environ.items() if k != "GONGZHI_GENERATE_KEYS"}
    command = [sys.executable, "manage.py", "check", "--deploy", "--tag", "security"]
    checked = subprocess.run(  # noqa: S603 (our own interpreter and manage.py)
        [*command, "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={**clean, **production},
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stderr
    assert "no issues" in checked.stdout
    # Without a believed proxy header the redirect would loop: it stays off.
    plain = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import gongzhi.settings as s; print(s.SECURE_SSL_REDIRECT)"],
        cwd=settings.BASE_DIR,
        env={**clean, **production, "TRUSTED_PROXIES": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert plain.stdout.strip() == "False"


# ------------------------------------------------------------------------ readiness


@pytest.mark.django_db
def test_readiness_reports_each_part_and_no_personal_data(client):
    res = client.get("/readyz")
    body = res.json()
    assert res.status_code == 200, body
    assert set(body["parts"]) == {"database", "cache", "migrations", "field_key", "tasks"}
    assert body["parts"]["migrations"] == {"status": "ok", "pending": 0}
    assert not re.search(r"1[3-9]\d{9}", res.content.decode())


@pytest.mark.django_db
def test_readiness_fails_without_a_worker_heartbeat(client):
    core_tasks.run_inline(False)
    try:
        res = client.get("/readyz")
        assert res.status_code == 503
        assert res.json()["parts"]["tasks"]["status"] == "no_worker"
        PeriodicRun.objects.create(
            name=core_tasks.HEARTBEAT, slot=clock.now().replace(second=0, microsecond=0)
        )
        assert client.get("/readyz").status_code == 200
        clock.set_now(clock.now() + dt.timedelta(minutes=5))
        res = client.get("/readyz")
        assert res.status_code == 503 and res.json()["parts"]["tasks"]["status"] == "stale"
    finally:
        core_tasks.run_inline(True)


@pytest.mark.django_db
def test_readiness_with_redis_down_is_degraded_not_down(client, dead_redis):
    body = client.get("/readyz").json()
    assert body["parts"]["cache"]["status"] == "degraded"
    assert body["status"] == "ok"


# ------------------------------------------------------------------------ static files


def test_production_serves_static_files_under_hashed_names(tmp_path):
    code = "import gongzhi.settings as s; print(s.STORAGES['staticfiles']['BACKEND'])"
    env = {
        "DATABASE_URL": "postgres://u@127.0.0.1:5432/x",
        "SECRET_KEY": "s" * 50,
        "GONGZHI_FIELD_KEY": "k" * 40,
        "GONGZHI_VAR_DIR": str(tmp_path),
    }
    out = subprocess.run(  # noqa: S603 (our own interpreter, a fixed expression)
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert out == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_every_static_file_a_template_names_exists():
    """With hashed names a missing file is an error page in production: catch it here."""
    from django.contrib.staticfiles import finders

    templates = Path(settings.BASE_DIR) / "gongzhi" / "templates"
    named = set()
    for path in templates.rglob("*.html"):
        named |= set(re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", path.read_text("utf-8")))
    missing = sorted(n for n in named if not finders.find(n))
    assert named and missing == []
