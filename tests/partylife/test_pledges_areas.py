"""Pledges (承诺践诺) and responsibility areas (责任区), seed 001 §7, issue 23 item 7: the services'
rules and constraints, who sees what (object rule), pages and API with refused roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.partylife import selectors, services
from gongzhi.partylife.models import AreaUnit, Pledge, ResponsibilityArea
from gongzhi.places.models import Household
from tests.party.conftest import first_household, make_member, make_resident

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _rows(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) else data


# --------------------------------------------------------------------------- pledges


def test_member_makes_and_changes_own_pledge_until_reviewed(life):
    pledge = services.make_pledge(
        actor=life.member_user, year=2026, items=["每月走访独居老人", " "]
    )
    assert pledge.member == life.member and pledge.org == life.branch
    assert pledge.items == ["每月走访独居老人"]
    again = services.make_pledge(
        actor=life.member_user, year=2026, items="带头垃圾分类\n参加主题党日"
    )
    assert again.pk == pledge.pk and again.items == ["带头垃圾分类", "参加主题党日"]
    assert Pledge.objects.count() == 1
    actions = list(AuditRecord.objects.values_list("action", flat=True))
    assert "partylife.pledge_make" in actions and "partylife.pledge_change" in actions
    services.review_pledge(again, actor=life.secretary_user, outcome="partly", comment="走访未满")
    with pytest.raises(ValidationError, match="不能再修改"):
        services.make_pledge(actor=life.member_user, year=2026, items=["改"])
    assert Pledge.objects.get().items == ["带头垃圾分类", "参加主题党日"]


def test_one_pledge_per_member_and_year_is_a_database_constraint(life):
    services.make_pledge(actor=life.member_user, year=2026, items=["一"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Pledge.objects.create(
            member=life.member, org=life.branch, year=2026, items=["二"], place_path="x/"
        )


@pytest.mark.parametrize(
    ("year", "items", "message"),
    [
        (2020, ["一"], "今年或明年"),
        (2026, ["", "  "], "至少"),
        (2026, [f"第{i}条" for i in range(11)], "最多10条"),
        (2026, ["长" * 201], "200"),
        (2026, [3], "一行文字"),
    ],
)
def test_bad_pledges_are_refused_and_nothing_written(life, year, items, message):
    with pytest.raises(ValidationError, match=message):
        services.make_pledge(actor=life.member_user, year=year, items=items)
    assert not Pledge.objects.exists() and not AuditRecord.objects.exists()


def test_pledge_review_by_the_branch_only(life):
    pledge = services.make_pledge(actor=life.member_user, year=2026, items=["一"])
    with pytest.raises(PermissionDenied):  # sees own pledge, does not manage the branch
        services.review_pledge(pledge, actor=life.member_user, outcome="kept")
    with pytest.raises(Http404):  # a member of the other branch
        services.review_pledge(pledge, actor=life.outsider_user, outcome="kept")
    with pytest.raises(PermissionDenied):  # community worker: oversees, does not manage
        services.review_pledge(pledge, actor=life.cw, outcome="kept")
    with pytest.raises(Http404):
        services.review_pledge(pledge, actor=life.foreign_cs, outcome="kept")
    with pytest.raises(ValidationError):  # a comment is needed unless kept
        services.review_pledge(pledge, actor=life.secretary_user, outcome="not_kept")
    with pytest.raises(ValidationError):
        services.review_pledge(pledge, actor=life.secretary_user, outcome="bogus")
    done = services.review_pledge(pledge, actor=life.cs, outcome="kept")
    assert done.outcome == "kept" and done.reviewed_by == life.cs and done.reviewed_at
    with pytest.raises(ValidationError, match="已评议过"):
        services.review_pledge(done, actor=life.secretary_user, outcome="not_kept", comment="x")


def test_who_sees_which_pledges(life):
    own = services.make_pledge(actor=life.member_user, year=2026, items=["一"])
    secretary = services.make_pledge(actor=life.secretary_user, year=2026, items=["二"])
    other = services.make_pledge(actor=life.outsider_user, year=2026, items=["三"])

    def seen(user):
        return set(selectors.visible_pledges(user).values_list("pk", flat=True))

    assert seen(life.member_user) == {own.pk}  # not the branch-mate's (the secretary's)
    assert seen(life.secretary_user) == {own.pk, secretary.pk}  # the branch's, not the other
    assert seen(life.outsider_user) == {other.pk}
    assert seen(life.cs) == seen(life.cw) == {own.pk, secretary.pk, other.pk}  # community's
    assert seen(life.foreign_cs) == set()


# --------------------------------------------------------------------------- areas


def _b(life, i=0):
    return life.world.grid_a1_1.buildings[i]


def test_assign_area_and_no_household_in_two_current_areas(life):
    b1 = _b(life)
    home = first_household(b1)
    area = services.assign_area(
        life.branch,
        life.member,
        actor=life.secretary_user,
        starts_on=dt.date(2026, 1, 1),
        buildings=[b1.pk],
        note="1栋",
    )
    assert [u.building for u in area.units.all()] == [b1]
    # A household of that building, to another member, overlapping dates: refused in Chinese.
    with pytest.raises(ValidationError) as error:
        services.assign_area(
            life.branch,
            life.secretary,
            actor=life.secretary_user,
            starts_on=dt.date(2026, 3, 1),
            households=[home.pk],
        )
    assert "张党员" in " ".join(error.value.messages)
    # The same building again: refused as well.
    with pytest.raises(ValidationError):
        services.assign_area(
            life.branch,
            life.secretary,
            actor=life.cs,
            starts_on=dt.date(2026, 2, 1),
            buildings=[b1.pk],
        )
    assert ResponsibilityArea.objects.count() == 1 and AreaUnit.objects.count() == 1
    # After the first area ends, the household may be assigned from the next day.
    services.end_area(area, actor=life.secretary_user, ends_on=dt.date(2026, 2, 28))
    later = services.assign_area(
        life.branch,
        life.secretary,
        actor=life.secretary_user,
        starts_on=dt.date(2026, 3, 1),
        households=[home.pk],
    )
    assert later.units.get().household == home


def test_household_first_then_its_building_clashes_too(life):
    home = first_household(_b(life))
    services.assign_area(
        life.branch, life.member, actor=life.cs, starts_on=dt.date(2026, 1, 1), households=[home.pk]
    )
    with pytest.raises(ValidationError, match="张党员"):
        services.assign_area(
            life.branch,
            life.secretary,
            actor=life.cs,
            starts_on=dt.date(2025, 1, 1),
            ends_on=dt.date(2026, 1, 1),
            buildings=[_b(life).pk],
        )
    # Before the first area starts: no clash.
    services.assign_area(
        life.branch,
        life.secretary,
        actor=life.cs,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2025, 12, 31),
        buildings=[_b(life).pk],
    )


def test_area_input_rules(life):
    elsewhere = first_household(life.world.grid_a1_2.buildings[0])
    day = dt.date(2026, 1, 1)
    cases = [
        dict(member=life.member, households=[elsewhere.pk]),  # outside the branch's place
        dict(member=life.outsider, buildings=[_b(life).pk]),  # a member of another branch
        dict(member=life.member),  # nothing chosen
        dict(member=life.member, buildings=[_b(life).pk], ends_on=dt.date(2025, 12, 31)),
    ]
    for case in cases:
        member = case.pop("member")
        with pytest.raises(ValidationError):
            services.assign_area(
                life.branch, member, actor=life.secretary_user, starts_on=day, **case
            )
    with pytest.raises(PermissionDenied):
        services.assign_area(
            life.branch, life.member, actor=life.member_user, starts_on=day, buildings=[_b(life).pk]
        )
    with pytest.raises(Http404):
        services.assign_area(
            life.branch, life.member, actor=life.foreign_cs, starts_on=day, buildings=[_b(life).pk]
        )
    assert not ResponsibilityArea.objects.exists() and not AuditRecord.objects.exists()


def test_area_dates_are_a_database_constraint(life):
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsibilityArea.objects.create(
            org=life.branch,
            member=life.member,
            starts_on=dt.date(2026, 2, 1),
            ends_on=dt.date(2026, 1, 1),
            place_path=life.branch.place_path,
        )
    area = ResponsibilityArea.objects.create(
        org=life.branch, member=life.member, starts_on=dt.date(2026, 2, 1), place_path="x/"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        AreaUnit.objects.create(
            area=area, building=_b(life), household=first_household(_b(life)), place_path="x/"
        )


def test_end_area_rules(life):
    area = services.assign_area(
        life.branch,
        life.member,
        actor=life.cs,
        starts_on=dt.date(2026, 1, 1),
        buildings=[_b(life).pk],
    )
    with pytest.raises(PermissionDenied):
        services.end_area(area, actor=life.member_user)
    with pytest.raises(ValidationError):
        services.end_area(area, actor=life.cs, ends_on=dt.date(2025, 12, 1))
    done = services.end_area(area, actor=life.cs)
    assert done.ends_on == clock.today()
    with pytest.raises(ValidationError, match="已结束"):
        services.end_area(done, actor=life.cs)


# --------------------------------------------------------------------------- pages


def test_member_makes_pledge_and_sees_area_on_phone_page(life, client):
    services.assign_area(
        life.branch,
        life.member,
        actor=life.cs,
        starts_on=dt.date(2026, 1, 1),
        buildings=[_b(life).pk],
    )
    client.force_login(life.member_user)
    page = client.get(reverse("partylife:mine"), **ZH).content.decode()
    assert 'data-testid="pledge-form"' in page and "1栋" in page
    response = client.post(
        reverse("partylife:pledge"), {"year": 2026, "items": "走访独居老人\n带头垃圾分类"}, **ZH
    )
    assert response.status_code == 302
    assert Pledge.objects.get().items == ["走访独居老人", "带头垃圾分类"]
    bad = client.post(reverse("partylife:pledge"), {"year": 2019, "items": "x"}, follow=True, **ZH)
    assert "今年或明年" in bad.content.decode()
    page = client.get(reverse("partylife:mine"), **ZH).content.decode()
    assert "走访独居老人" in page and "尚未评议" in page


def test_pledges_page_roles_and_review(life, client, django_assert_max_num_queries):
    home = first_household(_b(life, 1))
    for i in range(13):
        member = make_member(make_resident(home, f"承诺党员{i}"), life.branch)
        Pledge.objects.create(
            member=member,
            org=life.branch,
            year=2026,
            items=[f"承诺{i}"],
            place_path=member.place_path,
        )
    url = reverse("partylife:pledges", args=[life.branch.pk]) + "?year=2026"
    client.force_login(life.secretary_user)
    with django_assert_max_num_queries(25):
        page = client.get(url)
    assert page.content.decode().count('data-testid="pledge-row"') == 13
    pledge = Pledge.objects.order_by("id").first()
    client.post(
        reverse("partylife:pledge_review", args=[pledge.pk]), {"outcome": "kept", "comment": ""}
    )
    pledge.refresh_from_db()
    assert pledge.outcome == "kept" and pledge.reviewed_by == life.secretary_user
    client.force_login(life.member_user)  # own branch, not its secretary
    assert client.get(url).status_code == 403
    assert (
        client.post(reverse("partylife:pledge_review", args=[pledge.pk]), {"outcome": "kept"})
    ).status_code == 404  # not their pledge: not visible
    client.force_login(life.outsider_user)
    assert client.get(url).status_code == 404
    client.force_login(life.cw)  # the community committee's staff: reads, may not review
    page = client.get(url, **ZH).content.decode()
    assert page.count('data-testid="pledge-row"') == 13 and "pledge-review-submit" not in page
    other = Pledge.objects.order_by("id").last()
    assert (
        client.post(reverse("partylife:pledge_review", args=[other.pk]), {"outcome": "kept"})
    ).status_code == 403
    client.force_login(life.foreign_cs)
    assert client.get(url).status_code == 404


def test_areas_page_assigns_lists_and_refuses(life, client, django_assert_max_num_queries):
    b2 = _b(life, 1)
    extra = Household.objects.bulk_create(
        Household(building=b2, unit_no="2", room_no=f"{i:02d}02", place_path=b2.path)
        for i in range(13)
    )
    client.force_login(life.secretary_user)
    url = reverse("partylife:areas", args=[life.branch.pk])
    for h in extra:
        response = client.post(
            url, {"member": life.member.pk, "starts_on": "2026-01-01", "households": [h.pk]}
        )
        assert response.status_code == 302
    assert ResponsibilityArea.objects.count() == 13
    with django_assert_max_num_queries(25):
        page = client.get(url + f"?building={b2.pk}")
    body = page.content.decode()
    assert body.count('data-testid="area-row"') == 13 and "2单元" in body
    clash = client.post(
        url,
        {"member": life.secretary.pk, "starts_on": "2026-02-01", "buildings": [b2.pk]},
        follow=True,
        **ZH,
    )
    assert "责任区" in clash.content.decode() and ResponsibilityArea.objects.count() == 13
    area = ResponsibilityArea.objects.order_by("id").first()
    client.post(reverse("partylife:area_end", args=[area.pk]), {"ends_on": ""})
    area.refresh_from_db()
    assert area.ends_on == clock.today()
    client.force_login(life.member_user)
    assert client.get(url).status_code == 403
    assert client.post(url, {"member": life.member.pk}).status_code == 403
    client.force_login(life.outsider_user)
    assert client.get(url).status_code == 404
    assert client.post(reverse("partylife:area_end", args=[area.pk])).status_code == 404
    client.force_login(life.cw)
    assert client.get(url).status_code == 200
    assert client.post(reverse("partylife:area_end", args=[area.pk])).status_code == 403


def test_org_page_links_only_what_serves(life, client):
    client.force_login(life.secretary_user)
    page = client.get(reverse("partylife:org", args=[life.branch.pk])).content.decode()
    assert "pledges-link" in page and "areas-link" in page and "letters-link" in page
    client.force_login(life.member_user)
    page = client.get(reverse("partylife:org", args=[life.branch.pk])).content.decode()
    assert "pledges-link" not in page and "letters-link" not in page
    client.force_login(life.cw)
    page = client.get(reverse("partylife:org", args=[life.branch.pk])).content.decode()
    assert "pledges-link" in page and "letters-link" not in page


# --------------------------------------------------------------------------- API


def test_pledges_api(life, client):
    client.force_login(life.member_user)
    made = client.post(
        "/api/v1/party-pledges/",
        {"year": 2026, "items": ["走访", "带头"]},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    bad = client.post(
        "/api/v1/party-pledges/", {"year": 2026, "items": []}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert (
        client.post(
            f"/api/v1/party-pledges/{pk}/review/",
            {"outcome": "kept"},
            content_type="application/json",
        ).status_code
        == 403
    )
    client.force_login(life.cw)  # no member's post: cannot pledge; reads, cannot review
    assert (
        client.post(
            "/api/v1/party-pledges/",
            {"year": 2026, "items": ["x"]},
            content_type="application/json",
        ).status_code
        == 403
    )
    assert [r["id"] for r in _rows(client.get("/api/v1/party-pledges/"))] == [pk]
    assert (
        client.post(
            f"/api/v1/party-pledges/{pk}/review/",
            {"outcome": "kept"},
            content_type="application/json",
        ).status_code
        == 403
    )
    client.force_login(life.outsider_user)
    assert _rows(client.get("/api/v1/party-pledges/")) == []
    assert client.get(f"/api/v1/party-pledges/{pk}/").status_code == 404
    client.force_login(life.secretary_user)
    done = client.post(
        f"/api/v1/party-pledges/{pk}/review/",
        {"outcome": "partly", "comment": "走访次数不足"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["outcome"] == "partly"


def test_areas_api(life, client):
    body = {
        "org": life.branch.pk,
        "member": life.member.pk,
        "starts_on": "2026-01-01",
        "buildings": [_b(life).pk],
    }
    client.force_login(life.member_user)
    assert (
        client.post("/api/v1/party-areas/", body, content_type="application/json").status_code
        == 403
    )
    client.force_login(life.outsider_user)
    assert (
        client.post("/api/v1/party-areas/", body, content_type="application/json").status_code
        == 404
    )
    client.force_login(life.secretary_user)
    made = client.post("/api/v1/party-areas/", body, content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["units"][0]["name"] == "1栋"
    clash = client.post(
        "/api/v1/party-areas/",
        {**body, "member": life.secretary.pk},
        content_type="application/json",
        **ZH,
    )
    assert clash.status_code == 400 and "张党员" in clash.json()["detail"]
    pk = made.json()["id"]
    client.force_login(life.member_user)  # own area: readable, cannot end it
    assert [r["id"] for r in _rows(client.get("/api/v1/party-areas/"))] == [pk]
    assert (
        client.post(
            f"/api/v1/party-areas/{pk}/end/", {}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(life.foreign_cs)
    assert client.get(f"/api/v1/party-areas/{pk}/").status_code == 404
    client.force_login(life.secretary_user)
    ended = client.post(f"/api/v1/party-areas/{pk}/end/", {}, content_type="application/json")
    assert ended.status_code == 200 and ended.json()["ends_on"] == str(clock.today())
