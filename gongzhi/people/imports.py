"""Resident import from .xlsx / .csv: parse, check every row, then write all valid rows or none.

The pipeline, used by the pages (gongzhi/people/views_import.py), the background task
(gongzhi/people/tasks.py) and `manage.py import_residents`:

1. `read_file(data, file_name)` opens the spreadsheet: .xlsx through gongzhi.core.spreadsheets
   (the zip directory checked for bombs and odd members before openpyxl opens it, then
   read-only mode: rows streamed, formulas never evaluated, rows and columns capped), .csv
   (lines counted first) as UTF-8 (with or without BOM) else GB18030 (a superset of GBK, what
   Excel and WPS save as "CSV" on a Chinese system). Headers are matched by their Chinese
   names, tolerant of spaces and full-width characters. A file-level problem (empty, wrong
   headers, corrupted, too big, a zip bomb) raises `ImportFileError`.
2. `check(community, parsed)` checks every row against the rules and the community's buildings
   and households (one query each), and finds duplicates within the file. Each problem is a
   (msgid, params) pair, translated when shown.
3. `write(...)` writes the valid rows: people found by the blind index of their ID number are
   updated field by field (unchanged ones are counted, not touched), new ones are inserted in
   bulk with their household membership and tags. Moving house closes the old membership
   and opens a new one.

An uploaded file is kept only encrypted (AES-GCM, var/imports/<batch>.bin) between the preview
and the commit, and deleted after commit, discard or expiry. `ImportBatch` keeps counts,
progress and the errors with ID and phone masked. docs/import.md describes the file format.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import operator
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext, gettext_noop

from gongzhi.core import access, audit, clock, crypto, spreadsheets
from gongzhi.core.auth import PHONE_RE
from gongzhi.core.roles import Action
from gongzhi.core.spreadsheets import SpreadsheetRefused, looks_like_formula
from gongzhi.people import idcard, pinyin
from gongzhi.people.idcard import IdType
from gongzhi.people.models import (
    ImportBatch,
    Membership,
    Relation,
    ResidenceStatus,
    Resident,
    ResidentTag,
    Tag,
)
from gongzhi.people.services import normalize_phone
from gongzhi.places.models import Household, Place, PlaceKind

MAX_ROWS = 200_000  # beyond this a file must be split (a street's worth of residents)
LINE_SLACK = 1_000  # header and blank lines read beyond MAX_ROWS before a file is refused
CHUNK = 900  # rows per lookup query and per write transaction (valid_only); < SQLite's 999
PROGRESS_EVERY = 1000
AUDIT_ACTION = "resident.import"

# -- the file format ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header of the template: part of the file format, not UI text
    required: bool = False
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True),
    Column("id_type", "证件类型", False, ("证件种类",)),
    Column("id_number", "证件号码", True, ("身份证号", "身份证号码", "公民身份号码", "证件号")),
    Column("gender", "性别"),
    Column("birth_date", "出生日期", False, ("出生年月日",)),
    Column("phone", "手机号", False, ("手机号码", "联系电话", "电话")),
    Column("building", "楼栋", True, ("楼栋名称", "楼号")),
    Column("unit", "单元", False, ("单元号",)),
    Column("room", "室号", True, ("房号", "门牌号", "室")),
    Column("relation", "与户主关系", False, ("与户主的关系",)),
    Column("status", "居住状态", False, ("人口类型",)),
    Column("moved_in", "迁入日期", False, ("入住日期",)),
    Column("tags", "标签"),
    Column("specialty", "技能特长", False, ("特长",)),
)
HEADER_OF = {c.key: c.header for c in COLUMNS}

ID_TYPES = {
    "居民身份证": IdType.RESIDENT_ID,
    "身份证": IdType.RESIDENT_ID,
    "港澳台居民居住证": IdType.HMT_RESIDENCE,
    "港澳居民来往内地通行证": IdType.HK_MACAO_PERMIT,
    "台湾居民来往大陆通行证": IdType.TAIWAN_PERMIT,
    "护照": IdType.PASSPORT,
    "外国人永久居留身份证": IdType.FOREIGN_PERMANENT,
}
GENDERS = {"男": "M", "女": "F", "M": "M", "F": "F"}
GENDER_LABEL = {"M": "男", "F": "女"}
RELATIONS = {
    "户主": Relation.HEAD,
    "本人": Relation.HEAD,
    "配偶": Relation.SPOUSE,
    "妻": Relation.SPOUSE,
    "夫": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "子": Relation.CHILD,
    "女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "外孙子女": Relation.GRANDCHILD,
    "祖父母": Relation.GRANDPARENT,
    "外祖父母": Relation.GRANDPARENT,
    "兄弟姐妹": Relation.SIBLING,
    "儿媳": Relation.CHILD_IN_LAW,
    "女婿": Relation.CHILD_IN_LAW,
    "租户": Relation.TENANT,
    "租客": Relation.TENANT,
    "其他": Relation.OTHER,
}
STATUSES = {
    "户籍": ResidenceStatus.REGISTERED,
    "户籍人口": ResidenceStatus.REGISTERED,
    "常住": ResidenceStatus.RESIDENT,
    "常住人口": ResidenceStatus.RESIDENT,
    "流动": ResidenceStatus.FLOATING,
    "流动人口": ResidenceStatus.FLOATING,
}
TAGS = {
    "独居": Tag.LIVING_ALONE,
    "独居老人": Tag.LIVING_ALONE,
    "残疾": Tag.DISABLED,
    "残疾人": Tag.DISABLED,
    "低保": Tag.LOW_INCOME,
    "低保户": Tag.LOW_INCOME,
    "退役军人": Tag.VETERAN,
    "重点关爱": Tag.KEY_CARE,
    "留守儿童": Tag.LEFT_BEHIND_CHILD,
    "大病": Tag.SERIOUS_ILLNESS,
    "重病": Tag.SERIOUS_ILLNESS,
    "失业": Tag.UNEMPLOYED,
    "失业人员": Tag.UNEMPLOYED,
}
# Age tags are derived from the birth date; a file exported elsewhere may carry them: ignored.
DERIVED_TAGS = {"老年人", "高龄", "高龄老人", "60岁以上", "80岁以上"}
TAG_SPLIT = re.compile(r"[,，、;；/\s]+")

# -- messages (translated when shown; Chinese in i18n/import.json) ------------------------------

E_TOO_BIG = gettext_noop(
    "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
)
E_EMPTY = gettext_noop("The file is empty.")
E_NO_ROWS = gettext_noop("The file has a header row but no residents below it.")
E_FORMAT = gettext_noop(
    "Only .xlsx and .csv files can be imported (save an .xls file as .xlsx first)."
)
E_CORRUPT = gettext_noop(
    "The file cannot be read as an .xlsx workbook; it may be damaged. Open it in Excel or WPS and save it again."
)
E_ENCODING = gettext_noop(
    "The CSV file is neither UTF-8 nor GBK/GB18030 text. Save it as “CSV UTF-8”."
)
E_CSV = gettext_noop("The CSV file cannot be read: %(problem)s")
E_HEADERS = gettext_noop(
    "The header row does not match the template. Missing: %(missing)s. Unknown: %(unknown)s. Download the template and copy the data into it."
)
E_HEADER_TWICE = gettext_noop("The column “%(header)s” appears twice in the header row.")
E_TOO_MANY = gettext_noop("The file has more than %(limit)s rows; split it into smaller files.")

E_REQUIRED = gettext_noop("“%(header)s” is required.")
E_FORMULA = gettext_noop(
    "“%(header)s” contains a formula; formulas are not imported. Enter the value itself."
)
E_FORMULA_LEAD = gettext_noop(
    "“%(header)s” starts with =, +, -, @, a tab or a line break, which a spreadsheet reads as a formula; enter the value without it."
)
E_TOO_LONG = gettext_noop("“%(header)s” is longer than %(n)s characters.")
E_ID_TYPE = gettext_noop("Unknown document type “%(value)s”.")
E_ID_NUMERIC = gettext_noop(
    "The document number was stored as a number and lost its last digits; format the column as text and enter it again."
)
E_GENDER = gettext_noop("Unknown gender “%(value)s”; write 男 or 女.")
E_GENDER_MISMATCH = gettext_noop("The gender (%(value)s) does not match the ID number.")
E_DATE = gettext_noop("“%(header)s” is not a date: “%(value)s”.")
E_BIRTH_MISMATCH = gettext_noop(
    "The birth date (%(value)s) does not match the ID number (%(expected)s)."
)
E_FUTURE = gettext_noop("“%(header)s” is in the future.")
E_PHONE = gettext_noop("“%(value)s” is not a mobile number (11 digits starting with 13 to 19).")
E_BUILDING = gettext_noop("No building “%(value)s” in this community.")
E_BUILDING_AMBIGUOUS = gettext_noop(
    "Several buildings in this community are called “%(value)s”; write it with its estate, e.g. %(examples)s."
)
E_ROOM = gettext_noop("Building %(building)s has no room %(room)s.")
E_RELATION = gettext_noop("Unknown relation to the head “%(value)s”.")
E_STATUS = gettext_noop("Unknown residence status “%(value)s”; write 户籍, 常住 or 流动.")
E_TAG = gettext_noop("Unknown tag “%(value)s”.")
E_DUPLICATE = gettext_noop("The same document number is already in row %(row)s of this file.")
E_OTHER_COMMUNITY = gettext_noop(
    "This person is registered in another community; that community must record the move first."
)

M_HAS_ERRORS = gettext_noop(
    "%(n)s rows have errors. In “all rows or nothing” mode nothing was written; correct the file and upload it again, or import only the valid rows."
)
M_CHANGED = gettext_noop(
    "Some of these people were registered by someone else while the file was being imported; nothing more was written. Import again: they will be updated."
)
M_NOT_READY = gettext_noop("This import cannot be committed now (status: %(status)s).")


def render(msgid: str, params: dict | None = None) -> str:
    text = gettext(msgid)
    return text % params if params else text


class ImportFileError(Exception):
    """A problem with the whole file: nothing is written."""

    def __init__(self, msgid: str, **params):
        super().__init__(msgid % params if params else msgid)
        self.msgid, self.params = msgid, params

    @property
    def message(self) -> str:
        return render(self.msgid, self.params)

    def as_json(self) -> list:
        return [self.msgid, self.params]


class ImportRefused(Exception):
    """A commit that cannot go ahead (errors in all-or-nothing mode, wrong status)."""

    result: CheckResult | None = None

    def __init__(self, msgid: str, **params):
        super().__init__(msgid % params if params else msgid)
        self.msgid, self.params = msgid, params

    @property
    def message(self) -> str:
        return render(self.msgid, self.params)


# -- reading the file ---------------------------------------------------------------------------


class Formula(str):
    """A cell value that is (or looks like) a formula: never evaluated, never imported."""


def normalise_header(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or ""))
    return re.sub(r"\s+", "", text).strip("*")


_HEADER_KEYS = {normalise_header(name): c.key for c in COLUMNS for name in (c.header, *c.aliases)}


@dataclass
class ParsedFile:
    format: str  # "xlsx" or "csv"
    keys: list[str | None]  # field key per column (None: a blank header, ignored)
    rows: Iterator[tuple[int, list]]  # (line number in the sheet, raw values)
    estimated_rows: int


def check_size(size: int) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(E_TOO_BIG, size=_mb(size), limit=_mb(limit))


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def read_file(data: bytes, file_name: str) -> ParsedFile:
    """Open the spreadsheet and match its header row; file-level problems raise."""
    check_size(len(data))
    if not data.strip():
        raise ImportFileError(E_EMPTY)
    suffix = Path(file_name or "").suffix.lower()
    try:
        if suffix == ".xlsx" or (not suffix and data[:2] == b"PK"):
            fmt, lines, estimate = "xlsx", *_xlsx_rows(data)
        elif suffix == ".csv" or not suffix:
            fmt, lines, estimate = "csv", *_csv_rows(data)
        else:
            raise ImportFileError(E_FORMAT)
    except SpreadsheetRefused as refusal:  # a zip bomb, too many lines: nothing parsed
        raise _file_error(refusal) from refusal
    for _line, values in lines:
        if any(_filled(v) for v in values):
            keys = _match_headers(values)
            return ParsedFile(fmt, keys, _data_rows(lines), estimate)
    raise ImportFileError(E_EMPTY)


def _filled(value) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def _data_rows(lines: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    for line, values in lines:
        if any(_filled(v) for v in values):
            yield line, values


def _match_headers(values: list) -> list[str | None]:
    keys: list[str | None] = []
    unknown, seen = [], set()
    for value in values:
        text = normalise_header(value)
        if not text:
            keys.append(None)
            continue
        key = _HEADER_KEYS.get(text)
        if key is None:
            unknown.append(str(value).strip())
        elif key in seen:
            raise ImportFileError(E_HEADER_TWICE, header=HEADER_OF[key])
        seen.add(key or "")
        keys.append(key)
    missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
    if missing or unknown:
        raise ImportFileError(
            E_HEADERS,
            missing="、".join(missing) or "—",
            unknown="、".join(unknown) or "—",
        )
    return keys


def _file_error(refusal: SpreadsheetRefused) -> ImportFileError:
    return ImportFileError(refusal.msgid, **refusal.params)


def _caps() -> spreadsheets.Caps:
    return spreadsheets.Caps(
        max_lines=MAX_ROWS + LINE_SLACK,
        max_rows=MAX_ROWS,
        max_columns=spreadsheets.limit("SPREADSHEET_MAX_COLUMNS"),
    )


def _xlsx_rows(data: bytes) -> tuple[Iterator[tuple[int, list]], int]:
    """Rows of the first sheet, streamed; the zip is checked for bombs first and rows and
    columns are capped (gongzhi/core/spreadsheets.py)."""
    book = spreadsheets.open_xlsx(data)
    try:
        sheet = book.worksheets[0]
        estimate = min(sheet.max_row or len(data) // 40, MAX_ROWS + LINE_SLACK)
    except Exception as exc:  # zip, XML and openpyxl errors alike: the file is damaged
        book.close()
        raise ImportFileError(E_CORRUPT) from exc

    def lines():
        try:
            for line, row in spreadsheets.xlsx_rows(sheet, _caps()):
                values = []
                for cell in row:
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f" or (
                        isinstance(value, str) and value.startswith("=")
                    ):
                        value = Formula(value)
                    values.append(value)
                yield line, values
        except ImportFileError:
            raise
        except SpreadsheetRefused as refusal:
            raise _file_error(refusal) from refusal
        except Exception as exc:
            raise ImportFileError(E_CORRUPT) from exc
        finally:
            book.close()

    return lines(), estimate


def decode_csv(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(E_ENCODING) from exc


def _csv_rows(data: bytes) -> tuple[Iterator[tuple[int, list]], int]:
    caps = _caps()
    spreadsheets.check_csv(data, caps)  # the line count, before decoding
    text = decode_csv(data)
    if "\x00" in text:
        raise ImportFileError(E_ENCODING)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def lines():
        width = caps.max_columns
        try:
            for values in reader:
                values = spreadsheets.csv_row(values, width)
                yield reader.line_num, [Formula(v) if v.startswith("=") else v for v in values]
        except csv.Error as exc:
            raise ImportFileError(E_CSV, problem=str(exc)) from exc
        except SpreadsheetRefused as refusal:
            raise _file_error(refusal) from refusal

    return lines(), text.count("\n")


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

    def error(self, msgid: str, **params) -> None:
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


def _text(value) -> str:
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


def _date(value) -> dt.date | None:
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


def _msgid(message) -> str:
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
    id_type = ID_TYPES.get(id_type_text, IdType.RESIDENT_ID if not id_type_text else None)
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
    if facts is not None:
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
        relation = RELATIONS.get(relation_text)
        if relation is None and relation_text in Relation.values:
            relation = relation_text
        if relation is None:
            row.error(E_RELATION, value=relation_text)
        else:
            row.relation = relation

    status_text = _norm(_text(raw_status))
    if status_text:
        status = STATUSES.get(status_text)
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

    def __init__(self):
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


def _select(model, columns: list[str], key: str, values: list) -> list[tuple]:
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


# -- writing ------------------------------------------------------------------------------------


def _as_date(value) -> dt.date | None:
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

    def __init__(self):
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
        columns = [by_name[a].column for a in (*self.SET, *others)]
        cols = ", ".join(ops.quote_name(c) for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        self.insert_sql = (
            f"INSERT INTO {ops.quote_name(self.resident_table)} ({cols}) VALUES ({placeholders})"  # noqa: S608
        )

    def date(self, value: dt.date | None):
        if value is None:
            return None
        cached = self._dates.get(value)
        if cached is None:
            cached = self._dates[value] = self._adapt_date(value)
        return cached

    def _new_values(self, row: Row) -> tuple:
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
        existing = {}
        # Rows the check found unregistered are not looked up again. Should someone register
        # one meanwhile, the unique index refuses the insert and the transaction rolls back.
        lookup = [k for k, r in by_index.items() if r.registered is not False]
        for values in _select(Resident, fields, "id_index", lookup):
            old = dict(zip(fields, values, strict=True))
            old["birth_date"] = _as_date(old["birth_date"])
            existing[old["id_index"]] = old
        ids = [r["id"] for r in existing.values()]
        m_fields = ["id", "resident_id", "household_id", "relation", "moved_in", "moved_out"]
        current = {}
        for values in _select(Membership, m_fields, "resident_id", ids):
            member = dict(zip(m_fields, values, strict=True))
            if member["moved_out"] is None:
                member["moved_in"] = _as_date(member["moved_in"])
                current[member["resident_id"]] = member
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
                member_change = {}
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
                for key in ("birth_date",):
                    if key in change:
                        change[key] = self.date(change[key])
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


# -- the encrypted file of a batch --------------------------------------------------------------


def _file_key(version: int) -> bytes:
    # One field-key version's secret, named in the file's first byte: adding a key version
    # (rotation) leaves uploads already waiting readable.
    return crypto._subkey(b"import-file", crypto.keys()[version])


def imports_dir() -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def file_path(batch: ImportBatch) -> Path:
    return imports_dir() / f"{batch.pk}.bin"


def store_file(batch: ImportBatch, data: bytes) -> None:
    version = crypto.current_version()
    nonce = os.urandom(12)
    sealed = AESGCM(_file_key(version)).encrypt(nonce, data, f"import:{batch.pk}".encode())
    path = file_path(batch)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(bytes([version]) + nonce + sealed)


def load_file(batch: ImportBatch) -> bytes:
    raw = file_path(batch).read_bytes()
    key = _file_key(raw[0])
    return AESGCM(key).decrypt(raw[1:13], raw[13:], f"import:{batch.pk}".encode())


def delete_file(batch: ImportBatch) -> None:
    file_path(batch).unlink(missing_ok=True)


def purge_expired() -> int:
    """Discard unfinished uploads older than IMPORT_KEEP_HOURS; delete their files."""
    cutoff = clock.now() - dt.timedelta(hours=settings.IMPORT_KEEP_HOURS)
    stale = list(
        ImportBatch.objects.filter(
            status__in=[ImportBatch.Status.VALIDATED, ImportBatch.Status.FAILED],
            created_at__lt=cutoff,
        )
    )
    for batch in stale:
        delete_file(batch)
    ImportBatch.objects.filter(pk__in=[b.pk for b in stale]).update(
        status=ImportBatch.Status.DISCARDED, finished_at=clock.now()
    )
    return len(stale)


# -- the batch workflow (pages, task) -----------------------------------------------------------


def background_threshold() -> int:
    return settings.IMPORT_BACKGROUND_ROWS


def start(user, community: Place, file_name: str, data: bytes) -> ImportBatch:
    """Upload: check the file's size and header row now (file-level errors raise, nothing is
    kept), store it encrypted and check its rows inline or as a background task."""
    access.require(user, Action.RESIDENT_IMPORT, community.path, read_action=Action.RESIDENT_VIEW)
    purge_expired()
    parsed = read_file(data, file_name)  # raises ImportFileError before anything is written
    background = parsed.estimated_rows > background_threshold()
    if not background:
        result = check(community, parsed)  # file-level errors raise here too
    batch = ImportBatch.objects.create(
        community=community,
        place_path=community.path,
        created_by=user,
        file_name=Path(file_name).name[:200],
        file_format=parsed.format,
        background=background,
    )
    store_file(batch, data)
    if background:
        from gongzhi.people.tasks import check_import

        check_import(batch.pk)
        batch.refresh_from_db()
    else:
        _save_check(batch, result)
    return batch


def _save_check(batch: ImportBatch, result: CheckResult) -> None:
    batch.status = ImportBatch.Status.VALIDATED
    batch.total_rows = result.total
    batch.progress = result.total
    batch.error_rows = result.errors
    batch.valid_rows = result.total - result.errors
    batch.new_rows = result.new
    batch.errors = error_entries(result)
    batch.file_error = []
    batch.save()


def _fail(batch: ImportBatch, error: ImportFileError) -> None:
    delete_file(batch)
    batch.status = ImportBatch.Status.FAILED
    batch.file_error = error.as_json()
    batch.finished_at = clock.now()
    batch.save(update_fields=["status", "file_error", "finished_at"])


def _progress_saver(batch: ImportBatch) -> Callable[[int], None]:
    def save(n: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(progress=n)

    return save


def run_check(batch_id: int) -> None:
    """The background check of an uploaded file (gongzhi.people.tasks.check_import)."""
    batch = ImportBatch.objects.select_related("community").get(pk=batch_id)
    if batch.status != ImportBatch.Status.VALIDATING:
        return
    try:
        parsed = read_file(load_file(batch), batch.file_name)
        batch.total_rows = parsed.estimated_rows
        batch.save(update_fields=["total_rows"])
        result = check(batch.community, parsed, _progress_saver(batch))
    except ImportFileError as error:
        _fail(batch, error)
        return
    _save_check(batch, result)


def commit(user, batch: ImportBatch, mode: str) -> ImportBatch:
    """The worker's decision: write all rows or nothing, or only the valid rows."""
    access.require(user, Action.RESIDENT_IMPORT, batch.place_path, read_action=Action.RESIDENT_VIEW)
    if mode not in ImportBatch.Mode.values:
        raise ValueError(mode)
    if batch.status != ImportBatch.Status.VALIDATED:
        raise ImportRefused(M_NOT_READY, status=batch.get_status_display())
    if mode == ImportBatch.Mode.ALL_OR_NOTHING and batch.error_rows:
        raise ImportRefused(M_HAS_ERRORS, n=batch.error_rows)
    updated = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
        status=ImportBatch.Status.COMMITTING, mode=mode, committed_by=user, progress=0
    )
    if not updated:  # a second click, or another worker, got there first
        batch.refresh_from_db()
        raise ImportRefused(M_NOT_READY, status=batch.get_status_display())
    if batch.background:
        from gongzhi.people.tasks import commit_import

        commit_import(batch.pk)
    else:
        run_commit(batch.pk)
    batch.refresh_from_db()
    return batch


