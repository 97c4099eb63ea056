"""Demo tickets: writing the rows in bulk (COPY on PostgreSQL, multi-row inserts elsewhere)."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connections, transaction

from gongzhi.tickets.models import Ticket, TicketCounter, TicketEvent


def _default(f):
    value = f.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class _Writing:
    # -- writing --------------------------------------------------------------------------
    def _flush(self) -> None:
        if not self.tickets:
            return
        with transaction.atomic(using=self.db):
            self._write_batch()
            self._write_counters()
            self._reset_sequence()

    def _write_batch(self) -> None:
        fields = [f for f in Ticket._meta.concrete_fields]
        rows = [
            [t[f.attname] if f.attname in t else _default(f) for f in fields] for t in self.tickets
        ]
        self._write(Ticket._meta.db_table, [f.column for f in fields], rows)
        efields = [f for f in TicketEvent._meta.concrete_fields if f.attname != "id"]
        names = (
            "ticket_id",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "post_id",
            "note",
            "data",
            "at",
        )
        index = {n: i for i, n in enumerate(names)}
        erows = [
            [e[index[f.attname]] if f.attname in index else _default(f) for f in efields]
            for e in self.events
        ]
        self._write(TicketEvent._meta.db_table, [f.column for f in efields], erows)
        self.counts["events"] += len(self.events)
        self.tickets, self.events = [], []

    def _write(self, table: str, columns: list[str], rows: list[list]) -> None:
        connection = connections[self.db]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cur.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            ops = connection.ops
            adapted = [
                [ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v for v in row]
                for row in rows
            ]
            per = max(1, min(500, 30000 // len(columns)))
            for start in range(0, len(adapted), per):
                chunk = adapted[start : start + per]
                marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
                # Table and column names come from the models' _meta, values are parameters.
                head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
                sql = head + ", ".join([marks] * len(chunk))
                cur.execute(sql, [v for row in chunk for v in row])

    def _write_counters(self) -> None:
        TicketCounter.objects.using(self.db).bulk_create(
            [TicketCounter(day=d, last=n) for d, n in self.counters.items()],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["last"],
            batch_size=1000,
        )

    def _reset_sequence(self) -> None:
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                "(SELECT MAX(id) FROM tickets_ticket))"
            )
