"""Partner-unit panels shown on other apps' pages."""

from django import template

from gongzhi.partners import selectors

register = template.Library()


@register.inclusion_tag("partners/_ticket_need.html", takes_context=True)
def ticket_need(context, ticket):
    """On a ticket's page: its need on the three lists, or a button to put it there."""
    return selectors.ticket_need(context["request"].user, ticket)
