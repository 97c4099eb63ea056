"""Pages and API of household notices: wrong roles refused (page and API), a building head's
door-knock list showing only their building, the resident's phone pages, bounded queries on
lists of 12+ rows, malformed ids and bodies (400/404, never 500)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.care import services
from gongzhi.care.models import Delivery, Notice
from gongzhi.places.models import Household

pytestmark = pytest.mark.django_db


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _send(cw, place=None, **kw):
    return services.send_notice(
        place or cw.b1, actor=cw.worker, kind="water", title="停水通知", body="明日停水。", **kw
    )


def test_wrong_roles_are_refused_on_pages_and_api(cw, login):
    notice = _send(cw)
    for user in (cw.merchant, cw.partner):
        client = login(user)
        assert client.get(reverse("care:notices")).status_code == 403
        assert client.get(reverse("care:notice", args=[notice.pk])).status_code == 403
        assert client.get(reverse("care:knock", args=[notice.pk])).status_code == 403
        assert client.get(reverse("care:mine")).status_code == 403
        assert _api(user).get("/api/v1/care-notices/").status_code == 403
        assert _api(user).get("/api/v1/my-notices/").status_code == 403
    # a resident reads, but sees no staff page and sends nothing
    resident = login(cw.r1)
    assert resident.get(reverse("care:notices")).status_code == 403
    assert resident.get(reverse("care:notice_new")).status_code == 403
    assert _api(cw.r1).get(f"/api/v1/care-notices/{notice.pk}/").status_code == 403
    # a building head looks but does not send or text
    head = login(cw.head)
    assert head.get(reverse("care:notice_new")).status_code == 403
    assert head.post(reverse("care:notice_sms", args=[notice.pk])).status_code == 403
    body = {"place": cw.b1.pk, "kind": "water", "title": "t", "body": "b"}
    assert _api(cw.head).post("/api/v1/care-notices/", body, format="json").status_code == 403
    assert _api(cw.head).post(f"/api/v1/care-notices/{notice.pk}/sms/").status_code == 403
    # another community's worker: the notice does not exist for them
    assert login(cw.other).get(reverse("care:notice", args=[notice.pk])).status_code == 404
    assert _api(cw.other).get(f"/api/v1/care-notices/{notice.pk}/").status_code == 404
    # a resident of another community: not their household's notice
    assert login(cw.outsider).get(reverse("care:mine_notice", args=[notice.pk])).status_code == 404
    assert _api(cw.outsider).post(f"/api/v1/my-notices/{notice.pk}/read/").status_code == 404
    assert not Delivery.objects.filter(read_at__isnull=False).exists()


def test_the_building_head_door_knock_list_is_their_building(cw, login):
    notice = _send(cw, cw.world.grid_a1_1)
    services.read_notice(notice, actor=cw.r1)
    page = login(cw.head).get(reverse("care:knock", args=[notice.pk])).content.decode()
    assert page.count('data-testid="knock-row"') == 4
    assert "张三" in page and "赵四" in page and "王一" not in page
    assert cw.r3.record.phone_masked in page and cw.r3.phone_plain not in page
    b2_rooms = [h.room_no for h in Household.objects.filter(building=cw.b2)]
    other = login(cw.head2).get(reverse("care:knock", args=[notice.pk])).content.decode()
    assert other.count('data-testid="knock-row"') == 2
    assert "张三" not in other and all(room in other for room in b2_rooms)
    api = _api(cw.head).get(f"/api/v1/care-notices/{notice.pk}/unread/").json()
    assert api["count"] == 4
    assert {r["room_no"] for r in api["results"]} == {h.room_no for h in cw.households[1:]}
    phones = [p["phone"] for r in api["results"] for p in r["residents"] if p["phone"]]
    assert phones and all("*" in phone for phone in phones)
    assert cw.r3.phone_plain not in str(api)


def test_staff_send_from_a_template_on_the_page(cw, login):
    client = login(cw.worker)
    form = client.get(reverse("care:notice_new") + "?template=water").content.decode()
    assert "____" in form and 'data-testid="template-weather"' in form
    # the blanks must be filled: a clear refusal, nothing written
    title, body = services.template("water")
    data = {"place": cw.b1.pk, "kind": "water", "title": title, "body": body, "urgent": "on"}
    again = client.post(reverse("care:notice_new"), data).content.decode()
    assert not Notice.objects.exists() and "____" in again
    data["body"] = "7月2日9点至17点停水，请提前储水。"
    response = client.post(reverse("care:notice_new"), data)
    notice = Notice.objects.get()
    assert response.status_code == 302 and response.url == reverse("care:notice", args=[notice.pk])
    assert notice.urgent and notice.households == 5
    page = client.get(response.url).content.decode()
    assert 'data-testid="unread-count">5<' in page
    # a place outside the worker's community is not a choice
    data["place"] = cw.world.community_a2.pk
    client.post(reverse("care:notice_new"), data)
    assert Notice.objects.count() == 1


def test_a_resident_reads_on_the_phone_once(cw, login):
    notice = _send(cw)
    client = login(cw.r1)
    mine = client.get(reverse("care:mine")).content.decode()
    assert "停水通知" in mine and 'data-testid="my-notice"' in mine
    page = client.get(reverse("care:mine_notice", args=[notice.pk])).content.decode()
    assert 'data-testid="confirm-read"' in page
    assert client.post(reverse("care:mine_notice", args=[notice.pk])).status_code == 302
    page = client.get(reverse("care:mine_notice", args=[notice.pk])).content.decode()
    assert 'data-testid="receipt"' in page and 'data-testid="confirm-read"' not in page
    again = _api(cw.r1).post(f"/api/v1/my-notices/{notice.pk}/read/").json()
    assert again["recorded"] is False and again["read_at"]
    assert Delivery.objects.filter(notice=notice, read_at__isnull=False).count() == 1
    fresh = _api(cw.r2).post(f"/api/v1/my-notices/{notice.pk}/read/").json()
    assert fresh["recorded"] is True


def test_api_send_and_bad_input(cw):
    api = _api(cw.worker)
    made = api.post(
        "/api/v1/care-notices/",
        {"place": cw.b1.pk, "kind": "power", "title": "停电", "body": "周三停电"},
        format="json",
    )
    assert made.status_code == 201 and made.json()["households"] == 5
    for bad in (
        {"place": "x", "kind": "power", "title": "t", "body": "b"},
        {"place": cw.b1.pk, "kind": "nuclear", "title": "t", "body": "b"},
        {"place": cw.b1.pk, "kind": "power", "title": "", "body": "b"},
        {"place": 2**40, "kind": "power", "title": "t", "body": "b"},
        ["not", "an", "object"],
    ):
        assert api.post("/api/v1/care-notices/", bad, format="json").status_code == 400, bad
    missing = {"place": 999999, "kind": "power", "title": "t", "body": "b"}
    assert api.post("/api/v1/care-notices/", missing, format="json").status_code == 404
    outside = {"place": cw.world.community_a2.pk, "kind": "power", "title": "t", "body": "b"}
    assert api.post("/api/v1/care-notices/", outside, format="json").status_code == 404
    street = {"place": cw.world.street_a.pk, "kind": "power", "title": "t", "body": "b"}
    assert api.post("/api/v1/care-notices/", street, format="json").status_code in (400, 404)
    assert api.get("/api/v1/care-notices/abc/").status_code == 404
    assert api.get("/api/v1/care-notices/99999999999/").status_code == 404
    assert Notice.objects.count() == 1


def test_lists_have_a_bounded_number_of_queries(cw, login, django_assert_max_num_queries):
    b1 = cw.b1
    Household.objects.bulk_create(
        Household(building=b1, unit_no="2", room_no=f"{i:02d}02", place_path=b1.path)
        for i in range(1, 16)
    )
    for i in range(13):
        _send(cw, urgent=bool(i % 2))
    notice = Notice.objects.first()
    worker, head, resident = login(cw.worker), None, None
    with django_assert_max_num_queries(14):
        assert worker.get(reverse("care:notices")).status_code == 200
    with django_assert_max_num_queries(14):
        assert worker.get(reverse("care:notice", args=[notice.pk])).status_code == 200
    head = login(cw.head)
    with django_assert_max_num_queries(14):
        page = head.get(reverse("care:knock", args=[notice.pk])).content.decode()
    assert page.count('data-testid="knock-row"') == 20
    with django_assert_max_num_queries(12):
        assert _api(cw.worker).get(f"/api/v1/care-notices/{notice.pk}/unread/").status_code == 200
    with django_assert_max_num_queries(12):
        assert _api(cw.worker).get("/api/v1/care-notices/").status_code == 200
    resident = login(cw.r1)
    with django_assert_max_num_queries(14):
        page = resident.get(reverse("care:mine")).content.decode()
    assert page.count('data-testid="my-notice"') == 13
