"""Benchmark: subtree counts at district scale, the ORM next to the same count in raw SQL.

    .venv/bin/python bench/places.py                      # SQLite in var/bench/ (built once)
    .venv/bin/python bench/places.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench

The first run builds the district of DESIGN.md (350,000 households) with
`gongzhi.places.demo`; later runs reuse it. For a street, a community and a grid it times
(median of --runs) the two reads of the place detail page — `selectors.subtree_counts` and
`selectors.with_household_counts` on the children — and the same counts written by hand
(a range predicate on SQLite, a LIKE prefix on PostgreSQL), in the same process. Then it
prints the SQL the ORM produced for one of them and the query plan that shows the index.
See bench/README.md for results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        help="run against this database instead of the SQLite file in var/bench/",
    )
    parser.add_argument("--runs", type=int, default=21, help="timed runs per query (median)")
    return parser.parse_args(argv)


def setup(database_url: str | None) -> None:
    """Point settings at the bench database before Django reads them."""
    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    os.environ["GONGZHI_VAR_DIR"] = str(var)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var / 'places.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongzhi.settings")
    import django

    django.setup()


def median_ms(fn, runs: int) -> float:
    fn()  # warm the caches and the connection
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main(argv=None) -> None:
    args = parse_args(argv)
    setup(args.database_url)

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.places import demo, paths, selectors
    from gongzhi.places.models import Household, Place, PlaceKind

    call_command("migrate", verbosity=0, skip_checks=True)
    vendor = connection.vendor
    print(f"database: {vendor} {connection.settings_dict['NAME']}")
    if Household.objects.count() < demo.DISTRICT.households:
        print("building the district (once) …", flush=True)
        result = demo.build("district")
        print(
            f"built in {result.seconds:.1f} s: {result.created['places']} places, "
            f"{result.created['households']} households"
        )
    if vendor == "postgresql":
        with connection.cursor() as cur:  # fresh planner statistics after the bulk load
            cur.execute("ANALYZE places_place")
            cur.execute("ANALYZE places_household")
    totals = {kind: Place.objects.filter(kind=kind).count() for kind in PlaceKind.values}
    totals["household"] = Household.objects.count()
    print("size: " + ", ".join(f"{kind} {n}" for kind, n in totals.items()))

    def prefix_sql(column: str, rhs: str) -> tuple[str, int]:
        """The hand-written subtree predicate; rhs is '%s' or a column. Returns (sql, n params)."""
        if vendor == "sqlite":
            if rhs == "%s":
                return f"({column} >= %s AND {column} < %s)", 2
            upper = f"(substr({rhs}, 1, length({rhs}) - 1) || '0')"
            return f"({column} >= {rhs} AND {column} < {upper})", 0
        if rhs == "%s":
            return f"{column} LIKE %s", 1
        return f"{column} LIKE ({rhs} || '%%')", 0

    def prefix_params(path: str, n: int) -> list[str]:
        if n == 2:
            return [path, paths.upper_bound(path)]
        return [path + "%"]  # codes are letters and digits: nothing to escape

    def raw_subtree_counts(place) -> dict[str, int]:
        where, n = prefix_sql("path", "%s")
        hwhere, hn = prefix_sql("place_path", "%s")
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT kind, COUNT(*) FROM places_place WHERE {where} AND id <> %s GROUP BY kind",
                [*prefix_params(place.path, n), place.pk],
            )
            counts = {kind: 0 for kind in PlaceKind.values}
            counts.update(dict(cur.fetchall()))
            cur.execute(
                f"SELECT COUNT(*) FROM places_household WHERE {hwhere}",
                prefix_params(place.path, hn),
            )
            counts["household"] = cur.fetchone()[0]
        return counts

    def raw_children(place, pattern_range: bool = False) -> list[tuple[int, int]]:
        hwhere, _ = prefix_sql("h.place_path", "p.path")
        if pattern_range:
            # PostgreSQL: a LIKE whose pattern is a column cannot use the index; the
            # pattern-ops range operators can (varchar_pattern_ops serves ~>=~ and ~<~).
            hwhere = "h.place_path ~>=~ p.path AND h.place_path ~<~ (left(p.path, -1) || '0')"
        with connection.cursor() as cur:
            cur.execute(
                "SELECT p.id, (SELECT COUNT(*) FROM places_household h "
                f"WHERE {hwhere}) FROM places_place p WHERE p.parent_id = %s ORDER BY p.code",
                [place.pk],
            )
            return [tuple(row) for row in cur.fetchall()]

    def orm_children(place) -> list[tuple[int, int]]:
        qs = selectors.with_household_counts(Place.objects.filter(parent=place).order_by("code"))
        return [(p.pk, p.household_count) for p in qs]

    first_street = Place.objects.filter(kind=PlaceKind.STREET).order_by("path").first()
    first_community = Place.objects.filter(parent=first_street).order_by("path").first()
    first_grid = Place.objects.filter(parent=first_community).order_by("path").first()
    rows = []
    for place in (first_street, first_community, first_grid):
        orm_counts, raw_counts = selectors.subtree_counts(place), raw_subtree_counts(place)
        assert orm_counts == raw_counts, (orm_counts, raw_counts)
        assert orm_children(place) == raw_children(place)
        rows.append(
            (
                f"{place.kind} {place.name}",
                "subtree_counts",
                f"{orm_counts['household']} households",
                median_ms(lambda p=place: selectors.subtree_counts(p), args.runs),
                median_ms(lambda p=place: raw_subtree_counts(p), args.runs),
            )
        )
        kids = orm_children(place)
        rows.append(
            (
                "",
                "children + household_count",
                f"{len(kids)} children",
                median_ms(lambda p=place: orm_children(p), args.runs),
                median_ms(lambda p=place: raw_children(p), args.runs),
            )
        )
        if vendor == "postgresql":
            assert raw_children(place, pattern_range=True) == kids
            rows.append(
                (
                    "",
                    "  same, raw ~>=~ ~<~ range",
                    f"{len(kids)} children",
                    None,
                    median_ms(lambda p=place: raw_children(p, True), args.runs),
                )
            )

    print()
    print(f"median of {args.runs} runs, milliseconds")
    header = ("place", "query", "result", "ORM ms", "raw SQL ms")
    widths = [20, 28, 18, 9, 10]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for name, query, result, orm_ms, raw_ms in rows:
        orm_cell = f"{orm_ms:9.2f}" if orm_ms is not None else f"{'—':>9}"
        cells = (name, query, result, orm_cell, f"{raw_ms:10.2f}")
        # CJK names are two columns wide: pad by display width.
        pad = widths[0] - sum(2 if ord(ch) > 0x2E80 else 1 for ch in name)
        print(name + " " * max(pad, 0) + "  " + "  ".join(
            c.ljust(w) for c, w in zip(cells[1:], widths[1:], strict=True)
        ))  # fmt: skip

    explain = "EXPLAIN QUERY PLAN " if vendor == "sqlite" else "EXPLAIN "
    for title, fn in (
        ("household count of the street (subtree_counts)", selectors.subtree_counts),
        ("children of the street with household_count", orm_children),
    ):
        with CaptureQueriesContext(connection) as ctx:
            fn(first_street)
        sql = ctx.captured_queries[-1]["sql"]
        print()
        print(f"ORM SQL, {title}:")
        print(f"  {sql}")
        print("plan:")
        with connection.cursor() as cur:
            cur.execute(explain + sql)
            for row in cur.fetchall():
                print("  " + " ".join(str(c) for c in row if c is not None))


if __name__ == "__main__":
    main()
