"""Issue 12 in the places tree: premises of new communities, the service hall and function rooms,
elderly-care and childcare areas, dated targets, and staffing by resident households and
full-time workers — each profile's own numbers, nothing borrowed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Post
from gongzhi.core.roles import Role
from gongzhi.people.models import ResidenceStatus
from gongzhi.places import compliance, services
from gongzhi.places.compliance import State, Status
from gongzhi.places.models import Household, Place, PostTerms, Room, RoomFunction
from tests.conftest import make_user
from tests.places.test_compliance import (
    add_households,
    add_residents,
    check,
    report_of,
    set_profile,
)

F = RoomFunction
LOUDI_ROOMS = [
    (F.SERVICE_HALL, "一站式服务大厅", "60"),
    (F.PARTY_MASS, "党群活动室", "80"),
    (F.POLICE, "警务室", "20"),
    (F.FAMILY_PLANNING, "计生服务室", "20"),
    (F.CHARITY_SUPERMARKET, "慈善超市", "30"),
    (F.OFFICE, "社区办公室", "40"),
]


def rooms(community, spec):
    Room.objects.bulk_create(
        Room(place=community, function=f, name=n, area_m2=Decimal(a), place_path=community.path)
        for f, n, a in spec
    )


def community(world, **fields):
    Place.objects.filter(pk=world.community_a1.pk).update(**fields)
    return Place.objects.get(pk=world.community_a1.pk)


# --------------------------------------------------------------------------- premises


def test_a_new_community_is_checked_against_600_under_loudi(world):
    set_profile(world.district, "loudi")
    community(world, service_area_m2=Decimal("500"))
    premises = report_of(world.community_a1).checks
    general = next(c for c in premises if c.key.startswith("premises.") and "min_m2" in c.key)
    assert (general.key, general.required, general.status) == (
        "premises.service_centre_min_m2",
        400,
        Status.OK,
    )
    community(world, is_new_community=True)
    report = report_of(world.community_a1)
    new = check(report, "premises.new_community_min_m2")
    assert (new.required, new.actual, new.status) == (600, Decimal("500.0"), Status.SHORT)
    assert new.citation.startswith("001 §8")
    assert not any(c.key == "premises.service_centre_min_m2" for c in report.checks)


def test_a_new_community_under_a_profile_without_the_new_key_uses_its_general_key(world):
    set_profile(world.district, "lishui-lingshan")  # 1500, no new-community figure
    community(world, is_new_community=True, service_area_m2=Decimal("1500"))
    premises = check(report_of(world.community_a1), "premises.service_centre_min_m2")
    assert (premises.required, premises.status) == (1500, Status.OK)


def test_service_hall_and_the_rooms_seed_001_names(world):
    set_profile(world.district, "loudi")
    c = community(world)
    report = report_of(c)
    assert check(report, "premises.service_hall_min_m2").status == Status.NOT_RECORDED
    assert check(report, "premises.rooms").status == Status.NOT_RECORDED
    rooms(c, [(F.SERVICE_HALL, "大厅", "40"), *LOUDI_ROOMS[1:]])  # no mediation room
    report = report_of(c)
    hall = check(report, "premises.service_hall_min_m2")
    assert (hall.actual, hall.required, hall.status) == (Decimal("40.0"), 50, Status.SHORT)
    named = check(report, "premises.rooms")
    assert named.status == Status.SHORT
    assert named.missing == [str(F.MEDIATION.label)]
    assert (named.actual, named.required) == (5, 6)
    rooms(c, [(F.MEDIATION, "人民调解室", "15"), (F.SERVICE_HALL, "新大厅", "55")])
    report = report_of(c)
    assert check(report, "premises.service_hall_min_m2").status == Status.OK  # the largest hall
    assert check(report, "premises.rooms").status == Status.OK
    assert check(report, "premises.rooms").missing == []


@pytest.mark.parametrize("rooms_line", ["", "  named_rooms_required: 0  # y §2: 0\n"])
def test_a_service_hall_minimum_alone_does_not_require_loudis_rooms(world, profile_dir, rooms_line):
    """Another document's service hall does not bring the six rooms Loudi names: they are
    checked only where the profile sets premises.named_rooms_required to 1."""
    (profile_dir / "hall-only.yaml").write_text(
        "source: y.txt\ntitle: t\npremises:\n  service_hall_min_m2: 80  # y §1: 80\n" + rooms_line,
        encoding="utf-8",
    )
    set_profile(world.district, "hall-only")
    c = community(world)
    rooms(c, [(F.SERVICE_HALL, "大厅", "90")])
    report = report_of(c)
    assert check(report, "premises.service_hall_min_m2").status == Status.OK
    named = check(report, "premises.rooms")
    assert (named.status, named.required, named.missing) == (Status.NOT_SET, None, [])
    assert report.state == State.OK
    set_profile(world.district, "loudi")  # 001 §9: required = 1
    named = check(report_of(c), "premises.rooms")
    assert (named.status, named.required, len(named.missing)) == (Status.SHORT, 6, 6)
    assert "001 §9" in named.citation and "调解室" in named.citation


def test_elderly_care_and_childcare_areas_under_lishui_only(world):
    set_profile(world.district, "lishui-lingshan")  # 3900 / 1400 m² (002 §四1)
    c = community(world)
    rooms(
        c,
        [
            (F.ELDERLY_CARE, "颐养中心一楼", "2000"),
            (F.ELDERLY_CARE, "颐养中心二楼", "1900"),
            (F.CHILDCARE, "托育园", "1000"),
        ],
    )
    report = report_of(c)
    elderly = check(report, "premises.elderly_care_min_m2")
    childcare = check(report, "premises.childcare_min_m2")
    assert (elderly.actual, elderly.required, elderly.status) == (
        Decimal("3900.0"),
        3900,
        Status.OK,
    )
    assert (childcare.actual, childcare.status) == (Decimal("1000.0"), Status.SHORT)
    # Lishui sets no service hall: the hall and the 001 rooms are not borrowed from Loudi.
    assert check(report, "premises.service_hall_min_m2").status == Status.NOT_SET
    assert check(report, "premises.rooms").status == Status.NOT_SET
    set_profile(world.district, "loudi")  # sets no care areas
    report = report_of(c)
    assert check(report, "premises.elderly_care_min_m2").status == Status.NOT_SET
    assert check(report, "premises.childcare_min_m2").status == Status.NOT_SET
    with translation.override("en"):
        assert check(report, "premises.childcare_min_m2").status_label == "Not set by this document"


def test_a_profile_that_sets_nothing_borrows_no_rule(world):
    set_profile(world.district, "huangshi-changleshan")
    c = community(world, is_new_community=True, service_area_m2=Decimal("10"))
    make_user(Role.GRID_WORKER, world.grid_a1_1)
    rooms(c, [(F.OTHER, "仓库", "5")])
    report = report_of(c)
    assert {c.status for c in report.checks} == {Status.NOT_SET}
    assert report.state == State.NOT_SET


def test_a_dated_target_past_its_date_is_overdue(world):
    set_profile(world.district, "wuhan-east-lake")  # 1000 m² by the end of 2025 (000 §六)
    community(world, service_area_m2=Decimal("800"))
    clock.set_now(dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC))
    premises = check(report_of(world.community_a1), "premises.service_centre_min_m2")
    assert premises.status == Status.SHORT
    with translation.override("en"):
        assert premises.status_label == "Short (due by 2025-12-31)"
    clock.set_now(dt.datetime(2026, 1, 2, 9, tzinfo=dt.UTC))
    premises = check(report_of(world.community_a1), "premises.service_centre_min_m2")
    assert premises.status == Status.OVERDUE
    with translation.override("en"):
        assert premises.status_label == "Overdue since 2025-12-31"
    assert "2025-12-31" in premises.status_label
    assert report_of(world.community_a1).state == State.SHORT


# --------------------------------------------------------------------------- staffing


def test_staffing_counts_resident_households_only(world):
    set_profile(world.district, "loudi")  # 1 worker per 200 resident households
    add_households(world.grid_a1_1.buildings[1], 400)
    homes = list(Household.objects.filter(place_path__under=world.community_a1.path))
    add_residents(homes[:150])  # registered, living here
    add_residents(homes[150:260], ResidenceStatus.RESIDENT)  # 常住, hukou elsewhere
    add_residents(homes[260:300], ResidenceStatus.FLOATING)  # floating only: not 常住
    add_residents(homes[300:350], active=False)  # moved out: not counted
    add_residents(homes[:10], ResidenceStatus.FLOATING)  # a second person: counted once
    make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    report = report_of(world.community_a1)
    assert report.households == 408
    # 260 in A1G1, plus the 4 households of A1G2, where nobody is registered: counted in full.
    assert (report.resident_households, report.grids_counted_in_full) == (260 + 4, 1)
    staffing = check(report, "staffing.households_per_worker")
    assert (staffing.required, staffing.actual, staffing.status) == (2, 1, Status.SHORT)


def test_a_grid_with_nobody_registered_counts_all_its_households(world, client):
    """808 households, 150 registered in one grid: the grid with no registry yet cannot show
    how many of its households are resident, so all of them count (404) — not none of them
    (which gave 150 → 1 worker required, "OK" on a registry half filled in)."""
    set_profile(world.district, "loudi")  # 1 worker per 200 resident households
    add_households(world.grid_a1_1.buildings[1], 400)
    add_households(world.grid_a1_2.buildings[1], 400)
    add_residents(Household.objects.filter(place_path__under=world.grid_a1_1.path)[:150])
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    report = report_of(world.community_a1)
    assert (report.households, report.resident_households) == (808, 150 + 404)
    assert report.grids_counted_in_full == 1
    staffing = check(report, "staffing.households_per_worker")
    assert (staffing.required, staffing.actual, staffing.status) == (3, 1, Status.SHORT)
    client.force_login(secretary)
    client.cookies["django_language"] = "zh-hans"
    body = client.get(reverse("compliance:community", args=[world.community_a1.pk]))
    assert "未登记居民的网格按全部户数计算（1个网格）" in body.content.decode()
    # Once every grid has someone registered, only resident households count again.
    add_residents(Household.objects.filter(place_path__under=world.grid_a1_2.path)[:10])
    report = report_of(world.community_a1)
    assert (report.resident_households, report.grids_counted_in_full) == (160, 0)
    assert check(report, "staffing.households_per_worker").note == ""


def test_part_time_grid_workers_do_not_count(world):
    set_profile(world.district, "loudi")
    add_residents(Household.objects.filter(place_path__under=world.community_a1.path))
    full = make_user(Role.GRID_WORKER, world.grid_a1_1)
    part = make_user(Role.GRID_WORKER, world.grid_a1_2)
    PostTerms.objects.create(post=Post.objects.get(user=part), full_time=False)
    PostTerms.objects.create(post=Post.objects.get(user=full), full_time=True)
    report = report_of(world.community_a1)
    assert (report.workers, report.part_time_workers) == (1, 1)
    assert check(report, "staffing.households_per_worker").actual == 1


def test_head_counts_min_max_and_full_time(world):
    set_profile(world.district, "loudi")  # 5–7 workers (001 §6)
    for _i in range(4):
        make_user(Role.COMMUNITY_WORKER, world.community_a1)
    report = report_of(world.community_a1)
    assert check(report, "staffing.min_workers").status == Status.SHORT
    assert check(report, "staffing.max_workers").status == Status.OK
    assert check(report, "staffing.full_time_workers").status == Status.NOT_SET
    for _i in range(4):
        make_user(Role.GRID_WORKER, world.grid_a1_1)
    report = report_of(world.community_a1)
    assert check(report, "staffing.min_workers").status == Status.OK
    most = check(report, "staffing.max_workers")
    assert (most.actual, most.required, most.status) == (8, 7, Status.OVER)
    assert report.state == State.SHORT
    set_profile(world.district, "lishui-lingshan")  # 8 full-time workers (002 §四2)
    assert check(report_of(world.community_a1), "staffing.full_time_workers").status == Status.OK
    Post.objects.filter(role=Role.GRID_WORKER, place=world.grid_a1_1).first()
    last = Post.objects.filter(role=Role.GRID_WORKER, place=world.grid_a1_1).first()
    PostTerms.objects.create(post=last, full_time=False)
    head_count = check(report_of(world.community_a1), "staffing.full_time_workers")
    assert (head_count.actual, head_count.status) == (7, Status.SHORT)


# --------------------------------------------------------------------------- room services


@pytest.fixture
def secretary(world):
    return make_user(Role.COMMUNITY_SECRETARY, world.community_a1)


def test_room_service_writes_and_audits(world, secretary):
    c = community(world)
    room = services.create_room(
        actor=secretary, place=c, function=F.MEDIATION, name=" 调解室 ", area_m2="18.25"
    )
    assert (room.name, room.area_m2, room.place_path) == ("调解室", Decimal("18.3"), c.path)
    services.update_room(
        actor=secretary, room=room, function=F.MEDIATION, name="人民调解室", area_m2="20"
    )
    room.refresh_from_db()
    assert (room.name, room.area_m2) == ("人民调解室", Decimal("20.0"))
    services.delete_room(actor=secretary, room=room)
    assert not Room.objects.exists()
    actions = list(
        AuditRecord.objects.filter(action__startswith="room.").values_list("action", flat=True)
    )
    assert sorted(actions) == ["room.create", "room.delete", "room.update"]


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"function": "kitchen", "name": "厨房", "area_m2": "10"}, "function"),
        ({"function": F.OFFICE, "name": "  ", "area_m2": "10"}, "name"),
        ({"function": F.OFFICE, "name": "办公室", "area_m2": "0"}, "area_m2"),
        ({"function": F.OFFICE, "name": "办公室", "area_m2": "-3"}, "area_m2"),
        ({"function": F.OFFICE, "name": "办公室", "area_m2": "abc"}, "area_m2"),
        ({"function": F.OFFICE, "name": "办公室", "area_m2": "NaN"}, "area_m2"),
    ],
)
def test_bad_room_input_is_refused_and_writes_nothing(world, secretary, fields, field):
    with pytest.raises(ValidationError) as error:
        services.create_room(actor=secretary, place=community(world), **fields)
    assert field in error.value.message_dict
    assert not Room.objects.exists()
    assert not AuditRecord.objects.filter(action="room.create").exists()


def test_a_room_name_is_unique_in_its_community(world, secretary):
    c = community(world)
    services.create_room(actor=secretary, place=c, function=F.OFFICE, name="办公室", area_m2="10")
    with pytest.raises(ValidationError):
        services.create_room(actor=secretary, place=c, function=F.OTHER, name="办公室", area_m2="5")
    assert Room.objects.count() == 1


def test_rooms_only_for_a_community(world):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    with pytest.raises(ValidationError):
        services.create_room(
            actor=officer, place=world.grid_a1_1, function=F.OFFICE, name="办公室", area_m2="10"
        )


def test_room_service_refuses_wrong_roles(world):
    c = community(world)
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)  # sees, may not edit
    with pytest.raises(PermissionDenied):
        services.create_room(actor=worker, place=c, function=F.OFFICE, name="办公室", area_m2="10")
    other = make_user(Role.COMMUNITY_SECRETARY, world.community_a2)  # another community
    with pytest.raises(Http404):
        services.create_room(actor=other, place=c, function=F.OFFICE, name="办公室", area_m2="10")
    assert not Room.objects.exists()


def test_post_terms_service(world, secretary):
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    post = Post.objects.get(user=grid_worker)
    services.set_post_full_time(actor=secretary, post=post, full_time=False)
    assert PostTerms.objects.get(post=post).full_time is False
    assert AuditRecord.objects.filter(action="post.terms").count() == 1
    services.set_post_full_time(actor=secretary, post=post, full_time=False)  # no change, no record
    assert AuditRecord.objects.filter(action="post.terms").count() == 1
    head = Post.objects.get(user=make_user(Role.BUILDING_HEAD, world.grid_a1_1.buildings[0]))
    with pytest.raises(ValidationError):
        services.set_post_full_time(actor=secretary, post=head, full_time=False)
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    with pytest.raises(PermissionDenied):
        services.set_post_full_time(actor=worker, post=post, full_time=True)
    with pytest.raises(Http404):
        services.set_post_full_time(
            actor=make_user(Role.COMMUNITY_SECRETARY, world.community_a2), post=post, full_time=True
        )
    assert PostTerms.objects.get(post=post).full_time is False


def test_post_terms_at_the_default_write_nothing(world, secretary):
    """Full-time is what a post without terms already is: no row, no unaudited insert."""
    post = Post.objects.get(user=make_user(Role.GRID_WORKER, world.grid_a1_1))
    terms = services.set_post_full_time(actor=secretary, post=post, full_time=True)
    assert terms.full_time is True
    assert not PostTerms.objects.exists()
    assert not AuditRecord.objects.filter(action="post.terms").exists()
    services.set_post_full_time(actor=secretary, post=post, full_time=False)
    services.set_post_full_time(actor=secretary, post=post, full_time=True)
    changes = [
        r.changes["full_time"]
        for r in AuditRecord.objects.filter(action="post.terms").order_by("id")
    ]
    assert changes == [[True, False], [False, True]]


def test_a_concurrent_rename_is_refused_not_a_500(world, secretary, monkeypatch):
    """Two renames to the same name pass the name check together; the database refuses the
    second, which reaches the user as the same message as create_room's, not an error page."""
    c = community(world)
    rooms(c, [(F.OFFICE, "办公室", "10"), (F.OTHER, "活动室", "10")])
    other = Room.objects.get(name="活动室")
    monkeypatch.setattr(services, "_room_name_taken", lambda *args: False)  # the race
    with pytest.raises(ValidationError) as refused:
        services.update_room(
            actor=secretary, room=other, function=F.OTHER, name="办公室", area_m2="10"
        )
    assert "name" in refused.value.message_dict
    assert Room.objects.get(pk=other.pk).name == "活动室"
    assert not AuditRecord.objects.filter(action="room.update").exists()


