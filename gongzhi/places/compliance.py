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

import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from gongzhi.core import access, profiles
from gongzhi.core.models import Post
from gongzhi.core.roles import Action, Role
from gongzhi.places import selectors
from gongzhi.places.models import Place, PlaceKind

# Posts counted as community staff for the staffing ratio.
STAFF_ROLES = (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.GRID_WORKER)

PeopleProvider = Callable[[list[Place]], dict[int, int]]
_people_provider: PeopleProvider | None = None


def people_provider() -> PeopleProvider | None:
    return _people_provider


def set_people_provider(provider: PeopleProvider | None) -> None:
    """Install the function that counts people per grid: grids → {grid id: people}.
    Grids missing from its answer count as "not yet recorded"."""
    global _people_provider
    _people_provider = provider


class Status(models.TextChoices):
    OK = "ok", _("OK")
    SHORT = "short", _("Short of the profile")
    NOT_SET = "not_set", _("Not set by this profile")
    NOT_RECORDED = "not_recorded", _("Not yet recorded")


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
    label: str
    status: str
    actual: int | Decimal | None = None
    required: float | None = None
    unit: str = ""
    citation: str = ""
    over: int = 0  # grid checks: grids over the size
    total: int = 0  # grid checks: grids compared

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class GridRow:
    grid: Place
    households: int
    people: int | None
    households_status: str
    people_status: str

    @property
    def households_status_label(self) -> str:
        return Status(self.households_status).label

    @property
    def people_status_label(self) -> str:
        return Status(self.people_status).label


@dataclass
class Report:
    community: Place
    profile: profiles.Profile | None
    set_at: Place | None
    households: int
    workers: int
    grids: list[GridRow] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    grid_limit: float | None = None  # households above which a grid is flagged
    people_limit: float | None = None

    @property
    def state(self) -> str:
        if self.profile is None:
            return State.NO_PROFILE
        if not self.profile.ok:
            return State.ERROR
        if any(c.status == Status.SHORT for c in self.checks):
            return State.SHORT
        if all(c.status == Status.NOT_SET for c in self.checks):
            return State.NOT_SET
        if any(c.status == Status.NOT_RECORDED for c in self.checks):
            return State.INCOMPLETE
        return State.OK

    @property
    def state_label(self) -> str:
        return State(self.state).label

    @property
    def short_checks(self) -> list[Check]:
        return [c for c in self.checks if c.status == Status.SHORT]

    @property
    def required_workers(self) -> int | None:
        return next((c.required for c in self.checks if c.key == STAFFING_KEY), None)

    def as_dict(self) -> dict:
        profile = self.profile
        return {
            "community": {"id": self.community.pk, "name": self.community.name},
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
            "workers": self.workers,
            "checks": [
                {
                    "key": c.key,
                    "status": c.status,
                    "actual": c.actual,
                    "required": c.required,
                    "citation": c.citation,
                    **({"over": c.over, "total": c.total} if c.key.startswith("grid.") else {}),
                }
                for c in self.checks
            ],
            "grids": [
                {
                    "id": row.grid.pk,
                    "name": row.grid.name,
                    "households": row.households,
                    "households_status": row.households_status,
                    "people": row.people,
                    "people_status": row.people_status,
                }
                for row in self.grids
            ],
        }


GRID_HOUSEHOLDS_KEY = "grid.households"
GRID_PEOPLE_KEY = "grid.people"
TOLERANCE_KEY = "grid.tolerance_percent"
STAFFING_KEY = "staffing.households_per_worker"
PREMISES_KEY = "premises.service_centre_min_m2"


# --------------------------------------------------------------------------- reads for a user


