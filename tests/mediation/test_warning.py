"""Early warning (issue 18 item 3) and the notifications of mediation (item 3 of the task): the
warning board's repeat disputes with the window and thresholds from the profile (a moved clock),
high-risk cases, a 群体性 risk flagged to the street at once (notified, audited), and mediators
told when a case is assigned to them or referred to their committee."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock, profiles
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.mediation import early_warning, services
from gongzhi.mediation.models import Case, CaseEvent, MediatorKind, Risk, Side
from gongzhi.places.models import Place
from tests.conftest import make_user

from .conftest import open_case, resident

pytestmark = pytest.mark.django_db


def _told(user, verb):
    return list(Notification.objects.filter(user=user, verb=verb))


# --------------------------------------------------------------------------- notifications


def test_mediators_are_told_when_a_case_is_assigned_to_them(mw):
    case = open_case(mw)  # the staff mediator and the elder (a resident with a login)
    for user in (mw.worker, mw.member_user):
        (note,) = _told(user, "mediation_assigned")
        assert case.number in note.text and note.reference == case.number
        assert note.link == reverse("mediation:case", args=[case.pk])
        assert "漏水" not in note.text  # the number and committee, not the content
    other = services.add_mediator(
        mw.committee, actor=mw.secretary, kind=MediatorKind.LAWYER, user=mw.secretary
    )
    plain = open_case(mw, mediators=[])
    assert not _told(mw.worker, "mediation_assigned")[1:]
    services.assign_mediator(plain, mw.staff_mediator, actor=mw.secretary)
    assert len(_told(mw.worker, "mediation_assigned")) == 2
    # The actor is never told of their own step.
    services.assign_mediator(plain, other, actor=mw.secretary)
    assert not _told(mw.secretary, "mediation_assigned")


def test_the_committee_above_s_mediators_are_told_of_a_referral(mw):
    case = services.start(open_case(mw), actor=mw.worker)
    assert not _told(mw.street, "mediation_referred")
    services.refer_up(case, actor=mw.worker, note="社区调解不成")
    (note,) = _told(mw.street, "mediation_referred")
    assert case.number in note.text and mw.street_committee.name in note.text
    assert not _told(mw.worker, "mediation_referred")


# --------------------------------------------------------------------------- escalation


def test_an_escalation_risk_is_flagged_to_the_street_at_once(mw):
    street_worker = make_user(Role.STREET_OFFICER, mw.world.street_a, name="街道调解干部")
    other_street = make_user(Role.STREET_OFFICER, mw.world.street_b, name="别的街道")
    case = open_case(mw)
    services.flag_escalation(case, actor=mw.worker, note="二十余户联名，扬言集体上访")
    case.refresh_from_db()
    assert case.escalation_risk and case.escalation_flagged_at == clock.now()
    # The street's staff and the street committee's mediator, at once; not another street.
    assert _told(street_worker, "mediation_escalation")
    (note,) = _told(mw.street, "mediation_escalation")
    assert case.number in note.text and "群体性" in note.text
    assert not _told(other_street, "mediation_escalation")
    assert not _told(mw.worker, "mediation_escalation")
    record = AuditRecord.objects.get(action="mediation.case_escalation")
    assert record.reason == "二十余户联名，扬言集体上访"
    assert sorted(record.changes["told"]) == sorted({mw.street.pk, street_worker.pk})
    assert CaseEvent.objects.filter(case=case, step="escalation").count() == 1
    # Once only; the state does not change.
    with pytest.raises(ValidationError):
        services.flag_escalation(case, actor=mw.worker, note="再报")
    assert Case.objects.get(pk=case.pk).state == case.state


def test_a_case_opened_at_risk_of_escalation_is_flagged_as_it_opens(mw):
    case = open_case(mw, escalation_risk=True, risk=Risk.HIGH)
    assert case.escalation_risk
    assert _told(mw.street, "mediation_escalation")
    assert AuditRecord.objects.filter(action="mediation.case_escalation").count() == 1
    api = APIClient()
    api.force_authenticate(mw.secretary)
    made = api.post(
        "/api/v1/mediation-cases/",
        {
            "committee": mw.committee.pk,
            "source": "walk_in",
            "title": "联名反映",
            "summary": "多户联名",
            "dispute_type": "property",
            "escalation_risk": True,
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["escalation_risk"] is True
    assert len(_told(mw.street, "mediation_escalation")) == 2


def test_only_the_case_s_handlers_may_flag_it(mw):
    case = open_case(mw)
    with pytest.raises(PermissionDenied):  # sees that it exists, not its content
        services.flag_escalation(case, actor=mw.grid_worker, note="x")
    with pytest.raises(Http404):
        services.flag_escalation(case, actor=mw.outsider_member, note="x")
    with pytest.raises(Http404):
        services.flag_escalation(case, actor=mw.worker_a2, note="x")
    with pytest.raises(ValidationError):  # a note is required
        services.flag_escalation(case, actor=mw.worker, note="")
    assert not Case.objects.get(pk=case.pk).escalation_risk
    assert not Notification.objects.filter(verb="mediation_escalation").exists()


def test_escalation_on_the_page_and_the_api_and_wrong_roles(mw, login):
    case = open_case(mw)
    url = reverse("mediation:case_act", args=[case.pk, "escalation"])
    # Neither a grid worker nor a party member of the community reaches the case (404).
    assert login(mw.grid_worker).post(url, {"note": "x"}).status_code == 404
    assert login(mw.outsider_member).post(url, {"note": "x"}).status_code == 404
    assert login(mw.resident_user).post(url, {"note": "x"}).status_code == 403
    api = APIClient()
    api.force_authenticate(mw.grid_worker)
    path = f"/api/v1/mediation-cases/{case.pk}/escalation/"
    assert api.post(path, {"note": "x"}, format="json").status_code in (403, 404)
    assert not Case.objects.get(pk=case.pk).escalation_risk
    page = login(mw.worker)
    assert (
        'data-testid="escalation-form"'
        in page.get(reverse("mediation:case", args=[case.pk])).content.decode()
    )
    page.post(url, {"note": "业主聚集"})
    assert Case.objects.get(pk=case.pk).escalation_risk
    body = page.get(reverse("mediation:case", args=[case.pk])).content.decode()
    assert 'data-testid="escalation"' in body and 'data-testid="escalation-form"' not in body
    api.force_authenticate(mw.worker)
    again = api.post(path, {"note": "再报"}, format="json")
    assert again.status_code == 400


# --------------------------------------------------------------------------- the board


def _between(mw, a, b, **fields):
    """A case about household `a` with a party living in household `b`."""
    case = open_case(mw, household=a, **fields)
    services.add_party(case, actor=mw.worker, side=Side.RESPONDENT, resident=resident(b))
    return case


def test_repeat_disputes_between_households_and_in_a_building_within_the_window(mw):
    h = mw.homes  # h[0], h[1] in building 1栋; h[2], h[3] in 2栋
    first = _between(mw, h[0], h[1])
    b = early_warning.board(mw.secretary, mw.committee)
    assert b.households == [] and b.buildings == []
    assert (b.window.value, b.households_threshold.value, b.building_threshold.value) == (
        180,
        2,
        3,
    )
    assert not b.window.from_profile  # platform defaults
    with clock.travel_to(dt.datetime(2026, 9, 1, 10, 0)):
        second = _between(mw, h[1], h[0])  # the same two households, the other way round
        third = open_case(mw, household=h[0])
        b = early_warning.board(mw.secretary, mw.committee)
        (pair,) = b.households
        assert [c.pk for c in pair.cases] == [first.pk, second.pk]
        (building,) = b.buildings
        assert building.label == "1栋" and len(building.cases) == 3
        assert third in building.cases
    # 181 days after the first case it leaves the window: no pair, the building has two.
    with clock.travel_to(dt.datetime(2026, 11, 29, 10, 1)):
        b = early_warning.board(mw.secretary, mw.committee)
        assert b.households == [] and b.buildings == []


def test_the_thresholds_come_from_the_profile(mw, profile_dir):
    (profile_dir / "warn.yaml").write_text(
        "source: test\ntitle: test\nmediation:\n  warning_window_days: 30\n"
        "  warning_repeat_households: 3\n  warning_repeat_building: 2\n",
        encoding="utf-8",
    )
    Place.objects.filter(pk=mw.world.community_a1.pk).update(policy_profile="warn")
    profiles.clear_cache()
    mw.committee.place.refresh_from_db()
    h = mw.homes
    _between(mw, h[0], h[1])
    _between(mw, h[0], h[1])
    b = early_warning.board(mw.secretary, mw.committee)
    assert b.window == early_warning.Setting(30, True)
    assert b.households == []  # two cases: the profile asks for three
    assert [r.label for r in b.buildings] == ["1栋"]  # two cases in one building suffice
    with clock.travel_to(dt.datetime(2026, 7, 2, 10, 0)):  # 31 days later: out of the window
        assert early_warning.board(mw.secretary, mw.committee).buildings == []


def test_high_risk_and_flagged_cases_are_on_the_board_until_closed(mw):
    high = open_case(mw, risk=Risk.HIGH, title="高风险")
    low = open_case(mw, risk=Risk.LOW)
    services.flag_escalation(low, actor=mw.worker, note="聚集")
    b = early_warning.board(mw.secretary, mw.committee)
    assert b.high_risk == [high] and b.escalation == [low]
    services.withdraw(high, actor=mw.worker, note="撤回")
    services.follow_up(high, actor=mw.worker, visited_on=clock.today())
    services.close(high, actor=mw.worker)
    assert early_warning.board(mw.secretary, mw.committee).high_risk == []
    # The street's board shows the community's cases too.
    assert early_warning.board(mw.street, mw.street_committee).escalation == [low]


def test_the_board_page_wrong_roles_and_bounded_queries(mw, login, django_assert_max_num_queries):
    h = mw.homes
    for i in range(12):
        _between(mw, h[i % 2], h[1 - i % 2], risk=Risk.HIGH)
    page = login(mw.secretary)
    url = reverse("mediation:board")
    with django_assert_max_num_queries(40):
        body = page.get(url).content.decode()
    assert body.count('data-testid="board-high-risk"') == 1
    assert body.count(reverse("mediation:case", args=[Case.objects.first().pk])) >= 1
    assert "1栋" in body
    for user in (mw.grid_worker, mw.outsider_member, mw.resident_user):
        assert login(user).get(url).status_code == 403, user
    # The menu hides the board from those who may not use it.
    grid = login(mw.grid_worker).get(reverse("mediation:index")).content.decode()
    assert url not in grid
    assert url in login(mw.secretary).get(reverse("mediation:index")).content.decode()
