"""Compliance of a community with its policy profile: grid sizes, staffing, premises.

The rules live here, not in views or templates. `reports_for()` builds the reports for any
number of communities with a fixed number of queries (profile setters, grids with household
counts, worker posts, people per grid), so a list page and a community page cost the same
whatever the number of grids.

People per grid come from a pluggable provider (`set_people_provider`), which the people
registry installs when it loads (`people.compliance.people_per_grid`); a grid it has no
residents for shows as "not yet recorded".
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gongzhi.core import access, clock, profiles
from gongzhi.core.models import Post
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.places import selectors
from gongzhi.places.models import Place, PlaceKind, Room, RoomFunction

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Posts counted as community staff for the staffing ratio.

PeopleProvider = Callable[[list[Place]], dict[int, int]]
_people_provider: PeopleProvider | None = None
_households_provider: PeopleProvider | None = None
PartyProvider = Callable[[list[Place]], dict[int, str]]
_party_provider: PartyProvider | None = None


def people_provider() -> PeopleProvider | None:
    return _people_provider


def set_people_provider(provider: PeopleProvider | None) -> None:
    """Install the function that counts people per grid: grids → {grid id: people}.
    Grids missing from its answer count as "not yet recorded"."""
    global _people_provider
    _people_provider = provider


def party_provider() -> PartyProvider | None:
    return _party_provider


def set_party_provider(provider: PartyProvider | None) -> None:
    """Install the function that tells which grids have their party organisation: grids →
    {grid id: "branch" | "group"} (the party app installs `party.selectors.grid_coverage`)."""
    global _party_provider
    _party_provider = provider


def households_provider() -> PeopleProvider | None:
    return _households_provider


def set_households_provider(provider: PeopleProvider | None) -> None:
    """Install the function that counts resident (常住) households per grid: grids → {grid id:
    households}. Without one, the staffing ratio shows as "not yet recorded"."""
    global _households_provider
    _households_provider = provider


class Status(models.TextChoices):
    OK = "ok", _("OK")
    SHORT = "short", _("Short of the profile")
    OVER = "over", _("Above the profile's maximum")
    OVERDUE = "overdue", _("Overdue")
    NOT_SET = "not_set", _("Not set by this document")
    NOT_RECORDED = "not_recorded", _("Not yet recorded")


# Statuses that fail a check.
FAILING = frozenset({Status.SHORT, Status.OVER, Status.OVERDUE})


class State(models.TextChoices):
    """The one-line status of a whole community."""

    OK = "ok", _("Meets its profile")
    SHORT = "short", _("Short of its profile")
    INCOMPLETE = "incomplete", _("Meets its profile so far; some figures are not yet recorded")
    NOT_SET = "not_set", _("Nothing to check: the profile sets none of these numbers")
    NO_PROFILE = "no_profile", _("No policy profile applies")
    ERROR = "error", _("The policy profile has errors")


@dataclass
class Check:
    key: str
    label: StrOrPromise
    status: str
    actual: int | Decimal | None = None
    required: float | None = None
    unit: StrOrPromise = ""
    citation: str = ""
    over: int = 0  # grid checks: grids over the size
    total: int = 0  # grid checks: grids compared
    due: dt.date | None = None  # dated targets (profile `due:`)
    missing: list[str] = field(default_factory=list)  # rooms check: functions missing
    note: StrOrPromise = ""

    @property
    def status_label(self) -> StrOrPromise:
        if self.status == Status.OVERDUE and self.due:
            return _("Overdue since %(date)s") % {"date": self.due.isoformat()}
        if self.status == Status.SHORT and self.due:
            return _("Short (due by %(date)s)") % {"date": self.due.isoformat()}
        return Status(self.status).label


@dataclass
class GridRow:
    grid: Place
    households: int
    people: int | None
    households_status: str
    people_status: str
    resident_households: int | None = None
    party_org: str | None = None  # "branch", "group" or None (party provider)

    @property
    def households_status_label(self) -> StrOrPromise:
        return Status(self.households_status).label

    @property
    def people_status_label(self) -> StrOrPromise:
        return Status(self.people_status).label


@dataclass
class Report:
    community: Place
    profile: profiles.Profile | None
    set_at: Place | None
    households: int
    workers: int  # full-time staff posts
    grids: list[GridRow] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    grid_limit: float | None = None  # households above which a grid is flagged
    people_limit: float | None = None
    resident_households: int | None = None  # households with someone living there (常住)
    part_time_workers: int = 0  # part-time staff posts, not counted
    rooms: list[Room] = field(default_factory=list)
    grids_counted_in_full: int = 0  # grids with no one registered: all households counted

    @property
    def state(self) -> str:
        if self.profile is None:
            return State.NO_PROFILE
        if not self.profile.ok:
            return State.ERROR
        if any(c.status in FAILING for c in self.checks):
            return State.SHORT
        if all(c.status == Status.NOT_SET for c in self.checks):
            return State.NOT_SET
        if any(c.status == Status.NOT_RECORDED for c in self.checks):
            return State.INCOMPLETE
        return State.OK

    @property
    def state_label(self) -> StrOrPromise:
        return State(self.state).label

    @property
    def short_checks(self) -> list[Check]:
        return [c for c in self.checks if c.status in FAILING]

    @property
    def required_workers(self) -> float | None:
        return next((c.required for c in self.checks if c.key == STAFFING_KEY), None)

    def as_dict(self) -> dict[str, Any]:
        profile = self.profile
        return {
            "community": {
                "id": self.community.pk,
                "name": self.community.name,
                "is_new_community": self.community.is_new_community,
                "area_class": self.community.area_class,
            },
            "state": self.state,
            "profile": None
            if profile is None
            else {
                "name": profile.name,
                "title": profile.title,
                "source": profile.source,
                "set_at": self.set_at.pk if self.set_at else None,
                "errors": [issue.message for issue in profile.errors],
            },
            "households": self.households,
            "resident_households": self.resident_households,
            "grids_counted_in_full": self.grids_counted_in_full,
            "workers": self.workers,
            "part_time_workers": self.part_time_workers,
            "checks": [
                {
                    "key": c.key,
                    "status": c.status,
                    "status_label": str(c.status_label),
                    "actual": c.actual,
                    "required": c.required,
                    "citation": c.citation,
                    "due": c.due.isoformat() if c.due else None,
                    **({"over": c.over, "total": c.total} if c.key.startswith("grid.") else {}),
                    **({"missing": c.missing} if c.key in (ROOMS_KEY, PARTY_GRID_KEY) else {}),
                }
                for c in self.checks
            ],
            "grids": [
                {
                    "id": row.grid.pk,
                    "name": row.grid.name,
                    "households": row.households,
                    "resident_households": row.resident_households,
                    "households_status": row.households_status,
                    "people": row.people,
                    "people_status": row.people_status,
                    "party_org": row.party_org,
                }
                for row in self.grids
            ],
            "rooms": [
                {
                    "id": room.pk,
                    "function": room.function,
                    "name": room.name,
                    "area_m2": room.area_m2,
                }
                for room in self.rooms
            ],
        }


GRID_HOUSEHOLDS_KEY = "grid.households"
GRID_PEOPLE_KEY = "grid.people"
TOLERANCE_KEY = "grid.tolerance_percent"
STAFFING_KEY = "staffing.households_per_worker"
MIN_WORKERS_KEY = "staffing.min_workers"
MAX_WORKERS_KEY = "staffing.max_workers"
FULL_TIME_KEY = "staffing.full_time_workers"
PREMISES_KEY = "premises.service_centre_min_m2"
PREMISES_NEW_KEY = "premises.new_community_min_m2"
HALL_KEY = "premises.service_hall_min_m2"
ELDERLY_KEY = "premises.elderly_care_min_m2"
CHILDCARE_KEY = "premises.childcare_min_m2"
# 1: a party group on every grid (seed 001 §1 把党小组建在网格上); a branch on the grid also
# covers it. The same rule as the party gap list (party.selectors.gap_places).
PARTY_GRID_KEY = "party.group_per_grid"
# The function rooms seed 001 §9 names beside its service hall, checked where the profile sets
# `premises.named_rooms_required` to 1 (reported under the check key "premises.rooms").
ROOMS_KEY = "premises.rooms"
NAMED_ROOMS_KEY = "premises.named_rooms_required"
NAMED_ROOMS = (
    RoomFunction.PARTY_MASS,
    RoomFunction.MEDIATION,
    RoomFunction.POLICE,
    RoomFunction.FAMILY_PLANNING,
    RoomFunction.CHARITY_SUPERMARKET,
    RoomFunction.OFFICE,
)


# --------------------------------------------------------------------------- reads for a user


def visible_communities(user: Viewer) -> QuerySet[Place]:
    """Communities whose compliance the user may see; 403 for a user who may see none."""
    if not access.has_any(user, Action.COMPLIANCE_VIEW):
        raise PermissionDenied
    return (
        selectors.visible_places(user, Action.COMPLIANCE_VIEW)
        .filter(kind=PlaceKind.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )


def get_community(user: Viewer, pk: int) -> Place:
    """A community for its compliance page: 404 when the user cannot see it (or it is not a
    community), 403 when they see it but may not view its compliance."""
    place = selectors.get_place(user, pk)
    if place.kind != PlaceKind.COMMUNITY:
        raise Http404
    if not access.can(user, Action.COMPLIANCE_VIEW, place.path):
        raise PermissionDenied
    return place


# --------------------------------------------------------------------------- the checks


def _limit(profile: profiles.Profile | None, key: str) -> float | None:
    """The profile's own value for `key`; None when it does not set it (no borrowed rule)."""
    if profile is None or not profile.ok:
        return None
    if not profile.is_set(key):
        return None
    return profile.get(key)


