"""Ratings pages and API: every page renders for its role, wrong roles get 403 (or nothing
of another community), refusals reach the page in Chinese, lists of 12+ rows answer in a
bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.estates import ratings
from gongzhi.estates.models import BodyKind, Evaluation, RedBlackEntry, SurveyAnswer
from tests.conftest import make_user
from tests.estates.conftest import survey_2025

pytestmark = pytest.mark.django_db


def _published(rw):
    survey = survey_2025(rw)
    ratings.answer_survey(survey, actor=rw.voters[1], company_score=5, committee_score=4)
    clock.set_now(dt.datetime(2026, 1, 5, 10, 0))
    ratings.add_redblack(
        rw.world.street_a,
        rw.company,
        actor=rw.street,
        year=2025,
        colour="red",
        reason="服务群众满意度高",
        evidence="街道通报〔2025〕3号",
    )
    ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)


def test_every_page_renders_for_its_role(rw, login):
    _published(rw)
    page = login(rw.worker).get(reverse("estates:ratings") + "?year=2025")
    assert page.status_code == 200
    text = page.content.decode()
    assert "红星物业" in text and "年度星级评定" in text and 'data-testid="assess-form"' in text
    assert 'data-testid="publish-form"' not in text
    street = login(rw.street).get(reverse("estates:ratings") + "?year=2025").content.decode()
    assert 'data-testid="publish-form"' in street and "红榜" in street
    for user in (rw.voters[0], rw.worker):
        board = login(user).get(reverse("estates:redblack"))
        assert board.status_code == 200 and "服务群众满意度高" in board.content.decode()
    mine = login(rw.voters[0]).get(reverse("estates:mine"))
    assert mine.status_code == 200
    body = mine.content.decode()
    assert "红星物业" in body and 'data-testid="stars"' in body and "居民满意度" in body
    assert "1390000010" not in body  # no phone of a member
    staff = login(rw.staff).get(reverse("estates:my_company"))
    assert staff.status_code == 200 and "红星物业" in staff.content.decode()


def test_wrong_roles_get_403(rw, login):
    resident = login(rw.voters[0])
    assert resident.get(reverse("estates:ratings")).status_code == 403
    assert resident.get(reverse("estates:my_company")).status_code == 403
    assert resident.post(reverse("estates:assess"), {}).status_code == 403
    assert resident.post(reverse("estates:publish"), {}).status_code == 403
    worker = login(rw.worker)
    assert worker.get(reverse("estates:mine")).status_code == 403
    assert worker.post(reverse("estates:publish"), {}).status_code == 403
    assert worker.post(reverse("estates:redblack_add"), {}).status_code == 403
    assert login(rw.staff).get(reverse("estates:mine")).status_code == 403


def test_another_community_cannot_assess_or_open_a_survey(rw, login):
    client = login(rw.worker_a2)
    response = client.post(
        reverse("estates:assess"),
        {"body": f"committee:{rw.committee.pk}", "year": 2025, "assessment": 80, "note": "x"},
        follow=True,
    )
    assert response.status_code == 200
    client.post(
        reverse("estates:survey_open"),
        {"estate": rw.estate.pk, "year": 2025, "closes_on": "2025-12-31"},
    )
    assert not Evaluation.objects.exists()
    from gongzhi.estates.models import Survey

    assert not Survey.objects.exists()


def test_a_second_answer_is_refused_in_chinese_on_the_phone(rw, login):
    survey_2025(rw)
    client = login(rw.voters[0])
    done = client.post(
        reverse("estates:mine"), {"company_score": 5, "committee_score": 4}, follow=True
    )
    assert "您家已作答" in done.content.decode()
    # Another member of the household (same household, second login) answers again.
    second = make_user(Role.RESIDENT, rw.homes[0].building, household=rw.homes[0])
    from tests.estates.conftest import resident

    person = resident(rw.homes[0], "同户人")
    person.user = second
    person.save()
    again = login(second).post(
        reverse("estates:mine"), {"company_score": 1, "committee_score": 1}, follow=True
    )
    assert "每户只能作答一次" in again.content.decode()
    assert SurveyAnswer.objects.count() == 1


def test_bad_input_gives_a_chinese_error_and_writes_nothing(rw, login):
    client = login(rw.worker)
    response = client.post(
        reverse("estates:assess"),
        {"body": f"committee:{rw.committee.pk}", "year": 2025, "assessment": 101, "note": "x"},
        follow=True,
    )
    assert "100" in response.content.decode()
    response = client.post(
        reverse("estates:survey_open"),
        {"estate": rw.estate.pk, "year": 2025, "closes_on": "2024-01-01"},
        follow=True,
    )
    assert "截止日期不能早于今天" in response.content.decode()
    assert not Evaluation.objects.exists()
    clock.set_now(dt.datetime(2026, 1, 5, 10, 0))
    response = login(rw.street).post(
        reverse("estates:redblack_add"),
        {
            "street": rw.world.street_a.pk,
            "year": 2025,
            "colour": "black",
            "body": f"company:{rw.company.pk}",
            "reason": "",
            "evidence": "x",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not RedBlackEntry.objects.exists()


def test_the_street_publishes_from_the_page(rw, login):
    clock.set_now(dt.datetime(2026, 1, 5, 10, 0))
    response = login(rw.street).post(
        reverse("estates:publish"), {"street": rw.world.street_a.pk, "year": 2025}, follow=True
    )
    assert "已发布" in response.content.decode()
    assert Evaluation.objects.filter(published_at__isnull=False).count() == 2


def _many(rw, n=14):
    clock.set_now(dt.datetime(2026, 1, 5, 10, 0))
    for i in range(n):
        Evaluation.objects.create(
            kind=BodyKind.COMPANY,
            company=rw.company,
            year=2025,
            place_path=f"{rw.world.community_a1.path}",
            score=Decimal("80.0") + i,
            stars=4,
            parts={"satisfaction": {"value": "80.0", "weight": 40, "answers": 3}},
            published_at=clock.now(),
        ) if i == 0 else Evaluation.objects.create(
            kind=BodyKind.COMMITTEE,
            committee=_committee(rw, i),
            year=2025,
            place_path=_committee(rw, i).place_path,
            score=Decimal("70.0"),
            stars=3,
            published_at=clock.now(),
        )
        RedBlackEntry.objects.create(
            street=rw.world.street_a,
            year=2025,
            colour="black" if i % 2 else "red",
            kind=BodyKind.COMMITTEE,
            committee=_committee(rw, i) if i else rw.committee,
            reason=f"原因{i}",
            evidence="文号",
            published_at=clock.now(),
            place_path=rw.world.street_a.path,
        )


_committees: dict = {}


def _committee(rw, i):
    from gongzhi.estates.models import OwnersCommittee
    from tests.conftest import make_place

    key = (rw.committee.pk, i)
    if key not in _committees:
        estate = make_place(rw.world.grid_a1_1, "estate", f"测试小区{i}", f"X{i}")
        _committees[key] = OwnersCommittee.objects.create(
            estate=estate,
            community=rw.world.community_a1,
            name=f"业委会{i}",
            place_path=estate.path,
        )
    return _committees[key]


def test_lists_answer_in_a_bounded_number_of_queries(rw, login, django_assert_max_num_queries):
    _many(rw)
    assert Evaluation.objects.count() >= 12 and RedBlackEntry.objects.count() >= 12
    for user, url in (
        (rw.street, reverse("estates:ratings") + "?year=2025"),
        (rw.worker, reverse("estates:ratings") + "?year=2025"),
        (rw.voters[0], reverse("estates:redblack")),
        (rw.voters[0], reverse("estates:mine")),
        (rw.staff, reverse("estates:my_company")),
        (rw.street, "/api/v1/estate-ratings/?year=2025"),
    ):
        client = login(user)
        with django_assert_max_num_queries(25):
            response = client.get(url)
        assert response.status_code == 200, url
    text = login(rw.street).get(reverse("estates:ratings") + "?year=2025").content.decode()
    assert text.count("原因") >= 12


@pytest.fixture
def api():
    def _as(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _as


def test_api_scoped_and_refusing(rw, api):
    _published(rw)
    rows = api(rw.street).get("/api/v1/estate-ratings/?year=2025").json()
    results = rows["results"] if isinstance(rows, dict) else rows
    assert {r["kind"] for r in results} == {"company", "committee"}
    assert api(rw.worker_a2).get("/api/v1/estate-ratings/?year=2025").json() in ([], {
        "count": 0, "next": None, "previous": None, "results": []})  # fmt: skip
    evaluation = Evaluation.objects.first()
    assert api(rw.worker_a2).get(f"/api/v1/estate-ratings/{evaluation.pk}/").status_code == 404
    assert api(rw.voters[0]).get("/api/v1/estate-ratings/").status_code == 403
    assert api(rw.worker).get("/api/v1/my-estate/").status_code == 403
    mine = api(rw.voters[0]).get("/api/v1/my-estate/").json()
    assert mine["companies"][0]["rating"]["stars"] is not None
    assert mine["survey"] is None  # the 2025 survey closed with the year
    refused = api(rw.voters[0]).post(
        "/api/v1/my-estate/answer/", {"company_score": 9, "committee_score": 1}, format="json"
    )
    assert refused.status_code == 400


def test_company_page_flags_the_bar_and_committee_page_the_reelection(rw, login, profile_dir):
    from gongzhi.core import profiles

    (profile_dir / "bar.yaml").write_text(
        "source: test\ntitle: t\nproperty:\n"
        "  blacklist_years: 2  # 000 §五: 连续两年列入“黑榜”\n"
        "  blacklist_ban_years: 5  # 000 §五: 五年内不能承接\n"
    )
    rw.estate.policy_profile = "bar"
    rw.estate.save()
    profiles.clear_cache()
    for year in (2024, 2025):
        clock.set_now(dt.datetime(year + 1, 1, 5, 10, 0))
        for body in (rw.company, rw.committee):
            ratings.add_redblack(
                rw.world.street_a,
                body,
                actor=rw.street,
                year=year,
                colour="black",
                reason="整改不力",
                evidence="通报",
            )
        ratings.publish_year(rw.world.street_a, actor=rw.street, year=year)
    client = login(rw.worker)
    company = client.get(reverse("estates:company", args=[rw.company.pk])).content.decode()
    assert 'data-testid="company-barred"' in company and "2030-12-31" in company
    committee = client.get(reverse("estates:committee", args=[rw.committee.pk])).content.decode()
    assert 'data-testid="committee-reelection"' in committee and "换届改选" in committee
    mine = login(rw.voters[0]).get(reverse("estates:mine")).content.decode()
    assert 'data-testid="reelection"' in mine
