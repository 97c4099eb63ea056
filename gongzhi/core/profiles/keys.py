"""The schema of policy profiles: every key a profile may set (`SCHEMA`), with its type, range,
unit, label and help, and the names of a profile's top-level fields (meta, dates, `due:`,
`applies_from:`). docs/policy-profiles.md lists the keys (`manage.py profile_docs`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Key:
    """One number a profile may set."""

    name: str  # dotted, e.g. "grid.households"
    kind: str  # "integer" or "number"
    minimum: float
    maximum: float
    unit: Any  # lazy string
    label: Any  # lazy string
    help: Any  # lazy string
    default: float | None = None  # platform default when a profile leaves it out

    @property
    def section(self) -> str:
        return self.name.split(".", 1)[0]


# Ticket deadlines (gongzhi/tickets/deadlines.py). The documents ask that residents'
# requests be answered and fed back at once (seed 003 §三(三)1 第一时间解决、反馈; annex 2
# item 12) but fix no hours, so every key below has a platform default that applies until a
# profile sets it. Hours are clock hours (no working-day calendar).
_TICKET_KINDS = (
    ("consult", _("consultation"), 4, 24),
    ("help", _("request for help"), 2, 72),
    ("complaint", _("complaint"), 2, 72),
    ("report", _("report"), 2, 72),
    ("suggestion", _("suggestion"), 24, 168),
)
_TICKET_PRIORITIES = (
    ("low", _("low"), 200),
    ("normal", _("normal"), 100),
    ("high", _("high"), 50),
    ("urgent", _("urgent"), 25),
)


def _ticket_keys() -> list[Key]:
    keys = []
    for kind, label, response, resolve in _TICKET_KINDS:
        keys.append(
            Key(
                f"tickets.response_hours.{kind}",
                "integer",
                1,
                8760,
                _("hours"),
                format_lazy(_("Response time: {kind}"), kind=label),
                _(
                    "Hours within which a ticket of this kind must be accepted or dispatched. "
                    "Platform default when a profile leaves it out."
                ),
                default=response,
            )
        )
        keys.append(
            Key(
                f"tickets.resolve_hours.{kind}",
                "integer",
                1,
                8760,
                _("hours"),
                format_lazy(_("Resolution time: {kind}"), kind=label),
                _(
                    "Hours within which a ticket of this kind must be resolved. Platform "
                    "default when a profile leaves it out."
                ),
                default=resolve,
            )
        )
    for priority, label, percent in _TICKET_PRIORITIES:
        keys.append(
            Key(
                f"tickets.priority_percent.{priority}",
                "integer",
                1,
                1000,
                "%",
                format_lazy(_("Deadline share: {priority} priority"), priority=label),
                _(
                    "Both deadlines of a ticket of this priority, as a percentage of its kind's "
                    "hours. Platform default when a profile leaves it out."
                ),
                default=percent,
            )
        )
    keys.append(
        Key(
            "tickets.rating_window_days",
            "integer",
            1,
            365,
            _("days"),
            _("Rating window"),
            _(
                "Days a resident has to confirm and rate a resolved ticket before it is closed "
                "without a rating. Platform default when a profile leaves it out."
            ),
            default=7,
        )
    )
    return keys


# Volunteering, points, time bank, vanguard index (issue 5) and deliberation (issue 6). The
# documents ask for points (积分), a time bank and a vanguard index (seed 002 §三(一)2, §三(三)1;
# seed 003 item 16) but fix no numbers, so most keys carry a platform default. Set by documents:
# volunteering.target_percent (001 §13: 15%), microprojects.yearly_budget_yuan (000 §八: 30万元),
# deliberation.joint_meeting_months (003 §三(一)3: 原则上每季度召开一次) — these have NO platform
# default (issue 12): a profile that leaves them out gets None, "not set by this document".
def _participation_keys() -> list[Key]:
    return [
        Key(
            "volunteering.target_percent",
            "number",
            0,
            100,
            "%",
            _("Volunteer share target"),
            _(
                "Approved (active) volunteers as a share of the residents living in the "
                "community; registrations waiting for approval or suspended do not count."
            ),
        ),
        Key(
            "points.per_service_hour",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per hour of service"),
            _("Points earned for each confirmed hour of volunteer service."),
            default=10,
        ),
        Key(
            "points.per_activity",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per activity"),
            _("Points earned for taking part in an activity (checked in and out)."),
            default=5,
        ),
        Key(
            "points.per_resolved_ticket",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per resolved ticket"),
            _(
                "Points a party member or volunteer earns for a ticket they resolved "
                "that the resident confirmed."
            ),
            default=10,
        ),
        Key(
            "points.per_deliberation",
            "integer",
            0,
            1000,
            _("points"),
            _("Points per deliberation"),
            _("Points for taking part in deliberation: attending a meeting, voting in a poll."),
            default=2,
        ),
        Key(
            "points.daily_cap",
            "integer",
            0,
            100000,
            _("points"),
            _("Daily points cap"),
            _("Most points one resident can earn in one day (0: no cap)."),
            default=100,
        ),
        Key(
            "points.expiry_months",
            "integer",
            0,
            120,
            _("months"),
            _("Points expiry"),
            _(
                "Points expire this many months after the end of the month they were "
                "earned in (0: never)."
            ),
            default=0,
        ),
        Key(
            "timebank.family_transfer",
            "integer",
            0,
            1,
            _("yes (1) / no (0)"),
            _("Time-bank transfer to family"),
            _(
                "Whether deposited service hours may be transferred to members of the "
                "same household."
            ),
            default=1,
        ),
        Key(
            "vanguard.weight_service",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: service hours weight"),
            _("Weight of recorded service hours in the vanguard index."),
            default=40,
        ),
        Key(
            "vanguard.weight_tickets",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: tickets weight"),
            _("Weight of tickets taken and resolved in the vanguard index."),
            default=30,
        ),
        Key(
            "vanguard.weight_claims",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: claimed posts weight"),
            _("Weight of claimed posts, tasks and families (认岗认事认亲) in the vanguard index."),
            default=20,
        ),
        Key(
            "vanguard.weight_feedback",
            "integer",
            0,
            100,
            "%",
            _("Vanguard index: residents' ratings weight"),
            _("Weight of residents' ratings of the member's work in the vanguard index."),
            default=10,
        ),
        Key(
            "vanguard.full_service_hours",
            "integer",
            1,
            10000,
            _("hours"),
            _("Vanguard index: service hours for full marks"),
            _("Service hours in a year that earn the full service score."),
            default=48,
        ),
        Key(
            "vanguard.full_tickets",
            "integer",
            1,
            1000,
            _("tickets"),
            _("Vanguard index: resolved tickets for full marks"),
            _("Tickets resolved in a year that earn the full tickets score."),
            default=12,
        ),
        Key(
            "vanguard.full_claims",
            "integer",
            1,
            100,
            _("claims"),
            _("Vanguard index: claims for full marks"),
            _("Posts, tasks and families claimed in a year that earn the full claims score."),
            default=3,
        ),
        Key(
            "deliberation.support_threshold",
            "integer",
            1,
            100000,
            _("residents"),
            _("Topic support threshold"),
            _("Supporters a topic needs before it goes onto a meeting agenda."),
            default=20,
        ),
        Key(
            "deliberation.joint_meeting_months",
            "integer",
            1,
            24,
            _("months"),
            _("Joint meeting interval"),
            _(
                "At least one joint meeting of community, owners' committee and property "
                "company in each calendar period of this many months counted from January "
                "(3: each calendar quarter). No platform default: a document sets it."
            ),
        ),
        Key(
            "deliberation.representative_role_weight",
            "integer",
            0,
            10000,
            _("points"),
            _("Representative score per role"),
            _(
                "Score a candidate representative gets for each role held (party member, "
                "volunteer, building head); 002 §三(三)2."
            ),
            default=50,
        ),
        Key(
            "deliberation.representative_participation_weight",
            "integer",
            0,
            10000,
            _("points"),
            _("Representative score per participation"),
            _(
                "Score a candidate representative gets for each topic supported, opinion given "
                "or meeting attended; points earned count one for one."
            ),
            default=5,
        ),
        Key(
            "microprojects.yearly_budget_yuan",
            "number",
            0,
            100000000,
            _("yuan"),
            _("Micro-project budget"),
            _(
                "Yearly budget of each community for residents' micro-projects and benefit "
                "projects (民生微实事, 惠民项目资金); for a community in a central city when the "
                "document tells central city and county towns apart. No platform default."
            ),
        ),
        Key(
            "microprojects.county_yearly_budget_yuan",
            "number",
            0,
            100000000,
            _("yuan"),
            _("Micro-project budget (county towns)"),
            _(
                "Yearly budget of each community in a county town, when the document sets a "
                "separate amount for county towns. Communities of an unknown area class use "
                "the general budget."
            ),
        ),
    ]


# Estates (gongzhi/estates, issue 14 items 1 and 4). Seed 000 §五 asks for a yearly star
# rating (星级评定) of property companies and owners' committees and names the parts (residents'
# satisfaction, the community's assessment) but fixes no weights and no bands; 002 §三(一)4
# asks for timely re-election (换届) but fixes no notice period. Every key below is therefore a
# platform default until a profile sets it.
def _estate_keys() -> list[Key]:
    def weight(part: str, label: StrOrPromise, default: int) -> Key:
        return Key(
            f"evaluation.weight_{part}",
            "integer",
            0,
            100,
            "%",
            format_lazy(_("Estate rating weight: {part}"), part=label),
            _(
                "Weight of this part in the yearly score of a property company or owners' "
                "committee (the weights of the parts present are scaled to 100). Platform "
                "default when a profile leaves it out."
            ),
            default=default,
        )

    def band(stars: int, default: int) -> Key:
        return Key(
            f"evaluation.star{stars}_min",
            "integer",
            0,
            100,
            _("points"),
            format_lazy(_("Estate rating: least score for {n} stars"), n=stars),
            _(
                "Least yearly score (0–100) for this star level; below the two-star band a "
                "body gets one star. Platform default when a profile leaves it out."
            ),
            default=default,
        )

    return [
        weight("satisfaction", _("residents' satisfaction"), 40),
        weight("assessment", _("community's assessment"), 30),
        weight("measured", _("measured by the platform"), 30),
        band(5, 90),
        band(4, 80),
        band(3, 70),
        band(2, 60),
        Key(
            "owners_committee.term_reminder_months",
            "integer",
            1,
            24,
            _("months"),
            _("Owners' committee re-election reminder"),
            _(
                "Months before a term ends when the community staff are reminded of the "
                "re-election (换届). Platform default when a profile leaves it out."
            ),
            default=3,
        ),
    ]


# People's mediation (gongzhi/mediation, issue 18 items 3 and 4). Seed 003 §三(三)2 asks for a
# joint meeting on disputes with regular sessions (矛盾纠纷联动化解联席会议制度，定期召开例会) and
# for disputes to be resolved early (化解在萌芽状态) but fixes no interval and no threshold, so
# every key below is a platform default, stated as such, until a profile sets it.
def _mediation_keys() -> list[Key]:
    return [
        Key(
            "mediation.dispute_meeting_months",
            "integer",
            1,
            12,
            _("months"),
            _("Joint meeting on disputes interval"),
            _(
                "At least one joint meeting on disputes in each calendar period of this many "
                "months counted from January; a period without one is signalled as overdue. "
                "Platform default (seed 003 §三(三)2 says only 定期召开例会)."
            ),
            default=1,
        ),
        Key(
            "mediation.warning_window_days",
            "integer",
            1,
            1095,
            _("days"),
            _("Early warning: window for repeat disputes"),
            _(
                "Cases opened within this many days before today count towards the repeat "
                "warnings. Platform default (the seeds set no number)."
            ),
            default=180,
        ),
        Key(
            "mediation.warning_repeat_households",
            "integer",
            2,
            100,
            _("cases"),
            _("Early warning: repeat disputes between the same households"),
            _(
                "Cases within the window involving the same two households (the household "
                "concerned and the parties' households) from which the pair is shown on the "
                "warning board. Platform default."
            ),
            default=2,
        ),
        Key(
            "mediation.warning_repeat_building",
            "integer",
            2,
            1000,
            _("cases"),
            _("Early warning: repeat disputes in one building"),
            _(
                "Cases within the window about households of the same building from which the "
                "building is shown on the warning board. Platform default."
            ),
            default=3,
        ),
    ]


# The other numbers of the seed documents (issue 12 point 9): every rule a document states with a
# number gets a key, set (with its paragraph) only in that document's profile. No platform check
# reads them yet; profiles/seed-numbers/seed-numbers.yaml lists every number of every seed with its key.
# (name, kind, maximum, unit, label, help); the minimum is 0.
_YUAN_MAX = 1_000_000_000


def _carried_keys() -> list[Key]:
    yuan, percent, years = _("yuan"), "%", _("years")
    rows = (
        # seed 000
        (
            "funds.party_building_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Party-building working funds (most)"),
            _("Most party-building working funds given to a community each year."),
        ),
        (
            "party.secondment_min_years",
            "integer",
            50,
            years,
            _("Secondment to a community (least)"),
            _(
                "Least term of a young cadre seconded to a community as its party secretary or "
                "full-time deputy secretary."
            ),
        ),
        (
            "staffing.certified_percent",
            "number",
            100,
            percent,
            _("Certified community workers"),
            _(
                "Share of community workers holding a social-work qualification certificate "
                "(持证上岗)."
            ),
        ),
        (
            "awards.certificate_assistant_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: assistant social worker certificate"),
            _("One-off award to a community worker who obtains this certificate."),
        ),
        (
            "awards.certificate_intermediate_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: intermediate social worker certificate"),
            _("One-off award to a community worker who obtains this certificate."),
        ),
        (
            "awards.certificate_senior_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: senior social worker certificate"),
            _("One-off award to a community worker who obtains this certificate."),
        ),
        (
            "awards.agency_worker_min_years",
            "integer",
            50,
            years,
            _("Award for agency social workers: years of work"),
            _(
                "Years a certified worker must have worked in a social-work agency of the district "
                "to be awarded like a community worker."
            ),
        ),
        (
            "subsidies.incubator_percent",
            "number",
            100,
            percent,
            _("Incubator subsidy: share of running costs"),
            _(
                "Share of the yearly running costs of a social-organisation incubator or "
                "accelerator paid as a subsidy."
            ),
        ),
        (
            "subsidies.incubator_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Incubator subsidy (most)"),
            _("Most yearly subsidy to a social-organisation incubator or accelerator."),
        ),
        (
            "awards.social_org_min_grade",
            "integer",
            5,
            _("A grade"),
            _("Award to social organisations: least grade"),
            _(
                "Least grade (number of A) a community social organisation must be rated to be "
                "awarded."
            ),
        ),
        (
            "awards.social_org_4a_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: social organisation rated 4A or above (most)"),
            _("Most award to a community social organisation rated 4A or above."),
        ),
        (
            "funds.community_foundation_initial_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Community foundation: first round"),
            _("Size of the first round of the community public-welfare foundation."),
        ),
        (
            "awards.foundation_percent",
            "number",
            100,
            percent,
            _("Award to a foundation: share of its original fund"),
            _("One-off award to a public-welfare foundation, as a share of its original fund."),
        ),
        (
            "awards.foundation_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award to a foundation (most)"),
            _("Most one-off award to a public-welfare foundation."),
        ),
        (
            "awards.social_enterprise_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: social enterprise certified"),
            _("One-off award to a social enterprise certified for the first time."),
        ),
        (
            "awards.venture_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: venture philanthropy contest (most)"),
            _("Most award to a winning project of the venture philanthropy contest."),
        ),
        (
            "funds.social_purchase_min_percent",
            "number",
            100,
            percent,
            _("Services bought from social organisations (least)"),
            _(
                "Least share of new public-service spending bought from providers, and of "
                "community benefit-project funds, spent with social organisations and social "
                "enterprises."
            ),
        ),
        (
            "owners_committee.party_org_startup_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Start-up funds of an owners' committee party organisation"),
            _(
                "One-off start-up funds for a newly founded party organisation of an owners' "
                "committee."
            ),
        ),
        (
            "awards.red_property_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: red owners' committee or red property company (most)"),
            _(
                "Most award to a five-star red owners' committee or a red property company of "
                "three stars or more."
            ),
        ),
        (
            "awards.red_owners_committee_stars",
            "integer",
            5,
            _("stars"),
            _("Red owners' committee award: stars"),
            _("Stars an owners' committee must be rated to earn the red owners' committee award."),
        ),
        (
            "awards.red_property_min_stars",
            "integer",
            5,
            _("stars"),
            _("Red property award: least stars"),
            _("Least stars a property company must be rated to earn the red property award."),
        ),
        (
            "property.blacklist_years",
            "integer",
            50,
            years,
            _("Black list: consecutive years"),
            _("Consecutive years on the black list after which a property company is barred."),
        ),
        (
            "property.blacklist_ban_years",
            "integer",
            50,
            years,
            _("Black list: years barred"),
            _("Years a property company so listed may not take public-welfare property projects."),
        ),
        (
            "premises.showcase_extra_max_yuan_per_m2",
            "number",
            _YUAN_MAX,
            _("yuan per m²"),
            _("Showcase public space: extra building cost (most)"),
            _(
                "Most extra building cost per square metre allowed for a showcase community "
                "public space."
            ),
        ),
        (
            "premises.operating_income_percent",
            "number",
            100,
            percent,
            _("Public-space income kept for running it"),
            _(
                "Share of the income of a community public space run by an operator that goes to "
                "the space's running funds."
            ),
        ),
        (
            "awards.smart_community_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: smart-community project (most)"),
            _("Most award to an outstanding internet-plus community project."),
        ),
        (
            "awards.model_community_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: model community (most)"),
            _(
                "Most award to a community recognised as a model community at district level or "
                "above."
            ),
        ),
        (
            "awards.mediation_max_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Award: mediators, community lawyers and mediation cases (most)"),
            _(
                "Most award to a mediator, community lawyer or mediation case selected in the "
                "district's contest."
            ),
        ),
        # seed 001
        (
            "social_orgs.service_brands_min",
            "integer",
            1000,
            _("brands"),
            _("Professional service brands (least)"),
            _("Least professional service brands each community builds."),
        ),
        (
            "committees.each_min_members",
            "integer",
            100,
            _("people"),
            _("Each of the two committees: least members"),
            _(
                "Least members of the community party committee and of the residents' committee, "
                "each."
            ),
        ),
        (
            "committees.each_max_members",
            "integer",
            100,
            _("people"),
            _("Each of the two committees: most members"),
            _(
                "Most members of the community party committee and of the residents' committee, "
                "each."
            ),
        ),
        (
            "committees.total_min_members",
            "integer",
            100,
            _("people"),
            _("The two committees together: least members"),
            _("Least members of the two committees together (a person on both counts once)."),
        ),
        (
            "committees.total_max_members",
            "integer",
            100,
            _("people"),
            _("The two committees together: most members"),
            _("Most members of the two committees together (a person on both counts once)."),
        ),
        (
            "training.secretary_min_sessions_per_year",
            "integer",
            100,
            _("sessions per year"),
            _("Training of secretary and director: sessions (least)"),
            _(
                "Least centralised training sessions at county level or above each year for the "
                "party secretary and the residents' committee director."
            ),
        ),
        (
            "training.secretary_min_days",
            "integer",
            366,
            _("days"),
            _("Training of secretary and director: days (least)"),
            _(
                "Least days of centralised training in all for the party secretary and the "
                "residents' committee director."
            ),
        ),
        (
            "training.committee_min_days",
            "integer",
            366,
            _("days"),
            _("Training of committee members: days (least)"),
            _(
                "Least days of centralised training at street or township level or above for the "
                "members of the two committees."
            ),
        ),
        (
            "staffing.graduates_min",
            "integer",
            100,
            _("people"),
            _("College graduates among the workers (least)"),
            _("Least college graduates working in each community (一社区一名大学生)."),
        ),
        (
            "staffing.reserve_min_candidates",
            "integer",
            100,
            _("people"),
            _("Reserve candidates (least)"),
            _(
                "Least reserve candidates for the committees, young and college-educated, in each "
                "community."
            ),
        ),
        (
            "staffing.reserve_max_candidates",
            "integer",
            100,
            _("people"),
            _("Reserve candidates (most)"),
            _("Most reserve candidates for the committees in each community."),
        ),
        (
            "staffing.reserve_max_age",
            "integer",
            100,
            years,
            _("Reserve candidates: age (most)"),
            _("Oldest age of a reserve candidate."),
        ),
        (
            "staffing.unfit_years",
            "integer",
            50,
            years,
            _("Years rated unfit before dismissal"),
            _(
                "Consecutive years rated unfit after which a committee member or community worker "
                "is made to resign, removed or dismissed."
            ),
        ),
        (
            "premises.max_name_plates",
            "integer",
            100,
            _("name plates"),
            _("Name plates outside (most)"),
            _("Most organisations whose name plates hang outside the community premises."),
        ),
        (
            "leadership.min_visits_per_year",
            "integer",
            366,
            _("visits per year"),
            _("Leaders' visits to communities (least)"),
            _(
                "Least visits a year to communities for research and guidance by the county and "
                "township leaders in charge."
            ),
        ),
        (
            "funds.working_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Community running funds"),
            _(
                "Least yearly running funds of a community (in a central city when the document "
                "tells central city and county towns apart)."
            ),
        ),
        (
            "funds.county_working_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Community running funds (county towns)"),
            _("Least yearly running funds of a community in a county town."),
        ),
        (
            "funds.township_working_yuan",
            "number",
            _YUAN_MAX,
            yuan,
            _("Community running funds (townships)"),
            _("Least yearly running funds of a township community."),
        ),
        (
            "pay.chief_min_yuan_per_month",
            "number",
            _YUAN_MAX,
            _("yuan per month"),
            _("Basic pay of a committee chief (least)"),
            _("Least monthly basic pay of a full-time chief of the two committees."),
        ),
        (
            "pay.deputy_min_yuan_per_month",
            "number",
            _YUAN_MAX,
            _("yuan per month"),
            _("Basic pay of a committee deputy (least)"),
            _("Least monthly basic pay of a full-time deputy of the two committees."),
        ),
        (
            "pay.member_min_yuan_per_month",
            "number",
            _YUAN_MAX,
            _("yuan per month"),
            _("Basic pay of a committee member (least)"),
            _("Least monthly basic pay of a full-time member of the two committees."),
        ),
        # seed 003
        (
            "grid.worker_contests_per_year",
            "integer",
            366,
            _("contests per year"),
            _("Grid workers' skills contests (least)"),
            _("Least skills contests for grid workers held each year."),
        ),
        (
            "tasks.key_tasks",
            "integer",
            1000,
            _("tasks"),
            _("Key tasks of the document"),
            _("Key tasks the document lists, each to be completed by the key's due date."),
        ),
    )
    return [
        Key(name, kind, 0, maximum, unit, label, help_text)
        for name, kind, maximum, unit, label, help_text in rows
    ]


# Numbers the seed documents fix (issue 12): each key is set only by the profiles whose document
# sets it, with the paragraph in the YAML comment, and has no platform default. Some are read by
# checks already; the others are carried (key and citation) for the checks later issues build.
def _document_keys() -> list[Key]:
    def key(
        name: str,
        kind: str,
        maximum: float,
        unit: StrOrPromise,
        label: StrOrPromise,
        help_text: StrOrPromise,
        minimum: float = 0,
    ) -> Key:
        return Key(name, kind, minimum, maximum, unit, label, help_text)

    return [
        key(
            "premises.new_community_min_m2",
            "number",
            100000,
            "m²",
            _("Service premises minimum (new communities)"),
            _("Least floor area of the public service premises of a newly built community."),
            minimum=1,
        ),
        key(
            "premises.service_hall_min_m2",
            "number",
            100000,
            "m²",
            _("Service hall minimum"),
            _("Least floor area of the community's one-stop service hall."),
            minimum=1,
        ),
        key(
            "premises.named_rooms_required",
            "integer",
            1,
            _("yes (1) / no (0)"),
            _("Function rooms of the Loudi document required"),
            _(
                "1: the community has the function rooms the Loudi document names beside its "
                "service hall (party-mass activities, mediation, police, family planning, "
                "charity supermarket, office); 0 or unset: the rooms are not checked."
            ),
        ),
        key(
            "premises.elderly_care_min_m2",
            "number",
            100000,
            "m²",
            _("Elderly-care premises minimum"),
            _("Least floor area of the community's elderly-care premises."),
            minimum=1,
        ),
        key(
            "premises.childcare_min_m2",
            "number",
            100000,
            "m²",
            _("Childcare premises minimum"),
            _("Least floor area of the community's childcare and early-education premises."),
            minimum=1,
        ),
        key(
            "staffing.full_time_workers",
            "integer",
            10000,
            _("workers"),
            _("Full-time community workers"),
            _("Number of full-time community workers the community is staffed with."),
        ),
        key(
            "staffing.min_workers",
            "integer",
            10000,
            _("workers"),
            _("Community workers: least"),
            _("Least number of community workers of a community, whatever its size."),
        ),
        key(
            "staffing.max_workers",
            "integer",
            10000,
            _("workers"),
            _("Community workers: most"),
            _(
                "Most community workers of a community whatever its size (the ratio applies within)."
            ),
        ),
        key(
            "owners_committee.candidate_party_percent",
            "number",
            100,
            "%",
            _("Party members among owners' committee candidates"),
            _("Least share of party members among the candidates for an owners' committee."),
        ),
        key(
            "owners_committee.member_party_percent",
            "number",
            100,
            "%",
            _("Party members in owners' committees"),
            _("Least share of party members among the members of an owners' committee."),
        ),
        key(
            "property.party_org_min_members",
            "integer",
            1000,
            _("party members"),
            _("Party members for a property company's own party organisation"),
            _(
                "A property company with at least this many party members sets up its own "
                "party organisation."
            ),
            minimum=1,
        ),
        key(
            "social_orgs.min_incubated",
            "integer",
            10000,
            _("organisations"),
            _("Social organisations incubated"),
            _("Least number of community social organisations incubated and active."),
        ),
        key(
            "party.group_per_grid",
            "integer",
            1,
            _("yes (1) / no (0)"),
            _("Party group on every grid"),
            _(
                "1: every grid has a party group (or a branch covering it); 0 or unset: grids "
                "are covered by the estate branches."
            ),
        ),
        *(_carried_keys()),
        key(
            "funds.working_yuan_per_1000_households",
            "number",
            100000000,
            _("yuan per 1,000 households"),
            _("Community working funds"),
            _("Least yearly working funds of a community for each 1,000 households."),
        ),
    ]


# Care and outreach (issue 24, gongzhi/care). Seed 001 §12 asks the community to care for the
# elderly, disabled people, minors and entitled groups and issue 24 item 3 to reach every household
# when the water is cut or a typhoon comes; no seed fixes how long an urgent notice waits for
# households to read it before they are texted, nor how many may be texted: both keys are
# platform defaults until a profile sets them.
# Care visits (issue 24 item 1): seed 001 §12 names the people to care for but no rhythm; the
# days between visits below are platform defaults (the usual practice of community offices),
# stated as such. Care tags without a key here get no visit plan.
_CARE_VISIT_RHYTHMS = (
    ("living_alone", _("Care visit rhythm: living alone"), 7),
    ("disabled", _("Care visit rhythm: disabled"), 14),
    ("left_behind_child", _("Care visit rhythm: left-behind child"), 14),
    ("serious_illness", _("Care visit rhythm: serious illness"), 7),
    ("key_care", _("Care visit rhythm: key care"), 7),
    ("low_income", _("Care visit rhythm: low income"), 30),
    ("veteran", _("Care visit rhythm: veteran"), 30),
)


def _care_keys() -> list[Key]:
    return [
        Key(
            "care.urgent_sms_after_minutes",
            "integer",
            5,
            1440,
            _("minutes"),
            _("Urgent notice: SMS to unread households after"),
            _(
                "Minutes after an urgent household notice is sent when the households that "
                "have not read it are texted (once). Platform default when a profile leaves "
                "it out."
            ),
            default=60,
        ),
        Key(
            "care.urgent_sms_max_households",
            "integer",
            1,
            1000000,
            _("households"),
            _("Urgent notice: most households texted"),
            _(
                "Most households one urgent notice texts (SMS costs money); households beyond "
                "it are counted as not texted and stay on the door-knock list. Platform "
                "default when a profile leaves it out."
            ),
            default=5000,
        ),
        *(
            Key(
                f"care.visit_days_{tag}",
                "integer",
                1,
                365,
                _("days"),
                label,
                _(
                    "Days between two care visits to a person carrying this care tag (the "
                    "visit plans of the care lists). Platform default when a profile leaves "
                    "it out; no seed fixes it."
                ),
                default=days,
            )
            for tag, label, days in _CARE_VISIT_RHYTHMS
        ),
        Key(
            "care.visit_point_max_metres",
            "integer",
            20,
            5000,
            _("metres"),
            _("Care visit: farthest point from the building"),
            _(
                "A visit recorded with a position farther than this from the household's "
                "building is flagged for the community to check. Platform default when a "
                "profile leaves it out."
            ),
            default=300,
        ),
        Key(
            "care.service_walk_metres",
            "integer",
            200,
            10000,
            _("metres"),
            _("Service circle: a half-hour walk"),
            _(
                "How far a service point may be from a resident's building to be listed in "
                "their service circle (seed 001 §11: services within a half-hour walk). "
                "Points without a position are listed for their community. Platform default "
                "(2,000 m: half an hour at an older person's pace) when a profile leaves it "
                "out."
            ),
            default=2000,
        ),
    ]


# Party organisational life (issue 23, gongzhi/partylife). Seed 002 §三(一)2 asks for a theme
# party day every month (创新每月党员教育活动,推行"主题党日+"模式): that one is the document's number,
# carried as the platform default. 三会一课, the big committee's regular meetings (002 §三(一)1
# 例会制) and the democratic review (002 §三(一)4) get no numbers from the seeds: the others below
# are platform defaults (the usual practice of 三会一课), stated as such.
_MEETING_FREQUENCIES = (
    ("general_meeting", _("branch general meetings"), 4),
    ("committee_meeting", _("branch committee meetings"), 12),
    ("group_meeting", _("party group meetings"), 12),
    ("lecture", _("party lectures"), 4),
    ("theme_day", _("theme party days"), 12),
    ("big_committee", _("big-committee meetings"), 4),
)
_REVIEW_BANDS = (
    ("excellent", _("Excellent"), 90),
    ("qualified", _("Qualified"), 70),
    ("basic", _("Basically qualified"), 60),
)
_REVIEW_WEIGHTS = (
    ("self", _("self-assessment"), 20),
    ("peer", _("peer assessment"), 30),
    ("branch", _("branch assessment"), 50),
)


def _partylife_keys() -> list[Key]:
    keys = []
    for kind, label, default in _MEETING_FREQUENCIES:
        help_text = (
            _(
                "How many times a year each organisation holds these; the year is split into "
                "this many equal periods and a period without one is listed as overdue. Seed "
                "002 §三(一)2: monthly (主题党日+)."
            )
            if kind == "theme_day"
            else _(
                "How many times a year each organisation holds these; the year is split into "
                "this many equal periods and a period without one is listed as overdue. "
                "Platform default when a profile leaves it out (the seeds set no number)."
            )
        )
        keys.append(
            Key(
                f"partylife.per_year.{kind}",
                "integer",
                0,
                12,
                _("times a year"),
                format_lazy(_("Frequency: {kind}"), kind=label),
                help_text,
                default=default,
            )
        )
    for band, label, default in _REVIEW_BANDS:
        keys.append(
            Key(
                f"partylife.review_band.{band}",
                "number",
                0,
                100,
                _("points"),
                format_lazy(_("Democratic review: least total for {grade}"), grade=label),
                _(
                    "Least weighted total (0–100) of a member's democratic review for this "
                    "grade; below the lowest band the grade is unqualified. Platform default "
                    "(the seeds set no bands)."
                ),
                default=default,
            )
        )
    for part, label, default in _REVIEW_WEIGHTS:
        keys.append(
            Key(
                f"partylife.review_weight.{part}",
                "number",
                0,
                100,
                "%",
                format_lazy(_("Democratic review: weight of the {part}"), part=label),
                _(
                    "Share of this part in the weighted total of a member's democratic review "
                    "(the three weights are divided by their sum). Platform default."
                ),
                default=default,
            )
        )
    return keys


# The fuller vanguard index (先锋指数, issue 23 item 6; gongzhi/partylife/index.py). Seed 002
# §三(一)2 asks that members' conduct be counted in the 先锋指数 and names what members are
# assessed on (阳台绿化、便民帮扶、绿化包干等党员考评机制; 002 §三(一)3 adds 包幢入户), but it gives
# no parts, points, caps or bands: every number below is a platform default (the usual local
# practice: a basic part, a service part, bonus and deduction items with caps, vetoes, grade
# bands), stated as such in each key's help. The catalogue codes are read by gongzhi/partylife.
VANGUARD_BONUS_ITEMS = (
    ("greening", _("Greening or balcony greening taken on (绿化包干、阳台绿化)"), 2, "002"),
    ("neighbour_help", _("Help for neighbours (便民帮扶)"), 2, "002"),
    ("building_contact", _("Building and household contact (包幢入户)"), 2, "002"),
    ("volunteer_lead", _("Led a volunteer service activity"), 3, ""),
    ("honour", _("Commended or honoured"), 5, ""),
    ("other_bonus", _("Other good deed"), 1, ""),
)
VANGUARD_DEDUCTION_ITEMS = (
    ("complaint", _("A justified complaint by residents"), 3),
    ("pledge_not_kept", _("Pledge not kept"), 3),
    ("bad_influence", _("Conduct with a bad influence"), 5),
    ("other_deduction", _("Other shortcoming"), 1),
)
VANGUARD_VETO_ITEMS = (
    ("sanction", _("Party disciplinary sanction")),
    ("crime", _("Criminal or serious illegal conduct")),
    ("unqualified", _("Graded unqualified in the democratic review")),
)
VANGUARD_PARTS = (
    ("attendance", _("organisational-life attendance"), 30),
    ("dues", _("dues paid on time"), 15),
    ("study", _("study (party lectures attended)"), 15),
    ("service", _("service (认岗认事认亲 and tickets: the service formula)"), 40),
)
VANGUARD_BANDS = (
    ("excellent", _("Excellent"), 90),
    ("good", _("Good"), 80),
    ("qualified", _("Qualified"), 60),
)
_PLATFORM = _("Platform default (the seeds set no number).")


def _vanguard_index_keys() -> list[Key]:
    keys = [
        Key(
            "partylife.index.periods_per_year",
            "integer",
            1,
            4,
            _("periods a year"),
            _("Vanguard index: periods a year"),
            format_lazy(
                "{} {}",
                _(
                    "The vanguard index is scored per period: 1 a year, 2 half-years, 4 "
                    "quarters (3: four months each)."
                ),
                _PLATFORM,
            ),
            default=1,
        ),
    ]
    for part, label, default in VANGUARD_PARTS:
        keys.append(
            Key(
                f"partylife.index.points.{part}",
                "number",
                0,
                100,
                _("points"),
                format_lazy(_("Vanguard index: points of the {part}"), part=label),
                format_lazy("{} {}", _("Most points this part gives in a period."), _PLATFORM),
                default=default,
            )
        )
    keys.append(
        Key(
            "partylife.index.dues_grace_days",
            "integer",
            0,
            90,
            _("days"),
            _("Vanguard index: days of grace for dues"),
            format_lazy(
                "{} {}",
                _(
                    "A month's dues count as paid on time when the payment is recorded by the "
                    "end of the month plus this many days."
                ),
                _PLATFORM,
            ),
            default=0,
        )
    )
    for code, label, default, source in VANGUARD_BONUS_ITEMS:
        keys.append(
            Key(
                f"partylife.index.bonus.{code}",
                "number",
                0,
                100,
                _("points"),
                format_lazy(_("Vanguard index bonus: {item}"), item=label),
                format_lazy(
                    "{} {}",
                    _("Points an accepted item of this kind adds (before the bonus cap).")
                    if not source
                    else _(
                        "Points an accepted item of this kind adds (before the bonus cap); "
                        "seed 002 §三(一)2–3 names the item, not its points."
                    ),
                    _PLATFORM,
                ),
                default=default,
            )
        )
    for code, label, default in VANGUARD_DEDUCTION_ITEMS:
        keys.append(
            Key(
                f"partylife.index.deduction.{code}",
                "number",
                0,
                100,
                _("points"),
                format_lazy(_("Vanguard index deduction: {item}"), item=label),
                format_lazy(
                    "{} {}",
                    _("Points an accepted item of this kind takes off (before the cap)."),
                    _PLATFORM,
                ),
                default=default,
            )
        )
    for code, label in VANGUARD_VETO_ITEMS:
        keys.append(
            Key(
                f"partylife.index.veto.{code}",
                "integer",
                0,
                1,
                _("yes (1) / no (0)"),
                format_lazy(_("Vanguard index veto: {item}"), item=label),
                format_lazy(
                    "{} {}",
                    _("Whether a recorded item of this kind sets the period's score to zero."),
                    _PLATFORM,
                ),
                default=1,
            )
        )
    for name, label, default in (
        ("bonus_cap", _("Vanguard index: bonus cap"), 10),
        ("deduction_cap", _("Vanguard index: deduction cap"), 10),
    ):
        keys.append(
            Key(
                f"partylife.index.{name}",
                "number",
                0,
                100,
                _("points"),
                label,
                format_lazy(
                    "{} {}", _("Most points the items of this side count in a period."), _PLATFORM
                ),
                default=default,
            )
        )
    for band, label, default in VANGUARD_BANDS:
        keys.append(
            Key(
                f"partylife.index.band.{band}",
                "number",
                0,
                200,
                _("points"),
                format_lazy(_("Vanguard index: least score for {grade}"), grade=label),
                format_lazy(
                    "{} {}",
                    _(
                        "Least score of a period for this grade; below the lowest band the "
                        "grade is unqualified."
                    ),
                    _PLATFORM,
                ),
                default=default,
            )
        )
    return keys


# The community workforce (issue 15, gongzhi/workforce). Seed 001 §5 asks for on-time
# turnover of the two committees (并按期换届) without a number of months' notice: the reminder
# is a platform default. The document numbers (committee sizes, training days, graduates,
# reserves, certificates, rewards, pay) are in _document_keys and _carried_keys.
def _workforce_keys() -> list[Key]:
    return [
        Key(
            "committees.turnover_reminder_months",
            "integer",
            1,
            24,
            _("months"),
            _("Two committees: turnover reminder"),
            _(
                "Months before a term of the community party committee or the residents' "
                "committee is due for turnover (换届) when the pages start to remind of it. "
                "Platform default when a profile leaves it out."
            ),
            default=3,
        ),
    ]


# Task lists (issue 17, gongzhi/keytasks). Seed 003 (annex 2) gives each task a deadline but no
# warning period: "at risk" is a platform default until a profile sets it.
def _keytask_keys() -> list[Key]:
    return [
        Key(
            "keytasks.at_risk_days",
            "integer",
            1,
            365,
            _("days"),
            _("Key tasks: at risk before the deadline"),
            _(
                "A key task with a milestone behind its date is shown at risk from this many "
                "days before its deadline. Platform default when a profile leaves it out."
            ),
            default=30,
        ),
        Key(
            "keytasks.reminder_days",
            "integer",
            0,
            90,
            _("days"),
            _("Key tasks: reminder before the deadline"),
            _(
                "Days before a key task's deadline when its units are reminded (0: no "
                "reminder). No seed document sets it: platform default when a profile leaves "
                "it out."
            ),
            default=3,
        ),
    ]


# Selections (gongzhi/selections, seed 003 annex 4 item 4): star civilised buildings and best
# building heads. The seed sets no numbers: every key is a platform default until a profile sets
# it. The panel criteria themselves are a documented platform list (docs/selections.md).
_SELECTION_CRITERIA = (
    ("tidy", _("tidy environment")),
    ("harmony", _("neighbourly harmony")),
    ("party_example", _("party members lead by example")),
    ("governance", _("taking part in governance")),
    ("civility", _("civilised customs")),
    ("duty", _("fulfilling the building head's duties")),
    ("service", _("serving the residents")),
)


def _selection_keys() -> list[Key]:
    keys = [
        Key(
            "selections.votes_per_voter",
            "integer",
            1,
            50,
            _("votes"),
            _("Selections: votes per voter"),
            _(
                "How many nominees one voter may vote for in one selection (one vote each). "
                "Platform default when a profile leaves it out."
            ),
            default=3,
        ),
        Key(
            "selections.vote_share_percent",
            "number",
            0,
            100,
            "%",
            _("Selections: share of the votes"),
            _(
                "In a selection decided by votes and panel scores combined, the weight of the "
                "residents' votes; the panel has the rest. Platform default when a profile "
                "leaves it out."
            ),
            default=40,
        ),
        Key(
            "selections.nominees_per_community",
            "integer",
            1,
            100,
            _("nominees"),
            _("Selections: nominees per community"),
            _(
                "Most nominees one community may put forward in one selection. Platform "
                "default when a profile leaves it out."
            ),
            default=3,
        ),
        Key(
            "selections.winners",
            "integer",
            1,
            500,
            _("winners"),
            _("Selections: best building heads named"),
            _(
                "How many of the best-scored building heads a selection names (ties at the "
                "last place are all named). Platform default when a profile leaves it out."
            ),
            default=10,
        ),
    ]
    for stars, minimum in ((1, 60), (2, 70), (3, 80), (4, 90), (5, 95)):
        keys.append(
            Key(
                f"selections.star_min.{stars}",
                "number",
                0,
                100,
                _("points"),
                format_lazy(_("Selections: score for {n} stars"), n=stars),
                _(
                    "Least combined score (0–100) a building needs for this many stars. "
                    "Platform default when a profile leaves it out."
                ),
                default=minimum,
            )
        )
    for code, label in _SELECTION_CRITERIA:
        keys.append(
            Key(
                f"selections.points.{code}",
                "integer",
                1,
                100,
                _("points"),
                format_lazy(_("Selections: panel points for {criterion}"), criterion=label),
                _(
                    "Most points a panel member may give on this criterion. Platform default "
                    "when a profile leaves it out."
                ),
                default=20,
            )
        )
    return keys


SCHEMA: dict[str, Key] = {
    key.name: key
    for key in (
        Key(
            "grid.households",
            "integer",
            1,
            5000,
            _("households"),
            _("Grid size (households)"),
            _("About how many households one grid holds."),
        ),
        Key(
            "grid.people",
            "integer",
            1,
            20000,
            _("people"),
            _("Grid size (people)"),
            _("About how many residents one grid holds."),
        ),
        Key(
            "grid.tolerance_percent",
            "number",
            0,
            100,
            "%",
            _("Grid size tolerance"),
            _(
                "How far above the grid size a grid may grow before it is flagged. The documents "
                "say “about”; when a profile leaves this out the platform default applies."
            ),
            default=20,
        ),
        Key(
            "staffing.households_per_worker",
            "integer",
            1,
            10000,
            _("households per worker"),
            _("Staffing ratio"),
            _(
                "One community worker (secretary, workers and grid workers) per this many households."
            ),
        ),
        Key(
            "premises.service_centre_min_m2",
            "number",
            1,
            100000,
            "m²",
            _("Service premises minimum"),
            _("Least floor area of a community's service centre and premises."),
        ),
        *(_document_keys()),
        *(_ticket_keys()),
        *(_participation_keys()),
        *(_partylife_keys()),
        *(_vanguard_index_keys()),
        *(_estate_keys()),
        *(_workforce_keys()),
        *(_keytask_keys()),
        *(_selection_keys()),
        *(_care_keys()),
        *(_mediation_keys()),
    )
}

# Text fields at the top of every profile: (name, required).
META_FIELDS = (("source", True), ("title", True), ("notes", False), ("successor", False))
# Date fields at the top of a profile: the document's validity (both days included).
DATE_FIELDS = ("valid_from", "valid_until")
# `due:` maps keys of this profile to the date their target must be met by; `applies_from:` maps
# keys to the date the document makes them apply from (when later than the document itself).
DUE_FIELD = "due"
FROM_FIELD = "applies_from"
_META = {name for name, _required in META_FIELDS} | set(DATE_FIELDS) | {DUE_FIELD, FROM_FIELD}
_SECTIONS = {key.section for key in SCHEMA.values()}
