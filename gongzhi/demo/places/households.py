"""Demo places: households, written in bulk batches."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db.models import Count

from gongzhi.demo.places.names import AREAS_M2
from gongzhi.places.models import Household, Place


class _Households:
    # -- households ------------------------------------------------------------------------
    def _households(
        self, community: Place, buildings: list[Place], shapes: list[tuple[int, int, int]]
    ) -> None:
        have = dict(
            Household.objects.using(self.db)
            .filter(place_path__under=community.path)
            .order_by()
            .values("building_id")
            .annotate(n=Count("id"))
            .values_list("building_id", "n")
        )
        for building, (units, floors, rooms) in zip(buildings, shapes, strict=True):
            if have.get(building.pk, 0) >= units * floors * rooms:
                continue
            rnd = random.Random(building.path)
            areas = {
                (u, r): Decimal(rnd.choice(AREAS_M2))
                for u in range(1, units + 1)
                for r in range(1, rooms + 1)
            }
            for u in range(1, units + 1):
                for f in range(1, floors + 1):
                    for r in range(1, rooms + 1):
                        self.buffer.append(
                            Household(
                                building_id=building.pk,
                                unit_no=str(u),
                                room_no=f"{f}{r:02d}",
                                place_path=building.path,
                                exclusive_area_m2=areas[u, r],
                            )
                        )
                        if len(self.buffer) >= self.batch_size:
                            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        self.largest_batch = max(self.largest_batch, len(self.buffer))
        # A building that was half done keeps its rows: the unique (building, unit, room)
        # constraint makes re-inserting them a no-op.
        Household.objects.using(self.db).bulk_create(
            self.buffer, batch_size=self.batch_size, ignore_conflicts=True
        )
        self.buffer = []
