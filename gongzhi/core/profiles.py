"""Policy profiles: the numbers a policy document fixes, one file per document.

A profile is a YAML (``.yaml``/``.yml``) or TOML (``.toml``) file named ``<name>.<ext>`` in one of
``settings.POLICY_PROFILE_DIRS`` (first folder that has the name wins). It names its source document
(``source``, a file name) and a ``title``; its numbers are nested sections flattened to dotted keys
(``grid.households``). ``SCHEMA`` lists every key with its type, range, unit and label.

A place uses the profile of its nearest ancestor-or-self whose ``policy_profile`` is set; when
that profile has expired (``valid_until``) and names a ``successor`` that exists, the successor
applies. ``Profile.status()`` says whether the document is in force; ``due:`` dates targets, and
``target_state`` tells met / short / overdue / not set. A number a document sets has no platform
default: ``Profile.get`` gives None when the profile leaves it out.

Loading never raises: a broken or missing file gives a ``Profile`` whose ``errors`` say what is
wrong (file, key, problem), and whose values are not used. Parsed files are cached per process and
re-read when the file's modification time or size changes. docs/policy-profiles.md is the
operator's guide.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import threading
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongzhi.core.directory import places

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_stubs_ext import StrOrPromise

    from gongzhi.core.types import Viewer

    Place = Any  # a gongzhi.places Place: core reads the tree through core.directory

EXTENSIONS = (".yaml", ".yml", ".toml")
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_FILE_BYTES = 256 * 1024


# --------------------------------------------------------------------------- schema


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


# --------------------------------------------------------------------------- errors

_MESSAGES = {
    "unreadable": _("%(file)s: the file cannot be read (%(detail)s)."),
    "too_large": _("%(file)s: the file is larger than %(limit)s KB."),
    "syntax": _("%(file)s, line %(line)s: syntax error: %(detail)s"),
    "not_mapping": _("%(file)s: the file must hold keys and values at its top level."),
    "unknown_key": _("%(file)s: unknown key “%(key)s”."),
    "not_section": _("%(file)s: “%(key)s” must be a section of keys, not a single value."),
    "duplicate_key": _("%(file)s: the key “%(key)s” is set more than once."),
    "wrong_type": _("%(file)s: “%(key)s” must be %(expected)s, not “%(value)s”."),
    "out_of_range": _(
        "%(file)s: “%(key)s” is %(value)s, outside the allowed range %(minimum)s–%(maximum)s "
        "%(unit)s."
    ),
    "missing": _("%(file)s: the required key “%(key)s” is missing."),
    "source_path": _(
        "%(file)s: “source” must be the file name of the source document, not a path."
    ),
    "bad_name": _(
        "%(file)s: “%(name)s” is not a valid profile name (lower-case letters, digits, “-” and "
        "“_”, at most 64 characters)."
    ),
    "ambiguous": _("%(file)s: profile “%(name)s” is also defined by %(other)s in the same folder."),
    "not_found": _("There is no policy profile file named “%(name)s”."),
    "bad_date": _("%(file)s: “%(key)s” must be a date written YYYY-MM-DD, not “%(value)s”."),
    "date_order": _("%(file)s: “valid_from” (%(start)s) is after “valid_until” (%(end)s)."),
    "due_not_mapping": _("%(file)s: “%(key)s” must map keys of this profile to dates."),
    "due_unset": _(
        "%(file)s: “%(field)s” gives a date for “%(key)s”, which this profile does not set."
    ),
    "bad_successor": _(
        "%(file)s: “successor” must name another profile (lower-case letters, digits, “-” "
        "and “_”), not “%(value)s”."
    ),
}

_EXPECTED = {
    "integer": _("a whole number"),
    "number": _("a number"),
    "text": _("text"),
}


@dataclass(frozen=True)
class Issue:
    """One thing wrong with a profile file. Rendered in the current language when shown."""

    file: str
    code: str
    key: str = ""
    line: int | None = None
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        values: dict[str, Any] = {"file": self.file, "key": self.key, "line": self.line}
        values.update(self.params)
        if "expected" in values:
            values["expected"] = str(_EXPECTED.get(values["expected"], values["expected"]))
        if self.key in SCHEMA:
            values.setdefault("unit", str(SCHEMA[self.key].unit))
        return str(_MESSAGES[self.code]) % values

    def __str__(self) -> str:
        return self.message


def _issue(file: str, code: str, key: str = "", line: int | None = None, **params: Any) -> Issue:
    return Issue(file=file, code=code, key=key, line=line, params=tuple(sorted(params.items())))


# --------------------------------------------------------------------------- profiles


@dataclass(frozen=True)
class Row:
    """One schema key as set (or not) by a profile, for display."""

    key: Key
    value: float | None
    is_set: bool
    citation: str
    due: dt.date | None = None
    applies_from: dt.date | None = None


@dataclass(frozen=True)
class ProfileStatus:
    """Whether a profile's document is in force on a day.

    code: "in_force", "expired", "not_yet" or "undated"; label: lazy text for people;
    since: the day that explains the code (valid_until when expired, valid_from otherwise)."""

    code: str
    label: Any
    since: dt.date | None = None

    @property
    def in_force(self) -> bool:
        return self.code in ("in_force", "undated")


@dataclass(frozen=True)
class TargetState:
    """A dated target against a community's figure: "met", "short", "overdue" or "not_set"."""

    code: str
    label: Any
    due: dt.date | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    path: Path | None = None
    source: str = ""
    title: str = ""
    notes: str = ""
    values: dict[str, float] = field(default_factory=dict)
    citations: dict[str, str] = field(default_factory=dict)
    errors: tuple[Issue, ...] = ()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None  # the last day in force
    successor: str = ""
    due_dates: dict[str, dt.date] = field(default_factory=dict)
    from_dates: dict[str, dt.date] = field(default_factory=dict)
    # Names of the expired profiles whose `successor` chain led here (effective_profile).
    succeeds: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def file_name(self) -> str:
        return self.path.name if self.path else ""

    def status(self, on: dt.date | None = None) -> ProfileStatus:
        """Whether the document is in force on `on` (default: today by gongzhi.core.clock)."""
        from gongzhi.core import clock

        day = on or clock.today()
        start, end = self.valid_from, self.valid_until
        if start and day < start:
            return ProfileStatus(
                "not_yet", format_lazy(_("Not yet in force: from {date}"), date=start), start
            )
        if end and day > end:
            return ProfileStatus("expired", format_lazy(_("Expired on {date}"), date=end), end)
        if end:
            return ProfileStatus(
                "in_force", format_lazy(_("In force until {date}"), date=end), start
            )
        if start:
            return ProfileStatus(
                "in_force", format_lazy(_("In force since {date}"), date=start), start
            )
        return ProfileStatus("undated", _("In force (no validity dates)"))

    @property
    def replacement(self) -> Profile | None:
        """The profile that applies instead of this expired one (its `successor` chain), if any."""
        if not self.successor:
            return None
        following = follow_successors(self)
        return following if following.name != self.name else None

    def due(self, key: str) -> dt.date | None:
        """The date by which the target `key` must be met, or None when it is not dated."""
        if key not in SCHEMA:
            raise KeyError(key)
        return self.due_dates.get(key) if self.ok else None

    def applies_from(self, key: str) -> dt.date | None:
        """The date the document makes `key` apply from, when it names one for the key."""
        if key not in SCHEMA:
            raise KeyError(key)
        return self.from_dates.get(key) if self.ok else None

    def is_set(self, key: str) -> bool:
        return self.ok and key in self.values

    def get(self, key: str) -> float | None:
        """The value of `key`, the platform default when the profile leaves it out, or None.
        A broken profile gives None for every key: its numbers are not trusted."""
        if key not in SCHEMA:
            raise KeyError(key)
        if not self.ok:
            return None
        if key in self.values:
            return self.values[key]
        return SCHEMA[key].default

    def rows(self) -> list[Row]:
        return [
            Row(
                key=key,
                value=self.get(key.name),
                is_set=self.is_set(key.name),
                citation=self.citations.get(key.name, ""),
                due=self.due(key.name),
                applies_from=self.applies_from(key.name),
            )
            for key in SCHEMA.values()
        ]