def run_commit(batch_id: int) -> None:
    """Re-read and re-check the stored file, then write (inline or as a background task)."""
    batch = ImportBatch.objects.select_related("community", "committed_by").get(pk=batch_id)
    if batch.status != ImportBatch.Status.COMMITTING:
        return
    grant = None
    if batch.committed_by is not None:
        grant = access.grant_for(batch.committed_by, Action.RESIDENT_IMPORT, batch.place_path)
        if grant is None:  # the post was withdrawn meanwhile
            _back_to_preview(batch, None)
            return
    try:
        parsed = read_file(load_file(batch), batch.file_name)
        result = check(batch.community, parsed)
    except ImportFileError as error:
        _fail(batch, error)
        return
    run_write(batch, result, actor=batch.committed_by, post=grant.post if grant else None)


def _back_to_preview(batch: ImportBatch, result: CheckResult | None) -> None:
    if result is not None:
        _save_check(batch, result)
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.VALIDATED)


def run_write(
    batch: ImportBatch,
    result: CheckResult,
    *,
    actor=None,
    post=None,
    reason: str = "",
) -> Counts:
    """Write a checked file for a batch in its mode; one audit record for the batch."""
    valid = result.valid
    progress = _progress_saver(batch)
    if batch.mode == ImportBatch.Mode.ALL_OR_NOTHING and result.errors:
        # The data changed since the preview (a household removed, a person registered
        # elsewhere): show the new errors, write nothing.
        _back_to_preview(batch, result)
        raise ImportRefused(M_HAS_ERRORS, n=result.errors)
    try:
        if batch.mode == ImportBatch.Mode.ALL_OR_NOTHING:
            with transaction.atomic():
                counts = write(valid, atomic_chunks=False)
                _finish(batch, result, counts, actor, post, reason)
        else:
            counts = write(valid, atomic_chunks=True, progress=progress)
            with transaction.atomic():
                _finish(batch, result, counts, actor, post, reason)
    except IntegrityError as exc:
        # Someone registered one of these people between the check and the write.
        _back_to_preview(batch, None)
        raise ImportRefused(M_CHANGED) from exc
    delete_file(batch)
    return counts


