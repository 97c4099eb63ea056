"""Open311 under issue 13: its own keys (never the REST token), dates bounded and in range,
Open311 error lists for every unknown path and format, no 500 from odd parameters."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.tickets import open311_keys, services
from gongzhi.tickets.models import Kind, Open311Key, Ticket

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=SH)
URL = "/open311/v2/requests.json"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def fields(people, cats):
    return {"service_code": "t-repair", "description": "楼道灯坏了", "address_string": "1栋"}


def errors(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status
    return body[0]["description"]


def xml_errors(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)  # noqa: S314 — our own answer
    assert root.tag == "errors" and root.find("error/code").text == str(status)
    return root.find("error/description").text


# --------------------------------------------------------------------------- keys


def test_the_rest_token_is_no_open311_key(client, people, fields):
    token = Token.objects.create(user=people.resident).key
    errors(client.get(URL, {"api_key": token}), 401)
    errors(client.get(URL, HTTP_AUTHORIZATION=f"Token {token}"), 401)
    errors(client.post(URL, {**fields, "api_key": token}), 401)
    assert Ticket.objects.count() == 0


def test_an_open311_key_is_no_rest_token(client, people):
    _record, key = open311_keys.issue(people.resident, "测试客户端")
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code in (401, 403) and "name" not in response.json()


def test_key_stored_hashed_used_in_the_post_body(client, people, fields):
    record, key = open311_keys.issue(people.resident, "街道App")
    assert key.startswith("o311_") and len(key) > 40
    stored = Open311Key.objects.filter(pk=record.pk).values().get()
    assert key not in {str(v) for v in stored.values()}
    assert stored["digest"] == open311_keys.digest(key) and stored["prefix"] == key[:12]
    response = client.post(URL, {**fields, "api_key": key})
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    assert ticket.submitter == people.resident
    record.refresh_from_db()
    assert record.last_used_at is not None
    audit = AuditRecord.objects.filter(action="open311_key.issue").get()
    assert audit.target_id == str(record.pk) and key not in str(audit.changes)


def test_key_in_the_address_of_a_post_is_refused(client, people, fields):
    _record, key = open311_keys.issue(people.resident, "街道App")
    description = errors(client.post(f"{URL}?api_key={key}", fields), 400)
    assert "body" in description
    assert Ticket.objects.count() == 0


def test_revoked_key_and_deactivated_account_are_refused(client, people, fields):
    record, key = open311_keys.issue(people.resident, "街道App")
    assert client.get(URL, {"api_key": key}).status_code == 200
    open311_keys.revoke(record)
    errors(client.get(URL, {"api_key": key}), 401)
    errors(client.post(URL, {**fields, "api_key": key}), 401)
    assert AuditRecord.objects.filter(action="open311_key.revoke").count() == 1
    _other, second = open311_keys.issue(people.neighbour, "另一个App")
    people.neighbour.is_active = False
    people.neighbour.save()
    errors(client.get(URL, {"api_key": second}), 401)


def test_one_key_per_client_each_revocable(people):
    first, key1 = open311_keys.issue(people.resident, "大屏")
    _second, key2 = open311_keys.issue(people.resident, "小程序")
    open311_keys.revoke(first)
    assert open311_keys.user_for(key1) is None
    assert open311_keys.user_for(key2) == people.resident


def test_issue_refuses_an_unnamed_client(people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        open311_keys.issue(people.resident, "  ")
    assert Open311Key.objects.count() == 0


def test_management_command_issues_lists_and_revokes(people, client):
    out = StringIO()
    call_command("open311_key", "issue", "13900000001", "街道大屏", stdout=out)
    key = out.getvalue().strip().splitlines()[-1]
    assert open311_keys.user_for(key) == people.resident
    out = StringIO()
    call_command("open311_key", "list", stdout=out)
    assert key[:12] in out.getvalue() and key not in out.getvalue()
    call_command("open311_key", "revoke", key[:12], stdout=StringIO())
    assert open311_keys.user_for(key) is None
    with pytest.raises(CommandError):
        call_command("open311_key", "issue", "nobody", "x", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("open311_key", "revoke", "o311_nothing", stdout=StringIO())


# --------------------------------------------------------------------------- dates


def test_start_date_alone_covers_90_days(client, people, cats):
    clock.set_now(NOW - dt.timedelta(days=200))
    early = services.submit(actor=people.resident, kind=Kind.HELP, category=cats.repair, text="早")
    clock.set_now(NOW)
    late = services.submit(actor=people.resident, kind=Kind.HELP, category=cats.repair, text="晚")
    start = (NOW - dt.timedelta(days=201)).date().isoformat()
    numbers = [r["service_request_id"] for r in client.get(URL, {"start_date": start}).json()]
    assert numbers == [early.number]  # not `late`, 200 days later
    assert late.number not in numbers


@pytest.mark.parametrize(
    "params",
    [
        {"end_date": "0001-01-01"},
        {"start_date": "9999-12-31"},
        {"start_date": "0001-01-01T00:00:00+08:00", "end_date": "9999-12-31T00:00:00Z"},
        {"start_date": "1900-01-01"},
        {"end_date": "2026-02-30"},
        {"start_date": "2026-03-01T25:00:00"},
    ],
)
def test_dates_out_of_range_are_a_400(client, people, params):
    errors(client.get(URL, params), 400)  # anonymously: the public view
    xml_errors(client.get("/open311/v2/requests.xml", params), 400)


def test_nul_bytes_and_odd_points_are_a_400(client, people, fields):
    _record, key = open311_keys.issue(people.resident, "街道App")
    errors(client.get(URL, {"service_code": "t-\x00repair"}), 400)
    errors(client.get(URL, {"service_request_id": "GZ\x00"}), 400)
    errors(client.post(URL, {**fields, "api_key": key, "description": "灯\x00"}), 400)
    for lat in ("NaN", "Infinity", "1e400", "12345"):
        post = {**fields, "api_key": key, "lat": lat, "long": "114.4"}
        errors(client.post(URL, post), 400)
    assert Ticket.objects.count() == 0


# --------------------------------------------------------------------------- unknown paths


def test_service_definition(client, cats):
    body = client.get("/open311/v2/services/t-repair.json").json()
    assert body == {"service_code": "t-repair", "attributes": []}
    root = ET.fromstring(client.get("/open311/v2/services/t-repair.xml").content)  # noqa: S314
    assert root.tag == "service_definition" and root.find("service_code").text == "t-repair"
    errors(client.get("/open311/v2/services/nope.json"), 404)
    errors(client.get("/open311/v2/services/t-%00repair.json"), 404)
    xml_errors(client.get("/open311/v2/services/nope.xml"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "tokens/123.json",
        "requests/GZ-20260310-9999.json",
        "requests/no%20such.json",
        "requests.csv",
        "services.html",
        "requests/GZ-1.yaml",
        "nothing/here",
    ],
)
def test_unknown_paths_and_formats_are_open311_errors(client, cats, path):
    errors(client.get(f"/open311/v2/{path}"), 404)


def test_unknown_paths_answer_xml_when_asked(client, cats):
    xml_errors(client.get("/open311/v2/tokens/123.xml"), 404)
    xml_errors(client.get("/open311/v2/requests/GZ-20260310-9999.xml"), 404)
    xml_errors(client.post("/open311/v2/tokens/123.xml"), 404)
