"""Background work for deliberation, daily:
- the joint-meeting reminder (003 §三(一)3: 三方联席会议原则上每季度召开一次), only where the policy
  document sets `deliberation.joint_meeting_months`: from the first day of the last month of a
  calendar period without a joint meeting, once per period (services.remind_joint_meetings);
- recurring meetings (003 annex 7: fixed deliberation days): each series' meetings created
  `lead_days` ahead, idempotent (services.create_series_meetings)."""

from __future__ import annotations

from gongzhi.core.tasks import periodic, task
from gongzhi.deliberation import services


@task()
def remind_joint_meetings_task() -> int:
    return services.remind_joint_meetings()


@periodic(hour="8", minute="5")
def remind_joint_meetings_daily() -> int:
    return services.remind_joint_meetings()


@task()
def create_series_meetings_task() -> int:
    return services.create_series_meetings()


@periodic(hour="6", minute="15")
def create_series_meetings_daily() -> int:
    return services.create_series_meetings()
