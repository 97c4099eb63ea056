"""Background work of owners' votes: seal every vote whose window has ended."""

from __future__ import annotations

from gongzhi.core.tasks import periodic
from gongzhi.owners import services


@periodic(minute="*/10")
def close_due_votes_periodically() -> int:
    return services.close_due_votes()