def _size_status(count: int | None, limit: float | None) -> str:
    if limit is None:
        return Status.NOT_SET
    if count is None:
        return Status.NOT_RECORDED
    return Status.SHORT if count > limit else Status.OK


def _grid_check(
    key: str, profile: profiles.Profile, rows: list[GridRow], attr: str, limit: float | None
) -> Check:
    statuses = [getattr(row, attr) for row in rows]
    over = statuses.count(Status.SHORT)
    if limit is None:
        status = Status.NOT_SET
    elif over:
        status = Status.SHORT
    elif rows and all(s == Status.NOT_RECORDED for s in statuses):
        status = Status.NOT_RECORDED
    else:
        status = Status.OK
    schema = profiles.SCHEMA[key]
    return Check(
        key=key,
        label=schema.label,
        status=status,
        required=_limit(profile, key),
        unit=schema.unit,
        citation=profile.citations.get(key, "") if profile else "",
        over=over,
        total=len(rows),
    )


def _target(
    profile: profiles.Profile | None,
    key: str,
    actual: int | Decimal | None,
    required: float | None,
    *,
    met: Callable[[int | Decimal], bool],
    unit: StrOrPromise = "",
    label: StrOrPromise | None = None,
    due_key: str | None = None,
) -> Check:
    """A check of `actual` against the profile's `required` value of `key`: not set when the
    profile does not set it, not recorded when `actual` is None, else met / short / overdue
    (`profiles.target_state`: a shortfall past the key's due date is overdue)."""
    schema = profiles.SCHEMA.get(key)
    check = Check(
        key=key,
        label=label or (schema.label if schema else key),
        status=Status.NOT_SET,
        actual=actual,
        required=required,
        unit=unit or (schema.unit if schema else ""),
        citation=profile.citations.get(due_key or key, "") if profile else "",
    )
    if required is None:
        return check
    if actual is None:
        check.status = Status.NOT_RECORDED
        return check
    state = profiles.target_state(profile, due_key or key, bool(met(actual)), clock.today())
    check.due = state.due
    check.status = {
        "met": Status.OK,
        "short": Status.SHORT,
        "overdue": Status.OVERDUE,
    }.get(state.code, Status.NOT_SET)
    return check


