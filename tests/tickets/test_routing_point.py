"""Routing a ticket that has only a point: the grid whose boundary contains it, within the
submitter's community (residents) or the staff member's area; edges, outside, the cache."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzhi.places.models import Place
from gongzhi.tickets import routing, services
from gongzhi.tickets.models import Channel, Kind, Status, Ticket
from tests.tickets.conftest import square

pytestmark = pytest.mark.usefixtures("english")

D = Decimal


def test_grid_at_finds_the_containing_grid(bounded):
    assert routing.grid_at(28.005, 112.005) == bounded.grid_a1_1
    assert routing.grid_at(28.005, 112.015) == bounded.grid_a1_2
    assert routing.grid_at(28.005, 112.105) == bounded.grid_b1_1


def test_a_point_on_a_shared_edge_goes_to_the_first_grid_by_path(bounded):
    assert bounded.grid_a1_1.path < bounded.grid_a1_2.path
    assert routing.grid_at(28.005, 112.01) == bounded.grid_a1_1
    # Only the second grid in the search area: the edge belongs to it.
    assert routing.grid_at(28.005, 112.01, [bounded.grid_a1_2.path]) == bounded.grid_a1_2
    # A corner on the outer boundary counts as inside too.
    assert routing.grid_at(28.00, 112.00) == bounded.grid_a1_1


def test_a_point_outside_every_grid(bounded):
    assert routing.grid_at(28.02, 112.005) is None
    assert routing.grid_at(28.005, 112.05) is None
    with pytest.raises(ValidationError) as error:
        routing.require_grid_at(28.02, 112.005, None)
    assert "not inside any grid" in error.value.message_dict["place"][0]


def test_the_search_is_limited_to_the_given_paths(bounded):
    assert routing.grid_at(28.005, 112.105, [bounded.community_a1.path]) is None
    assert routing.grid_at(28.005, 112.105, []) is None


def test_a_grid_without_boundary_or_with_a_broken_one_is_skipped(bounded):
    Place.objects.filter(pk=bounded.grid_a1_1.pk).update(boundary={"type": "Polygon"})
    routing.clear_cache()
    assert routing.grid_at(28.005, 112.005) is None
    assert routing.grid_at(28.005, 112.015) == bounded.grid_a1_2


def test_the_prepared_shapes_are_cached_and_refreshed_when_a_boundary_changes(
    bounded, django_assert_num_queries
):
    routing.grid_at(28.005, 112.005)
    with django_assert_num_queries(1):  # only the id/updated_at list, no boundary reload
        assert routing.grid_at(28.005, 112.005) == bounded.grid_a1_1
    grid = bounded.grid_a1_1
    grid.boundary = square(112.05, 28.05, 112.06, 28.06)  # moved elsewhere
    grid.save()  # updated_at changes
    assert routing.grid_at(28.005, 112.005) is None
    assert routing.grid_at(28.055, 112.055) == grid
    assert len([k for k in routing._PREPARED if k[0] == grid.pk]) == 1


# --------------------------------------------------------------------------- in submit


def _values(cats, **extra):
    return {"kind": Kind.HELP, "category": cats.repair, "text": "路面塌陷", **extra}


def test_a_resident_point_goes_to_the_grid_of_their_community(people, cats, bounded):
    ticket = services.submit(
        actor=people.resident, **_values(cats, lat=D("28.005"), lng=D("112.015"))
    )
    assert ticket.place == bounded.grid_a1_2 and ticket.grid == bounded.grid_a1_2
    assert ticket.status == Status.SUBMITTED and ticket.lat == D("28.005")


def test_a_resident_point_in_another_community_is_refused(people, cats, bounded):
    for lng in ("112.025", "112.105", "112.5"):  # community A2, street B, nowhere
        with pytest.raises(ValidationError) as error:
            services.submit(actor=people.resident, **_values(cats, lat=D("28.005"), lng=D(lng)))
        assert "not inside any grid" in error.value.message_dict["place"][0]
    assert not Ticket.objects.exists()


def test_a_chosen_place_wins_over_the_point_once_the_person_says_so(people, cats, bounded):
    """Issue 19: a point outside the chosen place's grid is no longer silently stored beside
    it — the submission asks which is right (tests/tickets/test_map_usable.py)."""
    building = bounded.grid_a1_1.buildings[0]
    values = dict(channel=Channel.PATROL, place=building)
    values.update(_values(cats, lat=D("28.005"), lng=D("112.015")))
    with pytest.raises(ValidationError) as asked:
        services.submit(actor=people.gw, **values)
    assert "prefer" in asked.value.message_dict
    ticket = services.submit(actor=people.gw, prefer="place", **values)
    assert ticket.place == building and ticket.grid == bounded.grid_a1_1
    assert ticket.lat is None  # the point was the slip


def test_staff_points_are_routed_within_their_area(people, cats, bounded):
    ticket = services.submit(
        actor=people.cw, channel=Channel.PATROL, **_values(cats, lat=D("28.005"), lng=D("112.005"))
    )
    assert ticket.place == bounded.grid_a1_1
    with pytest.raises(ValidationError):  # the grid worker of A1G1 may not report for A1G2
        services.submit(
            actor=people.gw,
            channel=Channel.PATROL,
            **_values(cats, lat=D("28.005"), lng=D("112.015")),
        )
    ticket = services.submit(
        actor=people.street,
        channel=Channel.PATROL,
        **_values(cats, lat=D("28.005"), lng=D("112.025")),
    )
    assert ticket.place == bounded.grid_a2_1


def test_out_of_range_coordinates_are_refused(people, cats, bounded):
    with pytest.raises(ValidationError) as error:
        services.submit(actor=people.resident, **_values(cats, lat=D("95"), lng=D("112")))
    assert "out of range" in error.value.messages[0]


def test_the_patrol_page_routes_a_map_point_and_shows_the_error_outside(
    client, people, cats, bounded
):
    client.force_login(people.cw)
    data = {"kind": Kind.REPORT, "category": cats.repair.pk, "text": "占道经营", "place": ""}
    res = client.post(reverse("tickets:patrol"), {**data, "lat": "28.005", "lng": "112.015"})
    assert res.status_code == 302
    assert Ticket.objects.get().place == bounded.grid_a1_2
    res = client.post(reverse("tickets:patrol"), {**data, "lat": "28.5", "lng": "112.5"})
    assert res.status_code == 200 and Ticket.objects.count() == 1
    assert "not inside any grid" in res.content.decode()
    res = client.post(reverse("tickets:patrol"), data)  # neither place nor point
    assert "Choose the building or grid" in res.content.decode()


def test_the_submit_page_draws_the_grids_of_the_residents_community(client, people, bounded):
    client.force_login(people.resident)
    page = client.get(reverse("tickets:submit")).content.decode()
    assert 'id="gz-boundaries"' in page and 'id="gz-point-map"' in page
    assert bounded.grid_a1_1.path in page and bounded.grid_a1_2.path in page
    assert bounded.grid_b1_1.path not in page and bounded.grid_a2_1.path not in page


def test_api_routes_a_point_without_place(client, people, cats, bounded):
    client.force_login(people.resident)
    body = {"kind": Kind.HELP, "category": cats.repair.pk, "text": "路灯不亮"}
    res = client.post("/api/v1/tickets/", {**body, "lat": "28.005", "lng": "112.005"})
    assert res.status_code == 201 and res.json()["place"] == bounded.grid_a1_1.pk
    res = client.post("/api/v1/tickets/", {**body, "lat": "28.5", "lng": "112.5"})
    assert res.status_code == 400 and "place" in res.json()
