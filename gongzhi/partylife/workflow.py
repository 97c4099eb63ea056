"""The transfer state machine: one table, (state, step) → new state. The only place that says
which state may follow which (docs/party.md "Transfers").

    (new) ──request──▶ requested ──accept──▶ accepted   (the member moves to the new branch)
                           ├──refuse (with the reason)──▶ refused   (the member stays)
                           └──withdraw──▶ withdrawn                 (the member stays)
    (new) ──record──▶ recorded   (in from / out of the platform, with the letter's number)

Who may take a step (services.py checks it): `request` and `withdraw` — whoever manages the
member's branch; `accept` and `refuse` — whoever manages the receiving branch; `record` —
whoever manages the branch the member leaves (out) or joins (in)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongzhi.partylife.models import TransferState as S

NEW = ""


class Step(models.TextChoices):
    REQUEST = "request", gettext_lazy("Request the transfer")
    ACCEPT = "accept", pgettext_lazy("transfer", "Accept")
    REFUSE = "refuse", pgettext_lazy("transfer", "Refuse")
    WITHDRAW = "withdraw", pgettext_lazy("transfer", "Withdraw")
    RECORD = "record", gettext_lazy("Record the transfer")


TRANSITIONS: dict[tuple[str, str], str] = {
    (NEW, Step.REQUEST): S.REQUESTED,
    (NEW, Step.RECORD): S.RECORDED,
    (S.REQUESTED, Step.ACCEPT): S.ACCEPTED,
    (S.REQUESTED, Step.REFUSE): S.REFUSED,
    (S.REQUESTED, Step.WITHDRAW): S.WITHDRAWN,
}

TERMINAL = frozenset({S.ACCEPTED, S.REFUSED, S.WITHDRAWN, S.RECORDED})


class IllegalTransition(Exception):
    """The step is not possible from the transfer's current state. Nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def target(state: str, step: str) -> str:
    """The state `step` leads to from `state`, or a clear, translated IllegalTransition."""
    new = TRANSITIONS.get((state, step))
    if new is not None:
        return new
    if state in TERMINAL:
        raise IllegalTransition(
            _("This transfer is already “%(state)s”; nothing more can be done with it.")
            % {"state": S(state).label}
        )
    raise IllegalTransition(
        _("A transfer that is “%(state)s” cannot be given the step “%(step)s”.")
        % {"state": S(state).label if state else "—", "step": Step(step).label}
    )


def steps_from(state: str) -> list[str]:
    return [step for (s, step) in TRANSITIONS if s == state]
