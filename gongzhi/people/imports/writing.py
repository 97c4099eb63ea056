"""Resident import: writing the valid rows (update found people field by field, insert new ones)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection, transaction

from gongzhi.core import clock, crypto
from gongzhi.people import pinyin
from gongzhi.people.imports.checks import Row, _select
from gongzhi.people.imports.fileformat import CHUNK
from gongzhi.people.models import (
    Membership,
    Relation,
    ResidenceStatus,
    Resident,
    ResidentTag,
)

# -- writing ------------------------------------------------------------------------------------


def _as_date(value: object) -> dt.date | None:
    """A date column read with plain SQL: SQLite returns text, PostgreSQL a date."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


class _Writer:
    """Bulk writes of one chunk of valid rows: inserts with executemany, updates grouped by
    the set of changed columns, memberships and tags alongside. No per-row queries."""

    SET = (
        "name", "name_initials", "gender", "birth_date", "id_type", "id_encrypted", "id_index",
        "id_masked", "phone_encrypted", "phone_index", "phone_masked", "household_id",
        "relation", "place_path", "residence_status", "specialty", "is_active", "created_at",
        "updated_at",
    )  # fmt: skip

    def __init__(self) -> None:
        ops = connection.ops
        self.now = clock.now()
        self.today = clock.today()
        self.db_now = ops.adapt_datetimefield_value(self.now)
        self._dates: dict[dt.date, object] = {}
        self._adapt_date = ops.adapt_datefield_value
        self.resident_table = Resident._meta.db_table
        by_name = {f.attname: f for f in Resident._meta.concrete_fields if not f.primary_key}
        # Columns the import sets (in _new_values' order), then the others at their defaults
        # (the consent flags, and whatever a later migration adds with a default).
        others = [a for a in by_name if a not in self.SET]
        self.rest = tuple(
            by_name[a].get_db_prep_save(by_name[a].get_default(), connection) for a in others
        )
        columns = [cast(str, by_name[a].column) for a in (*self.SET, *others)]
        cols = ", ".join(ops.quote_name(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        self.insert_sql = (
            f"INSERT INTO {ops.quote_name(self.resident_table)} ({cols}) VALUES ({placeholders})"  # noqa: S608
        )

    def date(self, value: dt.date | None) -> object:
        if value is None:
            return None
        cached = self._dates.get(value)
        if cached is None:
            cached = self._dates[value] = self._adapt_date(value)
        return cached

    def _new_values(self, row: Row) -> tuple[Any, ...]:
        id_enc, id_idx, id_masked = row.id_sealed or crypto.protect("id", row.id_number)
        if row.phone:
            phone_enc, phone_idx, phone_masked = row.phone_sealed or crypto.protect(
                "phone", row.phone
            )
        else:
            phone_enc = phone_idx = phone_masked = ""
        return (
            row.name,
            pinyin.initials(row.name),
            row.gender,
            self.date(row.birth_date),
            row.id_type,
            id_enc,
            id_idx,
            id_masked,
            phone_enc,
            phone_idx,
            phone_masked,
            row.household_id,
            row.relation or Relation.OTHER,
            row.place_path,
            row.status or ResidenceStatus.REGISTERED,
            row.specialty,
            True,
            self.db_now,
            self.db_now,
        ) + self.rest

    def write(self, rows: list[Row]) -> Counts:
        counts = Counts()
        by_index = {r.id_index: r for r in rows}
        fields = ["id", "id_index", "name", "gender", "birth_date", "id_type", "phone_index",
                  "household_id", "relation", "residence_status", "specialty", "is_active"]  # fmt: skip
        existing: dict[str, dict[str, Any]] = {}
        # Rows the check found unregistered are not looked up again. Should someone register
        # one meanwhile, the unique index refuses the insert and the transaction rolls back.
        lookup = [k for k, r in by_index.items() if r.registered is not False]
        for values in _select(Resident, fields, "id_index", lookup):
            old = dict(zip(fields, values, strict=True))
            old["birth_date"] = _as_date(old["birth_date"])
            existing[old["id_index"]] = old
        ids = [r["id"] for r in existing.values()]
        m_fields = ["id", "resident_id", "household_id", "relation", "moved_in", "moved_out"]
        current: dict[int, dict[str, Any]] = {}
        for values in _select(Membership, m_fields, "resident_id", ids):
            stay = dict(zip(m_fields, values, strict=True))
            if stay["moved_out"] is None:
                stay["moved_in"] = _as_date(stay["moved_in"])
                current[stay["resident_id"]] = stay
        tags: dict[int, set[str]] = {}
        if any(by_index[k].tags is not None for k in existing):
            for resident_id, tag in _select(
                ResidentTag, ["resident_id", "tag"], "resident_id", ids
            ):
                tags.setdefault(resident_id, set()).add(tag)

        new_rows = [r for r in rows if r.id_index not in existing]
        updates: dict[tuple[str, ...], list[list]] = {}
        close_memberships: list[tuple] = []
        new_memberships: list[tuple] = []
        membership_updates: dict[tuple[str, ...], list[list]] = {}
        tag_adds: list[tuple] = []
        tag_removes: list[tuple] = []

        for id_index, old in existing.items():
            row = by_index[id_index]
            rid = old["id"]
            change: dict[str, object] = {}
            if row.name != old["name"]:
                change["name"] = row.name
                change["name_initials"] = pinyin.initials(row.name)
            for attr in ("gender", "birth_date", "id_type"):
                if getattr(row, attr) != old[attr]:
                    change[attr] = getattr(row, attr)
            if row.phone:
                phone_enc, phone_idx, phone_masked = row.phone_sealed or crypto.protect(
                    "phone", row.phone
                )
                if phone_idx != old["phone_index"]:
                    change.update(
                        phone_encrypted=phone_enc, phone_index=phone_idx, phone_masked=phone_masked
                    )
            if row.status and row.status != old["residence_status"]:
                change["residence_status"] = row.status
            if row.specialty and row.specialty != old["specialty"]:
                change["specialty"] = row.specialty
            member = current.get(rid)
            if member is None or member["household_id"] != row.household_id:
                # Moving house: close the current stay, open a new one.
                relation = row.relation or Relation.OTHER
                moved_in = row.moved_in or self.today
                if member is not None:
                    moved_out = max(moved_in, member["moved_in"] or moved_in)
                    close_memberships.append((self.date(moved_out), member["id"]))
                new_memberships.append(
                    (rid, row.household_id, relation, self.date(row.moved_in or self.today), None)
                )
                change.update(
                    household_id=row.household_id, place_path=row.place_path, relation=relation
                )
                if not old["is_active"]:
                    change["is_active"] = True
            else:
                member_change: dict[str, object] = {}
                if row.relation and row.relation != member["relation"]:
                    member_change["relation"] = row.relation
                if row.relation and row.relation != old["relation"]:
                    change["relation"] = row.relation
                if row.moved_in and row.moved_in != member["moved_in"]:
                    member_change["moved_in"] = self.date(row.moved_in)
                if member_change:
                    key = tuple(sorted(member_change))
                    membership_updates.setdefault(key, []).append(
                        [member_change[k] for k in key] + [member["id"]]
                    )
                if member_change and not change:
                    change["updated_at"] = self.db_now
            tag_changed = False
            if row.tags is not None:
                have = tags.get(rid, set())
                for tag in row.tags - have:
                    tag_adds.append((rid, tag))
                for tag in have - row.tags:
                    tag_removes.append((rid, tag))
                tag_changed = row.tags != have
            if change or tag_changed:
                counts.updated += 1
                change["updated_at"] = self.db_now
                if "birth_date" in change:
                    change["birth_date"] = self.date(cast("dt.date | None", change["birth_date"]))
                cols = tuple(sorted(change))
                updates.setdefault(cols, []).append([change[c] for c in cols] + [rid])
            else:
                counts.unchanged += 1

        with connection.cursor() as cur:
            quote = connection.ops.quote_name
            if new_rows:
                cur.executemany(self.insert_sql, [self._new_values(r) for r in new_rows])
                counts.created = len(new_rows)
                new_ids = dict(
                    _select(
                        Resident, ["id_index", "id"], "id_index", [r.id_index for r in new_rows]
                    )
                )
                for r in new_rows:
                    rid = new_ids[r.id_index]
                    new_memberships.append(
                        (
                            rid,
                            r.household_id,
                            r.relation or Relation.OTHER,
                            self.date(r.moved_in),
                            None,
                        )
                    )
                    if r.tags:
                        tag_adds.extend((rid, tag) for tag in r.tags)
            for cols, params in updates.items():
                sets = ", ".join(f"{quote(c)} = %s" for c in cols)
                cur.executemany(
                    f"UPDATE {quote(self.resident_table)} SET {sets} WHERE id = %s",  # noqa: S608
                    params,
                )
            m_table = quote(Membership._meta.db_table)
            if close_memberships:
                cur.executemany(
                    f"UPDATE {m_table} SET moved_out = %s WHERE id = %s",  # noqa: S608
                    close_memberships,
                )
            for cols, params in membership_updates.items():
                sets = ", ".join(f"{quote(c)} = %s" for c in cols)
                cur.executemany(f"UPDATE {m_table} SET {sets} WHERE id = %s", params)  # noqa: S608
            if new_memberships:
                cur.executemany(
                    f"INSERT INTO {m_table} (resident_id, household_id, relation, moved_in, moved_out) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                    new_memberships,
                )
            t_table = quote(ResidentTag._meta.db_table)
            if tag_removes:
                cur.executemany(
                    f"DELETE FROM {t_table} WHERE resident_id = %s AND tag = %s",  # noqa: S608
                    tag_removes,
                )
            if tag_adds:
                cur.executemany(
                    f"INSERT INTO {t_table} (resident_id, tag) VALUES (%s, %s)",  # noqa: S608
                    tag_adds,
                )
        return counts


def write(
    rows: list[Row],
    *,
    atomic_chunks: bool,
    progress: Callable[[int], None] | None = None,
) -> Counts:
    """Write valid rows in chunks; with `atomic_chunks` each chunk is its own transaction
    (the caller holds none), else the caller's transaction holds them all."""
    writer = _Writer()
    counts = Counts()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        if atomic_chunks:
            with transaction.atomic():
                counts.add(writer.write(chunk))
                if progress:
                    progress(start + len(chunk))
        else:
            counts.add(writer.write(chunk))
            if progress:
                progress(start + len(chunk))
    return counts
