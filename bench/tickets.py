"""Benchmark: the two heaviest ticket pages at district scale, each next to its raw SQL.

    .venv/bin/python bench/tickets.py            # PostgreSQL gongzhi_bench (the default here)
    .venv/bin/python bench/tickets.py --database-url postgres://postgres@127.0.0.1:5432/other
    .venv/bin/python bench/tickets.py --build    # build what is missing first (long: see README)

The database must hold the district (`demo_data --scale district`: places, people and
5,000,000 demo tickets over two years, gongzhi/demo/tickets/); `--build` builds what is
missing. Then, medians of --runs after one warm-up:

(a) **a grid worker's queue page** — GET /tickets/queue/ through Django's test client, logged in
    as the grid worker of one grid (the demo login `grid`, 第一网格 of 春园社区): the whole page,
    middleware, `selectors.grid_queue`, the paginator's count, the first page of 30 rows with
    their related rows, the buttons, the template. Next to it the raw SQL fetching the same rows
    (psycopg through Django's connection: the count and the first 30 rows with the same joins,
    filters, order and limit), and the ORM query alone (count + rows, no page).
(b) **a street's monthly statistics** — `stats.rates(user, dimension="community", month_from=m,
    month_to=m)` for the street officer (demo login `street`, 乐坪街道, 10 communities, about
    21,000 tickets a month) for the last full month; next to it one raw SQL aggregate of the
    same counts, checked equal. The statistics page (GET /tickets/stats/…) is timed as well when
    the page exists.

Prints name, median ms, raw SQL median ms, target, rows; then the plans (EXPLAIN ANALYZE) of
the ORM's queries. See bench/README.md for results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import zoneinfo

from benchlib import median_ms, setup  # noqa: E402  (also puts the project on sys.path)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/gongzhi_bench"
TARGETS = {"queue": 100.0, "stats": 300.0}


class _Recorder:
    """The SQL a block runs (the test client's request_started signal empties
    connection.queries, so CaptureQueriesContext sees nothing of a page)."""

    def __init__(self, connection):
        self.connection, self.queries = connection, []

    def _record(self, execute, sql, params, many, context):
        self.queries.append((sql, params))
        return execute(sql, params, many, context)

    def __enter__(self):
        self._cm = self.connection.execute_wrapper(self._record)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=21, help="timed runs per measure (median)")
    parser.add_argument("--build", action="store_true", help="build the district data if missing")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE plans")
    return parser.parse_args(argv)


def _build_if_asked(args) -> None:
    from gongzhi.demo import places as demo
    from gongzhi.tickets.models import Ticket

    count = Ticket.objects.count()
    if count >= 4_000_000:
        return
    if count and not args.build:
        print(f"WARNING: only {count:,} tickets: the district build is not finished")
        return
    if not args.build:
        raise SystemExit(
            "The district tickets are missing: run with --build (places, people and 5,000,000 "
            "tickets; see bench/README.md for how long that takes)."
        )
    started = time.perf_counter()
    result = demo.build("district", people=True, progress=print)
    print(f"built in {time.perf_counter() - started:.0f} s: {list(result.features.values())}")


def main(argv=None) -> None:
    args = parse_args(argv)
    setup(args.database_url, "tickets.sqlite3")

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from gongzhi.core import access, clock
    from gongzhi.core.models import User
    from gongzhi.core.roles import Action
    from gongzhi.tickets import selectors, stats, views, workflow
    from gongzhi.tickets.models import Status, Ticket

    call_command("migrate", verbosity=0, skip_checks=True)
    vendor = connection.vendor
    print(f"database: {vendor} {connection.settings_dict['NAME']}")
    _build_if_asked(args)
    print(f"size: {Ticket.objects.count():,} tickets")
    results = []

    # ---------------------------------------------------------------- (a) the queue page
    grid_user = User.objects.get(username="grid")
    client = Client()
    client.force_login(grid_user)
    url = reverse("tickets:queue")
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    with _Recorder(connection) as page_queries:
        client.get(url)
    page_ms = median_ms(lambda: client.get(url), args.runs)

    def orm_queue():
        qs = selectors.grid_queue(grid_user)
        return qs.count(), list(qs[: views.PAGE_SIZE])

    orm_count, orm_rows = orm_queue()
    orm_ms = median_ms(orm_queue, args.runs)

    (grid_path,) = [g.path for g in access.grants(grid_user, Action.TICKET_ACCEPT)]
    now = clock.now()
    done = (*workflow.TERMINAL, Status.RESOLVED, Status.CONFIRMED)
    open_states = [s for s in Status.values if s not in done]
    grid_states = list(workflow.GRID_STATES)
    if vendor == "postgresql":
        under, params_under = "(t.place_path ~>=~ %s AND t.place_path ~<~ %s)", [grid_path]
    else:
        under, params_under = "(t.place_path >= %s AND t.place_path < %s)", [grid_path]
    params_under.append(grid_path[:-1] + "0")
    in_grid = ", ".join(["%s"] * len(grid_states))
    in_open = ", ".join(["%s"] * len(open_states))
    where = f"t.status IN ({in_grid}) AND {under}"
    overdue = (
        f"(t.status IN ({in_open}) AND ((t.responded_at IS NULL AND t.response_due < %s) "
        "OR (t.resolved_at IS NULL AND t.resolve_due < %s)))"
    )
    raw_count_sql = f"SELECT COUNT(*) FROM tickets_ticket t WHERE {where}"
    raw_rows_sql = (
        f"SELECT t.id, t.number, t.status, t.kind, t.priority, t.text, t.created_at, "
        f"t.response_due, t.resolve_due, c.name, p.name, h.name, s.name, g.name, "
        f"{overdue} AS overdue "
        "FROM tickets_ticket t JOIN tickets_category c ON c.id = t.category_id "
        "JOIN places_place p ON p.id = t.place_id "
        "LEFT JOIN core_user h ON h.id = t.handler_user_id "
        "LEFT JOIN core_user s ON s.id = t.submitter_id "
        "LEFT JOIN places_place g ON g.id = t.grid_id "
        f"WHERE {where} "
        "ORDER BY t.supervised DESC, overdue DESC, (t.status = %s) DESC, t.created_at, t.id "
        f"LIMIT {views.PAGE_SIZE}"
    )
    rows_params = [*open_states, now, now, *grid_states, *params_under, Status.SUBMITTED]

    def raw_queue():
        with connection.cursor() as cur:
            cur.execute(raw_count_sql, [*grid_states, *params_under])
            count = cur.fetchone()[0]
            cur.execute(raw_rows_sql, rows_params)
            return count, cur.fetchall()

    raw_count, raw_rows = raw_queue()
    assert raw_count == orm_count, (raw_count, orm_count)
    assert [r[0] for r in raw_rows] == [t.pk for t in orm_rows], "raw and ORM rows differ"
    raw_ms = median_ms(raw_queue, args.runs)
    results.append(
        ("queue page (grid worker, GET /tickets/queue/)", page_ms, raw_ms, "queue", orm_count)
    )
    results.append(("  selectors.grid_queue: count + page", orm_ms, raw_ms, "queue", orm_count))

    # ---------------------------------------------------------------- (b) street statistics
    street_user = User.objects.get(username="street")
    this_month = clock.today().replace(day=1)
    month = (this_month - dt.timedelta(days=1)).replace(day=1)

    def orm_stats():
        return stats.rates(street_user, dimension="community", month_from=month, month_to=month)

    report = orm_stats()
    with _Recorder(connection) as stats_queries:
        orm_stats()
    stats_ms = median_ms(orm_stats, args.runs)

    (street_path,) = [g.path for g in access.grants(street_user, Action.TICKET_STATS)]
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    end = dt.datetime(this_month.year, this_month.month, 1, tzinfo=tz)
    raw_stats_sql = (
        "SELECT g.parent_id, COUNT(*), "
        "COUNT(*) FILTER (WHERE t.responded_at IS NOT NULL OR t.response_due < %s), "
        "COUNT(*) FILTER (WHERE t.responded_at <= t.response_due), "
        "COUNT(*) FILTER (WHERE t.status IN ('resolved', 'confirmed', 'closed')), "
        "COUNT(*) FILTER (WHERE t.status IN ('resolved', 'confirmed', 'closed') "
        "AND t.resolved_at <= t.resolve_due), "
        "COUNT(*) FILTER (WHERE t.rating IS NOT NULL), "
        "COUNT(*) FILTER (WHERE t.rating >= 4), "
        "COUNT(*) FILTER (WHERE t.status = 'closed'), "
        "COUNT(*) FILTER (WHERE t.status = 'closed' AND t.level = 'grid') "
        "FROM tickets_ticket t JOIN places_place g ON g.id = t.grid_id "
        f"WHERE {under} AND t.created_at >= %s AND t.created_at < %s "
        "AND t.status <> 'merged' GROUP BY g.parent_id"
    )
    if vendor != "postgresql":
        raw_stats_sql = raw_stats_sql.replace("COUNT(*) FILTER (WHERE", "SUM(CASE WHEN").replace(
            "), ", " THEN 1 ELSE 0 END), "
        )
    stats_params = [now, street_path, street_path[:-1] + "0", start, end]

    def raw_stats():
        with connection.cursor() as cur:
            cur.execute(raw_stats_sql, stats_params)
            return cur.fetchall()

    raw = {r[0]: list(r[1:]) for r in raw_stats()}
    orm = {row.key: [row.counts[n] for n in stats.COUNT_NAMES] for row in report.rows}
    assert raw == orm, ("raw and ORM statistics differ", raw, orm)
    raw_stats_ms = median_ms(raw_stats, args.runs)
    tickets_in_month = report.total.counts["tickets"]
    results.append(
        (
            f"street monthly statistics ({month:%Y-%m}, by community): stats.rates",
            stats_ms,
            raw_stats_ms,
            "stats",
            f"{len(report.rows)} rows / {tickets_in_month:,} tickets",
        )
    )
    try:
        stats_url = reverse("tickets:stats")
    except NoReverseMatch:
        stats_url = None
    if stats_url:
        street_client = Client()
        street_client.force_login(street_user)
        page_url = f"{stats_url}?dimension=community&from={month:%Y-%m}&to={month:%Y-%m}"
        status = street_client.get(page_url).status_code
        if status == 200:
            page_stats_ms = median_ms(lambda: street_client.get(page_url), args.runs)
            results.append(
                (
                    f"  statistics page (GET {stats_url})",
                    page_stats_ms,
                    raw_stats_ms,
                    "stats",
                    f"{len(report.rows)} rows",
                )
            )
        else:
            print(f"statistics page {page_url}: HTTP {status}, not timed")

    # ---------------------------------------------------------------- the table
    print()
    header = f"{'measure':<72} {'median ms':>10} {'raw SQL ms':>11} {'target ms':>10}  rows"
    print(header)
    print("-" * len(header))
    for name, ms, raw_ms_, target, rows in results:
        verdict = "ok" if ms < TARGETS[target] else "MISSED"
        print(
            f"{name:<72} {ms:>10.1f} {raw_ms_:>11.1f} {TARGETS[target]:>8.0f} {verdict:>3}  {rows}"
        )
    print()
    print(
        f"queue page: {len(page_queries.queries)} queries; statistics: "
        f"{len(stats_queries.queries)} query"
    )
    if args.explain and vendor == "postgresql":
        for title, queries in (("queue page", page_queries), ("statistics", stats_queries)):
            for sql, params in queries.queries:
                if "tickets_ticket" not in sql:
                    continue
                print(f"\n--- {title}: {sql[:160]}…")
                with connection.cursor() as cur:
                    cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    print("\n".join(r[0] for r in cur.fetchall()))


if __name__ == "__main__":
    main()
