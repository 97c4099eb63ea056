"""Benchmark: a household notice to every household of the district (350,000), and its
receipts counted, next to a raw-SQL floor.

    .venv/bin/python bench/care_notices.py                # SQLite var/bench/places.sqlite3
    .venv/bin/python bench/care_notices.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench
    .venv/bin/python bench/care_notices.py --scale small  # a quick look on the small demo

It reuses the district that bench/places.py builds (`gongzhi.demo.places`, 350,000 households;
built here too when missing). Then, medians of --runs (each run's notice deleted afterwards,
outside the timing):

(a) **send** — `care.services.send_notice(district, …)` as a system admin: the notice row, the
    deliveries written by one INSERT … SELECT, the audit record and the building heads told.
    Floor: the same deliveries written by hand, `INSERT INTO care_delivery (notice_id,
    household_id, place_path) SELECT %s, id, place_path FROM places_household`. The peak of
    Python memory during a send (tracemalloc) is printed: it must not grow with the households
    (the rows never come into Python).
(b) **count** — with 30 % of the households marked read, `care.selectors.figures(admin, notice)`
    (households, read, texted in one aggregate) and the notices list row
    (`selectors.notice_rows(admin)` for that notice: households and read by correlated
    subqueries). Floor: `SELECT count(*), count(read_at), count(sms_at) FROM care_delivery
    WHERE notice_id = %s`, results checked equal.

Prints name, median ms, floor ms, rows, peak memory; then the plans of the counts.
See bench/README.md for results.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from benchlib import median_ms, setup  # noqa: E402  (also puts the project on sys.path)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        help="run against this database instead of the SQLite file in var/bench/",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed sends (median)")
    parser.add_argument("--count-runs", type=int, default=11, help="timed counts (median)")
    parser.add_argument("--scale", default="district", help="demo scale to build when missing")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    name = "places.sqlite3" if args.scale == "district" else f"places-{args.scale}.sqlite3"
    setup(args.database_url, name)

    from django.core.management import call_command
    from django.db import connection, transaction

    from gongzhi.care import selectors, services
    from gongzhi.care.models import Delivery, Notice
    from gongzhi.core.models import User
    from gongzhi.demo import places as demo
    from gongzhi.places.models import Household, Place, PlaceKind

    call_command("migrate", verbosity=0, skip_checks=True)
    vendor = connection.vendor
    print(f"database: {vendor} {connection.settings_dict['NAME']}")
    if not Household.objects.exists():
        print(f"building the {args.scale} demo places (once) …", flush=True)
        demo.build(args.scale)
    district = Place.objects.filter(kind=PlaceKind.DISTRICT).order_by("path").first()
    assert district is not None
    households = Household.objects.filter(place_path__under=district.path).count()
    print(f"district {district.name}: {households} households")
    admin = User.objects.filter(is_superuser=True, is_active=True).first()
    if admin is None:
        admin = User.objects.create_superuser(username="bench-care", password=None, name="bench")
    table = Delivery._meta.db_table

    def clear() -> None:
        with transaction.atomic():
            Delivery.objects.filter(notice__title="bench").delete()
            Notice.objects.filter(title="bench").delete()

    def send() -> Notice:
        return services.send_notice(
            district, actor=admin, kind="weather", title="bench", body="typhoon warning"
        )

    clear()
    sends, floors = [], []
    peak = 0
    for _ in range(args.runs):
        tracemalloc.start()
        started = time.perf_counter()
        notice = send()
        sends.append((time.perf_counter() - started) * 1000)
        peak = max(peak, tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert notice.households == households, (notice.households, households)
        clear()
        floor_notice = Notice.objects.create(
            place=district,
            place_path=district.path,
            kind="weather",
            title="bench",
            body="floor",
            sent_by=admin,
        )
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (notice_id, household_id, place_path) "  # noqa: S608
                "SELECT %s, id, place_path FROM places_household",
                [floor_notice.pk],
            )
        floors.append((time.perf_counter() - started) * 1000)
        clear()
    sends.sort()
    floors.sort()
    print(f"{'name':<34}{'median ms':>12}{'floor ms':>12}{'rows':>10}")
    print(
        f"{'send to the district':<34}{sends[len(sends) // 2]:>12.0f}"
        f"{floors[len(floors) // 2]:>12.0f}{households:>10}"
    )
    print(f"peak Python memory during a send: {peak / 1024:.0f} KiB")

    notice = send()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET read_at = %s WHERE notice_id = %s AND household_id %% 10 < 3",  # noqa: S608
            [notice.sent_at, notice.pk],
        )
    if vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}")
    raw_sql = f"SELECT count(*), count(read_at), count(sms_at) FROM {table} WHERE notice_id = %s"  # noqa: S608

    def raw():
        with connection.cursor() as cur:
            cur.execute(raw_sql, [notice.pk])
            return cur.fetchone()

    figures = selectors.figures(admin, notice)
    assert (figures.households, figures.read, figures.texted) == tuple(raw()), (figures, raw())
    row = selectors.notice_rows(admin).get(pk=notice.pk)
    assert (row.in_scope, row.read) == (figures.households, figures.read)
    count_ms = median_ms(lambda: selectors.figures(admin, notice), args.count_runs)
    list_ms = median_ms(
        lambda: list(selectors.notice_rows(admin).filter(pk=notice.pk)), args.count_runs
    )
    raw_ms = median_ms(raw, args.count_runs)
    print(f"{'count receipts (figures)':<34}{count_ms:>12.1f}{raw_ms:>12.1f}{households:>10}")
    print(f"{'notices list row':<34}{list_ms:>12.1f}{raw_ms:>12.1f}{households:>10}")
    print(f"read: {figures.read} of {figures.households}")
    explain = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN "
    qs = Delivery.objects.filter(notice=notice)
    sql, params = qs.values("pk").query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(explain + raw_sql, [notice.pk])
        print("plan of the floor count:")
        for line in cur.fetchall():
            print("  ", line)
        cur.execute(explain + sql, params)
        print("plan of the deliveries of a notice:")
        for line in cur.fetchall():
            print("  ", line)
    clear()


if __name__ == "__main__":
    main()
