"""Demo people: residents, household memberships, tags, skills and the party organisation,
on top of the places, households and logins that gongzhi/demo/places/ builds.

Small scale (the demo street, 10,000 households): every household gets 1–5 residents, about
25,000 in all; the district scale (350,000 households) about 1,000,000 (998,098). Each
household is a family: a head, a spouse, children, parents, sometimes a son- or daughter-in-law and
grandchildren, with ages that fit the relation, common Chinese surnames in their real
proportions, given names of the person's generation, valid 18-digit ID numbers (gender digit and
birth date consistent), phone numbers for most adults, a residence status, care tags in realistic
proportions (living alone mostly among the 60+) and skills for some.

The party organisation follows seed 003: a street working committee per street, a community
party committee per community, a branch per grid (one grid in twenty is left without one, so the
"gaps" panel has something to show), a building party group for most buildings of a grid with a
branch, a few party-member households; about 7 % of adults are party members, about one in
fifteen of them (one in ten of working age) in service elsewhere with a check-in to their home
community. Secretaries are set.

The demo logins of demo/places/ get their people: the resident login (phone 13800000001) is
the head of her household in 第一网格 of 春园社区, with her family; "partymember" (赵国庆) is a
party member who leads his building's party group; "secretary" (张丽华) leads the community party
committee. Their names are given to nobody else.

Deterministic: every household draws from its own seeded generator, ID sequence numbers come
from the community's own slot, so the same tree gives the same people. Idempotent: a community
that already has residents is left alone (each street is built in one transaction, so an
interrupted run resumes at the street it stopped in), and a resident whose ID number (blind
index) is already registered is not created again. Streamed: residents go out in bulk batches,
community by community; memory stays flat. ID numbers and phones are written only through
gongzhi.core.crypto (encrypted, blind index, masked). One audit record per run that created
anything.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS

from gongzhi.demo import places as places_demo
from gongzhi.demo.people.builder import _Builder
from gongzhi.demo.people.data import (
    BATCH_SIZE,
    GIVEN,
    HOME_AREA,
    HUNAN_AREAS,
    IN_SERVICE_SHARE,
    MEMBER_COLUMNS,
    NO_BRANCH_EVERY,
    NO_BRANCH_REMAINDER,
    NO_GROUP_SHARE,
    PARTY_SHARE,
    PHONE_PREFIXES,
    RESERVED_NAMES,
    RESIDENT_COLUMNS,
    SIZE_WEIGHTS,
    SKILLS,
    SQLITE_CACHE_KIB,
    SURNAME_WEIGHTS,
    WORKPLACES,
)
from gongzhi.demo.people.persons import PeopleResult

# The parts: data (what families are drawn from), persons (a person, the result, the logins'
# families) and the builder (lookups, run, community, families, writing).


def build(
    scale: str | places_demo.Scale = "small",
    *,
    batch_size: int = BATCH_SIZE,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] | None = None,
) -> PeopleResult:
    """Give the demo households (built by gongzhi.demo.places) their people; idempotent."""
    name = scale if isinstance(scale, str) else scale.name
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    return _Builder(name, batch_size, using, progress).run()


__all__ = [
    "BATCH_SIZE",
    "GIVEN",
    "HOME_AREA",
    "HUNAN_AREAS",
    "IN_SERVICE_SHARE",
    "MEMBER_COLUMNS",
    "NO_BRANCH_EVERY",
    "NO_BRANCH_REMAINDER",
    "NO_GROUP_SHARE",
    "PARTY_SHARE",
    "PHONE_PREFIXES",
    "PeopleResult",
    "RESERVED_NAMES",
    "RESIDENT_COLUMNS",
    "SIZE_WEIGHTS",
    "SKILLS",
    "SQLITE_CACHE_KIB",
    "SURNAME_WEIGHTS",
    "WORKPLACES",
    "build",
]
