"""Pages and API: wrong roles, a dispute ticket becoming a case, bounded queries on lists of
12+ rows, malformed ids and bodies (400/404, never 500), the committee pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.mediation import services
from gongzhi.mediation.models import Case, LegalAdviser, Mediator, State
from gongzhi.tickets import services as ticket_services
from gongzhi.tickets.models import Category
from tests.conftest import make_place

from .conftest import open_case, resident

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_wrong_roles_are_refused_on_pages_and_api(mw, login):
    case = open_case(mw)
    resident = login(mw.resident_user)
    for name in ("mediation:index", "mediation:committees", "mediation:figures"):
        assert resident.get(reverse(name)).status_code == 403, name
    assert resident.get(reverse("mediation:case", args=[case.pk])).status_code == 403
    assert _api(mw.resident_user).get("/api/v1/mediation-cases/").status_code == 403
    # A grid worker may look but not open a case or set up a committee.
    grid = login(mw.grid_worker)
    assert grid.post(reverse("mediation:index"), {"title": "x"}).status_code == 403
    assert grid.post(reverse("mediation:committees"), {}).status_code == 403
    assert (
        _api(mw.grid_worker).post("/api/v1/mediation-cases/", {}, format="json").status_code == 403
    )


def _dispute_ticket(mw):
    category = Category.objects.get(code="dispute")
    return ticket_services.submit(
        actor=mw.resident_user,
        kind="help",
        category=category,
        text="楼上空调外机滴水，协商不成，请社区调解。",
        place=mw.world.grid_a1_1.buildings[0],
    )


def test_a_dispute_ticket_becomes_a_case_in_one_click(mw, login):
    ticket = _dispute_ticket(mw)
    # The submitter is in the registry: the applicant of the case.
    mw.member.user = None
    mw.member.save()
    resident(mw.homes[0], "报事人", user=mw.resident_user)
    client = login(mw.worker)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="ticket-to-case"' in page
    response = client.post(reverse("mediation:from_ticket", args=[ticket.pk]))
    case = Case.objects.get(ticket=ticket)
    assert response.status_code == 302 and response.url == reverse("mediation:case", args=[case.pk])
    assert case.parties.get().name == "报事人"
    assert case.household == mw.homes[0]
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert case.number in page and 'data-testid="ticket-to-case"' not in page
    # Once only.
    again = client.post(reverse("mediation:from_ticket", args=[ticket.pk]), follow=True)
    assert Case.objects.filter(ticket=ticket).count() == 1
    assert "已" in again.content.decode()
    # The grid worker sees the ticket and that a case exists, not a link to its content.
    grid_page = login(mw.grid_worker).get(reverse("tickets:detail", args=[ticket.pk]))
    html = grid_page.content.decode()
    assert case.number in html and reverse("mediation:case", args=[case.pk]) not in html


def test_a_ticket_outside_the_dispute_categories_gets_no_button(mw, login):
    category = Category.objects.get(code="lift")
    ticket = ticket_services.submit(
        actor=mw.resident_user,
        kind="help",
        category=category,
        text="电梯坏了",
        place=mw.world.grid_a1_1.buildings[0],
    )
    client = login(mw.worker)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="ticket-to-case"' not in page
    client.post(reverse("mediation:from_ticket", args=[ticket.pk]))
    assert not Case.objects.exists()


def test_lists_answer_in_a_bounded_number_of_queries(mw, login, django_assert_max_num_queries):
    for i in range(14):
        case = open_case(mw, title=f"纠纷{i}")
        services.start(case, actor=mw.worker)
    for i in range(12):
        services.add_mediator(
            mw.committee,
            actor=mw.secretary,
            kind="resident",
            resident=resident(mw.homes[i % len(mw.homes)]),
        )
    for i in range(12):
        place = make_place(mw.world.street_a, "community", f"新社区{i}", f"N{i:02d}")
        services.create_committee(place, actor=mw.street)
    assert Case.objects.count() >= 12 and Mediator.objects.count() >= 12
    for user, urls in (
        (
            mw.street,
            [
                reverse("mediation:index"),
                reverse("mediation:committees"),
                reverse("mediation:committee", args=[mw.committee.pk]),
                reverse("mediation:figures"),
                "/api/v1/mediation-cases/",
                "/api/v1/mediation-committees/",
                "/api/v1/mediation-cases/figures/",
            ],
        ),
        (mw.grid_worker, [reverse("mediation:index"), "/api/v1/mediation-cases/"]),
    ):
        client = login(user) if not urls[0].startswith("/api") else None
        api = _api(user)
        for url in urls:
            with django_assert_max_num_queries(30):
                response = api.get(url) if url.startswith("/api") else client.get(url)
            assert response.status_code == 200, url


def test_api_malformed_ids_and_bodies(mw):
    case = open_case(mw)
    client = _api(mw.worker)
    assert client.get("/api/v1/mediation-cases/abc/").status_code == 404
    assert client.get("/api/v1/mediation-cases/99999999999/").status_code == 404
    assert client.get("/api/v1/mediation-committees/999999/").status_code == 404
    base = f"/api/v1/mediation-cases/{case.pk}"
    bad = [
        ("/api/v1/mediation-cases/", {"committee": "x"}),
        ("/api/v1/mediation-cases/", ["not", "an", "object"]),
        (
            "/api/v1/mediation-cases/",
            {
                "committee": mw.committee.pk,
                "source": "walk_in",
                "title": "t",
                "summary": "s",
                "dispute_type": "neighbour",
                "amount_yuan": "-5",
            },
        ),
        (
            "/api/v1/mediation-cases/",
            {
                "committee": mw.street_committee.pk,
                "source": "referral",
                "title": "t",
                "summary": "s",
                "dispute_type": "neighbour",
            },
        ),
        (f"{base}/parties/", {"side": "applicant", "resident": "abc"}),
        (f"{base}/parties/", {"side": "applicant", "name": "某", "phone": "12"}),
        (f"{base}/sessions/", {"held_at": "yesterday", "notes": "x"}),
        (f"{base}/sessions/", {"held_at": "2026-05-31T10:00", "notes": "x", "parties": [999999]}),
        (f"{base}/agreement/", {"signed_on": "2026-05-31", "terms": "x"}),
        (f"{base}/no-agreement/", {"referral": "up", "note": "x"}),
        (f"{base}/follow-up/", {"visited_on": "2026-05-31"}),
        (f"{base}/close/", {}),
        (f"{base}/mediators/", {"mediator": mw.street_mediator.pk}),
    ]
    for url, data in bad:
        response = client.post(url, data, format="json")
        assert response.status_code == 400, (url, data, response.content)
    assert Case.objects.get(pk=case.pk).state == State.OPENED


def test_api_runs_the_workflow(mw):
    client = _api(mw.worker)
    made = client.post(
        "/api/v1/mediation-cases/",
        {
            "committee": mw.committee.pk,
            "source": "referral",
            "referred_by": "派出所",
            "title": "租金纠纷",
            "summary": "房东与租户就押金退还发生纠纷。",
            "dispute_type": "contract",
            "amount_yuan": "3000",
            "household": mw.homes[1].pk,
        },
        format="json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    base = f"/api/v1/mediation-cases/{pk}"
    party = client.post(f"{base}/parties/", {"side": "applicant", "name": "房东"}, format="json")
    assert party.status_code == 200
    party_id = party.json()["parties"][0]["id"]
    steps = [
        (f"{base}/mediators/", {"mediator": mw.staff_mediator.pk}),
        (
            f"{base}/sessions/",
            {
                "held_at": (clock.now() - dt.timedelta(hours=1)).isoformat(),
                "notes": "第一次调解",
                "parties": [party_id],
                "mediators": [mw.staff_mediator.pk],
            },
        ),
        (
            f"{base}/agreement/",
            {"signed_on": "2026-06-01", "terms": "退还押金2000元", "text": "协议"},
        ),
        (f"{base}/follow-up/", {"visited_on": "2026-06-01", "kept": True}),
        (f"{base}/close/", {}),
    ]
    for url, data in steps:
        response = client.post(url, data, format="json")
        assert response.status_code == 200, (url, response.content)
    assert response.json()["state"] == "closed"
    figures = client.get("/api/v1/mediation-cases/figures/?year=2026").json()
    assert figures["rows"][-1]["agreed"] == 1


def test_committees_mediators_and_the_legal_adviser_pages(mw, login):
    client = login(mw.secretary)
    response = client.post(
        reverse("mediation:committees"),
        {
            "form": "adviser",
            "community": mw.world.community_a1.pk,
            "name": "王律师",
            "firm": "楚天律师事务所",
            "office_phone": "027-87654321",
            "office_hours": "每周三下午",
        },
    )
    assert response.status_code == 302
    adviser = LegalAdviser.objects.get(community=mw.world.community_a1)
    assert adviser.office_hours == "每周三下午"
    page = client.get(reverse("mediation:committees")).content.decode()
    assert "王律师" in page and mw.committee.name in page
    person = resident(mw.homes[1], "五老张")
    response = client.post(
        reverse("mediation:committee", args=[mw.committee.pk]),
        {"kind": "elder", "resident": person.pk, "specialties": "婚姻家庭"},
    )
    assert Mediator.objects.filter(resident=person, committee=mw.committee).exists()
    page = client.get(reverse("mediation:committee", args=[mw.committee.pk])).content.decode()
    assert "五老张" in page
    # The neighbouring community's worker cannot add a mediator here.
    other = login(mw.worker_a2)
    assert other.get(reverse("mediation:committee", args=[mw.committee.pk])).status_code == 404


def test_the_case_page_runs_the_workflow(mw, login):
    case = open_case(mw)
    client = login(mw.member_user)  # the resident mediator
    url = reverse("mediation:case_act", args=[case.pk, "session"])
    client.post(
        url,
        {
            "held_at": "2026-06-01T09:00",
            "notes": "调解会",
            "mediators": [mw.elder.pk],
        },
    )
    case.refresh_from_db()
    assert case.state == State.MEDIATING
    client.post(
        reverse("mediation:case_act", args=[case.pk, "fail"]),
        {"referral": "arbitration", "note": "转仲裁"},
    )
    case.refresh_from_db()
    assert case.state == State.NO_AGREEMENT
    response = client.post(reverse("mediation:case_act", args=[case.pk, "nonsense"]))
    assert response.status_code == 404
    refused = client.post(reverse("mediation:case_act", args=[case.pk, "close"]), follow=True)
    assert "不能" in refused.content.decode() or "无法" in refused.content.decode()
