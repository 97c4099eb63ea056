"""Ticket photos: the kernel checks uploads, strips their metadata and writes them
(gongzhi.core.photos, re-exported here); tickets attach them to a ticket, on intake or with the
resolution. They are served only through tickets:photo, which checks the viewer may see the
ticket.

`prepare()` checks every file and raises one ValidationError before anything is written, so a
bad photo stops the whole step. `attach()` then writes the files and the rows inside the
caller's transaction; `files_removed_on_error()` deletes the written files again if that
transaction fails.
"""

from __future__ import annotations

from gongzhi.core.models import User
from gongzhi.core.photos import (  # noqa: F401 — re-exported for the ticket services
    Prepared,
    files_removed_on_error,
    first_location,
    prepare,
    prepare_one,
    write,
)
from gongzhi.tickets.models import Ticket, TicketEvent, TicketPhoto


def attach(
    ticket: Ticket,
    prepared: list[Prepared],
    *,
    stage: str,
    user: User | None,
    event: TicketEvent | None = None,
    written: list[str] | None = None,
) -> list[TicketPhoto]:
    """Write the files and rows inside the caller's transaction. The names of the files written
    are appended to `written`, so that the caller can remove them if its transaction fails
    (see `files_removed_on_error`)."""
    return write(
        TicketPhoto,
        prepared,
        user=user,
        written=[] if written is None else written,
        ticket=ticket,
        stage=stage,
        event=event,
    )
