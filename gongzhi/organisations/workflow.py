"""The incubation stages: one table, (stage, step) → new stage. The only place that says which
stage may follow which (docs/social-organisations.md "Incubation").

    applied ──admit (mentor, start date)──▶ incubating ──graduate──▶ graduated
       └──withdraw──▶ withdrawn ◀──withdraw──┘

Who may take a step is the same for every step: the staff keeping the register where the
incubator is (ORG_MANAGE, checked by the services); the table only says what is possible.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.organisations.models import Stage as S


class Step(models.TextChoices):
    ADMIT = "admit", gettext_lazy("Admit to incubation")
    GRADUATE = "graduate", gettext_lazy("Graduate")
    WITHDRAW = "withdraw", pgettext_lazy("incubation", "Withdraw")


TRANSITIONS: dict[tuple[str, str], str] = {
    (S.APPLIED, Step.ADMIT): S.INCUBATING,
    (S.APPLIED, Step.WITHDRAW): S.WITHDRAWN,
    (S.INCUBATING, Step.GRADUATE): S.GRADUATED,
    (S.INCUBATING, Step.WITHDRAW): S.WITHDRAWN,
}
TERMINAL = frozenset({S.GRADUATED, S.WITHDRAWN})


class IllegalTransition(Exception):
    """The step is not possible from the current stage. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def target(stage: str, step: str) -> str:
    """The stage `step` leads to from `stage`, or a clear, translated IllegalTransition."""
    new = TRANSITIONS.get((stage, step))
    if new is not None:
        return new
    if stage in TERMINAL:
        raise IllegalTransition(_("This incubation has ended; nothing more can be done with it."))
    raise IllegalTransition(
        _("An incubation that is “%(stage)s” cannot be given the step “%(step)s”.")
        % {"stage": S(stage).label, "step": Step(step).label}
    )


def steps_from(stage: str) -> list[str]:
    """The steps the table allows from `stage`."""
    return [step for (state, step) in TRANSITIONS if state == stage]
