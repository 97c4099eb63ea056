"""Template tags of the tickets app. `{% notification_bell %}` (in base.html's top bar, for any
signed-in user): a bell linking to the notification centre with the unread count
(gongzhi.core.notifications.badge_count: cached per user, one bounded COUNT query on a miss)."""

from django import template

from gongzhi.core import notifications

register = template.Library()


@register.inclusion_tag("tickets/_bell.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    count = notifications.badge_count(user) if user is not None else 0
    return {
        "unread": count,
        "label": notifications.badge_label(count),
    }


@register.simple_tag
def ticket_place_name(ticket) -> str:
    """The ticket's place as people read it ("乐坪花园 2栋 · 第五网格"), never coordinates."""
    from gongzhi.tickets import geo

    return geo.place_name(ticket.place)


@register.inclusion_tag("tickets/_point.html", takes_context=True)
def ticket_point(context, ticket):
    """Staff who view the area's tickets: a small map with the ticket's point (its own, else
    its building's or grid's centre) and its grid outline; whoever may reveal a resident's
    phone there also gets the "call the resident" button (tickets/calls.py)."""
    from gongzhi.core import access
    from gongzhi.core.roles import Action
    from gongzhi.tickets import calls, geo, views_map

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.can(user, Action.TICKET_VIEW, ticket.place_path):
        return {"show": False}
    return {
        "show": True,
        "ticket": ticket,
        "point": geo.ticket_point(ticket),
        "map_config": geo.map_config(),
        "may_call": calls.may_call(user, ticket),
        "callable": True,
        "form": views_map.ReasonForm(),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
