"""Readiness: can this app server do its work? `/readyz` answers JSON with each part's status
(never personal data) and 503 when a part that serving needs has failed. `/healthz` stays the
liveness probe (the process answers, the database answers).

Parts: database (SELECT 1), cache (a write and a read when Redis is configured), migrations
(none pending), field_key (gongzhi/core/keycheck.py), tasks (the worker's heartbeat — the
periodic job `core.tasks.heartbeat` writes a row every minute — and the number of queued tasks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse

from gongzhi.core import cache as resilient_cache
from gongzhi.core import clock, keycheck
from gongzhi.core.tasks import HEARTBEAT, HUEY

# The heartbeat runs every minute: three missed minutes mean no worker runs the periodic jobs.
HEARTBEAT_STALE = dt.timedelta(minutes=3)


def _database() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": "ok", "vendor": connection.vendor}


def _cache() -> dict[str, Any]:
    if "Redis" not in settings.CACHES["default"]["BACKEND"]:
        return {"status": "ok", "kind": "local"}
    cache.set("readyz:probe", 1, 5)
    ok = cache.get("readyz:probe") == 1 and resilient_cache.available()
    # Degraded, not down: pages render without the cache (gongzhi/core/cache.py).
    return {"status": "ok" if ok else "degraded", "kind": "redis"}


def _migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"status": "ok" if not pending else "pending", "pending": len(pending)}


def _field_key() -> dict[str, Any]:
    status = keycheck.check()
    return {"status": "ok" if status.ok else "wrong", "versions": status.checked}


def _tasks() -> dict[str, Any]:
    from gongzhi.core.models import PeriodicRun

    if HUEY.immediate:
        return {"status": "ok", "mode": "inline"}
    last = (
        PeriodicRun.objects.filter(name=HEARTBEAT)
        .order_by("-slot")
        .values_list("started_at", flat=True)
        .first()
    )
    queued = HUEY.pending_count()
    if last is None:
        return {"status": "no_worker", "queued": queued}
    age = clock.now() - last
    return {
        "status": "ok" if age <= HEARTBEAT_STALE else "stale",
        "heartbeat_seconds": int(age.total_seconds()),
        "queued": queued,
    }


PARTS = {
    "database": _database,
    "cache": _cache,
    "migrations": _migrations,
    "field_key": _field_key,
    "tasks": _tasks,
}
# Statuses that do not stop the server from serving pages.
SERVING = {"ok", "degraded"}


def readiness() -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for name, probe in PARTS.items():
        try:
            parts[name] = probe()
        except Exception as exc:  # noqa: BLE001 — any failure is that part's status
            parts[name] = {"status": "error", "error": type(exc).__name__}
    ready = all(p["status"] in SERVING for p in parts.values())
    return {"status": "ok" if ready else "error", "parts": parts}


def readyz(request: HttpRequest) -> JsonResponse:
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
