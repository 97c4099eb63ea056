"""The social-organisation indicator `organisations.registered`
(gongzhi/organisations/indicators.py) on a hand-made register; the period is the year 2025.

A1: o1 filed 2024 (serves A1), o2 registered 2025-06 (serves a grid of A1), o3 filed 2026
(after the period), o4 filed 2023 and dissolved 2025-03 (gone by the period's end), o5 filed
2023 and dissolved 2026-02 (still there at the end of 2025) → 3.
A2: o6 registered 2024 → 1. B1: none → 0 (a true zero: the register is the whole truth).
Street A: A1 + A2 + o7 serving the street itself (filed 2024) → 5.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from gongzhi.core import indicators
from gongzhi.core.indicators import Period
from gongzhi.organisations.models import Organisation, OrgKind, OrgStatus, ServiceField
from tests.conftest import make_place

CODE = "organisations.registered"
YEAR = Period.year(2025)
_n = itertools.count(1)


def _org(place, *, filed=None, registered=None, dissolved=None):
    n = next(_n)
    status = (
        OrgStatus.DISSOLVED
        if dissolved
        else OrgStatus.REGISTERED
        if registered
        else OrgStatus.FILED
    )
    return Organisation.objects.create(
        name=f"组织{n}", kind=OrgKind.SOCIAL_GROUP, status=status,
        credit_code=f"51420111MJ{n:07d}X" if registered else None, field=ServiceField.OTHER,
        place=place, place_path=place.path, filed_on=filed, registered_on=registered,
        dissolved_on=dissolved,
    )  # fmt: skip


@pytest.fixture
def register(world):
    a1, a2 = world.community_a1, world.community_a2
    _org(a1, filed=dt.date(2024, 3, 1))
    _org(world.grid_a1_1, registered=dt.date(2025, 6, 1))
    _org(a1, filed=dt.date(2026, 1, 5))
    _org(a1, filed=dt.date(2023, 1, 1), dissolved=dt.date(2025, 3, 1))
    _org(a1, filed=dt.date(2023, 1, 1), dissolved=dt.date(2026, 2, 1))
    _org(a2, registered=dt.date(2024, 1, 1))
    _org(world.street_a, filed=dt.date(2024, 1, 1))
    return world


def _values(places, period=YEAR):
    return {pk: v.value for pk, v in indicators.compute([CODE], places, period)[CODE].items()}


def test_counts_per_community_and_street(register):
    a1, a2, b1 = register.community_a1, register.community_a2, register.community_b1
    assert _values([a1, a2, b1]) == {a1.pk: 3, a2.pk: 1, b1.pk: 0}
    assert _values([register.street_a, register.street_b]) == {
        register.street_a.pk: 5, register.street_b.pk: 0,
    }  # fmt: skip


def test_the_period_end_decides(register):
    a1 = register.community_a1
    assert _values([a1], Period.year(2024))[a1.pk] == Decimal(3)  # o1, o4, o5
    assert _values([a1], Period.year(2026))[a1.pk] == Decimal(3)  # o1, o2, o3


def test_other_kinds_of_place_have_no_data(register):
    assert _values([register.grid_a1_1]) == {register.grid_a1_1.pk: None}


def test_bounded_queries_for_many_communities(world, django_assert_max_num_queries):
    communities = [make_place(world.street_b, "community", f"社区{i}", f"C{i}") for i in range(12)]
    for c in communities:
        _org(c, filed=dt.date(2024, 1, 1))
    with django_assert_max_num_queries(1):
        got = _values(communities)
    assert set(got.values()) == {1} and len(got) == 12
