"""Door-to-door verification rounds (入户核查, issue 24 item 2): a community sends a round over
its rented homes (or the households of a care tag) to its grid workers, who are told; the grid
worker answers each household's checklist on the phone; bad answers are refused with nothing
written; the roll-up spreadsheet; wrong roles and other places refused; bounded queries."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from gongzhi.care import selectors, services
from gongzhi.care.models import CheckItem, CheckRound
from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Notification
from gongzhi.core.roles import Role
from gongzhi.people import services as people
from gongzhi.people.idcard import make_id
from gongzhi.places.models import Household
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, 10, 0)
ALL_YES = {
    "people_match": "yes",
    "lease_valid": "yes",
    "fire_safe": "yes",
    "landlord_reachable": "yes",
}


@pytest.fixture
def rw(cw):
    clock.set_now(T0)
    landlord = people.create_resident(
        actor=cw.worker,
        household=cw.households[4],
        name="房东老周",
        id_number=make_id("420111", dt.date(1970, 5, 17), 13),
    )
    cw.homes = [
        services.mark_rented(cw.households[i], actor=cw.worker, landlord=landlord) for i in (3, 4)
    ]
    cw.landlord = landlord
    cw.grid2 = make_user(Role.GRID_WORKER, cw.world.grid_a1_2, name="二网格员")
    cw.street = make_user(Role.STREET_OFFICER, cw.world.street_a, name="街道干部")
    return cw


def _send(rw, **kw):
    fields = {
        "actor": rw.worker,
        "title": "出租屋春季核查",
        "due_on": dt.date(2026, 3, 20),
        "scope": "rented",
    }
    fields.update(kw)
    return services.send_round(rw.world.community_a1, **fields)


def test_a_round_over_rented_homes_reaches_the_grid_worker(rw):
    sent = _send(rw)
    assert sent.rows == 2
    items = list(CheckItem.objects.filter(round=sent).order_by("household__room_no"))
    assert [i.home_id for i in items] == [h.pk for h in rw.homes]
    told = Notification.objects.filter(verb="care_round_sent")
    assert set(told.values_list("user_id", flat=True)) == {rw.grid.pk}  # not grid 2: no home
    assert AuditRecord.objects.filter(action="care.round_send").count() == 1
    # the street sends one too (every rented home of the street)
    assert (
        services.send_round(
            rw.world.street_a,
            actor=rw.street,
            title="街道核查",
            due_on=dt.date(2026, 3, 20),
            scope="rented",
        ).rows
        == 2
    )


def test_a_round_over_the_households_of_a_care_tag(rw):
    sent = _send(rw, scope="tag", row_tag="living_alone")
    # 张三 (r3) and 赵四 live alone, in households 2 and 3; household 3 is rented
    assert sent.rows == 2
    assert CheckItem.objects.filter(round=sent, home__isnull=False).count() == 1


def test_refusals_write_nothing(rw):
    with translation.override("zh-hans"):
        for bad in (
            {"title": " "},
            {"scope": "everyone"},
            {"scope": "tag", "row_tag": ""},
            {"due_on": dt.date(2026, 2, 1)},
        ):
            with pytest.raises(ValidationError) as error:
                _send(rw, **bad)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))
        with pytest.raises(ValidationError):  # from a grid: not a community or street
            services.send_round(
                rw.world.grid_a1_1,
                actor=rw.worker,
                title="x",
                due_on=dt.date(2026, 3, 20),
                scope="rented",
            )
        with pytest.raises(ValidationError):  # nothing rented in community A2
            services.send_round(
                rw.world.community_a2,
                actor=rw.other,
                title="x",
                due_on=dt.date(2026, 3, 20),
                scope="rented",
            )
    with pytest.raises(Http404):  # a grid worker does not send rounds
        _send(rw, actor=rw.grid)
    with pytest.raises(Http404):  # another community's worker
        _send(rw, actor=rw.other)
    assert not CheckRound.objects.exists() and not CheckItem.objects.exists()


def test_the_grid_worker_checks_a_household_on_the_phone(rw, login):
    sent = _send(rw)
    item = CheckItem.objects.filter(round=sent).first()
    client = login(rw.grid)
    url = reverse("care:round_item", args=[item.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'data-testid="check-form"' in page.content
    with translation.override("zh-hans"):
        missing = client.post(url, {"people_match": "yes", "fire_safe": "maybe"})
    assert missing.status_code == 200 and b'data-testid="check-error"' in missing.content
    item.refresh_from_db()
    assert item.checked_at is None and item.answers == {}
    done = client.post(url, {**ALL_YES, "fire_safe": "no", "note": "楼道堆放杂物"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.answers["fire_safe"] == "no" and item.checked_by_id == rw.grid.pk
    assert item.note == "楼道堆放杂物"
    detail = client.get(reverse("care:round", args=[sent.pk])).content.decode()
    assert 'data-testid="checked-count">1<' in detail
    # the service refuses a missing answer too, nothing changed
    with pytest.raises(ValidationError):
        services.check_household(item, actor=rw.grid, answers={"people_match": "yes"})
    item.refresh_from_db()
    assert item.note == "楼道堆放杂物"


def test_wrong_roles_and_other_places_are_refused(rw, login):
    sent = _send(rw)
    item = CheckItem.objects.filter(round=sent).first()
    check = reverse("care:round_item", args=[item.pk])
    # another grid's worker and another community's worker: not found
    for stranger in (rw.grid2, rw.other):
        assert login(stranger).get(check).status_code == 404
        assert login(stranger).post(check, ALL_YES).status_code == 404
    with pytest.raises(Http404):
        services.check_household(item, actor=rw.grid2, answers=ALL_YES)
    # a building head sees the round (registry reader) but does not check
    assert login(rw.head).get(reverse("care:round", args=[sent.pk])).status_code == 200
    assert login(rw.head).get(check).status_code == 403
    for nobody in (rw.merchant, rw.r1, rw.partner):
        client = login(nobody)
        for url in (
            reverse("care:rounds"),
            reverse("care:round", args=[sent.pk]),
            reverse("care:round_rollup", args=[sent.pk]),
            check,
            reverse("care:round_new"),
        ):
            assert client.get(url).status_code == 403, (nobody, url)
    assert login(rw.grid).get(reverse("care:round_new")).status_code == 403
    assert login(rw.other).get(reverse("care:round", args=[sent.pk])).status_code == 404
    item.refresh_from_db()
    assert item.checked_at is None


def test_sending_from_the_rentals_page_and_the_rollup(rw, login):
    client = login(rw.worker)
    rentals = client.get(reverse("care:rentals")).content.decode()
    assert 'data-testid="start-round"' in rentals
    assert client.get(reverse("care:round_new")).status_code == 200
    bad = client.post(
        reverse("care:round_new"),
        {
            "place": rw.world.community_a1.pk,
            "title": "核查",
            "scope": "tag",
            "row_tag": "",
            "due_on": "2026-03-20",
        },
    )
    assert bad.status_code == 200 and not CheckRound.objects.exists()
    done = client.post(
        reverse("care:round_new"),
        {
            "place": rw.world.community_a1.pk,
            "title": "出租屋核查",
            "scope": "rented",
            "due_on": "2026-03-20",
        },
    )
    assert done.status_code == 302
    sent = CheckRound.objects.get()
    item = CheckItem.objects.filter(round=sent).first()
    services.check_household(item, actor=rw.grid, answers=ALL_YES, note="=cmd()")
    rentals = client.get(reverse("care:rentals")).content.decode()
    assert "出租屋核查" in rentals and reverse("care:round_rollup", args=[sent.pk]) in rentals
    assert client.get(reverse("care:rounds")).status_code == 200
    sheet = client.get(reverse("care:round_rollup", args=[sent.pk]))
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3
    checked = [r for r in rows[1:] if r[-2]]
    assert checked[0][1] == "房东老周" and checked[0][-3] == "'=cmd()"  # never a formula


def test_round_lists_use_a_bounded_number_of_queries(rw, login, django_assert_max_num_queries):
    b2 = rw.b2
    for i in range(14):
        household = Household.objects.create(
            building=b2, unit_no="2", room_no=f"{i + 1:02d}02", place_path=b2.path
        )
        services.mark_rented(household, actor=rw.worker, landlord=rw.landlord)
    for i in range(13):
        _send(rw, title=f"第{i}轮")
    sent = CheckRound.objects.order_by("-id").first()
    for item in CheckItem.objects.filter(round=sent)[:5]:
        services.check_household(item, actor=rw.grid, answers=ALL_YES)
    client = login(rw.grid)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("care:round", args=[sent.pk]))
    assert page.content.decode().count('data-testid="round-item"') == 16
    with django_assert_max_num_queries(20):
        page = client.get(reverse("care:rounds"))
    assert page.content.decode().count('data-testid="round-row"') == 13
    with django_assert_max_num_queries(20):
        assert client.get(reverse("care:round_rollup", args=[sent.pk])).status_code == 200
    assert len(selectors.round_rollup(rw.grid, sent)[1]) == 16


def test_the_api_lists_rounds_and_checks_a_household(rw):
    from rest_framework.test import APIClient

    def api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    sent = _send(rw)
    item = CheckItem.objects.filter(round=sent).first()
    listed = api(rw.grid).get("/api/v1/care-rounds/").json()["results"]
    assert [(r["id"], r["households"], r["checked"]) for r in listed] == [(sent.pk, 2, 0)]
    items = api(rw.grid).get(f"/api/v1/care-rounds/{sent.pk}/items/?todo=1").json()["results"]
    assert len(items) == 2 and items[0]["landlord"] == "房东老周"
    url = f"/api/v1/care-round-items/{item.pk}/check/"
    assert (
        api(rw.grid).post(url, {"answers": {"people_match": "yes"}}, format="json").status_code
        == 400
    )
    assert (
        api(rw.grid).post(url, {"answers": {"fire_safe": "maybe"}}, format="json").status_code
        == 400
    )
    done = api(rw.grid).post(url, {"answers": ALL_YES, "note": "好"}, format="json")
    assert done.status_code == 200 and done.json()["checked_at"]
    assert api(rw.grid2).post(url, {"answers": ALL_YES}, format="json").status_code == 404
    assert api(rw.other).get(f"/api/v1/care-rounds/{sent.pk}/").status_code == 404
    assert api(rw.head).post(url, {"answers": ALL_YES}, format="json").status_code == 403
    for nobody in (rw.merchant, rw.r1):
        assert api(nobody).get("/api/v1/care-rounds/").status_code == 403
        assert api(nobody).post(url, {"answers": ALL_YES}, format="json").status_code == 403
    assert api(rw.grid).get("/api/v1/care-rounds/abc/").status_code == 404
