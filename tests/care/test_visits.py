"""Care visits (issue 24 item 1): the rhythm from the profile and overdue with a moved clock;
only the assigned visitor records; a far point is flagged, bad input refused with nothing
written; visit notes hidden from roles the matrix excludes (page and API); bounded queries on
lists of 12+ rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from gongzhi.care import selectors, services, visits
from gongzhi.care.models import Visit, VisitPlan
from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.people.models import Relation, Resident, ResidentTag, Tag
from gongzhi.places.models import Place
from tests.conftest import make_user

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def vw(cw):
    cw.member = make_user(Role.PARTY_MEMBER, cw.world.community_a1, name="党员甲")
    cw.member2 = make_user(Role.PARTY_MEMBER, cw.world.community_a1, name="党员乙")
    cw.far_member = make_user(Role.PARTY_MEMBER, cw.world.community_a2, name="外社区党员")
    Place.objects.filter(pk=cw.b1.pk).update(
        centre_lat=Decimal("30.500000"), centre_lng=Decimal("114.400000")
    )
    return cw


def _plan(vw, visitor=None, resident=None):
    return services.plan_visits(
        resident or vw.r3.record, Tag.LIVING_ALONE, visitor=visitor or vw.member, actor=vw.worker
    )


def test_rhythm_from_the_profile_and_overdue_with_a_moved_clock(vw):
    with clock.travel_to(MONDAY):
        plan = _plan(vw)
        # platform default: living alone, every 7 days; the first visit is due at once
        assert plan.every_days == 7 and plan.next_due_on == MONDAY.date()
        assert selectors.my_overdue_count(vw.member) == 0
    with clock.travel_to(MONDAY + dt.timedelta(days=1)):
        assert selectors.my_overdue_count(vw.member) == 1
        services.record_visit(plan, actor=vw.member, found="身体尚好，冰箱有菜。")
        plan.refresh_from_db()
        assert plan.next_due_on == MONDAY.date() + dt.timedelta(days=8)
        assert selectors.my_overdue_count(vw.member) == 0
    with clock.travel_to(MONDAY + dt.timedelta(days=8)):
        assert selectors.my_overdue_count(vw.member) == 0  # due today, not yet overdue
    with clock.travel_to(MONDAY + dt.timedelta(days=9)):
        assert selectors.my_overdue_count(vw.member) == 1
        (figure,) = [f for f in selectors.visit_figures(vw.worker) if f.place == vw.world.grid_a1_1]
        assert (figure.plans, figure.overdue, figure.done) == (1, 1, 1)  # visited on 3 March


def test_the_rhythm_follows_the_profile(vw, profile_dir, monkeypatch):
    monkeypatch.setattr(visits, "_setting", lambda place, key: 3)
    with clock.travel_to(MONDAY):
        plan = _plan(vw)
        services.record_visit(plan, actor=vw.member, found="好")
        plan.refresh_from_db()
        assert plan.next_due_on == MONDAY.date() + dt.timedelta(days=3)


def test_only_the_assigned_visitor_records(vw):
    plan = _plan(vw)
    with pytest.raises(PermissionDenied):
        services.record_visit(plan, actor=vw.member2, found="冒名")
    with pytest.raises(Http404):  # no visit role: the plan does not exist for them
        services.record_visit(plan, actor=vw.merchant, found="商户")
    assert not Visit.objects.exists()


def test_planning_refusals_write_nothing(vw):
    with pytest.raises(ValidationError) as error:
        _plan(vw, visitor=vw.far_member)  # a party member of another community
    assert "visitor" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.plan_visits(vw.r1.record, Tag.LIVING_ALONE, visitor=vw.member, actor=vw.worker)
    ResidentTag.objects.create(resident=vw.r1.record, tag=Tag.UNEMPLOYED)
    with pytest.raises(ValidationError):  # no visit rhythm for this tag
        services.plan_visits(vw.r1.record, Tag.UNEMPLOYED, visitor=vw.member, actor=vw.worker)
    with pytest.raises(Http404):  # a party member does not plan
        services.plan_visits(vw.r3.record, Tag.LIVING_ALONE, visitor=vw.member, actor=vw.member)
    _plan(vw)
    with pytest.raises(ValidationError):  # once per person and tag
        _plan(vw, visitor=vw.grid)
    assert VisitPlan.objects.count() == 1


def test_a_point_far_from_the_building_is_flagged_and_bad_input_refused(vw):
    plan = _plan(vw)
    near = services.record_visit(
        plan, actor=vw.member, found="在家", lat="30.500500", lng="114.400000"
    )
    assert near.distance_m == 56 and not near.far_from_building
    far = services.record_visit(plan, actor=vw.member, found="在家", lat="30.52", lng="114.4")
    assert far.far_from_building and far.distance_m > 2000
    with translation.override("zh-hans"):
        for bad in ({"lat": "91", "lng": "114"}, {"lat": "abc", "lng": "114"}, {"lat": "30"}):
            with pytest.raises(ValidationError) as error:
                services.record_visit(plan, actor=vw.member, found="在家", **bad)
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error.value))
        with pytest.raises(ValidationError):
            services.record_visit(plan, actor=vw.member, found="   ")
    assert Visit.objects.count() == 2


def test_the_visit_form_on_the_phone(vw, login):
    plan = _plan(vw)
    client = login(vw.member)
    page = client.get(reverse("care:visit_new", args=[plan.pk]))
    assert page.status_code == 200 and b'data-testid="visit-form"' in page.content
    bad = client.post(reverse("care:visit_new", args=[plan.pk]), {"found": "", "lat": "x"})
    assert bad.status_code == 200 and not Visit.objects.exists()
    done = client.post(
        reverse("care:visit_new", args=[plan.pk]),
        {"found": "老人精神好", "need": "想装扶手", "lat": "30.55", "lng": "114.4"},
    )
    assert done.status_code == 302
    assert Visit.objects.get().far_from_building
    # another party member cannot even open it
    assert login(vw.member2).get(reverse("care:visit_new", args=[plan.pk])).status_code == 404


def test_visit_notes_hidden_from_roles_the_matrix_excludes(vw, login):
    plan = _plan(vw)
    services.record_visit(plan, actor=vw.member, found="独居老人情绪低落")
    url = reverse("care:visit_plan", args=[plan.pk])
    api = f"/api/v1/care-visit-plans/{plan.pk}/visits/"
    for reader in (vw.member, vw.worker, vw.grid):
        page = login(reader).get(url)
        assert page.status_code == 200 and "独居老人情绪低落" in page.content.decode()
        answer = _api(reader).get(api)
        assert answer.status_code == 200 and answer.json()["results"][0]["found"]
    # a party member who is not the visitor, the building head, another community: not found
    for stranger in (vw.member2, vw.head, vw.other):
        assert login(stranger).get(url).status_code == 404
        assert _api(stranger).get(api).status_code == 404
    # no visit role at all: refused
    for nobody in (vw.merchant, vw.r1):
        assert login(nobody).get(url).status_code == 403
        assert _api(nobody).get(api).status_code == 403


def test_wrong_roles_are_refused_on_pages_and_api(vw, login):
    _plan(vw)
    for user in (vw.merchant, vw.r1):
        client = login(user)
        assert client.get(reverse("care:visits")).status_code == 403
        assert client.get(reverse("care:my_visits")).status_code == 403
        assert _api(user).get("/api/v1/care-visit-plans/").status_code == 403
        assert _api(user).get("/api/v1/my-visits/").status_code == 403
    # a party member visits but sees no board
    assert login(vw.member).get(reverse("care:visits")).status_code == 403
    assert login(vw.member).get(reverse("care:my_visits")).status_code == 200
    body = {"resident": vw.r3.record.pk, "tag": "living_alone", "visitor": vw.member.pk}
    assert _api(vw.member).post("/api/v1/care-visit-plans/", body, format="json").status_code == 403
    assert _api(vw.worker).post("/api/v1/care-visit-plans/", body, format="json").status_code == 400


def test_api_records_a_visit_and_refuses_malformed_input(vw):
    plan = _plan(vw)
    api = _api(vw.member)
    assert api.post("/api/v1/my-visits/abc/record/", {}, format="json").status_code == 404
    assert api.post(f"/api/v1/my-visits/{plan.pk}/record/", {}, format="json").status_code == 400
    bad = api.post(
        f"/api/v1/my-visits/{plan.pk}/record/", {"found": "好", "lat": 95, "lng": 1}, format="json"
    )
    assert bad.status_code == 400
    ok = api.post(f"/api/v1/my-visits/{plan.pk}/record/", {"found": "好"}, format="json")
    assert ok.status_code == 201 and ok.json()["next_due_on"]
    assert (
        _api(vw.member2)
        .post(f"/api/v1/my-visits/{plan.pk}/record/", {"found": "好"}, format="json")
        .status_code
        == 404
    )
    assert Visit.objects.count() == 1
    listed = api.get("/api/v1/my-visits/").json()["results"]
    assert [row["id"] for row in listed] == [plan.pk] and "found" not in listed[0]


def test_lists_of_many_plans_use_a_bounded_number_of_queries(
    vw, login, django_assert_max_num_queries
):
    household = vw.households[4]
    with clock.travel_to(MONDAY):
        for i in range(14):
            person = Resident.objects.create(
                name=f"老人{i}",
                name_initials="lr",
                gender="F",
                household=household,
                relation=Relation.OTHER,
                place_path=household.place_path,
            )
            ResidentTag.objects.create(resident=person, tag=Tag.LIVING_ALONE)
            plan = _plan(vw, resident=person)
            services.record_visit(plan, actor=vw.member, found=f"第{i}次")
    with clock.travel_to(MONDAY + dt.timedelta(days=10)):
        client = login(vw.member)
        with django_assert_max_num_queries(20):
            page = client.get(reverse("care:my_visits"))
        assert page.content.decode().count('data-testid="visit-row"') == 14
        assert page.content.decode().count('data-testid="overdue"') == 14
        board = login(vw.worker)
        with django_assert_max_num_queries(24):
            page = board.get(reverse("care:visits"))
        assert page.content.decode().count('data-testid="overdue"') == 14
        with django_assert_max_num_queries(20):
            assert len(_api(vw.worker).get("/api/v1/care-visit-plans/").json()["results"]) == 14


def test_one_tap_turns_a_need_into_a_ticket_once(vw, login):
    from gongzhi.tickets.models import Category, Channel, Ticket

    category = Category.objects.create(code="t-care", name="帮扶")
    plan = _plan(vw)
    visit = services.record_visit(plan, actor=vw.member, found="行动不便", need="需要助餐")
    quiet = services.record_visit(plan, actor=vw.member, found="一切正常")
    with pytest.raises(PermissionDenied):
        services.raise_ticket(visit, actor=vw.member2, category=category)
    with pytest.raises(ValidationError):
        services.raise_ticket(quiet, actor=vw.member, category=category)
    assert not Ticket.objects.exists()
    client = login(vw.member)
    page = client.get(reverse("care:visit_plan", args=[plan.pk])).content.decode()
    assert page.count('data-testid="raise-ticket"') == 1
    url = reverse("care:visit_ticket", args=[visit.pk])
    assert client.post(url, {"category": category.pk}).status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.ONLINE and "需要助餐" in ticket.text
    assert ticket.place_id == vw.b1.pk
    client.post(url, {"category": category.pk})  # a second tap: refused, still one ticket
    assert Ticket.objects.count() == 1
    visit.refresh_from_db()
    assert visit.ticket_id == ticket.pk
    # not the visitor: not found
    assert login(vw.member2).post(url, {"category": category.pk}).status_code == 404
