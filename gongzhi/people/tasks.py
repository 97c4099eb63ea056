"""Background tasks of the people registry (gongzhi.core.tasks; inline in tests)."""

from __future__ import annotations

import contextlib

from gongzhi.core.tasks import task


@task()
def check_import(batch_id: int) -> None:
    """Check every row of an uploaded resident file (large files)."""
    from gongzhi.people import imports

    try:
        imports.run_check(batch_id)
    except Exception:
        imports.recover(batch_id)
        raise


@task()
def commit_import(batch_id: int) -> None:
    """Write a checked resident file in the mode the worker chose (large files)."""
    from gongzhi.people import imports

    try:
        # Refused: the batch is back in preview with its new errors; the page shows them.
        with contextlib.suppress(imports.ImportRefused):
            imports.run_commit(batch_id)
    except Exception:
        imports.recover(batch_id)
        raise
