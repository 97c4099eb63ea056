"""Demo people: a person being built, the result of a run, and the demo logins' own families."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from gongzhi.demo import places as places_demo
from gongzhi.people.models import Relation


@dataclass
class _Person:
    name: str
    gender: str
    birth: dt.date
    relation: str
    status: str
    area: str
    moved_in: dt.date
    surname: str = ""
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    skills: str = ""
    consents: tuple[bool, bool, bool] = (True, True, False)
    party: bool = False
    joined_on: dt.date | None = None
    workplace: tuple[str, str] | None = None  # in service: (workplace, party organisation)
    leads: str | None = None  # "group" or "committee": the reserved people's posts
    household_id: int = 0
    place_path: str = ""
    org_id: int | None = None
    resident_id: int = 0
    id_index: str = ""


@dataclass
class PeopleResult:
    scale: str
    created: dict[str, int]
    totals: dict[str, int]
    seconds: float
    largest_batch: int = 0
    communities_skipped: int = 0

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def _years_before(day: dt.date, years: int, days: int) -> dt.date:
    """`years` whole years and `days` more before `day` (29 February lands on the 28th)."""
    try:
        start = day.replace(year=day.year - years)
    except ValueError:
        start = day.replace(year=day.year - years, day=28)
    return start - dt.timedelta(days=days)


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# The reserved households of the demo logins: (name, gender, birth, relation, phone, party).
_RESIDENT_LOGIN_FAMILY = [
    ("吴秀英", "F", dt.date(1968, 3, 12), Relation.HEAD, places_demo.RESIDENT_PHONE, False),
    ("李建军", "M", dt.date(1966, 8, 20), Relation.SPOUSE, "13907381526", False),
    ("李思远", "M", dt.date(1993, 5, 6), Relation.CHILD, "15873840219", False),
    ("李雨桐", "F", dt.date(2012, 9, 1), Relation.CHILD, None, False),
]
_PARTY_LOGIN_FAMILY = [
    ("赵国庆", "M", dt.date(1971, 10, 1), Relation.HEAD, "13973892047", True),
    ("黄丽", "F", dt.date(1973, 4, 18), Relation.SPOUSE, "18807386613", False),
    ("赵浩然", "M", dt.date(2000, 1, 9), Relation.CHILD, "17773851190", False),
]
# The volunteer login (周晓燕) is a resident of the demo community too: her points, hours,
# sign-ups and redemptions hang on this registry record.
_VOLUNTEER_LOGIN_FAMILY = [
    ("周晓燕", "F", dt.date(1991, 5, 12), Relation.HEAD, "15973821146", False),
    ("李明", "M", dt.date(1989, 8, 3), Relation.SPOUSE, "13687381529", False),
    ("李可馨", "F", dt.date(2016, 9, 21), Relation.CHILD, None, False),
]
_SECRETARY_LOGIN_FAMILY = [
    ("张丽华", "F", dt.date(1978, 6, 23), Relation.HEAD, "13807383318", True),
    ("彭志勇", "M", dt.date(1976, 2, 14), Relation.SPOUSE, "13574816620", False),
    ("彭欣怡", "F", dt.date(2006, 11, 30), Relation.CHILD, "19976403385", False),
]
