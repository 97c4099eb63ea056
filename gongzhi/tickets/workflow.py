"""The ticket state machine: one table, (state, action) → rule. The only place that says
which status may follow which.

A rule names the new state, the access action(s) the actor needs in scope of the ticket's place
(any one of them), and extra conditions that services.py checks:
- "handler": the actor is the ticket's current handler;
- "rater": the submitter, or — for a ticket entered on someone's behalf (no submitter
  account) — staff recording the rating after a follow-up call;
- "unsatisfied": the rating is at most UNSATISFIED_MAX.
`SYSTEM` rules are made only by the deadline sweep, never by a person.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.roles import Action as A
from gongzhi.tickets.models import Status as S

SYSTEM = "system"
UNSATISFIED_MAX = 2  # ratings 1 and 2 are unsatisfied: the community follows up


class Step(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("Submit")
    ACCEPT = "accept", gettext_lazy("Accept")
    HANDLE = "handle", gettext_lazy("Handle in the grid")
    ESCALATE = "escalate", gettext_lazy("Escalate to the community")
    DISPATCH = "dispatch", gettext_lazy("Dispatch")
    POOL = "pool", gettext_lazy("Publish to the pool")
    TAKE = "take", gettext_lazy("Take")
    START = "start", gettext_lazy("Start work")
    RESOLVE = "resolve", gettext_lazy("Resolve")
    RETURN = "return", gettext_lazy("Return")
    REASSIGN = "reassign", gettext_lazy("Reassign")
    MERGE = "merge", gettext_lazy("Merge into another ticket")
    ESCALATE_TO_STREET = "escalate_to_street", gettext_lazy("Escalate to the street")
    CONFIRM = "confirm", gettext_lazy("Confirm and rate")
    REOPEN = "reopen", gettext_lazy("Reopen after follow-up")
    CLOSE = "close", gettext_lazy("Close")
    AUTO_ESCALATE = "auto_escalate", gettext_lazy("Escalated automatically (overdue)")
    SUPERVISE = "supervise", gettext_lazy("Put under supervision (overdue)")
    AUTO_CLOSE = "auto_close", gettext_lazy("Closed without a rating")


@dataclass(frozen=True)
class Rule:
    target: str
    permissions: tuple[str, ...]  # any one of these access actions; (SYSTEM,) for the sweep
    condition: str = ""
    note_required: bool = False


_GRID = (A.TICKET_ACCEPT,)
_COMMUNITY = (A.TICKET_DISPATCH,)
_HANDLER = (A.TICKET_HANDLE,)
_SYS = (SYSTEM,)

GRID_STATES = (S.SUBMITTED, S.ACCEPTED, S.IN_GRID)
WAITING_STATES = (S.ESCALATED, S.RETURNED, S.POOLED)  # waiting for the community
IN_HANDS = (S.DISPATCHED, S.TAKEN, S.IN_PROGRESS)
TERMINAL = frozenset({S.CLOSED, S.MERGED})

TRANSITIONS: dict[tuple[str, str], Rule] = {
    # The grid: accept, handle it there ("small matters stay in the grid") or escalate.
    (S.SUBMITTED, Step.ACCEPT): Rule(S.ACCEPTED, _GRID),
    (S.SUBMITTED, Step.ESCALATE): Rule(S.ESCALATED, _GRID, note_required=True),
    (S.ACCEPTED, Step.HANDLE): Rule(S.IN_GRID, _GRID),
    (S.ACCEPTED, Step.ESCALATE): Rule(S.ESCALATED, _GRID, note_required=True),
    (S.IN_GRID, Step.ESCALATE): Rule(S.ESCALATED, _GRID, note_required=True),
    (S.IN_GRID, Step.RESOLVE): Rule(S.RESOLVED, _GRID, note_required=True),
    # The community (or the street): dispatch to a handler, or publish to the pool.
    (S.ESCALATED, Step.DISPATCH): Rule(S.DISPATCHED, _COMMUNITY),
    (S.RETURNED, Step.DISPATCH): Rule(S.DISPATCHED, _COMMUNITY),
    (S.POOLED, Step.DISPATCH): Rule(S.DISPATCHED, _COMMUNITY),
    (S.ESCALATED_TO_STREET, Step.DISPATCH): Rule(S.DISPATCHED, _COMMUNITY),
    (S.ESCALATED, Step.POOL): Rule(S.POOLED, _COMMUNITY),
    (S.RETURNED, Step.POOL): Rule(S.POOLED, _COMMUNITY),
    (S.ESCALATED, Step.ESCALATE_TO_STREET): Rule(
        S.ESCALATED_TO_STREET, _COMMUNITY, note_required=True
    ),
    (S.RETURNED, Step.ESCALATE_TO_STREET): Rule(
        S.ESCALATED_TO_STREET, _COMMUNITY, note_required=True
    ),
    # Party members take from the pool.
    (S.POOLED, Step.TAKE): Rule(S.TAKEN, (A.TICKET_TAKE,)),
    # The handler works, resolves or returns (退单); the dispatcher may reassign.
    (S.DISPATCHED, Step.START): Rule(S.IN_PROGRESS, _HANDLER, "handler"),
    (S.TAKEN, Step.START): Rule(S.IN_PROGRESS, _HANDLER, "handler"),
    (S.IN_PROGRESS, Step.RESOLVE): Rule(S.RESOLVED, _HANDLER, "handler", note_required=True),
    **{
        (state, Step.RETURN): Rule(S.RETURNED, _HANDLER, "handler", note_required=True)
        for state in IN_HANDS
    },
    **{(state, Step.REASSIGN): Rule(S.DISPATCHED, _COMMUNITY) for state in IN_HANDS},
    # Duplicates: merged into another ticket (terminal). Not while someone works on it.
    **{(state, Step.MERGE): Rule(S.MERGED, _GRID) for state in GRID_STATES},
    **{
        (state, Step.MERGE): Rule(S.MERGED, _COMMUNITY)
        for state in (*WAITING_STATES, S.ESCALATED_TO_STREET, S.DISPATCHED)
    },
    # The resident confirms and rates; an unsatisfied rating leads to a follow-up visit.
    (S.RESOLVED, Step.CONFIRM): Rule(S.CONFIRMED, (), "rater"),
    (S.CONFIRMED, Step.REOPEN): Rule(S.IN_PROGRESS, _COMMUNITY, "unsatisfied", note_required=True),
    (S.CONFIRMED, Step.CLOSE): Rule(S.CLOSED, (A.TICKET_ACCEPT, A.TICKET_DISPATCH)),
    # The deadline sweep.
    **{(state, Step.AUTO_ESCALATE): Rule(S.ESCALATED, _SYS) for state in GRID_STATES},
    **{(state, Step.AUTO_ESCALATE): Rule(S.ESCALATED_TO_STREET, _SYS) for state in WAITING_STATES},
    **{(state, Step.SUPERVISE): Rule(state, _SYS) for state in (*IN_HANDS, S.ESCALATED_TO_STREET)},
    (S.RESOLVED, Step.AUTO_CLOSE): Rule(S.CLOSED, _SYS),
}

# Steps a person may ask for (the API's POST actions); the others are the sweep's.
MANUAL_STEPS = tuple(
    s for s in Step if s not in (Step.SUBMIT, Step.AUTO_ESCALATE, Step.SUPERVISE, Step.AUTO_CLOSE)
)


class IllegalTransition(Exception):
    """The step is not possible from the ticket's current state. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class AlreadyTaken(IllegalTransition):
    """Another party member took the ticket first."""


def rule_for(status: str, step: str) -> Rule:
    """The rule for `step` from `status`, or a clear, translated IllegalTransition."""
    rule = TRANSITIONS.get((status, step))
    if rule is not None:
        return rule
    if step == Step.TAKE and status in (S.TAKEN, S.IN_PROGRESS, S.RESOLVED, S.CONFIRMED):
        raise AlreadyTaken(_("Another party member has already taken this ticket."))
    if status in TERMINAL:
        raise IllegalTransition(
            _("This ticket is %(status)s; nothing more can be done with it.")
            % {"status": S(status).label}
        )
    raise IllegalTransition(
        _("A ticket that is “%(status)s” cannot be given the step “%(step)s”.")
        % {"status": S(status).label, "step": Step(step).label}
    )


def steps_from(status: str) -> list[str]:
    """The manual steps the table allows from `status` (roles not considered)."""
    return [step for (state, step) in TRANSITIONS if state == status and step in MANUAL_STEPS]
