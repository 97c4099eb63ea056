"""The workbench menu: each entry shows only to users granted its action somewhere."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gongzhi.core import access
from gongzhi.core.roles import Action


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    action: str | None = None


NAV: list[NavItem] = [
    NavItem(_("Workbench"), "home", "speedometer2"),
    NavItem(_("Places"), "places:tree", "diagram-3", Action.PLACE_VIEW),
    NavItem(_("Residents"), "people:list", "people", Action.RESIDENT_VIEW),
    NavItem(_("Import residents"), "people_import:index", "upload", Action.RESIDENT_IMPORT),
    NavItem(_("Compliance"), "compliance:list", "clipboard-check", Action.COMPLIANCE_VIEW),
    NavItem(_("Party organisation"), "party:tree", "flag", Action.PARTY_VIEW),
    NavItem(_("Ticket queue"), "tickets:queue", "inbox", Action.TICKET_ACCEPT),
    NavItem(_("Dispatch board"), "tickets:board", "send", Action.TICKET_DISPATCH),
    NavItem(_("Ticket pool"), "tickets:pool", "collection", Action.TICKET_TAKE),
    NavItem(_("My taken tickets"), "tickets:taken", "check2-square", Action.TICKET_HANDLE),
    NavItem(_("Policy profiles"), "profiles:list", "sliders", Action.PROFILE_VIEW),
    NavItem(_("Posts"), "posts:list", "person-badge", Action.POST_MANAGE),
    NavItem(_("Audit trail"), "audit:list", "shield-check", Action.AUDIT_VIEW),
]


def menu_for(user) -> list[dict]:
    items = []
    for item in NAV:
        if item.action is None or access.has_any(user, item.action):
            items.append({"label": item.label, "url": reverse(item.url_name), "icon": item.icon})
    return items
