"""Demo tickets: the world a ticket lives in (buildings, grids, local time)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import deque
from dataclasses import dataclass, field

from django.conf import settings

# --------------------------------------------------------------------------- the world


@dataclass
class _Building:
    id: int
    path: str
    name: str
    estate: str  # the estate's name (the grid's name for a building outside any estate)
    estate_path: str
    accounts: list = field(default_factory=list)  # [(user id, post id)]


@dataclass
class _Grid:
    id: int
    path: str
    community_id: int
    community_path: str
    street_id: int
    street_path: str
    households: int = 0
    workers: list = field(default_factory=list)  # [(user id, post id)]
    community_staff: list = field(default_factory=list)
    party: list = field(default_factory=list)
    street_staff: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    recent: deque = field(default_factory=lambda: deque(maxlen=12))  # merge targets


def _local(day: dt.date, hour: float) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return (start + dt.timedelta(hours=hour)).astimezone(dt.UTC)
