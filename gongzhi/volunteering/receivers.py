"""Points for a resolved ticket (seed 003 annex 2 item 16: 志愿者爱心积分).

Runs inside the ticket step's transaction (gongzhi.tickets.signals): when the submitter
confirms a ticket with a satisfied rating, the party member or volunteer who handled it earns
`points.per_resolved_ticket`, once per ticket (the idempotency key names the ticket).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gongzhi.core.models import User
    from gongzhi.tickets.models import Ticket

SATISFIED_MIN = 4  # ratings 4 and 5 (the issue: "satisfied (>3)")


def ticket_confirmed(
    sender: object,
    *,
    ticket: Ticket,
    step: str,
    actor: User | None,
    data: object = None,
    **kwargs: object,
) -> None:
    from gongzhi.people.selectors import resident_of
    from gongzhi.volunteering import points

    if step != "confirm" or (ticket.rating or 0) < SATISFIED_MIN or ticket.handler_user is None:
        return
    resident = resident_of(ticket.handler_user)
    if resident is None or not points.community_path(resident.place_path):
        return
    points.earn(resident, "resolved_ticket", source=ticket, actor=actor)
