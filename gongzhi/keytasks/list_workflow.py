"""A key task's reported state: one table, (state, step) → new state (docs/key-tasks.md
"Task lists").

    open ──done (a reporter)──▶ done ──verify (an officer of the list's place)──▶ verified
                                  └──return (an officer: not done after all)──▶ open

The shown status (not started, on track, at risk, overdue) of an open task is computed from
the dates (list_status.py); "done" and "verified" are reported, never computed.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.keytasks.models import KeyTaskState as S


class Step(models.TextChoices):
    DONE = "done", gettext_lazy("Report done")
    VERIFY = "verify", gettext_lazy("Verify")
    RETURN = "return", gettext_lazy("Return as not done")


TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, Step.DONE): S.DONE,
    (S.DONE, Step.VERIFY): S.VERIFIED,
    (S.DONE, Step.RETURN): S.OPEN,
}


class IllegalTransition(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def target(state: str, step: str) -> str:
    new = TRANSITIONS.get((state, step))
    if new is not None:
        return new
    if state == S.VERIFIED and step == Step.VERIFY:
        raise IllegalTransition(_("This task has already been verified."))
    raise IllegalTransition(
        _("A task that is “%(state)s” cannot be given the step “%(step)s”.")
        % {"state": S(state).label, "step": Step(step).label}
    )