def _at_least(required: float) -> Callable[[int | Decimal], bool]:
    return lambda actual: Decimal(str(actual)) >= Decimal(str(required))


def _staffing_checks(
    profile: profiles.Profile, resident_households: int | None, workers: int, in_full: int = 0
) -> list[Check]:
    ratio = _limit(profile, STAFFING_KEY)
    required = None
    if ratio and resident_households is not None:
        required = math.ceil(resident_households / ratio)
    staffing = _target(
        profile,
        STAFFING_KEY,
        workers if resident_households is not None else None,
        required if ratio else None,
        met=_at_least(required or 0),
        unit=_("workers"),
    )
    if ratio and resident_households is None:
        staffing.status = Status.NOT_RECORDED
        staffing.actual = workers
    if ratio and in_full:
        staffing.note = ngettext(
            "counted all households where no residents are registered (%(n)s grid)",
            "counted all households where no residents are registered (%(n)s grids)",
            in_full,
        ) % {"n": in_full}
    minimum = _limit(profile, MIN_WORKERS_KEY)
    maximum = _limit(profile, MAX_WORKERS_KEY)
    least = _target(profile, MIN_WORKERS_KEY, workers, minimum, met=_at_least(minimum or 0))
    most = _target(
        profile, MAX_WORKERS_KEY, workers, maximum, met=lambda n: maximum is None or n <= maximum
    )
    if most.status in FAILING:
        most.status = Status.OVER  # too many is not "short"
    full_time = _limit(profile, FULL_TIME_KEY)
    head_count = _target(profile, FULL_TIME_KEY, workers, full_time, met=_at_least(full_time or 0))
    return [staffing, least, most, head_count]


