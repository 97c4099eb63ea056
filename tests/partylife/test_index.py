"""The fuller vanguard index (issue 23 item 6) against a hand computation: caps hit on both
sides, the veto, band boundaries, quarter against year, declarations and their review."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.party.models import Checkin, RecordStatus, ServiceRecord
from gongzhi.partylife import index, services
from gongzhi.partylife.models import AttendanceStatus, IndexItem, IndexItemState, MeetingKind
from gongzhi.places.models import Place
from tests.party.conftest import first_household, make_member, make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English whatever a previous test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _at(y, m, d):
    return clock.travel_to(dt.datetime(y, m, d, 9, 0, tzinfo=dt.UTC))


def _held(life, kind, day, org=None, present=(), leave=()):
    with _at(day.year, day.month, day.day):
        meeting = services.plan_meeting(org or life.branch, actor=life.cs, kind=kind, held_on=day)
        for member in present:
            services.record_attendance(
                meeting, member, actor=life.cs, status=AttendanceStatus.PRESENT
            )
        for member in leave:
            services.record_attendance(
                meeting, member, actor=life.cs, status=AttendanceStatus.LEAVE, reason="出差"
            )
        services.record_minutes(meeting, actor=life.cs, minutes="纪要")
    return meeting


def _accepted(life, code, day, kind="bonus"):
    with _at(day.year, day.month, day.day):
        item = services.declare_item(
            actor=life.member_user, kind=kind, code=code, occurred_on=day, text="说明"
        )
        return services.review_item(item, actor=life.secretary_user, accept=True)


def _year_2026(life):
    """The hand-computed example (default profile: points 30/15/15/40, caps 10/10)."""
    m = life.member
    # Six held meetings that count: present 4, on leave 1, absent 1 → 4 / 5.
    for month in (2, 3, 4):
        _held(life, MeetingKind.THEME_DAY, dt.date(2026, month, 10), present=[m])
    _held(life, MeetingKind.THEME_DAY, dt.date(2026, 5, 10), leave=[m])
    _held(life, MeetingKind.GENERAL, dt.date(2026, 5, 20))
    _held(life, MeetingKind.LECTURE, dt.date(2026, 6, 3), present=[m])
    # Not counted: a committee meeting (for the committee) and a planned, not held, theme day.
    _held(life, MeetingKind.COMMITTEE, dt.date(2026, 6, 4))
    with _at(2026, 6, 5):
        services.plan_meeting(
            life.branch, actor=life.cs, kind=MeetingKind.THEME_DAY, held_on=dt.date(2026, 6, 10)
        )
    # Dues: January paid in January, February paid in March (late), March never → 1 / 3.
    with _at(2026, 1, 5):
        for month in (1, 2, 3):
            services.record_due(m, actor=life.cs, month=dt.date(2026, month, 1), amount_fen=200)
    with _at(2026, 1, 20):
        services.record_payment(m, actor=life.cs, month=dt.date(2026, 1, 1), amount_fen=200)
    with _at(2026, 3, 5):
        services.record_payment(m, actor=life.cs, month=dt.date(2026, 2, 1), amount_fen=200)
    # Service: 12 confirmed hours → the service formula's index 40 × 25 / 100 = 10.
    ServiceRecord.objects.create(
        member=m,
        served_on=dt.date(2026, 7, 1),
        minutes=720,
        status=RecordStatus.CONFIRMED,
        place_path=m.place_path,
    )
    # Bonus 5 + 3 + 2 + 2 = 12 → cap 10; deduction 5 + 3 + 3 = 11 → cap 10.
    for code, day in (
        ("honour", dt.date(2026, 3, 1)),
        ("volunteer_lead", dt.date(2026, 4, 1)),
        ("greening", dt.date(2026, 5, 1)),
        ("neighbour_help", dt.date(2026, 8, 1)),
    ):
        _accepted(life, code, day)
    for code, day in (
        ("bad_influence", dt.date(2026, 2, 1)),
        ("complaint", dt.date(2026, 9, 1)),
    ):
        _accepted(life, code, day, kind="deduction")
    with _at(2026, 10, 1):
        services.record_item(
            m,
            actor=life.secretary_user,
            kind="deduction",
            code="pledge_not_kept",
            occurred_on=dt.date(2026, 10, 1),
            text="承诺未践诺",
        )
        # Neither a pending nor a refused item counts.
        services.declare_item(
            actor=life.member_user,
            kind="bonus",
            code="honour",
            occurred_on=dt.date(2026, 10, 1),
            text="待审",
        )
        refused = services.declare_item(
            actor=life.member_user,
            kind="bonus",
            code="honour",
            occurred_on=dt.date(2026, 9, 30),
            text="重复申报",
        )
        services.review_item(refused, actor=life.secretary_user, accept=False, reason="重复")


def test_the_index_against_a_hand_computation(life):
    _year_2026(life)
    with _at(2027, 1, 15):
        score = index.score_for(life.member, index.whole_year(2026))
    parts = {p.name: p for p in score.parts}
    assert parts["attendance"].points == Decimal("24.0")  # 30 × 4 / 5
    assert parts["dues"].points == Decimal("5.0")  # 15 × 1 / 3
    assert parts["study"].points == Decimal("3.8")  # 15 × 1 / 4 = 3.75
    assert parts["service"].points == Decimal("4.0")  # 40 × 10 / 100
    assert score.bonus_raw == 12 and score.bonus == 10
    assert score.deduction_raw == 11 and score.deduction == 10
    # 24 + 5 + 3.75 + 4 + 10 − 10 = 36.75 → 36.8 (half up), below every band.
    assert score.total == Decimal("36.8")
    assert score.grade == "unqualified"
    assert not score.vetoed
    assert "4" in parts["attendance"].achieved and "5" in parts["attendance"].achieved
    assert parts["attendance"].rule == "platform default"


def test_a_veto_sets_the_score_to_zero_with_its_reason(life):
    _year_2026(life)
    with _at(2026, 11, 2):
        services.record_item(
            life.member,
            actor=life.cs,
            kind="veto",
            code="sanction",
            occurred_on=dt.date(2026, 11, 1),
            text="受到党内警告处分",
        )
    with _at(2027, 1, 15):
        score = index.score_for(life.member, index.whole_year(2026))
    assert score.vetoed and score.total == 0 and score.grade == "unqualified"
    assert score.vetoes[0].item.text == "受到党内警告处分"
    # The parts are still shown.
    assert score.part("attendance").points == Decimal("24.0")


def test_a_veto_switched_off_in_the_profile_does_not_count(life, profile_dir):
    (profile_dir / "noveto.yaml").write_text(
        "source: t\ntitle: t\npartylife:\n  index:\n    veto:\n      sanction: 0\n",
        encoding="utf-8",
    )
    Place.objects.filter(pk=life.world.community_a1.pk).update(policy_profile="noveto")
    with _at(2026, 11, 2):
        services.record_item(
            life.member,
            actor=life.cs,
            kind="veto",
            code="sanction",
            occurred_on=dt.date(2026, 11, 1),
            text="处分",
        )
        score = index.score_for(life.member, index.whole_year(2026))
    assert not score.vetoed and score.total > 0


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "excellent"),
        ("90.0", "excellent"),
        ("89.9", "good"),
        ("80.0", "good"),
        ("79.9", "qualified"),
        ("60.0", "qualified"),
        ("59.9", "unqualified"),
        ("0", "unqualified"),
    ],
)
def test_band_boundaries(total, grade):
    assert index.grade_of(index.Rules(None), Decimal(total)) == grade


def test_bands_from_the_profile_at_the_computed_total(life, profile_dir):
    _year_2026(life)
    for least, grade in (("36.8", "qualified"), ("36.9", "unqualified")):
        name = f"b{least.replace('.', '')}"
        (profile_dir / f"{name}.yaml").write_text(
            f"source: t\ntitle: t\npartylife:\n  index:\n    band:\n      qualified: {least}\n",
            encoding="utf-8",
        )
        Place.objects.filter(pk=life.world.community_a1.pk).update(policy_profile=name)
        with _at(2027, 1, 15):
            score = index.score_for(life.member, index.whole_year(2026))
        assert (score.total, score.grade) == (Decimal("36.8"), grade)


def test_quarter_or_year_from_the_profile(life, profile_dir):
    _year_2026(life)
    with _at(2026, 5, 25):
        year_rules = index.rules_for(life.branch)
        assert index.asked_period(year_rules, "", "").count == 1
    (profile_dir / "q.yaml").write_text(
        "source: t\ntitle: t\npartylife:\n  index:\n    periods_per_year: 4\n", encoding="utf-8"
    )
    Place.objects.filter(pk=life.world.community_a1.pk).update(policy_profile="q")
    with _at(2026, 5, 25):
        rules_ = index.rules_for(life.branch)
        # The number the profile sets is cited with it; the others are platform defaults.
        assert rules_.rule("periods_per_year").source == "t"
        assert rules_.rule("bonus_cap").source == ""
        q2 = index.asked_period(rules_, "", "")
        assert (q2.first, q2.last, q2.number, q2.count) == (
            dt.date(2026, 4, 1),
            dt.date(2026, 6, 30),
            2,
            4,
        )
        score = index.score_for(life.member, q2)
    # Q2 so far: theme day 10 Apr present, 10 May on leave, general meeting 20 May absent → 1 / 2.
    assert score.part("attendance").points == Decimal("15.0")
    # No month of Q2 has a due line: full points.
    assert score.part("dues").points == Decimal("15.0")
    # One lecture is due a quarter (4 a year); the June lecture is not held yet on 25 May.
    assert score.part("study").points == Decimal("0.0")
    # Items dated in Q2 only: volunteer_lead 3 + greening 2 = 5 (below the cap); no deduction.
    assert (score.bonus, score.deduction) == (5, 0)
    with _at(2026, 7, 2):
        q1 = index.asked_period(rules_, 2026, 1)
        assert (q1.first, q1.last) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
        first = index.score_for(life.member, q1)
    assert (first.bonus, first.deduction) == (5, 5)  # honour 5; bad_influence 5


def test_a_declaration_is_reviewed_once_and_audited(life):
    with _at(2026, 3, 2):
        item = services.declare_item(
            actor=life.member_user,
            kind="bonus",
            code="greening",
            occurred_on=dt.date(2026, 3, 1),
            text="认领楼前绿地",
        )
        assert item.state == IndexItemState.PENDING and item.org == life.branch
        services.review_item(item, actor=life.secretary_user, accept=True)
        with pytest.raises(ValidationError):
            services.review_item(item, actor=life.cs, accept=False, reason="x")
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"partylife.index_declare", "partylife.index_accept"} <= actions


def test_refusal_needs_a_reason_and_own_items_are_not_reviewed(life):
    with _at(2026, 3, 2):
        item = services.declare_item(
            actor=life.member_user,
            kind="bonus",
            code="greening",
            occurred_on=dt.date(2026, 3, 1),
            text="认领楼前绿地",
        )
        with pytest.raises(ValidationError):
            services.review_item(item, actor=life.secretary_user, accept=False, reason="")
        own = services.declare_item(
            actor=life.secretary_user,
            kind="bonus",
            code="honour",
            occurred_on=dt.date(2026, 3, 1),
            text="获评优秀党员",
        )
        with pytest.raises(ValidationError, match="own"):
            services.review_item(own, actor=life.secretary_user, accept=True)
        # The community secretary reviews the branch secretary's own declaration.
        services.review_item(own, actor=life.cs, accept=True)


def test_bad_declarations_are_refused(life):
    with _at(2026, 3, 2):
        for kwargs in (
            {"kind": "veto", "code": "sanction"},
            {"kind": "bonus", "code": "nonsense"},
            {"kind": "bonus", "code": "honour", "occurred_on": dt.date(2026, 3, 3)},
            {"kind": "bonus", "code": "honour", "occurred_on": dt.date(2024, 12, 31)},
            {"kind": "bonus", "code": "honour", "text": ""},
        ):
            call = {"occurred_on": dt.date(2026, 3, 1), "text": "说明", **kwargs}
            with pytest.raises(ValidationError):
                services.declare_item(actor=life.member_user, **call)
    assert IndexItem.objects.count() == 0


def test_wrong_roles_are_refused(life):
    with _at(2026, 3, 2):
        item = services.declare_item(
            actor=life.member_user,
            kind="bonus",
            code="greening",
            occurred_on=dt.date(2026, 3, 1),
            text="认领楼前绿地",
        )
        # A member of another branch: not visible.
        with pytest.raises(Http404):
            services.review_item(item, actor=life.outsider_user, accept=True)
        # A member of the branch (not its secretary): sees the branch, may not review.
        own = services.declare_item(
            actor=life.secretary_user,
            kind="bonus",
            code="honour",
            occurred_on=dt.date(2026, 3, 1),
            text="获评优秀党员",
        )
        with pytest.raises(PermissionDenied):
            services.review_item(own, actor=life.member_user, accept=True)
        # Another street's community secretary: not visible.
        with pytest.raises(Http404):
            services.review_item(item, actor=life.foreign_cs, accept=True)
        # A community worker oversees, does not decide.
        with pytest.raises(PermissionDenied):
            services.review_item(item, actor=life.cw, accept=True)
        # The branch records items of its own members only (another branch's: not visible).
        with pytest.raises(Http404):
            services.record_item(
                life.outsider,
                actor=life.secretary_user,
                kind="veto",
                code="sanction",
                occurred_on=dt.date(2026, 3, 1),
                text="x",
            )
    assert IndexItem.objects.get(pk=item.pk).state == IndexItemState.PENDING


def test_in_service_member_keeps_the_branch_profile(life):
    """The parts' numbers follow the member's organisation; the service part follows where
    they serve (the service formula's own rule)."""
    Checkin.objects.create(
        member=life.member,
        community=life.world.community_a1,
        workplace_org="某单位党支部",
        checked_in_on=dt.date(2026, 1, 5),
        place_path=life.world.community_a1.path,
    )
    with _at(2026, 3, 2):
        score = index.score_for(life.member, index.whole_year(2026))
    assert score.part("service").points == 0


def test_scores_of_many_members_in_bounded_queries(life, django_assert_max_num_queries):
    """The same number of queries for one member as for fifteen (in two branches)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _year_2026(life)
    home = first_household(life.world.grid_a1_1.buildings[1])
    for i in range(12):
        make_member(make_resident(home, f"党员{i}"), life.branch)
    members = list(index.PartyMember.objects.filter(is_active=True))
    assert len(members) == 15
    with _at(2027, 1, 15):
        with CaptureQueriesContext(connection) as one:
            index.scores(members[:1], index.whole_year(2026))
        with CaptureQueriesContext(connection) as many:
            rows = index.scores(members, index.whole_year(2026))
    assert len(rows) == 15
    assert len(many) <= len(one) + 1 <= 20  # + 1: a second branch's parent level
