"""Background work for tickets: the deadline sweep.

`sweep_tickets_task()` enqueues a sweep (gongzhi.core.tasks.task). The consumer also runs it
every five minutes (Huey periodic task, `manage.py run_huey`); `manage.py sweep_tickets` runs it
at once, e.g. from cron where no consumer runs.
"""

from __future__ import annotations

from gongzhi.core import notifications
from gongzhi.core.tasks import periodic, task
from gongzhi.tickets import deadlines


@task()
def sweep_tickets_task() -> dict[str, int]:
    return deadlines.sweep()


@periodic(minute="*/5")
def sweep_tickets_periodically() -> dict[str, int]:
    return deadlines.sweep()


@task()
def deliver_notifications(notification_ids: list[int]) -> int:
    """Deliveries queued before notifications moved into the kernel: passed on to
    gongzhi.core.notifications (whose own task, `deliver_task`, this import registers with the
    consumer)."""
    return notifications.deliver(notification_ids)


@task()
def ledger_export_task(job_id: int) -> None:
    """A large ticket-ledger export (gongzhi/tickets/ledger.py, run_export)."""
    from gongzhi.tickets import ledger

    ledger.run_export(job_id)


@periodic(minute="17")
def purge_ledger_exports_hourly() -> int:
    """Every hour: the files of ledger exports past their keeping time go."""
    from gongzhi.tickets import ledger

    return ledger.purge_expired()
