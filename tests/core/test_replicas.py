"""Reads from a hot standby (gongzhi/core/replicas.py): which requests read from the replica,
read-your-writes, transactions and an unhealthy replica on the primary; and, where a real
standby runs (`make test-pg` starts one with scripts/replica.sh and sets
GONGZHI_TEST_REPLICA_URL), that it streams the primary's writes and passes the health probe."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import RequestFactory

from gongzhi.core import replicas
from gongzhi.core.models import User

REPLICA_URL = os.environ.get("GONGZHI_TEST_REPLICA_URL", "")


@pytest.fixture
def replica_configured(monkeypatch):
    """A replica alias as settings make it from DATABASE_REPLICA_URL, healthy unless a test
    says otherwise. The test database has one database: the alias is the decision under test,
    not a second server (the real standby is tested below)."""
    state = {"healthy": True}
    monkeypatch.setattr(replicas, "configured", lambda: True)
    monkeypatch.setattr(replicas.health, "ok", lambda: state["healthy"])
    return state


def _serve(request, body=None):
    """Run the middleware around a view that asks the router where a read would go."""
    seen = {}

    def view(req):
        seen["read"] = replicas.ReplicaRouter().db_for_read(User)
        seen["write"] = replicas.ReplicaRouter().db_for_write(User)
        if body is not None:
            body(seen)
        return HttpResponse("ok")

    response = replicas.ReplicaMiddleware(view)(request)
    return seen, response


def test_a_page_reads_from_the_replica(replica_configured, rf: RequestFactory):
    seen, response = _serve(rf.get("/tickets/stats/"))
    assert seen == {"read": "replica", "write": "default"}
    assert replicas.STICKY_COOKIE not in response.cookies


def test_a_write_request_reads_the_primary_and_pins_the_user(replica_configured, rf):
    seen, response = _serve(rf.post("/tickets/new/"))
    assert seen == {"read": "default", "write": "default"}
    cookie = response.cookies[replicas.STICKY_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    # Only a time: nothing about the user or what they wrote.
    assert float(cookie.value) == pytest.approx(time.time(), abs=5)

    # The page after the write (the ticket just submitted) reads the primary...
    after = rf.get("/tickets/mine/")
    after.COOKIES[replicas.STICKY_COOKIE] = cookie.value
    assert _serve(after)[0]["read"] == "default"


def test_the_pin_ends_after_the_sticky_time(replica_configured, rf, settings):
    settings.REPLICA_STICKY_SECONDS = 10
    later = rf.get("/tickets/mine/")
    later.COOKIES[replicas.STICKY_COOKIE] = f"{time.time() - 11:.3f}"
    assert _serve(later)[0]["read"] == "replica"


@pytest.mark.parametrize("raw", ["", "abc", "nan-ish", "1e999999", "-5"])
def test_a_garbled_pin_cookie_is_ignored(replica_configured, rf, raw):
    request = rf.get("/")
    request.COOKIES[replicas.STICKY_COOKIE] = raw
    assert _serve(request)[0]["read"] in {"replica", "default"}


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_use_the_primary(replica_configured, rf):
    def inside(seen):
        with transaction.atomic():
            seen["in_atomic"] = replicas.ReplicaRouter().db_for_read(User)
        seen["after"] = replicas.ReplicaRouter().db_for_read(User)

    seen, _ = _serve(rf.get("/"), body=inside)
    assert seen["in_atomic"] == "default"
    assert seen["after"] == "replica"


def test_an_unhealthy_replica_sends_reads_to_the_primary(replica_configured, rf):
    replica_configured["healthy"] = False
    assert _serve(rf.get("/tickets/stats/"))[0]["read"] == "default"
    replica_configured["healthy"] = True
    assert _serve(rf.get("/tickets/stats/"))[0]["read"] == "replica"


def test_outside_a_request_reads_use_the_primary(replica_configured):
    """Background tasks and management commands decide on what they read: the primary."""
    assert replicas.ReplicaRouter().db_for_read(User) == "default"


def test_without_a_replica_nothing_changes(rf):
    assert not replicas.configured()
    seen, response = _serve(rf.post("/tickets/new/"))
    assert seen["read"] == "default"
    assert replicas.STICKY_COOKIE not in response.cookies


def test_migrations_run_on_the_primary_only():
    router = replicas.ReplicaRouter()
    assert router.allow_migrate("default", "tickets")
    assert not router.allow_migrate("replica", "tickets")


def test_the_health_check_is_asked_at_most_every_few_seconds(monkeypatch, settings):
    settings.REPLICA_CHECK_SECONDS = 60
    cache = replicas._HealthCache()
    calls = []
    monkeypatch.setattr(cache, "_probe", lambda: calls.append(1) or True)
    assert cache.ok() and cache.ok() and cache.ok()
    assert len(calls) == 1
    cache.reset()
    assert cache.ok()
    assert len(calls) == 2


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="replicas are PostgreSQL's streaming replication"
)


@postgres_only
@pytest.mark.django_db
def test_the_probe_refuses_a_primary():
    with connection.cursor() as cursor:
        health = replicas.probe(cursor, max_lag=5)
    assert not health.ok
    assert health.reason == "not a standby"


needs_standby = pytest.mark.skipif(
    not REPLICA_URL or connection.vendor != "postgresql",
    reason="no standby: `make test-pg` starts one (scripts/replica.sh)",
)


def _standby_cursor_factory():
    import psycopg

    test_database = connection.settings_dict["NAME"]
    return psycopg.connect(REPLICA_URL.rsplit("/", 1)[0] + "/" + test_database, autocommit=True)


@postgres_only
@needs_standby
@pytest.mark.django_db(transaction=True)
def test_the_standby_streams_the_primarys_writes_and_passes_the_probe():
    marker = f"replicated-{time.time()}"
    with connection.cursor() as primary:
        primary.execute("CREATE TABLE replica_probe (v text)")
        primary.execute("INSERT INTO replica_probe VALUES (%s)", [marker])
    standby = _standby_cursor_factory()
    try:
        with standby.cursor() as cursor:
            seen = False
            for _ in range(100):
                cursor.execute("SELECT to_regclass('replica_probe') IS NOT NULL")
                if cursor.fetchone()[0]:
                    cursor.execute("SELECT count(*) FROM replica_probe WHERE v = %s", [marker])
                    if cursor.fetchone()[0] == 1:
                        seen = True
                        break
                time.sleep(0.05)
            assert seen, "the standby did not replay the insert within 5 s"
            health = replicas.probe(cursor, max_lag=5)
        assert health.ok and health.in_recovery
        assert health.lag_seconds is not None and health.lag_seconds <= 5
    finally:
        standby.close()
        with connection.cursor() as primary:
            primary.execute("DROP TABLE replica_probe")


@postgres_only
@needs_standby
@pytest.mark.django_db(transaction=True)
def test_the_standby_refuses_writes():
    import psycopg

    standby = _standby_cursor_factory()
    try:
        with standby.cursor() as cursor, pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            cursor.execute("UPDATE core_user SET username = username")
    finally:
        standby.close()
