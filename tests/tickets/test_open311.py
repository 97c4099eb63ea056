"""Open311 GeoReport v2 under /open311/v2/: the spec's shapes in JSON and XML, a round trip
(POST then GET by id), filters, authentication, scope, errors and the POST rate limit."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from xml.etree import ElementTree as ET

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.tickets import open311, open311_keys, services
from gongzhi.tickets.models import Kind, Status, Ticket
from tests.conftest import make_user

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)
SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
}


def parse(content: bytes):
    return ET.fromstring(content)  # noqa: S314 — our own answer, not untrusted input


def square(lng, lat, half=0.01):
    ring = [
        [lng - half, lat - half],
        [lng + half, lat - half],
        [lng + half, lat + half],
        [lng - half, lat + half],
        [lng - half, lat - half],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def mapped(world):
    """Grid A1G1 covers the square around (114.41, 30.51); the others have no boundary."""
    from gongzhi.tickets import routing

    world.grid_a1_1.boundary = square(114.41, 30.51)
    world.grid_a1_1.save()
    routing.clear_cache()
    yield world
    routing.clear_cache()


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are checked in English; one test checks the Chinese default."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def key(people):
    """The Open311 key of a user (one per user and test)."""
    keys = {}

    def _key(user):
        if user.pk not in keys:
            keys[user.pk] = open311_keys.issue(user, "测试客户端")[1]
        return keys[user.pk]

    return _key


@pytest.fixture
def ticket(world, people, cats):
    clock.set_now(NOW)
    return services.submit(
        actor=people.resident, kind=Kind.HELP, category=cats.repair, text="楼道灯坏了"
    )


def test_services_json_and_xml(client, cats):
    body = client.get("/open311/v2/services.json").json()
    repair = next(s for s in body if s["service_code"] == "t-repair")
    assert set(repair) == SERVICE_FIELDS
    assert repair["service_name"] == "维修"
    assert (repair["metadata"], repair["type"]) == (False, "realtime")
    root = parse(client.get("/open311/v2/services.xml").content)
    assert root.tag == "services"
    service = root.find("service")
    assert {child.tag for child in service} == SERVICE_FIELDS
    assert root.find("service/metadata").text == "false"


def test_get_requests_json_shape(client, ticket, people, key):
    body = client.get("/open311/v2/requests.json", {"api_key": key(people.gw)}).json()
    assert [r["service_request_id"] for r in body] == [ticket.number]
    row = body[0]
    assert set(row) == REQUEST_FIELDS
    assert row["status"] == "open"
    assert row["service_code"] == "t-repair"
    assert row["requested_datetime"] == "2026-03-10T09:00:00+08:00"
    assert row["expected_datetime"] == ticket.resolve_due.astimezone(SH).isoformat()
    # Never a name or a phone of the resident.
    text = json.dumps(body, ensure_ascii=False)
    assert people.resident.name not in text and "13900000001" not in text


def test_get_requests_xml_shape(client, ticket, people, key):
    response = client.get("/open311/v2/requests.xml", {"api_key": key(people.gw)})
    assert response["Content-Type"].startswith("text/xml")
    root = parse(response.content)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert {child.tag for child in request} == REQUEST_FIELDS
    assert request.find("service_request_id").text == ticket.number


def test_round_trip_post_then_get(client, mapped, people, cats, key):
    world = mapped
    clock.set_now(NOW)
    api_key = key(people.resident)
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "t-repair",
            "lat": "30.512345",
            "long": "114.412345",
            "description": "路灯不亮",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created[0]) == {"service_request_id", "service_notice", "account_id"}
    number = created[0]["service_request_id"]
    ticket = Ticket.objects.get(number=number)
    # The point lies in grid A1G1's boundary: the ticket is about that grid; the point is kept.
    assert ticket.place == world.grid_a1_1 and ticket.grid == world.grid_a1_1
    assert ticket.submitter == people.resident and ticket.channel == "online"
    assert str(ticket.lat) == "30.512345"

    got = client.get(f"/open311/v2/requests/{number}.json", {"api_key": api_key}).json()
    assert len(got) == 1
    assert got[0]["service_request_id"] == number
    assert got[0]["description"] == "路灯不亮"
    assert (got[0]["lat"], got[0]["long"]) == (30.512345, 114.412345)
    xml = client.get(f"/open311/v2/requests/{number}.xml", {"api_key": api_key}).content
    assert parse(xml).find("request/service_request_id").text == number


def test_post_by_address_id_or_address_string(client, world, people, cats, key):
    clock.set_now(NOW)
    b2 = world.grid_a1_1.buildings[1]
    api_key = key(people.resident)
    response = client.post(
        "/open311/v2/requests.xml",
        {"api_key": api_key, "service_code": "t-repair", "address_id": b2.pk,
         "address_string": "2栋门口", "description": "垃圾满了"},
    )  # fmt: skip
    assert response.status_code == 201
    number = parse(response.content).find("request/service_request_id").text
    ticket = Ticket.objects.get(number=number)
    assert ticket.place == b2 and "2栋门口" in ticket.text
    # Only an address: the resident's home building.
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "t-repair", "address_string": "1栋",
         "description": "井盖松动"},
    )  # fmt: skip
    ticket = Ticket.objects.get(number=response.json()[0]["service_request_id"])
    assert ticket.place == world.grid_a1_1.buildings[0]


def test_post_point_outside_every_grid_is_refused(client, mapped, people, cats, key):
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": key(people.resident), "service_code": "t-repair", "lat": "31.9",
         "long": "118.8", "description": "x"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "not inside any grid" in response.json()[0]["description"]
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"lat": "30.5", "long": "114.4", "description": "x"}, "service_code"),
        ({"service_code": "nope", "lat": "30.5", "long": "114.4", "description": "x"}, "nope"),
        ({"service_code": "t-repair", "description": "x"}, "location"),
        ({"service_code": "t-repair", "lat": "north", "long": "114.4", "description": "x"}, "lat"),
        ({"service_code": "t-repair", "address_string": "1栋"}, "description"),
        ({"service_code": "t-repair", "address_id": "abc", "description": "x"}, "address_id"),
    ],
)
def test_post_errors_are_open311_error_lists(client, people, cats, key, fields, words):
    response = client.post("/open311/v2/requests.json", {"api_key": key(people.resident), **fields})
    assert response.status_code == 400
    body = response.json()
    assert body[0]["code"] == 400 and words in body[0]["description"]
    assert Ticket.objects.count() == 0
    xml = client.post("/open311/v2/requests.xml", {"api_key": key(people.resident), **fields})
    root = parse(xml.content)
    assert root.tag == "errors" and root.find("error/code").text == "400"


def test_post_refused_for_wrong_role_place_and_no_key(client, world, people, cats, key):
    merchant = make_user(Role.MERCHANT, world.community_a1)
    fields = {"service_code": "t-repair", "lat": "30.5", "long": "114.4", "description": "x"}
    assert client.post("/open311/v2/requests.json", fields).status_code == 401
    bad = client.post("/open311/v2/requests.json", {**fields, "api_key": "nonsense"})
    assert bad.status_code == 401 and bad.json()[0]["code"] == 401
    # A merchant has no ticket.submit: refused.
    response = client.post("/open311/v2/requests.json", {**fields, "api_key": key(merchant)})
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    # A place outside the resident's community.
    far = world.grid_b1_1.buildings[0]
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": key(people.resident), "service_code": "t-repair", "address_id": far.pk,
         "description": "x"},
    )  # fmt: skip
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    assert Ticket.objects.count() == 0


def test_post_with_session_needs_csrf(world, people, cats):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.resident)
    fields = {"service_code": "t-repair", "lat": "30.5", "long": "114.4", "description": "x"}
    response = client.post("/open311/v2/requests.json", fields)
    assert response.status_code == 403
    assert Ticket.objects.count() == 0


def test_post_is_rate_limited(client, people, cats, key, settings):
    settings.OPEN311_POST_RATE = "2/m"
    fields = {"api_key": key(people.resident), "service_code": "t-repair", "description": "灯",
              "address_string": "1栋"}  # fmt: skip
    codes = [client.post("/open311/v2/requests.json", fields).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert Ticket.objects.count() == 2


def test_get_with_a_credential_is_scoped(client, world, ticket, people, key):
    # A wrong key is refused, never downgraded to the public view.
    for url in ("/open311/v2/requests.json", f"/open311/v2/requests/{ticket.number}.json"):
        response = client.get(url, {"api_key": "not-a-key"})
        assert response.status_code == 401 and response.json()[0]["code"] == 401
        assert client.get(url, HTTP_AUTHORIZATION="Token not-a-key").status_code == 401
    # Another grid's worker and another resident do not see it: 404 by id, empty list.
    for user in (people.gw_other, people.neighbour):
        response = client.get(f"/open311/v2/requests/{ticket.number}.json", {"api_key": key(user)})
        assert response.status_code == 404 and response.json()[0]["code"] == 404
        assert client.get("/open311/v2/requests.json", {"api_key": key(user)}).json() == []
    # Its submitter and the grid's worker do; the key in an `Open311` header works too.
    assert (
        client.get(
            "/open311/v2/requests.json", HTTP_AUTHORIZATION=f"Open311 {key(people.resident)}"
        ).json()[0]["service_request_id"]
        == ticket.number
    )
    client.force_login(people.cw)
    assert client.get("/open311/v2/requests.json").json()[0]["service_request_id"] == ticket.number


def test_filters(client, world, people, cats, drive, key):
    clock.set_now(NOW)
    open_one = drive(Status.SUBMITTED)
    closed_one = drive(Status.CLOSED)
    noise = services.submit(actor=people.resident, kind=Kind.HELP, category=cats.noise, text="吵")
    clock.set_now(NOW - dt.timedelta(days=120))
    old = services.submit(actor=people.resident, kind=Kind.HELP, category=cats.repair, text="旧")
    clock.set_now(NOW)
    api_key = key(people.street)

    def ids(**params):
        body = client.get("/open311/v2/requests.json", {"api_key": api_key, **params}).json()
        return {r["service_request_id"] for r in body}

    recent = {open_one.number, closed_one.number, noise.number}
    assert ids() == recent  # default: the last 90 days
    assert ids(status="closed") == {closed_one.number}
    assert ids(status="open") == {open_one.number, noise.number}
    assert ids(status="open,closed") == recent
    assert ids(service_code="t-noise") == {noise.number}
    assert ids(service_request_id=f"{old.number},{noise.number}") == {old.number, noise.number}
    start = (NOW - dt.timedelta(days=130)).isoformat()
    end = (NOW - dt.timedelta(days=100)).isoformat()
    assert ids(start_date=start, end_date=end) == {old.number}
    assert ids(start_date="2026-03-10") == recent
    bad = client.get("/open311/v2/requests.json", {"api_key": api_key, "start_date": "soon"})
    assert bad.status_code == 400 and "soon" in bad.json()[0]["description"]
    bad = client.get("/open311/v2/requests.json", {"api_key": api_key, "status": "pending"})
    assert bad.status_code == 400
    row = next(
        r
        for r in client.get("/open311/v2/requests.json", {"api_key": api_key}).json()
        if r["service_request_id"] == closed_one.number
    )
    assert row["status"] == "closed" and row["expected_datetime"] is None


def test_results_capped_and_queries_bounded(
    client, world, people, cats, key, monkeypatch, django_assert_max_num_queries
):
    clock.set_now(NOW)
    for i in range(4):
        services.submit(
            actor=people.resident, kind=Kind.HELP, category=cats.repair, text=f"第{i}件"
        )
    monkeypatch.setattr(open311, "MAX_RESULTS", 3)
    api_key = key(people.street)
    with django_assert_max_num_queries(6):
        body = client.get("/open311/v2/requests.json", {"api_key": api_key}).json()
    assert len(body) == 3


def test_post_with_a_photo_gives_a_media_url(client, people, cats, key):
    import io

    from PIL import Image

    clock.set_now(NOW)
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = "x.png"
    api_key = key(people.resident)
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "t-repair", "address_string": "1栋",
         "description": "墙皮脱落", "media": buffer},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    number = response.json()[0]["service_request_id"]
    got = client.get(f"/open311/v2/requests/{number}.json", {"api_key": api_key}).json()[0]
    ticket = Ticket.objects.get(number=number)
    photo = ticket.photos.get()
    assert got["media_url"] == f"http://testserver/tickets/{ticket.pk}/photos/{photo.pk}/"


def test_errors_are_in_chinese_by_default(client, people, cats, key, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.post("/open311/v2/requests.json", {"api_key": key(people.resident)})
    assert response.status_code == 400
    assert response.json()[0]["description"] == "必须提供 service_code。"


# --------------------------------------------------------------------------- public reads


@pytest.fixture
def placed(world, people, cats):
    """A ticket with a building, its own point, a photo-free text naming a neighbour; the grid
    has a centre."""
    from decimal import Decimal

    world.grid_a1_1.centre_lat, world.grid_a1_1.centre_lng = Decimal("30.51"), Decimal("114.41")
    world.grid_a1_1.save()
    clock.set_now(NOW.replace(minute=37, second=12))
    return services.submit(
        actor=people.resident,
        kind=Kind.HELP,
        category=cats.repair,
        text="301室王阿姨家门口漏水",
        lat=Decimal("30.512345"),
        lng=Decimal("114.412345"),
        place=world.grid_a1_1.buildings[0],
    )


def test_get_without_credentials_answers_the_public_view(client, world, placed, people):
    body = client.get("/open311/v2/requests.json").json()
    assert len(body) == 1
    row = body[0]
    assert set(row) == REQUEST_FIELDS
    assert row["service_request_id"] == placed.number and row["status"] == "open"
    assert row["service_code"] == "t-repair" and row["service_name"] == "维修"
    # Nothing personal: no text, no building, no photo, no point of its own, no name.
    assert row["description"] is None and row["media_url"] is None
    assert row["address"] == world.grid_a1_1.name and row["address_id"] == world.grid_a1_1.pk
    assert (row["lat"], row["long"]) == (30.51, 114.41)  # the grid's centre
    # Times to the hour.
    assert row["requested_datetime"] == "2026-03-10T09:00:00+08:00"
    text = client.get("/open311/v2/requests.xml").content.decode()
    for secret in ("301", "王阿姨", "1栋", people.resident.name, "30.512345"):
        assert secret not in json.dumps(body, ensure_ascii=False) and secret not in text
    one = client.get(f"/open311/v2/requests/{placed.number}.json").json()
    assert one == body
    assert parse(client.get("/open311/v2/requests.xml").content)[0].find("description").text is None
    # A signed-in caller still gets the full row of what they may see.
    client.force_login(people.resident)
    assert client.get("/open311/v2/requests.json").json()[0]["description"] == placed.text


def test_public_view_filters_work_and_leave_out_anonymous_reports(client, world, people, cats):
    clock.set_now(NOW)
    plain = services.submit(actor=people.resident, kind=Kind.HELP, category=cats.repair, text="灯")
    hidden = services.submit(
        actor=people.resident,
        kind=Kind.REPORT,
        category=cats.repair,
        text="有人偷电",
        anonymous=True,
    )
    other = services.submit(actor=people.resident, kind=Kind.HELP, category=cats.noise, text="吵")
    ids = {r["service_request_id"] for r in client.get("/open311/v2/requests.json").json()}
    assert ids == {plain.number, other.number}
    assert client.get(f"/open311/v2/requests/{hidden.number}.json").status_code == 404
    only = client.get("/open311/v2/requests.json", {"service_code": "t-noise"}).json()
    assert [r["service_request_id"] for r in only] == [other.number]
    assert client.get("/open311/v2/requests.json", {"status": "pending"}).status_code == 400


def test_public_reads_can_be_switched_off_and_are_rate_limited(client, placed, settings):
    settings.OPEN311_PUBLIC_REQUESTS = False
    assert client.get("/open311/v2/requests.json").status_code == 401
    assert client.get(f"/open311/v2/requests/{placed.number}.json").status_code == 401
    settings.OPEN311_PUBLIC_REQUESTS = True
    settings.OPEN311_PUBLIC_RATE = "2/m"
    codes = [client.get("/open311/v2/requests.json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_public_list_queries_are_bounded(
    client, world, people, cats, django_assert_max_num_queries
):
    clock.set_now(NOW)
    for i in range(25):
        services.submit(
            actor=people.resident, kind=Kind.HELP, category=cats.repair, text=f"第{i}件"
        )
    with django_assert_max_num_queries(3):
        body = client.get("/open311/v2/requests.json").json()
    assert len(body) == 25
