"""People and resident households per grid for the compliance check
(`places.compliance.set_people_provider`, `set_households_provider`).

People: the residents who live in each grid (active records, by the building path they carry).
A grid with households but no resident in the registry yet is left out of the answer, so the
compliance page shows it as "not yet recorded" rather than as an empty grid (and the staffing
ratio counts all its households, `places.compliance._resident_households`).

Resident households (常住户, seed 001 §6 每200户常住人口配1名工作人员): the registry has no
occupancy flag on a household, so a household counts as resident when at least one resident
record in it is active (`is_active`, "lives here") with a residence status of registered
(户籍在此) or resident (户籍在外、常住); households whose only people are floating population
(流动人口), or whose people have all moved out, do not count. Installed when this module is
imported (the people app imports it when it loads).
"""

from __future__ import annotations

from django.db.models import Count, Q

from gongzhi.people.models import ResidenceStatus, Resident
from gongzhi.places import compliance
from gongzhi.places.grids import grid_of, under_communities
from gongzhi.places.models import Place

RESIDENT_STATUSES = (ResidenceStatus.REGISTERED, ResidenceStatus.RESIDENT)


def resident_households_per_grid(grids: list[Place]) -> dict[int, int]:
    """{grid id: resident (常住) households in it}, in one query whatever the number of grids.
    A grid with no resident record at all is left out (the compliance page shows "not yet
    recorded"); a grid whose records are all floating or moved out counts 0."""
    by_path, under_any = under_communities(grids)
    living = Q(is_active=True, residence_status__in=RESIDENT_STATUSES)
    rows = (
        Resident.objects.filter(under_any, household__isnull=False)
        .values("place_path")
        .annotate(n=Count("household_id", distinct=True, filter=living))
        .order_by()
    )
    counts: dict[int, int] = {}
    for row in rows:
        grid_id = grid_of(row["place_path"], by_path)
        if grid_id is not None:
            counts[grid_id] = counts.get(grid_id, 0) + row["n"]
    return counts


def people_per_grid(grids: list[Place]) -> dict[int, int]:
    """{grid id: residents living in it}, in one query whatever the number of grids."""
    by_path, under_any = under_communities(grids)
    counts: dict[int, int] = {}
    rows = (
        Resident.objects.filter(under_any, is_active=True)
        .values("place_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        grid_id = grid_of(row["place_path"], by_path)
        if grid_id is not None:
            counts[grid_id] = counts.get(grid_id, 0) + row["n"]
    return counts


compliance.set_households_provider(resident_households_per_grid)
