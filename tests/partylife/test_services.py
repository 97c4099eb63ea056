from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.partylife import checkin, rules, selectors, services
from gongzhi.partylife.models import AttendanceStatus, DuesEntry, Grade, MeetingKind

pytestmark = pytest.mark.django_db


def _at(y, m, d):
    return clock.travel_to(dt.datetime(y, m, d, 9, 0, tzinfo=dt.UTC))


def test_periods_split_the_year():
    assert rules.periods(2026, 4)[1] == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert rules.periods(2026, 12)[11] == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert rules.periods(2026, 0) == []
    assert rules.period_of(dt.date(2026, 5, 3), 4) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def _kinds(rows, org):
    return {r.kind for r in rows if r.org == org}


def test_overdue_moves_with_the_clock(life):
    cs = life.cs
    with _at(2026, 2, 10):
        assert MeetingKind.GENERAL in _kinds(selectors.overdue(cs, clock.today()), life.branch)
        m = services.plan_meeting(
            life.branch, actor=cs, kind=MeetingKind.GENERAL, held_on=dt.date(2026, 2, 10)
        )
        # Planned is not held: still listed until the minutes are recorded.
        assert MeetingKind.GENERAL in _kinds(selectors.overdue(cs, clock.today()), life.branch)
        services.record_minutes(m, actor=cs, minutes="学习党章，讨论小区停车。")
        assert MeetingKind.GENERAL not in _kinds(selectors.overdue(cs, clock.today()), life.branch)
    with _at(2026, 3, 31):  # still the first quarter
        assert MeetingKind.GENERAL not in _kinds(selectors.overdue(cs, clock.today()), life.branch)
        # Theme days are monthly (seed 002): February's does not cover March.
        assert MeetingKind.THEME_DAY in _kinds(selectors.overdue(cs, clock.today()), life.branch)
    with _at(2026, 4, 1):  # a new quarter: due again
        assert MeetingKind.GENERAL in _kinds(selectors.overdue(cs, clock.today()), life.branch)


def test_frequencies_come_from_the_profile(life, profile_dir):
    (profile_dir / "halfyear.yaml").write_text(
        "source: test\ntitle: test\npartylife:\n  per_year:\n    general_meeting: 2\n"
        "    theme_day: 0\n",
        encoding="utf-8",
    )
    from gongzhi.core import profiles
    from gongzhi.places.models import Place

    Place.objects.filter(pk=life.world.community_a1.pk).update(policy_profile="halfyear")
    profiles.clear_cache()
    with _at(2026, 2, 10):
        m = services.plan_meeting(
            life.branch, actor=life.cs, kind=MeetingKind.GENERAL, held_on=dt.date(2026, 1, 5)
        )
        services.record_minutes(m, actor=life.cs, minutes="上半年党员大会")
    with _at(2026, 6, 30):
        kinds = _kinds(selectors.overdue(life.cs, clock.today()), life.branch)
        assert MeetingKind.GENERAL not in kinds and MeetingKind.THEME_DAY not in kinds
    with _at(2026, 7, 1):
        assert MeetingKind.GENERAL in _kinds(selectors.overdue(life.cs, clock.today()), life.branch)
    plan = {r.kind: r for r in selectors.plan(life.branch, 2026, dt.date(2026, 7, 1))}
    assert plan[MeetingKind.GENERAL].per_year == 2 and plan[MeetingKind.GENERAL].held == 1


def test_branch_secretary_manages_own_branch_only(life):
    day = clock.today()
    made = services.plan_meeting(
        life.branch, actor=life.secretary_user, kind=MeetingKind.THEME_DAY, held_on=day
    )
    assert AuditRecord.objects.filter(action="partylife.meeting_plan").count() == 1
    assert made.place_path == life.branch.place_path
    with pytest.raises(Http404):  # another branch's records are not theirs to see
        services.plan_meeting(
            life.other, actor=life.secretary_user, kind=MeetingKind.THEME_DAY, held_on=day
        )
    with pytest.raises(PermissionDenied):  # their own branch, but not its secretary
        services.plan_meeting(
            life.branch, actor=life.member_user, kind=MeetingKind.THEME_DAY, held_on=day
        )
    with pytest.raises(PermissionDenied):  # a community worker oversees, does not manage
        services.plan_meeting(life.branch, actor=life.cw, kind=MeetingKind.THEME_DAY, held_on=day)
    with pytest.raises(Http404):
        services.plan_meeting(
            life.branch, actor=life.foreign_cs, kind=MeetingKind.THEME_DAY, held_on=day
        )


def test_wrong_kind_and_future_minutes_are_refused_in_chinese(life, settings):
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        services.plan_meeting(
            life.branch, actor=life.cs, kind=MeetingKind.BIG_COMMITTEE, held_on=clock.today()
        )
    assert "不召开" in " ".join(error.value.messages)
    m = services.plan_meeting(
        life.branch,
        actor=life.cs,
        kind=MeetingKind.LECTURE,
        held_on=clock.today() + dt.timedelta(days=3),
    )
    with pytest.raises(ValidationError):
        services.record_minutes(m, actor=life.cs, minutes="还没开")


