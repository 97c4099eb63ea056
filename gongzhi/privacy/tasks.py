"""The daily retention run (privacy/retention.py)."""

from gongzhi.core.tasks import periodic


@periodic(hour="3", minute="20")
def daily_retention():
    from gongzhi.privacy import retention

    return retention.apply()
