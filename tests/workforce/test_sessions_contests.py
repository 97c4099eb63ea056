"""Compliance rows for county-level training sessions of the secretary and the director (001 §5:
每年至少参加1次县及县以上的集中培训) and grid workers' skills contests a year (003 §三(一)2:
每年至少开展一次网格员技能竞赛) with boundary values; the training attendance exports (per
course, per person's yearly days) through core.exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.models import AuditRecord
from gongzhi.workforce import checks, training
from gongzhi.workforce.models import CourseKind, WorkerKind
from tests.workforce.conftest import PROFILE, add, seat, term

pytestmark = pytest.mark.django_db
D = dt.date

RULES = PROFILE + (
    "training:\n"
    "  secretary_min_days: 7  # 001 §5: 累计集中培训时间不少于7天\n"
    "  committee_min_days: 3  # 001 §5: 培训时间不少于3天\n"
    "  secretary_min_sessions_per_year: {sessions}  # 001 §5: 每年至少参加1次县及县以上的集中培训\n"
    "grid:\n"
    "  worker_contests_per_year: {contests}  # 003 §三(一)2: 每年至少开展一次网格员技能竞赛\n"
)


def _rules(w, profile_dir, sessions=1, contests=1):
    (profile_dir / "workforce-rules.yaml").write_text(
        RULES.format(sessions=sessions, contests=contests)
    )
    w.world.district.policy_profile = "workforce-rules"
    w.world.district.save()


MARCH = D(2026, 3, 1)


def course(w, kind=CourseKind.TRAINING, start=MARCH, county=False, place=None, days="2"):
    return training.record_course(
        place or w.community,
        actor=w.street,
        title=f"{kind}{start}",
        organiser="区委组织部",
        kind=kind,
        starts_on=start,
        ends_on=start + dt.timedelta(days=3),
        days=days,
        county_level=county,
    )


def _row(w, key):
    return next(c for c in checks.community_report(w.community).checks if c.key == key)


@pytest.fixture
def chiefs(wf, profile_dir):
    _rules(wf, profile_dir)
    secretary = add(wf, wf.people[0], kind=WorkerKind.SECRETARY)
    director = add(wf, wf.people[1])
    t = term(wf, "residents", seats=5)
    seat(wf, t, director, "director")
    return secretary, director


@pytest.mark.parametrize(
    ("least", "attended", "status"), [(1, 0, "short"), (1, 1, "ok"), (2, 1, "short"), (2, 2, "ok")]
)
def test_sessions_at_county_level_boundary(wf, profile_dir, chiefs, least, attended, status):
    _rules(wf, profile_dir, sessions=least)
    for i in range(attended):
        held = course(wf, start=D(2026, 3, 1 + i * 5), county=True, place=wf.world.street_a)
        for worker in chiefs:
            training.record_attendance(held, actor=wf.street, worker=worker)
    row = _row(wf, training.SESSIONS_KEY)
    assert row.status == status
    assert row.actual == (0 if status == "ok" else 2)
    assert "001 §5" in row.citation


def test_only_county_level_training_of_this_year_counts(wf, chiefs):
    secretary, director = chiefs
    local = course(wf)  # held by the community, not county level
    contest = course(wf, kind=CourseKind.CONTEST, county=True, place=wf.world.street_a)
    last_year = course(wf, start=D(2025, 11, 1), county=True, place=wf.world.street_a)
    for held in (local, contest, last_year):
        training.record_attendance(held, actor=wf.street, worker=secretary)
    row = _row(wf, training.SESSIONS_KEY)
    assert row.status == "short" and row.actual == 2
    held = course(wf, county=True, place=wf.world.street_a)
    training.record_attendance(held, actor=wf.street, worker=secretary)
    assert _row(wf, training.SESSIONS_KEY).actual == 1  # the director is still short


def test_sessions_not_recorded_without_a_secretary_or_director(wf, profile_dir):
    _rules(wf, profile_dir)
    add(wf, wf.people[0])
    assert _row(wf, training.SESSIONS_KEY).status == "not_recorded"


def test_sessions_and_contests_not_set_by_a_profile_without_them(wf):
    add(wf, wf.people[0], kind=WorkerKind.SECRETARY)
    assert _row(wf, training.SESSIONS_KEY).status == "not_set"
    assert _row(wf, training.CONTESTS_KEY).status == "not_set"


@pytest.mark.parametrize(
    ("least", "held", "status"), [(1, 0, "short"), (1, 1, "ok"), (2, 1, "short"), (2, 2, "ok")]
)
def test_contests_a_year_boundary(wf, profile_dir, least, held, status):
    _rules(wf, profile_dir, contests=least)
    for i in range(held):
        course(wf, kind=CourseKind.CONTEST, start=D(2026, 2, 1 + i * 5), place=wf.world.street_a)
    row = _row(wf, training.CONTESTS_KEY)
    assert row.status == status and row.actual == held and "003" in row.citation


def test_contests_count_this_year_for_the_community_or_above_only(wf, profile_dir):
    _rules(wf, profile_dir)
    course(wf, kind=CourseKind.CONTEST, start=D(2025, 10, 1))  # last year
    course(wf, kind=CourseKind.CONTEST, place=wf.world.community_a2)  # a sibling
    course(wf, place=wf.world.street_a)  # training, not a contest
    assert _row(wf, training.CONTESTS_KEY).actual == 0
    course(wf, kind=CourseKind.CONTEST)  # the community's own
    assert _row(wf, training.CONTESTS_KEY).status == "ok"


# --------------------------------------------------------------------------- exports


def _sheet(response):
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    return [list(r) for r in book.active.iter_rows(values_only=True)]


def test_course_attendance_xlsx(wf, chiefs, client):
    secretary, director = chiefs
    held = course(wf, kind=CourseKind.CONTEST, place=wf.world.street_a)
    training.record_attendance(held, actor=wf.street, worker=secretary, rank=1, score="95.5")
    training.record_attendance(held, actor=wf.street, worker=director, rank=2, score="90")
    client.force_login(wf.street)
    rows = _sheet(client.get(reverse("workforce:course_export", args=[held.pk])))
    assert rows[0][-2:] == ["名次", "成绩"]
    assert [r[3] for r in rows[1:]] == [secretary.resident.name, director.resident.name]
    assert rows[1][-2:] == [1, 95.5]
    assert AuditRecord.objects.filter(action="workforce.training_export").count() == 1


def test_yearly_days_xlsx_against_the_profile(wf, chiefs, client, django_assert_max_num_queries):
    secretary, director = chiefs
    other = add(wf, wf.people[2])
    for i in range(3, 12):
        add(wf, wf.people[i])
    held = course(wf, county=True, place=wf.world.street_a, days="4")
    training.record_attendance(held, actor=wf.street, worker=secretary)
    second = course(wf, start=D(2026, 4, 1), days="3")
    training.record_attendance(second, actor=wf.street, worker=secretary)
    client.force_login(wf.street)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("workforce:training_days_export"), {"year": "2026"})
    rows = _sheet(response)
    assert rows[0][5:] == ["应训天数", "已训天数", "县级及以上培训次数", "应训次数", "是否达标"]
    by_name = {r[3]: r for r in rows[1:]}
    assert len(by_name) == 12
    assert by_name[secretary.resident.name][5:] == [7, 7, 1, 1, "达标"]
    assert by_name[director.resident.name][5:] == [7, 0, 0, 1, "未达标"]
    assert by_name[other.resident.name][5:] == [None, 0, 0, None, "无要求"]


def test_exports_for_a_grid_worker_hold_no_personal_data_and_the_scope_holds(wf, chiefs, client):
    held = course(wf, place=wf.world.street_a)
    training.record_attendance(held, actor=wf.street, worker=chiefs[0])
    client.force_login(wf.grid)
    rows = _sheet(client.get(reverse("workforce:training_days_export")))
    assert len(rows[0]) == 10 and "身份证" not in "".join(rows[0])
    client.force_login(wf.worker_a2)
    other = client.get(reverse("workforce:course_export", args=[held.pk]))
    assert other.status_code == 404  # the street's course, nobody of A2 attended
    client.force_login(wf.resident_user)
    assert client.get(reverse("workforce:training_days_export")).status_code == 403
