"""Ticket statistics on a hand-made set of tickets: every rate equals the figure computed by
hand below (docs/ticket-statistics.md). Times are Asia/Shanghai; "now" is 2026-05-10 12:00.

Tickets (M = merged, not counted anywhere):
  id  grid   created        responded         resolved            status     level     rating cat
  t1  A1G1   03-05 10:00    11:00 (due 12:00) 03-07 (due 03-08)   closed     grid      5      repair
  t2  A1G1   03-10 10:00    14:00 (due 12:00) 03-15 (due 03-13)   confirmed  community 2      repair
  t3  A1G1   03-20 10:00    —     (due 12:00) —                   escalated  community —      noise
  t4  A1G2   03-31 23:30    04-01 01:00 (due 01:30) 04-02 (due 04-03) closed grid  4      repair
  t5  A1G1   04-01 00:30    —     (due 02:30) —                   submitted  grid      —      repair
  t6  A1G1   03-06 10:00    merged                                           M
  t7  A2G1   03-15 10:00    —     (due 06-01, not yet due)          submitted grid      —      noise
  t8  A2G1   03-16 10:00    10:30 (due 12:00) 03-17 (due 03-19)   resolved   grid      —      repair
  t9  B1G1   03-02 10:00    11:00 (due 12:00) 03-06 (due 03-05)   closed     community 3      noise
t4 is created at 23:30 local on 31 March = 15:30 UTC: March. t5 at 00:30 local on 1 April =
16:30 UTC on 31 March: April (the month boundary is local time).
Handlers: t1 grid worker 网格员甲, t2 party member 党员一, the others none.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.tickets import stats
from gongzhi.tickets.models import Level, Status, Ticket
from tests.conftest import make_user

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
MARCH, APRIL, MAY = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 5, 1)
NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=SH)


def at(month, day, hour=10, minute=0):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


@pytest.fixture
def data(world, people, cats):
    clock.set_now(NOW)
    n = iter(range(1, 100))

    def ticket(grid, created, *, response_due, resolve_due, category, **fields):
        return Ticket.objects.create(
            number=f"T-{next(n)}",
            kind="help",
            category=category,
            text="hand-made",
            place=grid.buildings[0],
            place_path=grid.buildings[0].path,
            grid=grid,
            created_at=created,
            response_due=response_due,
            resolve_due=resolve_due,
            **fields,
        )

    g11, g12, g21, gb = world.grid_a1_1, world.grid_a1_2, world.grid_a2_1, world.grid_b1_1
    rep, noise = cats.repair, cats.noise
    t = SimpleNamespace()
    t.t1 = ticket(g11, at(3, 5), response_due=at(3, 5, 12), resolve_due=at(3, 8),
                  responded_at=at(3, 5, 11), resolved_at=at(3, 7), closed_at=at(3, 9),
                  status=Status.CLOSED, level=Level.GRID, rating=5, category=rep,
                  handler_user=people.gw)  # fmt: skip
    t.t2 = ticket(g11, at(3, 10), response_due=at(3, 10, 12), resolve_due=at(3, 13),
                  responded_at=at(3, 10, 14), resolved_at=at(3, 15), status=Status.CONFIRMED,
                  level=Level.COMMUNITY, rating=2, category=rep,
                  handler_user=people.pm1)  # fmt: skip
    t.t3 = ticket(g11, at(3, 20), response_due=at(3, 20, 12), resolve_due=at(3, 23),
                  status=Status.ESCALATED, level=Level.COMMUNITY, category=noise)  # fmt: skip
    t.t4 = ticket(g12, at(3, 31, 23, 30), response_due=at(4, 1, 1, 30), resolve_due=at(4, 3),
                  responded_at=at(4, 1, 1), resolved_at=at(4, 2), closed_at=at(4, 5),
                  status=Status.CLOSED, level=Level.GRID, rating=4, category=rep)  # fmt: skip
    t.t5 = ticket(g11, at(4, 1, 0, 30), response_due=at(4, 1, 2, 30), resolve_due=at(4, 4),
                  status=Status.SUBMITTED, level=Level.GRID, category=rep)  # fmt: skip
    t.t6 = ticket(g11, at(3, 6), response_due=at(3, 6, 12), resolve_due=at(3, 9),
                  responded_at=at(3, 6, 11), status=Status.MERGED, merged_into=t.t1,
                  level=Level.GRID, category=rep)  # fmt: skip
    t.t7 = ticket(g21, at(3, 15), response_due=at(6, 1), resolve_due=at(6, 5),
                  status=Status.SUBMITTED, level=Level.GRID, category=noise)  # fmt: skip
    t.t8 = ticket(g21, at(3, 16), response_due=at(3, 16, 12), resolve_due=at(3, 19),
                  responded_at=at(3, 16, 10, 30), resolved_at=at(3, 17),
                  status=Status.RESOLVED, level=Level.GRID, category=rep)  # fmt: skip
    t.t9 = ticket(gb, at(3, 2), response_due=at(3, 2, 12), resolve_due=at(3, 5),
                  responded_at=at(3, 2, 11), resolved_at=at(3, 6), closed_at=at(3, 7),
                  status=Status.CLOSED, level=Level.COMMUNITY, rating=3, category=noise)  # fmt: skip
    district = make_user(Role.DISTRICT_OFFICER, world.district, name="区干部")
    return SimpleNamespace(tickets=t, district=district, world=world, people=people, cats=cats)


def rates_of(row):
    return (
        row.rate("response_rate"),
        row.rate("resolution_rate"),
        row.rate("satisfaction_rate"),
        row.rate("on_time_rate"),
        row.rate("grid_share"),
    )


def by_label(report):
    return {row.label: row for row in report.rows}


def test_grid_rates_for_march(data):
    w = data.world
    report = stats.rates(data.district, dimension="grid", month_from=MARCH, month_to=MARCH)
    rows = {row.key: row for row in report.rows}
    # A1G1: t1, t2, t3 (t6 merged, t5 April). Due a response: t1, t2 (responded), t3 (due
    # passed) = 3; in time: t1 → 1/3 = 33.3. Resolved: t1, t2 → 2/3 = 66.7. Rated t1, t2,
    # satisfied t1 → 1/2 = 50.0. Resolved in time: t1 → 1/2 = 50.0. Closed t1 at grid → 1/1.
    a11 = rows[w.grid_a1_1.pk]
    assert a11.counts["tickets"] == 3
    assert rates_of(a11) == (33.3, 66.7, 50.0, 50.0, 100.0)
    assert a11.context == w.community_a1.name
    # A1G2: t4 alone, everything in time and satisfied (rating 4) → 100 everywhere.
    assert rates_of(rows[w.grid_a1_2.pk]) == (100.0, 100.0, 100.0, 100.0, 100.0)
    # A2G1: t7 (not yet due), t8. Due: t8 → 1/1 = 100. Resolved: t8 → 1/2 = 50.0. Rated: none
    # → None. In time: 1/1 = 100. Closed: none → None.
    a21 = rows[w.grid_a2_1.pk]
    assert (a21.counts["tickets"], a21.counts["due_response"]) == (2, 1)
    assert rates_of(a21) == (100.0, 50.0, None, 100.0, None)
    # B1G1: t9: responded in time, resolved late, rating 3, closed at community level.
    assert rates_of(rows[w.grid_b1_1.pk]) == (100.0, 100.0, 0.0, 0.0, 0.0)
    # The whole district: tickets 7; due 6, in time t1 t4 t8 t9 = 4 → 66.7; resolved t1 t2 t4
    # t8 t9 = 5/7 = 71.4; rated 4, satisfied t1 t4 = 2 → 50.0; in time t1 t4 t8 = 3/5 = 60.0;
    # closed t1 t4 t9 = 3, at grid t1 t4 = 2 → 66.7.
    assert report.total.counts["tickets"] == 7
    assert rates_of(report.total) == (66.7, 71.4, 50.0, 60.0, 66.7)


def test_community_and_street_rates(data):
    w = data.world
    report = stats.rates(data.district, dimension="community", month_from=MARCH, month_to=MARCH)
    rows = {row.key: row for row in report.rows}
    # A1 = A1G1 + A1G2: tickets 4; due 4, in time 2 → 50.0; resolved 3/4 = 75.0; rated 3,
    # satisfied 2 → 66.7; in time 2/3 = 66.7; closed 2, at grid 2 → 100.0.
    assert rates_of(rows[w.community_a1.pk]) == (50.0, 75.0, 66.7, 66.7, 100.0)
    assert rows[w.community_a1.pk].context == w.street_a.name
    assert rates_of(rows[w.community_a2.pk]) == (100.0, 50.0, None, 100.0, None)

    report = stats.rates(data.district, dimension="street", month_from=MARCH, month_to=MARCH)
    rows = {row.key: row for row in report.rows}
    # Street A = A1 + A2: tickets 6; due 5, in time 3 → 60.0; resolved 4/6 = 66.7; rated 3,
    # satisfied 2 → 66.7; in time 3/4 = 75.0; closed 2, at grid 2 → 100.0.
    assert rates_of(rows[w.street_a.pk]) == (60.0, 66.7, 66.7, 75.0, 100.0)
    assert rates_of(rows[w.street_b.pk]) == (100.0, 100.0, 0.0, 0.0, 0.0)
    assert set(rows) == {w.street_a.pk, w.street_b.pk}


def test_handler_and_category_rates(data):
    p = data.people
    report = stats.rates(data.district, dimension="handler", month_from=MARCH, month_to=MARCH)
    rows = {row.key: row for row in report.rows}
    assert rates_of(rows[p.gw.pk]) == (100.0, 100.0, 100.0, 100.0, 100.0)  # t1
    assert rates_of(rows[p.pm1.pk]) == (0.0, 100.0, 0.0, 0.0, None)  # t2, still confirmed
    # No handler: t3 t4 t7 t8 t9. Due t3 t4 t8 t9 = 4, in time t4 t8 t9 = 3 → 75.0; resolved
    # t4 t8 t9 = 3/5 = 60.0; rated t4 t9, satisfied t4 → 50.0; in time t4 t8 = 2/3 = 66.7;
    # closed t4 t9, at grid t4 → 50.0.
    assert rates_of(rows[None]) == (75.0, 60.0, 50.0, 66.7, 50.0)
    assert rows[p.gw.pk].label == "网格员甲"

    report = stats.rates(data.district, dimension="category", month_from=MARCH, month_to=MARCH)
    rows = {row.key: row for row in report.rows}
    # Repair: t1 t2 t4 t8: due 4, in time t1 t4 t8 → 75.0; resolved 4/4; rated t1 t2 t4,
    # satisfied t1 t4 → 66.7; in time t1 t4 t8 = 3/4 → 75.0; closed t1 t4 both at grid → 100.
    assert rates_of(rows[data.cats.repair.pk]) == (75.0, 100.0, 66.7, 75.0, 100.0)
    # Noise: t3 t7 t9: due t3 t9, in time t9 → 50.0; resolved t9 → 1/3 = 33.3; rated t9, not
    # satisfied → 0.0; resolved late → 0.0; closed t9 at community → 0.0.
    assert rates_of(rows[data.cats.noise.pk]) == (50.0, 33.3, 0.0, 0.0, 0.0)


def test_month_boundary_is_local_time_and_trend(data):
    report = stats.rates(data.district, dimension="grid", month_from=MARCH, month_to=MAY)
    trend = {row.key: row for row in report.trend}
    assert list(trend) == ["2026-03", "2026-04", "2026-05"]
    # 23:30 on 31 March (t4) is March; 00:30 on 1 April (t5, 16:30 UTC on 31 March) is April.
    assert trend["2026-03"].counts["tickets"] == 7
    assert trend["2026-04"].counts["tickets"] == 1
    # April: t5 due a response (deadline passed), not responded → 0.0; not resolved → 0.0;
    # nothing rated, resolved or closed → no division by zero, "—".
    assert rates_of(trend["2026-04"]) == (0.0, 0.0, None, None, None)
    # May: no tickets at all.
    assert trend["2026-05"].counts["tickets"] == 0
    assert rates_of(trend["2026-05"]) == (None, None, None, None, None)
    # The table sums the months: A1G1 has t1 t2 t3 (March) + t5 (April).
    rows = {row.key: row for row in report.rows}
    assert rows[data.world.grid_a1_1.pk].counts["tickets"] == 4

    april = stats.rates(data.district, dimension="grid", month_from=APRIL, month_to=APRIL)
    assert [r.key for r in april.rows] == [data.world.grid_a1_1.pk]


def test_empty_range_gives_no_rates(data):
    report = stats.rates(
        data.district,
        dimension="street",
        month_from=dt.date(2025, 1, 1),
        month_to=dt.date(2025, 2, 1),
    )
    assert report.rows == []
    assert report.total.counts["tickets"] == 0
    assert all(value is None for value in report.total.rates.values())


def test_scope_is_the_users_area(data):
    w, p = data.world, data.people
    report = stats.rates(p.street, dimension="street", month_from=MARCH, month_to=MARCH)
    assert [r.key for r in report.rows] == [w.street_a.pk]
    report = stats.rates(p.gw, dimension="grid", month_from=MARCH, month_to=MARCH)
    assert [r.key for r in report.rows] == [w.grid_a1_1.pk]
    # A place inside the scope narrows; outside it does not exist.
    report = stats.rates(
        p.street, dimension="grid", month_from=MARCH, month_to=MARCH, place=w.community_a2
    )
    assert [r.key for r in report.rows] == [w.grid_a2_1.pk]
    with pytest.raises(Http404):
        stats.rates(p.street, dimension="grid", month_from=MARCH, month_to=MARCH, place=w.street_b)
    with pytest.raises(Http404):
        stats.rates(p.gw, dimension="grid", month_from=MARCH, month_to=MARCH, place=w.grid_a1_2)


@pytest.mark.parametrize("who", ["resident", "pm1", "volunteer", "building_head"])
def test_roles_without_stats_are_refused(data, who):
    with pytest.raises(PermissionDenied):
        stats.rates(getattr(data.people, who), dimension="grid", month_from=MARCH, month_to=MARCH)


@pytest.fixture
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def test_bad_parameters_are_clear(data, english):
    with pytest.raises(stats.StatsError, match="dimension"):
        stats.rates(data.district, dimension="colour", month_from=MARCH, month_to=MARCH)
    with pytest.raises(stats.StatsError, match="swap"):
        stats.rates(data.district, dimension="grid", month_from=MAY, month_to=MARCH)
    with pytest.raises(stats.StatsError, match="36"):
        stats.rates(data.district, dimension="grid", month_from=dt.date(2020, 1, 1), month_to=MAY)
    with pytest.raises(stats.StatsError, match="YYYY-MM"):
        stats.parse_month("March", MARCH)
    assert stats.parse_month("2026-04", MARCH) == APRIL


def test_one_aggregate_query(data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    stats.rates(data.district, dimension="grid", month_from=MARCH, month_to=MAY)  # load posts
    with CaptureQueriesContext(connection) as captured:
        stats.rates(data.district, dimension="community", month_from=MARCH, month_to=MAY)
    statements = [q["sql"] for q in captured.captured_queries]
    selects = [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and "GROUP BY" in selects[0]
    # PostgreSQL also sees SET LOCAL jit = off inside a savepoint; nothing else.
    others = [sql for sql in statements if sql not in selects]
    assert all(sql.split()[0].upper() in ("SET", "SAVEPOINT", "RELEASE") for sql in others)
