"""Training attendance as .xlsx (issue 15 item 5), written by `core.exports` (every cell
neutralised, formulas never live):

- `course_xlsx`: one course's or contest's attendance in the viewer's area — 序号、街道、社区、
  姓名、人员类别、参训天数 (and 名次、成绩 for a contest);
- `yearly_xlsx`: each active worker's centralised training in a year against the profile of
  their community (001 §5) — 序号、街道、社区、姓名、人员类别、应训天数、已训天数、县级及以上
  培训次数、应训次数、是否达标. No personal data (no ID number, age or pay), so the viewer's
  `workforce.view` is enough. A bounded number of queries whatever the number of people.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from gongzhi.core import exports, profiles
from gongzhi.core.types import Viewer
from gongzhi.workforce import selectors, training
from gongzhi.workforce.models import Course, CourseKind, Worker

MAX_ROWS = 10000
COURSE_HEADERS = ["序号", "街道", "社区", "姓名", "人员类别", "参训天数"]
CONTEST_HEADERS = [*COURSE_HEADERS, "名次", "成绩"]
YEARLY_HEADERS = [
    "序号",
    "街道",
    "社区",
    "姓名",
    "人员类别",
    "应训天数",
    "已训天数",
    "县级及以上培训次数",
    "应训次数",
    "是否达标",
]


def _days(value: Decimal | None) -> Any:
    if value is None:
        return ""
    return int(value) if value == value.to_integral_value() else float(value)


def course_xlsx(user: Viewer, course: Course) -> bytes:
    contest = course.kind == CourseKind.CONTEST
    rows = []
    attendances = selectors.attendances_of(user, course).select_related(
        "worker__community__parent"
    )[:MAX_ROWS]
    for i, a in enumerate(attendances, start=1):
        community = a.worker.community
        row: list[Any] = [
            i,
            community.parent.name if community.parent else "",
            community.name,
            a.worker.resident.name,
            a.worker.get_kind_display(),
            _days(a.days),
        ]
        if contest:
            row += [a.rank or "", "" if a.score is None else float(a.score)]
        rows.append(row)
    return exports.write_xlsx(
        rows, CONTEST_HEADERS if contest else COURSE_HEADERS, title=course.title[:31]
    )


def yearly_rows(workers: list[Worker], year: int) -> list[list[Any]]:
    """One row per worker: required and done days and county-level sessions (five queries:
    profile setters, seats, days, sessions — the workers are given)."""
    setters = profiles.profile_setters({w.community for w in workers})
    profile_of = {
        pk: profiles.current(setter.policy_profile) if setter else None
        for pk, setter in setters.items()
    }
    chiefs, members = training.chiefs_and_members([w.pk for w in workers])
    ids = [w.resident_id for w in workers]
    done = training.days_in_year(ids, year)
    sessions = training.county_sessions(ids, year)
    rows = []
    for i, w in enumerate(workers, start=1):
        profile = profile_of.get(w.community_id)
        required, key = training.required_days(w, profile, chiefs, members)
        days = done.get(w.resident_id, Decimal(0))
        least_sessions = (
            training.value(profile, training.SESSIONS_KEY) if key == training.CHIEF_DAYS else None
        )
        count = sessions.get(w.resident_id, 0)
        if required is None and least_sessions is None:
            verdict = "无要求"
        elif (required is not None and days < required) or (
            least_sessions is not None and count < least_sessions
        ):
            verdict = "未达标"
        else:
            verdict = "达标"
        rows.append(
            [
                i,
                w.community.parent.name if w.community.parent else "",
                w.community.name,
                w.resident.name,
                w.get_kind_display(),
                _days(required),
                _days(days),
                count,
                _days(least_sessions),
                verdict,
            ]
        )
    return rows


def yearly_xlsx(user: Viewer, year: int, params: Any = None) -> bytes:
    workers = list(
        selectors.worker_rows(user, params or {}).select_related("community__parent")[:MAX_ROWS]
    )
    return exports.write_xlsx(yearly_rows(workers, year), YEARLY_HEADERS, title=f"{year}年培训天数")
