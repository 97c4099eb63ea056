"""The one spreadsheet writer of the platform (kernel): every export, report and error sheet.

Every cell goes through `safe_cell()`: a text that a spreadsheet would read as a formula
(gongzhi.core.spreadsheets.looks_like_formula: starting with =, +, -, @, a tab or a carriage
return, also behind spaces or control characters that some programs drop) gets a leading
single quote, so `=HYPERLINK(...)` arrives as text (CSV injection, OWASP). In .xlsx the
characters openpyxl cannot store are removed first, so that removing them cannot uncover a
formula. Numbers, dates and booleans are written as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from gongzhi.core.spreadsheets import looks_like_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet cell that can never be a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal | dt.date | dt.datetime):
        return value
    text = str(value)
    if looks_like_formula(text, strict=True):  # a lone "-" too: the writer takes no chances
        return "'" + text
    return text


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        # Control characters make openpyxl refuse the whole workbook: removed before the
        # formula check, so that "\x01=1+1" cannot become "=1+1" afterwards.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    value = safe_cell(value)
    if isinstance(value, str):  # also a lazy translation, made text by safe_cell
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones
    return value


def write_xlsx(
    rows: Iterable[Sequence[Any]], headers: Sequence[str], title: str = "Sheet1"
) -> bytes:
    """One sheet: a header row, then the rows; every cell neutralised."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title)[:31] or "Sheet1")
    sheet.append([_xlsx_cell(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_csv(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> bytes:
    """UTF-8 with a byte-order mark (so that Excel opens Chinese text correctly)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