def target_state(
    profile: Profile | None, key: str, met: bool, on: dt.date | None = None
) -> TargetState:
    """A target of `profile` against a figure that `met` it or not, on `on` (default today).

    not_set when the profile does not give the key a value; met when met; overdue when not met
    and the key's due date has passed; else short."""
    from gongzhi.core import clock

    if profile is None or profile.get(key) is None:
        return TargetState("not_set", _("Not set by this document"))
    due = profile.due(key)
    if met:
        return TargetState("met", _("Met"), due)
    if due and (on or clock.today()) > due:
        return TargetState("overdue", format_lazy(_("Overdue since {date}"), date=due), due)
    if due:
        return TargetState("short", format_lazy(_("Short (due by {date})"), date=due), due)
    return TargetState("short", _("Short"), due)


# --------------------------------------------------------------------------- parsing


def _yaml_citations(node: yaml.Node | None, lines: list[str], prefix: str = "") -> dict[str, str]:
    """Comments next to each leaf: on its line after the value, else the comment lines above."""
    found: dict[str, str] = {}
    if not isinstance(node, yaml.MappingNode):
        return found
    for key_node, value_node in node.value:
        name = f"{prefix}{key_node.value}"
        if isinstance(value_node, yaml.MappingNode):
            found.update(_yaml_citations(value_node, lines, f"{name}."))
            continue
        end = value_node.end_mark
        tail = lines[end.line][end.column :] if end.line < len(lines) else ""
        comment = tail.split("#", 1)[1].strip() if "#" in tail else ""
        if not comment:
            comment = _comment_above(lines, key_node.start_mark.line)
        if comment:
            found[name] = comment
    return found


