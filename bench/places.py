"""Benchmark: subtree counts at district scale, the ORM next to the same count in raw SQL.

    .venv/bin/python bench/places.py                      # SQLite in var/bench/ (built once)
    .venv/bin/python bench/places.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench

The first run builds the district of DESIGN.md (350,000 households) with
`gongzhi.demo.places`; later runs reuse it. For a street, a community and a grid it times
(median of --runs) the two reads of the place detail page — `selectors.subtree_counts` and
`selectors.with_household_counts` on the children — and, next to each, its floor: the same
counts written by hand in raw SQL, measured in the same process. The floor is the fastest
honest raw query: a byte range `p <= path < p'` (on PostgreSQL with `~>=~ … ~<~`, which the
varchar_pattern_ops index serves), for a literal path and for the correlated children count.

The raw children query reads only (id, count), the page's query whole rows; so that the gap is
not mistaken for database work, the children list is also timed through the ORM reading fewer
columns (`.only("id", "path")`) and only the values (`.values_list("id", "household_count")`),
and the time the ORM takes to build that query's SQL without running it is printed. Then it
prints the SQL the ORM produced and the query plans that show the index.
See bench/README.md for results.
"""

from __future__ import annotations

import argparse

from benchlib import median_ms, setup  # noqa: E402  (also puts the project on sys.path)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        help="run against this database instead of the SQLite file in var/bench/",
    )
    parser.add_argument("--runs", type=int, default=21, help="timed runs per query (median)")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    setup(args.database_url, "places.sqlite3")

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gongzhi.demo import paths, selectors
    from gongzhi.demo import places as demo
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

    # The raw floor is a byte range on both databases: `p <= path < p'`, where p' is p with its
    # last "/" turned into "0". SQLite's ordinary index serves < and >=; on PostgreSQL the
    # household_path_like index (varchar_pattern_ops) serves ~>=~ and ~<~. A LIKE 'p%' uses
    # the same index on PostgreSQL but rechecks the pattern on every row, and a LIKE whose
    # pattern is a column cannot use the index at all.
    lt, ge = ("<", ">=") if vendor == "sqlite" else ("~<~", "~>=~")
    left = "substr({0}, 1, length({0}) - 1)" if vendor == "sqlite" else "left({0}, -1)"

    def prefix_sql(column: str, rhs: str) -> tuple[str, int]:
        """The hand-written subtree predicate; rhs is '%s' or a column. Returns (sql, n params)."""
        if rhs == "%s":
            return f"({column} {ge} %s AND {column} {lt} %s)", 2
        return f"({column} {ge} {rhs} AND {column} {lt} ({left.format(rhs)} || '0'))", 0

    def prefix_params(path: str) -> list[str]:
        return [path, paths.upper_bound(path)]

    def raw_subtree_counts(place) -> dict[str, int]:
        where, _ = prefix_sql("path", "%s")
        hwhere, _ = prefix_sql("place_path", "%s")
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT kind, COUNT(*) FROM places_place WHERE {where} AND id <> %s GROUP BY kind",
                [*prefix_params(place.path), place.pk],
            )
            counts = {kind: 0 for kind in PlaceKind.values}
            counts.update(dict(cur.fetchall()))
            cur.execute(
                f"SELECT COUNT(*) FROM places_household WHERE {hwhere}",
                prefix_params(place.path),
            )
            counts["household"] = cur.fetchone()[0]
        return counts

    def raw_children(place) -> list[tuple[int, int]]:
        hwhere, _ = prefix_sql("h.place_path", "p.path")
        with connection.cursor() as cur:
            cur.execute(
                "SELECT p.id, (SELECT COUNT(*) FROM places_household h "
                f"WHERE {hwhere}) FROM places_place p WHERE p.parent_id = %s ORDER BY p.code",
                [place.pk],
            )
            return [tuple(row) for row in cur.fetchall()]

    def children_qs(place):
        return selectors.with_household_counts(Place.objects.filter(parent=place).order_by("code"))

    def orm_children(place) -> list[tuple[int, int]]:
        """What the page does: whole Place rows (boundary JSON included) as model instances."""
        return [(p.pk, p.household_count) for p in children_qs(place)]

    def orm_children_only(place) -> list[tuple[int, int]]:
        """Model instances of two columns: the cost of the columns the page does not need."""
        return [(p.pk, p.household_count) for p in children_qs(place).only("id", "path")]

    def orm_children_values(place) -> list[tuple[int, int]]:
        """Tuples of (id, count), like the raw query: the ORM's own overhead is what is left."""
        return list(children_qs(place).values_list("id", "household_count"))

    first_street = Place.objects.filter(kind=PlaceKind.STREET).order_by("path").first()
    first_community = Place.objects.filter(parent=first_street).order_by("path").first()
    first_grid = Place.objects.filter(parent=first_community).order_by("path").first()
    rows = []
    for place in (first_street, first_community, first_grid):
        orm_counts, raw_counts = selectors.subtree_counts(place), raw_subtree_counts(place)
        assert orm_counts == raw_counts, (orm_counts, raw_counts)
        kids = raw_children(place)
        for variant in (orm_children, orm_children_only, orm_children_values):
            assert variant(place) == kids, variant.__name__
        rows.append(
            (
                f"{place.kind} {place.name}",
                "subtree_counts",
                f"{orm_counts['household']} households",
                median_ms(lambda p=place: selectors.subtree_counts(p), args.runs),
                median_ms(lambda p=place: raw_subtree_counts(p), args.runs),
            )
        )
        # One floor for the three variants: the same raw (id, count) query, timed once.
        raw_ms = median_ms(lambda p=place: raw_children(p), args.runs)
        for label, fn in (
            ("children + household_count", orm_children),
            ('  same, .only("id", "path")', orm_children_only),
            ("  same, .values_list()", orm_children_values),
        ):
            rows.append(
                (
                    "",
                    label,
                    f"{len(kids)} children",
                    median_ms(lambda p=place, f=fn: f(p), args.runs),
                    raw_ms,
                )
            )

    print()
    print(f"median of {args.runs} runs, milliseconds")
    header = ("place", "query", "result", "ORM ms", "raw SQL ms")
    widths = [20, 28, 18, 9, 10]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for name, query, result, orm_ms, raw_ms in rows:
        cells = (name, query, result, f"{orm_ms:9.2f}", f"{raw_ms:10.2f}")
        # CJK names are two columns wide: pad by display width.
        pad = widths[0] - sum(2 if ord(ch) > 0x2E80 else 1 for ch in name)
        print(name + " " * max(pad, 0) + "  " + "  ".join(
            c.ljust(w) for c, w in zip(cells[1:], widths[1:], strict=True)
        ))  # fmt: skip

    def compile_children(place) -> None:
        qs = children_qs(place).values_list("id", "household_count")
        qs.query.get_compiler(using=connection.alias).as_sql()

    print()
    print(
        "ORM overhead without the database: building the children queryset and compiling its "
        f"SQL takes {median_ms(lambda: compile_children(first_street), args.runs):.2f} ms"
    )

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
