"""The one page gate (gongzhi/core/gates.py) and eligibility read from the permission matrix.

The rule: outside the read scope a thing does not exist (404); inside it, without the right,
the answer is 403; an anonymous visitor is sent to the login page (issue 11, point 6).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.test import APIClient

from gongzhi.core import gates
from gongzhi.core.roles import PERMISSIONS, Action, Role
from tests.conftest import make_user
from tests.party.conftest import party  # noqa: F401 — the fixture, reused here

GONGZHI = Path(settings.BASE_DIR) / "gongzhi"


# --- No module keeps its own gate -----------------------------------------------------------


def _gate_modules():
    for path in sorted(GONGZHI.glob("*/*.py")):
        if path.name.startswith(("views", "api")):
            yield path


def _own_gates(path: Path) -> list[str]:
    """Module-level helpers of a views/api module that act as a page gate of their own:
    named `_require…`/`_need…`, or testing `access.has_any` and raising a refusal."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("_"):
            continue
        if node.name.startswith(("_require", "_need")):
            found.append(node.name)
            continue
        source = ast.unparse(node)
        refuses = "raise PermissionDenied" in source or "raise Http404" in source
        if "has_any(" in source and refuses:
            found.append(node.name)
    return found


def test_the_scan_finds_views_and_api_modules():
    names = {p.relative_to(GONGZHI).as_posix() for p in _gate_modules()}
    assert {"people/views.py", "party/views.py", "volunteering/api.py"} <= names


def test_scan_recognises_a_page_gate_of_its_own(tmp_path):
    module = tmp_path / "views.py"
    module.write_text(
        "def _require(user, action):\n"
        "    if not access.has_any(user, action):\n"
        "        raise PermissionDenied\n"
        "def _visible(user):\n"
        "    if not access.has_any(user, 'x'):\n"
        "        raise Http404\n"
        "def _fine(user):\n"
        "    return access.has_any(user, 'x')\n",
        encoding="utf-8",
    )
    assert _own_gates(module) == ["_require", "_visible"]


def test_no_views_or_api_module_defines_its_own_page_gate():
    """Pages use @gates.requires / gates.check / gates.Requires, never a local copy."""
    offenders = {
        path.relative_to(GONGZHI).as_posix(): names
        for path in _gate_modules()
        if (names := _own_gates(path))
    }
    assert offenders == {}


# --- The gate itself --------------------------------------------------------------------


@gates.requires(Action.PARTY_VIEW, Action.VOLUNTEER_JOIN)
def _view(request):
    return HttpResponse("ok")


def _request(user):
    request = RequestFactory().get("/somewhere/?a=1")
    request.user = user
    return request


def test_gate_sends_anonymous_to_login():
    response = _view(_request(AnonymousUser()))
    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL) or "/login/" in response["Location"]
    assert "next=/somewhere/%3Fa%3D1" in response["Location"]


def test_gate_refuses_a_user_holding_none_of_the_actions(world):
    merchant = make_user(Role.MERCHANT, world.community_a1)
    with pytest.raises(PermissionDenied):
        _view(_request(merchant))


@pytest.mark.parametrize("role", [Role.COMMUNITY_WORKER, Role.VOLUNTEER])
def test_gate_lets_in_a_user_holding_any_of_the_actions(world, role):
    user = make_user(role, world.community_a1)  # party.view / volunteer.join
    assert _view(_request(user)).content == b"ok"


def test_gate_needs_an_action():
    with pytest.raises(ValueError):
        gates.requires()
    with pytest.raises(ValueError):
        gates.Requires.any()


def test_gate_records_its_actions_for_readers():
    assert _view.gate_actions == (Action.PARTY_VIEW, Action.VOLUNTEER_JOIN)


# --- The rule on real pages and the API ---------------------------------------------------


def test_page_without_object_anonymous_goes_to_login(client):
    response = client.get("/party/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_page_without_object_refuses_with_403(world, client):
    client.force_login(make_user(Role.GRID_WORKER, world.grid_a1_1))  # no party.view
    assert client.get("/party/").status_code == 403
    assert client.get("/people/").status_code == 200  # a right the grid worker holds


def test_object_page_outside_read_scope_is_404_inside_without_right_403(world, party, client):  # noqa: F811
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)  # party.view, no party.edit
    client.force_login(worker)
    assert client.get(f"/party/orgs/{party.branch.pk}/").status_code == 200
    assert client.get(f"/party/orgs/{party.a2_committee.pk}/").status_code == 404
    assert client.get(f"/party/orgs/{party.branch.pk}/edit/").status_code == 403


