"""A usable map (issue 19, item 7): labels data, the tile setting handed over with json_script,
a chosen building never silently overridden by a point on the map (the server asks which one is
right), place names instead of coordinates, and the staff ticket page's point and call button."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from gongzhi.core.models import AuditRecord
from gongzhi.tickets import geo, services
from gongzhi.tickets.models import Kind, Ticket

pytestmark = pytest.mark.usefixtures("english")
D = Decimal
# bounded: A1G1 is lng 112.00–112.01, A1G2 is 112.01–112.02 (lat 28.00–28.01).
IN_A1G2 = {"lat": "28.005000", "lng": "112.015000"}
IN_A1G1 = {"lat": "28.005000", "lng": "112.005000"}


def _config(page: str) -> dict:
    found = re.search(r'<script id="gz-map-config" type="application/json">(.*?)</script>', page)
    assert found, "no json_script map configuration"
    return json.loads(found.group(1))


# --- Configuration and labels -----------------------------------------------------------------


def test_the_map_configuration_comes_as_json_script_with_tiles_off_by_default(
    client, people, settings
):
    settings.MAP_TILE_URL = ""
    client.force_login(people.cw)
    page = client.get(reverse("tickets:map")).content.decode()
    config = _config(page)
    assert config["tiles"] == "" and "data-tiles" not in page
    assert config["label_zoom"] == {"grid": 13, "estate": 15, "building": 17}
    assert config["text"]["locate"] == "Use my location"
    assert "tickets/gz_map.js" in page and 'data-testid="locate"' in page


def test_a_tile_service_with_its_key_reaches_the_maps(client, people, settings):
    settings.MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk={key}&x={x}&y={y}&l={z}"
    settings.MAP_TILE_ATTRIBUTION = "天地图"
    settings.MAP_TILE_KEY = "browser-key"
    settings.MAP_TILE_SUBDOMAINS = "01234567"
    client.force_login(people.cw)
    config = _config(client.get(reverse("tickets:map")).content.decode())
    assert config["tiles"].startswith("https://t{s}.tianditu.gov.cn/")
    assert (config["key"], config["subdomains"], config["attribution"]) == (
        "browser-key",
        "01234567",
        "天地图",
    )
    client.force_login(people.resident)
    assert _config(client.get(reverse("tickets:submit")).content.decode())["key"] == "browser-key"


def test_the_feed_labels_estates_and_buildings_of_the_area_only(client, people, world):
    building = world.grid_a1_1.buildings[0]
    building.centre_lat, building.centre_lng = D("28.001"), D("112.001")
    building.save()
    estate = building.parent
    estate.centre_lat, estate.centre_lng = D("28.002"), D("112.002")
    estate.save()
    far = world.grid_b1_1.buildings[0]
    far.centre_lat, far.centre_lng = D("28.5"), D("112.5")
    far.save()
    client.force_login(people.gw)
    labels = client.get(reverse("tickets:map_data")).json()["labels"]
    assert {(x["kind"], x["name"]) for x in labels} == {
        (estate.kind, estate.name),
        ("building", building.name),
    }
    assert {"kind": "building", "name": building.name, "lat": 28.001, "lng": 112.001} in labels


def test_grid_outlines_carry_their_names_for_the_labels(client, people, bounded):
    client.force_login(people.gw)
    grids = client.get(reverse("tickets:map_data")).json()["grids"]["features"]
    assert [g["properties"]["name"] for g in grids] == [bounded.grid_a1_1.name]


# --- A chosen building and a point that disagree ----------------------------------------------


def _submit(client, cats, **extra):
    data = {"kind": Kind.HELP, "category": cats.repair.pk, "text": "楼道漏水", **extra}
    return client.post(reverse("tickets:submit"), data)


def test_the_submit_form_starts_from_the_residents_building_with_its_grid(client, people, bounded):
    client.force_login(people.resident)
    page = client.get(reverse("tickets:submit")).content.decode()
    home = people.resident.posts.get().household.building
    grid_path = bounded.grid_a1_1.path
    assert re.search(rf'<option value="{home.pk}" data-grid="{grid_path}" selected>', page)
    assert 'data-testid="point-dialog"' in page


def test_a_point_in_another_grid_is_not_silently_taken_over_the_chosen_building(
    client, people, cats, bounded
):
    home = people.resident.posts.get().household.building
    client.force_login(people.resident)
    res = _submit(client, cats, place=home.pk, **IN_A1G2)
    assert res.status_code == 200 and not Ticket.objects.exists()
    page = res.content.decode()
    assert 'data-testid="prefer-question"' in page
    assert "Which one is right" in page and bounded.grid_a1_2.name in page


def test_the_question_is_in_chinese(client, people, cats, bounded):
    home = people.resident.posts.get().household.building
    client.cookies["django_language"] = "zh-hans"
    client.force_login(people.resident)
    page = _submit(client, cats, place=home.pk, **IN_A1G2).content.decode()
    assert "以哪个为准" in page and "以我选择的地点为准" in page


def test_choosing_the_building_keeps_it_and_drops_the_point(client, people, cats, bounded):
    home = people.resident.posts.get().household.building
    client.force_login(people.resident)
    res = _submit(client, cats, place=home.pk, prefer="place", **IN_A1G2)
    assert res.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.place, ticket.grid, ticket.lat) == (home, bounded.grid_a1_1, None)


def test_choosing_the_point_routes_to_its_grid(client, people, cats, bounded):
    home = people.resident.posts.get().household.building
    client.force_login(people.resident)
    assert _submit(client, cats, place=home.pk, prefer="point", **IN_A1G2).status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.place, ticket.grid) == (bounded.grid_a1_2, bounded.grid_a1_2)
    assert ticket.lng == D("112.015")


def test_a_point_inside_the_buildings_grid_needs_no_question(client, people, cats, bounded):
    home = people.resident.posts.get().household.building
    client.force_login(people.resident)
    assert _submit(client, cats, place=home.pk, **IN_A1G1).status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.place, ticket.lat) == (home, D("28.005"))


def test_the_service_and_the_api_ask_too(client, people, cats, bounded):
    home = people.resident.posts.get().household.building
    with pytest.raises(ValidationError) as refused:
        services.submit(
            actor=people.resident,
            kind=Kind.HELP,
            category=cats.repair,
            text="x",
            place=home,
            lat=D("28.005"),
            lng=D("112.015"),
        )
    assert "prefer" in refused.value.message_dict
    client.force_login(people.resident)
    url = "/api/v1/tickets/"
    body = {"kind": Kind.HELP, "category": cats.repair.pk, "text": "x", "place": home.pk}
    res = client.post(url, {**body, **IN_A1G2}, content_type="application/json")
    assert res.status_code == 400 and "prefer" in res.json()
    res = client.post(url, {**body, **IN_A1G2, "prefer": "place"}, content_type="application/json")
    assert res.status_code == 201 and res.json()["lat"] is None


def test_a_point_outside_every_grid_is_asked_about_as_well(client, people, cats, bounded):
    home = people.resident.posts.get().household.building
    client.force_login(people.resident)
    res = _submit(client, cats, place=home.pk, lat="29.000000", lng="113.000000")
    assert res.status_code == 200 and "is outside" in res.content.decode()


# --- Place names, the staff point and the call button -----------------------------------------


def test_residents_read_a_place_name_not_coordinates(client, people, world, new_ticket):
    ticket = new_ticket(lat=D("28.005"), lng=D("112.005"), place=world.grid_a1_1.buildings[0])
    building = ticket.place
    assert geo.place_name(building) == (
        f"{building.parent.name} {building.name} · {world.grid_a1_1.name}"
    )
    client.force_login(people.resident)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert geo.place_name(building) in page
    assert "28.005" not in page and 'data-testid="ticket-point"' not in page


def _detail(client, user, ticket) -> str:
    client.force_login(user)
    res = client.get(reverse("tickets:detail", args=[ticket.pk]))
    assert res.status_code == 200
    return res.content.decode()


def test_staff_see_the_point_and_those_who_may_reveal_the_call_button(
    client, people, bounded, new_ticket
):
    ticket = new_ticket(lat=D("28.005"), lng=D("112.005"), place=bounded.grid_a1_1.buildings[0])
    page = _detail(client, people.gw, ticket)
    assert 'data-testid="point-map"' in page and 'data-testid="call"' in page
    point = re.search(r'id="gz-ticket-point-data" type="application/json">(.*?)</script>', page)
    data = json.loads(point.group(1))
    assert (data["lat"], data["lng"], data["exact"]) == (28.005, 112.005, True)
    assert data["grid"]["properties"]["name"] == bounded.grid_a1_1.name
    # The street officer views the area's tickets but may not reveal a resident's phone.
    page = _detail(client, people.street, ticket)
    assert 'data-testid="point-map"' in page and 'data-testid="call"' not in page


def test_calling_reveals_the_number_once_with_a_reason_and_audits_it(client, people, new_ticket):
    ticket = new_ticket()
    client.force_login(people.gw)
    url = reverse("tickets:call", args=[ticket.pk])
    res = client.post(url, {"reason": "短"})
    assert res.status_code == 400 and "13900000001" not in res.content.decode()
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()
    res = client.post(url, {"reason": "上门前电话确认"})
    page = res.content.decode()
    assert res.status_code == 200 and 'href="tel:13900000001"' in page
    record = AuditRecord.objects.get(action="pii.reveal")
    assert record.reason == "上门前电话确认" and record.changes["ticket"] == ticket.number
    assert "13900000001" not in json.dumps(record.changes)


@pytest.mark.parametrize("who,code", [("street", 403), ("resident", 403), ("gw_other", 404)])
def test_the_call_is_refused_to_roles_that_may_not_reveal(client, people, new_ticket, who, code):
    ticket = new_ticket()
    client.force_login(getattr(people, who))
    res = client.post(reverse("tickets:call", args=[ticket.pk]), {"reason": "上门前电话确认"})
    assert res.status_code == code
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_no_call_button_for_an_anonymous_report(client, people, cats):
    ticket = services.submit(
        actor=people.resident, kind=Kind.REPORT, category=cats.repair, text="匿名", anonymous=True
    )
    assert 'data-testid="call"' not in _detail(client, people.gw, ticket)
    client.force_login(people.gw)
    res = client.post(reverse("tickets:call", args=[ticket.pk]), {"reason": "上门前电话确认"})
    assert res.status_code == 400
    assert not AuditRecord.objects.filter(action="pii.reveal").exists()


def test_the_csp_allows_a_tile_host_with_numbered_subdomains(client, people, settings):
    settings.MAP_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk={key}"
    policy = client.get("/login/")["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://*.tianditu.gov.cn;" in policy
