"""Mediation panels shown on other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from gongzhi.mediation import selectors
from gongzhi.tickets.models import Ticket

register = template.Library()


@register.inclusion_tag("mediation/_ticket_case.html", takes_context=True)
def ticket_case(context: dict[str, Any], ticket: Ticket) -> dict[str, object]:
    """On a ticket's page: the mediation case opened from it, or the button to open one."""
    return selectors.case_of_ticket(context["request"].user, ticket)
