"""Background work of care: every five minutes, text the unread households of the urgent
notices now due (services.sweep_urgent; each notice once); every hour at :07, tell visitors of
their overdue care visits (services.notify_overdue; once per plan and due date)."""

from __future__ import annotations

from gongzhi.care import services
from gongzhi.core.tasks import periodic


@periodic(minute="*/5")
def sweep_urgent_notices() -> int:
    return services.sweep_urgent()


@periodic(minute="7")
def notify_overdue_visits() -> int:
    return services.notify_overdue()
