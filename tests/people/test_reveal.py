"""Revealing a full phone or ID number: the right role, a typed reason, an audit record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework.test import APIClient

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.people import services
from tests.conftest import make_user
from tests.people.test_residents import add, household_in, keeper, next_id

REASON = "核对低保申请材料"


@pytest.fixture
def person(world):
    number = next_id()
    r = add(
        keeper(world),
        household_in(world.grid_a1_1),
        "待查人",
        id_number=number,
        phone="13912340000",
    )
    r.plain_id = number
    return r


def _reveals():
    return list(AuditRecord.objects.filter(action="pii.reveal").order_by("id"))


def test_reveal_with_the_right_returns_the_value_and_audits_without_it(world, person):
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    assert services.reveal(person, "id", REASON, actor=worker) == person.plain_id
    assert services.reveal(person, "phone", REASON, actor=worker) == "13912340000"
    first, second = _reveals()
    assert first.changes == {"field": "id"} and second.changes == {"field": "phone"}
    assert first.reason == REASON and first.actor_id == worker.pk
    assert first.target_id == str(person.pk) and first.place_path == person.place_path
    for record in (first, second):
        text = f"{record.changes}{record.reason}{record.target_repr}"
        assert person.plain_id not in text and "13912340000" not in text


@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_reason_is_required(world, person, reason):
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    with pytest.raises(ValidationError) as excinfo:
        services.reveal(person, "phone", reason, actor=worker)
    assert "reason" in excinfo.value.message_dict
    assert _reveals() == []


def test_grid_worker_cannot_reveal_an_id_but_can_reveal_a_phone(world, person):
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    with pytest.raises(PermissionDenied):
        services.reveal(person, "id", REASON, actor=grid_worker)
    assert services.reveal(person, "phone", REASON, actor=grid_worker) == "13912340000"
    assert [r.changes["field"] for r in _reveals()] == ["phone"]


def test_building_head_cannot_reveal_a_phone(world, person):
    head = make_user(Role.BUILDING_HEAD, person.household.building)
    with pytest.raises(PermissionDenied):
        services.reveal(person, "phone", REASON, actor=head)
    assert _reveals() == []


def test_outside_the_scope_reveal_is_404(world, person):
    other = make_user(Role.GRID_WORKER, world.grid_a1_2)
    with pytest.raises(Http404):
        services.reveal(person, "phone", REASON, actor=other)


def test_reveal_page_htmx_form_then_value(world, person, client):
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    client.force_login(worker)
    detail = client.get(f"/people/{person.pk}/").content.decode()
    assert 'data-testid="reveal-id"' in detail and 'data-testid="reveal-phone"' in detail
    assert person.plain_id not in detail
    url = f"/people/{person.pk}/reveal/id/"
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and 'name="reason"' in form.content.decode()
    assert "<html" not in form.content.decode()  # a fragment
    refused = client.post(url, {"reason": "看"}, HTTP_HX_REQUEST="true")
    assert person.plain_id not in refused.content.decode() and _reveals() == []
    shown = client.post(url, {"reason": REASON}, HTTP_HX_REQUEST="true")
    assert shown.status_code == 200
    assert person.plain_id in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    assert len(_reveals()) == 1
    # Without htmx the same URL is a small page.
    page = client.post(url, {"reason": REASON})
    assert page.status_code == 200 and "<html" in page.content.decode()


@pytest.mark.parametrize(
    ("role", "field", "status"),
    [
        (Role.GRID_WORKER, "id", 403),
        (Role.GRID_WORKER, "phone", 200),
        (Role.BUILDING_HEAD, "phone", 403),
        (Role.BUILDING_HEAD, "id", 403),
        (Role.COMMUNITY_SECRETARY, "id", 200),
        (Role.STREET_OFFICER, "phone", 403),
    ],
)
def test_reveal_rights_on_page_and_api(world, person, client, role, field, status):
    place = {
        Role.GRID_WORKER: world.grid_a1_1,
        Role.BUILDING_HEAD: person.household.building,
        Role.COMMUNITY_SECRETARY: world.community_a1,
        Role.STREET_OFFICER: world.street_a,
    }[role]
    user = make_user(role, place)
    client.force_login(user)
    page = client.post(f"/people/{person.pk}/reveal/{field}/", {"reason": REASON})
    assert page.status_code == status
    api = APIClient()
    api.force_authenticate(user)
    res = api.post(
        f"/api/v1/residents/{person.pk}/reveal/", {"field": field, "reason": REASON}, format="json"
    )
    assert res.status_code == status
    plain = person.plain_id if field == "id" else "13912340000"
    if status == 200:
        assert res.json() == {"field": field, "value": plain}
        assert len(_reveals()) == 2
    else:
        assert plain not in page.content.decode() + res.content.decode()
        assert _reveals() == []
    detail = client.get(f"/people/{person.pk}/").content.decode()
    assert (f'data-testid="reveal-{field}"' in detail) == (status == 200)


def test_resident_role_cannot_reveal_even_in_own_household(world, person, client):
    me = make_user(
        Role.RESIDENT, person.household.building, household=person.household, phone="13100000001"
    )
    client.force_login(me)
    assert client.get(f"/people/{person.pk}/").status_code == 200
    assert client.post(f"/people/{person.pk}/reveal/phone/", {"reason": REASON}).status_code == 403


def test_api_reveal_needs_a_reason(world, person):
    api = APIClient()
    api.force_authenticate(keeper(world))
    res = api.post(f"/api/v1/residents/{person.pk}/reveal/", {"field": "id", "reason": "ab"})
    assert res.status_code == 400 and "reason" in res.json()
    assert _reveals() == []
