"""Demo places: the place tree (district, streets, communities, grids, estates, buildings)."""

from __future__ import annotations

import math
import time
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from gongzhi.demo.places.geometry import Box, _cells, _centre, _deg, _rectangle
from gongzhi.demo.places.names import (
    NEW_COMMUNITY_SEQ,
    ROADS,
    SERVICE_AREAS,
    cn_number,
    community_name,
    estate_name,
    street_name,
)
from gongzhi.demo.places.results import BuildResult
from gongzhi.demo.places.scales import (
    CITY_DISTRICT,
    DISTRICT_ADDRESS,
    DISTRICT_CODE,
    DISTRICT_NAME,
    DISTRICT_PROFILE,
    ORIGIN,
    STREET_SIZE,
)
from gongzhi.places.models import AreaClass, Place, PlaceKind


class _Tree:
    # -- the tree --------------------------------------------------------------------------
    def run(self) -> BuildResult:
        started = time.perf_counter()
        with transaction.atomic(using=self.db):
            before = self._totals()
            (district,) = self._ensure_places(
                [
                    self._place(
                        None,
                        PlaceKind.DISTRICT,
                        DISTRICT_NAME,
                        DISTRICT_CODE,
                        official_code=DISTRICT_CODE,
                        address=DISTRICT_ADDRESS,
                        policy_profile=DISTRICT_PROFILE,
                    )
                ]
            )
            street_boxes = _cells(self._district_box(), self.scale.streets)
            streets = self._ensure_places(
                [
                    self._place(
                        district,
                        PlaceKind.STREET,
                        street_name(i),
                        f"{DISTRICT_CODE}{i + 1:03d}000",
                        official_code=f"{DISTRICT_CODE}{i + 1:03d}000",
                        address=f"{CITY_DISTRICT}{ROADS[i % len(ROADS)]}{100 + i * 11}号",
                        boundary=_rectangle(box),
                        **_centre(box),
                    )
                    for i, box in enumerate(street_boxes)
                ]
            )
            community_seq = 0
            for s_index, (street, box) in enumerate(zip(streets, street_boxes, strict=True)):
                cells = _cells(box, self.scale.communities_per_street)
                for c_index, cbox in enumerate(cells):
                    is_demo = s_index == 0 and c_index == 0
                    self._community(street, c_index, community_seq, cbox, is_demo)
                    community_seq += 1
                self.progress(
                    _("Street %(n)s of %(total)s: %(name)s")
                    % {"n": s_index + 1, "total": len(streets), "name": street.name}
                )
            self._flush()
            logins = self._demo_logins(district, streets[0])
            after = self._totals()
            created = {k: after[k] - before[k] for k in after}
            if any(created.values()) and self.db == DEFAULT_DB_ALIAS:
                from gongzhi.core import audit

                audit.record(
                    actor=None,
                    action="demo_data.build",
                    target=district,
                    place_path=district.path,
                    changes={"scale": self.scale.name, "created": created},
                )
        if any(created.values()) and connections[self.db].vendor == "postgresql":
            # Fresh planner statistics after a bulk load, or the first pages plan badly.
            with connections[self.db].cursor() as cur:
                for table in ("places_place", "places_household", "core_user", "core_post"):
                    cur.execute(f"ANALYZE {table}")
        return BuildResult(
            scale=self.scale.name,
            created=created,
            totals=after,
            logins=logins,
            seconds=time.perf_counter() - started,
            largest_batch=self.largest_batch,
        )

    def _district_box(self) -> Box:
        cols = math.ceil(math.sqrt(self.scale.streets))
        rows = math.ceil(self.scale.streets / cols)
        south, west = ORIGIN
        north = south + rows * STREET_SIZE[0]
        return (south, west, north, west + cols * STREET_SIZE[1])

    def _community(self, street: Place, c_index: int, seq: int, box: Box, is_demo: bool) -> None:
        scale = self.scale
        assert street.official_code is not None  # every demo street has its official code
        code = f"{street.official_code[:9]}{c_index + 1:03d}"
        road = ROADS[seq % len(ROADS)]
        (community,) = self._ensure_places(
            [
                self._place(
                    street,
                    PlaceKind.COMMUNITY,
                    community_name(seq),
                    code,
                    official_code=code,
                    address=f"{CITY_DISTRICT}{road}{20 + seq % 180}号",
                    boundary=_rectangle(box),
                    service_area_m2=Decimal(SERVICE_AREAS[seq % len(SERVICE_AREAS)]),
                    is_new_community=seq % 5 == NEW_COMMUNITY_SEQ,
                    area_class=AreaClass.CENTRAL,
                    **_centre(box),
                )
            ]
        )
        grid_boxes = _cells(box, scale.grids_per_community)
        grids = self._ensure_places(
            [
                self._place(
                    community,
                    PlaceKind.GRID,
                    f"第{cn_number(g + 1)}网格",
                    f"G{g + 1:02d}",
                    boundary=_rectangle(gbox),
                    **_centre(gbox),
                )
                for g, gbox in enumerate(grid_boxes)
            ]
        )
        estates, building_plan = [], []
        for g, (grid, gbox) in enumerate(zip(grids, grid_boxes, strict=True)):
            n_buildings = scale.buildings_per_grid[self.grid_seq % len(scale.buildings_per_grid)]
            self.grid_seq += 1
            self.estate_seq += 1
            estate = self._place(
                grid,
                PlaceKind.ESTATE,
                estate_name(self.estate_seq - 1),
                "E1",
                address=f"{CITY_DISTRICT}{road}{(g + 1) * 8 + seq % 7}号",
                **_centre(gbox),
            )
            estates.append(estate)
            # Every fourth grid has an old building standing on its own, outside any estate.
            has_lone = g % 4 == 3 and n_buildings > 1
            for b in range(n_buildings):
                shape = scale.shapes[self.building_seq % len(scale.shapes)]
                self.building_seq += 1
                is_lone = has_lone and b == n_buildings - 1
                building_plan.append((grid, estate, b, is_lone, shape, gbox))
        estates = self._ensure_places(estates)
        specs, shapes = [], []
        for grid, estate, b, is_lone, shape, gbox in building_plan:
            parent = grid if is_lone else estate
            s, w, n, e = gbox
            lat = s + (n - s) * (0.25 + 0.5 * (b % 2))
            lng = w + (e - w) * (0.2 + 0.15 * b)
            specs.append(
                self._place(
                    parent,
                    PlaceKind.BUILDING,
                    f"{b + 1}栋",
                    f"B{b + 1}",
                    address=f"{estate.address if is_lone else estate.name}{b + 1}栋",
                    centre_lat=_deg(lat),
                    centre_lng=_deg(min(lng, e)),
                )
            )
            shapes.append(shape)
        buildings = self._ensure_places(specs)
        self._households(community, buildings, shapes)
        self._community_staff(community, grids, is_demo)
        self._rooms(community, seq)
        self._part_time(grids, seq)
