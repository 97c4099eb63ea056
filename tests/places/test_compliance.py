"""Compliance of a community with its policy profile: the service, the pages, the API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.people.models import ResidenceStatus, Resident
from gongzhi.places import compliance
from gongzhi.places.compliance import State, Status
from gongzhi.places.models import Household, Place
from tests.conftest import make_place, make_user

SHIPPED = Path(django_settings.BASE_DIR) / "profiles"


@pytest.fixture(autouse=True)
def _restore_people_provider():
    installed = compliance.people_provider()
    yield
    compliance.set_people_provider(installed)


def set_profile(place, name):
    Place.objects.filter(pk=place.pk).update(policy_profile=name)


def add_households(building, n):
    Household.objects.bulk_create(
        Household(building=building, unit_no="9", room_no=f"{i:04d}", place_path=building.path)
        for i in range(n)
    )


def add_residents(households, status=ResidenceStatus.REGISTERED, *, active=True):
    """One resident in each household."""
    Resident.objects.bulk_create(
        Resident(
            name=f"居民{h.pk}",
            name_initials="jm",
            gender="F",
            household=h,
            place_path=h.place_path,
            residence_status=status,
            is_active=active,
        )
        for h in households
    )


def report_of(community):
    return compliance.community_report(Place.objects.get(pk=community.pk))


def check(report, key):
    return next(c for c in report.checks if c.key == key)


# --------------------------------------------------------------------------- the service


def test_grids_over_the_profile_size_beyond_tolerance_are_flagged(world):
    set_profile(world.district, "loudi")  # 200 households per grid, tolerance 20% → 240
    add_households(world.grid_a1_1.buildings[1], 236)  # 4 + 236 = 240: at the limit
    add_households(world.grid_a1_2.buildings[1], 237)  # 4 + 237 = 241: over
    report = report_of(world.community_a1)
    rows = {row.grid.pk: row for row in report.grids}
    assert rows[world.grid_a1_1.pk].households == 240
    assert rows[world.grid_a1_1.pk].households_status == Status.OK
    assert rows[world.grid_a1_2.pk].households_status == Status.SHORT
    grid_check = check(report, "grid.households")
    assert (grid_check.status, grid_check.over, grid_check.total) == (Status.SHORT, 1, 2)
    assert grid_check.citation.startswith("001 §3")
    assert report.state == State.SHORT


def test_profile_tolerance_overrides_the_default(world, profile_dir):
    (profile_dir / "strict.yaml").write_text(
        "source: x.txt\ntitle: t\ngrid:\n  households: 5\n  tolerance_percent: 0\n"
    )
    set_profile(world.community_a1, "strict")
    add_households(world.grid_a1_2.buildings[1], 2)  # 6 > 5
    report = report_of(world.community_a1)
    statuses = [row.households_status for row in report.grids]
    assert statuses == [Status.OK, Status.SHORT]


def test_people_are_not_yet_recorded_without_a_provider(world):
    compliance.set_people_provider(None)
    set_profile(world.district, "loudi")
    report = report_of(world.community_a1)
    assert all(row.people is None for row in report.grids)
    assert all(row.people_status == Status.NOT_RECORDED for row in report.grids)
    assert check(report, "grid.people").status == Status.NOT_RECORDED
    assert report.state == State.SHORT  # staffing: loudi wants 5–7 workers, none hold a post


def test_a_people_provider_plugs_in(world):
    set_profile(world.district, "loudi")  # 600 people, +20% → 720
    seen = []

    def provider(grids):
        seen.append(len(grids))
        return {world.grid_a1_1.pk: 721, world.grid_a1_2.pk: 600}

    compliance.set_people_provider(provider)
    report = report_of(world.community_a1)
    assert seen == [2]  # called once, with every grid
    rows = {row.grid.pk: row for row in report.grids}
    assert rows[world.grid_a1_1.pk].people_status == Status.SHORT
    assert rows[world.grid_a1_2.pk].people_status == Status.OK
    assert check(report, "grid.people").over == 1


def test_staffing_counts_active_worker_posts_at_the_community_and_below(world):
    set_profile(world.district, "loudi")  # 1 worker per 200 resident households
    add_households(world.grid_a1_1.buildings[1], 392)
    add_residents(Household.objects.filter(place_path__under=world.community_a1.path))
    make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    report = report_of(world.community_a1)
    staffing = check(report, "staffing.households_per_worker")
    assert (staffing.actual, staffing.required, staffing.status) == (1, 2, Status.SHORT)

    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_2)
    make_user(Role.BUILDING_HEAD, world.grid_a1_2.buildings[0])  # not staff: not counted
    make_user(Role.COMMUNITY_WORKER, world.community_a2)  # another community: not counted
    staffing = check(report_of(world.community_a1), "staffing.households_per_worker")
    assert (staffing.actual, staffing.status) == (2, Status.OK)

    Post.objects.filter(user=grid_worker).update(is_active=False)
    staffing = check(report_of(world.community_a1), "staffing.households_per_worker")
    assert (staffing.actual, staffing.status) == (1, Status.SHORT)


def test_premises_against_the_minimum(world):
    set_profile(world.district, "loudi")  # 400 m², due by the end of 2015 (001 §8)
    assert check(report_of(world.community_a1), "premises.service_centre_min_m2").status == (
        Status.NOT_RECORDED
    )
    Place.objects.filter(pk=world.community_a1.pk).update(service_area_m2=Decimal("399.9"))
    premises = check(report_of(world.community_a1), "premises.service_centre_min_m2")
    assert premises.status == Status.OVERDUE
    assert premises.due.isoformat() == "2015-12-31"
    Place.objects.filter(pk=world.community_a1.pk).update(service_area_m2=Decimal("400"))
    premises = check(report_of(world.community_a1), "premises.service_centre_min_m2")
    assert (premises.status, premises.actual, premises.required) == (
        Status.OK,
        Decimal("400.0"),
        400,
    )


def test_numbers_the_profile_does_not_set_are_not_set(world):
    set_profile(world.street_a, "lishui-lingshan")  # premises, care areas, 8 full-time workers
    Place.objects.filter(pk=world.community_a1.pk).update(service_area_m2=Decimal("1600"))
    report = report_of(world.community_a1)
    statuses = {c.key: c.status for c in report.checks}
    assert statuses == {
        "grid.households": Status.NOT_SET,
        "grid.people": Status.NOT_SET,
        "staffing.households_per_worker": Status.NOT_SET,
        "staffing.min_workers": Status.NOT_SET,
        "staffing.max_workers": Status.NOT_SET,
        "staffing.full_time_workers": Status.SHORT,  # 002 §四2: 8, none recorded
        "premises.service_centre_min_m2": Status.OK,
        "premises.service_hall_min_m2": Status.NOT_SET,
        "premises.rooms": Status.NOT_SET,
        "premises.elderly_care_min_m2": Status.NOT_RECORDED,  # no rooms recorded yet
        "premises.childcare_min_m2": Status.NOT_RECORDED,
        "party.group_per_grid": Status.NOT_SET,
    }
    assert all(row.households_status == Status.NOT_SET for row in report.grids)
    assert report.state == State.SHORT
    set_profile(world.street_a, "huangshi-changleshan")  # sets nothing
    assert report_of(world.community_a1).state == State.NOT_SET


def test_no_profile_anywhere(world):
    report = report_of(world.community_a1)
    assert report.profile is None and report.checks == []
    assert report.state == State.NO_PROFILE
    assert report.households == 8


def test_a_broken_profile_is_reported_and_nothing_is_checked(world, profile_dir):
    (profile_dir / "broken.yaml").write_text("source: x.txt\ntitle: t\ngrid:\n  households: [\n")
    set_profile(world.district, "broken")
    report = report_of(world.community_a1)
    assert report.state == State.ERROR
    assert report.checks == []
    assert len(report.grids) == 2  # the figures are still shown
    set_profile(world.district, "gone")  # a name without a file
    assert report_of(world.community_a1).state == State.ERROR


def test_reports_for_many_communities_use_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    set_profile(world.district, "loudi")
    few = list(Place.objects.filter(pk=world.community_a2.pk))
    # profile setters, grids, worker posts, rooms, people, resident households, party orgs
    with django_assert_num_queries(7):
        compliance.reports_for(few)
    for i in range(30):
        grid = make_place(world.community_a1, "grid", f"G{i}", f"X{i}")
        add_households(make_place(grid, "building", "楼", "B1"), 3)
        make_user(Role.GRID_WORKER, grid)
    many = list(Place.objects.filter(kind="community"))
    with django_assert_num_queries(7):
        reports = compliance.reports_for(many)
    by_pk = {r.community.pk: r for r in reports}
    assert len(by_pk[world.community_a1.pk].grids) == 32
    assert by_pk[world.community_a1.pk].households == 8 + 90
    assert by_pk[world.community_a1.pk].workers == 30


# --------------------------------------------------------------------------- pages


def test_community_page_shows_figures_against_the_profile(world, login):
    set_profile(world.district, "loudi")
    add_households(world.grid_a1_2.buildings[1], 300)
    client = login(make_user(Role.COMMUNITY_SECRETARY, world.community_a1))
    response = client.get(reverse("compliance:community", args=[world.community_a1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-grid="{world.grid_a1_2.pk}"' in body
    assert 'data-status="short"' in body
    assert "第6条" in body  # the staffing citation (001 §6, shown as its paragraph)
    assert world.district.name in body  # inherited from the district


def test_community_page_shows_a_clear_error_for_a_broken_profile(world, login, profile_dir):
    (profile_dir / "broken.yaml").write_text("source: x.txt\ntitle: t\nstaffing:\n  per: 1\n")
    set_profile(world.community_a1, "broken")
    client = login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    client.cookies["django_language"] = "en"
    response = client.get(reverse("compliance:community", args=[world.community_a1.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="profile-errors"' in body
    assert "broken.yaml: unknown key “staffing.per”." in body


def test_community_page_queries_do_not_grow_with_grids(world, login, django_assert_max_num_queries):
    set_profile(world.district, "loudi")
    client = login(make_user(Role.STREET_OFFICER, world.street_a))
    url = reverse("compliance:community", args=[world.community_a1.pk])
    client.get(url)
    for i in range(40):
        make_place(world.community_a1, "grid", f"G{i}", f"X{i}")
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["report"].grids) == 42


def test_list_shows_communities_in_scope_with_a_status(world, login, django_assert_max_num_queries):
    set_profile(world.district, "loudi")
    set_profile(world.community_a2, "lishui-lingshan")
    client = login(make_user(Role.STREET_OFFICER, world.street_a))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("compliance:list"))
    assert response.status_code == 200
    states = {r.community.pk: r.state for r in response.context["reports"]}
    # A2: its own profile sets 8 full-time workers and there are none.
    assert states == {world.community_a1.pk: State.SHORT, world.community_a2.pk: State.SHORT}
    body = response.content.decode()
    assert world.community_b1.name not in body  # another street


def test_list_is_paginated_with_bounded_queries(world, login, django_assert_max_num_queries):
    set_profile(world.district, "loudi")
    for i in range(60):
        community = make_place(world.street_a, "community", f"社区{i}", f"C{i:03d}")
        make_place(community, "grid", "网格", "G01")
    client = login(make_user(Role.DISTRICT_OFFICER, world.district))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("compliance:list"))
    assert len(response.context["reports"]) == 50
    second = client.get(reverse("compliance:list") + "?page=2")
    assert len(second.context["reports"]) == 63 - 50


def test_community_worker_of_another_community_gets_404(world, login):
    client = login(make_user(Role.COMMUNITY_WORKER, world.community_a2))
    assert (
        client.get(reverse("compliance:community", args=[world.community_a1.pk])).status_code == 404
    )
    assert (
        client.get(reverse("compliance:community", args=[world.community_a2.pk])).status_code == 200
    )


def test_grid_worker_gets_404_for_compliance_and_403_for_the_list(world, login):
    client = login(make_user(Role.GRID_WORKER, world.grid_a1_1))
    url = reverse("compliance:community", args=[world.community_a1.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("compliance:list")).status_code == 403


def test_resident_gets_404(world, login):
    building = world.grid_a1_1.buildings[0]
    household = Household.objects.filter(building=building).first()
    client = login(make_user(Role.RESIDENT, building, household=household))
    assert (
        client.get(reverse("compliance:community", args=[world.community_a1.pk])).status_code == 404
    )
    assert client.get(reverse("compliance:list")).status_code == 403


def test_property_staff_who_sees_the_community_gets_403(world, login):
    client = login(make_user(Role.PROPERTY_STAFF, world.community_a1))
    url = reverse("compliance:community", args=[world.community_a1.pk])
    assert client.get(url).status_code == 403


def test_a_place_that_is_not_a_community_is_404(world, login):
    client = login(make_user(Role.STREET_OFFICER, world.street_a))
    assert client.get(reverse("compliance:community", args=[world.grid_a1_1.pk])).status_code == 404
    assert client.get(reverse("compliance:community", args=[world.street_a.pk])).status_code == 404


# --------------------------------------------------------------------------- API


def test_api_returns_the_report_and_scopes_like_the_page(world):
    set_profile(world.district, "loudi")
    api = APIClient()
    api.force_authenticate(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    response = api.get(f"/api/v1/compliance/{world.community_a1.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "short"  # loudi wants at least 5 workers
    assert data["profile"]["name"] == "loudi"
    assert data["profile"]["set_at"] == world.district.pk
    assert {c["key"]: c["status"] for c in data["checks"]} == {
        "grid.households": "ok",
        "grid.people": "not_recorded",
        "staffing.households_per_worker": "not_recorded",  # nobody in the registry yet
        "staffing.min_workers": "short",
        "staffing.max_workers": "ok",
        "staffing.full_time_workers": "not_set",
        "premises.service_centre_min_m2": "not_recorded",
        "premises.service_hall_min_m2": "not_recorded",
        "premises.rooms": "not_recorded",
        "premises.elderly_care_min_m2": "not_set",
        "premises.childcare_min_m2": "not_set",
        # 001 §1: a party group on every grid (loudi sets it to 1); the world has no party
        # organisation at all.
        "party.group_per_grid": "short",
    }
    assert [g["households"] for g in data["grids"]] == [4, 4]
    assert api.get(f"/api/v1/compliance/{world.community_a2.pk}/").status_code == 404
    grid_api = APIClient()
    grid_api.force_authenticate(make_user(Role.GRID_WORKER, world.grid_a1_1))
    assert grid_api.get(f"/api/v1/compliance/{world.community_a1.pk}/").status_code == 404
