"""Calling the resident about a ticket: the submitter's full phone number, revealed once with a
reason and audited exactly as the registry's reveal (`pii.reveal`, people.services.reveal) —
the same permission (`resident.reveal_phone`, in scope of the ticket's place), the same reason
rule, the field and the reason in the audit trail, never the number.

No number for anonymous reports (the reporter chose not to be known), for tickets entered for
someone who phoned or walked in (no account, no stored number) or a submitter without a phone."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, crypto
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.tickets.models import Ticket

REASON_MIN_LENGTH = 4  # as people.services.REASON_MIN_LENGTH


def callable_submitter(ticket: Ticket) -> bool:
    """Whether the ticket has a submitter whose number may be looked up at all."""
    submitter = ticket.submitter
    return bool(not ticket.anonymous and submitter is not None and submitter.phone_encrypted)


def may_call(user: Viewer, ticket: Ticket) -> bool:
    """Whether the page shows the "call the resident" button to this user."""
    return callable_submitter(ticket) and access.can(user, Action.REVEAL_PHONE, ticket.place_path)


def reveal_phone(*, actor: User, ticket: Ticket, reason: str) -> str:
    """The submitter's full phone number, once; audited with the reason (never the value)."""
    with transaction.atomic():
        grant = access.require(
            actor, Action.REVEAL_PHONE, ticket.place_path, read_action=Action.TICKET_VIEW
        )
        if not callable_submitter(ticket):
            raise ValidationError(
                {"reason": _("There is no phone number to call for this ticket.")}
            )
        text = (reason or "").strip()
        if len(text) < REASON_MIN_LENGTH:
            raise ValidationError(
                {
                    "reason": _("State the reason in at least %(n)s characters.")
                    % {"n": REASON_MIN_LENGTH}
                }
            )
        submitter = ticket.submitter
        assert submitter is not None  # callable_submitter
        audit.record(
            actor=actor,
            post=grant.post,
            action="pii.reveal",
            target=submitter,
            target_repr=f"{ticket.number} · {submitter.name}",
            place_path=ticket.place_path,
            changes={"field": "phone", "ticket": ticket.number},
            reason=text,
        )
        return crypto.decrypt(submitter.phone_encrypted)
