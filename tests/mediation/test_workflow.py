"""The case workflow: the transition table (every illegal step refused), the happy path,
referral up the levels, follow-up reopening, one winner of two closings, nothing half-written."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation
from PIL import Image

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.mediation import services, workflow
from gongzhi.mediation.models import (
    Agreement,
    AgreementScan,
    Case,
    CaseEvent,
    Level,
    Party,
    Referral,
    ReferralKind,
    Side,
    State,
)
from gongzhi.mediation.workflow import Step

from .conftest import open_case

pytestmark = pytest.mark.django_db

EXPECTED = {
    ("opened", "start"): "mediating",
    ("opened", "withdraw"): "withdrawn",
    ("mediating", "agree"): "agreed",
    ("mediating", "fail"): "no_agreement",
    ("mediating", "refer_up"): "opened",
    ("mediating", "withdraw"): "withdrawn",
    ("agreed", "follow_up"): "follow_up",
    ("no_agreement", "follow_up"): "follow_up",
    ("withdrawn", "follow_up"): "follow_up",
    ("follow_up", "follow_up"): "follow_up",
    ("agreed", "reopen"): "mediating",
    ("follow_up", "reopen"): "mediating",
    ("follow_up", "close"): "closed",
}


def _jpeg() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, "JPEG")
    buf.seek(0)
    buf.name = "scan.jpg"
    return buf


def test_the_table_is_exactly_the_documented_one():
    assert {(s, t): n for (s, t), n in workflow.TRANSITIONS.items()} == EXPECTED


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("step", [s for s in Step.values if s != Step.OPEN])
def test_every_step_outside_the_table_is_refused(state, step):
    if (state, step) in EXPECTED:
        assert workflow.target(state, step) == EXPECTED[(state, step)]
        return
    with pytest.raises(workflow.IllegalTransition):
        workflow.target(state, step)


def _at(mw, state: str) -> Case:
    """A case brought to `state` through the services."""
    case = open_case(mw)
    actor = mw.worker
    if state == State.OPENED:
        return case
    if state == State.WITHDRAWN:
        return services.withdraw(case, actor=actor, note="申请人撤回")
    case = services.start(case, actor=actor)
    if state == State.MEDIATING:
        return case
    if state == State.NO_AGREEMENT:
        return services.record_no_agreement(
            case, actor=actor, referral=ReferralKind.COURT, note="转诉调对接"
        )
    services.record_agreement(
        case, actor=actor, signed_on=clock.today(), terms="楼上赔偿800元", text="协议全文"
    )
    case.refresh_from_db()
    if state == State.AGREED:
        return case
    services.follow_up(case, actor=actor, visited_on=clock.today())
    case.refresh_from_db()
    if state == State.FOLLOW_UP:
        return case
    return services.close(case, actor=actor)


SERVICE_STEPS = {
    Step.START: lambda c, a: services.start(c, actor=a),
    Step.AGREE: lambda c, a: services.record_agreement(
        c, actor=a, signed_on=clock.today(), terms="条款", text="全文"
    ),
    Step.FAIL: lambda c, a: services.record_no_agreement(
        c, actor=a, referral=ReferralKind.NONE, note="双方不接受"
    ),
    Step.REFER_UP: lambda c, a: services.refer_up(c, actor=a, note="社区调解不成"),
    Step.WITHDRAW: lambda c, a: services.withdraw(c, actor=a, note="撤回"),
    Step.FOLLOW_UP: lambda c, a: services.follow_up(c, actor=a, visited_on=clock.today()),
    Step.REOPEN: lambda c, a: services.follow_up(
        c, actor=a, visited_on=clock.today(), kept=False, note="未履行"
    ),
    Step.CLOSE: lambda c, a: services.close(c, actor=a),
}


@pytest.mark.parametrize("state", State.values)
def test_the_services_refuse_every_illegal_step_in_chinese_and_change_nothing(mw, state):
    case = _at(mw, state)
    assert case.state == state
    for step, call in SERVICE_STEPS.items():
        if (state, step) in EXPECTED:
            continue
        events = CaseEvent.objects.count()
        audits = AuditRecord.objects.count()
        with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
            call(Case.objects.get(pk=case.pk), mw.worker)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(refused.value.messages))
        assert Case.objects.get(pk=case.pk).state == state
        assert CaseEvent.objects.count() == events
        assert AuditRecord.objects.count() == audits


def test_a_case_goes_from_opened_to_closed_with_its_history(mw):
    case = open_case(mw, amount_yuan=800)
    assert case.number.startswith("TJ2026")
    party = services.add_party(case, actor=mw.worker, side=Side.APPLICANT, resident=mw.member)
    outsider = services.add_party(
        case, actor=mw.worker, side=Side.RESPONDENT, name="外来租户", phone="13812345678"
    )
    assert outsider.phone_masked == "138****5678"
    assert "13812345678" not in outsider.phone_encrypted
    session = services.record_session(
        case,
        actor=mw.worker,
        held_at=clock.now() - dt.timedelta(hours=2),
        notes="双方陈述，初步同意赔偿。",
        parties=[party, outsider],
        mediators=[mw.staff_mediator],
    )
    assert session.parties_present.count() == 2
    case.refresh_from_db()
    assert case.state == State.MEDIATING
    services.record_agreement(
        case, actor=mw.worker, signed_on=clock.today(), terms="赔偿800元", scans=[_jpeg()]
    )
    assert AgreementScan.objects.count() == 1
    services.follow_up(case, actor=mw.worker, visited_on=clock.today(), note="已履行")
    closed = services.close(case, actor=mw.worker)
    assert closed.state == State.CLOSED and closed.closed_at is not None
    steps = list(CaseEvent.objects.filter(case=case).values_list("step", flat=True))
    assert steps == ["open", "start", "agree", "follow_up", "close"]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"mediation.case_open", "mediation.session", "mediation.case_close"} <= actions
    assert not AuditRecord.objects.filter(changes__icontains="13812345678").exists()


def test_referral_goes_up_the_levels_and_stops_at_the_top(mw):
    world = mw.world
    district = services.create_committee(world.district, actor=mw.admin)
    assert district.level == Level.DISTRICT
    case = services.start(open_case(mw), actor=mw.worker)
    assert services.committee_above(mw.committee) == mw.street_committee
    case = services.refer_up(case, actor=mw.worker, note="社区调解不成")
    assert case.state == State.OPENED
    assert case.committee == mw.street_committee
    assert case.place_path == world.street_a.path
    assert case.origin_committee == mw.committee
    assert case.mediators.count() == 0
    # The community's staff no longer hold the case; the street does.
    with pytest.raises((Http404, PermissionDenied)):
        services.start(case, actor=mw.worker)
    case = services.start(case, actor=mw.street)
    case = services.refer_up(case, actor=mw.street, note="街道调解不成")
    assert case.committee == district
    case = services.start(case, actor=mw.admin)
    with pytest.raises(ValidationError, match="above"), translation.override("en"):
        services.refer_up(case, actor=mw.admin, note="再上交")
    assert Case.objects.get(pk=case.pk).committee == district
    kinds = list(Referral.objects.filter(case=case).values_list("kind", "to_committee"))
    assert kinds == [("up", mw.street_committee.pk), ("up", district.pk)]


def test_no_agreement_records_the_referral_to_the_court_link(mw):
    case = services.start(open_case(mw), actor=mw.worker)
    services.record_no_agreement(
        case, actor=mw.worker, referral=ReferralKind.COURT, note="诉调对接"
    )
    referral = Referral.objects.get(case=case)
    assert referral.kind == "court" and referral.to_committee is None
    assert Case.objects.get(pk=case.pk).state == State.NO_AGREEMENT
    with pytest.raises(ValidationError):
        services.record_no_agreement(
            services.start(open_case(mw), actor=mw.worker),
            actor=mw.worker,
            referral=ReferralKind.UP,
            note="x",
        )


def test_a_broken_agreement_found_at_follow_up_reopens_the_case(mw):
    case = _at(mw, State.FOLLOW_UP)
    visit = services.follow_up(  # by the resident mediator (a party member's login)
        case,
        actor=mw.member_user,
        visited_on=clock.today(),
        kept=False,
        note="对方未按期赔偿",
    )
    assert visit.kept is False
    case.refresh_from_db()
    assert case.state == State.MEDIATING
    assert Agreement.objects.get(case=case).broken_on == clock.today()
    # A second agreement, kept this time, and the case can be closed.
    services.record_agreement(
        case, actor=mw.worker, signed_on=clock.today(), terms="分期赔偿", text="补充协议"
    )
    services.follow_up(case, actor=mw.worker, visited_on=clock.today())
    assert services.close(case, actor=mw.worker).state == State.CLOSED


def test_only_an_agreement_can_be_found_broken(mw):
    case = _at(mw, State.WITHDRAWN)
    with pytest.raises(ValidationError):
        services.follow_up(case, actor=mw.worker, visited_on=clock.today(), kept=False, note="x")
    assert Case.objects.get(pk=case.pk).state == State.WITHDRAWN


def test_two_mediators_closing_the_same_case_one_wins(mw):
    case = _at(mw, State.FOLLOW_UP)
    first = Case.objects.get(pk=case.pk)
    second = Case.objects.get(pk=case.pk)  # loaded before the first closing: stale
    services.close(first, actor=mw.worker)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.close(second, actor=mw.member_user)
    assert "已结案" in " ".join(refused.value.messages) or "结案" in " ".join(
        refused.value.messages
    )
    assert CaseEvent.objects.filter(case=case, step="close").count() == 1


def test_a_bad_scan_writes_nothing(mw):
    case = services.start(open_case(mw), actor=mw.worker)
    bad = io.BytesIO(b"not an image at all")
    bad.name = "scan.jpg"
    audits = AuditRecord.objects.count()
    with pytest.raises(ValidationError):
        services.record_agreement(
            case, actor=mw.worker, signed_on=clock.today(), terms="条款", scans=[bad]
        )
    assert Agreement.objects.count() == 0 and AgreementScan.objects.count() == 0
    assert Case.objects.get(pk=case.pk).state == State.MEDIATING
    assert AuditRecord.objects.count() == audits


def test_an_agreement_needs_its_text_or_a_scan(mw):
    case = services.start(open_case(mw), actor=mw.worker)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.record_agreement(case, actor=mw.worker, signed_on=clock.today(), terms="条款")
    assert "扫描" in " ".join(refused.value.messages)
    assert Case.objects.get(pk=case.pk).state == State.MEDIATING


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"amount_yuan": -1}, "amount_yuan"),
        ({"dispute_type": "x"}, "dispute_type"),
        ({"risk": "x"}, "risk"),
        ({"source": "referral"}, "referred_by"),
    ],
)
def test_bad_case_input_is_refused_and_nothing_is_opened(mw, fields, field):
    with pytest.raises(ValidationError) as refused:
        open_case(mw, **fields)
    assert field in refused.value.message_dict
    assert Case.objects.count() == 0


def test_parties_and_mediators_are_checked(mw):
    case = open_case(mw)
    with pytest.raises(ValidationError):
        services.add_party(case, actor=mw.worker, side=Side.OTHER, name="某人", phone="123")
    with pytest.raises(ValidationError):
        services.add_party(case, actor=mw.worker, side="judge", name="某人")
    services.add_party(case, actor=mw.worker, side=Side.APPLICANT, resident=mw.member)
    with pytest.raises(ValidationError):
        services.add_party(case, actor=mw.worker, side=Side.OTHER, resident=mw.member)
    assert Party.objects.filter(case=case).count() == 1
    with pytest.raises(ValidationError):
        services.assign_mediator(case, mw.street_mediator, actor=mw.secretary)
    with pytest.raises(ValidationError):
        open_case(mw, mediators=[mw.street_mediator])
