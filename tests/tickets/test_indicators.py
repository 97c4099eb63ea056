"""The tickets' indicators (gongzhi/tickets/indicators.py) on a hand-made set; "now" is
2026-05-10 12:00 Asia/Shanghai, the period the year 2026.

  id   grid  created       responded (due)      resolved (due)     status     level     rating
  t1   A1G1  03-05 10:00   11:00 (12:00)        03-07 (03-08)      closed     grid      5
  t2   A1G1  03-10 10:00   14:00 (12:00) late   03-15 (03-13) late confirmed  community 2
  t3   A1G1  03-20 10:00   — (12:00, passed)    — (03-23, passed)  escalated  community —   overdue
  t4   A1G2  04-01 10:00   11:00 (12:00)        04-02 (04-03)      closed     grid      4
  t5   A1G1  03-06 10:00   merged: not counted
  t6   A2G1  03-15 10:00   — (06-01, not due)   — (06-10)          submitted  grid      —
  t7   A2G1  03-16 10:00   10:30 (12:00)        03-17 (03-19)      resolved   grid      —
  t8   A1G1  2025-12-31 23:00 local: before the period (closed, rating 1)
Community A1 = t1–t4: response 2/4, resolution 3/4, satisfaction 2/3, on time 2/3, grid 2/2,
overdue 1. Community A2 = t6, t7: response 1/1, resolution 1/2, satisfaction — (nothing rated),
on time 1/1, grid — (nothing closed), overdue 0. Community B1: no ticket, every rate —.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.core import clock, indicators
from gongzhi.core.indicators import Period
from gongzhi.tickets.models import Level, Status, Ticket
from tests.conftest import make_place

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
YEAR = Period.year(2026)


def at(month, day, hour=10, minute=0, year=2026):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def data(world, cats):
    clock.set_now(at(5, 10, 12))
    n = iter(range(1, 1000))

    def ticket(grid, created, **fields):
        place = getattr(grid, "buildings", [grid])[0]
        fields.setdefault("response_due", created + dt.timedelta(hours=2))
        fields.setdefault("resolve_due", created + dt.timedelta(days=3))
        return Ticket.objects.create(
            number=f"T-{next(n)}", kind="help", category=cats.repair, text="hand-made",
            place=place, place_path=place.path, grid=grid, created_at=created, **fields,
        )  # fmt: skip

    g11, g12, g21 = world.grid_a1_1, world.grid_a1_2, world.grid_a2_1
    ticket(g11, at(3, 5), responded_at=at(3, 5, 11), resolved_at=at(3, 7), closed_at=at(3, 9),
           status=Status.CLOSED, level=Level.GRID, rating=5)  # fmt: skip
    ticket(g11, at(3, 10), responded_at=at(3, 10, 14), resolved_at=at(3, 15),
           status=Status.CONFIRMED, level=Level.COMMUNITY, rating=2)  # fmt: skip
    ticket(g11, at(3, 20), status=Status.ESCALATED, level=Level.COMMUNITY)
    ticket(g12, at(4, 1), responded_at=at(4, 1, 11), resolved_at=at(4, 2), closed_at=at(4, 5),
           status=Status.CLOSED, level=Level.GRID, rating=4)  # fmt: skip
    ticket(g11, at(3, 6), status=Status.MERGED, level=Level.GRID)
    ticket(g21, at(3, 15), response_due=at(6, 1), resolve_due=at(6, 10),
           status=Status.SUBMITTED, level=Level.GRID)  # fmt: skip
    ticket(g21, at(3, 16), responded_at=at(3, 16, 10, 30), resolved_at=at(3, 17),
           status=Status.RESOLVED, level=Level.GRID)  # fmt: skip
    ticket(g11, at(12, 31, 23, year=2025), responded_at=at(12, 31, 23, 30, year=2025),
           resolved_at=at(1, 2), closed_at=at(1, 3), status=Status.CLOSED, level=Level.GRID,
           rating=1)  # fmt: skip
    yield world
    clock.set_now(None)


def _values(code, places, period=YEAR):
    return {pk: v.value for pk, v in indicators.compute([code], places, period)[code].items()}


def test_rates_per_community_equal_the_hand_computation(data):
    a1, a2, b1 = data.community_a1, data.community_a2, data.community_b1
    places = [a1, a2, b1]
    expected = {
        "tickets.response_rate": ("50.00", "100.00"),
        "tickets.resolution_rate": ("75.00", "50.00"),
        "tickets.satisfaction_rate": ("66.67", None),
        "tickets.on_time_rate": ("66.67", "100.00"),
        "tickets.grid_share": ("100.00", None),
    }
    for code, (v1, v2) in expected.items():
        got = _values(code, places)
        assert got[a1.pk] == Decimal(v1), code
        assert got[a2.pk] == (Decimal(v2) if v2 else None), code
        assert got[b1.pk] is None, code  # no ticket: no data, not 0
    assert _values("tickets.overdue", places) == {a1.pk: 1, a2.pk: 0, b1.pk: 0}
    share = indicators.compute(["tickets.resolution_rate"], [a1], YEAR)["tickets.resolution_rate"]
    assert (share[a1.pk].numerator, share[a1.pk].denominator) == (3, 4)


def test_grids_and_streets(data):
    got = _values("tickets.response_rate", [data.grid_a1_1, data.grid_a1_2, data.grid_b1_1])
    assert got == {data.grid_a1_1.pk: Decimal("33.33"), data.grid_a1_2.pk: Decimal("100.00"),
                   data.grid_b1_1.pk: None}  # fmt: skip
    street = _values("tickets.response_rate", [data.street_a, data.street_b])
    assert street == {data.street_a.pk: Decimal("60.00"), data.street_b.pk: None}


def test_tickets_outside_the_period_do_not_count(data):
    q1 = _values("tickets.resolution_rate", [data.community_a1], Period.quarter(2026, 1))
    assert q1[data.community_a1.pk] == Decimal("66.67")  # t1, t2, t3; t4 is April
    y2025 = _values("tickets.satisfaction_rate", [data.community_a1], Period.year(2025))
    assert y2025[data.community_a1.pk] == Decimal("0.00")  # t8 alone: rated 1


def test_the_source_is_the_ledger_filtered_to_the_place_and_period(data, client):
    ind = indicators.get("tickets.response_rate")
    url = ind.source(data.community_a1, Period.quarter(2026, 1))
    parts = urlsplit(url)
    assert parts.path == "/tickets/ledger/" or parts.path.endswith("/ledger/")
    assert parse_qs(parts.query) == {
        "place": [str(data.community_a1.pk)],
        "created_from": ["2026-01-01"],
        "created_to": ["2026-03-31"],
    }
    overdue = indicators.get("tickets.overdue").source(data.community_a1, YEAR)
    assert "overdue=yes" in overdue
    from gongzhi.tickets import ledger

    query = ledger.parse(parse_qs(urlsplit(overdue).query))  # the ledger accepts every filter
    assert query.place == data.community_a1 and query.overdue == "yes"


def test_bounded_queries_for_many_places(data, cats, django_assert_max_num_queries):
    grids = []
    for i in range(13):
        grid = make_place(data.community_a1, "grid", f"网格{i}", f"X{i}")
        grids.append(grid)
        Ticket.objects.create(
            number=f"X-{i}", kind="help", category=cats.repair, text="x", place=grid,
            place_path=grid.path, grid=grid, created_at=at(2, 1), response_due=at(2, 1, 12),
            resolve_due=at(2, 3), status=Status.SUBMITTED, level=Level.GRID,
        )  # fmt: skip
    # One aggregate; on PostgreSQL it runs inside a savepoint with `SET LOCAL jit = off`
    # (stats._fetch), three statements that are not reads.
    with django_assert_max_num_queries(4), CaptureQueriesContext(connection) as seen:
        got = _values("tickets.response_rate", grids)
    assert [q["sql"].lstrip().upper()[:6] for q in seen.captured_queries].count("SELECT") == 1
    assert all(v == Decimal("0.00") for v in got.values()) and len(got) == 13
