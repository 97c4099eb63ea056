"""Demo people: writing a batch (ID numbers through gongzhi.core.crypto, bulk inserts)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connections

from gongzhi.demo.people.data import MEMBER_COLUMNS, RESIDENT_COLUMNS
from gongzhi.demo.people.persons import _Person
from gongzhi.party.models import Checkin, MemberStatus, PartyMember
from gongzhi.people import pinyin
from gongzhi.people.idcard import Gender, make_id
from gongzhi.people.models import Membership, Relation, Resident, ResidentTag


class _Writing:
    # -- writing a batch --------------------------------------------------------------------------
    def _id_number(self, person: _Person) -> str:
        """A valid ID number, unique by construction: the sequence comes from the community's
        slot (0–99) and a counter per (area, birth date, gender) within the community."""
        male = person.gender == Gender.MALE
        while True:
            key = (person.area, person.birth, male)
            j = self.id_counts.get(key, 0)
            if j < 5:
                self.id_counts[key] = j + 1
                return make_id(person.area, person.birth, self.slot * 10 + 2 * j + int(male))
            person.birth -= dt.timedelta(days=1)  # five born that day here: the day before

    def _flush(self) -> None:
        if not self.buffer:
            return
        people, self.buffer = self.buffer, []
        self.largest_batch = max(self.largest_batch, len(people))
        ops = connections[self.db].ops
        date = ops.adapt_datefield_value
        rows = []
        for p in people:
            id_enc, p.id_index, id_masked = self.protect("id", self._id_number(p))
            if p.phone:
                ph_enc, ph_index, ph_masked = self.protect("phone", p.phone)
            else:
                ph_enc = ph_index = ph_masked = ""
            rows.append(
                (
                    p.name,
                    pinyin.initials(p.name),
                    p.gender,
                    date(p.birth),
                    id_enc,
                    p.id_index,
                    id_masked,
                    ph_enc,
                    ph_index,
                    ph_masked,
                    p.household_id,
                    p.relation,
                    p.place_path,
                    p.status,
                    p.skills,
                    *p.consents,
                )
            )
        # Somebody registered with the same ID number already (an import, say): keep theirs.
        taken = set(
            Resident.objects.using(self.db)
            .filter(id_index__in=[p.id_index for p in people])
            .values_list("id_index", flat=True)
        )
        if taken:
            self.skipped_ids += len(taken)
            kept = [i for i, p in enumerate(people) if p.id_index not in taken]
            people, rows = [people[i] for i in kept], [rows[i] for i in kept]
        ids = self._insert(Resident, RESIDENT_COLUMNS, rows)
        if ids is None:  # a backend that cannot return ids from a bulk insert
            by_index = dict(
                Resident.objects.using(self.db)
                .filter(id_index__in=[p.id_index for p in people])
                .values_list("id_index", "id")
            )
            ids = [by_index[p.id_index] for p in people]
        for p, pk in zip(people, ids, strict=True):
            p.resident_id = pk
        self._insert(
            Membership,
            ("resident", "household", "relation", "moved_in"),
            [(p.resident_id, p.household_id, p.relation, date(p.moved_in)) for p in people],
        )
        self._insert(
            ResidentTag,
            ("resident", "tag"),
            [(p.resident_id, t) for p in people for t in p.tags],
        )
        joining = [p for p in people if p.party]
        rows = []
        for p in joining:
            org = (
                self.committee_id
                if p.leads == "committee"
                else self.org_for_path.get(p.place_path, self.committee_id)
            )
            p.org_id = org
            status = (
                MemberStatus.PROBATIONARY
                if (self.today - p.joined_on).days < 365
                else MemberStatus.FULL
            )
            rows.append(
                (
                    p.resident_id,
                    org,
                    status,
                    date(p.joined_on),
                    p.workplace is not None,
                    p.workplace[0] if p.workplace else "",
                    p.workplace[1] if p.workplace else "",
                    self._org_path(org, p.place_path),
                )
            )
        member_ids = self._insert(PartyMember, MEMBER_COLUMNS, rows)
        if member_ids is None:
            by_resident = dict(
                PartyMember.objects.using(self.db)
                .filter(resident_id__in=[p.resident_id for p in joining])
                .values_list("resident_id", "id")
            )
            member_ids = [by_resident[p.resident_id] for p in joining]
        checkins = []
        for p, member in zip(joining, member_ids, strict=True):
            if p.leads:
                self.leaders[p.org_id] = member
            if p.relation == Relation.HEAD:
                self.head_members[p.household_id] = member
            for path in (
                p.place_path,
                self._grid_path(self.community_path, p.place_path),
                self.community_path,
            ):
                first = self.candidates.setdefault(path, [])
                if len(first) < 5:
                    first.append(member)
            if p.workplace:
                rnd = random.Random(f"checkin:{p.id_index}")
                start = max(p.joined_on, dt.date(2018, 1, 1))
                span = max((self.today - dt.timedelta(days=7) - start).days, 1)
                checkins.append(
                    (
                        member,
                        self.community_id,
                        p.workplace[1],
                        date(start + dt.timedelta(days=rnd.randrange(span))),
                        self.community_path,
                    )
                )
        self._insert(
            Checkin,
            ("member", "community", "workplace_org", "checked_in_on", "place_path"),
            checkins,
        )

    def _insert(self, model, names: tuple[str, ...], rows: list[tuple]) -> list[int] | None:
        """Multi-row INSERTs of ready tuples (the ORM's per-value preparation is most of
        the cost of bulk_create at this size). The named fields come first in each row; every
        other column gets its model default. Returns the new ids in row order where the
        backend can (PostgreSQL, SQLite 3.35+), else None."""
        if not rows:
            return []
        conn = connections[self.db]
        meta = model._meta
        given = [meta.get_field(name) for name in names]
        rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
        tail = tuple(f.get_db_prep_save(f.get_default(), conn) for f in rest)
        qn = conn.ops.quote_name
        columns = ", ".join(qn(f.column) for f in [*given, *rest])
        width = len(given) + len(rest)
        returning = conn.features.can_return_rows_from_bulk_insert
        per_statement = max(1, min(self.batch_size, 2000, self._max_params(conn) // width))
        row_sql = "(" + ", ".join(["%s"] * width) + ")"
        ids: list[int] = []
        with conn.cursor() as cur:
            for i in range(0, len(rows), per_statement):
                part = rows[i : i + per_statement]
                sql = (
                    f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
                    f"VALUES {', '.join([row_sql] * len(part))}"
                )
                if returning:
                    sql += f" RETURNING {qn(meta.pk.column)}"
                cur.execute(sql, [v for row in part for v in (*row, *tail)])
                if returning:
                    ids.extend(r[0] for r in cur.fetchall())
        return ids if returning else None

    @staticmethod
    def _max_params(conn) -> int:
        if conn.vendor == "sqlite":
            import sqlite3

            raw = conn.connection
            if raw is not None and hasattr(raw, "getlimit"):
                return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            return 999
        return conn.features.max_query_params or 65_535

    def _org_path(self, org_id: int, building_path: str) -> str:
        if org_id == self.committee_id:
            return self.community_path
        if self.group_of_building.get(building_path) == org_id:
            return building_path
        return self._grid_path(self.community_path, building_path)
