"""Mediation panels shown on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.mediation import selectors
from gongzhi.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("mediation/_ticket_case.html", takes_context=True)
def ticket_case(context: dict[str, Any], ticket: Ticket) -> dict[str, object]:
    """On a ticket's page: the mediation case opened from it, or the button to open one."""
    return selectors.case_of_ticket(context["request"].user, ticket)


@register.simple_tag(takes_context=True)
def mediation_keeper(context: dict[str, Any]) -> bool:
    """Whether the viewer keeps a committee (the warning board and the joint meetings)."""
    return access.has_any(context["request"].user, Action.MEDIATION_MANAGE)


@register.simple_tag(takes_context=True)
def mediation_viewer(context: dict[str, Any]) -> bool:
    """Whether the viewer may see the committees and the figures (MEDIATION_VIEW)."""
    return access.has_any(context["request"].user, Action.MEDIATION_VIEW)


@register.simple_tag(takes_context=True)
def mediation_awarder(context: dict[str, Any]) -> bool:
    """Whether the viewer proposes and decides mediation awards (MEDIATION_AWARD)."""
    return access.has_any(context["request"].user, Action.MEDIATION_AWARD)