def test_check_in_by_link_and_leave(life):
    m = services.plan_meeting(
        life.branch, actor=life.secretary_user, kind=MeetingKind.THEME_DAY, held_on=clock.today()
    )
    window = checkin.current_window()
    row = services.check_in(
        m, actor=life.member_user, window=window, token=checkin.token(m, window)
    )
    assert row.status == AttendanceStatus.PRESENT and row.member == life.member
    with pytest.raises(ValidationError):
        services.check_in(m, actor=life.member_user, window=window, token="forged")
    with pytest.raises(Http404):  # a member of another branch
        services.check_in(
            m, actor=life.outsider_user, window=window, token=checkin.token(m, window)
        )
    later = services.plan_meeting(
        life.branch,
        actor=life.secretary_user,
        kind=MeetingKind.LECTURE,
        held_on=clock.today() + dt.timedelta(days=7),
    )
    leave = services.ask_leave(later, actor=life.member_user, reason="出差")
    assert leave.status == AttendanceStatus.LEAVE and leave.reason == "出差"
    with pytest.raises(ValidationError):
        services.ask_leave(later, actor=life.member_user, reason="")


@pytest.mark.parametrize(
    ("scores", "grade"),
    [
        ((90, 90, 90), Grade.EXCELLENT),
        ((89, 90, 90), Grade.QUALIFIED),  # 89.8: just below the band of 90
        ((70, 70, 70), Grade.QUALIFIED),
        ((60, 70, 69), Grade.BASIC),  # 12 + 21 + 34.5 = 67.5
        ((60, 60, 60), Grade.BASIC),
        ((59, 60, 60), Grade.UNQUALIFIED),  # 59.8
    ],
)
def test_grades_at_band_boundaries(life, scores, grade):
    round_ = services.open_review(life.branch, actor=life.cs, year=2025)
    result = round_.results.get(member=life.member)
    services.self_assess(result, actor=life.member_user, score=scores[0], note="自评")
    result.refresh_from_db()
    done = services.decide(
        result, actor=life.secretary_user, peer_score=scores[1], branch_score=scores[2]
    )
    assert done.grade == grade
    assert done.decided_by == life.secretary_user and done.decided_at is not None


def test_total_is_weighted_by_the_profile_defaults():
    assert rules.total_of(None, 100, 50, 80) == Decimal("75.0")  # 20 + 15 + 40


def test_member_sees_own_review_only(life):
    round_ = services.open_review(life.branch, actor=life.secretary_user, year=2025)
    assert round_.results.count() == 2  # 王书记 and 张党员
    mine = round_.results.get(member=life.member)
    theirs = round_.results.get(member=life.secretary)
    seen = list(selectors.results_of(life.member_user, round_))
    assert seen == [mine]
    assert selectors.get_result(life.member_user, mine.pk) == mine
    with pytest.raises(Http404):
        selectors.get_result(life.member_user, theirs.pk)
    with pytest.raises(ValidationError):
        services.self_assess(theirs, actor=life.member_user, score=90)
    assert len(selectors.results_of(life.secretary_user, round_)) == 2
    with pytest.raises(Http404):
        selectors.get_round(life.outsider_user, round_.pk)


def test_dues_ledger_and_arrears(life):
    sec = life.secretary_user
    for month in (1, 2, 3):
        services.record_due(
            life.member, actor=sec, month=dt.date(2026, month, 1), amount_fen=200, base_fen=500000
        )
    services.record_payment(life.member, actor=sec, month=dt.date(2026, 1, 1), amount_fen=200)
    # The same request again (same key) is the same line, not a second payment.
    again = services.record_payment(
        life.member, actor=sec, month=dt.date(2026, 1, 1), amount_fen=200
    )
    assert DuesEntry.objects.filter(member=life.member, kind="payment").count() == 1
    assert again.kind == "payment"
    with pytest.raises(ValidationError):  # a second payment of the month under another key
        services.record_payment(
            life.member, actor=sec, month=dt.date(2026, 1, 1), amount_fen=200, idempotency_key="x"
        )
    with pytest.raises(ValidationError):  # nothing due
        services.record_payment(life.member, actor=sec, month=dt.date(2026, 6, 1), amount_fen=200)
    with pytest.raises(ValidationError):  # not the amount due
        services.record_payment(life.member, actor=sec, month=dt.date(2026, 2, 1), amount_fen=100)
    with _at(2026, 4, 2):
        rows = {r.member: r for r in selectors.dues_rows(life.branch, 2026, clock.today())}
    assert rows[life.member].arrears == [2, 3] and rows[life.member].arrears_fen == 400
    with pytest.raises(Http404):
        services.record_due(life.outsider, actor=sec, month=dt.date(2026, 1, 1), amount_fen=200)
