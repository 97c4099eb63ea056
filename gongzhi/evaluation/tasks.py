"""Background work of assessment rounds: computing a round (services.compute_now), queued by
services.open_round and services.compute_round after their transaction commits."""

from __future__ import annotations

from gongzhi.core.tasks import task


@task()
def compute_round_task(round_id: int) -> None:
    from gongzhi.evaluation import services

    services.compute_now(round_id)
