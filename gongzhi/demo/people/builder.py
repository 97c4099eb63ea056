"""Demo people: the builder, put together from its parts."""

from __future__ import annotations

from collections.abc import Callable

from gongzhi.core import clock, crypto
from gongzhi.demo.people.community import _Community
from gongzhi.demo.people.data import SIZE_WEIGHTS
from gongzhi.demo.people.families import _Families
from gongzhi.demo.people.lookups import _Lookups
from gongzhi.demo.people.persons import _Person
from gongzhi.demo.people.run import _Run
from gongzhi.demo.people.writing import _Writing


class _Builder(_Lookups, _Run, _Community, _Families, _Writing):
    def __init__(self, scale_name: str, batch_size: int, using: str, progress: Callable | None):
        self.scale_name = scale_name
        self.sizes = SIZE_WEIGHTS.get(scale_name, SIZE_WEIGHTS["district"])
        self.batch_size = batch_size
        self.db = using
        self.progress = progress or (lambda message: None)
        self.today = clock.today()
        self.protect = crypto.Protector()
        self.buffer: list[_Person] = []
        self.largest_batch = 0
        self.skipped_ids = 0
