"""Resident import: the community's buildings and households, and checking every row."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model

from gongzhi.core import clock, crypto
from gongzhi.core.auth import PHONE_RE
from gongzhi.core.spreadsheets import looks_like_formula
from gongzhi.people import idcard
from gongzhi.people.idcard import IdType
from gongzhi.people.imports.fileformat import (
    CHUNK,
    COLUMNS,
    DERIVED_TAGS,
    E_BIRTH_MISMATCH,
    E_BUILDING,
    E_BUILDING_AMBIGUOUS,
    E_DATE,
    E_DUPLICATE,
    E_FORMULA,
    E_FORMULA_LEAD,
    E_FUTURE,
    E_GENDER,
    E_GENDER_MISMATCH,
    E_ID_NUMERIC,
    E_ID_TYPE,
    E_NO_ROWS,
    E_OTHER_COMMUNITY,
    E_PHONE,
    E_RELATION,
    E_REQUIRED,
    E_ROOM,
    E_STATUS,
    E_TAG,
    E_TOO_LONG,
    E_TOO_MANY,
    GENDERS,
    HEADER_OF,
    ID_TYPES,
    MAX_ROWS,
    PROGRESS_EVERY,
    RELATIONS,
    STATUSES,
    TAG_SPLIT,
    TAGS,
    ImportFileError,
)
from gongzhi.people.imports.parse import Formula, ParsedFile
from gongzhi.people.models import (
    Relation,
    ResidenceStatus,
    Resident,
    Tag,
)
from gongzhi.people.services import normalize_phone
from gongzhi.places.models import Household, Place, PlaceKind

# -- the community: buildings and households ----------------------------------------------------


_SPACE = re.compile(r"\s+")


@functools.lru_cache(maxsize=1 << 16)
def _norm(value: str) -> str:
    """NFKC (full-width to half-width) without any whitespace. Cached: the same buildings,
    units, statuses and relations repeat on every other row."""
    if value.isascii():
        return _SPACE.sub("", value) if not value.isalnum() else value
    return _SPACE.sub("", unicodedata.normalize("NFKC", value))


@functools.lru_cache(maxsize=1 << 12)
def _norm_unit(value: str) -> str:
    value = _norm(value).upper().removesuffix("单元")
    return value.lstrip("0") or value


@functools.lru_cache(maxsize=1 << 12)
def _norm_room(value: str) -> str:
    value = _norm(value).upper().removesuffix("室").removesuffix("号")
    return value.lstrip("0") or value


@dataclass
class CommunityIndex:
    """Buildings by every name a file may use, and households by (building, unit, room).

    A building can be written as its estate's name + its own name ("乐坪花园1栋"), its grid's
    name + its own name for a building outside any estate ("第四网格4栋"), its address, or
    its own name alone ("1栋") when no other building of the community has that name.
    """

    community: Place
    buildings: dict[str, int]
    ambiguous: dict[str, list[str]]
    names: dict[int, str]
    households: dict[tuple[int, str, str], tuple[int, str]]

    @classmethod
    def load(cls, community: Place) -> CommunityIndex:
        places = {
            row[0]: row
            for row in Place.objects.filter(
                path__under=community.path,
                kind__in=[PlaceKind.GRID, PlaceKind.ESTATE, PlaceKind.BUILDING],
            )
            .order_by()
            .values_list("id", "kind", "name", "parent_id", "address")
        }
        labels: dict[str, set[int]] = {}
        qualified: dict[int, str] = {}
        for pk, kind, name, parent_id, address in places.values():
            if kind != PlaceKind.BUILDING:
                continue
            parent = places.get(parent_id)
            own = [name]
            if parent is not None:
                own.append(parent[2] + name)
                qualified[pk] = parent[2] + name
                grid = places.get(parent[3]) if parent[1] == PlaceKind.ESTATE else None
                if grid is not None:
                    own.append(grid[2] + parent[2] + name)
            if address:
                own.append(address)
            for label in own:
                labels.setdefault(_norm(label), set()).add(pk)
        buildings, ambiguous = {}, {}
        for label, ids in labels.items():
            if len(ids) == 1:
                buildings[label] = next(iter(ids))
            else:
                ambiguous[label] = sorted(qualified.get(i, "") for i in ids)[:3]
        households = {
            (building_id, _norm_unit(unit), _norm_room(room)): (pk, path)
            for pk, building_id, unit, room, path in Household.objects.filter(
                place_path__under=community.path
            )
            .order_by()
            .values_list("id", "building_id", "unit_no", "room_no", "place_path")
        }
        return cls(community, buildings, ambiguous, qualified, households)


# -- checking rows ------------------------------------------------------------------------------


@dataclass(slots=True)
class Row:
    line: int
    cells: tuple  # raw values in COLUMNS order (None: the file has no such column)
    errors: list[tuple[str, dict]] = field(default_factory=list)
    name: str = ""
    id_type: str = IdType.RESIDENT_ID
    id_number: str = ""
    id_index: str = ""
    id_sealed: tuple[str, str, str] | None = None  # crypto.protect("id", …)
    phone_sealed: tuple[str, str, str] | None = None  # crypto.protect("phone", …)
    gender: str = "U"
    birth_date: dt.date | None = None
    phone: str = ""
    household_id: int | None = None
    place_path: str = ""
    relation: str = ""
    status: str = ""
    moved_in: dt.date | None = None
    tags: frozenset[str] | None = None
    registered: bool | None = None  # found by its ID when checked (None: not looked up)
    specialty: str = ""

    def error(self, msgid: str, **params: Any) -> None:
        self.errors.append((msgid, params))


@dataclass
class CheckResult:
    rows: list[Row]
    total: int = 0
    errors: int = 0
    new: int = 0  # valid rows whose ID number is not registered yet

    @property
    def valid(self) -> list[Row]:
        return [r for r in self.rows if not r.errors]

    @property
    def invalid(self) -> list[Row]:
        return [r for r in self.rows if r.errors]


def _text(value: object) -> str:
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def _date(value: object) -> dt.date | None:
    """A date from a cell; None for an empty cell; ValueError when unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return _date_text(_norm(_text(value)))