# --------------------------------------------------------------------------- pages


def test_rooms_page_records_a_room_and_is_paginated(
    world, secretary, client, django_assert_max_num_queries
):
    c = community(world)
    rooms(c, [(F.OTHER, f"功能室{i:02d}", "10") for i in range(55)])
    client.force_login(secretary)
    url = reverse("places:rooms", args=[c.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 50
    assert client.get(url + "?page=2").context["page"].object_list.__len__() == 5
    res = client.post(url, {"function": F.MEDIATION, "name": "调解室", "area_m2": "15"})
    assert res.status_code == 302
    assert Room.objects.filter(place=c, name="调解室").exists()
    bad = client.post(url, {"function": F.MEDIATION, "name": "调解室", "area_m2": "15"})
    assert bad.status_code == 400
    assert "已有" in bad.content.decode() or "already" in bad.content.decode()
    room = Room.objects.get(name="调解室")
    edit = reverse("places:room_edit", args=[c.pk, room.pk])
    assert client.get(edit).status_code == 200
    assert (
        client.post(edit, {"function": F.MEDIATION, "name": "调解室", "area_m2": "0"}).status_code
        == 400
    )
    assert (
        client.post(edit, {"function": F.MEDIATION, "name": "调解室", "area_m2": "16"}).status_code
        == 302
    )
    room.refresh_from_db()
    assert room.area_m2 == Decimal("16.0")
    delete = reverse("places:room_delete", args=[c.pk, room.pk])
    assert client.post(delete).status_code == 302
    assert not Room.objects.filter(pk=room.pk).exists()


def test_rooms_page_wrong_roles(world, client):
    c = community(world)
    rooms(c, [(F.OFFICE, "办公室", "10")])
    room = Room.objects.get()
    url = reverse("places:rooms", args=[c.pk])
    edit = reverse("places:room_edit", args=[c.pk, room.pk])
    delete = reverse("places:room_delete", args=[c.pk, room.pk])
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    assert client.get(url).status_code == 200  # may see
    assert 'data-testid="room-form"' not in client.get(url).content.decode()
    assert client.post(url, {"function": F.OFFICE, "name": "新", "area_m2": "5"}).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a2))
    assert client.get(url).status_code == 404
    assert client.post(delete).status_code == 404
    assert client.get(reverse("places:rooms", args=[world.grid_a1_1.pk])).status_code == 404
    assert Room.objects.count() == 1


