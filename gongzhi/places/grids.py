"""Finding the grid a record belongs to by its materialised path, for counts per grid that
other apps hand to the compliance page (`people.compliance`): one filter for every record under
the grids' communities, then each record's path walked up to the nearest grid."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from gongzhi.places.models import Place


def under_communities(
    grids: Iterable[Place], field: str = "place_path"
) -> tuple[dict[str, int], Q]:
    """({grid path: grid id}, a filter on `field` keeping the records under the grids'
    communities) — one condition per community, whatever the number of grids."""
    by_path = {grid.path: grid.pk for grid in grids}
    parents = {path.rstrip("/").rsplit("/", 1)[0] + "/" for path in by_path}
    under_any = Q(pk__in=[])
    for parent in parents:
        under_any |= Q(**{f"{field}__under": parent})
    return by_path, under_any


def grid_of(path: str, by_path: dict[str, int]) -> int | None:
    """The id of the grid `path` lies in (the grid itself included), or None."""
    parts = path.strip("/").split("/")
    for i in range(len(parts), 0, -1):
        grid_id = by_path.get("/".join(parts[:i]) + "/")
        if grid_id is not None:
            return grid_id
    return None
