"""The roster as a spreadsheet (issue 15 item 7): the xlsx export in the layout offices hand in
(written only through `core.exports`), and the import of an existing roster.

Import: the file is read through the kernel's guarded reader (`core.spreadsheets`: zip bombs,
odd members, row and column caps, formulas never evaluated — the same reader and header
normalisation as the registry's import, `people.imports.parse`), every row is checked, and
**all valid rows or none** are written: one row in error writes nothing, and the page lists
each row's problems in Chinese with the line number. A person is found in the people registry
by the blind index of their ID number (the number itself is never stored or logged here) and
must live in the community, with the name on the row. Each record is then written by
`services.add_worker` (permission, audit) inside one transaction.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, crypto, exports, spreadsheets
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.people.imports.parse import Formula, normalise_header
from gongzhi.people.models import Resident
from gongzhi.people.selectors import visible_residents
from gongzhi.places.models import Place
from gongzhi.workforce import checks, selectors, services
from gongzhi.workforce.models import (
    SOCIAL_WORK_LEVELS,
    Education,
    Worker,
    WorkerKind,
)

MAX_ROWS = 2000
MAX_BYTES = 5 * 1024 * 1024

# Column keys and their Chinese headers (the layout of the roster offices hand in).
HEADERS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "kind": "人员类别",
    "started_on": "到岗日期",
    "education": "学历",
    "reserve": "后备人选",
    "pay": "月基本报酬（元）",
}
ALIASES = {"证件号码": "id_number", "类别": "kind", "入职日期": "started_on", "基本报酬": "pay"}
REQUIRED = ("name", "id_number", "kind", "started_on")
_HEADER_KEYS = {
    **{normalise_header(h): k for k, h in HEADERS.items()},
    **{normalise_header(h): k for h, k in ALIASES.items()},
}

KINDS = {
    "社区党组织书记": WorkerKind.SECRETARY,
    "书记": WorkerKind.SECRETARY,
    "居委会主任": WorkerKind.DIRECTOR,
    "主任": WorkerKind.DIRECTOR,
    "社区工作者": WorkerKind.COMMUNITY_WORKER,
    "专职社区工作者": WorkerKind.COMMUNITY_WORKER,
    "网格员": WorkerKind.GRID_WORKER,
    "专职网格员": WorkerKind.GRID_WORKER,
    "兼职网格员": WorkerKind.GRID_WORKER,
    "第一书记": WorkerKind.FIRST_SECRETARY,
    "挂职干部": WorkerKind.SECONDED_CADRE,
    "社工机构社会工作者": WorkerKind.AGENCY_SOCIAL_WORKER,
}
EDUCATION = {
    "初中": Education.SECONDARY,
    "高中": Education.SECONDARY,
    "中专": Education.SECONDARY,
    "中专及以下": Education.SECONDARY,
    "大专": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "硕士": Education.MASTER,
    "研究生": Education.MASTER,
    "博士": Education.MASTER,
}
YES = {"是", "Y", "YES", "1", "√"}
NO = {"否", "N", "NO", "0", ""}


class RosterFileError(Exception):
    """A file-level problem: nothing is read."""


@dataclass
class ImportResult:
    created: int = 0
    rows: int = 0
    errors: list[str] = field(default_factory=list)  # "第 n 行：…", in the user's language


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-")
    text = text.rstrip("日").strip("-")
    try:
        return dt.date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        return None


def _rows(data: bytes) -> tuple[list[str | None], list[tuple[int, list[Any]]]]:
    if len(data) > MAX_BYTES:
        raise RosterFileError(_("The file is larger than 5 MB."))
    try:
        book = spreadsheets.open_xlsx(data)
    except spreadsheets.SpreadsheetRefused as refusal:
        raise RosterFileError(_("The file is not a readable .xlsx workbook.")) from refusal
    except Exception as exc:  # zip, XML and openpyxl errors alike: the file is damaged
        raise RosterFileError(_("The file is not a readable .xlsx workbook.")) from exc
    caps = spreadsheets.Caps(max_lines=MAX_ROWS + 50, max_rows=MAX_ROWS, max_columns=40)
    lines: list[tuple[int, list[Any]]] = []
    try:
        for line, row in spreadsheets.xlsx_rows(book.worksheets[0], caps):
            values = []
            for cell in row:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f" or (
                    isinstance(value, str) and value.startswith("=")
                ):
                    value = Formula(value)
                values.append(value)
            if any(_text(v) for v in values):
                lines.append((line, values))
    except spreadsheets.SpreadsheetRefused as refusal:
        raise RosterFileError(_("The file has too many rows or columns.")) from refusal
    except Exception as exc:
        raise RosterFileError(_("The file is not a readable .xlsx workbook.")) from exc
    finally:
        book.close()
    if not lines:
        raise RosterFileError(_("The file is empty."))
    # Offices' rosters often carry a title row (e.g. "××社区社区工作者台账") above the
    # header: the header is the first of the first five rows that names a required column.
    for index, (_line, header) in enumerate(lines[:5]):
        keys: list[str | None] = [_HEADER_KEYS.get(normalise_header(v)) for v in header]
        if any(k in REQUIRED for k in keys):
            missing = [HEADERS[k] for k in REQUIRED if k not in keys]
            if missing:
                raise RosterFileError(
                    _("The header row lacks the columns: %(missing)s.")
                    % {"missing": "、".join(missing)}
                )
            return keys, lines[index + 1 :]
    raise RosterFileError(
        _("No header row found: the columns must be named %(names)s.")
        % {"names": "、".join(HEADERS[k] for k in REQUIRED)}
    )


def _row_problems(
    values: dict[str, Any], residents: dict[str, Resident], seen: set[str]
) -> tuple[list[str], dict[str, Any]]:
    problems: list[str] = []
    if any(isinstance(v, Formula) for v in values.values()):
        return [_("a cell holds a formula; enter plain values")], {}
    name = _text(values.get("name"))
    number = _text(values.get("id_number")).replace(" ", "").upper()
    if not name:
        problems.append(_("the name is empty"))
    resident = None
    if not number:
        problems.append(_("the ID number is empty"))
    elif number in seen:
        problems.append(_("this ID number appears twice in the file"))
    else:
        seen.add(number)
        resident = residents.get(crypto.blind_index("id", number))
        if resident is None:
            problems.append(_("no resident of this community has this ID number"))
        elif name and resident.name != name:
            problems.append(_("the name does not match the resident with this ID number"))
    kind = KINDS.get(_text(values.get("kind")))
    if kind is None:
        problems.append(
            _("unknown kind “%(v)s”: use one of %(list)s")
            % {"v": _text(values.get("kind")), "list": "、".join(KINDS)}
        )
    started = _date(values.get("started_on"))
    if started is None:
        problems.append(_("the start date is not a date (e.g. 2021-03-01)"))
    elif started > clock.today():
        problems.append(_("the start date is in the future"))
    education_text = _text(values.get("education"))
    education = EDUCATION.get(education_text, "") if education_text else ""
    if education_text and not education:
        problems.append(
            _("unknown education “%(v)s”: use one of %(list)s")
            % {"v": education_text, "list": "、".join(EDUCATION)}
        )
    reserve_text = _text(values.get("reserve")).upper()
    if reserve_text not in YES | NO:
        problems.append(_("reserve candidate: write 是 or 否"))
    pay_text = _text(values.get("pay")).replace(",", "")
    pay = None
    if pay_text:
        try:
            pay = Decimal(pay_text)
            services.pay_fen(pay)
        except (InvalidOperation, ValidationError):
            problems.append(_("the pay is not an amount in yuan (0 to 100,000)"))
    return problems, {
        "resident": resident,
        "kind": kind,
        "started_on": started,
        "education": education,
        "is_reserve": reserve_text in YES,
        "monthly_pay_yuan": pay,
    }


def import_roster(community: Place, data: bytes, *, actor: User) -> ImportResult:
    """Check every row; write all of them or none. File problems raise RosterFileError."""
    access.require(
        actor, Action.WORKFORCE_MANAGE, community.path, read_action=Action.WORKFORCE_VIEW
    )
    keys, lines = _rows(data)
    residents = {
        r.id_index: r
        for r in visible_residents(actor).filter(
            place_path__under=community.path, is_active=True, id_index__isnull=False
        )
        if r.id_index
    }
    active = set(Worker.objects.filter(left_on__isnull=True).values_list("resident_id", flat=True))
    result = ImportResult(rows=len(lines))
    seen: set[str] = set()
    valid: list[dict[str, Any]] = []
    for line, raw in lines:
        values = {k: v for k, v in zip(keys, raw, strict=False) if k}
        problems, clean = _row_problems(values, residents, seen)
        resident = clean.get("resident")
        if resident is not None and resident.pk in active:
            problems.append(_("this person already has an active worker's record"))
        if problems:
            result.errors.append(
                _("Row %(line)s: %(problems)s") % {"line": line, "problems": "；".join(problems)}
            )
        else:
            valid.append(clean)
    if result.errors or not valid:
        if not valid and not result.errors:
            result.errors.append(_("The file has no rows below its header."))
        return result
    try:
        with transaction.atomic():
            for clean in valid:
                services.add_worker(community, actor=actor, **clean)
            audit.record(
                actor=actor,
                action="workforce.roster_import",
                target=community,
                place_path=community.path,
                changes={"rows": [None, len(valid)]},
            )
    except ValidationError as error:  # a row taken meanwhile: nothing is written
        result.errors.append(" ".join(error.messages))
        return result
    result.created = len(valid)
    return result


# --------------------------------------------------------------------------- export

EXPORT_HEADERS = (
    "序号",
    "街道",
    "社区",
    "姓名",
    "性别",
    "人员类别",
    "岗位",
    "专职/兼职",
    "到岗日期",
    "学历",
    "政治面貌",
    "持证情况",
    "后备人选",
    "年龄",
    "身份证号码（脱敏）",
    "月基本报酬（元）",
)


def roster_xlsx(user: Viewer, params: Any) -> bytes:
    """The filtered roster as .xlsx (core.exports). Age, the masked ID number and pay are
    filled only where the viewer sees personal data; the cells are empty otherwise."""
    rows = list(
        selectors.worker_rows(user, params)
        .select_related("community__parent")
        .prefetch_related("certificates")[: MAX_ROWS * 5]
    )
    paths = selectors.personal_paths(user)
    party = selectors.party_status([w.resident_id for w in rows])
    today = clock.today()
    out = []
    for i, w in enumerate(rows, start=1):
        personal = selectors.sees_personal_in(paths, user, w)
        post = w.post
        terms = getattr(post, "terms", None) if post else None
        full_time = "" if post is None else ("专职" if terms is None or terms.full_time else "兼职")
        levels = [c for c in w.certificates.all() if c.level in SOCIAL_WORK_LEVELS]
        out.append(
            [
                i,
                w.community.parent.name if w.community.parent else "",
                w.community.name,
                w.resident.name,
                w.resident.get_gender_display(),
                w.get_kind_display(),
                f"{post.get_role_display()} · {post.place.name}" if post and post.place else "",
                full_time,
                w.started_on,
                w.get_education_display() if w.education else "",
                party.get(w.resident_id, "群众"),
                "、".join(str(c.get_level_display()) for c in levels) or "未持证",
                "是" if w.is_reserve else "否",
                checks.age_on(w.resident.birth_date, today) if personal else "",
                w.resident.id_masked if personal else "",
                w.monthly_pay_yuan if personal and w.monthly_pay_yuan else "",
            ]
        )
    return exports.write_xlsx(out, EXPORT_HEADERS, title="社区工作者台账")


def template_xlsx() -> bytes:
    """An empty roster to fill in for the import."""
    return exports.write_xlsx([], list(HEADERS.values()), title="社区工作者台账")
