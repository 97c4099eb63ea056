"""Benchmark: computing an assessment round for every community of the district, next to the
floor of the same indicators.

    .venv/bin/python bench/evaluation.py                 # SQLite var/bench/evaluation-small.sqlite3
    .venv/bin/python bench/evaluation.py --scale district --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench_ev

The places are the demo's (`gongzhi.demo.places`; `--scale small`: one street of 5
communities; `--scale district`: the district of DESIGN.md, 100 communities), built when
missing, with the feature demos when `--features` is given (tickets, volunteers… so the
indicators have rows to count; without them most figures are "no data", which costs the same
queries). A round "基准考核" of the district (the first district place) for last year is opened
once through the service (the index system in force: the platform default unless a profile
overrides it) and then, medians of --runs after one warm-up:

(a) **the round** — `services.compute_now(round)`: every indicator of the system for every
    community (core.indicators.compute, one or a few aggregate queries per indicator), the
    engine, ranks, and the rows updated in bulk (the Score and Part rows are kept and updated
    on a recomputation, as in production). The number of queries is printed: it does not
    grow with the communities.
(b) **the indicators alone** — `core.indicators.compute(codes, communities, period)`: the part
    of (a) the apps' indicator functions take.
(c) **raw SQL floor** — the tickets' counts behind the five ticket indicators (created,
    responded, resolved, rated satisfied…, per community, the period's tickets) as one
    hand-written GROUP BY over tickets_ticket joined to the grid, plus one COUNT(*) GROUP BY
    per other indicator app's main table; the floor of what any implementation must read.

See bench/README.md for results.
"""

from __future__ import annotations

import argparse
import time

from benchlib import median_ms, setup  # noqa: E402  (also puts the project on sys.path)

TITLE = "基准考核"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="instead of the SQLite file in var/bench/")
    parser.add_argument("--scale", default="small", help="demo scale of the places")
    parser.add_argument("--features", action="store_true", help="also build the feature demos")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (median)")
    return parser.parse_args(argv)


FLOOR_TABLES = (  # (table, date column) of the other indicator apps, counted per place path
    ("volunteering_volunteer", None),
    ("organisations_organisation", None),
    ("mediation_case", None),
    ("workforce_worker", None),
)


def main(argv=None) -> None:  # noqa: C901, PLR0915  (one script, read top to bottom)
    args = parse_args(argv)
    setup(args.database_url, f"evaluation-{args.scale}.sqlite3")

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.core import clock, indicators
    from gongzhi.core.indicators import Period
    from gongzhi.core.models import User
    from gongzhi.demo import places as demo
    from gongzhi.evaluation import services
    from gongzhi.evaluation import system as systems
    from gongzhi.evaluation.models import Part, Round, Score
    from gongzhi.places.models import Household, Place

    call_command("migrate", verbosity=0, skip_checks=True)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if not Household.objects.exists():
        print(f"building the {args.scale} demo places (once) …", flush=True)
        started = time.perf_counter()
        demo.build(args.scale, people=args.features, features=args.features)
        print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    area = Place.objects.filter(kind="district").order_by("path").first()
    assert area is not None
    actor = User.objects.filter(is_superuser=True).first() or User.objects.get(username="district")
    year = clock.today().year - 1
    period = Period.year(year)
    rnd = Round.objects.filter(place=area, title=TITLE).first()
    if rnd is None:
        rnd = services.open_round(
            actor=actor, place=area, period=period, title=TITLE, compute=False
        )
    communities = services.communities_of(rnd)
    index_system = systems.System.from_json(rnd.system)
    codes = [c for c in index_system.indicator_codes() if indicators.get(c) is not None]
    missing = [c for c in index_system.indicator_codes() if indicators.get(c) is None]
    print(
        f"{len(communities)} communities, {len(codes)} registered indicators"
        + (f" (not registered, scored as no data: {', '.join(missing)})" if missing else "")
    )

    with CaptureQueriesContext(connection) as first:
        services.compute_now(rnd.pk)
    rows = Score.objects.filter(round=rnd).count(), Part.objects.filter(score__round=rnd).count()
    print(
        f"first computation: {len(first.captured_queries)} queries, {rows[0]} scores, {rows[1]} parts"
    )

    def compute_round() -> None:
        Round.objects.filter(pk=rnd.pk).update(status="computing")
        services.compute_now(rnd.pk)

    with CaptureQueriesContext(connection) as again:
        compute_round()
    round_ms = median_ms(compute_round, args.runs)
    indicators_ms = median_ms(lambda: indicators.compute(codes, communities, period), args.runs)

    ids = [p.pk for p in communities]
    marks = ",".join(["%s"] * len(ids))
    start = f"{period.start.isoformat()} 00:00:00"
    end = f"{period.end.isoformat()} 00:00:00"
    ticket_sql = (  # stats.count_expressions by hand
        "SELECT g.parent_id, COUNT(*), "
        "SUM(CASE WHEN t.responded_at IS NOT NULL OR t.response_due < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.responded_at <= t.response_due THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.status IN ('resolved', 'closed') THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.status IN ('resolved', 'closed') AND t.resolved_at <= t.resolve_due "
        "THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.rating IS NOT NULL THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.rating >= 4 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.status = 'closed' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN t.status = 'closed' AND t.level = 'grid' THEN 1 ELSE 0 END) "
        "FROM tickets_ticket t JOIN places_place g ON g.id = t.grid_id "
        f"WHERE g.parent_id IN ({marks}) AND t.created_at >= %s AND t.created_at < %s "
        "AND t.status <> 'merged' GROUP BY g.parent_id"
    )
    now = clock.now().strftime("%Y-%m-%d %H:%M:%S")

    def floor() -> int:
        found = 0
        with connection.cursor() as cursor:
            try:
                cursor.execute(ticket_sql, [now, *ids, start, end])
                found += len(cursor.fetchall())
            except Exception as error:  # noqa: BLE001 - a schema the floor does not know
                print(f"  (ticket floor skipped: {error})")
            for table, _ in FLOOR_TABLES:
                try:
                    cursor.execute(
                        f"SELECT substr(place_path, 1, 40), COUNT(*) FROM {table} "  # noqa: S608
                        "GROUP BY substr(place_path, 1, 40)"
                    )
                    found += len(cursor.fetchall())
                except Exception:  # noqa: BLE001, S112 - a table without place_path
                    continue
        return found

    try:
        floor_ms = median_ms(floor, args.runs)
    except Exception as error:  # noqa: BLE001
        connection.close()
        floor_ms = float("nan")
        print(f"floor failed: {error}")

    print()
    print(f"{'':44} {'median ms':>10}")
    print(
        f"{'(a) compute the round (' + str(len(communities)) + ' communities)':44} {round_ms:>10.1f}"
    )
    print(f"{'    queries per computation':44} {len(again.captured_queries):>10}")
    print(f"{'(b) the indicators alone':44} {indicators_ms:>10.1f}")
    print(f"{'(c) raw SQL floor of the same counts':44} {floor_ms:>10.1f}")


if __name__ == "__main__":
    main()
