"""Micro-project pages for residents, staff and the public; wrong roles refused; the API."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from PIL import Image

from gongzhi.core.roles import Role
from gongzhi.microprojects import services
from gongzhi.microprojects.models import Photo, Project, Round, Support
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _selected_round(mp):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
    rnd.budget_yuan = Decimal("1000")
    rnd.save()
    a = services.propose(
        rnd, actor=mp.r1, title="健身器材", description="d", items=[("器材", "700")]
    )
    b = services.propose(
        rnd, actor=mp.r1, title="楼道扶手", description="d", items=[("扶手", "500")]
    )
    for p in (a, b):
        services.review(p, actor=mp.cw, feasible=True, reason="")
    services.start_voting(rnd, actor=mp.cw)
    services.support(a, actor=mp.r1)
    services.support(a, actor=mp.r2)
    services.support(b, actor=mp.r1)
    services.select(rnd, actor=mp.cw)
    return rnd, a, b


def test_pages_render(mp, login, client, django_assert_max_num_queries):
    rnd, a, b = _selected_round(mp)
    services.add_spending(
        a, actor=mp.cw, amount="720", item="器材", payee="体育公司", paid_on=dt.date(2026, 7, 1)
    )
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
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
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
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
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
    services.start_voting(Round.objects.get(pk=rnd.pk), actor=mp.cw)
    resident = login(mp.r2)
    assert resident.post(f"/api/v1/microprojects/{pk}/vote/").status_code == 201
    assert resident.post(f"/api/v1/microprojects/{pk}/vote/").status_code == 400
    assert login(mp.r_other).post(f"/api/v1/microprojects/{pk}/vote/").status_code == 404
    detail = login(mp.cw).post(f"/api/v1/microproject-rounds/{rnd.pk}/select/")
    assert detail.status_code == 200 and detail.json()["projects"][0]["selection"] == "selected"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(out, "PNG")
    return out.getvalue()


def test_public_page_shows_each_spending_entry_receipts_and_completion(mp, client):
    rnd, a, b = _selected_round(mp)
    first = services.add_spending(
        a,
        actor=mp.cw,
        amount="400",
        item="健身器材采购",
        payee="体育公司",
        paid_on=dt.date(2026, 7, 1),
    )
    services.add_spending(
        a,
        actor=mp.cw,
        amount="320.50",
        item="安装人工",
        payee="安装队",
        paid_on=dt.date(2026, 7, 9),
    )
    receipt = services.add_photo(a, _png(), actor=mp.cw, caption="采购发票", spending=first)
    work = services.add_photo(a, _png(), actor=mp.cw, caption="完工")
    services.complete(a, actor=mp.cw, note="器材已安装并经居民代表验收")
    body = client.get(reverse("microprojects:public", args=[mp.community.pk])).content.decode()
    assert body.count('data-testid="public-spending"') == 1
    for text in ("2026-07-01", "健身器材采购", "体育公司", "400.00", "2026-07-09", "安装人工"):
        assert text in body, text
    assert "安装队" in body and "320.50" in body and "720.50" in body  # entries and their sum
    receipt_url = reverse("microprojects:photo", args=[receipt.pk])
    assert f'href="{receipt_url}" data-testid="receipt"' in body
    assert reverse("microprojects:photo", args=[work.pk]) in body
    assert 'data-testid="completion-note"' in body and "器材已安装并经居民代表验收" in body
    assert client.get(receipt_url).status_code == 200  # receipts are public disclosure


def test_project_page_lists_spending_with_receipts_and_links_a_receipt(mp, login):
    rnd, a, b = _selected_round(mp)
    staff = login(mp.cw)
    staff.post(
        reverse("microprojects:project_action", args=[a.pk, "spend"]),
        {"amount": "300", "item": "地垫", "payee": "建材店", "paid_on": "2026-07-02"},
    )
    entry = a.spending.get()
    assert entry.item == "地垫"
    upload = io.BytesIO(_png())
    upload.name = "r.png"
    staff.post(
        reverse("microprojects:project_action", args=[a.pk, "photo"]),
        {"photo": upload, "caption": "收据", "spending": entry.pk},
    )
    receipt = Photo.objects.get()
    assert receipt.spending == entry
    page = staff.get(reverse("microprojects:project", args=[a.pk])).content.decode()
    assert (
        "地垫" in page
        and "建材店" in page
        and reverse("microprojects:photo", args=[receipt.pk]) in page
    )
    # a spending entry of another project is refused
    other = services.add_spending(
        a, actor=mp.cw, amount="1", item="x", payee="y", paid_on=dt.date(2026, 7, 3)
    )
    upload = io.BytesIO(_png())
    upload.name = "r.png"
    response = staff.post(
        reverse("microprojects:project_action", args=[b.pk, "photo"]),
        {"photo": upload, "spending": other.pk},
        follow=True,
    )
    assert Photo.objects.count() == 1 and response.status_code == 200
    # no item: refused with a message
    response = staff.post(
        reverse("microprojects:project_action", args=[a.pk, "spend"]),
        {"amount": "5", "item": "", "payee": "p", "paid_on": "2026-07-04"},
        follow=True,
    )
    assert a.spending.count() == 2


def _many_projects(mp, n=12, rounds=(2025, 2026)):
    """`rounds` selected rounds with `n` projects each, every one with spending, a receipt and
    a work photo."""
    made = []
    for year in rounds:
        rnd = services.open_round(mp.community, year, actor=mp.cw, budget="300000")
        projects = [
            services.propose(
                rnd, actor=mp.r1, title=f"{year}项目{i:02d}", description="d", items=[("x", "100")]
            )
            for i in range(n)
        ]
        for p in projects:
            services.review(p, actor=mp.cw, feasible=True, reason="")
        services.start_voting(rnd, actor=mp.cw)
        for p in projects:
            services.support(p, actor=mp.r1)
        services.select(rnd, actor=mp.cw)
        for i, p in enumerate(projects):
            p.refresh_from_db()
            entry = services.add_spending(
                p,
                actor=mp.cw,
                amount="90",
                item=f"材料{i}",
                payee="公司",
                paid_on=dt.date(year, 6, 1),
            )
            services.add_photo(p, _png(), actor=mp.cw, spending=entry)
            services.add_photo(p, _png(), actor=mp.cw)
            services.complete(p, actor=mp.cw, note=f"完成{i}")
        made.append((rnd, projects))
    return made


def test_round_and_public_pages_queries_do_not_grow(
    mp, login, client, django_assert_max_num_queries
):
    made = _many_projects(mp)
    rnd, projects = made[-1]
    staff = login(mp.cw)
    with django_assert_max_num_queries(15):
        page = staff.get(reverse("microprojects:round", args=[rnd.pk]))
    assert page.status_code == 200
    assert all(p.title in page.content.decode() for p in projects)
    resident = login(mp.r2)
    with django_assert_max_num_queries(15):
        page = resident.get(reverse("microprojects:round", args=[rnd.pk]))
    assert page.status_code == 200
    with django_assert_max_num_queries(15):
        page = staff.get(reverse("microprojects:project", args=[projects[0].pk]))
    assert page.status_code == 200
    client.logout()
    with django_assert_max_num_queries(10):
        public = client.get(reverse("microprojects:public", args=[mp.community.pk]))
    body = public.content.decode()
    assert public.status_code == 200
    assert body.count('data-testid="public-spending"') == 24
    assert body.count('data-testid="receipt"') == 24
    assert body.count('data-testid="completion-note"') == 24


def test_api_voting_spending_and_completion(mp, login):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
    rnd.budget_yuan = Decimal("1000")
    rnd.save()
    p = services.propose(rnd, actor=mp.r1, title="路灯", description="d", items=[("灯", "600")])
    url = f"/api/v1/microproject-rounds/{rnd.pk}/voting/"
    assert login(mp.cw).post(url).status_code == 400  # a proposal is not reviewed yet
    services.review(p, actor=mp.cw, feasible=True, reason="")
    district = make_user(Role.DISTRICT_OFFICER, mp.community.parent.parent, name="区干部")
    assert login(mp.r1).post(url).status_code == 403  # a resident sees the round
    assert login(district).post(url).status_code == 403  # browses the area read-only
    assert login(mp.cw_other).post(url).status_code == 404
    response = login(mp.cw).post(url)
    assert response.status_code == 200 and response.json()["phase"] == "voting"
    services.support(p, actor=mp.r1)
    services.select(Round.objects.get(pk=rnd.pk), actor=mp.cw)
    spend = f"/api/v1/microprojects/{p.pk}/spending/"
    entry = {"amount": "650", "item": "灯具", "payee": "灯具厂", "paid_on": "2026-07-01"}
    assert login(mp.r1).post(spend, entry).status_code == 403
    assert login(district).post(spend, entry).status_code == 403
    assert login(mp.r_other).post(spend, entry).status_code == 404
    bad = login(mp.cw).post(spend, {**entry, "amount": "-3"})
    assert bad.status_code == 400 and bad.json()["detail"]
    created = login(mp.cw).post(spend, entry)
    assert created.status_code == 201
    data = created.json()
    assert data["spent"] == "650.00" and data["entries"][0]["item"] == "灯具"
    listing = login(mp.r2).get(spend)
    assert listing.status_code == 200 and listing.json()["entries"][0]["payee"] == "灯具厂"
    done = f"/api/v1/microprojects/{p.pk}/complete/"
    assert login(mp.r1).post(done, {"note": "x"}).status_code == 403
    assert login(mp.cw).post(done, {"note": ""}).status_code == 400
    response = login(mp.cw).post(done, {"note": "已安装"})
    assert response.status_code == 200 and response.json()["progress"] == "completed"
    assert login(mp.cw).post(done, {"note": "again"}).status_code == 400
    p.refresh_from_db()
    assert p.completion_note == "已安装" and p.spending.count() == 1


# --------------------------------------------------------------------------- rules, methods, budget


def test_open_round_page_needs_a_budget_when_the_document_sets_none(mp, login):
    staff = login(mp.cw)
    page = staff.get(reverse("microprojects:index")).content.decode()
    assert 'name="budget"' in page and 'name="method"' in page
    response = staff.post(
        reverse("microprojects:open_round"),
        {"community": mp.community.pk, "year": 2026},
        follow=True,
    )
    assert response.status_code == 200 and not Round.objects.exists()
    response = staff.post(
        reverse("microprojects:open_round"),
        {"community": mp.community.pk, "year": 2026, "budget": "150000", "method": "mes"},
    )
    rnd = Round.objects.get()
    assert (rnd.budget_yuan, rnd.method, rnd.budget_source) == (Decimal("150000"), "mes", "entered")
    body = staff.get(reverse("microprojects:round", args=[rnd.pk])).content.decode()
    assert 'data-testid="budget-source"' in body and 'data-testid="rules-form"' in body


def test_rules_button_hidden_once_voting_opened_and_post_refused(mp, login):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="1000")
    staff = login(mp.cw)
    url = reverse("microprojects:round_action", args=[rnd.pk, "rules"])
    staff.post(url, {"budget": "2000", "method": "mes", "max_votes": "2"})
    rnd.refresh_from_db()
    assert (rnd.budget_yuan, rnd.method, rnd.max_votes) == (Decimal("2000"), "mes", 2)
    services.start_voting(rnd, actor=mp.cw)
    body = staff.get(reverse("microprojects:round", args=[rnd.pk])).content.decode()
    assert 'data-testid="rules-form"' not in body and 'data-testid="rules-frozen"' in body
    staff.post(url, {"budget": "9000"})
    rnd.refresh_from_db()
    assert rnd.budget_yuan == Decimal("2000")
    # Residents never see the form; they are refused with 403, other communities with 404.
    assert (
        'data-testid="rules-form"'
        not in login(mp.r1).get(reverse("microprojects:round", args=[rnd.pk])).content.decode()
    )
    assert login(mp.r1).post(url, {"budget": "1"}).status_code == 403
    assert login(mp.cw_other).post(url, {"budget": "1"}).status_code == 404


def test_rules_api(mp, login):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="1000")
    url = f"/api/v1/microproject-rounds/{rnd.pk}/rules/"
    assert (
        login(mp.r1).post(url, {"budget": "5"}, content_type="application/json").status_code == 403
    )
    assert (
        login(mp.cw_other).post(url, {"budget": "5"}, content_type="application/json").status_code
        == 404
    )
    staff = login(mp.cw)
    ok = staff.post(url, {"method": "mes", "max_votes": 2}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["method"] == "mes" and ok.json()["max_votes"] == 2
    bad = staff.post(url, {"method": "lottery"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["detail"]
    services.start_voting(Round.objects.get(pk=rnd.pk), actor=mp.cw)
    frozen = staff.post(url, {"budget": "5000"}, content_type="application/json")
    assert frozen.status_code == 400
    assert Round.objects.get(pk=rnd.pk).budget_yuan == Decimal("1000")


def test_results_page_shows_greedy_and_equal_shares_side_by_side(mp, login):
    rnd, a, b = _selected_round(mp)
    body = login(mp.r1).get(reverse("microprojects:round", args=[rnd.pk])).content.decode()
    assert 'data-testid="results"' in body
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.greedy_selected is True and a.mes_selected is not None


def test_index_lists_each_communitys_document_budget_in_bounded_queries(
    mp, world, login, profile_dir, django_assert_max_num_queries
):
    from tests.conftest import make_place

    (profile_dir / "loudi-like.yaml").write_text(
        "source: test\ntitle: 娄底\nmicroprojects:\n  yearly_budget_yuan: 200000  # 001 §15\n"
        "  county_yearly_budget_yuan: 100000  # 001 §15\n"
    )
    world.street_a.policy_profile = "loudi-like"
    world.street_a.save()
    for n in range(12):
        make_place(
            world.street_a, "community", f"县城社区{n}", f"4201110020{n + 60}", area_class="county"
        )
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    client = login(officer)
    with django_assert_max_num_queries(20):
        body = client.get(reverse("microprojects:index")).content.decode()
    # Money reads as ¥100,000.00 (issue 19: one format for money).
    assert body.count("¥100,000.00") == 12 and "¥200,000.00" in body
    world.street_a.policy_profile = ""
    world.street_a.save()
    body = client.get(reverse("microprojects:index")).content.decode()
    assert 'data-testid="budget-not-set"' in body and "¥100,000.00" not in body
