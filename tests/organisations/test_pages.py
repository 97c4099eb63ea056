"""Pages and API: every page renders for the roles that use it, forms show only to whoever may
use them, refusals reach the page in Chinese and write nothing, wrong roles get 403 (no right)
or 404 (another area), lists answer in a bounded number of queries, malformed ids and bodies
give 400/404, and the public results need no login."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.organisations import selectors, services, workflow
from gongzhi.organisations.models import (
    Organisation,
    OrgKind,
    OrgStatus,
    ServiceField,
    SubsidyRule,
    VentureRound,
)
from tests.organisations.conftest import CODE_2, D

pytestmark = pytest.mark.django_db


@pytest.fixture
def full(ow):
    studio = services.add_incubator(
        ow.a1, actor=ow.secretary, name="工作室", opened_on=D(2024, 1, 1), operator=ow.registered
    )
    inc = services.apply_incubation(ow.filed, studio, actor=ow.secretary, applied_on=D(2026, 1, 1))
    services.set_rating(ow.registered, actor=ow.secretary, rating="4", rated_on=D(2026, 1, 1))
    sub = services.apply_subsidy(
        ow.registered, actor=ow.partner, rule=SubsidyRule.RATING, year=2026
    )
    services.set_budget(ow.street, 2026, actor=ow.officer, amount_yuan="300000")
    rnd = services.open_round(
        ow.street,
        actor=ow.officer,
        year=2026,
        title="公益创投",
        call="征集",
        budget_yuan="200000",
        closes_on=D(2026, 6, 30),
    )
    project = services.apply_venture(
        rnd, ow.registered, actor=ow.partner, title="助餐", plan="计划", budget_yuan="50000"
    )
    return inc, sub, rnd, project


def _pages(ow, full):
    inc, sub, rnd, project = full
    return [
        reverse("organisations:index"),
        reverse("organisations:organisation", args=[ow.registered.pk]),
        reverse("organisations:incubation"),
        reverse("organisations:subsidies"),
        reverse("organisations:subsidy", args=[sub.pk]),
        reverse("organisations:rounds"),
        reverse("organisations:round", args=[rnd.pk]),
        reverse("organisations:application", args=[project.pk]),
        reverse("organisations:compliance"),
    ]


@pytest.mark.parametrize("who", ["secretary", "officer", "district", "partner"])
def test_every_page_renders(ow, full, login, who):
    client = login(getattr(ow, who))
    for url in _pages(ow, full):
        assert client.get(url).status_code == 200, url


def test_a_resident_gets_403_and_another_area_404(ow, full, login, client):
    client = login(ow.resident)
    for url in _pages(ow, full):
        assert client.get(url).status_code == 403, url
    client.logout()
    client = login(ow.officer_b)
    assert client.get(reverse("organisations:index")).status_code == 200
    for url in _pages(ow, full)[1:]:
        if url.endswith(("/incubation/", "/subsidies/", "/venture/", "/compliance/")):
            continue
        assert client.get(url).status_code == 404, url


def test_forms_only_for_who_may_use_them(ow, full, login):
    _inc, sub, rnd, _p = full
    page = login(ow.grid).get(reverse("organisations:index")).content.decode()
    assert 'data-testid="register-form"' not in page
    page = login(ow.secretary).get(reverse("organisations:index")).content.decode()
    assert 'data-testid="register-form"' in page
    page = login(ow.secretary).get(reverse("organisations:subsidy", args=[sub.pk])).content.decode()
    assert 'data-testid="decide-form"' not in page
    page = login(ow.officer).get(reverse("organisations:subsidy", args=[sub.pk])).content.decode()
    assert 'data-testid="decide-form"' in page
    page = login(ow.partner).get(reverse("organisations:round", args=[rnd.pk])).content.decode()
    assert 'data-testid="venture-form"' in page
    assert 'data-testid="expert-form"' not in page


def test_a_wrong_credit_code_on_the_page(ow, login):
    client = login(ow.secretary)
    before = Organisation.objects.count()
    response = client.post(
        reverse("organisations:index"),
        {
            "place": ow.a1.pk,
            "name": "新组织",
            "kind": OrgKind.SOCIAL_GROUP,
            "status": OrgStatus.REGISTERED,
            "field": ServiceField.OTHER,
            "credit_code": CODE_2[:17] + "0",
            "registered_on": "2026-01-01",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "校验码" in response.content.decode()
    assert Organisation.objects.count() == before


def test_posting_without_the_right_is_403(ow, full, login):
    _inc, sub, _rnd, _p = full
    client = login(ow.grid)
    assert client.post(reverse("organisations:index"), {"name": "x"}).status_code == 403
    client = login(ow.secretary)
    response = client.post(
        reverse("organisations:subsidy", args=[sub.pk]),
        {"decision": "approve", "amount_yuan": "1", "reason": "x"},
    )
    assert response.status_code == 403


def test_the_incubation_step_from_the_page(ow, full, login):
    inc = full[0]
    client = login(ow.secretary)
    response = client.post(
        reverse("organisations:incubation_step", args=[inc.pk]),
        {"step": workflow.Step.ADMIT, "on": "2026-02-01", "mentor": "李老师"},
        follow=True,
    )
    assert response.status_code == 200
    inc.refresh_from_db()
    assert inc.mentor == "李老师"


def test_public_results_without_login(ow, full, client):
    _inc, _sub, rnd, project = full
    assert client.get(reverse("organisations:public_round", args=[rnd.pk])).status_code == 404
    services.appoint_expert(rnd, ow.district, actor=ow.officer)
    services.start_review(rnd, actor=ow.officer)
    services.score(project, actor=ow.district, value=90)
    services.award(project, actor=ow.officer, amount_yuan="50000", reason="一等奖")
    services.publish_results(rnd, actor=ow.officer)
    page = client.get(reverse("organisations:public_round", args=[rnd.pk])).content.decode()
    assert "助餐" in page and "50,000.00" in page
    assert (
        "珞南社工服务中心"
        in client.get(reverse("organisations:public_round", args=[rnd.pk])).content.decode()
    )
    assert client.get(reverse("organisations:public_rounds")).status_code == 200


def test_lists_answer_in_bounded_queries(ow, full, login, django_assert_max_num_queries):
    studio = full[0].incubator
    for i in range(14):
        org = services.register(
            ow.a1,
            actor=ow.officer,
            name=f"组织{i}",
            kind=OrgKind.SOCIAL_GROUP,
            status=OrgStatus.FILED,
            field=ServiceField.CULTURE,
            filed_on=D(2025, 1, 1),
        )
        services.set_rating(org, actor=ow.officer, rating="4", rated_on=D(2026, 1, 1))
        services.link_contact(org, actor=ow.officer, user=ow.partner)
        services.apply_subsidy(org, actor=ow.partner, rule=SubsidyRule.RATING, year=2026)
        services.apply_incubation(org, studio, actor=ow.officer, applied_on=D(2026, 1, 1))
    client = login(ow.officer)
    for name in ("index", "incubation", "subsidies", "compliance", "rounds"):
        with django_assert_max_num_queries(25):
            assert client.get(reverse(f"organisations:{name}")).status_code == 200


# --------------------------------------------------------------------------- API


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_api_register_list_and_refusals(ow):
    api = _api(ow.secretary)
    rows = api.get("/api/v1/social-organisations/").json()
    names = (
        {r["name"] for r in rows["results"]}
        if isinstance(rows, dict)
        else {r["name"] for r in rows}
    )
    assert "珞南社工服务中心" in names
    bad = api.post(
        "/api/v1/social-organisations/",
        {
            "place": ow.a1.pk,
            "name": "x",
            "kind": "social_group",
            "status": "registered",
            "field": "other",
            "credit_code": CODE_2[:17] + "0",
            "registered_on": "2026-01-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and "credit_code" in bad.json()
    good = api.post(
        "/api/v1/social-organisations/",
        {
            "place": ow.a1.pk,
            "name": "x",
            "kind": "social_group",
            "status": "registered",
            "field": "other",
            "credit_code": CODE_2,
            "registered_on": "2026-01-01",
        },
        format="json",
    )
    assert good.status_code == 201, good.json()
    assert (
        api.post("/api/v1/social-organisations/", {"place": "abc"}, format="json").status_code
        == 400
    )
    assert api.get("/api/v1/social-organisations/abc/").status_code == 404
    assert api.get("/api/v1/social-organisations/99999999/").status_code == 404
    counts = api.get("/api/v1/social-organisations/counts/").json()
    a1 = next(c for c in counts if c["community"] == ow.a1.pk)
    assert (a1["active"], a1["required"], a1["met"]) == (3, 15, False)


def test_api_wrong_roles(ow, full):
    _inc, sub, rnd, project = full
    resident = _api(ow.resident)
    for url in (
        "/api/v1/social-organisations/",
        "/api/v1/incubations/",
        "/api/v1/org-subsidies/",
        "/api/v1/venture-rounds/",
    ):
        assert resident.get(url).status_code == 403, url
    grid = _api(ow.grid)
    assert grid.post("/api/v1/social-organisations/", {}, format="json").status_code == 403
    secretary = _api(ow.secretary)
    response = secretary.post(
        f"/api/v1/org-subsidies/{sub.pk}/decide/",
        {"approve": True, "amount_yuan": "1", "reason": "x"},
        format="json",
    )
    assert response.status_code == 403
    other = _api(ow.officer_b)
    assert other.get(f"/api/v1/org-subsidies/{sub.pk}/").status_code == 404
    # A contact of another organisation may not apply in this one's name.
    partner2 = _api(ow.partner2)
    response = partner2.post(
        f"/api/v1/venture-rounds/{rnd.pk}/apply/",
        {"organisation": ow.registered.pk, "title": "t", "plan": "p", "budget_yuan": "1"},
        format="json",
    )
    assert response.status_code == 404
    response = _api(ow.partner).post(
        f"/api/v1/venture-projects/{project.pk}/score/", {"score": 50}, format="json"
    )
    assert response.status_code == 403


def test_api_decide_and_score(ow, full):
    _inc, sub, rnd, project = full
    officer = _api(ow.officer)
    over = officer.post(
        f"/api/v1/org-subsidies/{sub.pk}/decide/",
        {"approve": True, "amount_yuan": "100000.01", "reason": "x"},
        format="json",
    )
    assert over.status_code == 400
    ok = officer.post(
        f"/api/v1/org-subsidies/{sub.pk}/decide/",
        {"approve": True, "amount_yuan": "100000", "reason": "4A"},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["approved_yuan"] == "100000.00"
    assert (
        officer.post(
            f"/api/v1/org-subsidies/{sub.pk}/decide/", "not json", content_type="application/json"
        ).status_code
        == 400
    )
    services.appoint_expert(rnd, ow.district, actor=ow.officer)
    services.start_review(rnd, actor=ow.officer)
    scored = _api(ow.district).post(
        f"/api/v1/venture-projects/{project.pk}/score/", {"score": 88}, format="json"
    )
    assert scored.status_code == 200 and scored.json()["scores"][0]["score"] == 88
    assert (
        _api(ow.district)
        .post(f"/api/v1/venture-projects/{project.pk}/score/", {"score": 300}, format="json")
        .status_code
        == 400
    )


def test_contact_and_expert_chosen_on_the_pages(ow, full, login):
    _inc, _sub, rnd, _p = full
    client = login(ow.secretary)
    response = client.post(
        reverse("organisations:contact", args=[ow.registered.pk]),
        {"user": ow.partner2.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert ow.registered.contacts.filter(user=ow.partner2).exists()
    client = login(ow.officer)
    response = client.post(
        reverse("organisations:round", args=[rnd.pk]),
        {"form": "expert", "user": ow.district.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert rnd.experts.filter(user=ow.district).exists()


def test_every_posted_form_works_from_the_pages(ow, login):
    """Each page form, posted as the browser would: the write happens, never a 500."""
    sec = login(ow.secretary)
    org = ow.registered
    posts = [
        (reverse("organisations:rating", args=[org.pk]), {"rating": "4", "rated_on": "2026-01-01"}),
        (reverse("organisations:party_org", args=[org.pk]), {"party_org": ""}),
        (
            reverse("organisations:document", args=[org.pk]),
            {"kind": "charter", "title": "章程", "reference": "", "issued_on": "2025-01-01"},
        ),
        (
            reverse("organisations:registration", args=[ow.filed.pk]),
            {"credit_code": CODE_2, "registered_on": "2026-02-01"},
        ),
        (
            reverse("organisations:incubation"),
            {"form": "incubator", "place": ow.a1.pk, "name": "工作室", "opened_on": "2024-01-01"},
        ),
    ]
    for url, data in posts:
        assert sec.post(url, data).status_code == 302, url
    incubator = selectors.incubators(ow.secretary).get()
    assert (
        sec.post(
            reverse("organisations:incubation"),
            {
                "form": "apply",
                "organisation": org.pk,
                "incubator": incubator.pk,
                "applied_on": "2026-03-01",
            },
        ).status_code
        == 302
    )
    partner = login(ow.partner)
    assert (
        partner.post(
            reverse("organisations:subsidies"),
            {
                "form": "apply",
                "organisation": org.pk,
                "rule": "rating",
                "year": 2026,
                "base_yuan": "",
            },
        ).status_code
        == 302
    )
    sub = org.subsidies.get()
    officer = login(ow.officer)
    assert (
        officer.post(
            reverse("organisations:subsidies"),
            {"form": "budget", "place": ow.street.pk, "year": 2026, "amount_yuan": "200000"},
        ).status_code
        == 302
    )
    url = reverse("organisations:subsidy", args=[sub.pk])
    assert (
        officer.post(
            url, {"form": "decide", "decision": "approve", "amount_yuan": "90000", "reason": "4A"}
        ).status_code
        == 302
    )
    assert (
        officer.post(url, {"form": "pay", "paid_on": "2026-05-30", "reference": "拨-1"}).status_code
        == 302
    )
    sub.refresh_from_db()
    assert (sub.status, sub.approved_fen) == ("paid", 9000000)
    assert (
        officer.post(
            reverse("organisations:rounds"),
            {
                "place": ow.street.pk,
                "year": 2026,
                "title": "创投",
                "call": "征集",
                "budget_yuan": "100000",
                "prize_cap_yuan": "",
                "closes_on": "2026-06-30",
            },
        ).status_code
        == 302
    )
    rnd = VentureRound.objects.get()
    round_url = reverse("organisations:round", args=[rnd.pk])
    partner = login(ow.partner)
    assert (
        partner.post(
            round_url,
            {
                "form": "apply",
                "organisation": org.pk,
                "title": "助餐",
                "plan": "计划",
                "budget_yuan": "50000",
            },
        ).status_code
        == 302
    )
    officer = login(ow.officer)
    assert officer.post(round_url, {"form": "expert", "user": ow.secretary.pk}).status_code == 302
    assert officer.post(round_url, {"form": "review"}).status_code == 302
    project = rnd.applications.get()
    project_url = reverse("organisations:application", args=[project.pk])
    assert (
        login(ow.secretary)
        .post(project_url, {"form": "score", "score": 80, "comment": "好"})
        .status_code
        == 302
    )
    officer = login(ow.officer)
    assert (
        officer.post(
            project_url, {"form": "award", "amount_yuan": "50000", "reason": "一等奖"}
        ).status_code
        == 302
    )
    assert officer.post(round_url, {"form": "publish"}).status_code == 302
    partner = login(ow.partner)
    assert (
        partner.post(
            project_url, {"form": "milestone", "title": "开班", "due_on": "2026-07-01"}
        ).status_code
        == 302
    )
    milestone = project.milestones.get()
    assert (
        partner.post(
            project_url,
            {
                "form": "done",
                "milestone": milestone.pk,
                "done_on": "2026-06-01",
                "evidence": "签到表",
            },
        ).status_code
        == 302
    )
    assert partner.post(project_url, {"form": "report", "text": "完成"}).status_code == 302
    assert (
        partner.post(
            project_url,
            {"form": "done", "milestone": "abc", "done_on": "2026-06-01", "evidence": "x"},
        ).status_code
        == 404
    )
    project.refresh_from_db()
    assert project.status == "reported"
    assert (
        login(ow.secretary)
        .post(
            reverse("organisations:dissolve", args=[ow.filed.pk]),
            {"on": "2026-05-01", "reason": "解散"},
        )
        .status_code
        == 302
    )
