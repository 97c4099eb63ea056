"""The one task API. Decorate a function with `@task()`; call `fn(...)` to enqueue it.

Backed by Huey: embedded installations queue in a SQLite file and run a consumer thread pool
(`manage.py run_huey`, started by `make demo`); production uses Redis. Tests run tasks inline
(immediate mode). Task functions receive only ids and plain values, and open their own
transactions.
"""

from huey.contrib.djhuey import HUEY, db_task

task = db_task


def run_inline(enabled: bool = True) -> None:
    """Run tasks synchronously in the caller (tests, management commands)."""
    HUEY.immediate = enabled


__all__ = ["HUEY", "task", "run_inline"]

# Periodic tasks of core, registered when the consumer autodiscovers this module:
# accounts.disable_unused_accounts_daily; notifications.deliver_task (passing notifications on).
from gongzhi.core import accounts as _accounts  # noqa: E402, F401
from gongzhi.core import notifications as _notifications  # noqa: E402, F401
