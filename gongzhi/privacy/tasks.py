"""The daily retention run (privacy/retention.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(hour="3", minute="20"))
def daily_retention():
    from gongzhi.privacy import retention

    return retention.apply()
