"""Background work of care: every five minutes, text the unread households of the urgent
notices now due (services.sweep_urgent; each notice once)."""

from __future__ import annotations

from gongzhi.care import services
from gongzhi.core.tasks import periodic


@periodic(minute="*/5")
def sweep_urgent_notices() -> int:
    return services.sweep_urgent()
