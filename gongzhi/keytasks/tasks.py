"""Background work of key tasks, daily: escalation of at-risk and overdue tasks to their
list's owner and reminders before deadlines (supervision.sweep; each once per task, kind and
deadline, so a second run sends nothing)."""

from __future__ import annotations

from gongzhi.core.tasks import periodic
from gongzhi.keytasks import supervision


@periodic(hour="8", minute="10")
def sweep_key_tasks_daily() -> int:
    return supervision.sweep()
