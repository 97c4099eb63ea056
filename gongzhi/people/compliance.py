"""People per grid for the compliance check (`places.compliance.set_people_provider`).

Counts the residents who live in each grid (active records, by the building path they carry).
A grid with households but no resident in the registry yet is left out of the answer, so the
compliance page shows it as "not yet recorded" rather than as an empty grid.
"""

from __future__ import annotations

from django.db.models import Count, Q

from gongzhi.people.models import Resident
from gongzhi.places.models import Place


def people_per_grid(grids: list[Place]) -> dict[int, int]:
    """{grid id: residents living in it}, in one query whatever the number of grids."""
    by_path = {grid.path: grid.pk for grid in grids}
    parents = {path.rstrip("/").rsplit("/", 1)[0] + "/" for path in by_path}
    under_any = Q(pk__in=[])
    for parent in parents:
        under_any |= Q(place_path__under=parent)
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
