"""A receiver's state machine: one table, (state, step) → new state. The only place that says
which state may follow which (docs/key-tasks.md "Filling in").

    pending ──save──▶ pending ──submit──▶ submitted ──recall (until the deadline)──▶ pending
                                             │
                                             └──reopen (the sender; after the deadline)──▶ reopened
    reopened ──save──▶ reopened ──submit──▶ submitted

A form is answered once per receiver: after submission the answers change only through
`recall` — the receiver's own step, allowed up to the deadline (services.py checks the date) —
or, after the deadline, through the sender's `reopen`. Nothing moves once the task is closed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.keytasks.models import ReceiverState as S


class Step(models.TextChoices):
    SAVE = "save", gettext_lazy("Save a draft")
    SUBMIT = "submit", gettext_lazy("Submit")
    RECALL = "recall", gettext_lazy("Take back to change")
    REOPEN = "reopen", gettext_lazy("Reopen for changes")


TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PENDING, Step.SAVE): S.PENDING,
    (S.PENDING, Step.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, Step.RECALL): S.PENDING,
    (S.SUBMITTED, Step.REOPEN): S.REOPENED,
    (S.REOPENED, Step.SAVE): S.REOPENED,
    (S.REOPENED, Step.SUBMIT): S.SUBMITTED,
}

# States in which the receiver may change its answers.
EDITABLE = (S.PENDING, S.REOPENED)


class IllegalTransition(Exception):
    """The step is not possible from the receiver's current state. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def target(state: str, step: str) -> str:
    """The state `step` leads to from `state`, or a clear, translated IllegalTransition."""
    new = TRANSITIONS.get((state, step))
    if new is not None:
        return new
    if state == S.SUBMITTED and step in (Step.SAVE, Step.SUBMIT):
        raise IllegalTransition(
            _(
                "This form has been submitted; it is answered once. Take it back or ask the sender to reopen it."
            )
        )
    raise IllegalTransition(
        _("A form that is “%(state)s” cannot be given the step “%(step)s”.")
        % {"state": S(state).label, "step": Step(step).label}
    )


def steps_from(state: str) -> list[str]:
    return [step for (st, step) in TRANSITIONS if st == state]