def test_staff_page_marks_a_grid_worker_part_time(
    world, secretary, client, django_assert_max_num_queries
):
    set_profile(world.district, "loudi")
    for i in range(14):
        make_user(Role.GRID_WORKER, world.grid_a1_1, name=f"网格员{i:02d}")
    client.force_login(secretary)
    url = reverse("places:staff", args=[world.community_a1.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 15
    post = Post.objects.filter(role=Role.GRID_WORKER).first()
    res = client.post(
        reverse("places:staff_terms", args=[world.community_a1.pk, post.pk]), {"full_time": "0"}
    )
    assert res.status_code == 302
    assert PostTerms.objects.get(post=post).full_time is False
    assert f'data-post="{post.pk}" data-full-time="0"' in client.get(url).content.decode()
    assert report_of(world.community_a1).part_time_workers == 1


def test_staff_page_wrong_roles(world, client):
    post = Post.objects.get(user=make_user(Role.GRID_WORKER, world.grid_a1_1))
    terms = reverse("places:staff_terms", args=[world.community_a1.pk, post.pk])
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    assert client.get(reverse("places:staff", args=[world.community_a1.pk])).status_code == 200
    assert client.post(terms, {"full_time": "0"}).status_code == 403
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a2))
    assert client.post(terms, {"full_time": "0"}).status_code == 404
    assert not PostTerms.objects.exists()


def test_property_staff_see_rooms_without_a_compliance_button_and_no_staff_list(world, client):
    """No button that leads to a refusal: property staff may browse the rooms but not the
    compliance page, and the staff list is internal (community staff and above)."""
    c = community(world)
    rooms_url = reverse("places:rooms", args=[c.pk])
    staff_url = reverse("places:staff", args=[c.pk])
    client.force_login(make_user(Role.PROPERTY_STAFF, world.community_a1))
    page = client.get(rooms_url)
    assert page.status_code == 200
    assert 'data-testid="compliance-link"' not in page.content.decode()
    assert client.get(reverse("compliance:community", args=[c.pk])).status_code == 403
    assert client.get(staff_url).status_code == 403
    detail = client.get(reverse("places:detail", args=[c.pk])).content.decode()
    assert 'data-testid="rooms-link"' in detail and 'data-testid="staff-link"' not in detail
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    assert 'data-testid="compliance-link"' in client.get(rooms_url).content.decode()
    assert 'data-testid="compliance-link"' in client.get(staff_url).content.decode()
    assert (
        'data-testid="staff-link"'
        in client.get(reverse("places:detail", args=[c.pk])).content.decode()
    )


def test_compliance_page_shows_the_new_checks(world, client):
    set_profile(world.district, "loudi")
    c = community(world, is_new_community=True, service_area_m2=Decimal("500"))
    rooms(c, [(F.SERVICE_HALL, "大厅", "60"), *LOUDI_ROOMS[1:]])
    part = make_user(Role.GRID_WORKER, world.grid_a1_1)
    PostTerms.objects.create(post=Post.objects.get(user=part), full_time=False)
    client.force_login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    body = client.get(reverse("compliance:community", args=[c.pk])).content.decode()
    assert 'data-key="premises.new_community_min_m2"' in body
    assert 'data-testid="missing-rooms"' in body
    assert "调解室" in body  # the missing room, in Chinese
    assert "1个兼职岗位不计入" in body  # the part-time grid worker is named as not counted


def test_place_edit_sets_a_community_new_and_its_area_class(world, client):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    client.force_login(officer)
    url = reverse("places:edit", args=[world.community_a1.pk])
    form = client.get(url)
    assert "is_new_community" in form.content.decode()
    res = client.post(
        url,
        {"name": world.community_a1.name, "is_new_community": "on", "area_class": "county"},
    )
    assert res.status_code == 302, res.content.decode()[:500]
    c = Place.objects.get(pk=world.community_a1.pk)
    assert (c.is_new_community, c.area_class) == (True, "county")
    grid_form = client.get(reverse("places:edit", args=[world.grid_a1_1.pk]))
    assert "is_new_community" not in grid_form.content.decode()


# --------------------------------------------------------------------------- API


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_rooms_api(world, secretary, django_assert_max_num_queries):
    c = community(world)
    api = _api(secretary)
    base = f"/api/v1/places/{c.pk}/rooms/"
    res = api.post(
        base, {"function": "mediation", "name": "调解室", "area_m2": "15"}, format="json"
    )
    assert res.status_code == 201, res.content
    room_id = res.json()["id"]
    bad = api.post(
        base, {"function": "mediation", "name": "调解室二", "area_m2": "0"}, format="json"
    )
    assert bad.status_code == 400
    rooms(c, [(F.OTHER, f"功能室{i:02d}", "10") for i in range(14)])
    with django_assert_max_num_queries(8):
        listed = api.get(base)
    assert listed.status_code == 200 and listed.json()["count"] == 15
    res = api.patch(f"{base}{room_id}/", {"area_m2": "18"}, format="json")
    assert res.status_code == 200 and res.json()["area_m2"] == "18.0"
    assert api.delete(f"{base}{room_id}/").status_code == 204
    assert api.get(f"/api/v1/places/{world.grid_a1_1.pk}/rooms/").status_code == 404


def test_room_api_bodies_put_needs_every_field_patch_some_bad_bodies_400(world, secretary):
    """PUT replaces the whole room, PATCH changes some fields (also sent as a form), and a body
    that is not an object is a 400 with a Chinese message, never a 500; nothing is written."""
    c = community(world)
    api = _api(secretary)
    base = f"/api/v1/places/{c.pk}/rooms/"
    url = f"{base}{api.post(base, {'function': 'mediation', 'name': '调解室', 'area_m2': '15'}, format='json').json()['id']}/"
    with translation.override("zh-hans"):
        for body in ("[1, 2]", '"x"', "3"):
            res = api.generic("PUT", url, body, content_type="application/json")
            assert res.status_code == 400, body
            assert "JSON" in res.json()["detail"] and "请求" in res.json()["detail"]
    assert api.put(url, {"area_m2": "18"}, format="json").status_code == 400  # PUT: all fields
    res = api.patch(url, "area_m2=18", content_type="application/x-www-form-urlencoded")
    assert res.status_code == 200, res.content
    res = api.put(url, {"function": "office", "name": "办公室", "area_m2": "20"}, format="json")
    assert res.status_code == 200 and res.json()["name"] == "办公室"
    room = Room.objects.get()
    assert (room.function, room.name, room.area_m2) == (F.OFFICE, "办公室", Decimal("20.0"))
    assert AuditRecord.objects.filter(action="room.update").count() == 2


def test_rooms_and_terms_api_wrong_roles(world):
    c = community(world)
    base = f"/api/v1/places/{c.pk}/rooms/"
    post = Post.objects.get(user=make_user(Role.GRID_WORKER, world.grid_a1_1))
    terms = f"/api/v1/places/{c.pk}/staff/{post.pk}/terms/"
    worker = _api(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    assert worker.get(base).status_code == 200
    assert (
        worker.post(
            base, {"function": "office", "name": "办公室", "area_m2": "5"}, format="json"
        ).status_code
        == 403
    )
    assert worker.post(terms, {"full_time": False}, format="json").status_code == 403
    other = _api(make_user(Role.COMMUNITY_SECRETARY, world.community_a2))
    assert other.get(base).status_code == 404
    assert (
        other.post(
            base, {"function": "office", "name": "办公室", "area_m2": "5"}, format="json"
        ).status_code
        == 404
    )
    assert other.post(terms, {"full_time": False}, format="json").status_code == 404
    assert not Room.objects.exists() and not PostTerms.objects.exists()


def test_terms_api_and_compliance_api(world, secretary):
    set_profile(world.district, "loudi")
    post = Post.objects.get(user=make_user(Role.GRID_WORKER, world.grid_a1_1))
    api = _api(secretary)
    res = api.post(
        f"/api/v1/places/{world.community_a1.pk}/staff/{post.pk}/terms/",
        {"full_time": False},
        format="json",
    )
    assert res.status_code == 200 and res.json() == {"post": post.pk, "full_time": False}
    community(world, service_area_m2=Decimal("300"))
    data = api.get(f"/api/v1/compliance/{world.community_a1.pk}/").json()
    assert (data["workers"], data["part_time_workers"]) == (
        1,
        1,
    )  # the secretary; not the part-timer
    assert data["resident_households"] is None  # nobody in the registry yet
    premises = next(c for c in data["checks"] if c["key"] == "premises.service_centre_min_m2")
    assert (premises["status"], premises["due"]) == ("overdue", "2015-12-31")
    rooms_check = next(c for c in data["checks"] if c["key"] == "premises.rooms")
    assert rooms_check["status"] == "not_recorded"


def test_place_api_refuses_new_community_on_a_grid(world):
    api = _api(make_user(Role.STREET_OFFICER, world.street_a))
    res = api.patch(
        f"/api/v1/places/{world.grid_a1_1.pk}/", {"is_new_community": True}, format="json"
    )
    assert res.status_code == 400
    res = api.patch(
        f"/api/v1/places/{world.community_a1.pk}/", {"area_class": "central"}, format="json"
    )
    assert res.status_code == 200 and res.json()["area_class"] == "central"
    assert (
        compliance.community_report(
            Place.objects.get(pk=world.community_a1.pk)
        ).community.area_class
        == "central"
    )


def test_the_registry_counts_resident_households_in_one_query(world, django_assert_num_queries):
    from gongzhi.people.compliance import resident_households_per_grid

    assert compliance.households_provider() is resident_households_per_grid  # installed
    homes = list(Household.objects.filter(place_path__under=world.grid_a1_1.path))
    add_residents(homes[:2])
    add_residents(homes[2:3], ResidenceStatus.FLOATING)
    grids = list(Place.objects.filter(kind="grid", parent=world.community_a1))
    with django_assert_num_queries(1):
        counts = resident_households_per_grid(grids)
    # A1G2 has households but nobody in the registry: left out ("not yet recorded").
    assert counts == {world.grid_a1_1.pk: 2}
