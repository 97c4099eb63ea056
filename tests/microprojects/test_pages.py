"""Micro-project pages for residents, staff and the public; wrong roles refused; the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image

from gongzhi.microprojects import services
from gongzhi.microprojects.models import Photo, Project, Round, Support

pytestmark = pytest.mark.django_db


def _selected_round(mp):
    rnd = services.open_round(mp.cw, mp.community, 2026)
    rnd.budget_yuan = Decimal("1000")
    rnd.save()
    a = services.propose(mp.r1, rnd, title="健身器材", description="d", items=[("器材", "700")])
    b = services.propose(mp.r1, rnd, title="楼道扶手", description="d", items=[("扶手", "500")])
    for p in (a, b):
        services.review(mp.cw, p, feasible=True, reason="")
    services.start_voting(mp.cw, rnd)
    services.support(mp.r1, a)
    services.support(mp.r2, a)
    services.support(mp.r1, b)
    services.select(mp.cw, rnd)
    return rnd, a, b


def test_pages_render(mp, login, client, django_assert_max_num_queries):
    rnd, a, b = _selected_round(mp)
    services.add_spending(mp.cw, a, amount="720", payee="体育公司", paid_on=dt.date(2026, 7, 1))
    staff = login(mp.cw)
    assert staff.get(reverse("microprojects:index")).status_code == 200
    with django_assert_max_num_queries(25):
        assert staff.get(reverse("microprojects:round", args=[rnd.pk])).status_code == 200
    page = staff.get(reverse("microprojects:project", args=[a.pk]))
    assert page.status_code == 200 and "20.00" in page.content.decode()  # over-spend warning
    resident = login(mp.r2)
    assert resident.get(reverse("microprojects:index")).status_code == 200
    assert resident.get(reverse("microprojects:round", args=[rnd.pk])).status_code == 200
    client.logout()
    with django_assert_max_num_queries(15):
        public = client.get(reverse("microprojects:public", args=[mp.community.pk]))
    body = public.content.decode()
    assert public.status_code == 200 and "健身器材" in body and "720" in body
    assert "500.00" in body and "300.00" in body  # skipped: cost 500 > remaining 300


def test_resident_proposes_and_votes_through_pages(mp, login):
    rnd = services.open_round(mp.cw, mp.community, 2026)
    client = login(mp.r1)
    client.post(
        reverse("microprojects:round_action", args=[rnd.pk, "propose"]),
        {
            "title": "小区长椅",
            "description": "在花园放长椅",
            "item_name": ["长椅", ""],
            "item_amount": ["3000", ""],
        },
    )
    project = Project.objects.get()
    assert project.cost == Decimal("3000.00")
    response = client.post(
        reverse("microprojects:round_action", args=[rnd.pk, "propose"]),
        {"title": "x", "description": "y", "item_name": ["a"], "item_amount": ["abc"]},
        follow=True,
    )
    assert (
        Project.objects.count() == 1
        and "yuan" in response.content.decode()
        or "元" in (response.content.decode())
    )
    staff = login(mp.cw)
    staff.post(
        reverse("microprojects:project_action", args=[project.pk, "review"]),
        {"feasible": "1", "cost": "2800", "reason": ""},
    )
    staff.post(reverse("microprojects:round_action", args=[rnd.pk, "voting"]))
    client = login(mp.r2)
    client.post(reverse("microprojects:project_action", args=[project.pk, "vote"]))
    assert Support.objects.count() == 1
    staff = login(mp.cw)
    staff.post(reverse("microprojects:round_action", args=[rnd.pk, "select"]))
    project.refresh_from_db()
    assert project.selection == "selected" and project.cost == Decimal("2800.00")


def test_photo_upload_and_serving(mp, login, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    rnd, a, _b = _selected_round(mp)
    data = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(data, "PNG")
    data.seek(0)
    data.name = "p.png"
    staff = login(mp.cw)
    staff.post(reverse("microprojects:project_action", args=[a.pk, "photo"]), {"photo": data})
    photo = Photo.objects.get()
    client.logout()
    response = client.get(reverse("microprojects:photo", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    bad = io.BytesIO(b"<svg></svg>")
    bad.name = "x.svg"
    response = login(mp.cw).post(
        reverse("microprojects:project_action", args=[a.pk, "photo"]), {"photo": bad}, follow=True
    )
    assert Photo.objects.count() == 1 and "JPEG" in response.content.decode()


def test_wrong_roles_refused(mp, login):
    rnd, a, b = _selected_round(mp)
    other = login(mp.r_other)
    assert other.get(reverse("microprojects:round", args=[rnd.pk])).status_code == 404
    assert other.get(reverse("microprojects:project", args=[a.pk])).status_code == 404
    resident = login(mp.r1)
    response = resident.post(
        reverse("microprojects:project_action", args=[a.pk, "spend"]),
        {"amount": "1", "payee": "x", "paid_on": "2026-07-01"},
    )
    assert response.status_code in (403, 404)
    assert resident.post(
        reverse("microprojects:round_action", args=[rnd.pk, "select"])
    ).status_code in (403, 404)
    cw_other = login(mp.cw_other)
    assert cw_other.get(reverse("microprojects:round", args=[rnd.pk])).status_code == 404
    assert a.spending.count() == 0


def test_api(mp, login):
    rnd = services.open_round(mp.cw, mp.community, 2026)
    resident = login(mp.r1)
    assert resident.get("/api/v1/microproject-rounds/").json()["count"] == 1
    response = resident.post(
        f"/api/v1/microproject-rounds/{rnd.pk}/propose/",
        {"title": "t", "description": "d", "items": [["灯", "100"]]},
        content_type="application/json",
    )
    assert response.status_code == 201
    pk = response.json()["id"]
    response = resident.post(
        f"/api/v1/microproject-rounds/{rnd.pk}/propose/",
        {"title": "t", "description": "d", "items": [["灯", "-1"]]},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["detail"]
    assert resident.post(f"/api/v1/microprojects/{pk}/review/", {"feasible": True}).status_code in (
        403,
        404,
    )
    staff = login(mp.cw)
    assert (
        staff.post(
            f"/api/v1/microprojects/{pk}/review/",
            {"feasible": True},
            content_type="application/json",
        ).status_code
        == 200
    )
    services.start_voting(mp.cw, Round.objects.get(pk=rnd.pk))
    resident = login(mp.r2)
    assert resident.post(f"/api/v1/microprojects/{pk}/vote/").status_code == 201
    assert resident.post(f"/api/v1/microprojects/{pk}/vote/").status_code == 400
    assert login(mp.r_other).post(f"/api/v1/microprojects/{pk}/vote/").status_code == 404
    detail = login(mp.cw).post(f"/api/v1/microproject-rounds/{rnd.pk}/select/")
    assert detail.status_code == 200 and detail.json()["projects"][0]["selection"] == "selected"