def _finish(batch, result: CheckResult, counts: Counts, actor, post, reason: str) -> None:
    batch.status = ImportBatch.Status.COMMITTED
    batch.total_rows = result.total
    batch.error_rows = result.errors
    batch.valid_rows = result.total - result.errors
    batch.errors = error_entries(result)
    batch.created_count = counts.created
    batch.updated_count = counts.updated
    batch.unchanged_count = counts.unchanged
    batch.progress = result.total
    batch.finished_at = clock.now()
    batch.save()
    audit.record(
        actor=actor,
        post=post,
        action=AUDIT_ACTION,
        target=batch,
        place_path=batch.place_path,
        target_repr=f"{batch.community.name}: {batch.file_name}",
        changes={
            "file": batch.file_name,
            "community": batch.community.name,
            "mode": batch.mode,
            "rows": result.total,
            "errors": result.errors,
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
        },
        reason=reason,
    )


def import_file(
    community: Place,
    file_name: str,
    data: bytes,
    mode: str,
    *,
    reason: str = "",
    dry_run: bool = False,
) -> tuple[CheckResult, ImportBatch | None]:
    """The operators' path (`manage.py import_residents`): check and write in one go, as
    the system (no user, no permission check: the operator runs the server)."""
    parsed = read_file(data, file_name)
    result = check(community, parsed)
    if dry_run:
        return result, None
    if mode == ImportBatch.Mode.ALL_OR_NOTHING and result.errors:
        refusal = ImportRefused(M_HAS_ERRORS, n=result.errors)
        refusal.result = result
        raise refusal
    batch = ImportBatch.objects.create(
        community=community,
        place_path=community.path,
        file_name=Path(file_name).name[:200],
        file_format=parsed.format,
        status=ImportBatch.Status.COMMITTING,
        mode=mode,
    )
    run_write(batch, result, reason=reason)
    return result, batch