def _premises_checks(community: Place, profile: profiles.Profile, rooms: list[Room]) -> list[Check]:
    # 001 §8: a newly built urban community has its own, higher minimum where the profile
    # sets one; otherwise (and in every other community) the general minimum applies.
    key = PREMISES_KEY
    if community.is_new_community and _limit(profile, PREMISES_NEW_KEY) is not None:
        key = PREMISES_NEW_KEY
    minimum = _limit(profile, key)
    premises = _target(
        profile, key, community.service_area_m2, minimum, met=_at_least(minimum or 0)
    )
    if key == PREMISES_NEW_KEY:
        premises.note = _("newly built community")

    recorded = bool(rooms)
    by_function: dict[str, list[Room]] = {}
    for room in rooms:
        by_function.setdefault(room.function, []).append(room)

    def total(function: str) -> Decimal | None:
        if not recorded:
            return None
        return sum((r.area_m2 for r in by_function.get(function, [])), Decimal(0))

    hall_min = _limit(profile, HALL_KEY)
    halls = by_function.get(RoomFunction.SERVICE_HALL, [])
    hall_area = max((r.area_m2 for r in halls), default=Decimal(0)) if recorded else None
    hall = _target(profile, HALL_KEY, hall_area, hall_min, met=_at_least(hall_min or 0))

    rooms_required = bool(_limit(profile, NAMED_ROOMS_KEY))
    missing = [str(RoomFunction(f).label) for f in NAMED_ROOMS if f not in by_function]
    named = _target(
        profile,
        NAMED_ROOMS_KEY,
        (len(NAMED_ROOMS) - len(missing)) if recorded else None,
        len(NAMED_ROOMS) if rooms_required else None,
        met=lambda n: not missing,
        unit=_("room(s)"),
        label=_(
            "Function rooms (party-mass activities, mediation, police, family planning, "
            "charity supermarket, office)"
        ),
    )
    named.key = ROOMS_KEY
    named.missing = missing if recorded and rooms_required else []

    elderly_min = _limit(profile, ELDERLY_KEY)
    elderly = _target(
        profile,
        ELDERLY_KEY,
        total(RoomFunction.ELDERLY_CARE),
        elderly_min,
        met=_at_least(elderly_min or 0),
    )
    childcare_min = _limit(profile, CHILDCARE_KEY)
    childcare = _target(
        profile,
        CHILDCARE_KEY,
        total(RoomFunction.CHILDCARE),
        childcare_min,
        met=_at_least(childcare_min or 0),
    )
    return [premises, hall, named, elderly, childcare]


def _party_check(profile: profiles.Profile, rows: list[GridRow], known: bool) -> Check:
    wanted = _limit(profile, PARTY_GRID_KEY) == 1
    check = Check(
        key=PARTY_GRID_KEY,
        label=profiles.SCHEMA[PARTY_GRID_KEY].label,
        status=Status.NOT_SET,
        unit=_("grids"),
        citation=profile.citations.get(PARTY_GRID_KEY, "") if profile else "",
        total=len(rows),
    )
    if not wanted:
        return check
    check.required = len(rows)
    if not known:
        check.status = Status.NOT_RECORDED
        return check
    missing = [row.grid.name for row in rows if row.party_org is None]
    check.actual = len(rows) - len(missing)
    check.missing = missing
    check.over = len(missing)
    state = profiles.target_state(profile, PARTY_GRID_KEY, not missing, clock.today())
    check.due = state.due
    check.status = {"met": Status.OK, "overdue": Status.OVERDUE}.get(state.code, Status.SHORT)
    return check


