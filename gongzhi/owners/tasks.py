"""Background work of owners' votes: seal every vote whose window has ended."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from gongzhi.owners import services


@db_periodic_task(crontab(minute="*/10"))
def close_due_votes_periodically() -> int:
    return services.close_due_votes()
