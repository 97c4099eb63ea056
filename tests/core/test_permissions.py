"""The permission matrix, table-driven, pages and API alike.

For every role and every action of the matrix that the places pages serve: something inside
the role's scope is allowed, and the same thing in a sibling scope is refused with 404 (not a
leak). Roles without the right get 404 when they cannot see the target at all, 403 when they
can see it but not change it.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gongzhi.core.roles import PERMISSIONS, Action, Role
from gongzhi.places.models import Household, Place
from tests.conftest import ROLE_HOME, make_user


def _first_household(place: Place) -> Household:
    return Household.objects.filter(place_path__under=place.path).order_by("id").first()


def _community_of(place: Place) -> Place:
    if place.depth >= 2:
        return Place.objects.get(path=place.ancestor_paths()[2])
    return Place.objects.filter(kind="community", path__under=place.path).order_by("path").first()


def setup_role(world, role):
    """(user, own place, sibling place, own household, sibling household)."""
    if role == Role.BUILDING_HEAD:
        own, sibling = world.grid_a1_1.buildings
        user = make_user(role, own)
        return user, own, sibling, _first_household(own), _first_household(sibling)
    if role == Role.RESIDENT:
        own, sibling = world.grid_a1_1.buildings
        home, neighbour = Household.objects.filter(building=own).order_by("id")[:2]
        user = make_user(role, own, household=home, phone="13900000009")
        return user, own, sibling, home, neighbour
    own_attr, sibling_attr = ROLE_HOME[role]
    own, sibling = getattr(world, own_attr), getattr(world, sibling_attr)
    user = make_user(role, own)
    return user, own, sibling, _first_household(own), _first_household(sibling)


VIEW_CASES = {
    Action.PLACE_VIEW: ("/places/{pk}/", "/api/v1/places/{pk}/", "place"),
    Action.HOUSEHOLD_VIEW: ("/places/households/{pk}/", "/api/v1/households/{pk}/", "household"),
    Action.COMMUNITY_PUBLIC_VIEW: ("/places/{pk}/public/", None, "community"),
}


def _target(kind, place, household):
    if kind == "place":
        return place
    if kind == "household":
        return household
    return _community_of(place)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(VIEW_CASES))
def test_view_inside_scope_allowed_sibling_refused(world, client, role, action):
    user, own, sibling, own_hh, sibling_hh = setup_role(world, role)
    page_url, api_url, kind = VIEW_CASES[action]
    inside = _target(kind, own, own_hh)
    outside = _target(kind, sibling, sibling_hh)
    if outside == inside:  # grid- and building-level roles: the sibling shares the community
        outside = world.community_a2
    allowed = role in PERMISSIONS[action]
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)

    assert client.get(page_url.format(pk=inside.pk)).status_code == (200 if allowed else 404)
    assert client.get(page_url.format(pk=outside.pk)).status_code == 404
    if api_url:
        assert api.get(api_url.format(pk=inside.pk)).status_code == (200 if allowed else 404)
        assert api.get(api_url.format(pk=outside.pk)).status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_edit_place_inside_scope_allowed_sibling_refused(world, client, role):
    user, own, sibling, _, _ = setup_role(world, role)
    can_edit = role in PERMISSIONS[Action.PLACE_EDIT]
    can_view = role in PERMISSIONS[Action.PLACE_VIEW]
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)

    page = client.post(f"/places/{own.pk}/edit/", {"name": "改名", "policy_profile": ""})
    assert page.status_code == (302 if can_edit else 403 if can_view else 404)
    res = api.patch(f"/api/v1/places/{own.pk}/", {"address": "新地址"}, format="json")
    assert res.status_code == (200 if can_edit else 403 if can_view else 404)
    own.refresh_from_db()
    assert (own.name == "改名") == can_edit
    assert (own.address == "新地址") == can_edit

    assert client.post(f"/places/{sibling.pk}/edit/", {"name": "越权"}).status_code == 404
    assert api.patch(f"/api/v1/places/{sibling.pk}/", {"name": "越权"}).status_code == 404
    sibling.refresh_from_db()
    assert sibling.name != "越权"


@pytest.mark.parametrize("role", list(Role))
def test_place_list_api_shows_only_the_scope(world, role):
    user, own, sibling, _, _ = setup_role(world, role)
    api = APIClient()
    api.force_authenticate(user)
    paths = []
    url = "/api/v1/places/"
    while url:
        body = api.get(url).json()
        paths += [row["path"] for row in body["results"]]
        url = body["next"]
    if role in PERMISSIONS[Action.PLACE_VIEW]:
        assert own.path in paths
        assert all(p.startswith(own.path) for p in paths)
    else:
        assert paths == []
    assert sibling.path not in paths


def test_anonymous_is_sent_to_login(world, client):
    res = client.get(f"/places/{world.grid_a1_1.pk}/")
    assert res.status_code == 302
    assert res["Location"].startswith("/login/")
    assert APIClient().get("/api/v1/places/").status_code in (401, 403)


def test_superuser_sees_everything(world, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", "Gz-root-2026")
    client.force_login(admin)
    assert client.get(f"/places/{world.grid_b1_1.pk}/").status_code == 200
    assert client.get(f"/places/{world.grid_c1_1.pk}/").status_code == 200


def test_two_posts_give_the_union_of_their_scopes(world, client):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    user.posts.create(role=Role.GRID_WORKER, place=world.grid_b1_1)
    client.force_login(user)
    assert client.get(f"/places/{world.grid_a1_1.pk}/").status_code == 200
    assert client.get(f"/places/{world.grid_b1_1.pk}/").status_code == 200
    assert client.get(f"/places/{world.grid_a1_2.pk}/").status_code == 404


def test_revoked_post_grants_nothing(world, client):
    user = make_user(Role.GRID_WORKER, world.grid_a1_1)
    user.posts.update(is_active=False)
    client.force_login(user)
    assert client.get(f"/places/{world.grid_a1_1.pk}/").status_code == 404


def test_docs_permissions_matrix_is_current():
    from django.conf import settings

    from gongzhi.core.management.commands.permission_matrix import render_matrix

    doc = (settings.BASE_DIR / "docs" / "permissions.md").read_text(encoding="utf-8")
    assert render_matrix() in doc, "run: python manage.py permission_matrix --write"
