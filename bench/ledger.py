"""Benchmark: the points and time-bank ledger at district scale, next to raw SQL.

    .venv/bin/python bench/ledger.py                        # SQLite in var/bench/ledger.sqlite3
    .venv/bin/python bench/ledger.py --database-url postgres://postgres@127.0.0.1:5432/gongzhi_bench_ledger
    .venv/bin/python bench/ledger.py --entries 2000000      # smaller

The first run builds the ledger (later runs reuse it when it has at least --entries entries):
100 communities, each with a points issuer and an hours issuer; 2,000 merchants; 1,000,000
residents with a points account and 1 in 10 of them with an hours account; --entries entries
over 36 months (2023-01 … 2025-12), in created_at order: points earned from the community's
issuer, points spent at merchants (only what the resident has), hours deposited and withdrawn.
The entries are generated as a stream and bulk-loaded with raw SQL in batches (`executemany` on
SQLite, `COPY` on PostgreSQL); the generator keeps only an array of balances (8 bytes an
account), so memory stays flat whatever --entries. Balances are written at the end, and
`verify_ledger()` can check them (--verify).

Then, in one process against one database, each ORM/service figure next to the raw SQL that
does the same work (median of --repeat runs, milliseconds):

- the stored balance of one resident (`ledger.balance`) and the balance as the sum of the
  resident's entries (`ledger.recompute_balance`, two sums over the (account, created_at)
  indexes) — also for one community issuer, the account with the most entries;
- the monthly statement of one resident and of one merchant (`ledger.statement` + reading the
  month's entries);
- posting throughput: `ledger.transfer()` sequentially, and the same transaction in raw SQL
  (lock the two accounts, insert the entry, update two balances, commit); on PostgreSQL also
  2 threads (two communities, so two issuers).
See bench/README.md for results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import threading
import time
from array import array

from benchlib import median_ms, setup  # noqa: E402  (also puts the project on sys.path)

COMMUNITIES = 100
MERCHANTS = 2_000
MONTHS = 36
FIRST_MONTH = (2023, 1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="instead of the SQLite file in var/bench/")
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=20_000, help="rows per insert batch")
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--posts", type=int, default=2_000, help="transfers per throughput run")
    parser.add_argument("--verify", action="store_true", help="run verify_ledger() and time it")
    parser.add_argument("--rebuild", action="store_true", help="empty the ledger and build again")
    return parser.parse_args(argv)


# --- Building ----------------------------------------------------------------------------


class Layout:
    """Account ids, fixed so that the generator needs no lookups."""

    def __init__(self, residents: int):
        self.residents = residents
        self.hours_residents = residents // 10
        self.issuer_points = 1  # ids 1..100
        self.issuer_hours = self.issuer_points + COMMUNITIES  # 101..200
        self.merchant = self.issuer_hours + COMMUNITIES  # 201..2200
        self.resident_points = self.merchant + MERCHANTS
        self.resident_hours = self.resident_points + residents
        self.total = self.resident_hours + self.hours_residents - 1

    def community_of(self, resident: int) -> int:
        return resident % COMMUNITIES

    def rows(self, now):
        """(id, currency, owner_kind, owner_id, place_path, allow_negative, balance, created_at)"""
        for c in range(COMMUNITIES):
            yield (self.issuer_points + c, "points", "issuer", c + 1, f"c{c}/", True, 0, now)
        for c in range(COMMUNITIES):
            yield (self.issuer_hours + c, "hours", "issuer", c + 1, f"c{c}/", True, 0, now)
        for m in range(MERCHANTS):
            yield (self.merchant + m, "points", "merchant", m + 1, f"c{m % 100}/", False, 0, now)
        for r in range(self.residents):
            path = f"c{self.community_of(r)}/"
            yield (self.resident_points + r, "points", "resident", r + 1, path, False, 0, now)
        for r in range(self.hours_residents):
            path = f"c{self.community_of(r)}/"
            yield (self.resident_hours + r, "hours", "resident", r + 1, path, False, 0, now)


def generate(layout: Layout, entries: int, balances: array, seed: int = 2026):
    """Yield (debit, credit, amount, reason, key, created_at) in created_at order."""
    from django.utils import timezone

    rnd = random.Random(seed)
    tz = timezone.get_default_timezone()
    per_month = entries // MONTHS
    n = 0
    year, month = FIRST_MONTH
    for m in range(MONTHS):
        start = dt.datetime(year, month, 1, tzinfo=tz)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = dt.datetime(year, month, 1, tzinfo=tz)
        span = (end - start).total_seconds()
        count = per_month if m < MONTHS - 1 else entries - n
        offsets = sorted(rnd.random() * span for _ in range(count))
        for off in offsets:
            at = start + dt.timedelta(seconds=off)
            roll = rnd.random()
            if roll < 0.88:  # points
                r = rnd.randrange(layout.residents)
                acc = layout.resident_points + r
                amount = rnd.randrange(5, 60)
                if roll < 0.30 and balances[acc] >= amount:
                    debit, credit, reason = (
                        acc,
                        layout.merchant + rnd.randrange(MERCHANTS),
                        "redeem",
                    )
                else:
                    debit, credit = layout.issuer_points + layout.community_of(r), acc
                    reason = "activity"
            else:  # hours, in minutes
                r = rnd.randrange(layout.hours_residents)
                acc = layout.resident_hours + r
                amount = rnd.choice((30, 60, 90, 120))
                issuer = layout.issuer_hours + layout.community_of(r)
                if roll < 0.92 and balances[acc] >= amount:
                    debit, credit, reason = acc, issuer, "withdraw"
                else:
                    debit, credit, reason = issuer, acc, "service"
            balances[debit] -= amount
            balances[credit] += amount
            n += 1
            yield (debit, credit, amount, reason, f"b{n}", at)


def batched(iterable, size):
    batch = []
    for item in iterable:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


ACCOUNT_COLS = "id, currency, owner_kind, owner_id, place_path, allow_negative, balance, created_at"
ENTRY_COLS = (
    "debit_id, credit_id, amount, reason_code, reason_text, source_type, source_id, "
    "idempotency_key, created_at"
)


def empty_ledger():
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_ledgerentry")
        cur.execute("DELETE FROM core_ledgeraccount")


def build(args) -> Layout:
    from django.db import connection, transaction

    from gongzhi.core import clock
    from gongzhi.core.models import LedgerAccount, LedgerEntry

    layout = Layout(args.residents)
    have = LedgerEntry.objects.count()
    accounts = LedgerAccount.objects.count()
    if have >= args.entries and accounts == layout.total and not args.rebuild:
        print(f"ledger: reusing {have:,} entries")
        return layout
    if have or LedgerAccount.objects.exists():
        print("ledger: emptying the tables to build again")
        empty_ledger()
    pg = connection.vendor == "postgresql"
    t0 = time.perf_counter()
    now = clock.now()
    adapt = connection.ops.adapt_datetimefield_value
    if not pg:
        with connection.cursor() as cur:
            cur.execute("PRAGMA cache_size = -262144")  # 256 MB for this connection

    # Accounts.
    with transaction.atomic():
        if pg:
            with (
                connection.cursor() as cur,
                cur.copy(f"COPY core_ledgeraccount ({ACCOUNT_COLS}) FROM STDIN") as copy,
            ):
                for row in layout.rows(now):
                    copy.write_row(row)
            with connection.cursor() as cur:
                cur.execute(
                    "SELECT setval(pg_get_serial_sequence('core_ledgeraccount', 'id'), %s)",
                    [layout.total],
                )
        else:
            stamp = adapt(now)
            sql = (
                f"INSERT INTO core_ledgeraccount ({ACCOUNT_COLS}) VALUES ({', '.join(['%s'] * 8)})"
            )
            with connection.cursor() as cur:
                for batch in batched(layout.rows(stamp), 50_000):
                    cur.executemany(sql, batch)
    t1 = time.perf_counter()
    print(f"accounts: {layout.total:,} in {t1 - t0:.1f} s")

    # Entries, streamed.
    balances = array("q", bytes(8 * (layout.total + 1)))
    written = 0
    insert = f"INSERT INTO core_ledgerentry ({ENTRY_COLS}) VALUES (%s,%s,%s,%s,'','','',%s,%s)"
    for batch in batched(generate(layout, args.entries, balances), args.batch):
        with transaction.atomic():
            if pg:
                with (
                    connection.cursor() as cur,
                    cur.copy(f"COPY core_ledgerentry ({ENTRY_COLS}) FROM STDIN") as copy,
                ):
                    for d, c, a, r, k, at in batch:
                        copy.write_row((d, c, a, r, "", "", "", k, at))
            else:
                rows = [(d, c, a, r, k, adapt(at)) for d, c, a, r, k, at in batch]
                with connection.cursor() as cur:
                    cur.executemany(insert, rows)
        written += len(batch)
        if written % 1_000_000 < args.batch:
            rate = written / (time.perf_counter() - t1)
            print(f"  {written:,} entries, {rate:,.0f}/s", flush=True)
    t2 = time.perf_counter()
    print(f"entries: {written:,} in {t2 - t1:.1f} s ({written / (t2 - t1):,.0f}/s)")

    # Balances.
    nonzero = ((b, i) for i, b in enumerate(balances) if b)
    with transaction.atomic():
        if pg:
            with connection.cursor() as cur:
                cur.execute("CREATE TEMP TABLE bench_balance (id bigint, balance bigint)")
                with cur.copy("COPY bench_balance (balance, id) FROM STDIN") as copy:
                    for row in nonzero:
                        copy.write_row(row)
                cur.execute(
                    "UPDATE core_ledgeraccount a SET balance = b.balance "
                    "FROM bench_balance b WHERE a.id = b.id"
                )
                cur.execute("DROP TABLE bench_balance")
        else:
            with connection.cursor() as cur:
                for batch in batched(nonzero, 50_000):
                    cur.executemany(
                        "UPDATE core_ledgeraccount SET balance = %s WHERE id = %s", batch
                    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    t3 = time.perf_counter()
    print(f"balances and ANALYZE: {t3 - t2:.1f} s; build total {t3 - t0:.1f} s")
    return layout


# --- Measuring ---------------------------------------------------------------------------


def raw(sql, params):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


RAW_SUM = (
    "SELECT COALESCE((SELECT SUM(amount) FROM core_ledgerentry WHERE credit_id = %s), 0)"
    " - COALESCE((SELECT SUM(amount) FROM core_ledgerentry WHERE debit_id = %s), 0)"
)
RAW_OPENING = (
    "SELECT COALESCE((SELECT SUM(amount) FROM core_ledgerentry"
    " WHERE credit_id = %s AND created_at < %s), 0)"
    " - COALESCE((SELECT SUM(amount) FROM core_ledgerentry"
    " WHERE debit_id = %s AND created_at < %s), 0)"
)
RAW_MONTH = (
    "SELECT id, debit_id, credit_id, amount, reason_code, created_at FROM core_ledgerentry"
    " WHERE credit_id = %s AND created_at >= %s AND created_at < %s"
    " UNION ALL"
    " SELECT id, debit_id, credit_id, amount, reason_code, created_at FROM core_ledgerentry"
    " WHERE debit_id = %s AND created_at >= %s AND created_at < %s"
    " ORDER BY created_at, id"
)


def raw_statement(pk, start, end):
    from django.db import connection

    s, e = (connection.ops.adapt_datetimefield_value(x) for x in (start, end))
    opening = raw(RAW_OPENING, [pk, s, pk, s])[0][0]
    rows = raw(RAW_MONTH, [pk, s, e, pk, s, e])
    credits = sum(r[3] for r in rows if r[2] == pk)
    debits = sum(r[3] for r in rows if r[1] == pk)
    return opening, credits, debits, len(rows)


def orm_statement(account, year, month):
    from gongzhi.core import ledger

    st = ledger.statement(account, year, month)
    return st.opening, st.credits, st.debits, len(list(st.entries))


def explain(sql):
    from django.db import connection

    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cur:
        cur.execute(prefix + sql)
        return ["  " + " ".join(str(c) for c in row) for row in cur.fetchall()]


def reads(layout, repeat):
    from django.db import connection

    from gongzhi.core import ledger
    from gongzhi.core.models import LedgerAccount

    year, month = 2025, 6
    start, end = ledger.month_bounds(year, month)
    # A resident who earned in the statement month, a merchant, and a community's issuer (the
    # account with the most entries).
    first = raw(
        "SELECT credit_id FROM core_ledgerentry WHERE created_at >= %s AND credit_id >= %s"
        " AND credit_id < %s ORDER BY created_at LIMIT 1",
        [
            connection.ops.adapt_datetimefield_value(start),
            layout.resident_points,
            layout.resident_hours,
        ],
    )
    resident = LedgerAccount.objects.get(pk=first[0][0])
    merchant = LedgerAccount.objects.get(pk=layout.merchant + 17)
    issuer = LedgerAccount.objects.get(pk=layout.issuer_points + 21)
    rows = []

    def row(label, what, result, orm_fn, raw_fn):
        orm_ms = median_ms(orm_fn, repeat)
        raw_ms = median_ms(raw_fn, repeat)
        rows.append((label, what, result, orm_ms, raw_ms))

    for label, acc in (("resident", resident), ("merchant", merchant), ("issuer", issuer)):
        stored = ledger.balance(acc)
        assert raw("SELECT balance FROM core_ledgeraccount WHERE id = %s", [acc.pk])[0][0] == stored
        row(
            f"{label} #{acc.pk}",
            "stored balance",
            f"{stored:,}",
            lambda acc=acc: ledger.balance(acc),
            lambda acc=acc: raw("SELECT balance FROM core_ledgeraccount WHERE id = %s", [acc.pk]),
        )
        summed = ledger.recompute_balance(acc)
        assert summed == stored == raw(RAW_SUM, [acc.pk, acc.pk])[0][0], (summed, stored)
        n = raw(
            "SELECT (SELECT COUNT(*) FROM core_ledgerentry WHERE credit_id = %s)"
            " + (SELECT COUNT(*) FROM core_ledgerentry WHERE debit_id = %s)",
            [acc.pk, acc.pk],
        )[0][0]
        row(
            "",
            "sum of entries",
            f"{n:,} entries",
            lambda acc=acc: ledger.recompute_balance(acc),
            lambda acc=acc: raw(RAW_SUM, [acc.pk, acc.pk]),
        )
        if label == "issuer":
            continue
        orm = orm_statement(acc, year, month)
        assert orm == raw_statement(acc.pk, start, end), (orm, raw_statement(acc.pk, start, end))
        row(
            "",
            f"statement {year}-{month:02d}",
            f"{orm[3]} entries",
            lambda acc=acc: orm_statement(acc, year, month),
            lambda acc=acc: raw_statement(acc.pk, start, end),
        )

    print(f"\nmedian of {repeat} runs, milliseconds")
    print(f"{'account':<18}  {'query':<18}  {'result':<16}  {'ORM ms':>9}  {'raw SQL ms':>10}")
    print(f"{'-' * 18}  {'-' * 18}  {'-' * 16}  {'-' * 9}  {'-' * 10}")
    for label, what, result, orm_ms, raw_ms in rows:
        print(f"{label:<18}  {what:<18}  {result:<16}  {orm_ms:9.2f}  {raw_ms:10.2f}")

    s, e = (connection.ops.adapt_datetimefield_value(x) for x in (start, end))
    lit = {"pk": resident.pk, "s": s, "e": e}
    month_sql = RAW_MONTH.replace("%s", "{}").format(
        lit["pk"], f"'{s}'", f"'{e}'", lit["pk"], f"'{s}'", f"'{e}'"
    )
    print("\nplan of the month's entries (raw; the ORM's OR query uses the same two indexes):")
    print("\n".join(explain(month_sql)))
    orm_sql = str(ledger.statement(resident, year, month).entries.query)
    print("ORM SQL of the month's entries:\n  " + orm_sql)
    print("plan:")
    try:
        print("\n".join(explain(_inline(ledger.statement(resident, year, month).entries))))
    except Exception as exc:  # noqa: BLE001 — a plan is informative, not essential
        print(f"  (no plan: {exc})")


def _inline(qs):
    from django.db import connection

    sql, params = qs.query.sql_with_params()
    quoted = []
    for p in params:
        if isinstance(p, dt.datetime):
            p = connection.ops.adapt_datetimefield_value(p)
        quoted.append(str(p) if isinstance(p, int) else f"'{p}'")
    return sql % tuple(quoted)


def raw_post(debit, credit, amount, key):
    """The floor of one posting: the same transaction as transfer(), written by hand."""
    from django.db import connection, transaction

    from gongzhi.core import clock

    pg = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cur:
        lock = " FOR UPDATE" if pg else ""
        cur.execute(
            f"SELECT id, balance, allow_negative FROM core_ledgeraccount"
            f" WHERE id IN (%s, %s) ORDER BY id{lock}",
            [debit, credit],
        )
        rows = {r[0]: r for r in cur.fetchall()}
        if not rows[debit][2] and rows[debit][1] < amount:
            raise RuntimeError("insufficient")
        cur.execute(
            f"INSERT INTO core_ledgerentry ({ENTRY_COLS}) VALUES (%s,%s,%s,'bench','','','',%s,%s)",
            [debit, credit, amount, key, connection.ops.adapt_datetimefield_value(clock.now())],
        )
        cur.execute(
            "UPDATE core_ledgeraccount SET balance = balance - %s WHERE id = %s", [amount, debit]
        )
        cur.execute(
            "UPDATE core_ledgeraccount SET balance = balance + %s WHERE id = %s", [amount, credit]
        )


def posting(layout, posts):
    from django.db import connection

    from gongzhi.core import ledger

    run = f"{time.time_ns()}"
    rnd = random.Random(7)

    def earn_args(community, i):
        r = rnd.randrange(layout.residents // COMMUNITIES) * COMMUNITIES + community
        return layout.issuer_points + community, layout.resident_points + r, 10, f"p{run}:{i}"

    def orm_many(community, n, tag):
        for i in range(n):
            d, c, a, k = earn_args(community, i)
            ledger.transfer(debit=d, credit=c, amount=a, reason="bench", idempotency_key=k + tag)

    def raw_many(community, n, tag):
        for i in range(n):
            d, c, a, k = earn_args(community, i)
            raw_post(d, c, a, k + tag)

    print(f"\nposting throughput ({posts:,} earns, each its own transaction)")
    print(f"{'how':<44}  {'entries/s':>10}")
    results = []
    for label, fn in (("transfer(), sequential", orm_many), ("raw SQL, sequential", raw_many)):
        t = time.perf_counter()
        fn(3, posts, label[:3])
        rate = posts / (time.perf_counter() - t)
        results.append((label, rate))
        print(f"{label:<44}  {rate:10,.0f}", flush=True)
    if connection.vendor == "postgresql":
        for label, fn in (("transfer()", orm_many), ("raw SQL", raw_many)):
            for communities, what in (((5, 6), "two issuers"), ((7, 7), "one issuer")):
                errors: list[BaseException] = []

                def work(c, tag, fn=fn, errors=errors):
                    try:
                        fn(c, posts // 2, tag)
                    except BaseException as exc:  # noqa: BLE001
                        errors.append(exc)
                    finally:
                        connection.close()

                threads = [
                    threading.Thread(target=work, args=(c, f"{label[:3]}{what[:3]}{j}"))
                    for j, c in enumerate(communities)
                ]
                t = time.perf_counter()
                for th in threads:
                    th.start()
                for th in threads:
                    th.join()
                rate = posts / (time.perf_counter() - t)
                assert not errors, errors
                print(f"{label + ', 2 threads, ' + what:<44}  {rate:10,.0f}", flush=True)
    return results


def main(argv=None):
    args = parse_args(argv)
    setup(args.database_url, "ledger.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import django
    from django.db import connection

    settings = connection.settings_dict
    print(f"database: {connection.vendor} {settings['NAME']}")
    print(f"Django {django.get_version()}, Python {sys.version.split()[0]}")
    layout = build(args)
    from gongzhi.core.models import LedgerAccount, LedgerEntry

    print(
        f"size: {LedgerAccount.objects.count():,} accounts, {LedgerEntry.objects.count():,} entries"
    )
    reads(layout, args.repeat)
    posting(layout, args.posts)
    if args.verify:
        from gongzhi.core import ledger

        t = time.perf_counter()
        result = ledger.verify_ledger()
        print(
            f"\nverify_ledger(): {result.accounts:,} accounts, {result.entries:,} entries, "
            f"{'OK' if result.ok else 'BROKEN'} in {time.perf_counter() - t:.1f} s"
        )


if __name__ == "__main__":
    main()
