"""Background work for deliberation: the joint-meeting reminder (003 §三(一)3: 三方联席会议
原则上每季度召开一次). Runs daily; each community's secretary is reminded at most once per
period of `deliberation.joint_meeting_months` (services.remind_joint_meetings)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongzhi.core.tasks import task
from gongzhi.deliberation import services


@task()
def remind_joint_meetings_task() -> int:
    return services.remind_joint_meetings()


@db_periodic_task(crontab(hour="8", minute="5"))
def remind_joint_meetings_daily() -> int:
    return services.remind_joint_meetings()