def test_api_gate_class(world):
    api = APIClient()
    assert api.get("/api/v1/vanguard-ranking/").status_code in (401, 403)
    api.force_authenticate(make_user(Role.MERCHANT, world.community_a1))
    refused = api.get("/api/v1/vanguard-ranking/")
    assert refused.status_code == 403
    assert refused.json()["detail"]
    api.force_authenticate(make_user(Role.GRID_WORKER, world.grid_a1_1))
    assert api.get("/api/v1/vanguard-ranking/").status_code == 200


def test_api_gate_inside_a_view_and_404_outside_the_read_scope(world, party):  # noqa: F811
    api = APIClient()
    api.force_authenticate(make_user(Role.MERCHANT, world.community_a1))
    assert api.get("/api/v1/volunteers/").status_code == 403
    api.force_authenticate(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    assert api.get(f"/api/v1/party-orgs/{party.branch.pk}/").status_code == 200
    assert api.get(f"/api/v1/party-orgs/{party.a2_committee.pk}/").status_code == 404


# --- Eligibility: the matrix keeps the same roles as the tuples it replaced --------------------


def test_deliberation_officials_are_the_same_roles():
    from gongzhi.deliberation import services

    expected = {
        Role.COMMUNITY_SECRETARY,
        Role.COMMUNITY_WORKER,
        Role.GRID_WORKER,
        Role.BUILDING_HEAD,
        Role.PARTY_MEMBER,
        Role.VOLUNTEER,
        Role.PROPERTY_STAFF,
        Role.PARTNER_CONTACT,
        Role.STREET_OFFICER,
    }
    assert gates.roles_with(Action.DELIBERATION_OFFICIAL) == expected
    assert set(services.OFFICIAL_ROLES) == expected


def test_representative_candidate_roles_are_the_same():
    from gongzhi.deliberation import selectors

    expected = {Role.PARTY_MEMBER, Role.VOLUNTEER, Role.BUILDING_HEAD}
    assert gates.roles_with(Action.DELIBERATION_STAND) == expected
    assert set(selectors.CANDIDATE_ROLES) == expected


def test_ticket_dispatch_roles_are_the_same():
    from gongzhi.tickets import routing, services
    from gongzhi.tickets.models import HandlerKind

    expected = {
        Role.PARTY_MEMBER,
        Role.VOLUNTEER,
        Role.PROPERTY_STAFF,
        Role.PARTNER_CONTACT,
        Role.STREET_OFFICER,
        Role.DISTRICT_OFFICER,
        Role.GRID_WORKER,
    }
    assert gates.roles_with(Action.TICKET_RECEIVE_DISPATCH) == expected
    # Every handler kind a ticket is handed to by name draws on these roles, and only them.
    by_name = {
        role
        for kind, roles in services.HANDLER_ROLES.items()
        if kind != HandlerKind.COMMUNITY
        for role in roles
    }
    assert by_name == expected
    assert {role for role, _kind in routing._DIRECT_ROLES.values()} <= expected


def test_community_staff_roles_are_the_same():
    from gongzhi.places import selectors

    expected = {Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER, Role.GRID_WORKER}
    assert gates.roles_with(Action.COMMUNITY_STAFF) == expected
    assert set(selectors.COMMUNITY_STAFF_ROLES) == expected


def test_handler_candidates_come_from_the_matrix(world, monkeypatch):
    """The dispatch form's list follows the matrix: drop a role there and it leaves the list."""
    from gongzhi.tickets import selectors
    from gongzhi.tickets.models import Ticket

    volunteer = make_user(Role.VOLUNTEER, world.community_a1)
    ticket = Ticket(place_path=world.grid_a1_1.buildings[0].path)
    assert volunteer.pk in {p.user_id for p in selectors.handler_candidates(ticket)}
    row = dict(PERMISSIONS[Action.TICKET_RECEIVE_DISPATCH])
    row.pop(Role.VOLUNTEER)
    monkeypatch.setitem(PERMISSIONS, Action.TICKET_RECEIVE_DISPATCH, row)
    assert volunteer.pk not in {p.user_id for p in selectors.handler_candidates(ticket)}


def test_roles_with_an_unknown_action_is_empty():
    assert gates.roles_with("no.such_action") == frozenset()
