"""The privacy app's pieces on the resident's home page (gongzhi/templates/core/resident_home.html):
the tile "My personal information" and, until the resident has agreed to the current privacy
notice, a prompt to read it."""

from __future__ import annotations

from django import template

from gongzhi.core import access
from gongzhi.core.roles import Action

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("privacy/_tile.html", takes_context=True)
def privacy_tile(context):
    user = _user(context)
    return {"show": user is not None and access.has_any(user, Action.PRIVACY_SELF)}


@register.inclusion_tag("privacy/_notice_prompt.html", takes_context=True)
def privacy_notice_prompt(context):
    from gongzhi.privacy.services import needs_notice

    user = _user(context)
    show = user is not None and access.has_any(user, Action.PRIVACY_SELF) and needs_notice(user)
    return {"show": show}
