"""Uploaded spreadsheets: look at the file before any parser does, and cells that read as formulas.

An .xlsx file is a zip archive. Unpacked, a few hundred kilobytes can become gigabytes (a "zip
bomb"): openpyxl reads the whole shared-strings part into memory even in read-only mode. So
`check_xlsx(data)` reads only the zip directory (sizes as declared there; Python's zipfile never
unpacks more than a member declares) and refuses, before openpyxl opens anything:

- more members than `SPREADSHEET_MAX_MEMBERS` (counted in the raw bytes first, so that a
  directory of a million entries is not even loaded);
- a total unpacked size above `SPREADSHEET_MAX_UNPACKED` bytes, or a shared-strings part above
  `SPREADSHEET_MAX_SHARED_STRINGS`;
- a member larger than `SPREADSHEET_RATIO_FROM` bytes that unpacks to more than
  `SPREADSHEET_MAX_RATIO` times its packed size (real sheets: about 10:1);
- odd members: paths going up (`..`), absolute or with backslashes or control characters,
  duplicate names, encrypted members, compression other than stored/deflate, and archives
  inside the archive (.zip, .xlsx, .gz, …).

`open_xlsx(data)` checks, then opens in read-only mode (rows streamed, formulas never
evaluated); `xlsx_rows(sheet)` yields rows capped at `max_lines` lines and `max_columns`
columns. `check_csv(data)` bounds a CSV file's line count before it is decoded. Every refusal
is a `SpreadsheetRefused` with a msgid and parameters (translated when shown; Chinese in
i18n/security_people.json).

The bounds are settings (environment overrides in gongzhi/settings.py); the defaults let a real
20,000-row register saved the way Excel does (about 10 MB unpacked, 1.7 MB of shared strings,
12:1; measured on tests/people/test_spreadsheet_guard.py's `excel_like_register`) through with
room to spare.

`looks_like_formula(text)` is the one rule for "a spreadsheet would read this cell as a
formula" (OWASP CSV injection: a lead of =, +, -, @, tab or carriage return, also behind
spaces or control characters that some programs drop): exports neutralise such cells
(gongzhi.core.exports.safe_cell, `strict=True`), imports refuse them — except a cell that is
only "-" or "--", the usual placeholder for "nothing", which imports take as text.

Used by: gongzhi/people/imports/ (the resident import: pages, background task and
`manage.py import_residents`). Any new code that reads an uploaded spreadsheet must go through
`open_xlsx` / `xlsx_rows` / `check_csv`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

if TYPE_CHECKING:  # openpyxl is imported only when a workbook is read
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

MB = 1024 * 1024

DEFAULTS = {
    "SPREADSHEET_MAX_UNPACKED": 64 * MB,
    "SPREADSHEET_MAX_SHARED_STRINGS": 16 * MB,
    "SPREADSHEET_MAX_RATIO": 100,
    "SPREADSHEET_RATIO_FROM": 1 * MB,
    "SPREADSHEET_MAX_MEMBERS": 250,
    "SPREADSHEET_MAX_COLUMNS": 64,
}

NESTED_SUFFIXES = (
    ".zip", ".xlsx", ".xlsm", ".xlsb", ".xls", ".docx", ".pptx", ".jar", ".gz", ".tgz", ".bz2",
    ".xz", ".7z", ".rar", ".tar", ".zst", ".cab",
)  # fmt: skip
SHARED_STRINGS = "xl/sharedstrings.xml"
_DIRECTORY_ENTRY = b"PK\x01\x02"
_FORMULA_LEADS = frozenset("=+-@")

E_UNPACKED = gettext_noop(
    "The workbook unpacks to %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
)
E_RATIO = gettext_noop(
    "The workbook contains a part that unpacks to more than %(ratio)s times its packed size, which a real spreadsheet never does; it is refused. Copy the data into the import template and save it again."
)
E_MEMBERS = gettext_noop(
    "The workbook consists of more than %(limit)s parts; it is refused. Copy the data into the import template and save it again."
)
E_ODD = gettext_noop(
    "The workbook contains embedded files or parts a spreadsheet does not have; it is refused. Copy the data into the import template and save it again."
)
E_CORRUPT = gettext_noop(
    "The file cannot be read as an .xlsx workbook; it may be damaged. Open it in Excel or WPS and save it again."
)
E_TOO_MANY_ROWS = gettext_noop(
    "The file has more than %(limit)s rows; split it into smaller files."
)
E_TOO_MANY_COLUMNS = gettext_noop(
    "The sheet has more than %(limit)s columns; delete the extra columns or copy the data into the import template."
)


class SpreadsheetRefused(Exception):
    """An uploaded spreadsheet refused before (or while) it is parsed; nothing is written."""

    def __init__(self, msgid: str, **params: object) -> None:
        super().__init__(msgid % params if params else msgid)
        self.msgid, self.params = msgid, params

    @property
    def message(self) -> str:
        text = gettext(self.msgid)
        return text % self.params if self.params else text


def limit(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def _mb(n: int) -> str:
    return f"{n / MB:.1f}".rstrip("0").rstrip(".")


def _odd_name(name: str) -> bool:
    if not name or name.startswith("/") or "\\" in name or ":" in name:
        return True
    if any(ord(ch) < 32 for ch in name):
        return True
    if any(part in ("..", ".") for part in name.split("/")):
        return True
    return name.lower().endswith(NESTED_SUFFIXES)


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook whose zip directory shows a bomb or odd members; never unpacks."""
    max_members = limit("SPREADSHEET_MAX_MEMBERS")
    if data.count(_DIRECTORY_ENTRY) > max_members:
        raise SpreadsheetRefused(E_MEMBERS, limit=max_members)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise SpreadsheetRefused(E_CORRUPT) from exc
    if len(members) > max_members:
        raise SpreadsheetRefused(E_MEMBERS, limit=max_members)
    max_unpacked = limit("SPREADSHEET_MAX_UNPACKED")
    max_strings = limit("SPREADSHEET_MAX_SHARED_STRINGS")
    max_ratio = limit("SPREADSHEET_MAX_RATIO")
    ratio_from = limit("SPREADSHEET_RATIO_FROM")
    seen: set[str] = set()
    total = 0
    for info in members:
        name = info.filename
        if (
            _odd_name(name)
            or name.lower() in seen
            or info.flag_bits & 0x1  # encrypted
            or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
        ):
            raise SpreadsheetRefused(E_ODD)
        seen.add(name.lower())
        size = info.file_size
        total += size
        if size > ratio_from and size > max_ratio * max(info.compress_size, 1):
            raise SpreadsheetRefused(E_RATIO, ratio=max_ratio)
        if name.lower() == SHARED_STRINGS and size > max_strings:
            raise SpreadsheetRefused(E_UNPACKED, size=_mb(size), limit=_mb(max_strings))
    if total > max_unpacked:
        raise SpreadsheetRefused(E_UNPACKED, size=_mb(total), limit=_mb(max_unpacked))


