"""Demo places: premises (rooms) and staff terms (part-time grid workers)."""

from __future__ import annotations

from decimal import Decimal

from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.demo.places.names import PART_TIME_FROM_GRID, ROOMS_BY_SEQ
from gongzhi.places.models import Place, PostTerms, Room


class _Premises:
    # -- premises and staff terms ----------------------------------------------------------
    def _rooms(self, community: Place, seq: int) -> None:
        spec = ROOMS_BY_SEQ[seq % len(ROOMS_BY_SEQ)]
        if not spec or Room.objects.using(self.db).filter(place=community).exists():
            return
        Room.objects.using(self.db).bulk_create(
            Room(
                place=community,
                function=function,
                name=name,
                area_m2=Decimal(area),
                place_path=community.path,
            )
            for function, name, area in spec
        )

    def _part_time(self, grids: list[Place], seq: int) -> None:
        start = PART_TIME_FROM_GRID[seq % len(PART_TIME_FROM_GRID)]
        part_time = [g.pk for g in grids[start - 1 :]]
        posts = Post.objects.using(self.db).filter(
            place_id__in=part_time, role=Role.GRID_WORKER, terms__isnull=True
        )
        PostTerms.objects.using(self.db).bulk_create(
            [PostTerms(post_id=pk, full_time=False) for pk in posts.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )
