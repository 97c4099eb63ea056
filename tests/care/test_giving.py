"""爱心档案 and the service circle (issue 24 item 4): a resident's phone page with their
volunteering (volunteering's selectors), giving (recorded by staff or by the resident) and help
received (care visits without their notes, resolved tickets of the household); the directory of
service points kept by staff, a resident's circle within a half-hour walk (list and map); wrong
roles refused; bad input refused with nothing written; bounded queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from gongzhi.care import selectors, services
from gongzhi.care.models import Donation, ServicePoint
from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.merchants.models import Merchant
from gongzhi.people.idcard import make_id
from gongzhi.people.models import Tag
from gongzhi.places.models import Place
from gongzhi.tickets import services as tickets
from gongzhi.tickets.models import Category, Ticket
from gongzhi.volunteering.models import Activity, Signup, SignupStatus
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 5, 4, 10, 0))


@pytest.fixture
def gw(cw):
    clock.set_now(T0)
    Place.objects.filter(pk=cw.b1.pk).update(
        centre_lat=Decimal("30.500000"), centre_lng=Decimal("114.400000")
    )
    cw.member = make_user(Role.PARTY_MEMBER, cw.world.community_a1, name="党员甲")
    return cw


def _gift(gw, donor=None, actor=None, **kw):
    fields = {
        "kind": "money",
        "to": "fund",
        "destination": "社区微基金",
        "given_on": dt.date(2026, 5, 1),
        "amount_fen": 20000,
    }
    fields.update(kw)
    return services.record_donation(donor or gw.r3.record, actor=actor or gw.worker, **fields)


def test_staff_and_the_resident_record_gifts(gw):
    staff = _gift(gw)
    assert not staff.self_reported and staff.community_id == gw.world.community_a1.pk
    own = _gift(
        gw,
        actor=gw.r3,
        kind="goods",
        amount_fen=None,
        goods="冬衣三件",
        to="drive",
        destination="冬衣募捐",
    )
    assert own.self_reported and own.amount_fen is None
    assert AuditRecord.objects.filter(action="care.donation_record").count() == 2


def test_gift_refusals_write_nothing(gw):
    with translation.override("zh-hans"):
        for bad in (
            {"amount_fen": 0},
            {"amount_fen": None},
            {"kind": "goods", "amount_fen": None, "goods": " "},
            {"to": "church"},
            {"destination": ""},
            {"given_on": dt.date(2026, 6, 1)},
        ):
            with pytest.raises(ValidationError) as error:
                _gift(gw, **bad)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value)), bad
    # a resident records only their own gifts; another community's worker: not found
    with pytest.raises(Http404):  # a neighbour: only their own gifts
        _gift(gw, actor=gw.r1)
    with pytest.raises(Http404):
        _gift(gw, actor=gw.other)
    with pytest.raises(PermissionDenied):  # a grid worker does not keep the giving record
        _gift(gw, actor=gw.grid)
    assert not Donation.objects.exists()


def test_the_residents_care_record_on_the_phone(gw, login):
    activity = Activity.objects.create(
        community=gw.world.community_a1,
        title="敬老院义剪",
        location="社区活动室",
        starts_at=T0 - dt.timedelta(days=10),
        ends_at=T0 - dt.timedelta(days=10, hours=-2),
        capacity=10,
        organiser=gw.worker,
        place_path=gw.world.community_a1.path,
    )
    Signup.objects.create(
        activity=activity,
        resident=gw.r3.record,
        place_path=gw.world.community_a1.path,
        status=SignupStatus.CONFIRMED,
        minutes=120,
        points=20,
    )
    _gift(gw)
    # help received: a care visit with a need made a ticket, resolved; and a request of the
    # household's own, resolved
    plan = services.plan_visits(gw.r3.record, Tag.LIVING_ALONE, visitor=gw.member, actor=gw.worker)
    visit = services.record_visit(plan, actor=gw.member, found="秘密的走访记录", need="助餐")
    category = Category.objects.create(code="t-care-help", name="助老帮扶")
    services.raise_ticket(visit, actor=gw.member, category=category)
    own = tickets.submit(
        actor=gw.r3, kind="help", category=category, text="楼道灯坏了", place=gw.b1
    )
    Ticket.objects.update(resolved_at=T0)
    client = login(gw.r3)
    page = client.get(reverse("care:mine_record"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "敬老院义剪" in text and "120" in text
    assert text.count('data-testid="record-donation"') == 1 and "¥200.00" in text
    assert text.count('data-testid="record-visit"') == 1 and "党员甲" in text
    assert "秘密的走访记录" not in text  # visit notes are not on the resident's page
    assert text.count('data-testid="record-ticket"') == 2
    assert own.pk in [t.pk for t in selectors.care_record(gw.r3).tickets]
    # a neighbour (another household) sees none of it
    other = login(gw.r1).get(reverse("care:mine_record")).content.decode()
    assert "record-donation" not in other and 'record-visit"' not in other
    # the resident records a gift on the phone; a bad one is refused, nothing written
    bad = client.post(
        reverse("care:mine_record"),
        {"kind": "money", "to": "fund", "destination": "社区微基金", "given_on": "2026-05-02"},
    )
    assert bad.status_code == 200 and Donation.objects.count() == 1
    done = client.post(
        reverse("care:mine_record"),
        {
            "kind": "money",
            "to": "drive",
            "destination": "助学",
            "amount": "50.5",
            "given_on": "2026-05-02",
        },
    )
    assert done.status_code == 302
    assert Donation.objects.get(self_reported=True).amount_fen == 5050


def test_staff_record_a_donation_by_id_number(gw, login):
    from gongzhi.people import services as people

    number = make_id("420111", dt.date(1950, 1, 2), 15)
    donor = people.create_resident(
        actor=gw.worker, household=gw.households[4], name="捐赠人老李", id_number=number
    )
    client = login(gw.worker)
    assert client.get(reverse("care:donations")).status_code == 200
    unknown = client.post(
        reverse("care:donations"),
        {
            "id_number": "110101199001010000",
            "kind": "money",
            "to": "fund",
            "destination": "微基金",
            "amount": "100",
            "given_on": "2026-05-01",
        },
    )
    assert unknown.status_code == 200 and b'data-testid="donation-error"' in unknown.content
    done = client.post(
        reverse("care:donations"),
        {
            "id_number": number,
            "kind": "goods",
            "to": "drive",
            "destination": "冬衣募捐",
            "goods": "棉被两床",
            "given_on": "2026-05-01",
        },
    )
    assert done.status_code == 302
    assert Donation.objects.get().resident_id == donor.pk
    assert "棉被两床" in client.get(reverse("care:donations")).content.decode()
    # another community's worker does not find the donor nor see the gift
    other = login(gw.other)
    assert "棉被两床" not in other.get(reverse("care:donations")).content.decode()
    miss = other.post(
        reverse("care:donations"),
        {
            "id_number": number,
            "kind": "money",
            "to": "fund",
            "destination": "x",
            "amount": "1",
            "given_on": "2026-05-01",
        },
    )
    assert miss.status_code == 200 and Donation.objects.count() == 1


def _point(gw, **kw):
    fields = {
        "actor": gw.worker,
        "community": gw.world.community_a1,
        "kind": "canteen",
        "name": "长者食堂",
        "hours": "11:00–13:00",
        "lat": "30.505000",
        "lng": "114.400000",
    }
    fields.update(kw)
    return services.save_service_point(None, **fields)


def test_the_service_circle_lists_points_within_a_half_hour_walk(gw, login):
    near = _point(gw)
    _point(gw, name="远处诊所", kind="clinic", lat="30.600000", lng="114.400000")  # ~11 km
    _point(gw, name="便民服务站", kind="station", lat=None, lng=None)  # no position: listed
    _point(gw, name="停业小店", kind="merchant", lat=None, lng=None, is_active=False)
    _point(gw, actor=gw.other, community=gw.world.community_a2, name="别社区食堂")
    community, rows = selectors.service_circle(gw.r1)
    assert community == gw.world.community_a1
    assert [r.point.name for r in rows] == ["长者食堂", "便民服务站"]
    assert rows[0].metres == 556
    page = login(gw.r1).get(reverse("care:circle"))
    text = page.content.decode()
    assert page.status_code == 200 and text.count('data-testid="circle-point"') == 2
    assert 'id="gz-service-points"' in text and "长者食堂" in text and "远处诊所" not in text
    assert near.place_path == gw.world.community_a1.path


def test_service_point_refusals_and_merchants(gw, login):
    merchant = Merchant.objects.create(
        name="惠民超市", community=gw.world.community_a1, place_path=gw.world.community_a1.path
    )
    far_merchant = Merchant.objects.create(
        name="别家超市", community=gw.world.community_a2, place_path=gw.world.community_a2.path
    )
    point = _point(gw, kind="merchant", name="惠民超市", merchant=merchant)
    assert point.merchant_id == merchant.pk
    with translation.override("zh-hans"):
        for bad in (
            {"name": ""},
            {"kind": "casino"},
            {"lat": "91"},
            {"lng": None},
            {"name": "惠民超市"},  # twice in one community
            {"merchant": far_merchant, "name": "x"},
            {"community": gw.world.grid_a1_1, "name": "y"},
        ):
            with pytest.raises(ValidationError) as error:
                _point(gw, **bad)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value)), bad
    with pytest.raises(Http404):
        _point(gw, actor=gw.other, name="越界")
    with pytest.raises(Http404):
        _point(gw, actor=gw.grid, name="网格员")
    assert ServicePoint.objects.count() == 1
    client = login(gw.worker)
    assert client.get(reverse("care:service_point_new")).status_code == 200
    edit = client.get(reverse("care:service_point_edit", args=[point.pk]))
    assert edit.status_code == 200 and "惠民超市" in edit.content.decode()
    saved = client.post(
        reverse("care:service_point_edit", args=[point.pk]),
        {
            "community": gw.world.community_a1.pk,
            "kind": "merchant",
            "name": "惠民超市",
            "hours": "07:00–22:00",
            "merchant": merchant.pk,
            "is_active": "on",
        },
    )
    assert saved.status_code == 302
    point.refresh_from_db()
    assert point.hours == "07:00–22:00" and point.lat is None
    assert (
        login(gw.other).get(reverse("care:service_point_edit", args=[point.pk])).status_code == 404
    )


def test_wrong_roles_are_refused(gw, login):
    point = _point(gw)
    staff_only = [
        reverse("care:donations"),
        reverse("care:service_points"),
        reverse("care:service_point_new"),
        reverse("care:service_point_edit", args=[point.pk]),
    ]
    for user in (gw.r1, gw.grid, gw.head, gw.merchant):
        client = login(user)
        for url in staff_only:
            assert client.get(url).status_code == 403, (user, url)
    for user in (gw.worker, gw.merchant, gw.partner):
        client = login(user)
        assert client.get(reverse("care:mine_record")).status_code == 403
        assert client.get(reverse("care:circle")).status_code == 403
    assert login(gw.head).get(reverse("care:mine_record")).status_code == 200


def test_lists_use_a_bounded_number_of_queries(gw, login, django_assert_max_num_queries):
    for i in range(14):
        _gift(gw, amount_fen=100 + i)
        _point(gw, name=f"服务点{i}")
    client = login(gw.worker)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("care:donations"))
    assert page.content.decode().count('data-testid="donation-row"') == 14
    with django_assert_max_num_queries(20):
        page = client.get(reverse("care:service_points"))
    assert page.content.decode().count('data-testid="point-row"') == 14
    resident = login(gw.r3)
    with django_assert_max_num_queries(24):
        page = resident.get(reverse("care:mine_record"))
    assert page.content.decode().count('data-testid="record-donation"') == 14
    with django_assert_max_num_queries(20):
        page = resident.get(reverse("care:circle"))
    assert page.content.decode().count('data-testid="circle-point"') == 14


def test_the_api_gives_the_record_and_the_circle(gw):
    from rest_framework.test import APIClient

    def api(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    _gift(gw)
    _point(gw)
    record = api(gw.r3).get("/api/v1/my-care-record/").json()
    assert record["giving"]["money_fen"] == 20000 and len(record["giving"]["donations"]) == 1
    assert api(gw.r1).get("/api/v1/my-care-record/").json()["giving"]["donations"] == []
    circle = api(gw.r3).get("/api/v1/my-service-circle/").json()
    assert [p["name"] for p in circle["results"]] == ["长者食堂"]
    for nobody in (gw.worker, gw.merchant):
        assert api(nobody).get("/api/v1/my-care-record/").status_code == 403
        assert api(nobody).get("/api/v1/my-service-circle/").status_code == 403
