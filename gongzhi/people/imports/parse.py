"""Resident import: reading the file (.xlsx through gongzhi.core.spreadsheets, .csv) into rows."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from gongzhi.core import spreadsheets
from gongzhi.core.spreadsheets import SpreadsheetRefused
from gongzhi.people.imports.fileformat import (
    COLUMNS,
    E_CORRUPT,
    E_CSV,
    E_EMPTY,
    E_ENCODING,
    E_FORMAT,
    E_HEADER_TWICE,
    E_HEADERS,
    E_TOO_BIG,
    HEADER_OF,
    LINE_SLACK,
    MAX_ROWS,
    ImportFileError,
)

# -- reading the file ---------------------------------------------------------------------------


class Formula(str):
    """A cell value that is (or looks like) a formula: never evaluated, never imported."""


def normalise_header(text: object) -> str:
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


def _filled(value: object) -> bool:
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

    def lines() -> Iterator[tuple[int, list[Any]]]:
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

    def lines() -> Iterator[tuple[int, list[Any]]]:
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
