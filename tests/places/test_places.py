"""The place tree: paths, subtree queries, services, pages and API."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.places import selectors, services
from gongzhi.places.models import Household, Place
from tests.conftest import make_households, make_place, make_user


def test_under_selects_the_subtree_and_not_a_sibling_sharing_a_prefix(world):
    g7 = make_place(world.community_a1, "grid", "七", "G7")
    g70 = make_place(world.community_a1, "grid", "七十", "G70")
    make_place(g70, "building", "楼", "B1")
    under_g7 = set(Place.objects.filter(path__under=g7.path).values_list("pk", flat=True))
    assert under_g7 == {g7.pk}
    assert Place.objects.filter(path__under=g70.path).count() == 2
    assert (
        Place.objects.filter(path__under=world.district.path).count()
        == Place.objects.filter(path__startswith=world.district.path).count()
    )


def test_subtree_counts(world):
    counts = selectors.subtree_counts(world.street_a)
    assert counts["community"] == 2
    assert counts["grid"] == 3
    assert counts["estate"] == 3
    assert counts["building"] == 6
    assert counts["household"] == 12


def test_children_carry_household_counts(world):
    user = make_user(Role.STREET_OFFICER, world.street_a)
    rows = {p.code: p.household_count for p in selectors.children(user, world.street_a)}
    assert rows == {"420111002001": 8, "420111002002": 4}


def test_create_place_is_validated_and_audited(world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    grid = services.create_place(
        actor=secretary, parent=world.community_a1, kind="grid", name="第九网格", code="G09"
    )
    assert grid.path == world.community_a1.path + "G09/"
    entry = AuditRecord.objects.get(action="place.create", target_id=str(grid.pk))
    assert entry.actor_id == secretary.pk
    assert entry.post_label.startswith(str(secretary.posts.get().get_role_display()))
    with pytest.raises(ValidationError):  # a street cannot sit under a community
        services.create_place(
            actor=secretary, parent=world.community_a1, kind="street", name="x", code="S1"
        )
    with pytest.raises(ValidationError):  # codes are letters and digits
        services.create_place(
            actor=secretary, parent=world.community_a1, kind="grid", name="x", code="G/1"
        )
    assert not Place.objects.filter(name="x").exists()


def test_official_code_lengths_are_checked(world):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    with pytest.raises(ValidationError) as err:
        services.update_place(actor=officer, place=world.community_a1, official_code="4201110020")
    assert "official_code" in err.value.message_dict
    world.community_a1.refresh_from_db()
    assert world.community_a1.official_code == "420111002001"


def test_update_place_records_before_and_after(world):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    services.update_place(actor=officer, place=world.community_a1, name="新名", service_area_m2=450)
    entry = AuditRecord.objects.get(action="place.update")
    assert entry.changes["name"] == ["珞南一社区", "新名"]
    assert entry.place_path == world.community_a1.path
    # Saving without a change writes nothing.
    services.update_place(actor=officer, place=world.community_a1, name="新名")
    assert AuditRecord.objects.filter(action="place.update").count() == 1


def test_create_household_under_a_building_only(world):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    building = world.grid_a1_1.buildings[0]
    hh = services.create_household(actor=secretary, building=building, unit_no="2", room_no="1502")
    assert hh.place_path == building.path
    with pytest.raises(ValidationError):
        services.create_household(
            actor=secretary, building=world.grid_a1_1, unit_no="1", room_no="1"
        )


def test_edit_form_reports_bad_input_and_changes_nothing(world, client):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    client.force_login(secretary)
    res = client.post(
        f"/places/{world.grid_a1_1.pk}/edit/",
        {"name": "", "boundary": "{not json", "policy_profile": "no-such-profile"},
    )
    assert res.status_code == 400
    form = res.context["form"]
    assert set(form.errors) >= {"name", "boundary"}
    # A good form naming a profile that does not exist: the service refuses it, shown on the field.
    res = client.post(
        f"/places/{world.grid_a1_1.pk}/edit/", {"name": "第一网格", "policy_profile": "no-such"}
    )
    assert res.status_code == 400
    assert "policy_profile" in res.context["form"].errors
    world.grid_a1_1.refresh_from_db()
    assert world.grid_a1_1.name.endswith("网格")
    assert not AuditRecord.objects.filter(action="place.update").exists()


def test_edit_form_saves_a_geojson_boundary(world, client):
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1)
    client.force_login(secretary)
    polygon = '{"type": "Polygon", "coordinates": [[[114.3,30.5],[114.31,30.5],[114.31,30.51],[114.3,30.5]]]}'
    res = client.post(
        f"/places/{world.grid_a1_1.pk}/edit/",
        {"name": "第一网格", "boundary": polygon, "centre_lat": "30.505", "centre_lng": "114.305"},
    )
    assert res.status_code == 302
    world.grid_a1_1.refresh_from_db()
    assert world.grid_a1_1.boundary["type"] == "Polygon"


@pytest.mark.parametrize(
    "url", ["/places/", "/places/{pk}/", "/places/{pk}/children/", "/places/{pk}/households/", "/"]
)
def test_pages_render_with_bounded_queries(world, client, django_assert_max_num_queries, url):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    client.force_login(officer)
    # Grow the data: the query count must not grow with it.
    for i in range(30):
        g = make_place(world.community_a1, "grid", f"加网格{i}", f"X{i}")
        make_households(make_place(g, "building", "楼", "B1"), n=3)
    # The home page is the workbench (to-dos, today, figures: one or two queries a provider;
    # tests/core/test_dashboard.py bounds it per role); a place page reads its place only.
    with django_assert_max_num_queries(36 if url == "/" else 12):
        res = client.get(url.format(pk=world.community_a1.pk))
    assert res.status_code == 200


def test_api_list_is_paginated_with_bounded_queries(world, django_assert_max_num_queries):
    officer = make_user(Role.DISTRICT_OFFICER, world.district)
    for i in range(60):
        make_place(world.community_a1, "grid", f"加网格{i}", f"X{i}")
    api = APIClient()
    api.force_authenticate(officer)
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/places/").json()
    assert body["count"] > 60 and len(body["results"]) == 50 and body["next"]
    with django_assert_max_num_queries(6):
        body = api.get("/api/v1/households/").json()
    assert body["count"] == Household.objects.filter(place_path__under=world.district.path).count()


def test_api_filters_and_counts(world):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    api = APIClient()
    api.force_authenticate(officer)
    grids = api.get("/api/v1/places/", {"kind": "grid"}).json()
    assert {r["code"] for r in grids["results"]} == {"G01", "G02"}
    assert grids["count"] == 3
    under = api.get("/api/v1/places/", {"under": world.community_a2.pk}).json()
    assert all(r["path"].startswith(world.community_a2.path) for r in under["results"])
    counts = api.get(f"/api/v1/places/{world.street_a.pk}/counts/").json()
    assert counts["household"] == 12
    # A filter naming a place outside the scope yields nothing, not its contents.
    assert api.get("/api/v1/places/", {"under": world.street_b.pk}).json()["count"] == 0


def test_api_rejects_bad_input_with_field_errors(world):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    api = APIClient()
    api.force_authenticate(officer)
    res = api.patch(
        f"/api/v1/places/{world.community_a1.pk}/", {"official_code": "12"}, format="json"
    )
    assert res.status_code == 400
    assert "official_code" in res.json()


def test_community_public_page_shows_names_not_phones(world, client):
    worker = make_user(Role.GRID_WORKER, world.grid_a1_1, name="李网格")
    resident = make_user(
        Role.RESIDENT,
        world.grid_a1_1.buildings[0],
        household=Household.objects.first(),
        phone="13911112222",
    )
    client.force_login(resident)
    body = client.get(f"/places/{world.community_a1.pk}/public/").content.decode()
    assert "李网格" in body
    assert "1391111" not in body
    assert worker.username not in body


def test_community_public_page_only_for_communities(world, client):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    client.force_login(officer)
    assert client.get(f"/places/{world.grid_a1_1.pk}/public/").status_code == 404


def test_healthz_reports_database(client, db):
    res = client.get("/healthz")
    assert res.status_code == 200
    assert res.json()["database"] == "ok"


def test_openapi_schema_is_served_to_a_signed_in_user(client, world):
    assert client.get("/api/v1/schema/").status_code == 403
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    res = client.get("/api/v1/schema/")
    assert res.status_code == 200
    assert b"/api/v1/places/" in res.content


def test_api_refuses_a_missing_policy_profile(world):
    officer = make_user(Role.STREET_OFFICER, world.street_a)
    api = APIClient()
    api.force_authenticate(officer)
    res = api.patch(
        f"/api/v1/places/{world.community_a1.pk}/", {"policy_profile": "nowhere"}, format="json"
    )
    assert res.status_code == 400
    assert "policy_profile" in res.json()
    world.community_a1.refresh_from_db()
    assert world.community_a1.policy_profile == ""
    ok = api.patch(
        f"/api/v1/places/{world.community_a1.pk}/", {"policy_profile": "loudi"}, format="json"
    )
    assert ok.status_code == 200
