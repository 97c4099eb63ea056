"""Early warning (issue 18 item 3; seed 003 §三(三)2: 把矛盾纠纷化解在基层、化解在萌芽状态): what
a committee's warning board shows.

- **Repeat disputes between the same households**: two households that are both involved in at
  least `mediation.warning_repeat_households` cases opened within the last
  `mediation.warning_window_days` days. A case involves the household it concerns and the
  households of its parties who are residents of the registry.
- **Repeat disputes in one building**: at least `mediation.warning_repeat_building` cases opened
  within the window about households (the household concerned) of the same building.
- **High-risk cases**: cases of risk level "high" that are not closed.
- **Risk of escalation (群体性)**: cases flagged to the street (`services.flag_escalation`),
  not closed.

The three numbers are policy-profile keys with platform defaults (the seeds set none); the board
says where each came from. Only cases the viewer may read count (selectors.readable_cases): the
board is the committee's staff's and the case's mediators' page, never a grid worker's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations

from django.db.models import QuerySet

from gongzhi.core import clock, profiles
from gongzhi.core.types import Viewer
from gongzhi.mediation import selectors
from gongzhi.mediation.models import Case, Committee, Party, Risk, State
from gongzhi.places.models import Household, Place

WINDOW_KEY = "mediation.warning_window_days"
HOUSEHOLDS_KEY = "mediation.warning_repeat_households"
BUILDING_KEY = "mediation.warning_repeat_building"
OPEN = (State.OPENED, State.MEDIATING, State.AGREED, State.NO_AGREEMENT, State.FOLLOW_UP)


@dataclass(frozen=True)
class Setting:
    value: int
    from_profile: bool  # False: the platform default


def setting(place: Place, key: str) -> Setting:
    """The number the place's policy profile sets for `key`, or the platform default."""
    profile = profiles.effective_profile(place)
    if profile is not None and profile.ok and key in profile.values:
        return Setting(int(profile.values[key]), True)
    default = profiles.SCHEMA[key].default
    return Setting(int(default or 0), False)


@dataclass
class Repeat:
    """A pair of households or a building with the cases that make it a repeat."""

    label: str
    cases: list[Case] = field(default_factory=list)


@dataclass
class Board:
    committee: Committee
    window: Setting
    households_threshold: Setting
    building_threshold: Setting
    since: dt.datetime
    escalation: list[Case]
    high_risk: list[Case]
    households: list[Repeat]
    buildings: list[Repeat]

    @property
    def count(self) -> int:
        return (
            len(self.escalation) + len(self.high_risk) + len(self.households) + len(self.buildings)
        )


def _home(h: Household) -> str:
    building = h.building.name if h.building_id else ""
    unit = f"{h.unit_no}-" if h.unit_no else ""
    return f"{building} {unit}{h.room_no}".strip()


def board(user: Viewer, committee: Committee) -> Board:
    """The warning board of `committee`: its cases and those of the committees below it that
    the viewer may read. A fixed number of queries whatever the number of cases."""
    place = committee.place
    window = setting(place, WINDOW_KEY)
    pair_min = setting(place, HOUSEHOLDS_KEY)
    building_min = setting(place, BUILDING_KEY)
    since = clock.now() - dt.timedelta(days=window.value)
    mine: QuerySet[Case] = selectors.readable_cases(user).filter(
        place_path__under=committee.place_path
    )
    current = list(
        mine.filter(state__in=OPEN)
        .filter(risk=Risk.HIGH)
        .select_related("committee")
        .order_by("-opened_at", "-id")
    )
    escalation = list(
        mine.filter(escalation_risk=True)
        .exclude(state=State.CLOSED)
        .select_related("committee")
        .order_by("-escalation_flagged_at", "-id")
    )
    recent = {
        c.pk: c
        for c in mine.filter(opened_at__gte=since)
        .select_related("committee", "household__building")
        .order_by("opened_at", "id")
    }
    involved: dict[int, set[int]] = defaultdict(set)
    homes: dict[int, Household] = {}
    for c in recent.values():
        if c.household is not None:
            involved[c.pk].add(c.household.pk)
            homes[c.household.pk] = c.household
    for party in Party.objects.filter(
        case_id__in=list(recent), resident__household__isnull=False
    ).select_related("resident__household__building"):
        home = party.resident.household if party.resident is not None else None
        if home is None:
            continue
        involved[party.case_id].add(home.pk)
        homes[home.pk] = home
    pairs: dict[tuple[int, int], list[Case]] = defaultdict(list)
    for pk, households in involved.items():
        for a, b in combinations(sorted(households), 2):
            pairs[(a, b)].append(recent[pk])
    buildings: dict[int, list[Case]] = defaultdict(list)
    names: dict[int, str] = {}
    for c in recent.values():
        if c.household is not None and c.household.building_id:
            buildings[c.household.building_id].append(c)
            names[c.household.building_id] = c.household.building.name
    return Board(
        committee=committee,
        window=window,
        households_threshold=pair_min,
        building_threshold=building_min,
        since=since,
        escalation=escalation,
        high_risk=current,
        households=[
            Repeat(f"{_home(homes[a])} · {_home(homes[b])}", cases)
            for (a, b), cases in sorted(pairs.items())
            if len(cases) >= pair_min.value
        ],
        buildings=[
            Repeat(names[pk], cases)
            for pk, cases in sorted(buildings.items(), key=lambda item: names[item[0]])
            if len(cases) >= building_min.value
        ],
    )
