"""Background work of volunteering: no-shows after activities end, and points expiry.

Both are idempotent: a re-run marks nobody twice and posts no second expiry entry (the
idempotency key names the account and the month).
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongzhi.volunteering import points, services


@db_periodic_task(crontab(minute="*/15"))
def mark_no_shows_periodically() -> int:
    return services.mark_no_shows()


@db_periodic_task(crontab(hour="2", minute="10"))
def expire_points_daily() -> dict[str, int]:
    return points.expire_points()
