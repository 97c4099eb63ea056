"""Background work of volunteering: no-shows after activities end, and points expiry.

Both are idempotent: a re-run marks nobody twice and posts no second expiry entry (the
idempotency key names the account and the month).
"""

from __future__ import annotations

from gongzhi.core.tasks import periodic
from gongzhi.volunteering import points, services


@periodic(minute="*/15")
def mark_no_shows_periodically() -> int:
    return services.mark_no_shows()


@periodic(hour="2", minute="10")
def expire_points_daily() -> dict[str, int]:
    return points.expire_points()