def _comment_above(lines: list[str], line: int) -> str:
    above: list[str] = []
    i = line - 1
    while i >= 0 and lines[i].strip().startswith("#"):
        above.insert(0, lines[i].strip().lstrip("#").strip())
        i -= 1
    return " ".join(part for part in above if part)


_TOML_LINE = re.compile(r"^\s*([A-Za-z0-9_.\-\"]+)\s*=\s*([^#]*?)\s*(?:#\s*(.*))?$")
_TOML_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\-]+)\s*\]")


def _toml_citations(lines: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    table = ""
    for number, line in enumerate(lines):
        header = _TOML_TABLE.match(line)
        if header:
            table = header.group(1) + "."
            continue
        match = _TOML_LINE.match(line)
        if not match:
            continue
        name = table + match.group(1).strip('"')
        comment = (match.group(3) or "").strip() or _comment_above(lines, number)
        if comment:
            found[name] = comment
    return found


def _bad_scalar_line(node: yaml.Node | None) -> int:
    """The line of the first scalar YAML cannot turn into a value (an impossible date)."""
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node)
        except ValueError:
            return node.start_mark.line + 1
        return 0
    children = node.value if isinstance(node, yaml.SequenceNode) else []
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    for child in children:
        if line := _bad_scalar_line(child):
            return line
    return 0


def _yaml_duplicates(node: yaml.Node | None, file: str, prefix: str = "") -> list[Issue]:
    issues: list[Issue] = []
    if not isinstance(node, yaml.MappingNode):
        return issues
    seen: set[str] = set()
    for key_node, value_node in node.value:
        name = f"{prefix}{key_node.value}"
        if name in seen:
            issues.append(_issue(file, "duplicate_key", name, key_node.start_mark.line + 1))
        seen.add(name)
        issues.extend(_yaml_duplicates(value_node, file, f"{name}."))
    return issues


def _check_value(file: str, key: Key, value: Any) -> Issue | None:
    number_ok = isinstance(value, int | float) and not isinstance(value, bool)
    if key.kind == "integer":
        number_ok = number_ok and isinstance(value, int)
    if not number_ok or (isinstance(value, float) and not math.isfinite(value)):
        return _issue(file, "wrong_type", key.name, expected=key.kind, value=_show(value))
    if not key.minimum <= value <= key.maximum:
        return _issue(
            file,
            "out_of_range",
            key.name,
            value=_show(value),
            minimum=_show(key.minimum),
            maximum=_show(key.maximum),
        )
    return None


