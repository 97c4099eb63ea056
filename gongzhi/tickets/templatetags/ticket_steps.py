"""The words on a ticket's step buttons and dialogs (the desktop tables, issue 19 item 3)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.translation import gettext_lazy as _

from gongzhi.tickets.workflow import Step

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

register = template.Library()

# The same words as the buttons of tickets/_steps.html.
BUTTONS: dict[str, StrOrPromise] = {
    Step.ACCEPT: _("Accept"),
    Step.HANDLE: _("Handle in the grid"),
    Step.ESCALATE: _("Escalate to the community"),
    Step.DISPATCH: _("Dispatch"),
    Step.POOL: _("Publish to the pool"),
    Step.ESCALATE_TO_STREET: _("Escalate to the street"),
    Step.TAKE: _("Take"),
    Step.START: _("Start work"),
    Step.RESOLVE: _("Resolve"),
    Step.RETURN: _("Return"),
    Step.REASSIGN: _("Reassign"),
    Step.CONFIRM: _("Confirm and rate"),
    Step.REOPEN: _("Reopen after follow-up"),
    Step.CLOSE: _("Close"),
    Step.MERGE: _("Merge as duplicate"),
}
# Bootstrap button colour of each step in the tables (the main way forward is solid).
COLOURS: dict[str, str] = {
    Step.ACCEPT: "primary",
    Step.TAKE: "danger",
    Step.START: "primary",
    Step.RESOLVE: "success",
    Step.DISPATCH: "primary",
    Step.CONFIRM: "success",
    Step.RETURN: "outline-danger",
    Step.MERGE: "outline-secondary",
}


@register.filter
def step_button(step: str) -> StrOrPromise:
    """The button's words for a step."""
    return BUTTONS.get(step, step)


@register.filter
def step_colour(step: str) -> str:
    """The button's Bootstrap colour for a step."""
    return COLOURS.get(step, "outline-primary")
