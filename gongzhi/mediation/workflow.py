"""The case state machine: one table, (state, step) → new state. The only place that says
which state may follow which (docs/mediation.md "Workflow").

    opened ──start──▶ mediating ──agree──▶ agreed ──follow_up──▶ follow_up ──close──▶ closed
       │                 │ ├──fail (court / arbitration / not referred)──▶ no_agreement ─┐
       │                 │ └──refer_up──▶ opened (at the committee above)                 │
       └──withdraw──▶ withdrawn ◀──withdraw──┘            no_agreement, withdrawn ─follow_up┘
    agreed / follow_up ──reopen (the agreement was found broken at a visit)──▶ mediating

Who may take a step is the same for every step: the case's mediators and the staff of the
committee that holds it (services.py checks it); the table only says what is possible.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.mediation.models import State as S


class Step(models.TextChoices):
    OPEN = "open", gettext_lazy("Open the case")
    START = "start", gettext_lazy("Start mediation")
    AGREE = "agree", gettext_lazy("Record the agreement")
    FAIL = "fail", gettext_lazy("Record that no agreement was reached")
    REFER_UP = "refer_up", gettext_lazy("Refer up to the committee above")
    WITHDRAW = "withdraw", gettext_lazy("Withdrawn")
    FOLLOW_UP = "follow_up", gettext_lazy("Follow-up visit")
    REOPEN = "reopen", gettext_lazy("Reopen: the agreement is broken")
    CLOSE = "close", gettext_lazy("Close the case")
    # Not a state change (not in the table): the case is flagged to the street (群体性 risk).
    ESCALATION = "escalation", gettext_lazy("Flagged to the street: risk of escalation")


TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPENED, Step.START): S.MEDIATING,
    (S.OPENED, Step.WITHDRAW): S.WITHDRAWN,
    (S.MEDIATING, Step.AGREE): S.AGREED,
    (S.MEDIATING, Step.FAIL): S.NO_AGREEMENT,
    (S.MEDIATING, Step.REFER_UP): S.OPENED,
    (S.MEDIATING, Step.WITHDRAW): S.WITHDRAWN,
    (S.AGREED, Step.FOLLOW_UP): S.FOLLOW_UP,
    (S.NO_AGREEMENT, Step.FOLLOW_UP): S.FOLLOW_UP,
    (S.WITHDRAWN, Step.FOLLOW_UP): S.FOLLOW_UP,
    (S.FOLLOW_UP, Step.FOLLOW_UP): S.FOLLOW_UP,
    (S.AGREED, Step.REOPEN): S.MEDIATING,
    (S.FOLLOW_UP, Step.REOPEN): S.MEDIATING,
    (S.FOLLOW_UP, Step.CLOSE): S.CLOSED,
}

TERMINAL = frozenset({S.CLOSED})
# States in which sessions may be held (a session in an opened case starts the mediation).
SESSION_STATES = (S.OPENED, S.MEDIATING)
# States in which parties and mediators may still be added.
OPEN_STATES = (S.OPENED, S.MEDIATING)


class IllegalTransition(Exception):
    """The step is not possible from the case's current state. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def target(state: str, step: str) -> str:
    """The state `step` leads to from `state`, or a clear, translated IllegalTransition."""
    new = TRANSITIONS.get((state, step))
    if new is not None:
        return new
    if state in TERMINAL:
        raise IllegalTransition(_("This case is closed; nothing more can be done with it."))
    raise IllegalTransition(
        _("A case that is “%(state)s” cannot be given the step “%(step)s”.")
        % {"state": S(state).label, "step": Step(step).label}
    )


def steps_from(state: str) -> list[str]:
    """The steps the table allows from `state`."""
    return [step for (st, step) in TRANSITIONS if st == state]
