"""Yearly evaluation and star ratings, the survey (one answer per household), the red and
black list with its bar, re-election marks and the re-election reminder (issue 14 items 1, 4, 5)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from gongzhi.core import clock, profiles
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.estates import ratings, scoring, selectors, services
from gongzhi.estates.models import (
    Evaluation,
    ListColour,
    RedBlackEntry,
    Survey,
    SurveyAnswer,
    TermReminder,
)
from gongzhi.tickets.models import Category, Status, Ticket
from tests.conftest import make_user
from tests.estates.conftest import survey_2025 as _survey

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
BAR_PROFILE = (
    "source: test\ntitle: t\n"
    "property:\n"
    "  blacklist_years: 2  # 000 §五: 连续两年列入“黑榜”的物业企业\n"
    "  blacklist_ban_years: 5  # 000 §五: 五年内不能承接……公益性物业项目\n"
)


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, 0, tzinfo=SH)


def _tickets(w):
    cat = Category.objects.create(code="e-repair", name="维修")
    building = w.homes[0].building
    other = make_user(Role.COMMUNITY_WORKER, w.world.community_a1)

    def ticket(n, handler, **fields):
        return Ticket.objects.create(
            number=f"E-{n}",
            kind="help",
            category=cat,
            text="t",
            place=building,
            place_path=building.path,
            grid=w.world.grid_a1_1,
            handler_user=handler,
            **fields,
        )

    # t1 on time everywhere, rated 5; t2 late, rated 2; t3 open, response overdue;
    # t4 handled by a community worker (not the company's staff): not counted.
    ticket(1, w.staff, created_at=at(2025, 3, 1), response_due=at(2025, 3, 1, 12),
           resolve_due=at(2025, 3, 4), responded_at=at(2025, 3, 1, 11),
           resolved_at=at(2025, 3, 3), status=Status.CLOSED, rating=5)  # fmt: skip
    ticket(2, w.staff, created_at=at(2025, 4, 1), response_due=at(2025, 4, 1, 12),
           resolve_due=at(2025, 4, 4), responded_at=at(2025, 4, 1, 15),
           resolved_at=at(2025, 4, 8), status=Status.RESOLVED, rating=2)  # fmt: skip
    ticket(3, w.staff, created_at=at(2025, 5, 1), response_due=at(2025, 5, 1, 12),
           resolve_due=at(2025, 5, 4), status=Status.ACCEPTED)  # fmt: skip
    ticket(4, other, created_at=at(2025, 5, 1), response_due=at(2025, 5, 1, 12),
           resolve_due=at(2025, 5, 4), responded_at=at(2025, 5, 1, 11),
           resolved_at=at(2025, 5, 2), status=Status.CLOSED, rating=5)  # fmt: skip


def test_hand_computed_scores_and_stars(rw):
    survey = _survey(rw)
    for user, company, committee in zip(rw.voters, (5, 4, 3), (5, 5, 4), strict=True):
        ratings.answer_survey(survey, actor=user, company_score=company, committee_score=committee)
    _tickets(rw)
    clock.set_now(dt.datetime(2025, 12, 1, 10, 0))
    ratings.assess(
        rw.company,
        actor=rw.worker,
        year=2025,
        assessment=90,
        note="服务到位",
        community=rw.world.community_a1,
    )
    ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=85, note="履职认真")
    clock.set_now(dt.datetime(2026, 1, 10, 10, 0))
    assert ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025) == 2
    company = Evaluation.objects.get(company=rw.company, year=2025)
    # Satisfaction: (5+4+3)/3 × 20 = 80.0. Tickets: response 1/3 = 33.3, resolution 2/3 = 66.7,
    # satisfaction 1/2 = 50.0, on time 1/2 = 50.0 → measured (33.3+66.7+50+50)/4 = 50.0.
    # Score: (80×40 + 90×30 + 50×30) / 100 = 74.0 → three stars (70 ≤ 74 < 80).
    assert company.parts["satisfaction"]["value"] == "80.0"
    assert company.parts["measured"]["tickets"] == 3
    assert company.parts["measured"]["response_rate"] == 33.3
    assert company.parts["measured"]["resolution_rate"] == 66.7
    assert company.parts["measured"]["value"] == "50.0"
    assert company.score == Decimal("74.0") and company.stars == 3
    assert company.published_at is not None
    committee = Evaluation.objects.get(committee=rw.committee, year=2025)
    # Satisfaction (5+5+4)/3 × 20 = 93.3; no measured part: (93.3×40 + 85×30) / 70 = 89.7 → 4.
    assert committee.parts["satisfaction"]["value"] == "93.3"
    assert committee.parts["measured"]["value"] is None
    assert committee.score == Decimal("89.7") and committee.stars == 4


def test_weights_and_bands_come_from_the_profile(rw, profile_dir):
    (profile_dir / "weights.yaml").write_text(
        "source: test\ntitle: t\nevaluation:\n  weight_satisfaction: 0  # test\n"
        "  star5_min: 85  # test\n"
    )
    rw.estate.policy_profile = "weights"
    rw.estate.save()
    profiles.clear_cache()
    clock.set_now(dt.datetime(2025, 12, 1, 10, 0))
    evaluation = ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=86, note="好")
    assert evaluation.score == Decimal("86.0") and evaluation.stars == 5
    assert evaluation.parts["satisfaction"]["weight"] == 0


def test_stars_bands_boundaries():
    assert scoring.stars_for(Decimal("90.0"), None) == 5
    assert scoring.stars_for(Decimal("89.9"), None) == 4
    assert scoring.stars_for(Decimal("60.0"), None) == 2
    assert scoring.stars_for(Decimal("59.9"), None) == 1
    assert scoring.score({}, None).score is None


def test_a_household_answers_once_with_a_clear_error(rw):
    survey = _survey(rw)
    ratings.answer_survey(survey, actor=rw.voters[0], company_score=4, committee_score=4)
    before = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        ratings.answer_survey(survey, actor=rw.voters[0], company_score=1, committee_score=1)
    assert "已经" in str(caught.value) or "already" in str(caught.value)
    assert SurveyAnswer.objects.filter(survey=survey).count() == 1
    assert AuditRecord.objects.count() == before


def test_the_database_refuses_a_second_answer_of_the_household(rw):
    survey = _survey(rw)
    ratings.answer_survey(survey, actor=rw.voters[0], company_score=4, committee_score=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyAnswer.objects.create(
            survey=survey, household=rw.homes[0], company_score=3, committee_score=3
        )


def test_survey_bad_input_writes_nothing(rw):
    survey = _survey(rw)
    with pytest.raises(ValidationError):
        ratings.answer_survey(survey, actor=rw.voters[0], company_score=6, committee_score=4)
    with pytest.raises(ValidationError):
        _survey(rw)  # one survey per estate and year
    with pytest.raises(ValidationError):
        ratings.open_survey(
            rw.other_estate, actor=rw.worker, year=2025, closes_on=dt.date(2025, 1, 1)
        )
    with pytest.raises(ValidationError):  # not linked to a household
        ratings.answer_survey(survey, actor=rw.worker, company_score=4, committee_score=4)
    clock.set_now(dt.datetime(2026, 1, 2, 10, 0))
    with pytest.raises(ValidationError):  # closed
        ratings.answer_survey(survey, actor=rw.voters[1], company_score=4, committee_score=4)
    assert not SurveyAnswer.objects.exists()
    assert Survey.objects.count() == 1


def test_assess_refusals(rw):
    with pytest.raises(ValidationError):
        ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=101, note="x")
    with pytest.raises(ValidationError):
        ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=80, note="")
    with pytest.raises(ValidationError):  # a company needs the assessing community
        ratings.assess(rw.company, actor=rw.worker, year=2025, assessment=80, note="x")
    with pytest.raises(Http404):
        ratings.assess(rw.committee, actor=rw.worker_a2, year=2025, assessment=80, note="x")
    assert not Evaluation.objects.exists()


def test_publication_is_once_by_the_street_after_the_year(rw):
    with pytest.raises(ValidationError):  # the year has not ended
        ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)
    clock.set_now(dt.datetime(2026, 1, 10, 10, 0))
    with pytest.raises(Http404):  # the street lies above the community secretary's scope
        ratings.publish_year(rw.world.street_a, actor=rw.secretary, year=2025)
    district = make_user(Role.DISTRICT_OFFICER, rw.world.district)
    with pytest.raises(PermissionDenied):  # sees the street, does not publish for it
        ratings.publish_year(rw.world.street_a, actor=district, year=2025)
    ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)
    with pytest.raises(ValidationError):
        ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)
    with pytest.raises(ValidationError):  # published: no more assessments
        ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=80, note="x")


def _black(w, year):
    clock.set_now(dt.datetime(year + 1, 1, 5, 10, 0))
    ratings.add_redblack(
        w.world.street_a,
        w.company,
        actor=w.street,
        year=year,
        colour=ListColour.BLACK,
        reason="投诉多、整改不力",
        evidence=f"街道通报〔{year}〕1号",
    )
    ratings.publish_year(w.world.street_a, actor=w.street, year=year)


def test_two_black_years_running_bar_a_new_contract(rw, profile_dir):
    (profile_dir / "bar.yaml").write_text(BAR_PROFILE)
    rw.world.district.policy_profile = "bar"
    rw.world.district.save()
    profiles.clear_cache()
    _black(rw, 2024)
    assert selectors.company_bar(rw.company) is None  # one year only
    _black(rw, 2025)
    bar = selectors.company_bar(rw.company)
    assert bar is not None and bar.run == 2 and bar.until == dt.date(2030, 12, 31)
    before = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.add_contract(
            rw.company,
            rw.other_estate,
            actor=rw.secretary,
            starts_on=dt.date(2026, 2, 1),
            ends_on=dt.date(2027, 2, 1),
            fee_yuan_per_m2="1.00",
        )
    assert "000 §五" in str(caught.value)
    assert AuditRecord.objects.count() == before
    clock.set_now(dt.datetime(2031, 1, 1, 10, 0))
    assert selectors.company_bar(rw.company) is None  # the five years are over


def test_without_the_keys_no_one_is_barred(rw):
    _black(rw, 2024)
    _black(rw, 2025)
    assert selectors.company_bar(rw.company) is None


def test_black_listed_committee_is_marked_for_reelection(rw):
    clock.set_now(dt.datetime(2026, 1, 5, 10, 0))
    ratings.add_redblack(
        rw.world.street_a,
        rw.committee,
        actor=rw.street,
        year=2025,
        colour=ListColour.BLACK,
        reason="长期不履职",
        evidence="街道通报〔2025〕2号",
    )
    assert selectors.reelection_due(rw.committee) is None  # not yet published
    ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)
    assert selectors.reelection_due(rw.committee).year == 2025


def test_redblack_refusals(rw):
    clock.set_now(dt.datetime(2026, 1, 5, 10, 0))
    kwargs = {"actor": rw.street, "year": 2025, "colour": "black", "evidence": "文号"}
    with pytest.raises(ValidationError):
        ratings.add_redblack(rw.world.street_a, rw.company, reason="", **kwargs)
    with pytest.raises(ValidationError):
        ratings.add_redblack(rw.world.street_b, rw.company, reason="x", **kwargs)
    with pytest.raises(ValidationError):
        ratings.add_redblack(rw.world.street_a, rw.company, reason="x", **{**kwargs, "colour": "g"})
    ratings.add_redblack(rw.world.street_a, rw.company, reason="x", **kwargs)
    with pytest.raises(ValidationError):
        ratings.add_redblack(rw.world.street_a, rw.company, reason="y", **kwargs)
    assert RedBlackEntry.objects.count() == 1


def test_reminder_once_per_term_to_the_community_staff(rw):
    clock.set_now(dt.datetime(2026, 9, 1, 10, 0))  # four months before 2027-01-01
    assert ratings.remind_term_expiry() == 0
    clock.set_now(dt.datetime(2026, 10, 1, 10, 0))  # three months before: the platform default
    assert ratings.remind_term_expiry() == 1
    assert ratings.remind_term_expiry() == 0
    assert TermReminder.objects.filter(term=rw.term).count() == 1
    notified = set(
        Notification.objects.filter(verb="estates.term_expiry").values_list("user_id", flat=True)
    )
    assert notified == {rw.secretary.pk, rw.worker.pk}
    text = Notification.objects.filter(verb="estates.term_expiry").first().text
    assert "换届" in text and "2027" in text


def test_reminder_months_from_the_profile(rw, profile_dir):
    (profile_dir / "remind.yaml").write_text(
        "source: test\ntitle: t\nowners_committee:\n  term_reminder_months: 6  # test\n"
    )
    rw.estate.policy_profile = "remind"
    rw.estate.save()
    profiles.clear_cache()
    clock.set_now(dt.datetime(2026, 7, 2, 10, 0))
    assert ratings.remind_term_expiry() == 1


def test_resident_sees_who_runs_the_estate(rw):
    survey = _survey(rw)
    info = selectors.my_estate(rw.voters[0])
    assert info.estate == rw.estate and info.survey == survey and not info.answered
    assert [m.resident for m in info.members] == [rw.party[0], rw.others[0]]
    assert info.contracts[0][0].company == rw.company and info.contracts[0][1] is None
    ratings.answer_survey(survey, actor=rw.voters[0], company_score=5, committee_score=5)
    assert selectors.my_estate(rw.voters[0]).answered
    assert selectors.my_estate(rw.worker) is None


def test_property_staff_sees_their_company(rw):
    rows = selectors.my_companies(rw.staff)
    assert [r.company for r in rows] == [rw.company]
    other = make_user(Role.PROPERTY_STAFF, rw.other_estate)
    assert selectors.my_companies(other) == []


def test_privacy_section_lists_memberships_and_answers(rw):
    from gongzhi.core.personal_data import Person
    from gongzhi.estates.privacy_sections import estates_roles

    survey = _survey(rw)
    ratings.answer_survey(survey, actor=rw.voters[0], company_score=5, committee_score=4)
    rows = estates_roles(Person(user=rw.voters[0], resident=_resident_of(rw.voters[0])))
    assert len(rows) == 1
    assert len(estates_roles(Person(user=None, resident=rw.party[0]))) == 1
    assert estates_roles(Person(user=None, resident=None)) == []


def _resident_of(user):
    from gongzhi.people.selectors import resident_of

    return resident_of(user)


AWARD_PROFILE = (
    "source: test\ntitle: t\n"
    "awards:\n"
    "  red_property_max_yuan: 100000  # 000 §五: 给予最高10万元奖励\n"
    "  red_owners_committee_stars: 5  # 000 §五: 对获评“五星级红色业委会”\n"
    "  red_property_min_stars: 3  # 000 §五: 三星级及以上的“红色物业”企业\n"
)


def test_the_star_award_boundaries(profile_dir):
    (profile_dir / "award.yaml").write_text(AWARD_PROFILE)
    profile = profiles.get("award")
    assert scoring.award("company", 3, profile) == (10_000_000, "000 §五")
    assert scoring.award("company", 2, profile) is None
    assert scoring.award("committee", 5, profile) == (10_000_000, "000 §五")
    assert scoring.award("committee", 4, profile) is None
    assert scoring.award("company", 5, None) is None  # no profile: no award
    (profile_dir / "none.yaml").write_text("source: test\ntitle: t\n")
    assert scoring.award("company", 5, profiles.get("none")) is None


def test_publication_records_the_award_the_stars_earn(rw, profile_dir, client):
    (profile_dir / "award.yaml").write_text(AWARD_PROFILE)
    rw.world.district.policy_profile = "award"
    rw.world.district.save()
    profiles.clear_cache()
    clock.set_now(dt.datetime(2025, 12, 1, 10, 0))
    community = rw.world.community_a1
    ratings.assess(rw.company, actor=rw.worker, year=2025, assessment=70, note="合格",
                   community=community)  # fmt: skip
    ratings.assess(rw.committee, actor=rw.worker, year=2025, assessment=89, note="良好")
    assert Evaluation.objects.get(company=rw.company).award_max_fen is None  # not published
    clock.set_now(dt.datetime(2026, 1, 10, 10, 0))
    ratings.publish_year(rw.world.street_a, actor=rw.street, year=2025)
    company = Evaluation.objects.get(company=rw.company, year=2025)
    # only the assessment: 70.0 → three stars, the least for the red property award
    assert (company.stars, company.award_max_fen, company.award_basis) == (3, 10_000_000, "000 §五")
    assert company.award_max_yuan == 100_000
    committee = Evaluation.objects.get(committee=rw.committee, year=2025)
    assert (committee.stars, committee.award_max_fen) == (4, None)  # 89.0: not five stars
    client.force_login(rw.worker)
    page = client.get("/estates/ratings/?year=2025").content.decode()
    assert page.count('data-testid="award"') == 1
    assert "达到星级奖励条件：最高100000元（000 §五）" in page
    rows = client.get("/api/v1/estate-ratings/?year=2025").json()
    rows = rows.get("results", rows) if isinstance(rows, dict) else rows
    awards = {r["kind"]: (r["award_max_yuan"], r["award_basis"]) for r in rows}
    assert awards == {"company": (100_000, "000 §五"), "committee": (None, "")}