def recover(batch_id: int) -> None:
    """After an unexpected failure of a task: a check is marked failed; a commit goes back to
    the preview (rows already written in valid_only mode are found as unchanged next time)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    if batch.status == ImportBatch.Status.VALIDATING:
        _fail(batch, ImportFileError(E_CORRUPT))
    elif batch.status == ImportBatch.Status.COMMITTING:
        _back_to_preview(batch, None)


def discard(user, batch: ImportBatch) -> None:
    access.require(user, Action.RESIDENT_IMPORT, batch.place_path, read_action=Action.RESIDENT_VIEW)
    if batch.status in {ImportBatch.Status.COMMITTED, ImportBatch.Status.COMMITTING}:
        raise ImportRefused(M_NOT_READY, status=batch.get_status_display())
    delete_file(batch)
    batch.status = ImportBatch.Status.DISCARDED
    batch.finished_at = clock.now()
    batch.save(update_fields=["status", "finished_at"])


# -- reads for the pages ------------------------------------------------------------------------


def visible_batches(user):
    return access.scoped(
        ImportBatch.objects.select_related("community", "created_by"),
        user,
        Action.RESIDENT_IMPORT,
        path_field="place_path",
    )


def get_batch(user, pk: int) -> ImportBatch:
    """A batch of a community where the user may import; 404 outside, 403 without the right."""
    from django.http import Http404

    batch = ImportBatch.objects.select_related("community").filter(pk=pk).first()
    if batch is None:
        raise Http404
    access.require(user, Action.RESIDENT_IMPORT, batch.place_path, read_action=Action.RESIDENT_VIEW)
    return batch


def import_communities(user):
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.COMMUNITY), user, Action.RESIDENT_IMPORT
    ).order_by("path")


def rendered_errors(entries: list[dict]) -> list[dict]:
    return [
        {
            "row": e["row"],
            "messages": [render(m, p) for m, p in e["messages"]],
            "cells": e["cells"],
        }
        for e in entries
    ]