def open_xlsx(data: bytes) -> Workbook:
    """The workbook, checked by `check_xlsx` first, opened read-only (formulas kept as text,
    never evaluated). The caller closes it."""
    check_xlsx(data)
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # zip, XML and openpyxl errors alike: the file is damaged
        raise SpreadsheetRefused(E_CORRUPT) from exc


@dataclass(frozen=True)
class Caps:
    max_lines: int  # lines of the sheet read at most (header and blank lines included)
    max_rows: int  # the number shown in the refusal
    max_columns: int


def xlsx_rows(sheet: ReadOnlyWorksheet, caps: Caps) -> Iterator[tuple[int, list[Any]]]:
    """(line number, cells) of a read-only sheet, at most `caps.max_columns` cells per row: a
    filled cell in the next column is refused, columns further right are never read (so a cell
    at column XFD cannot make every row 16,384 cells wide). A line beyond `caps.max_lines` is
    refused, so a lone row numbered 1,048,576 does not walk a million empty rows. The cells
    are openpyxl's read-only cells (`value`, `data_type`)."""
    width = caps.max_columns
    for line, row in enumerate(sheet.iter_rows(max_col=width + 1), start=1):
        if line > caps.max_lines:
            raise SpreadsheetRefused(E_TOO_MANY_ROWS, limit=caps.max_rows)
        cells = list(row)
        if len(cells) > width:
            extra = getattr(cells[width], "value", None)
            if extra is not None and (not isinstance(extra, str) or extra.strip()):
                raise SpreadsheetRefused(E_TOO_MANY_COLUMNS, limit=width)
            del cells[width:]
        yield line, cells


def check_csv(data: bytes, caps: Caps) -> None:
    """Refuse a CSV file with more lines than `caps.max_lines`, before decoding it. (Its byte
    size is bounded by the caller's upload limit; a newline byte never occurs inside a UTF-8
    or GB18030 character.)"""
    if data.count(b"\n") > caps.max_lines:
        raise SpreadsheetRefused(E_TOO_MANY_ROWS, limit=caps.max_rows)


def csv_row(values: list[str], width: int) -> list[str]:
    """A CSV row cut to `width` cells; a filled cell beyond them is refused."""
    if len(values) > width:
        if any(v.strip() for v in values[width:]):
            raise SpreadsheetRefused(E_TOO_MANY_COLUMNS, limit=width)
        del values[width:]
    return values


# Cells that are only dashes: the common placeholder for "nothing" in a register, which no
# spreadsheet computes. An import takes them (the column's own check then reads them); the
# export writer (`strict=True`) still neutralises them.
DASH_PLACEHOLDERS = frozenset({"-", "--"})


def looks_like_formula(text: str, *, strict: bool = False) -> bool:
    """A text a spreadsheet may read as a formula: it starts with a tab or a carriage return,
    or its first character after spaces and control characters is =, +, - or @. A cell that is
    only "-" or "--" (spaces around allowed) is a placeholder, not a formula, unless `strict`."""
    if not text:
        return False
    if not strict and text.strip(" ") in DASH_PLACEHOLDERS:
        return False
    first = text[0]
    if first in _FORMULA_LEADS or first in "\t\r":
        return True
    if first.isspace() or first < " " or first == "\x7f":
        for ch in text:
            if ch.isspace() or ch < " " or ch == "\x7f":
                continue
            return ch in _FORMULA_LEADS
    return False
