"""Training (issue 15 item 5): yearly days against the profile (001 §5: secretary and director
at least 7 days, committee members at least 3) with boundary values, the compliance row, the
grid workers' skills contest with results (003), refusals, pages and API with wrong roles, and
bounded queries with 12+ rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.places.compliance import Status
from gongzhi.workforce import checks, training
from gongzhi.workforce.models import Attendance, CommitteeKind, Course, CourseKind, WorkerKind
from tests.workforce.conftest import PROFILE, add, seat, term

pytestmark = pytest.mark.django_db
D = dt.date

TRAINING_PROFILE = PROFILE + (
    "training:\n"
    "  secretary_min_days: 7  # 001 §5: 累计集中培训时间不少于7天\n"
    "  committee_min_days: 3  # 001 §5: 培训时间不少于3天\n"
)


@pytest.fixture
def tw(wf, profile_dir):
    (profile_dir / "workforce-training.yaml").write_text(TRAINING_PROFILE)
    wf.world.district.policy_profile = "workforce-training"
    wf.world.district.save()
    return wf


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


MARCH = D(2026, 3, 1)


def course(w, days="7", kind=CourseKind.TRAINING, start=MARCH, place=None, title="培训班"):
    return training.record_course(
        place or w.community,
        actor=w.secretary,
        title=title,
        organiser="区委组织部",
        kind=kind,
        starts_on=start,
        ends_on=start + dt.timedelta(days=9),
        days=days,
    )


@pytest.fixture
def committee(tw):
    """A secretary (by kind), a committee member, and a worker with no seat."""
    chief = add(tw, tw.people[0], kind=WorkerKind.SECRETARY)
    member = add(tw, tw.people[1])
    other = add(tw, tw.people[2])
    t = term(tw, CommitteeKind.PARTY, seats=5)
    seat(tw, t, chief, "secretary")
    seat(tw, t, member)
    return chief, member, other


def _row(w):
    report = checks.community_report(w.community)
    return next(c for c in report.checks if c.key == training.TRAINING_ROW)


@pytest.mark.parametrize(
    ("chief_days", "member_days", "short"),
    [("7", "3", 0), ("6.5", "3", 1), ("7", "2.5", 1), ("6.5", "2.5", 2)],
)
def test_yearly_days_boundaries(tw, committee, chief_days, member_days, short):
    chief, member, other = committee
    training.record_attendance(course(tw, "10"), actor=tw.secretary, worker=chief, days=chief_days)
    training.record_attendance(
        course(tw, "10", title="委员培训"), actor=tw.secretary, worker=member, days=member_days
    )
    assert training.worker_state(chief).required == Decimal(7)
    assert training.worker_state(chief).short is (chief_days == "6.5")
    assert training.worker_state(member).required == Decimal(3)
    assert training.worker_state(member).short is (member_days == "2.5")
    assert training.worker_state(other).required is None and not training.worker_state(other).short
    row = _row(tw)
    assert row.actual == short
    assert row.status == (Status.SHORT if short else Status.OK)
    assert "001 §5" in row.citation


def test_days_add_up_in_the_year_and_contests_do_not_count(tw, committee):
    chief, _member, _other = committee
    training.record_attendance(course(tw, "4"), actor=tw.secretary, worker=chief)
    training.record_attendance(course(tw, "3", title="二期"), actor=tw.secretary, worker=chief)
    assert (
        training.worker_state(chief).days == Decimal(7) and not training.worker_state(chief).short
    )
    # last year's course and a contest do not count towards this year's days
    last = course(tw, "7", start=D(2025, 3, 1), title="去年")
    contest = course(tw, "2", kind=CourseKind.CONTEST, title="技能竞赛")
    training.record_attendance(last, actor=tw.secretary, worker=chief)
    training.record_attendance(contest, actor=tw.secretary, worker=chief, rank=1, score="98.5")
    assert training.worker_state(chief).days == Decimal(7)
    assert training.worker_state(chief, 2025).days == Decimal(7)


def test_no_training_keys_no_requirement(wf):
    chief = add(wf, wf.people[0], kind=WorkerKind.SECRETARY)
    assert training.worker_state(chief).required is None
    row = _row(wf)
    assert row.status == Status.NOT_SET


def test_refusals_write_nothing(tw, committee):
    chief, _member, _other = committee
    c = course(tw, "2")
    for kwargs, field in (
        ({"days": "3"}, "days"),  # more than the course
        ({"days": "1.3"}, "days"),  # not a half day
        ({"days": "0"}, "days"),
        ({"rank": 1}, "rank"),  # a training course has no results
    ):
        with pytest.raises(ValidationError) as caught:
            training.record_attendance(c, actor=tw.secretary, worker=chief, **kwargs)
        assert field in caught.value.message_dict
    training.record_attendance(c, actor=tw.secretary, worker=chief)
    with pytest.raises(ValidationError):
        training.record_attendance(c, actor=tw.secretary, worker=chief)
    assert Attendance.objects.count() == 1
    with pytest.raises(ValidationError):
        course(tw, "2", start=D(2026, 7, 1))  # not started yet
    with pytest.raises(ValidationError):
        course(tw, "11")  # longer than ten days
    # a worker of another community cannot attend this community's course
    other_worker = training.Worker.objects.create(
        resident=tw.other,
        community=tw.world.community_a2,
        kind=WorkerKind.COMMUNITY_WORKER,
        started_on=D(2020, 1, 1),
        place_path=tw.world.community_a2.path,
    )
    with pytest.raises(ValidationError):
        training.record_attendance(c, actor=tw.street, worker=other_worker)
    assert Course.objects.count() == 1 and Attendance.objects.count() == 1


def test_contest_results_ranked(tw, committee, login):
    chief, member, other = committee
    contest = course(tw, "1", kind=CourseKind.CONTEST, title="网格员技能竞赛")
    training.record_attendance(contest, actor=tw.secretary, worker=member, rank=2, score="88")
    training.record_attendance(contest, actor=tw.secretary, worker=other, rank=1, score="95.5")
    page = login(tw.grid).get(reverse("workforce:course", args=[contest.pk])).content.decode()
    assert page.index(other.resident.name) < page.index(member.resident.name)
    assert "95.50" in page and 'data-testid="attendance-form"' not in page
    data = _api(tw.grid).get(f"/api/v1/workforce-courses/{contest.pk}/").json()
    assert [(a["rank"], a["score"]) for a in data["attendance"]] == [(1, "95.50"), (2, "88.00")]


def test_pages_record_course_and_attendance(tw, committee, login):
    chief, _member, _other = committee
    client = login(tw.secretary)
    response = client.post(
        reverse("workforce:training"),
        {
            "place": tw.community.pk,
            "title": "书记培训班",
            "organiser": "市委组织部",
            "kind": "training",
            "starts_on": "2026-04-01",
            "ends_on": "2026-04-07",
            "days": "6.5",
        },
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == ["培训已登记。"]
    made = Course.objects.get(title="书记培训班")
    client.post(reverse("workforce:course", args=[made.pk]), {"worker": chief.pk})
    assert Attendance.objects.get(course=made).days == Decimal("6.5")
    page = client.get(reverse("workforce:worker", args=[chief.pk])).content.decode()
    assert 'data-testid="training-short"' in page and "书记培训班" in page
    assert _row(tw).actual == 2  # the secretary at 6.5 and the member at 0
    listing = client.get(reverse("workforce:training")).content.decode()
    assert 'data-testid="course-form"' in listing and "书记培训班" in listing


def test_wrong_roles_page_and_api(tw, committee, login):
    chief, _member, _other = committee
    c = course(tw, "2")
    grid = login(tw.grid)
    listing = grid.get(reverse("workforce:training"))
    assert listing.status_code == 200 and b'data-testid="course-form"' not in listing.content
    body = {
        "place": tw.community.pk,
        "title": "x",
        "organiser": "y",
        "kind": "training",
        "starts_on": "2026-04-01",
        "ends_on": "2026-04-01",
        "days": "1",
    }
    assert grid.post(reverse("workforce:training"), body).status_code == 403
    assert (
        grid.post(reverse("workforce:course", args=[c.pk]), {"worker": chief.pk}).status_code == 403
    )
    api = _api(tw.grid)
    assert api.post("/api/v1/workforce-courses/", body, format="json").status_code == 403
    assert (
        api.post(
            f"/api/v1/workforce-courses/{c.pk}/attendance/", {"worker": chief.pk}, format="json"
        ).status_code
        == 403
    )
    # a resident sees nothing; another community's worker does not find the course
    resident = login(tw.resident_user)
    assert resident.get(reverse("workforce:training")).status_code == 403
    assert _api(tw.resident_user).get("/api/v1/workforce-courses/").status_code == 403
    assert login(tw.worker_a2).get(reverse("workforce:course", args=[c.pk])).status_code == 404
    assert _api(tw.worker_a2).get(f"/api/v1/workforce-courses/{c.pk}/").status_code == 404
    assert Course.objects.count() == 1 and Attendance.objects.count() == 0


def test_api_writes_and_bad_input(tw, committee):
    chief, _member, _other = committee
    api = _api(tw.secretary)
    made = api.post(
        "/api/v1/workforce-courses/",
        {
            "place": tw.community.pk,
            "title": "委员培训",
            "organiser": "街道党工委",
            "kind": "training",
            "starts_on": "2026-05-01",
            "ends_on": "2026-05-03",
            "days": "3",
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    ok = api.post(
        f"/api/v1/workforce-courses/{pk}/attendance/", {"worker": chief.pk}, format="json"
    )
    assert ok.status_code == 201 and ok.json()["days"] == "3.0"
    again = api.post(
        f"/api/v1/workforce-courses/{pk}/attendance/", {"worker": chief.pk}, format="json"
    )
    assert again.status_code == 400
    assert (
        api.post(
            f"/api/v1/workforce-courses/{pk}/attendance/", {"worker": "x"}, format="json"
        ).status_code
        == 400
    )
    assert api.post("/api/v1/workforce-courses/", {"title": ""}, format="json").status_code == 400
    assert api.get("/api/v1/workforce-courses/abc/").status_code == 404
    assert api.get("/api/v1/workforce-courses/99999999999999/").status_code == 404


def test_bounded_queries_with_twelve_rows(tw, login, django_assert_max_num_queries):
    workers = [add(tw, p) for p in tw.people[:12]]
    courses = [course(tw, "1", title=f"培训{i}") for i in range(12)]
    for w in workers:
        training.record_attendance(courses[0], actor=tw.secretary, worker=w)
    client = login(tw.secretary)
    api = _api(tw.secretary)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("workforce:training"))
    assert page.content.decode().count('data-testid="course-row"') == 12
    with django_assert_max_num_queries(25):
        page = client.get(reverse("workforce:course", args=[courses[0].pk]))
    assert page.content.decode().count('data-testid="attendance-row"') == 12
    with django_assert_max_num_queries(12):
        assert len(api.get("/api/v1/workforce-courses/").json()["results"]) == 12
    with django_assert_max_num_queries(12):
        assert (
            len(api.get(f"/api/v1/workforce-courses/{courses[0].pk}/").json()["attendance"]) == 12
        )


def test_a_street_course_is_seen_from_the_community_with_its_own_attendance_only(tw, committee):
    chief, _member, _other = committee
    held = training.record_course(
        tw.world.street_a,
        actor=tw.street,
        title="街道轮训",
        organiser="街道党工委",
        kind=CourseKind.TRAINING,
        starts_on=MARCH,
        ends_on=MARCH,
        days="1",
    )
    training.record_attendance(held, actor=tw.street, worker=chief)
    data = _api(tw.grid).get(f"/api/v1/workforce-courses/{held.pk}/").json()
    assert [a["worker"] for a in data["attendance"]] == [chief.pk]
    assert _api(tw.worker_a2).get(f"/api/v1/workforce-courses/{held.pk}/").status_code == 404
