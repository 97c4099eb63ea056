"""The staff ticket map and its GeoJSON feed: scoped by ticket.view, bounded, filtered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.navigation import NAV
from gongzhi.tickets import geo, services
from gongzhi.tickets.models import Channel, Kind, Status

pytestmark = pytest.mark.usefixtures("english")
D = Decimal


def _data(client, **params):
    res = client.get(reverse("tickets:map_data"), params)
    assert res.status_code == 200
    return res.json()


@pytest.mark.parametrize(
    "who,code",
    [
        ("cw", 200),
        ("gw", 200),
        ("street", 200),
        ("resident", 403),
        ("pm1", 403),
        ("volunteer", 403),
    ],
)
def test_the_map_page_and_feed_are_for_staff_who_view_tickets(client, people, who, code):
    client.force_login(getattr(people, who))
    assert client.get(reverse("tickets:map")).status_code == code
    assert client.get(reverse("tickets:map_data")).status_code == code


def test_the_map_page_renders_without_tiles(client, people, settings):
    settings.MAP_TILE_URL = ""
    client.force_login(people.cw)
    page = client.get(reverse("tickets:map")).content.decode()
    # The tile setting comes in the json_script configuration (tests/tickets/test_map_usable.py).
    assert 'data-testid="ticket-map"' in page and '"tiles": ""' in page
    assert "vendor/leaflet/leaflet.js" in page and "tickets/ticket_map.js" in page
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png"
    page = client.get(reverse("tickets:map")).content.decode()
    assert '"tiles": "https://tiles.example/{z}/{x}/{y}.png"' in page


def test_anonymous_visitors_go_to_login(client, db):
    assert client.get(reverse("tickets:map_data")).status_code == 302


def test_the_menu_has_the_map_in_the_tickets_group():
    urls = [item.url_name for group in NAV for item in group.items]
    assert "tickets:map" in urls


def test_the_feed_is_scoped_to_the_users_area(client, people, cats, bounded, new_ticket):
    mine = new_ticket(lat=D("28.005"), lng=D("112.005"), place=bounded.grid_a1_1.buildings[0])
    other = services.submit(
        actor=people.street,
        kind=Kind.REPORT,
        category=cats.repair,
        text="二社区",
        channel=Channel.PATROL,
        lat=D("28.005"),
        lng=D("112.025"),
    )
    client.force_login(people.gw)
    data = _data(client)
    assert [f["properties"]["id"] for f in data["tickets"]["features"]] == [mine.pk]
    assert [f["properties"]["path"] for f in data["grids"]["features"]] == [bounded.grid_a1_1.path]
    client.force_login(people.street)
    data = _data(client)
    assert {f["properties"]["id"] for f in data["tickets"]["features"]} == {mine.pk, other.pk}
    assert len(data["grids"]["features"]) == 3  # street A: A1G1, A1G2, A2G1
    client.force_login(people.cw_other)
    assert [f["properties"]["id"] for f in _data(client)["tickets"]["features"]] == [other.pk]


def test_markers_fall_back_to_the_place_centre_and_unplaced_are_counted(
    client, people, world, new_ticket
):
    building = world.grid_a1_1.buildings[0]
    building.centre_lat, building.centre_lng = D("28.001"), D("112.001")
    building.save()
    at_point = new_ticket(lat=D("28.002"), lng=D("112.002"), place=building)
    at_building = new_ticket()
    services.submit(
        actor=people.gw,
        kind=Kind.REPORT,
        category=at_point.category,
        text="无坐标",
        channel=Channel.PATROL,
        place=world.grid_a1_1,
    )
    client.force_login(people.cw)
    tickets = _data(client)["tickets"]
    where = {f["properties"]["id"]: f["geometry"]["coordinates"] for f in tickets["features"]}
    assert where == {at_point.pk: [112.002, 28.002], at_building.pk: [112.001, 28.001]}
    assert tickets["unplaced"] == 1


def test_overdue_status_filter_category_filter_and_closed_left_off(
    client, people, cats, drive, world, new_ticket
):
    building = world.grid_a1_1.buildings[0]
    building.centre_lat, building.centre_lng = D("28.001"), D("112.001")
    building.save()
    with clock.travel_to(clock.now() - dt.timedelta(days=30)):
        late = new_ticket()
    fresh = new_ticket(category=cats.urgent)
    escalated = drive(Status.ESCALATED)
    drive(Status.CLOSED)
    client.force_login(people.cw)
    props = {f["properties"]["id"]: f["properties"] for f in _data(client)["tickets"]["features"]}
    assert set(props) == {late.pk, fresh.pk, escalated.pk}
    assert props[late.pk]["overdue"] is True and props[fresh.pk]["overdue"] is False
    assert props[escalated.pk]["status_label"] == "Escalated to the community"
    only = _data(client, status="escalated")["tickets"]["features"]
    assert [f["properties"]["id"] for f in only] == [escalated.pk]
    by_cat = _data(client, category=cats.urgent.pk)["tickets"]["features"]
    assert [f["properties"]["id"] for f in by_cat] == [fresh.pk]
    # Nonsense filters are ignored, not errors.
    assert len(_data(client, status="closed", category="x")["tickets"]["features"]) == 3


def test_the_feed_is_bounded_and_its_queries_too(
    client, people, world, new_ticket, monkeypatch, django_assert_max_num_queries
):
    building = world.grid_a1_1.buildings[0]
    building.centre_lat, building.centre_lng = D("28.001"), D("112.001")
    building.save()
    tickets = [new_ticket() for _ in range(5)]
    monkeypatch.setattr(geo, "MAX_TICKETS", 3)
    client.force_login(people.cw)
    with django_assert_max_num_queries(12):
        data = _data(client)["tickets"]
    assert data["truncated"] is True
    assert [f["properties"]["id"] for f in data["features"]] == [t.pk for t in tickets[::-1][:3]]
