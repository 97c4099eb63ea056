"""Demo places: boxes on the map (cells, rectangles, centres)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

Box = tuple[float, float, float, float]  # (south, west, north, east)


def _cells(box: Box, n: int) -> list[Box]:
    """Split a (south, west, north, east) box into n cells, row by row."""
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    south, west, north, east = box
    h, w = (north - south) / rows, (east - west) / cols
    cells = []
    for i in range(n):
        r, c = divmod(i, cols)
        s, west_c = north - (r + 1) * h, west + c * w
        cells.append((s, west_c, s + h, west_c + w))
    return cells


def _deg(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


def _rectangle(box: Box) -> dict[str, Any]:
    s, w, n, e = (round(v, 6) for v in box)
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _centre(box: Box) -> dict[str, Decimal]:
    s, w, n, e = box
    return {"centre_lat": _deg((s + n) / 2), "centre_lng": _deg((w + e) / 2)}
