"""Bad input never gives a 500 anywhere under /api/v1/ (issue 13).

The routes are generated from the URLconf (every pattern Django can reverse under api/v1/), not
listed by hand: each is called with non-numeric and huge ids, with bodies that are not JSON
objects, malformed JSON, NUL bytes, huge numbers and junk query parameters, as a staff user and
as a resident. Then the specific answers: a bad id is a 404, a bad body a 400 in Chinese.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLResolver, get_resolver

from gongzhi.core.roles import Role
from tests.conftest import make_user

BAD_IDS = ["abc", "-1", "99999999999999999999"]
BODIES = ["[]", '"x"', "null", "1", "{}", "{", '{"name": "a\\u0000b"}', '{"x": 1e999}']
BODIES += ['{"place": 99999999999999999999, "amount": -99999999999999999999}']
JUNK_QUERY = {
    "page": "abc",
    "place": "abc",
    "year": "99999",
    "status": "\x00",
    "search": "x" * 5000,
    "date": "0001-01-01",
}


def api_routes() -> list[tuple[str, tuple[str, ...]]]:
    """Every (format string, parameter names) Django can reverse under api/v1/, once."""
    seen = set()
    for _key, entries in get_resolver().reverse_dict.lists():
        for possibilities, _pattern, _defaults, _converters in entries:
            for fmt, params in possibilities:
                if fmt.startswith("api/v1/") and "format" not in params:
                    seen.add((fmt, tuple(params)))
    return sorted(seen)


def fill(fmt: str, params, value: str) -> str:
    return "/" + fmt % {name: value for name in params}


def test_the_routes_are_found():
    routes = dict(api_routes())
    assert len(routes) > 120
    assert "api/v1/meetings/%(pk)s/" in routes
    assert "api/v1/owners-votes/%(pk)s/" in routes


def _full_patterns(patterns, prefix=""):
    for pattern in patterns:
        full = prefix + pattern.pattern.regex.pattern.lstrip("^")
        if isinstance(pattern, URLResolver):
            yield from _full_patterns(pattern.url_patterns, full)
        else:
            yield full


def test_every_id_in_an_api_route_is_digits():
    """A new ViewSet or path under /api/v1/ takes ids as digits (the shared routers, <int:…>)."""
    loose = [
        (full, name, regex)
        for full in _full_patterns(get_resolver().url_patterns)
        if full.startswith("api/v1/")
        for name, regex in re.findall(r"\(\?P<(\w+)>([^)]*)\)", full)
        if name != "format" and regex not in (r"\d+", "[0-9]+")
    ]
    assert loose == []


@pytest.fixture
def users(world):
    building = world.grid_a1_1.buildings[0]
    return [
        make_user(Role.COMMUNITY_SECRETARY, world.community_a1),
        make_user(Role.RESIDENT, building, household=building.households.first()),
    ]


def _no_server_error(response, what):
    assert response.status_code < 500, f"{what} → {response.status_code}"


def test_no_route_gives_a_server_error(client, users):
    for user in users:
        client.force_login(user)
        for fmt, params in api_routes():
            values = BAD_IDS if params else []
            for value in values:
                path = fill(fmt, params, value)
                _no_server_error(client.get(path), f"GET {path}")
                response = client.post(path, "[]", content_type="application/json")
                _no_server_error(response, f"POST {path} []")
            path = fill(fmt, params, "1")
            _no_server_error(client.get(path, JUNK_QUERY), f"GET {path} junk query")
            for method in (client.post, client.put, client.patch):
                for body in BODIES:
                    response = method(path, body, content_type="application/json")
                    _no_server_error(response, f"{method.__name__.upper()} {path} {body}")
            _no_server_error(client.delete(path), f"DELETE {path}")


# --------------------------------------------------------------------------- the answers


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/meetings/abc/",
        "/api/v1/owners-votes/abc/",
        "/api/v1/microprojects/abc/",
        "/api/v1/activities/abc/signup/",
        "/api/v1/timebank/abc/",
        "/api/v1/volunteers/abc/",
        "/api/v1/places/abc/",
        "/api/v1/tickets/1x/accept/",
    ],
)
def test_a_non_numeric_id_is_a_404(client, users, path):
    client.force_login(users[0])
    assert client.get(path).status_code == 404
    assert client.post(path, {}, content_type="application/json").status_code == 404


@pytest.fixture
def staff_client(client, users, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(users[0])
    return client


@pytest.mark.parametrize("body", ["[]", '"x"', "1", "null", "[{}]"])
def test_a_body_that_is_not_an_object_is_a_400_in_chinese(staff_client, body):
    for path in ("/api/v1/topics/", "/api/v1/tickets/", "/api/v1/meetings/"):
        response = staff_client.post(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert response.json()["detail"] == "请求正文须为 JSON 对象（{…}）。"


@pytest.mark.parametrize("body", ["{", "{'a': 1}", "[" * 100_000 + "]" * 100_000, "NaN"])
def test_malformed_json_is_a_400(staff_client, body):
    response = staff_client.post("/api/v1/topics/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求正文不是有效的 JSON。"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"title": "a\x00b"}, "文字中不能含有 NUL 字符。"),
        ({"place": 2**60}, "数字 1152921504606846976 过大。"),
        ({"place": -(2**60)}, "数字 -1152921504606846976 过大。"),
        ({"x": 1e300}, "数字 1e+300 过大。"),
    ],
)
def test_nul_bytes_and_huge_numbers_are_a_400(staff_client, body, message):
    response = staff_client.post(
        "/api/v1/topics/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == message


def test_nul_bytes_in_a_form_are_a_400(staff_client):
    response = staff_client.post("/api/v1/topics/", {"title": "a\x00b"})
    assert response.status_code == 400
    assert response.json()["detail"] == "文字中不能含有 NUL 字符。"


FAR = ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00", "9999-12-31", "0001-01-01"]


@pytest.mark.parametrize("when", FAR)
def test_far_dates_are_a_400(staff_client, world, when):
    """A meeting, a poll and a resolution due date in year 1 or 9999: a 400, never a 500."""
    meeting = {"community": world.community_a1.pk, "kind": "residents_council", "title": "议事会"}
    poll = {"community": world.community_a1.pk, "question": "装电梯？", "options": ["是", "否"]}
    for path, body in (
        ("/api/v1/meetings/", {**meeting, "starts_at": when}),
        ("/api/v1/polls/", {**poll, "opens_at": when, "closes_at": when}),
        ("/api/v1/owners-votes/", {"opens_at": when, "closes_at": when}),
    ):
        response = staff_client.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (path, when)
        if when.startswith("0001"):  # before year 1 in UTC: date arithmetic overflows
            assert response.status_code == 400, (path, when)


def test_overlong_text_is_a_400(staff_client):
    body = json.dumps({"title": "长" * 100_001})
    response = staff_client.post("/api/v1/topics/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "文字过长（最多 100000 个字符）。"


def test_huge_number_in_a_filter_is_a_400(staff_client):
    for query in ({"member": "-1e62"}, {"community": "99999999999999999999"}):
        assert staff_client.get("/api/v1/checkins/", query).status_code == 400


def test_nul_bytes_in_a_query_are_a_400(staff_client):
    for path in ("/api/v1/partner-items/", "/api/v1/checkins/", "/api/v1/tickets/"):
        response = staff_client.get(path, {"kind": "a\x00b"})
        assert response.status_code == 400
        assert response.json()["detail"] == "文字中不能含有 NUL 字符。"


def test_format_suffix_twins_are_not_routes(client, world):
    """/…/unread-count.json once reached a custom action that takes no `format`: a 500."""
    client.force_login(make_user(Role.COMMUNITY_WORKER, world.community_a1))
    for url in (
        "/api/v1/notifications/unread-count.json",
        f"/api/v1/places/{world.community_a1.pk}/counts.json",
        "/api/v1/tickets.json",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/notifications/unread-count/").status_code == 200
