"""Demo places: the builder, put together from its parts."""

from __future__ import annotations

from collections.abc import Callable

from gongzhi.demo.places.helpers import _Helpers
from gongzhi.demo.places.households import _Households
from gongzhi.demo.places.premises import _Premises
from gongzhi.demo.places.scales import Scale
from gongzhi.demo.places.staff import _Staff
from gongzhi.demo.places.tree import _Tree
from gongzhi.places.models import Household


class _Builder(_Helpers, _Tree, _Premises, _Households, _Staff):
    def __init__(
        self, scale: Scale, batch_size: int, using: str, progress: Callable[[str], None] | None
    ) -> None:
        self.scale = scale
        self.batch_size = batch_size
        self.db = using
        self.progress = progress or (lambda message: None)
        self.building_seq = 0
        self.grid_seq = 0
        self.estate_seq = 0
        self.person_seq = 0
        self.buffer: list[Household] = []
        self.largest_batch = 0
        self._password_hash: str | None = None
