"""Roles and the permission matrix: the single table that says who may do what, where.

A post is (user, role, place). An action is granted to a role with a scope rule:
- SUBTREE: the post's place and everything below it;
- COMMUNITY: the community that contains the post's place (or the subtree, when the
  post sits above community level);
- OWN: only the post's own household (residents).
docs/permissions.md renders this table; tests/core/test_permissions.py walks it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    DISTRICT_OFFICER = "district_officer", _("District officer")
    STREET_OFFICER = "street_officer", _("Street officer")
    COMMUNITY_SECRETARY = "community_secretary", _("Community secretary")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_HEAD = "building_head", _("Building head")
    PARTY_MEMBER = "party_member", _("Party member")
    VOLUNTEER = "volunteer", _("Volunteer")
    RESIDENT = "resident", _("Resident")
    MERCHANT = "merchant", _("Merchant")
    PARTNER_CONTACT = "partner_contact", _("Partner-unit contact")
    PROPERTY_STAFF = "property_staff", _("Property-company staff")
    SYSTEM_ADMIN = "system_admin", _("System admin")
    # Separation of duties (GB/T 22239-2019 level 3, docs/security.md): the security
    # administrator grants the administrator posts and re-enables accounts; the audit
    # administrator reads the whole audit trail and changes nothing.
    SECURITY_ADMIN = "security_admin", _("Security admin")
    AUDIT_ADMIN = "audit_admin", _("Audit admin")


# The place kinds a post of each role may be anchored at.
ANCHOR_KINDS: dict[str, tuple[str, ...]] = {
    Role.DISTRICT_OFFICER: ("district",),
    Role.STREET_OFFICER: ("street",),
    Role.COMMUNITY_SECRETARY: ("community",),
    Role.COMMUNITY_WORKER: ("community",),
    Role.GRID_WORKER: ("grid",),
    Role.BUILDING_HEAD: ("building",),
    Role.PARTY_MEMBER: ("community",),
    Role.VOLUNTEER: ("community",),
    Role.RESIDENT: ("building",),
    Role.MERCHANT: ("community",),
    Role.PARTNER_CONTACT: ("street", "community"),
    Role.PROPERTY_STAFF: ("community", "estate"),
    # A system admin post may have no place: the whole installation.
    Role.SYSTEM_ADMIN: ("district",),
    Role.SECURITY_ADMIN: ("district",),
    Role.AUDIT_ADMIN: ("district",),
}

# Roles whose post may have no place (the whole installation).
UNPLACED_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Administrator roles that only the security admin grants, revokes or re-enables: a system
# admin cannot make or unmake the people who check on them.
PROTECTED_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

# Roles that use the staff workbench; the others land on the resident home page.
STAFF_ROLES = frozenset(
    {
        Role.DISTRICT_OFFICER,
        Role.STREET_OFFICER,
        Role.COMMUNITY_SECRETARY,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
        Role.BUILDING_HEAD,
        Role.PROPERTY_STAFF,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)


class Scope(models.TextChoices):
    SUBTREE = "subtree", _("own place and below")
    COMMUNITY = "community", _("the community of the post")
    OWN = "own", _("own household only")


class Action(models.TextChoices):
    PLACE_VIEW = "place.view", _("Browse places and their counts")
    PLACE_EDIT = "place.edit", _("Edit places")
    HOUSEHOLD_VIEW = "household.view", _("View households")
    COMMUNITY_PUBLIC_VIEW = "community.public_view", _("View a community's public page")
    COMPLIANCE_VIEW = "compliance.view", _("View compliance against the policy profile")
    PROFILE_VIEW = "profile.view", _("View policy profiles")
    AUDIT_VIEW = "audit.view", _("Browse the audit trail")
    POST_MANAGE = "post.manage", _("Grant and revoke posts")
    ACCOUNT_MANAGE = (
        "account.manage",
        _("Re-enable accounts disabled for disuse, reset lost second factors"),
    )
    RESIDENT_VIEW = "resident.view", _("View residents (masked)")
    RESIDENT_EDIT = "resident.edit", _("Add and edit residents")
    RESIDENT_IMPORT = "resident.import", _("Import residents from spreadsheets")
    RESIDENT_EXPORT = "resident.export", _("Export resident lists (masked)")
    RESIDENT_EXPORT_FULL = (
        "resident.export_full",
        _("Export resident lists unmasked, with a reason"),
    )
    REVEAL_PHONE = "resident.reveal_phone", _("Reveal a full phone number, with a reason")
    REVEAL_ID = "resident.reveal_id", _("Reveal a full ID number, with a reason")
    PARTY_VIEW = "party.view", _("View party organisations and members")
    PARTY_EDIT = "party.edit", _("Edit party organisations, members and check-ins")
    TICKET_SUBMIT = "ticket.submit", _("Submit a ticket (own request)")
    TICKET_ENTER = "ticket.enter", _("Enter a ticket on a resident's behalf or from a patrol")
    TICKET_VIEW = "ticket.view", _("View the tickets of an area")
    TICKET_ACCEPT = "ticket.accept", _("Accept, handle in the grid and escalate tickets")
    TICKET_DISPATCH = "ticket.dispatch", _("Dispatch, pool, reassign, merge and close tickets")
    TICKET_TAKE = "ticket.take", _("Take tickets from the pool")
    TICKET_HANDLE = "ticket.handle", _("Work on, resolve and return tickets handed to oneself")
    TICKET_STATS = "ticket.stats", _("View ticket statistics and export them")
    TICKET_CATEGORIES = "ticket.categories", _("Configure the ticket category tree")
    TICKET_EXPORT = "ticket.export", _("Export the ticket ledger (phone numbers masked)")
    # Volunteering, points, time bank, merchants, partner units (issue 5).
    VOLUNTEER_JOIN = (
        "volunteer.join",
        _("Register as a volunteer, sign up for activities, use the time bank"),
    )
    VOLUNTEER_VIEW = "volunteer.view", _("View volunteers, teams, activities and points of an area")
    VOLUNTEER_MANAGE = (
        "volunteer.manage",
        _("Manage volunteers and teams, confirm hours, adjust points"),
    )
    ACTIVITY_ORGANISE = (
        "activity.organise",
        _("Publish activities, show check-in codes, confirm hours"),
    )
    ACTIVITY_ORGANISE_PARTY = (
        "activity.organise_party",
        _("Publish activities on behalf of a party organisation"),
    )
    POINTS_REDEEM = "points.redeem", _("Redeem points for goods and services")
    MERCHANT_MANAGE = "merchant.manage", _("Admit merchants and charity supermarkets")
    MERCHANT_SELL = "merchant.sell", _("List goods and confirm redemption codes as a merchant")
    VANGUARD_SERVE = (
        "vanguard.serve",
        _("Claim posts and tasks and record service as a party member"),
    )
    VANGUARD_VIEW = "vanguard.view", _("View party members' service records and vanguard index")
    PARTNER_VIEW = "partner.view", _("View partner units and the three lists")
    PARTNER_MANAGE = "partner.manage", _("Manage partner units and the three lists")
    PARTNER_CLAIM = (
        "partner.claim",
        _("Claim needs or resources from the three lists and report progress"),
    )
    PARTNER_NEED_SUBMIT = (
        "partner.need_submit",
        _("Submit a need of one's community for the needs list"),
    )
    # Deliberation and voting (issue 6).
    DELIBERATION_JOIN = (
        "deliberation.join",
        _("Raise and support topics, give opinions, vote in polls, propose micro-projects"),
    )
    DELIBERATION_MANAGE = (
        "deliberation.manage",
        _("Moderate topics, run meetings and polls, track actions"),
    )
    OWNERS_VOTE_CAST = "owners_vote.cast", _("Vote as an owner in an owners' vote")
    OWNERS_VOTE_MANAGE = (
        "owners_vote.manage",
        _("Keep the owners' roll, run owners' votes, enter paper ballots"),
    )
    MICROPROJECT_MANAGE = "microproject.manage", _("Review, select and implement micro-projects")
    DISCLOSURE_PUBLISH = (
        "disclosure.publish",
        _("Publish public notices (party, residents' and financial affairs)"),
    )
    # Personal-information rights under the PIPL (issue 13, gongzhi/privacy).
    PRIVACY_SELF = (
        "privacy.self",
        _("Download one's own personal information, file correction and deletion requests"),
    )
    PRIVACY_HANDLE = (
        "privacy.handle",
        _("Handle residents' correction and deletion requests"),
    )
    PRIVACY_REGISTER = (
        "privacy.register",
        _("View and export the register of processing activities"),
    )
    # Owners' committees, supervision committees, property companies (issue 14, gongzhi/estates).
    ESTATE_VIEW = (
        "estate.view",
        _("View owners' committees, supervision committees and property companies"),
    )
    ESTATE_MANAGE = (
        "estate.manage",
        _("Keep owners' committees, candidate lists, property companies and contracts"),
    )
    ESTATE_REVIEW = (
        "estate.review",
        _("Review candidate lists for the community party committee"),
    )
    ESTATE_FILE = "estate.file", _("Record the filing of an owners' committee term")
    ESTATE_RATE = (
        "estate.rate",
        _("Publish the yearly estate ratings and the red and black list"),
    )
    ESTATE_MINE = (
        "estate.mine",
        _("See who runs one's estate and answer its satisfaction survey"),
    )
    ESTATE_COMPANY = (
        "estate.company",
        _("See one's property company's contracts and ratings"),
    )
    # People's mediation (issue 18, gongzhi/mediation).
    MEDIATION_VIEW = (
        "mediation.view",
        _("View mediation committees, mediators and that cases exist (not their content)"),
    )
    MEDIATION_MANAGE = (
        "mediation.manage",
        _("Keep mediation committees and mediators; open and handle the committee's cases"),
    )
    MEDIATION_MEDIATE = (
        "mediation.mediate",
        _("Handle the mediation cases one is a mediator of"),
    )
    MEDIATION_AWARD = (
        "mediation.award",
        _("Propose, approve and pay awards for mediators, community lawyers and cases"),
    )
    MEDIATION_ASK = (
        "mediation.ask",
        _("Ask the community's legal adviser a question online"),
    )
    # Party organisational life (issue 23, gongzhi/partylife). A party member's post reaches
    # only the records of their own organisation, and manages them only as its secretary.
    PARTYLIFE_VIEW = (
        "partylife.view",
        _("View party meetings, democratic reviews and dues of an organisation"),
    )
    PARTYLIFE_MANAGE = (
        "partylife.manage",
        _("Plan party meetings, record minutes, reviews and dues (secretaries)"),
    )
    PARTYLIFE_ATTEND = (
        "partylife.attend",
        _("Check in to party meetings, ask for leave, see one's own review and dues"),
    )
    # Care and outreach (issue 24, gongzhi/care).
    CARE_NOTICE_SEND = (
        "care.notice_send",
        _("Send household notices (water, power, weather…) and their urgent SMS"),
    )
    CARE_NOTICE_VIEW = (
        "care.notice_view",
        _("See household notices, who has read them and the door-knock list"),
    )
    CARE_NOTICE_READ = "care.notice_read", _("Read one's household's notices on the phone")
    CARE_RENTAL_VIEW = (
        "care.rental_view",
        _("See rented homes, their landlords and tenants (actual population)"),
    )
    CARE_RENTAL_MANAGE = (
        "care.rental_manage",
        _("Mark homes rented, register tenants and record their moving out"),
    )
    CARE_VISIT_PLAN = (
        "care.visit_plan",
        _("Plan care visits: assign a visitor to a person on a care list; see the visit figures"),
    )
    CARE_VISIT_RECORD = (
        "care.visit_record",
        _("Record care visits to the people one is assigned to visit"),
    )
    CARE_VISIT_NOTES = (
        "care.visit_notes",
        _("Read the notes of care visits (what was found, needs raised)"),
    )
    CARE_ROUND_SEND = (
        "care.round_send",
        _("Send a door-to-door verification round (入户核查) to the grid workers"),
    )
    CARE_GIVING_MANAGE = (
        "care.giving_manage",
        _("Record residents' donations and keep the service circle's directory"),
    )
    CARE_TALENT_VIEW = (
        "care.talent_view",
        _("Search the talent and skills base (达人库) of one's area, phones masked"),
    )
    CARE_TALENT_MANAGE = (
        "care.talent_manage",
        _("Enter residents in the talent base with their consent; flag backbone people"),
    )
    CARE_OPINION_HANDLE = (
        "care.opinion_handle",
        _("Read and handle the opinions residents send through WeChat and DingTalk"),
    )
    CARE_CHANNEL_MANAGE = (
        "care.channel_manage",
        _("Set up a community's WeChat and DingTalk opinion channels and their secrets"),
    )
    # Key tasks and supervision (issue 17, gongzhi/keytasks): tasks sent down with a form.
    KEYTASK_SEND = (
        "keytask.send",
        _("Send tasks with a form down to communities or grids, follow, remind, reopen, export"),
    )
    KEYTASK_FILL = (
        "keytask.fill",
        _("Fill in and submit the forms of tasks sent down to one's place"),
    )
    KEYTASK_LIST_VIEW = (
        "keytask.list_view",
        _("View the task lists (任务清单) of one's area and their board"),
    )
    KEYTASK_LIST_MANAGE = (
        "keytask.list_manage",
        _("Create and import task lists, verify tasks reported done"),
    )
    KEYTASK_LIST_REPORT = (
        "keytask.list_report",
        _("Report progress on key tasks and report them done"),
    )
    KEYTASK_SUPERVISE = (
        "keytask.supervise",
        _("Issue supervision notices (督办单) on key tasks and record talks (约谈)"),
    )
    KEYTASK_INSPECT = (
        "keytask.inspect",
        _("Inspect communities, record findings to rectify and verify the rectification"),
    )
    # The governance index, assessment rounds, the cockpit, selections (issue 21,
    # gongzhi/evaluation and gongzhi/selections).
    EVALUATION_VIEW = (
        "evaluation.view",
        _("View assessment rounds, scores and their parts for one's area, and rankings"),
    )
    EVALUATION_MANAGE = (
        "evaluation.manage",
        _("Open, compute, adjust and publish assessment rounds of one's street or district"),
    )
    EVALUATION_CONTEST = (
        "evaluation.contest",
        _("Contest a figure of one's community in an assessment round, with evidence"),
    )
    COCKPIT_VIEW = "cockpit.view", _("Open the cockpit (数字驾驶舱) of one's street or district")
    SELECTION_MANAGE = (
        "selection.manage",
        _("Run selections (star civilised buildings, best building heads), score, publish"),
    )
    SELECTION_NOMINATE = (
        "selection.nominate",
        _("Nominate buildings and building heads of one's community for a selection"),
    )
    SELECTION_VOTE = "selection.vote", _("Vote in a selection open to residents")
    # The community workforce (issue 15, gongzhi/workforce).
    WORKFORCE_VIEW = (
        "workforce.view",
        _("View the workers' roster and the two committees (no ID numbers or pay)"),
    )
    WORKFORCE_PERSONAL = (
        "workforce.personal",
        _("See workers' personal data: masked ID number, birth date, pay"),
    )
    WORKFORCE_MANAGE = (
        "workforce.manage",
        _("Keep workers' records and the two committees' terms and seats"),
    )
    WORKFORCE_REWARD = (
        "workforce.reward",
        _("Approve certificate rewards and mark them paid"),
    )
    WORKFORCE_APPOINTMENT_VIEW = (
        "workforce.appointment_view",
        _("See first secretaries' and seconded cadres' appointments, duty logs and reports"),
    )
    WORKFORCE_APPOINT = (
        "workforce.appoint",
        _("Record first secretaries' and seconded cadres' appointments and accept their reports"),
    )
    # Social organisations (issue 16, gongzhi/organisations).
    ORG_VIEW = (
        "organisation.view",
        _("View social organisations, incubation, subsidies and venture-philanthropy rounds"),
    )
    ORG_MANAGE = (
        "organisation.manage",
        _("Keep the register of social organisations, their documents, ratings and incubation"),
    )
    ORG_FUND = (
        "organisation.fund",
        _("Set subsidy budgets, approve and pay subsidies, run venture-philanthropy rounds"),
    )
    ORG_APPLY = (
        "organisation.apply",
        _("Apply for subsidies and venture philanthropy in an organisation's name"),
    )
    ORG_REVIEW = (
        "organisation.review",
        _("May be appointed an expert of a venture-philanthropy round and score its projects"),
    )
    # Community funds, purchased services and funding lines (issue 16 items 5-7, gongzhi/funds).
    FUNDS_VIEW = (
        "funds.view",
        _("View community funds, purchased services and the community's funding lines"),
    )
    FUNDS_MANAGE = (
        "funds.manage",
        _("Record donations, grants, purchased services, receipts and spending"),
    )
    # Eligibility (issue 11 point 6): who may be chosen for something, read through
    # gongzhi.core.gates.roles_with() instead of role lists kept in the apps.
    DELIBERATION_OFFICIAL = (
        "deliberation.official",
        _("May be invited to meetings as an official and be given follow-up actions"),
    )
    DELIBERATION_STAND = (
        "deliberation.stand",
        _("Counts as a role for a residents' representative candidate"),
    )
    TICKET_RECEIVE_DISPATCH = (
        "ticket.receive_dispatch",
        _("May be dispatched tickets to handle"),
    )
    COMMUNITY_STAFF = (
        "community.staff",
        _("Counts as community staff (staffing checks, the public notice board)"),
    )


R = Role
S = Scope
_BROWSERS = (
    R.DISTRICT_OFFICER,
    R.STREET_OFFICER,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.GRID_WORKER,
    R.BUILDING_HEAD,
    R.PROPERTY_STAFF,
    R.SYSTEM_ADMIN,
)
_MANAGERS = (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.COMMUNITY_SECRETARY, R.SYSTEM_ADMIN)
_OVERSEERS = (
    R.DISTRICT_OFFICER,
    R.STREET_OFFICER,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.SYSTEM_ADMIN,
)

_REGISTRY_READERS = (
    R.DISTRICT_OFFICER,
    R.STREET_OFFICER,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.GRID_WORKER,
    R.BUILDING_HEAD,
    R.SYSTEM_ADMIN,
)
_REGISTRY_KEEPERS = (
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.GRID_WORKER,
    R.SYSTEM_ADMIN,
)

# Staff who work tickets in their area: intake, the grid queue, the community board.
_TICKET_STAFF = (
    R.STREET_OFFICER,
    R.COMMUNITY_SECRETARY,
    R.COMMUNITY_WORKER,
    R.GRID_WORKER,
    R.SYSTEM_ADMIN,
)

PERMISSIONS: dict[str, dict[str, str]] = {
    Action.PLACE_VIEW: {r: S.SUBTREE for r in _BROWSERS},
    Action.PLACE_EDIT: {r: S.SUBTREE for r in _MANAGERS},
    Action.HOUSEHOLD_VIEW: {**{r: S.SUBTREE for r in _BROWSERS}, R.RESIDENT: S.OWN},
    Action.COMMUNITY_PUBLIC_VIEW: {r: S.COMMUNITY for r in Role.values},
    Action.COMPLIANCE_VIEW: {r: S.SUBTREE for r in _OVERSEERS},
    Action.PROFILE_VIEW: {r: S.SUBTREE for r in _OVERSEERS},
    # The system admin reads only the records of their own actions, the audit admin the whole
    # trail (gongzhi/core/duties.py narrows the rows).
    Action.AUDIT_VIEW: {
        R.DISTRICT_OFFICER: S.SUBTREE,
        R.SYSTEM_ADMIN: S.SUBTREE,
        R.AUDIT_ADMIN: S.SUBTREE,
    },
    Action.POST_MANAGE: {**{r: S.SUBTREE for r in _MANAGERS}, R.SECURITY_ADMIN: S.SUBTREE},
    Action.ACCOUNT_MANAGE: {R.SYSTEM_ADMIN: S.SUBTREE, R.SECURITY_ADMIN: S.SUBTREE},
    # The people registry. Residents see their own household; property companies, merchants
    # and partner units see no one (PIPL: only those who need the data for the task).
    Action.RESIDENT_VIEW: {
        **{r: S.SUBTREE for r in _REGISTRY_READERS},
        R.RESIDENT: S.OWN,
    },
    Action.RESIDENT_EDIT: {r: S.SUBTREE for r in _REGISTRY_KEEPERS},
    Action.RESIDENT_IMPORT: {
        R.COMMUNITY_SECRETARY: S.SUBTREE,
        R.COMMUNITY_WORKER: S.SUBTREE,
        R.SYSTEM_ADMIN: S.SUBTREE,
    },
    Action.RESIDENT_EXPORT: {r: S.SUBTREE for r in _REGISTRY_READERS if r != R.BUILDING_HEAD},
    Action.RESIDENT_EXPORT_FULL: {R.COMMUNITY_SECRETARY: S.SUBTREE, R.SYSTEM_ADMIN: S.SUBTREE},
    Action.REVEAL_PHONE: {r: S.SUBTREE for r in _REGISTRY_KEEPERS},
    Action.REVEAL_ID: {
        R.COMMUNITY_SECRETARY: S.SUBTREE,
        R.COMMUNITY_WORKER: S.SUBTREE,
        R.SYSTEM_ADMIN: S.SUBTREE,
    },
    Action.PARTY_VIEW: {r: S.SUBTREE for r in _OVERSEERS},
    Action.PARTY_EDIT: {r: S.SUBTREE for r in _MANAGERS},
    # Tickets (issue 4). Residents, party members and volunteers submit in their community;
    # what they see beyond that comes from the ticket itself (own submissions, tickets handed
    # to them) and, for party members, the pool of their community (ticket.take).
    Action.TICKET_SUBMIT: {
        **{r: S.COMMUNITY for r in (R.RESIDENT, R.PARTY_MEMBER, R.VOLUNTEER, R.BUILDING_HEAD)},
        **{r: S.SUBTREE for r in _TICKET_STAFF},
    },
    Action.TICKET_ENTER: {r: S.SUBTREE for r in _TICKET_STAFF},
    Action.TICKET_VIEW: {r: S.SUBTREE for r in (*_TICKET_STAFF, R.DISTRICT_OFFICER)},
    Action.TICKET_ACCEPT: {r: S.SUBTREE for r in _TICKET_STAFF},
    Action.TICKET_DISPATCH: {
        r: S.SUBTREE
        for r in (R.STREET_OFFICER, R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.SYSTEM_ADMIN)
    },
    Action.TICKET_TAKE: {R.PARTY_MEMBER: S.COMMUNITY},
    Action.TICKET_HANDLE: {
        R.PARTY_MEMBER: S.COMMUNITY,
        R.VOLUNTEER: S.COMMUNITY,
        R.PROPERTY_STAFF: S.SUBTREE,
        R.PARTNER_CONTACT: S.SUBTREE,
        R.DISTRICT_OFFICER: S.SUBTREE,
        **{r: S.SUBTREE for r in _TICKET_STAFF},
    },
}

# Residents and the roles that live like residents in their community (issues 5 and 6).
_CITIZENS = (R.RESIDENT, R.PARTY_MEMBER, R.VOLUNTEER, R.BUILDING_HEAD)
_COMMUNITY_STAFF = (R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.STREET_OFFICER, R.SYSTEM_ADMIN)

PERMISSIONS.update(
    {
        Action.TICKET_STATS: {r: S.SUBTREE for r in (*_OVERSEERS, R.GRID_WORKER)},
        # The category tree is shared by the whole installation: only roles anchored at
        # district level (or with no place) configure it (docs/tickets.md).
        Action.TICKET_CATEGORIES: {R.DISTRICT_OFFICER: S.SUBTREE, R.SYSTEM_ADMIN: S.SUBTREE},
        # The ticket ledger's spreadsheet (issue 19): whoever sees an area's tickets.
        Action.TICKET_EXPORT: {r: S.SUBTREE for r in (*_TICKET_STAFF, R.DISTRICT_OFFICER)},
        Action.VOLUNTEER_JOIN: {r: S.COMMUNITY for r in _CITIZENS},
        Action.VOLUNTEER_VIEW: {
            **{r: S.SUBTREE for r in (*_OVERSEERS, R.GRID_WORKER)},
            R.PARTNER_CONTACT: S.SUBTREE,
        },
        Action.VOLUNTEER_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.ACTIVITY_ORGANISE: {
            **{r: S.SUBTREE for r in (*_COMMUNITY_STAFF, R.GRID_WORKER, R.PARTNER_CONTACT)},
        },
        # The community secretary (usually also the community party committee's secretary)
        # and street officers publish for a party organisation; roles.py has no branch role.
        Action.ACTIVITY_ORGANISE_PARTY: {
            r: S.SUBTREE for r in (R.COMMUNITY_SECRETARY, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.POINTS_REDEEM: {r: S.COMMUNITY for r in _CITIZENS},
        Action.MERCHANT_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.MERCHANT_SELL: {R.MERCHANT: S.COMMUNITY},
        Action.VANGUARD_SERVE: {R.PARTY_MEMBER: S.COMMUNITY},
        Action.VANGUARD_VIEW: {r: S.SUBTREE for r in (*_OVERSEERS, R.GRID_WORKER)},
        Action.PARTNER_VIEW: {
            **{r: S.SUBTREE for r in (*_OVERSEERS, R.GRID_WORKER)},
            R.PARTNER_CONTACT: S.SUBTREE,
        },
        Action.PARTNER_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.PARTNER_CLAIM: {
            **{r: S.SUBTREE for r in _COMMUNITY_STAFF},
            R.PARTNER_CONTACT: S.SUBTREE,
        },
        # Residents post needs of their community; staff review them before units see them.
        Action.PARTNER_NEED_SUBMIT: {r: S.COMMUNITY for r in _CITIZENS},
        Action.DELIBERATION_JOIN: {
            **{r: S.COMMUNITY for r in _CITIZENS},
            **{r: S.SUBTREE for r in _COMMUNITY_STAFF},
        },
        Action.DELIBERATION_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        # Ownership itself is checked against the owners' roll by the service.
        Action.OWNERS_VOTE_CAST: {r: S.COMMUNITY for r in _CITIZENS},
        Action.OWNERS_VOTE_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.MICROPROJECT_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.DISCLOSURE_PUBLISH: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        # PIPL (gongzhi/privacy): residents reach their own data; the community's staff answer
        # their requests; district officers and admins keep the register of processing.
        Action.PRIVACY_SELF: {r: S.COMMUNITY for r in _CITIZENS},
        Action.PRIVACY_HANDLE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.PRIVACY_REGISTER: {R.DISTRICT_OFFICER: S.SUBTREE, R.SYSTEM_ADMIN: S.SUBTREE},
        # Estates (gongzhi/estates): the community keeps its bodies, the community party
        # committee (its secretary) reviews candidate lists, the street records filings (备案).
        Action.ESTATE_VIEW: {r: S.SUBTREE for r in _OVERSEERS},
        Action.ESTATE_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.ESTATE_REVIEW: {
            r: S.SUBTREE for r in (R.COMMUNITY_SECRETARY, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.ESTATE_FILE: {
            r: S.SUBTREE for r in (R.STREET_OFFICER, R.DISTRICT_OFFICER, R.SYSTEM_ADMIN)
        },
        # The street publishes the yearly star ratings and the red and black list (000 §五);
        # residents see who runs their estate and answer its survey; property-company staff
        # see their company's contracts and ratings.
        Action.ESTATE_RATE: {r: S.SUBTREE for r in (R.STREET_OFFICER, R.SYSTEM_ADMIN)},
        Action.ESTATE_MINE: {r: S.COMMUNITY for r in _CITIZENS},
        Action.ESTATE_COMPANY: {R.PROPERTY_STAFF: S.SUBTREE},
        # People's mediation (gongzhi/mediation): the committee's staff keep it and see its
        # cases; a grid worker sees only that a case exists for a household of the grid; a
        # case's content is also open to its own mediators (an object rule, services.py).
        Action.MEDIATION_VIEW: {r: S.SUBTREE for r in (*_OVERSEERS, R.GRID_WORKER)},
        Action.MEDIATION_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.MEDIATION_MEDIATE: {
            **{r: S.COMMUNITY for r in (R.PARTY_MEMBER, R.VOLUNTEER, R.BUILDING_HEAD)},
            **{r: S.SUBTREE for r in (*_COMMUNITY_STAFF, R.GRID_WORKER)},
        },
        # Awards of the district's selection (000 §九): street and district officers.
        Action.MEDIATION_AWARD: {
            r: S.SUBTREE for r in (R.STREET_OFFICER, R.DISTRICT_OFFICER, R.SYSTEM_ADMIN)
        },
        # Online legal services (000 §九): residents ask their community's legal adviser.
        Action.MEDIATION_ASK: {r: S.COMMUNITY for r in _CITIZENS},
        # Party organisational life (gongzhi/partylife): a branch's records belong to the
        # branch. The community secretary manages every organisation of the community; a party
        # member's post counts only for the organisations they are the secretary of (the
        # object rule in gongzhi/partylife/rules.py) and shows only their own organisation.
        Action.PARTYLIFE_VIEW: {
            **{r: S.SUBTREE for r in _OVERSEERS},
            R.PARTY_MEMBER: S.COMMUNITY,
        },
        Action.PARTYLIFE_MANAGE: {
            **{r: S.SUBTREE for r in (R.COMMUNITY_SECRETARY, R.STREET_OFFICER, R.SYSTEM_ADMIN)},
            R.PARTY_MEMBER: S.COMMUNITY,
        },
        Action.PARTYLIFE_ATTEND: {R.PARTY_MEMBER: S.COMMUNITY},
        # Community workforce (gongzhi/workforce): a grid worker sees the colleagues of the
        # community by name and post, never their ID numbers or pay (like the registry; a
        # worker's own record is an object rule in gongzhi/workforce/selectors.py).
        Action.WORKFORCE_VIEW: {
            **{r: S.SUBTREE for r in _OVERSEERS},
            R.GRID_WORKER: S.COMMUNITY,
        },
        Action.WORKFORCE_PERSONAL: {
            r: S.SUBTREE
            for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.COMMUNITY_SECRETARY, R.SYSTEM_ADMIN)
        },
        Action.WORKFORCE_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.WORKFORCE_REWARD: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        # First secretaries and seconded cadres (000 §二): the street records the appointment
        # and accepts the end-of-term report; the appointee writes their own duty log and
        # report (an object rule in gongzhi/workforce/appointments.py); grid workers see none.
        Action.WORKFORCE_APPOINTMENT_VIEW: {r: S.SUBTREE for r in _OVERSEERS},
        Action.WORKFORCE_APPOINT: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        # Sent-down tasks (gongzhi/keytasks): the street or district sends, the communities
        # and grids under it fill in; a receiver's answers are seen by the sender's side and by
        # the staff of the receiving place only (selectors.py).
        Action.KEYTASK_SEND: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.KEYTASK_FILL: {
            r: S.SUBTREE
            for r in (R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER, R.SYSTEM_ADMIN)
        },
        # Task lists (任务清单): officers of a place keep its lists and verify; the staff of the
        # place and of the units named on a task report progress (list_selectors.py).
        Action.KEYTASK_LIST_VIEW: {
            r: S.SUBTREE
            for r in (
                R.DISTRICT_OFFICER,
                R.STREET_OFFICER,
                R.COMMUNITY_SECRETARY,
                R.COMMUNITY_WORKER,
                R.SYSTEM_ADMIN,
            )
        },
        Action.KEYTASK_LIST_MANAGE: {
            r: S.SUBTREE
            for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.COMMUNITY_SECRETARY, R.SYSTEM_ADMIN)
        },
        Action.KEYTASK_LIST_REPORT: {
            r: S.SUBTREE
            for r in (
                R.DISTRICT_OFFICER,
                R.STREET_OFFICER,
                R.COMMUNITY_SECRETARY,
                R.COMMUNITY_WORKER,
                R.SYSTEM_ADMIN,
            )
        },
        # Supervision (督办) and inspections of communities: officers above the community.
        Action.KEYTASK_SUPERVISE: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.KEYTASK_INSPECT: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
    }
)

# Evaluation (issue 21): the street and district assess the communities under them; the
# community sees its own scores and contests a figure; the cockpit is for street and district.
PERMISSIONS.update(
    {
        Action.EVALUATION_VIEW: {r: S.SUBTREE for r in _OVERSEERS},
        Action.EVALUATION_MANAGE: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.EVALUATION_CONTEST: {
            r: S.SUBTREE for r in (R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.SYSTEM_ADMIN)
        },
        Action.COCKPIT_VIEW: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.SELECTION_MANAGE: {
            r: S.SUBTREE for r in (R.DISTRICT_OFFICER, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.SELECTION_NOMINATE: {
            r: S.SUBTREE
            for r in (R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER, R.SYSTEM_ADMIN)
        },
        Action.SELECTION_VOTE: {r: S.COMMUNITY for r in _CITIZENS},
    }
)

# Care and outreach (gongzhi/care): the community and its grid workers send household notices;
# every staff post down to the building head sees who has read them within its own place (a
# building head: their building — the door-knock list); residents read their household's.
PERMISSIONS.update(
    {
        Action.CARE_NOTICE_SEND: {r: S.SUBTREE for r in (*_COMMUNITY_STAFF, R.GRID_WORKER)},
        Action.CARE_NOTICE_VIEW: {
            r: S.SUBTREE for r in (*_OVERSEERS, R.GRID_WORKER, R.BUILDING_HEAD)
        },
        Action.CARE_NOTICE_READ: {r: S.COMMUNITY for r in _CITIZENS},
        # Rented homes and tenants (实有人口): those who may read and keep the resident registry.
        Action.CARE_RENTAL_VIEW: {r: S.SUBTREE for r in _REGISTRY_READERS},
        Action.CARE_RENTAL_MANAGE: {r: S.SUBTREE for r in _REGISTRY_KEEPERS},
        # Care visits: the community and its grid workers plan them; the visitors (grid worker,
        # party member, volunteer, building head) record them — only the visits they are
        # assigned (an object rule, care/visits.py). Visit notes are sensitive: community staff
        # and the grid worker read them; any other post only the notes of its own visits.
        Action.CARE_VISIT_PLAN: {r: S.SUBTREE for r in (*_COMMUNITY_STAFF, R.GRID_WORKER)},
        Action.CARE_VISIT_RECORD: {
            r: S.SUBTREE for r in (R.GRID_WORKER, R.PARTY_MEMBER, R.VOLUNTEER, R.BUILDING_HEAD)
        },
        Action.CARE_VISIT_NOTES: {r: S.SUBTREE for r in (*_COMMUNITY_STAFF, R.GRID_WORKER)},
        # Verification rounds (入户核查): the community or street sends them; the registry's
        # keepers (the grid worker of each home) answer them under care.rental_manage.
        Action.CARE_ROUND_SEND: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        # 爱心档案 and the service circle: the community's staff record donations and keep the
        # directory of service points; residents record their own giving (an object rule).
        Action.CARE_GIVING_MANAGE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        # The talent and skills base (达人库, 002 §三(二)1): staff and grid workers search it,
        # the community and its grid workers enter people (with their consent) and flag
        # backbone people; a resident keeps their own entry under care.notice_read (object rule).
        Action.CARE_TALENT_VIEW: {r: S.SUBTREE for r in (*_OVERSEERS, R.GRID_WORKER)},
        Action.CARE_TALENT_MANAGE: {r: S.SUBTREE for r in (*_COMMUNITY_STAFF, R.GRID_WORKER)},
        # Opinions through WeChat and DingTalk: the community's staff read and handle the
        # inbox; the secretary (and the street, the admin) set up the channels' secrets.
        Action.CARE_OPINION_HANDLE: {r: S.SUBTREE for r in _COMMUNITY_STAFF},
        Action.CARE_CHANNEL_MANAGE: {
            r: S.SUBTREE for r in (R.COMMUNITY_SECRETARY, R.STREET_OFFICER, R.SYSTEM_ADMIN)
        },
    }
)

# Social organisations (gongzhi/organisations): the community, the street and the district
# (its cultivation base, 003 annex 2 item 13) keep the register and incubation; the street (and district) hold the money — subsidy budgets,
# approvals, payments, venture-philanthropy rounds and awards; an organisation's contact (a
# partner-unit contact linked to it, an object rule in the services) applies in its name;
# experts are appointed per round among the roles that may review.
PERMISSIONS.update(
    {
        Action.ORG_VIEW: {
            **{r: S.SUBTREE for r in (*_OVERSEERS, R.PARTNER_CONTACT)},
            R.GRID_WORKER: S.COMMUNITY,
        },
        Action.ORG_MANAGE: {r: S.SUBTREE for r in (*_COMMUNITY_STAFF, R.DISTRICT_OFFICER)},
        Action.ORG_FUND: {
            r: S.SUBTREE for r in (R.STREET_OFFICER, R.DISTRICT_OFFICER, R.SYSTEM_ADMIN)
        },
        Action.ORG_APPLY: {R.PARTNER_CONTACT: S.SUBTREE},
        Action.ORG_REVIEW: {
            r: S.SUBTREE
            for r in (
                R.DISTRICT_OFFICER,
                R.STREET_OFFICER,
                R.COMMUNITY_SECRETARY,
                R.PARTNER_CONTACT,
            )
        },
    }
)

# Community funds and the community's money (gongzhi/funds): community staff, the street and the
# district read; the community secretary, the street and the district book (a community worker
# reads only); the public page of a fund needs no login (no action).
PERMISSIONS.update(
    {
        Action.FUNDS_VIEW: {r: S.SUBTREE for r in _OVERSEERS},
        Action.FUNDS_MANAGE: {
            r: S.SUBTREE
            for r in (
                R.COMMUNITY_SECRETARY,
                R.STREET_OFFICER,
                R.DISTRICT_OFFICER,
                R.SYSTEM_ADMIN,
            )
        },
    }
)

# Eligibility rows (gongzhi/core/gates.py: roles_with). The scope is where the post counts.
PERMISSIONS.update(
    {
        # Posts in the community (and street officers, partner contacts above it) whom a
        # meeting may invite and give an action to; also the owner's public title.
        Action.DELIBERATION_OFFICIAL: {
            **{
                r: S.SUBTREE
                for r in (
                    R.COMMUNITY_SECRETARY,
                    R.COMMUNITY_WORKER,
                    R.GRID_WORKER,
                    R.BUILDING_HEAD,
                    R.PROPERTY_STAFF,
                    R.PARTNER_CONTACT,
                    R.STREET_OFFICER,
                )
            },
            R.PARTY_MEMBER: S.COMMUNITY,
            R.VOLUNTEER: S.COMMUNITY,
        },
        # 002 §三(三)2 (角色身份): the roles that count for a representative candidate.
        Action.DELIBERATION_STAND: {
            r: S.COMMUNITY for r in (R.PARTY_MEMBER, R.VOLUNTEER, R.BUILDING_HEAD)
        },
        # The people a ticket may be handed to by name (the handler kinds of
        # gongzhi/tickets/services.py HANDLER_ROLES other than the community itself).
        Action.TICKET_RECEIVE_DISPATCH: {
            R.PARTY_MEMBER: S.COMMUNITY,
            R.VOLUNTEER: S.COMMUNITY,
            **{
                r: S.SUBTREE
                for r in (
                    R.PROPERTY_STAFF,
                    R.PARTNER_CONTACT,
                    R.STREET_OFFICER,
                    R.DISTRICT_OFFICER,
                    R.GRID_WORKER,
                )
            },
        },
        # The posts counted for the staffing checks and named on the public notice board.
        Action.COMMUNITY_STAFF: {
            r: S.SUBTREE for r in (R.COMMUNITY_SECRETARY, R.COMMUNITY_WORKER, R.GRID_WORKER)
        },
    }
)

# Which roles a manager may grant, by the manager's role.
GRANTABLE: dict[str, frozenset[str]] = {
    R.SYSTEM_ADMIN: frozenset(Role.values) - PROTECTED_ROLES,
    R.SECURITY_ADMIN: PROTECTED_ROLES,
    R.DISTRICT_OFFICER: frozenset(Role.values) - {R.SYSTEM_ADMIN} - PROTECTED_ROLES,
    R.STREET_OFFICER: frozenset(Role.values)
    - {R.SYSTEM_ADMIN, R.DISTRICT_OFFICER}
    - PROTECTED_ROLES,
    R.COMMUNITY_SECRETARY: frozenset(
        {
            R.COMMUNITY_WORKER,
            R.GRID_WORKER,
            R.BUILDING_HEAD,
            R.PARTY_MEMBER,
            R.VOLUNTEER,
            R.RESIDENT,
            R.MERCHANT,
            R.PARTNER_CONTACT,
            R.PROPERTY_STAFF,
        }
    ),
}
