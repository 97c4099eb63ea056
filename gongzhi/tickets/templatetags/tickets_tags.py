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
