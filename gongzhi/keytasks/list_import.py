"""Import a task list from an .xlsx sheet (read through gongzhi/core/spreadsheets.py).

Columns, found by their header (the first of the first five lines naming 任务):
序号 (optional), 任务 (the title), 出处 (the paragraph it comes from, optional),
责任单位 or 牵头单位 (the first unit leads, the others cooperate), 配合单位 (optional, more
cooperating units), 完成时间 (a date, 2024-07-31, 2024年7月31日, or "2024年8月前" = before
August 2024, i.e. 2024-07-31).

A unit is a place under the list's place (by name), "各社区" (every community under it), or
one of the offices the list names. Every row is checked; if any row is bad, nothing is written
and each problem comes back in Chinese with its line number.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import spreadsheets
from gongzhi.keytasks.list_services import TaskSpec, Unit
from gongzhi.places.models import Place, PlaceKind

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 500
EVERY_COMMUNITY = "各社区"
HEADERS = {
    "序号": "number",
    "任务": "title",
    "任务内容": "title",
    "工作任务": "title",
    "出处": "paragraph",
    "依据": "paragraph",
    "责任单位": "units",
    "牵头单位": "units",
    "配合单位": "coop",
    "完成时间": "due",
    "完成时限": "due",
}
_SPLIT = re.compile(r"[、，,;；/\s]+")
_BEFORE = re.compile(r"^(\d{4})年(\d{1,2})月(?:底)?前$")
_YEAR_MONTH_END = re.compile(r"^(\d{4})年(\d{1,2})月底$")


class ImportRefused(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def parse_due(value: Any) -> dt.date | None:
    """A deadline cell: a date, an ISO or Chinese date, "YYYY年M月前" (the end of the month
    before) or "YYYY年M月底" (the end of that month); None if it is none of them."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace(" ", "")
    try:
        if match := _BEFORE.match(text):
            year, month = int(match[1]), int(match[2])
            return dt.date(year, month, 1) - dt.timedelta(days=1)
        if match := _YEAR_MONTH_END.match(text):
            return _month_end(int(match[1]), int(match[2]))
        text = text.replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
        text = text.rstrip("日").strip("-")
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        return None


def _lines(data: bytes) -> list[tuple[int, list[Any]]]:
    if len(data) > MAX_BYTES:
        raise ImportRefused([_("The file is larger than 2 MB.")])
    try:
        book = spreadsheets.open_xlsx(data)
    except spreadsheets.SpreadsheetRefused as refusal:
        raise ImportRefused([refusal.message]) from refusal
    caps = spreadsheets.Caps(max_lines=MAX_ROWS + 10, max_rows=MAX_ROWS, max_columns=12)
    lines = []
    try:
        for line, cells in spreadsheets.xlsx_rows(book.worksheets[0], caps):
            values = [getattr(c, "value", None) for c in cells]
            if any(_text(v) for v in values):
                lines.append((line, values))
    except spreadsheets.SpreadsheetRefused as refusal:
        raise ImportRefused([refusal.message]) from refusal
    finally:
        book.close()
    return lines


def parse(data: bytes, place: Place, offices: list[str]) -> list[TaskSpec]:
    """The tasks of the sheet, or ImportRefused with every problem, line by line."""
    lines = _lines(data)
    header_at = None
    keys: list[str | None] = []
    for index, (_line, values) in enumerate(lines[:5]):
        keys = [HEADERS.get(_text(v).replace(" ", "")) for v in values]
        if "title" in keys:
            header_at = index
            break
    if header_at is None:
        raise ImportRefused(
            [_("No header row: the sheet needs the columns 任务, 责任单位 and 完成时间.")]
        )
    missing = [
        name for name, key in (("责任单位", "units"), ("完成时间", "due")) if key not in keys
    ]
    if missing:
        raise ImportRefused(
            [_("The header row lacks the columns: %(names)s.") % {"names": "、".join(missing)}]
        )
    under = list(Place.objects.filter(path__under=place.path).exclude(pk=place.pk).order_by("path"))
    by_name: dict[str, Place] = {}
    for item in under:
        by_name.setdefault(item.name, item)
    communities = [p for p in under if p.kind == PlaceKind.COMMUNITY]
    office_names = set(offices)

    def units_of(cell: Any, problems: list[str]) -> list[Unit]:
        out: list[Unit] = []
        for name in _SPLIT.split(_text(cell).strip("()（）〔〕[]")):
            name = name.strip("()（）〔〕[]")
            if not name:
                continue
            if name == EVERY_COMMUNITY:
                if not communities:
                    problems.append(
                        _("there is no community under %(place)s") % {"place": place.name}
                    )
                out.extend(Unit(c.name, c) for c in communities)
            elif name in by_name:
                out.append(Unit(name, by_name[name]))
            elif name in office_names:
                out.append(Unit(name))
            else:
                problems.append(_("unknown unit “%(name)s”") % {"name": name})
        return out

    specs: list[TaskSpec] = []
    errors: list[str] = []
    rows = lines[header_at + 1 :]
    if not rows:
        raise ImportRefused([_("The sheet has no tasks.")])
    if len(rows) > MAX_ROWS:
        raise ImportRefused([_("At most %(n)s tasks in one sheet.") % {"n": MAX_ROWS}])
    for line, values in rows:
        row = {k: values[i] for i, k in enumerate(keys) if k and i < len(values)}
        problems: list[str] = []
        if any(isinstance(v, str) and v.startswith("=") for v in values):
            problems.append(_("a cell holds a formula; enter plain values"))
        title = _text(row.get("title"))
        if not title:
            problems.append(_("the task is empty"))
        elif len(title) > 500:
            problems.append(_("the task is longer than 500 characters"))
        units = units_of(row.get("units"), problems) + units_of(row.get("coop"), problems)
        if not units and not _text(row.get("units")):
            problems.append(_("no responsible unit"))
        due_cell = row.get("due")
        due = parse_due(due_cell)
        if due is None:
            problems.append(
                _("the deadline “%(value)s” is not a date") % {"value": _text(due_cell)[:40]}
                if _text(due_cell)
                else _("the deadline is empty")
            )
        if problems:
            errors.append(
                _("Line %(line)s: %(problems)s.") % {"line": line, "problems": "；".join(problems)}
            )
            continue
        assert due is not None
        seen: set[str] = set()
        unique: list[Unit] = []
        for unit in units:
            if unit.name not in seen:
                seen.add(unit.name)
                unique.append(unit)
        specs.append(
            TaskSpec(
                title=title,
                due_on=due,
                paragraph=_text(row.get("paragraph")),
                lead=unique[0],
                cooperating=tuple(unique[1:]),
            )
        )
    if errors:
        raise ImportRefused(errors)
    return specs


def refusal(error: ImportRefused) -> ValidationError:
    return ValidationError(error.problems)
