"""Demo data: a realistic street for `make demo`, a whole district for benchmarks.

`build("small")` makes one street of 娄星区 (娄底, Hunan): 5 communities × 8 grids, 150
buildings, 10,000 households, grid workers and community staff, and one demo login per role.
The district uses the policy profile `loudi` (profiles/loudi.yaml, seed document 001), the one
profile that sets every number the compliance page checks, and the small street is sized so that
the page shows gaps next to passes: some grids above 240 households (200 + 20 % tolerance), some
communities under 400 m² of premises, one newly built community (新建城市社区) checked against the
600 m² of 001 §8 and short of it, rooms recorded for four communities out of five (one without a
mediation room and with too small a service hall, 001 §9), and part-time grid workers (兼职网格员,
not counted towards staffing) in every community — most in one, which is short of full-time staff.
Every community is in the central city (娄星区 is Loudi's central district).
`build("district")` makes the size in DESIGN.md: 10 streets × 10 communities × 20 grids,
5,000 buildings, 350,000 households.

Codes are the identity: a place is found by its path, a household by (building, unit, room),
a user by username (residents by phone), a post by (user, role, place, household). What exists
is left alone, so a second run changes nothing. The work is streamed community by community;
households go out in bulk batches and never pile up in memory.

This is seed data, not a user's action: it writes in bulk, outside the services, and leaves
one audit record per run that created anything.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS

from gongzhi.demo.places.builder import _Builder
from gongzhi.demo.places.geometry import Box
from gongzhi.demo.places.names import (
    AREAS_M2,
    COMMUNITY_SUFFIXES,
    COMMUNITY_WORDS,
    ESTATE_STEMS,
    ESTATE_SUFFIXES,
    GIVEN_NAMES,
    NEW_COMMUNITY_SEQ,
    PART_TIME_FROM_GRID,
    ROADS,
    ROOMS_BY_SEQ,
    SERVICE_AREAS,
    STREET_NAMES,
    SURNAMES,
    cn_number,
    community_name,
    estate_name,
    person_name,
    street_name,
)
from gongzhi.demo.places.results import DEMO_LOGINS, BuildResult, Login, PeopleSummary
from gongzhi.demo.places.scales import (
    BATCH_SIZE,
    CITY_DISTRICT,
    DEMO_PASSWORD,
    DISTRICT,
    DISTRICT_ADDRESS,
    DISTRICT_CODE,
    DISTRICT_NAME,
    DISTRICT_PROFILE,
    ORIGIN,
    RESIDENT_PHONE,
    SCALES,
    SMALL,
    STREET_SIZE,
    Scale,
)

# The parts: scales (constants, the two scales), names (and the premises cycled through),
# geometry, results (and the demo logins) and the builder (helpers, tree, premises, households,
# staff).

# Feature demos run after the people, in this order. Each module has
# `build(scale: Scale, *, using: str, progress) -> str`: idempotent (a second run adds nothing),
# and returns one line saying what exists (e.g. "1,234 tickets").
FEATURE_DEMOS = (
    "gongzhi.demo.party",
    "gongzhi.demo.tickets",
    "gongzhi.demo.ticket_ledger",
    "gongzhi.demo.volunteering",
    "gongzhi.demo.merchants",
    "gongzhi.demo.partners",
    "gongzhi.demo.deliberation",
    "gongzhi.demo.owners",
    "gongzhi.demo.estates",
    "gongzhi.demo.mediation",
    "gongzhi.demo.workforce",
    "gongzhi.demo.care",
    "gongzhi.demo.partylife",
    "gongzhi.demo.microprojects",
    "gongzhi.demo.organisations",
    "gongzhi.demo.funds",
    "gongzhi.demo.keytasks",
    "gongzhi.demo.evaluation",
    "gongzhi.demo.selections",
    "gongzhi.demo.privacy",
)


def _build_features(
    scale: Scale, using: str, progress: Callable[[str], None] | None
) -> dict[str, str]:
    import importlib  # the feature apps import places: load them only when building

    return {
        name: importlib.import_module(name).build(scale, using=using, progress=progress)
        for name in FEATURE_DEMOS
    }


def build(
    scale: str | Scale = "small",
    *,
    batch_size: int = BATCH_SIZE,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] | None = None,
    people: bool = False,
    features: bool = True,
) -> BuildResult:
    """Build (or complete) the demo data; idempotent. Returns what was created.
    With `people`, also the residents and the party organisation (gongzhi.demo.people), and
    then, with `features` (the default), every app's demo (FEATURE_DEMOS)."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    result = _Builder(scale, batch_size, using, progress).run()
    if people:
        from gongzhi.demo import people as people_demo

        result.people = people_demo.build(
            scale, batch_size=batch_size, using=using, progress=progress
        )
        if features:
            result.features = _build_features(scale, using, progress)
    return result


__all__ = [
    "AREAS_M2",
    "BATCH_SIZE",
    "Box",
    "BuildResult",
    "CITY_DISTRICT",
    "COMMUNITY_SUFFIXES",
    "COMMUNITY_WORDS",
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DISTRICT",
    "DISTRICT_ADDRESS",
    "DISTRICT_CODE",
    "DISTRICT_NAME",
    "DISTRICT_PROFILE",
    "ESTATE_STEMS",
    "ESTATE_SUFFIXES",
    "FEATURE_DEMOS",
    "GIVEN_NAMES",
    "Login",
    "NEW_COMMUNITY_SEQ",
    "ORIGIN",
    "PART_TIME_FROM_GRID",
    "PeopleSummary",
    "RESIDENT_PHONE",
    "ROADS",
    "ROOMS_BY_SEQ",
    "SCALES",
    "SERVICE_AREAS",
    "SMALL",
    "STREET_NAMES",
    "STREET_SIZE",
    "SURNAMES",
    "Scale",
    "build",
    "cn_number",
    "community_name",
    "estate_name",
    "person_name",
    "street_name",
]
