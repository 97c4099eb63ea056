"""Demo places: the district's constants and the two scales (the small street, the district)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

DEMO_PASSWORD = "Gongzhi-demo-2026"  # noqa: S105 - published on purpose: demo logins only
RESIDENT_PHONE = "13800000001"
DISTRICT_PROFILE = "loudi"
DISTRICT_CODE = "431302"  # GB/T 2260: 湖南省娄底市娄星区
DISTRICT_NAME = "娄星区"
DISTRICT_ADDRESS = "湖南省娄底市娄星区"
CITY_DISTRICT = "娄底市娄星区"  # the start of every street, community and estate address
BATCH_SIZE = 5000

# Loudi: the south-west corner of street 1 (乐坪街道, centred near 27.73 N 111.99 E);
# each street is this big.
ORIGIN = (27.715, 111.972)
STREET_SIZE = (0.03, 0.035)  # degrees latitude, longitude


@dataclass(frozen=True)
class Scale:
    name: str
    streets: int
    communities_per_street: int
    grids_per_community: int
    buildings_per_grid: tuple[int, ...]  # cycled over all grids in build order
    # (units, floors, rooms per floor), cycled over all buildings in build order
    shapes: tuple[tuple[int, int, int], ...]
    workers_per_community: int = 2  # community workers besides the secretary

    def replace(self, **changes: Any) -> Scale:
        return dataclasses.replace(self, **changes)

    @property
    def grids(self) -> int:
        return self.streets * self.communities_per_street * self.grids_per_community

    @property
    def buildings(self) -> int:
        pattern = self.buildings_per_grid
        return sum(pattern[g % len(pattern)] for g in range(self.grids))

    @property
    def households(self) -> int:
        total = 0
        for i in range(self.buildings):
            units, floors, rooms = self.shapes[i % len(self.shapes)]
            total += units * floors * rooms
        return total


# 5 × 8 = 40 grids, 150 buildings, 150 × 66.7 = 10,000 households. Most grids have 3 buildings
# (~200 households, the size loudi.yaml sets); 11 have 5 or 6 (~330–400, above the 240 the
# tolerance allows). Households per community: 1,800 / 1,600 / 2,066 / 2,334 / 2,200, so with
# 11 staff each (12 in the first, which has the demo logins) the fourth is one worker short of
# ceil(2,334 / 200) = 12.
SMALL = Scale(
    "small",
    streets=1,
    communities_per_street=5,
    grids_per_community=8,
    buildings_per_grid=(
        3, 3, 3, 6, 3, 3, 3, 3,  # 1,800 households, one grid over
        3, 3, 3, 3, 3, 3, 3, 3,  # 1,600, every grid within
        3, 5, 3, 3, 5, 3, 3, 6,  # 2,066, three over
        3, 6, 3, 6, 3, 6, 3, 5,  # 2,334, four over, staff short
        3, 3, 6, 3, 3, 6, 3, 6,  # 2,200, three over
    ),
    shapes=((2, 11, 3), (2, 17, 2), (3, 11, 2)),
)  # fmt: skip
# 100 communities, 2,000 grids, 5,000 buildings, 350,000 households.
DISTRICT = Scale(
    "district",
    streets=10,
    communities_per_street=10,
    grids_per_community=20,
    buildings_per_grid=(3, 2),
    shapes=((2, 18, 2), (2, 17, 2)),
)
SCALES = {"small": SMALL, "district": DISTRICT}