def _show(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _flatten(data: dict, prefix: str, file: str, out: dict, issues: list[Issue]) -> None:
    for raw_key, value in data.items():
        name = f"{prefix}{raw_key}"
        if not prefix and name in _META:
            continue  # checked separately
        if name in SCHEMA:
            if name in out:
                issues.append(_issue(file, "duplicate_key", name))
                continue
            problem = _check_value(file, SCHEMA[name], value)
            if problem:
                issues.append(problem)
            else:
                out[name] = value
        elif any(k.startswith(f"{name}.") for k in SCHEMA):
            if isinstance(value, dict):
                _flatten(value, f"{name}.", file, out, issues)
            else:
                issues.append(_issue(file, "not_section", name))
        else:
            issues.append(_issue(file, "unknown_key", name))


def _validate(
    name: str, path: Path, data: Any, citations: dict[str, str], issues: list[Issue]
) -> Profile:
    file = path.name
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return Profile(name=name, path=path, errors=(*issues, _issue(file, "not_mapping")))
    data = {str(k): v for k, v in data.items()}
    meta: dict[str, str] = {}
    for key, required in META_FIELDS:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                issues.append(_issue(file, "missing", key))
            continue
        if not isinstance(value, str):
            issues.append(_issue(file, "wrong_type", key, expected="text", value=_show(value)))
            continue
        meta[key] = value.strip()
    if "/" in meta.get("source", "") or "\\" in meta.get("source", ""):
        issues.append(_issue(file, "source_path", "source"))
    successor = meta.get("successor", "")
    if successor and (not NAME_RE.match(successor) or successor == name):
        issues.append(_issue(file, "bad_successor", "successor", value=_show(successor)))
    dates = {key: _date(file, key, data.get(key), issues) for key in DATE_FIELDS}
    start, end = dates["valid_from"], dates["valid_until"]
    if start and end and start > end:
        issues.append(_issue(file, "date_order", start=start, end=end))
    values: dict[str, float] = {}
    _flatten(data, "", file, values, issues)
    due_dates = _key_dates(file, DUE_FIELD, data.get(DUE_FIELD), values, issues)
    from_dates = _key_dates(file, FROM_FIELD, data.get(FROM_FIELD), values, issues)
    if not NAME_RE.match(name):
        issues.append(_issue(file, "bad_name", name=name))
    return Profile(
        name=name,
        path=path,
        source=meta.get("source", ""),
        title=meta.get("title", ""),
        notes=meta.get("notes", ""),
        values=values,
        citations={k: v for k, v in citations.items() if k in values},
        errors=tuple(issues),
        valid_from=start,
        valid_until=end,
        successor=successor,
        due_dates=due_dates,
        from_dates=from_dates,
    )


def _date(file: str, key: str, value: Any, issues: list[Issue]) -> dt.date | None:
    """A date from YAML/TOML (a date, or text YYYY-MM-DD); None (with an issue) otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    issues.append(_issue(file, "bad_date", key, value=_show(value)))
    return None


def _key_dates(
    file: str, field_name: str, raw: Any, values: dict, issues: list[Issue]
) -> dict[str, dt.date]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        issues.append(_issue(file, "due_not_mapping", field_name))
        return {}
    found: dict[str, dt.date] = {}
    for key, value in _flat_items(raw):
        if key not in values:
            issues.append(_issue(file, "due_unset", key, field=field_name))
            continue
        day = _date(file, f"{field_name}.{key}", value, issues)
        if day:
            found[key] = day
    return found


def _flat_items(data: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) of a nested mapping whose leaves are not mappings."""
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flat_items(value, f"{name}.")
        else:
            yield name, value


def parse_file(path: Path) -> Profile:
    """Read and validate one profile file (no cache). Never raises."""
    name, file = path.stem, path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Profile(
                name, path, errors=(_issue(file, "too_large", limit=MAX_FILE_BYTES // 1024),)
            )
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Profile(name, path, errors=(_issue(file, "unreadable", detail=detail),))
    lines = text.splitlines()
    issues: list[Issue] = []
    if path.suffix == ".toml":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"line (\d+)", str(exc))
            line = int(found.group(1)) if found else 1
            detail = re.sub(r"\s*\(at line.*\)$", "", str(exc))
            return Profile(name, path, errors=(_issue(file, "syntax", line=line, detail=detail),))
        citations = _toml_citations(lines)
    else:
        try:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark else 1
            detail = getattr(exc, "problem", None) or str(exc)
            return Profile(name, path, errors=(_issue(file, "syntax", line=line, detail=detail),))
        except ValueError as exc:  # a well-formed but impossible date, e.g. 2021-02-30
            line = _bad_scalar_line(node) or 1
            return Profile(name, path, errors=(_issue(file, "syntax", line=line, detail=str(exc)),))
        citations = _yaml_citations(node, lines)
        issues.extend(_yaml_duplicates(node, file))
    return _validate(name, path, data, citations, issues)


# --------------------------------------------------------------------------- loading (cached)

_cache: dict[Path, tuple[tuple[int, int, int], Profile]] = {}
_lock = threading.Lock()


def load_file(path: Path) -> Profile:
    """`parse_file` with a per-process cache, invalidated when the file changes on disk."""
    try:
        st = path.stat()
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
    except OSError:
        return parse_file(path)
    with _lock:
        hit = _cache.get(path)
    if hit and hit[0] == stamp:
        return hit[1]
    profile = parse_file(path)
    with _lock:
        _cache[path] = (stamp, profile)
    return profile


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def profile_dirs() -> list[Path]:
    return [Path(d) for d in settings.POLICY_PROFILE_DIRS]


def _scan(directory: Path) -> dict[str, list[Path]]:
    here: dict[str, list[Path]] = {}
    try:
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError:
        return here
    for entry in entries:
        path = Path(entry.path)
        if path.suffix in EXTENSIONS and not entry.name.startswith(".") and entry.is_file():
            here.setdefault(path.stem, []).append(path)
    for paths in here.values():
        paths.sort(key=lambda p: EXTENSIONS.index(p.suffix))
    return here


def all_files() -> list[Path]:
    """Every profile file in every profile folder, shadowed ones included."""
    return [p for d in profile_dirs() for paths in _scan(d).values() for p in paths]


def _index() -> dict[str, list[Path]]:
    """Name → the files defining it in the first folder that has the name."""
    found: dict[str, list[Path]] = {}
    for directory in profile_dirs():
        for name, paths in _scan(directory).items():
            found.setdefault(name, paths)
    return found


def _load_named(name: str, paths: list[Path]) -> Profile:
    profile = load_file(paths[0])
    if len(paths) > 1:
        others = ", ".join(p.name for p in paths[1:])
        clash = _issue(paths[0].name, "ambiguous", name=name, other=others)
        return Profile(name=name, path=paths[0], errors=(*profile.errors, clash))
    return profile


def get(name: str) -> Profile:
    """The profile called `name`; a missing one comes back with a "not found" error."""
    paths = _index().get(name) if name else None
    if not paths:
        return Profile(name=name, errors=(_issue(name, "not_found", name=name),))
    return _load_named(name, paths)


def all_profiles() -> list[Profile]:
    return [_load_named(name, paths) for name, paths in sorted(_index().items())]


def available() -> list[str]:
    """Names of the profiles a place may be given: the valid ones."""
    return [p.name for p in all_profiles() if p.ok]


def check_all() -> list[Issue]:
    """Every problem in every profile file (the `check_profiles` command)."""
    issues: list[Issue] = []
    for directory in profile_dirs():
        for name, paths in sorted(_scan(directory).items()):
            issues.extend(_load_named(name, paths).errors)
    return issues


# --------------------------------------------------------------------------- inheritance


def profile_setters(items: Iterable[Place]) -> dict[int, Place | None]:
    """For each place, the nearest ancestor-or-self with `policy_profile` set (or None).
    One query for any number of places."""
    items = list(items)
    wanted = {p for place in items for p in place.ancestor_paths()}
    setters = {
        p.path: p
        for p in places.Place.objects.filter(path__in=wanted)
        .exclude(policy_profile="")
        .only("id", "name", "kind", "path", "depth", "policy_profile")
    }
    result: dict[int, Place | None] = {}
    for place in items:
        chain = [setters.get(p) for p in reversed(place.ancestor_paths())]
        result[place.pk] = next((s for s in chain if s is not None), None)
    return result


def profile_setter(place: Place) -> Place | None:
    """The place whose `policy_profile` applies to `place` (itself or an ancestor), or None."""
    if place.policy_profile:
        return place
    return profile_setters([place])[place.pk]


def effective_profile(place: Place, on: dt.date | None = None) -> Profile | None:
    """The profile that applies to `place`, or None when no ancestor names one. A named but
    missing or broken profile comes back with its errors (check `profile.ok`).

    When the named profile has expired (on `on`, default today) and names a `successor` that
    exists and is valid, the successor applies instead (and so on down the chain); its
    `succeeds` lists the expired names it replaces. Without one the expired profile still
    applies, and its status says so."""
    setter = profile_setter(place)
    return current(setter.policy_profile, on) if setter else None


def current(name: str, on: dt.date | None = None) -> Profile:
    """`get(name)` with the successor chain followed: what a place naming `name` uses (for code
    that resolves many places' names at once, e.g. through `profile_setters`)."""
    return follow_successors(get(name), on)


def follow_successors(profile: Profile, on: dt.date | None = None) -> Profile:
    """`profile`, or the first profile down its `successor` chain that is not expired."""
    seen = [profile.name]
    current = profile
    while current.ok and current.successor and current.status(on).code == "expired":
        following = get(current.successor)
        if not following.ok or following.name in seen:
            break
        seen.append(following.name)
        current = following
    if current is profile:
        return profile
    return replace(current, succeeds=tuple(seen[:-1]))


def describe_problem(name: str) -> str:
    """Why a profile name cannot be used, in the current language; "" when it can."""
    profile = get(name)
    return "; ".join(issue.message for issue in profile.errors)


# --------------------------------------------------------------------------- reads for a user


def require_view(user: Viewer) -> None:
    """Profiles are public policy; any user granted PROFILE_VIEW somewhere may read them."""
    from django.core.exceptions import PermissionDenied

    from gongzhi.core import access
    from gongzhi.core.roles import Action

    if not access.has_any(user, Action.PROFILE_VIEW):
        raise PermissionDenied


def usage_counts(user: Viewer) -> dict[str, int]:
    """How many places in the user's scope name each profile (one query)."""
    from django.db.models import Count

    from gongzhi.core.roles import Action

    rows = (
        places.visible_places(user, Action.PROFILE_VIEW)
        .exclude(policy_profile="")
        .order_by()
        .values("policy_profile")
        .annotate(n=Count("id"))
    )
    return {row["policy_profile"]: row["n"] for row in rows}


def places_using(user: Viewer, name: str) -> QuerySet[Place]:
    """The places in the user's scope that name this profile themselves."""
    from gongzhi.core.roles import Action

    return (
        places.visible_places(user, Action.PROFILE_VIEW)
        .filter(policy_profile=name)
        .order_by("path")
    )


# --------------------------------------------------------------------------- seed numbers

# Every number of the seed documents with the key that carries it (issue 12 point 9). A sub-folder
# of profiles/, so the profile loader does not take it for a profile.
SEED_NUMBERS_FILE = (
    Path(__file__).resolve().parents[2] / "profiles" / "seed-numbers" / "seed-numbers.yaml"
)
_KEY_DATE_PREFIXES = (f"{DUE_FIELD}.", f"{FROM_FIELD}.")


@dataclass(frozen=True)
class SeedNumber:
    """One number of a policy document: where it stands, and the key that carries it."""

    source: str
    paragraph: str
    quote: str
    value: Any
    key: str | None
    reason: str = ""


def seed_numbers(path: Path | None = None) -> dict[str, list[SeedNumber]]:
    """Source file name → the numbers listed for that document (empty when the file is missing)."""
    path = path or SEED_NUMBERS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}
    return {
        str(source): [
            SeedNumber(
                source=str(source),
                paragraph=str(entry.get("paragraph", "")),
                quote=str(entry.get("quote", "")),
                value=entry.get("value"),
                key=entry.get("key") or None,
                reason=str(entry.get("reason") or "").strip(),
            )
            for entry in entries or ()
        ]
        for source, entries in data.items()
    }


def carried_value(profile: Profile, key: str) -> Any:
    """What `profile` holds under a seed-number key: a SCHEMA key's value, its validity dates
    (valid_from / valid_until), or a dated target (due.<key> / applies_from.<key>); None when
    it holds nothing there."""
    if key in DATE_FIELDS:
        return getattr(profile, key)
    for prefix in _KEY_DATE_PREFIXES:
        if key.startswith(prefix) and key[len(prefix) :] in SCHEMA:
            dates = profile.due_dates if prefix == f"{DUE_FIELD}." else profile.from_dates
            return dates.get(key[len(prefix) :])
    if key in SCHEMA:
        return profile.values.get(key)
    return None


def number_problem(profile: Profile, number: SeedNumber) -> str:
    """Why `number` is not carried by `profile` ("" when it is, or when it is narration)."""
    if number.key is None:
        return "" if number.reason else "no key and no reason"
    held = carried_value(profile, number.key)
    if held is None:
        return f"{number.key} is not set in this profile"
    if held != number.value:
        return f"{number.key} is {_show(held)} here, the document says {_show(number.value)}"
    return ""


def numbers_without_key(
    profile: Profile, listed: dict[str, list[SeedNumber]] | None = None
) -> list[tuple[SeedNumber, str]]:
    """The numbers of `profile`'s source document that it does not carry: (number, problem)."""
    listed = seed_numbers() if listed is None else listed
    return [
        (number, problem)
        for number in listed.get(profile.source, ())
        if (problem := number_problem(profile, number))
    ]