def visible_communities(user) -> QuerySet[Place]:
    """Communities whose compliance the user may see; 403 for a user who may see none."""
    if not access.has_any(user, Action.COMPLIANCE_VIEW):
        raise PermissionDenied
    return (
        selectors.visible_places(user, Action.COMPLIANCE_VIEW)
        .filter(kind=PlaceKind.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )


def get_community(user, pk: int) -> Place:
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
    if profile is None or not profile.ok or not profile.is_set(key):
        return None
    return profile.get(key)


def _size_status(count: int | None, limit: float | None) -> str:
    if limit is None:
        return Status.NOT_SET
    if count is None:
        return Status.NOT_RECORDED
    return Status.SHORT if count > limit else Status.OK


def _grid_check(key: str, profile, rows: list[GridRow], attr: str, limit) -> Check:
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


def _build(community, setter, profile, grids, people, workers) -> Report:
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
        )
        for grid in grids
    ]
    households = sum(row.households for row in rows)
    report = Report(
        community=community,
        profile=profile,
        set_at=setter,
        households=households,
        workers=workers,
        grids=rows,
        grid_limit=grid_limit,
        people_limit=people_limit,
    )
    if profile is None or not profile.ok:
        return report  # nothing is compared against a missing or broken profile

    cite = profile.citations.get
    ratio = _limit(profile, STAFFING_KEY)
    required = math.ceil(households / ratio) if ratio else None
    staffing = Check(
        key=STAFFING_KEY,
        label=profiles.SCHEMA[STAFFING_KEY].label,
        status=Status.NOT_SET
        if required is None
        else (Status.OK if workers >= required else Status.SHORT),
        actual=workers,
        required=required,
        unit=_("workers"),
        citation=cite(STAFFING_KEY, ""),
    )
    minimum = _limit(profile, PREMISES_KEY)
    area = community.service_area_m2
    if minimum is None:
        premises_status = Status.NOT_SET
    elif area is None:
        premises_status = Status.NOT_RECORDED
    else:
        premises_status = Status.OK if area >= Decimal(str(minimum)) else Status.SHORT
    premises = Check(
        key=PREMISES_KEY,
        label=profiles.SCHEMA[PREMISES_KEY].label,
        status=premises_status,
        actual=area,
        required=minimum,
        unit="m²",
        citation=cite(PREMISES_KEY, ""),
    )
    report.checks = [
        _grid_check(GRID_HOUSEHOLDS_KEY, profile, rows, "households_status", grid_limit),
        _grid_check(GRID_PEOPLE_KEY, profile, rows, "people_status", people_limit),
        staffing,
        premises,
    ]
    return report


def _community_path(path: str) -> str:
    parts = path.strip("/").split("/")
    return "/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/"


def reports_for(
    communities: Iterable[Place], people_provider: PeopleProvider | None = None
) -> list[Report]:
    """Compliance reports for communities, in their order. Four queries whatever their number
    and the number of their grids (plus whatever the people provider runs, once)."""
    communities = list(communities)
    if not communities:
        return []
    setters = profiles.profile_setters(communities)
    grids = list(
        selectors.with_household_counts(
            Place.objects.filter(parent__in=communities, kind=PlaceKind.GRID)
        ).order_by("parent_id", "code")
    )
    provider = people_provider or _people_provider
    people = provider(grids) if provider and grids else {}
    under_any = Q(pk__in=[])
    for community in communities:
        under_any |= Q(place__path__under=community.path)
    staff = Counter(
        _community_path(path)
        for path in Post.objects.filter(
            under_any, role__in=STAFF_ROLES, is_active=True, user__is_active=True
        ).values_list("place__path", flat=True)
    )
    loaded = {
        name: profiles.get(name) for name in {s.policy_profile for s in setters.values() if s}
    }
    by_community: dict[int, list[Place]] = {}
    for grid in grids:
        by_community.setdefault(grid.parent_id, []).append(grid)
    return [
        _build(
            community,
            setters.get(community.pk),
            loaded[setters[community.pk].policy_profile] if setters.get(community.pk) else None,
            by_community.get(community.pk, []),
            people,
            staff.get(community.path, 0),
        )
        for community in communities
    ]


def community_report(community: Place, people_provider: PeopleProvider | None = None) -> Report:
    return reports_for([community], people_provider)[0]
