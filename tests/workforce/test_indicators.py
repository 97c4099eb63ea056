"""The workforce indicator `workforce.certified_share` (gongzhi/workforce/indicators.py) on a
hand-made roster; the period is the year 2025.

Community A1: w1 certified (assistant, 2024), w2 certified (intermediate, 2025-06), w3 only an
"other" qualification, w4 certified only in 2026 (after the period), w5 a first secretary with a
certificate (not counted), w6 left in 2025-03 (not in post on the last day), w7 started in 2026
(not yet in post): counted w1–w4, certified w1, w2 → 2/4 = 50.00.
Community A2: w8 certified → 1/1 = 100.00. Community B1: no worker → no data.
Street A (A1 + A2): 3/5 = 60.00.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from gongzhi.core import indicators
from gongzhi.core.indicators import Period
from gongzhi.core.models import User
from gongzhi.core.roles import Role
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household, Place
from gongzhi.workforce.models import Certificate, CertificateLevel, Worker, WorkerKind
from tests.conftest import make_place, make_user

YEAR = Period.year(2025)
CODE = "workforce.certified_share"
_n = itertools.count(1)


def _worker(community, kind=WorkerKind.COMMUNITY_WORKER, started=dt.date(2020, 1, 1), left=None,
            certificates=()):  # fmt: skip
    home = Household.objects.filter(place_path__startswith=community.path).first()
    person = Resident.objects.create(
        name=f"工作者{next(_n)}", name_initials="gzz", gender="F", household=home,
        relation=Relation.OTHER, place_path=home.place_path if home else community.path,
        birth_date=dt.date(1990, 1, 1), id_masked="420111********1234",
    )  # fmt: skip
    worker = Worker.objects.create(
        resident=person, community=community, kind=kind, started_on=started, left_on=left,
        place_path=community.path,
    )  # fmt: skip
    for level, obtained in certificates:
        Certificate.objects.create(
            worker=worker, level=level, number=f"C{next(_n)}", obtained_on=obtained,
            place_path=community.path, recorded_by=_recorder(),
        )  # fmt: skip
    return worker


def _recorder():
    district = Place.objects.filter(kind="district").order_by("id").first()
    return User.objects.order_by("id").first() or make_user(Role.DISTRICT_OFFICER, district)


@pytest.fixture
def roster(world):
    a1, a2 = world.community_a1, world.community_a2
    _worker(a1, certificates=[(CertificateLevel.ASSISTANT, dt.date(2024, 5, 1))])
    _worker(a1, certificates=[(CertificateLevel.INTERMEDIATE, dt.date(2025, 6, 1))])
    _worker(a1, certificates=[(CertificateLevel.OTHER, dt.date(2024, 1, 1))])
    _worker(a1, certificates=[(CertificateLevel.SENIOR, dt.date(2026, 1, 1))])
    _worker(a1, kind=WorkerKind.FIRST_SECRETARY,
            certificates=[(CertificateLevel.ASSISTANT, dt.date(2024, 1, 1))])  # fmt: skip
    _worker(a1, left=dt.date(2025, 3, 1),
            certificates=[(CertificateLevel.ASSISTANT, dt.date(2024, 1, 1))])  # fmt: skip
    _worker(a1, started=dt.date(2026, 2, 1))
    _worker(a2, kind=WorkerKind.GRID_WORKER,
            certificates=[(CertificateLevel.ASSISTANT, dt.date(2025, 12, 31))])  # fmt: skip
    return world


def _values(places, period=YEAR):
    return {pk: v.value for pk, v in indicators.compute([CODE], places, period)[CODE].items()}


def test_share_per_community_equals_the_hand_computation(roster):
    a1, a2, b1 = roster.community_a1, roster.community_a2, roster.community_b1
    assert _values([a1, a2, b1]) == {a1.pk: Decimal("50.00"), a2.pk: Decimal("100.00"),
                                     b1.pk: None}  # fmt: skip
    value = indicators.compute([CODE], [a1], YEAR)[CODE][a1.pk]
    assert (value.numerator, value.denominator) == (2, 4)


def test_streets(roster):
    got = _values([roster.street_a, roster.street_b])
    assert got == {roster.street_a.pk: Decimal("60.00"), roster.street_b.pk: None}


def test_the_period_decides_who_is_in_post_and_certified(roster):
    # 2024: w1 certified (2024-05), w2 not yet, w3 other, w4 not yet, w6 still in post and
    # certified; w7 not started → 2/5.
    assert _values([roster.community_a1], Period.year(2024))[roster.community_a1.pk] == Decimal(
        "40.00"
    )
    # A2's only worker was certified on the last day of 2025: not in 2025's first quarter.
    q1 = _values([roster.community_a2], Period.quarter(2025, 1))
    assert q1[roster.community_a2.pk] == Decimal("0.00")


def test_source_is_the_communitys_roster(roster):
    ind = indicators.get(CODE)
    url = ind.source(roster.community_a1, YEAR)
    assert parse_qs(urlsplit(url).query) == {"community": [str(roster.community_a1.pk)]}
    assert ind.source(roster.street_a, YEAR) is None


def test_bounded_queries_for_many_communities(world, django_assert_max_num_queries):
    communities = [make_place(world.street_a, "community", f"社区{i}", f"C{i}") for i in range(12)]
    for c in communities:
        _worker(c, certificates=[(CertificateLevel.ASSISTANT, dt.date(2024, 1, 1))])
    with django_assert_max_num_queries(1):
        got = _values(communities)
    assert set(got.values()) == {Decimal("100.00")}
