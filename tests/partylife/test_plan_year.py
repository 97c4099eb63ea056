"""The yearly plan generated from the profile's frequencies (issue 23 item 2): one planned
meeting per period still to come for every planned kind, idempotent, with a moved clock; the
wrong role on page and API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.partylife import rules, selectors, services
from gongzhi.partylife.models import Meeting, MeetingKind

pytestmark = pytest.mark.django_db


def _expected(org, today):
    profile = rules.profiles_of([org.place])[org.place_id]
    return sum(
        1
        for kind in rules.PLANNED_KINDS[org.kind]
        for first, last in rules.periods(today.year, rules.per_year(profile, kind))
        if last >= today
    )


def test_plan_year_fills_every_period_from_now_once(life):
    # 10 Feb 2026: the February month and the first quarter are current.
    services.plan_meeting(
        life.branch, actor=life.cs, kind=MeetingKind.GENERAL, held_on=dt.date(2026, 3, 2)
    )
    made = services.plan_year(life.branch, actor=life.secretary_user, year=2026)
    today = clock.today()
    assert len(made) == _expected(life.branch, today) - 1  # Q1's general meeting exists
    assert all(m.held_on >= today and m.held_on.year == 2026 for m in made)
    assert services.plan_year(life.branch, actor=life.secretary_user, year=2026) == []
    rows = {r.kind: r for r in selectors.plan(life.branch, 2026, today)}
    profile = rules.profiles_of([life.branch.place])[life.branch.place_id]
    for kind in rules.PLANNED_KINDS[life.branch.kind]:
        assert rows[kind].planned == rules.per_year(profile, kind) - (
            1 if rules.per_year(profile, kind) == 12 else 0
        )  # January (ended) is not planned afterwards


def test_plan_year_with_a_moved_clock_plans_only_what_is_left(life):
    with clock.travel_to(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)):
        made = services.plan_year(life.branch, actor=life.cs, year=2026)
        kinds = sorted(m.kind for m in made)
        # Q4 general meeting and lecture; November and December committee meetings and theme days.
        assert kinds.count(MeetingKind.GENERAL) == 1 and kinds.count(MeetingKind.THEME_DAY) == 2
        assert min(m.held_on for m in made) == dt.date(2026, 11, 20)


def test_plan_year_wrong_role_page_and_api(life, client):
    with pytest.raises(PermissionDenied):
        services.plan_year(life.branch, actor=life.member_user, year=2026)
    with pytest.raises(Http404):
        services.plan_year(life.branch, actor=life.outsider_user, year=2026)
    url = reverse("partylife:plan_year", args=[life.branch.pk])
    client.force_login(life.member_user)
    page = client.get(reverse("partylife:org", args=[life.branch.pk])).content.decode()
    assert 'data-testid="plan-year"' not in page
    assert client.post(url, {"year": 2026}).status_code == 403
    r = client.post(
        "/api/v1/party-meetings/plan-year/",
        {"org": life.branch.pk, "year": 2026},
        content_type="application/json",
    )
    assert r.status_code == 403
    client.force_login(life.outsider_user)
    assert client.post(url, {"year": 2026}).status_code == 404
    client.force_login(life.secretary_user)
    for bad in ({"org": "x", "year": 2026}, {"org": life.branch.pk, "year": 99999}):
        r = client.post("/api/v1/party-meetings/plan-year/", bad, content_type="application/json")
        assert r.status_code == 400
    assert not Meeting.objects.exists()
    page = client.get(reverse("partylife:org", args=[life.branch.pk])).content.decode()
    assert 'data-testid="plan-year"' in page
    client.post(url, {"year": 2026})
    r = client.post(
        "/api/v1/party-meetings/plan-year/",
        {"org": life.branch.pk, "year": 2026},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json() == []
    assert Meeting.objects.filter(org=life.branch).count() == _expected(life.branch, clock.today())
