"""Real concurrent requests for the concurrency tests: each attempt runs in its own thread with
its own database connection, all released together by a barrier.

`hold_lock(monkeypatch, services)` makes the module's `_locked(obj)` sleep after taking its row
lock, so the other attempt arrives while the lock is held (on SQLite: queued IMMEDIATE
transactions; on PostgreSQL: the row lock).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import ModuleType
from typing import Any

from django.db import connection


def hold_lock(monkeypatch: Any, module: ModuleType, seconds: float = 0.3) -> None:
    real = module._locked

    def slow(obj: Any) -> Any:
        locked = real(obj)
        time.sleep(seconds)  # hold the lock while the other attempt arrives
        return locked

    monkeypatch.setattr(module, "_locked", slow)


def race(*attempts: Callable[[], Any]) -> list[Any]:
    """Each attempt's result, or the exception it raised, in the order they finished."""
    barrier = threading.Barrier(len(attempts))
    results: list[Any] = []

    def run(fn: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results.append(fn())
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results