@functools.lru_cache(maxsize=4096)
def _date_text(text: str) -> dt.date | None:
    if not text:
        return None
    match = _DATE_RE.fullmatch(text)
    if match:
        return dt.date(*(int(g) for g in match.groups()))
    if re.fullmatch(r"\d{8}", text):
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    raise ValueError(text)


def _msgid(message: object) -> str:
    """The msgid of a lazy translation (stored, translated again when shown)."""
    args = getattr(message, "_args", None)
    return str(args[0]) if args else str(message)


@functools.lru_cache(maxsize=1024)
def _parse_tags(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """(tags, unknown labels) of a 标签 cell; cached, the same few combinations repeat."""
    tags, unknown = set(), []
    for label in TAG_SPLIT.split(unicodedata.normalize("NFKC", text)):
        if not label or label in DERIVED_TAGS:
            continue
        tag = TAGS.get(label) or (label if label in Tag.values else None)
        if tag is None:
            unknown.append(label)
        else:
            tags.add(str(tag))
    return frozenset(tags), tuple(unknown)


# First characters after which a cell may read as a formula (looks_like_formula decides).
_SUSPECT_FIRST = frozenset("=+-@ \u3000\xa0\x7f" + "".join(map(chr, range(32))))


def _check_row(row: Row, cells: tuple, index: CommunityIndex, today: dt.date) -> None:
    """Check one row; `cells` holds the raw values in COLUMNS order (None: no such column)."""
    (
        raw_name, raw_id_type, raw_id, raw_gender, raw_birth, raw_phone, raw_building,
        raw_unit, raw_room, raw_relation, raw_status, raw_moved, raw_tags, raw_specialty,
    ) = cells  # fmt: skip
    # Formulas first: a formula cell is refused whatever column it is in.
    if Formula in map(type, cells):
        for column, value in zip(COLUMNS, cells, strict=True):
            if isinstance(value, Formula):
                row.error(E_FORMULA, header=column.header)
        return
    # A text starting with +, -, @, a tab or a line break is a formula to a spreadsheet too
    # (OWASP CSV injection); only a phone written as +86… is normalised instead.
    if any(v.__class__ is str and v[:1] in _SUSPECT_FIRST for v in cells):
        for column, value in zip(COLUMNS, cells, strict=True):
            if isinstance(value, str) and looks_like_formula(value):
                if (
                    column.key == "phone"
                    and value.startswith("+")
                    and PHONE_RE.fullmatch(normalize_phone(_norm(value)))
                ):
                    continue
                row.error(E_FORMULA_LEAD, header=column.header)
        if row.errors:
            return
    name = _text(raw_name)
    if not name:
        row.error(E_REQUIRED, header=HEADER_OF["name"])
    elif len(name) > 64:
        row.error(E_TOO_LONG, header=HEADER_OF["name"], n=64)
    row.name = name

    id_type_text = _norm(_text(raw_id_type))
    id_type: str | None = ID_TYPES.get(
        id_type_text, IdType.RESIDENT_ID if not id_type_text else None
    )
    if id_type is None and id_type_text in IdType.values:
        id_type = id_type_text
    facts = None
    if id_type is None:
        row.error(E_ID_TYPE, value=id_type_text)
    elif isinstance(raw_id, int | float) and len(_text(raw_id)) > 15:
        row.error(E_ID_NUMERIC)
    elif not _text(raw_id):
        row.error(E_REQUIRED, header=HEADER_OF["id_number"])
    else:
        try:
            facts = idcard.parse(id_type, _norm(_text(raw_id)))
        except idcard.IdError as exc:
            row.error(_msgid(exc.message))
    if facts is not None and id_type is not None:
        row.id_type, row.id_number = id_type, facts.number
        row.gender = facts.gender or "U"
        row.birth_date = facts.birth_date

    gender_text = _norm(_text(raw_gender)).upper()
    if gender_text:
        gender = GENDERS.get(gender_text)
        if gender is None:
            row.error(E_GENDER, value=gender_text)
        elif facts is not None and facts.gender and gender != facts.gender:
            row.error(E_GENDER_MISMATCH, value=gender_text)
        elif facts is not None and not facts.gender:
            row.gender = gender

    try:
        birth = _date(raw_birth)
    except ValueError:
        row.error(E_DATE, header=HEADER_OF["birth_date"], value=_text(raw_birth))
    else:
        if birth is not None:
            if facts is not None and facts.birth_date and birth != facts.birth_date:
                row.error(
                    E_BIRTH_MISMATCH, value=birth.isoformat(), expected=facts.birth_date.isoformat()
                )
            elif birth > today:
                row.error(E_FUTURE, header=HEADER_OF["birth_date"])
            elif facts is not None and not facts.birth_date:
                row.birth_date = birth

    phone = _norm(_text(raw_phone))
    if not phone.isdigit():
        phone = normalize_phone(phone)
    if phone:
        if PHONE_RE.fullmatch(phone):
            row.phone = phone
        else:
            row.error(E_PHONE, value=crypto.mask_phone(phone))

    building_text = _norm(_text(raw_building))
    room_text = _text(raw_room)
    if not building_text:
        row.error(E_REQUIRED, header=HEADER_OF["building"])
    elif not _norm(room_text):
        row.error(E_REQUIRED, header=HEADER_OF["room"])
    elif building_text in index.ambiguous:
        examples = "、".join(f"“{e}”" for e in index.ambiguous[building_text] if e)
        row.error(E_BUILDING_AMBIGUOUS, value=building_text, examples=examples)
    elif building_text not in index.buildings:
        row.error(E_BUILDING, value=building_text)
    else:
        building_id = index.buildings[building_text]
        unit_text = _text(raw_unit)
        found = index.households.get((building_id, _norm_unit(unit_text), _norm_room(room_text)))
        if found is None:
            room_label = f"{unit_text}单元{room_text}" if _norm(unit_text) else room_text
            row.error(E_ROOM, building=building_text, room=room_label)
        else:
            row.household_id, row.place_path = found

    relation_text = _norm(_text(raw_relation))
    if relation_text:
        relation: str | None = RELATIONS.get(relation_text)
        if relation is None and relation_text in Relation.values:
            relation = relation_text
        if relation is None:
            row.error(E_RELATION, value=relation_text)
        else:
            row.relation = relation

    status_text = _norm(_text(raw_status))
    if status_text:
        status: str | None = STATUSES.get(status_text)
        if status is None and status_text in ResidenceStatus.values:
            status = status_text
        if status is None:
            row.error(E_STATUS, value=status_text)
        else:
            row.status = status

    try:
        moved_in = _date(raw_moved)
    except ValueError:
        row.error(E_DATE, header=HEADER_OF["moved_in"], value=_text(raw_moved))
    else:
        if moved_in is not None and moved_in > today:
            row.error(E_FUTURE, header=HEADER_OF["moved_in"])
        row.moved_in = moved_in

    tags_text = _text(raw_tags)
    if tags_text:
        row.tags, unknown = _parse_tags(tags_text)
        for label in unknown:
            row.error(E_TAG, value=label)

    specialty = _text(raw_specialty)
    if len(specialty) > 200:
        row.error(E_TOO_LONG, header=HEADER_OF["specialty"], n=200)
    row.specialty = specialty


def check(
    community: Place,
    parsed: ParsedFile,
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Check every row of the file. Queries: 2 for the community, 1 per CHUNK rows."""
    index = CommunityIndex.load(community)
    today = clock.today()
    sealer = _Sealer()
    keys = parsed.keys
    width = len(keys)
    # Position of each column of COLUMNS in the file's rows; a missing column reads the
    # padding cell at `width` (None).
    positions = [keys.index(c.key) if c.key in keys else width for c in COLUMNS]
    pick = operator.itemgetter(*positions)
    padding, tail = [None] * (width + 1), [None]
    rows: list[Row] = []
    first_line: dict[str, int] = {}
    for count, (line, values) in enumerate(parsed.rows, start=1):
        if count > MAX_ROWS:
            raise ImportFileError(E_TOO_MANY, limit=MAX_ROWS)
        n = len(values)
        cells = pick(values + tail if n == width else values[:width] + padding[min(n, width) :])
        row = Row(line=line, cells=cells)
        _check_row(row, cells, index, today)
        if row.id_number:
            row.id_index = sealer.index("id", row.id_number)
            seen = first_line.get(row.id_index)
            if seen is not None:
                row.error(E_DUPLICATE, row=seen)
            else:
                first_line[row.id_index] = line
        rows.append(row)
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    if not rows:
        raise ImportFileError(E_NO_ROWS)
    result = CheckResult(rows=rows, total=len(rows))
    # People already registered: here (an update) or elsewhere (refused).
    candidates = [r for r in rows if r.id_index and not r.errors]
    for start in range(0, len(candidates), CHUNK):
        chunk = {r.id_index: r for r in candidates[start : start + CHUNK]}
        found = dict(
            _select(
                Resident,
                ["id_index", "place_path"],
                "id_index",
                list(chunk),
            )
        )
        for id_index, row in chunk.items():
            row.registered = id_index in found
            if not row.registered:
                result.new += 1
            elif found[id_index] and not found[id_index].startswith(community.path):
                row.error(E_OTHER_COMMUNITY)
    result.errors = sum(1 for r in rows if r.errors)
    # Encrypted once here, for the valid rows; the writer uses these values.
    sealer.seal(rows)
    return result


class _Sealer:
    """Seals the ID and phone of a whole file's valid rows with one crypto.Protector (cipher and
    keyed hash set up once, nonces drawn in one call): profiled, per-value set-up was half the
    cost of checking a row."""

    def __init__(self) -> None:
        self.protector = crypto.Protector()

    def index(self, kind: str, plain: str) -> str:
        return self.protector.index(kind, plain)

    def seal(self, rows: list[Row]) -> None:
        """Encrypt, index and mask the ID and phone of valid rows (id_index is already set)."""
        rows = [r for r in rows if r.id_number and not r.errors]
        ids = self.protector.encrypt_many([r.id_number for r in rows])
        for row, enc in zip(rows, ids, strict=True):
            row.id_sealed = (enc, row.id_index, crypto.mask_id_number(row.id_number))
        with_phone = [r for r in rows if r.phone]
        phones = self.protector.encrypt_many([r.phone for r in with_phone])
        for row, enc in zip(with_phone, phones, strict=True):
            row.phone_sealed = (enc, self.index("phone", row.phone), crypto.mask_phone(row.phone))


def _select(
    model: type[Model], columns: list[str], key: str, values: list[Any]
) -> list[tuple[Any, ...]]:
    """SELECT columns FROM model's table WHERE key IN values: plain SQL, no ORM overhead
    (this runs once per chunk of a 100,000-row file)."""
    if not values:
        return []
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)}"  # noqa: S608
        f" WHERE {quote(key)} IN ({', '.join(['%s'] * len(values))})"
    )
    with connection.cursor() as cur:
        cur.execute(sql, values)
        return cur.fetchall()


def masked_cells(row: Row) -> dict[str, str]:
    """The row's cells for the error report and the preview: ID and phone masked."""
    out = {}
    for column, value in zip(COLUMNS, row.cells, strict=True):
        text = _text(value)
        if column.key == "id_number" and text:
            text = crypto.mask_id_number(_norm(text))
        elif column.key == "phone" and text:
            text = crypto.mask_phone(_norm(text))
        out[column.header] = text
    return out


def error_entries(result: CheckResult) -> list[dict]:
    return [
        {"row": r.line, "messages": [[m, p] for m, p in r.errors], "cells": masked_cells(r)}
        for r in result.invalid
    ]
