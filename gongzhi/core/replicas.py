"""Reads from a PostgreSQL hot standby (issue 20, docs/scaling.md "Read replicas").

With DATABASE_REPLICA_URL set, settings add the database alias `replica`, this router and the
middleware below. Which reads go to the replica:

- only reads made while serving a safe request (GET, HEAD, OPTIONS) — pages, lists, reports;
  a write request (POST, PUT, PATCH, DELETE), a background task and a management command read
  from the primary, so a service never decides on rows the standby has not replayed yet;
- not after the user's own write: a write request leaves a cookie holding only its time, and
  for REPLICA_STICKY_SECONDS the user's requests stay on the primary (read your writes:
  the ticket you just submitted is on the next page);
- not inside a transaction (`transaction.atomic`, select_for_update): those read the primary;
- not while the replica is unhealthy: it is asked every REPLICA_CHECK_SECONDS whether it
  answers, is in recovery and is at most REPLICA_MAX_LAG_SECONDS behind; otherwise every read
  goes to the primary until the next check finds it well again.

Writes and migrations always go to the primary (`default`).
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, connections

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"
STICKY_COOKIE = "gz_wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# True while serving a request whose reads may go to the replica.
_may_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "gongzhi_replica_reads", default=False
)


@dataclass(frozen=True)
class Health:
    ok: bool
    in_recovery: bool
    lag_seconds: float | None
    reason: str = ""


def probe(cursor: Any, max_lag: float) -> Health:
    """What the standby says of itself, on an open cursor to it. Lag is 0 when it has replayed
    all it received (an idle primary sends nothing, so the last replayed transaction's age
    alone would call a current standby late); otherwise the age of the last replayed one."""
    cursor.execute(
        "SELECT pg_is_in_recovery(),"
        " CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
        " ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END"
    )
    in_recovery, lag = cursor.fetchone()
    lag = float(lag) if lag is not None else None
    if not in_recovery:
        return Health(False, False, lag, "not a standby")
    if lag is None or lag > max_lag:
        return Health(False, True, lag, "behind")
    return Health(True, True, lag)


class _HealthCache:
    """The last probe's answer, asked again after REPLICA_CHECK_SECONDS (one probe at a time
    per process: the others use the previous answer meanwhile)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._ok = False

    def reset(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")
            self._ok = False

    def ok(self) -> bool:
        every = float(getattr(settings, "REPLICA_CHECK_SECONDS", 5))
        if time.monotonic() - self._checked_at < every or not self._lock.acquire(blocking=False):
            return self._ok
        try:
            self._ok = self._probe()
            self._checked_at = time.monotonic()
        finally:
            self._lock.release()
        return self._ok

    @staticmethod
    def _probe() -> bool:
        max_lag = float(getattr(settings, "REPLICA_MAX_LAG_SECONDS", 5))
        try:
            with connections[REPLICA].cursor() as cursor:
                health = probe(cursor, max_lag)
        except DatabaseError as exc:
            connections[REPLICA].close()
            logger.warning("read replica unavailable, reading from the primary: %s", type(exc))
            return False
        if not health.ok:
            logger.warning(
                "read replica not used: %s (lag %s s)", health.reason, health.lag_seconds
            )
        return health.ok


health = _HealthCache()


def configured() -> bool:
    return REPLICA in settings.DATABASES


def reads_from_replica() -> bool:
    """Whether a read made now goes to the replica (see the module's docstring)."""
    if not configured() or not _may_use_replica.get():
        return False
    if connections[PRIMARY].in_atomic_block:
        return False
    return health.ok()


class ReplicaRouter:
    """settings.DATABASE_ROUTERS when a replica is configured."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return REPLICA if reads_from_replica() else PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # One database seen twice: rows read from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def wrote_recently(request: HttpRequest) -> bool:
    raw = request.COOKIES.get(STICKY_COOKIE, "")
    try:
        wrote_at = float(raw)
    except ValueError:
        return False
    sticky = float(getattr(settings, "REPLICA_STICKY_SECONDS", 10))
    return 0 <= time.time() - wrote_at <= sticky


class ReplicaMiddleware:
    """Marks the requests whose reads may use the replica, and remembers a user's writes.
    First in the stack after SecurityMiddleware: the session and the user are read through it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in SAFE_METHODS
        token = _may_use_replica.set(safe and configured() and not wrote_recently(request))
        try:
            response = self.get_response(request)
        finally:
            _may_use_replica.reset(token)
        if not safe and configured():
            # Wall time, as session expiry uses: moving the platform's clock in a demo must
            # not pin or unpin anybody. The cookie holds nothing but that time.
            response.set_cookie(
                STICKY_COOKIE,
                f"{time.time():.3f}",
                max_age=int(getattr(settings, "REPLICA_STICKY_SECONDS", 10)) + 1,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
            )
        return response
