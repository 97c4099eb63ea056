"""People and resident households per grid for the compliance check
(`places.compliance.set_people_provider`, `set_households_provider`).

People: the residents who live in each grid (active records, by the building path they carry).
A grid with households but no resident in the registry yet is left out of the answer, so the
compliance page shows it as "not yet recorded" rather than as an empty grid.

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
from gongzhi.places.models import Place

RESIDENT_STATUSES = (ResidenceStatus.REGISTERED, ResidenceStatus.RESIDENT)


def _under_parents(grids: list[Place]) -> tuple[dict[str, int], Q]:
    by_path = {grid.path: grid.pk for grid in grids}
    parents = {path.rstrip("/").rsplit("/", 1)[0] + "/" for path in by_path}
    under_any = Q(pk__in=[])
    for parent in parents:
        under_any |= Q(place_path__under=parent)
    return by_path, under_any


def resident_households_per_grid(grids: list[Place]) -> dict[int, int]:
    """{grid id: resident (常住) households in it}, in one query whatever the number of grids.
    A grid with no resident record at all is left out (the compliance page shows "not yet
    recorded"); a grid whose records are all floating or moved out counts 0."""
    by_path, under_any = _under_parents(grids)
    living = Q(is_active=True, residence_status__in=RESIDENT_STATUSES)
    rows = (
        Resident.objects.filter(under_any, household__isnull=False)
        .values("place_path")
        .annotate(n=Count("household_id", distinct=True, filter=living))
        .order_by()
    )
    counts: dict[int, int] = {}
    for row in rows:
        grid_id = _grid_of(row["place_path"], by_path)
        if grid_id is not None:
            counts[grid_id] = counts.get(grid_id, 0) + row["n"]
    return counts


def people_per_grid(grids: list[Place]) -> dict[int, int]:
    """{grid id: residents living in it}, in one query whatever the number of grids."""
    by_path, under_any = _under_parents(grids)
    counts: dict[int, int] = {}
    rows = (
        Resident.objects.filter(under_any, is_active=True)
        .values("place_path")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        grid_id = _grid_of(row["place_path"], by_path)
        if grid_id is not None:
            counts[grid_id] = counts.get(grid_id, 0) + row["n"]
    return counts


def _grid_of(path: str, by_path: dict[str, int]) -> int | None:
    parts = path.strip("/").split("/")
    for i in range(len(parts), 0, -1):
        grid_id = by_path.get("/".join(parts[:i]) + "/")
        if grid_id is not None:
            return grid_id
    return None


compliance.set_households_provider(resident_households_per_grid)
