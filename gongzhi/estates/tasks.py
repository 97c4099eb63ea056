"""Background work of estates, daily: the re-election reminder (换届提醒) of owners' committee
terms ending within `owners_committee.term_reminder_months` (ratings.remind_term_expiry)."""

from __future__ import annotations

from gongzhi.core.tasks import periodic, task
from gongzhi.estates import ratings


@task()
def remind_term_expiry_task() -> int:
    return ratings.remind_term_expiry()


@periodic(hour="8", minute="20")
def remind_term_expiry_daily() -> int:
    return ratings.remind_term_expiry()
