"""The one task API. Decorate a function with `@task()`; call `fn(...)` to enqueue it.

Backed by Huey: embedded installations queue in a SQLite file and run a consumer thread pool
(`manage.py run_huey`, started by `make demo`); production uses Redis. Tests run tasks inline
(immediate mode). Task functions receive only ids and plain values, and open their own
transactions.

Periodic jobs use `@periodic(minute=…, hour=…)`: the times are Beijing wall time (settings
TIME_ZONE; Huey runs with `utc=False`), and the job runs once per scheduled minute however many
workers' schedulers queued it — the first to insert its `core.PeriodicRun` row runs it, the others
skip. `periodic_jobs()` lists them for docs/deployment.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from gongzhi.core import clock

task = db_task
logger = logging.getLogger("gongzhi.tasks")
F = TypeVar("F", bound=Callable[..., Any])
# How far back a delayed run still finds the minute it was scheduled for (a week covers every
# schedule the platform has: the longest is daily).
LOOKBACK = dt.timedelta(days=7)
HEARTBEAT = "gongzhi.core.tasks.heartbeat"
_JOBS: dict[str, dict[str, str]] = {}


def run_inline(enabled: bool = True) -> None:
    """Run tasks synchronously in the caller (tests, management commands)."""
    HUEY.immediate = enabled


def scheduled_slot(validate: Callable[[dt.datetime], bool], now: dt.datetime) -> dt.datetime:
    """The latest minute at or before `now` (Beijing wall time) that the schedule fires in, as an
    aware UTC datetime: the same for every worker that queued this run, however late it runs."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(zone).replace(second=0, microsecond=0, tzinfo=None)
    minute = local
    while local - minute <= LOOKBACK:
        if validate(minute):
            return minute.replace(tzinfo=zone).astimezone(dt.UTC)
        minute -= dt.timedelta(minutes=1)
    return local.replace(tzinfo=zone).astimezone(dt.UTC)


def claim(name: str, slot: dt.datetime) -> bool:
    """Insert the (job, minute) row; False when another worker already has."""
    from gongzhi.core.models import PeriodicRun

    try:
        with transaction.atomic():
            PeriodicRun.objects.create(name=name, slot=slot, started_at=clock.now())
    except IntegrityError:
        return False
    return True


def periodic(
    *, minute: str = "*", hour: str = "*", day: str = "*", day_of_week: str = "*"
) -> Callable[[F], F]:
    """A periodic job run once per scheduled minute across all workers (see the module doc)."""
    validate = crontab(minute=minute, hour=hour, day=day, day_of_week=day_of_week)

    def decorate(fn: F) -> F:
        name = f"{fn.__module__}.{fn.__qualname__}"
        _JOBS[name] = {"minute": minute, "hour": hour, "day": day, "day_of_week": day_of_week}

        @functools.wraps(fn)
        def once(*args: Any, **kwargs: Any) -> Any:
            if not claim(name, scheduled_slot(validate, clock.now())):
                logger.info("periodic job %s: this minute ran in another worker", name)
                return None
            return fn(*args, **kwargs)

        return db_periodic_task(validate, name=name)(once)

    return decorate


def periodic_jobs() -> dict[str, dict[str, str]]:
    """Every periodic job's name and schedule (import the task modules first)."""
    return dict(sorted(_JOBS.items()))


@periodic(minute="*")
def heartbeat() -> None:
    """Every minute: the worker is alive (readiness reads the latest row) and old rows go."""
    from gongzhi.core.models import PeriodicRun

    PeriodicRun.objects.filter(started_at__lt=clock.now() - dt.timedelta(days=30)).delete()


__all__ = ["HUEY", "task", "periodic", "periodic_jobs", "run_inline"]

# Periodic tasks of core, registered when the consumer autodiscovers this module:
# accounts.disable_unused_accounts_daily; notifications.deliver_task (passing notifications on).
from gongzhi.core import accounts as _accounts  # noqa: E402, F401
from gongzhi.core import notifications as _notifications  # noqa: E402, F401
