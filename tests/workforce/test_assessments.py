"""Yearly assessments and the rule "incompetent two years running → flagged for dismissal"
(001 §6, `staffing.unfit_years`), with a moved clock; grades are personal data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.workforce import assessments, services
from gongzhi.workforce.models import Assessment, Grade
from tests.workforce.conftest import add

pytestmark = pytest.mark.django_db

UNFIT = "  unfit_years: 2  # 001 §6: 对连续两年被评定为“不称职”的……要责令辞职\n"


@pytest.fixture
def unfit(wf, profile_dir):
    path = profile_dir / "workforce-test.yaml"
    path.write_text(path.read_text().replace("staffing:\n", "staffing:\n" + UNFIT, 1))
    from gongzhi.core import profiles

    profiles.clear_cache()
    return wf


def _assess(w, worker, year, grade=Grade.INCOMPETENT):
    return services.record_assessment(worker, actor=w.secretary, year=year, grade=grade)


def test_two_incompetent_years_flag_with_a_moved_clock(unfit):
    worker = add(unfit, unfit.people[0], started_on=dt.date(2020, 1, 1))
    _assess(unfit, worker, 2024)
    assert not services.is_flagged(worker)  # one year only
    _assess(unfit, worker, 2025)
    assert services.is_flagged(worker)
    assert assessments.flagged_workers([worker]) == {worker.pk}
    clock.set_now(dt.datetime(2027, 1, 10, 9, 0))
    assert services.is_flagged(worker)  # 2025 is last year
    clock.set_now(dt.datetime(2028, 1, 10, 9, 0))
    assert not services.is_flagged(worker)  # no longer current: 2026 and 2027 not assessed


def test_a_competent_year_after_the_run_ends_the_flag(unfit):
    worker = add(unfit, unfit.people[0], started_on=dt.date(2020, 1, 1))
    _assess(unfit, worker, 2024)
    _assess(unfit, worker, 2025)
    assert services.is_flagged(worker)
    _assess(unfit, worker, 2026, Grade.COMPETENT)
    assert not services.is_flagged(worker)


def test_a_competent_year_between_breaks_the_run(unfit):
    worker = add(unfit, unfit.people[0], started_on=dt.date(2020, 1, 1))
    _assess(unfit, worker, 2023)
    _assess(unfit, worker, 2024, Grade.COMPETENT)
    _assess(unfit, worker, 2025)
    assert not services.is_flagged(worker)
    _assess(unfit, worker, 2026)
    assert services.is_flagged(worker)


def test_basically_competent_is_not_incompetent(unfit):
    worker = add(unfit, unfit.people[0], started_on=dt.date(2020, 1, 1))
    _assess(unfit, worker, 2024, Grade.BASIC)
    _assess(unfit, worker, 2025)
    assert not services.is_flagged(worker)


def test_no_rule_where_the_profile_sets_none(wf):
    worker = add(wf, wf.people[0], started_on=dt.date(2020, 1, 1))
    _assess(wf, worker, 2024)
    _assess(wf, worker, 2025)
    assert not services.is_flagged(worker)
    assert assessments.flagged_workers([worker]) == set()


def test_the_run_follows_the_person_across_records(unfit):
    worker = add(unfit, unfit.people[0], started_on=dt.date(2020, 1, 1))
    _assess(unfit, worker, 2024)
    services.end_worker(worker, actor=unfit.secretary, left_on=dt.date(2025, 1, 5), reason="调动")
    again = add(unfit, unfit.people[0], started_on=dt.date(2025, 1, 6))
    _assess(unfit, again, 2025)
    assert services.is_flagged(again)


def test_refusals(unfit):
    worker = add(unfit, unfit.people[0], started_on=dt.date(2022, 1, 1))
    _assess(unfit, worker, 2025)
    with pytest.raises(ValidationError, match="already assessed"):
        _assess(unfit, worker, 2025, Grade.EXCELLENT)
    with pytest.raises(ValidationError, match="past year"):
        _assess(unfit, worker, 2027)
    with pytest.raises(ValidationError, match="not started"):
        _assess(unfit, worker, 2021)
    with pytest.raises(ValidationError, match="grade"):
        _assess(unfit, worker, 2024, "bad")
    with pytest.raises(PermissionDenied):
        services.record_assessment(worker, actor=unfit.worker, year=2024, grade=Grade.EXCELLENT)
    with pytest.raises(PermissionDenied):
        services.record_assessment(worker, actor=unfit.grid, year=2024, grade=Grade.EXCELLENT)
    assert Assessment.objects.count() == 1


def test_pages_show_grades_only_with_personal_rights(unfit, login):
    worker = add(unfit, unfit.people[0], started_on=dt.date(2020, 1, 1))
    url = reverse("workforce:worker", args=[worker.pk])
    secretary = login(unfit.secretary)
    secretary.post(
        reverse("workforce:assessment_add", args=[worker.pk]),
        {"year": 2024, "grade": "incompetent", "comments": "群众满意度低"},
    )
    secretary.post(
        reverse("workforce:assessment_add", args=[worker.pk]),
        {"year": 2025, "grade": "incompetent", "comments": ""},
    )
    page = secretary.get(url).content.decode()
    assert 'data-testid="flagged"' in page and "群众满意度低" in page
    assert 'data-testid="assessment-form"' in page
    grid_page = login(unfit.grid).get(url).content.decode()
    assert "群众满意度低" not in grid_page and 'data-testid="assessments"' not in grid_page
    worker_page = login(unfit.worker).get(url).content.decode()
    assert 'data-testid="assessment-form"' not in worker_page
    assert (
        login(unfit.worker)
        .post(reverse("workforce:assessment_add", args=[worker.pk]), {"year": 2023})
        .status_code
        == 403
    )


def test_api_assessments(unfit):
    from rest_framework.test import APIClient

    worker = add(unfit, unfit.people[0], started_on=dt.date(2020, 1, 1))
    api = APIClient()
    api.force_authenticate(unfit.secretary)
    url = f"/api/v1/workforce-workers/{worker.pk}/assessments/"
    assert api.post(url, {"year": 2024, "grade": "incompetent"}, format="json").status_code == 201
    made = api.post(url, {"year": 2025, "grade": "incompetent"}, format="json")
    assert made.status_code == 201 and made.json()["flagged"] is True
    assert api.post(url, {"year": 2025, "grade": "excellent"}, format="json").status_code == 400
    assert api.post(url, {"year": "x", "grade": "excellent"}, format="json").status_code == 400
    detail = api.get(f"/api/v1/workforce-workers/{worker.pk}/").json()
    assert detail["flagged_for_dismissal"] is True and len(detail["assessments"]) == 2
    grid = APIClient()
    grid.force_authenticate(unfit.grid)
    assert "assessments" not in grid.get(f"/api/v1/workforce-workers/{worker.pk}/").json()
    assert grid.post(url, {"year": 2023, "grade": "excellent"}, format="json").status_code == 403
