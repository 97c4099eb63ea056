"""The workbench menu and the resident's service tiles.

Each entry shows only to users granted its action somewhere. Workbench entries sit in groups
(one dropdown each in the top bar); a group with one visible entry renders as a plain link.
Apps add their entries here, to the group they belong to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import access
from gongzhi.core.roles import Action


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    action: str | None = None
    # A staff page (a search over residents, the place registry): not in a resident's menu,
    # whatever narrow right their post carries (issue 19: residents see no staff words).
    staff_only: bool = False


@dataclass(frozen=True)
class NavGroup:
    label: str
    icon: str
    items: tuple[NavItem, ...]


NAV: list[NavGroup] = [
    NavGroup(_("Workbench"), "speedometer2", (NavItem(_("Workbench"), "home", "speedometer2"),)),
    NavGroup(
        _("Registry"),
        "diagram-3",
        (
            NavItem(_("Places"), "places:tree", "diagram-3", Action.PLACE_VIEW, staff_only=True),
            NavItem(_("Residents"), "people:list", "people", Action.RESIDENT_VIEW, staff_only=True),
            NavItem(
                _("Import residents"),
                "people_import:index",
                "upload",
                Action.RESIDENT_IMPORT,
                staff_only=True,
            ),
            NavItem(_("Household notices"), "care:notices", "megaphone", Action.CARE_NOTICE_VIEW),
            NavItem(_("Rented homes and tenants"), "care:rentals", "key", Action.CARE_RENTAL_VIEW),
            NavItem(_("Care visits"), "care:visits", "heart-pulse", Action.CARE_VISIT_PLAN),
            NavItem(
                _("Donations and service circle"),
                "care:donations",
                "gift",
                Action.CARE_GIVING_MANAGE,
            ),
            NavItem(_("Talent and skills base"), "care:talents", "stars", Action.CARE_TALENT_VIEW),
            NavItem(_("Party organisation"), "party:tree", "flag", Action.PARTY_VIEW),
            NavItem(
                _("Organisational life"),
                "partylife:index",
                "journal-bookmark",
                Action.PARTYLIFE_VIEW,
            ),
        ),
    ),
    NavGroup(
        _("Tickets"),
        "inbox",
        (
            NavItem(_("Ticket queue"), "tickets:queue", "inbox", Action.TICKET_ACCEPT),
            NavItem(_("Dispatch board"), "tickets:board", "send", Action.TICKET_DISPATCH),
            NavItem(_("Ticket pool"), "tickets:pool", "collection", Action.TICKET_TAKE),
            NavItem(_("My taken tickets"), "tickets:taken", "check2-square", Action.TICKET_HANDLE),
            NavItem(
                _("Ticket ledger"), "tickets:ledger", "table", Action.TICKET_VIEW, staff_only=True
            ),
            NavItem(_("Ticket map"), "tickets:map", "map", Action.TICKET_VIEW),
            NavItem(_("Ticket statistics"), "tickets:stats", "bar-chart-line", Action.TICKET_STATS),
            NavItem(_("Mediation cases"), "mediation:index", "people", Action.MEDIATION_VIEW),
            NavItem(
                _("Mediation committees"), "mediation:committees", "bank", Action.MEDIATION_VIEW
            ),
            NavItem(_("Warning board"), "mediation:board", "flag", Action.MEDIATION_MANAGE),
            NavItem(
                _("Legal questions"),
                "mediation:legal_list",
                "journal-text",
                Action.MEDIATION_MANAGE,
            ),
            NavItem(_("Mediation awards"), "mediation:awards", "award", Action.MEDIATION_AWARD),
            NavItem(
                _("Ticket categories"), "tickets:categories", "diagram-2", Action.TICKET_CATEGORIES
            ),
        ),
    ),
    NavGroup(
        _("Volunteering"),
        "heart",
        (
            NavItem(_("Volunteers"), "volunteering:volunteers", "people", Action.VOLUNTEER_VIEW),
            NavItem(
                _("Volunteer teams"), "volunteering:teams", "people-fill", Action.VOLUNTEER_VIEW
            ),
            NavItem(
                _("Organise activities"),
                "volunteering:manage",
                "calendar-event",
                Action.ACTIVITY_ORGANISE,
            ),
            NavItem(_("Volunteer share"), "volunteering:share", "pie-chart", Action.VOLUNTEER_VIEW),
            NavItem(_("Merchants"), "merchants:manage", "shop", Action.MERCHANT_MANAGE),
            NavItem(_("Vanguard index"), "party:vanguard_ranking", "award", Action.VANGUARD_VIEW),
            NavItem(_("Partner units"), "partners:units", "building", Action.PARTNER_VIEW),
            NavItem(_("The three lists"), "partners:lists", "card-checklist", Action.PARTNER_VIEW),
            NavItem(_("Social organisations"), "organisations:index", "people", Action.ORG_VIEW),
            NavItem(_("Incubation"), "organisations:incubation", "egg", Action.ORG_VIEW),
            NavItem(_("Subsidies"), "organisations:subsidies", "cash-coin", Action.ORG_VIEW),
            NavItem(_("Venture philanthropy"), "organisations:rounds", "trophy", Action.ORG_VIEW),
            NavItem(_("Community funds"), "funds:index", "piggy-bank", Action.FUNDS_VIEW),
        ),
    ),
    NavGroup(
        _("Deliberation"),
        "chat-square-text",
        (
            NavItem(_("Topics"), "deliberation:topics", "lightbulb", Action.DELIBERATION_JOIN),
            NavItem(
                _("Meetings"), "deliberation:meetings", "calendar-event", Action.DELIBERATION_MANAGE
            ),
            NavItem(_("Actions"), "deliberation:follow_throughs", "list-task"),
            NavItem(_("Polls"), "deliberation:polls", "bar-chart", Action.DELIBERATION_MANAGE),
            NavItem(
                _("Public notices"), "deliberation:notices", "megaphone", Action.DISCLOSURE_PUBLISH
            ),
            NavItem(
                _("Representatives"),
                "deliberation:representatives",
                "award",
                Action.DELIBERATION_MANAGE,
            ),
            NavItem(
                _("Joint meetings due"),
                "deliberation:joint_overdue",
                "alarm",
                Action.DELIBERATION_MANAGE,
            ),
            NavItem(_("Owners' votes"), "owners:index", "check2-all", Action.PLACE_VIEW),
            NavItem(_("Micro-projects"), "microprojects:index", "tools", Action.PLACE_VIEW),
            NavItem(
                _("Opinions from WeChat and DingTalk"),
                "care:opinions",
                "chat-dots",
                Action.CARE_OPINION_HANDLE,
            ),
        ),
    ),
    NavGroup(
        _("Oversight"),
        "clipboard-check",
        (
            NavItem(_("Compliance"), "compliance:list", "clipboard-check", Action.COMPLIANCE_VIEW),
            NavItem(_("Tasks to fill in"), "keytasks:todo", "ui-checks", Action.KEYTASK_FILL),
            NavItem(_("Sent-down tasks"), "keytasks:sent", "send-check", Action.KEYTASK_SEND),
            NavItem(_("Task lists"), "keytasks:board", "list-task", Action.KEYTASK_LIST_VIEW),
            NavItem(_("Owners' committees"), "estates:index", "house-gear", Action.ESTATE_VIEW),
            NavItem(_("Property companies"), "estates:companies", "buildings", Action.ESTATE_VIEW),
            NavItem(_("Yearly ratings"), "estates:ratings", "star-half", Action.ESTATE_VIEW),
            NavItem(_("Selections"), "selections:list", "award", Action.SELECTION_MANAGE),
            NavItem(_("Nominations"), "selections:list", "award", Action.SELECTION_NOMINATE, True),
            NavItem(
                _("My property company"), "estates:my_company", "buildings", Action.ESTATE_COMPANY
            ),
            NavItem(
                _("Workers' roster"), "workforce:index", "person-lines-fill", Action.WORKFORCE_VIEW
            ),
            NavItem(
                _("Certificate rewards"), "workforce:rewards", "cash-coin", Action.WORKFORCE_REWARD
            ),
            NavItem(_("Policy profiles"), "profiles:list", "sliders", Action.PROFILE_VIEW),
            NavItem(_("Posts"), "posts:list", "person-badge", Action.POST_MANAGE),
            NavItem(_("Audit trail"), "audit:list", "shield-check", Action.AUDIT_VIEW),
            NavItem(
                _("Personal-information requests"),
                "privacy:queue",
                "person-vcard",
                Action.PRIVACY_HANDLE,
            ),
            NavItem(
                _("Processing register"),
                "privacy:register",
                "journal-text",
                Action.PRIVACY_REGISTER,
            ),
            NavItem(
                _("Disabled accounts"), "accounts:disabled", "person-lock", Action.ACCOUNT_MANAGE
            ),
            NavItem(
                _("Reset a second factor"),
                "accounts:second_factor",
                "phone",
                Action.ACCOUNT_MANAGE,
            ),
        ),
    ),
]

# The resident's phone home page: one tile per service (residents, party members, volunteers).
RESIDENT_SERVICES: list[NavItem] = [
    NavItem(_("Report / ask for help"), "tickets:submit", "megaphone", Action.TICKET_SUBMIT),
    NavItem(_("My tickets"), "tickets:mine", "list-check", Action.TICKET_SUBMIT),
    NavItem(_("Notifications"), "tickets:notifications", "bell"),
    NavItem(_("Topics"), "deliberation:topics", "lightbulb", Action.DELIBERATION_JOIN),
    NavItem(_("Polls"), "deliberation:polls", "bar-chart", Action.DELIBERATION_JOIN),
    NavItem(_("Volunteering"), "volunteering:home", "heart", Action.VOLUNTEER_JOIN),
    NavItem(_("Activities"), "volunteering:activities", "calendar-event", Action.VOLUNTEER_JOIN),
    NavItem(_("My points"), "volunteering:points", "coin", Action.VOLUNTEER_JOIN),
    NavItem(_("Time bank"), "volunteering:timebank", "hourglass-split", Action.VOLUNTEER_JOIN),
    NavItem(_("My owners' votes"), "owners:index", "check2-all", Action.OWNERS_VOTE_CAST),
    NavItem(_("Micro-projects"), "microprojects:index", "tools", Action.DELIBERATION_JOIN),
    NavItem(_("Redeem points"), "merchants:shop", "shop", Action.POINTS_REDEEM),
    NavItem(_("My redemptions"), "merchants:mine", "ticket-perforated", Action.POINTS_REDEEM),
    NavItem(_("Merchant desk"), "merchants:desk", "upc-scan", Action.MERCHANT_SELL),
    NavItem(_("My service and vanguard index"), "party:vanguard", "award", Action.VANGUARD_SERVE),
    NavItem(_("Partner units"), "partners:units", "building", Action.PARTNER_CLAIM),
    NavItem(_("Venture philanthropy"), "organisations:rounds", "trophy", Action.ORG_APPLY),
    NavItem(_("Post a need"), "partners:needs", "card-checklist", Action.PARTNER_NEED_SUBMIT),
    NavItem(_("Who runs my estate"), "estates:mine", "house-heart", Action.ESTATE_MINE),
    NavItem(_("My notices"), "care:mine", "envelope-paper", Action.CARE_NOTICE_READ),
    NavItem(_("My visits"), "care:my_visits", "person-hearts", Action.CARE_VISIT_RECORD),
    NavItem(_("My care record"), "care:mine_record", "heart", Action.CARE_NOTICE_READ),
    NavItem(_("Services nearby"), "care:circle", "geo-alt", Action.CARE_NOTICE_READ),
    NavItem(_("My skills"), "care:mine_talent", "stars", Action.CARE_NOTICE_READ),
    NavItem(_("Legal advice online"), "mediation:legal_mine", "journal-text", Action.MEDIATION_ASK),
    NavItem(_("Selections"), "selections:mine", "award", Action.SELECTION_VOTE),
]


def _visible(user, item: NavItem, staff: bool = True) -> bool:
    if item.staff_only and not staff:
        return False
    return item.action is None or access.has_any(user, item.action)


def _entry(item: NavItem) -> dict:
    return {"label": item.label, "url": reverse(item.url_name), "icon": item.icon}


def menu_for(user) -> list[dict]:
    """Groups with their visible entries; groups with none are left out.

    A user without a staff post (residents, party members, volunteers, merchants, partner
    contacts) has a home page, not a workbench: their first entry reads 首页, their services
    follow it as one group, and staff-only pages stay out of their menu."""
    staff = access.is_staff_user(user)
    menu = []
    for group in NAV:
        # One page may be listed under two rights (selections: run them, nominate): once.
        visible = [item for item in group.items if _visible(user, item, staff)]
        seen: set[str] = set()
        unique = [i for i in visible if not (i.url_name in seen or seen.add(i.url_name))]
        items = [_entry(item) for item in unique]
        if items:
            menu.append({"label": group.label, "icon": group.icon, "items": items})
    if not staff:
        home = pgettext_lazy("menu", "Home")
        menu[0] = {"label": home, "icon": "house", "items": [_home(home)]}
        services = services_for(user)
        if services:
            menu.insert(1, {"label": _("My services"), "icon": "grid", "items": services})
    return menu


def _home(label) -> dict:
    return {"label": label, "url": reverse("home"), "icon": "house"}


def services_for(user) -> list[dict]:
    return [_entry(item) for item in RESIDENT_SERVICES if _visible(user, item)]