def _build(
    community: Place,
    setter: Place | None,
    profile: profiles.Profile | None,
    grids: list[selectors.CountedPlace],
    people: dict[int, int],
    resident: dict[int, int] | None,
    workers: int,
    part_time: int,
    rooms: list[Room],
    party: dict[int, str] | None,
) -> Report:
    tolerance = profile.get(TOLERANCE_KEY) if profile and profile.ok else None
    factor = 1 + (tolerance or 0) / 100
    grid_size = _limit(profile, GRID_HOUSEHOLDS_KEY)
    people_size = _limit(profile, GRID_PEOPLE_KEY)
    grid_limit = grid_size * factor if grid_size is not None else None
    people_limit = people_size * factor if people_size is not None else None
    rows = [
        GridRow(
            grid=grid,
            households=grid.household_count,
            people=people.get(grid.pk),
            households_status=_size_status(grid.household_count, grid_limit),
            people_status=_size_status(people.get(grid.pk), people_limit),
            resident_households=None if resident is None else resident.get(grid.pk),
            party_org=None if party is None else party.get(grid.pk),
        )
        for grid in grids
    ]
    households = sum(row.households for row in rows)
    resident_households, unregistered = _resident_households(rows)
    report = Report(
        community=community,
        profile=profile,
        set_at=setter,
        households=households,
        workers=workers,
        grids=rows,
        grid_limit=grid_limit,
        people_limit=people_limit,
        resident_households=resident_households,
        part_time_workers=part_time,
        rooms=rooms,
        grids_counted_in_full=unregistered,
    )
    if profile is None or not profile.ok:
        return report  # nothing is compared against a missing or broken profile

    report.checks = [
        _grid_check(GRID_HOUSEHOLDS_KEY, profile, rows, "households_status", grid_limit),
        _grid_check(GRID_PEOPLE_KEY, profile, rows, "people_status", people_limit),
        *_staffing_checks(profile, resident_households, workers, unregistered),
        *_premises_checks(community, profile, rooms),
        _party_check(profile, rows, party is not None),
    ]
    return report


def _resident_households(rows: list[GridRow]) -> tuple[int | None, int]:
    """Resident households for the staffing ratio, and how many grids were counted in full.

    A grid whose registry has no resident yet cannot say how many of its households are
    resident: all its households are counted (the ratio can only ask for more workers, never
    pass on a registry half filled in). None when no grid has anyone in the registry."""
    known = [row.resident_households for row in rows if row.resident_households is not None]
    if not known:
        return None, 0
    unregistered = [row for row in rows if row.resident_households is None and row.households]
    return sum(known) + sum(row.households for row in unregistered), len(unregistered)


def _community_path(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/"


def reports_for(
    communities: Iterable[Place],
    people_provider: PeopleProvider | None = None,
    households_provider: PeopleProvider | None = None,
) -> list[Report]:
    """Compliance reports for communities, in their order. Four queries whatever their number
    and the number of their grids (profile setters, grids, staff posts with their terms, rooms;
    plus whatever the three providers run, once each: people, resident households, party
    organisations on grids).

    Staff: active posts of community secretary, community worker and grid worker at the
    community or below, held by an active user, **full-time** only (`PostTerms`; a post without
    terms is full-time). Households for the staffing ratio: resident (常住) households, counted
    by the households provider (`people.compliance.resident_households_per_grid`)."""
    communities = list(communities)
    if not communities:
        return []
    setters = profiles.profile_setters(communities)
    grids = list(
        selectors.with_household_counts(
            Place.objects.filter(parent__in=communities, kind=PlaceKind.GRID)
        ).order_by("parent_id", "code")
    )
    plain = cast("list[Place]", grids)  # the providers read plain places
    provider = people_provider or _people_provider
    people = provider(plain) if provider and grids else {}
    counter = households_provider or _households_provider
    resident = (counter(plain) if grids else {}) if counter else None
    under_any = Q(pk__in=[])
    for community in communities:
        under_any |= Q(place__path__under=community.path)
    full: Counter[str] = Counter()
    part: Counter[str] = Counter()
    for path, full_time in Post.objects.filter(
        under_any, role__in=selectors.COMMUNITY_STAFF_ROLES, is_active=True, user__is_active=True
    ).values_list("place__path", "terms__full_time"):
        (part if full_time is False else full)[_community_path(path)] += 1
    party = (_party_provider(plain) if grids else {}) if _party_provider else None
    rooms: dict[int, list[Room]] = {}
    for room in Room.objects.filter(place__in=communities).order_by("function", "name", "id"):
        rooms.setdefault(room.place_id, []).append(room)
    loaded = {
        name: profiles.current(name) for name in {s.policy_profile for s in setters.values() if s}
    }
    profile_of = {pk: loaded[s.policy_profile] for pk, s in setters.items() if s is not None}
    by_community: dict[int, list[selectors.CountedPlace]] = {}
    for grid in grids:
        if grid.parent_id is not None:  # a grid always has its community
            by_community.setdefault(grid.parent_id, []).append(grid)
    return [
        _build(
            community,
            setters.get(community.pk),
            profile_of.get(community.pk),
            by_community.get(community.pk, []),
            people,
            resident,
            full.get(community.path, 0),
            part.get(community.path, 0),
            rooms.get(community.pk, []),
            party,
        )
        for community in communities
    ]


def community_report(
    community: Place,
    people_provider: PeopleProvider | None = None,
    households_provider: PeopleProvider | None = None,
) -> Report:
    return reports_for([community], people_provider, households_provider)[0]
