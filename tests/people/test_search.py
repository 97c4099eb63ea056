"""Finding residents: name, pinyin initials, last digits, whole numbers, address, filters."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.http import QueryDict
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.people import idcard, selectors, services
from tests.conftest import make_user
from tests.people.test_residents import add, household_in, keeper


@pytest.fixture
def people(world):
    # Fixed ID numbers (sequences 011–017): their last four digits ("011x"…) can never collide
    # with the phones' last four, whatever order the tests run in.
    def fixed_id(birth, seq):
        return idcard.make_id("420111", birth, seq)

    actor = keeper(world)
    g1a, g1b = household_in(world.grid_a1_1, 0), household_in(world.grid_a1_1, 2)
    g2 = household_in(world.grid_a1_2)
    zhang_id = fixed_id(dt.date(1940, 1, 2), 11)
    out = {
        "actor": actor,
        "zhang": add(
            actor,
            g1a,
            "张三丰",
            id_number=zhang_id,
            phone="13800004321",
            tags=["living_alone", "disabled"],
        ),
        "li": add(
            actor,
            g1a,
            "李小龙",
            id_number=fixed_id(dt.date(1960, 6, 1), 13),
            phone="13900008765",
            tags=["living_alone"],
            residence_status="floating",
        ),
        "wang": add(
            actor, g1b, "王五", id_number=fixed_id(dt.date(2000, 1, 1), 15), phone="13700005555"
        ),
        "zhao": add(
            actor,
            g2,
            "赵敏",
            id_number=fixed_id(dt.date(1930, 1, 1), 17),
            phone="13600006666",
            tags=["living_alone"],
        ),
    }
    out["zhang_id"] = zhang_id
    return out


def names(user, **params) -> set[str]:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        if isinstance(value, list):
            query.setlist(key, value)
        else:
            query[key] = str(value)
    return {r.name for r in selectors.search(user, query)}


def test_name_contains(people):
    assert names(people["actor"], q="三") == {"张三丰"}


def test_pinyin_initials_start_with(people):
    assert names(people["actor"], q="zs") == {"张三丰"}
    assert names(people["actor"], q="LXL") == {"李小龙"}
    assert names(people["actor"], q="w") == {"王五"}


def test_last_digits_of_phone_and_id(people):
    assert names(people["actor"], q="4321") == {"张三丰"}
    assert names(people["actor"], q=people["zhang_id"][-4:]) == {"张三丰"}
    assert names(people["actor"], q="008765") == {"李小龙"}  # six digits: matched on the last four


def test_whole_numbers_match_through_the_blind_index(people):
    assert names(people["actor"], q="13900008765") == {"李小龙"}
    assert names(people["actor"], q=people["zhang_id"]) == {"张三丰"}
    assert names(people["actor"], q="13900008764") == set()


def test_address(people, world):
    household = household_in(world.grid_a1_1, 0)
    building = household.building.name
    q = f"{building} {household.room_no}"
    # Every grid has a "1栋": the same address in the other grid matches too …
    assert names(people["actor"], q=q) == {"张三丰", "李小龙", "赵敏"}
    # … and the grid filter tells them apart.
    assert names(people["actor"], q=q, grid=world.grid_a1_1.pk) == {"张三丰", "李小龙"}
    assert names(people["actor"], q=f"2栋 {household_in(world.grid_a1_1, 2).room_no}") == {"王五"}


def test_tags_are_all_required(people):
    assert names(people["actor"], tag=["living_alone"]) == {"张三丰", "李小龙", "赵敏"}
    assert names(people["actor"], tag=["living_alone", "disabled"]) == {"张三丰"}
    assert names(people["actor"], tag=["nonsense"]) == set()


def test_grid_and_building_filters(people, world):
    actor = people["actor"]
    assert names(actor, grid=world.grid_a1_2.pk) == {"赵敏"}
    building = household_in(world.grid_a1_1, 2).building
    assert names(actor, building=building.pk) == {"王五"}
    # A grid outside the scope gives nothing rather than an error or everything.
    assert names(actor, grid=world.grid_b1_1.pk) == set()


def test_age_is_derived_with_the_clock(people):
    actor = people["actor"]
    with clock.travel_to(dt.datetime(2020, 6, 1, 12, 0)):
        assert names(actor, age=60) == {"张三丰", "李小龙", "赵敏"}
        assert names(actor, age=80) == {"张三丰", "赵敏"}
        assert selectors.age_tags(people["li"]) == ["60+"]
        assert selectors.age_tags(people["zhang"]) == ["80+"]
    with clock.travel_to(dt.datetime(2020, 5, 31, 12, 0)):
        assert names(actor, age=60) == {"张三丰", "赵敏"}  # 李小龙 turns 60 on 1 June


def test_cutoff_on_29_february():
    assert selectors.cutoff(61, dt.date(2028, 2, 29)) == dt.date(1967, 2, 28)


def test_status_and_active(people):
    actor = people["actor"]
    assert names(actor, status="floating") == {"李小龙"}
    services.move_out(people["wang"], actor=actor)
    assert "王五" not in names(actor)
    assert names(actor, active="0") == {"王五"}
    assert "王五" in names(actor, active="all")


def test_grid_worker_search_stays_in_the_grid(people, world):
    grid_worker = make_user(Role.GRID_WORKER, world.grid_a1_1)
    assert names(grid_worker) == {"张三丰", "李小龙", "王五"}
    assert names(grid_worker, q="赵敏") == set()
    assert names(grid_worker, q="6666") == set()
    assert names(grid_worker, q="13600006666") == set()
    assert names(grid_worker, q="zm") == set()
    assert names(grid_worker, tag=["living_alone"]) == {"张三丰", "李小龙"}


def test_list_page_search(people, client):
    client.force_login(people["actor"])
    body = client.get("/people/", {"q": "zsf"}).content.decode()
    assert "张三丰" in body and "李小龙" not in body
    assert people["zhang"].id_masked in body and "138****4321" in body
    assert people["zhang_id"] not in body


def test_api_search(people):
    api = APIClient()
    api.force_authenticate(people["actor"])
    body = api.get("/api/v1/residents/", {"q": "8765"}).json()
    assert [r["name"] for r in body["results"]] == ["李小龙"]
    body = api.get("/api/v1/residents/?tag=living_alone&tag=disabled").json()
    assert [r["name"] for r in body["results"]] == ["张三丰"]


def test_api_whole_number_travels_in_the_body_not_the_url(people):
    api = APIClient()
    api.force_authenticate(people["actor"])
    refused = api.get("/api/v1/residents/", {"q": "13900008765"})
    assert refused.status_code == 400
    assert "/api/v1/residents/search/" in refused.json()["q"][0]
    body = api.post("/api/v1/residents/search/", {"q": "13900008765"}, format="json").json()
    assert [r["name"] for r in body["results"]] == ["李小龙"]
    body = api.post(
        "/api/v1/residents/search/", {"tag": ["living_alone", "disabled"]}, format="json"
    ).json()
    assert [r["name"] for r in body["results"]] == ["张三丰"]


def test_api_body_search_is_scoped(people, world):
    api = APIClient()
    api.force_authenticate(make_user(Role.GRID_WORKER, world.grid_b1_1))
    body = api.post("/api/v1/residents/search/", {"q": "13900008765"}, format="json").json()
    assert body["results"] == []


def _fill(actor, household, n):
    for i in range(n):
        add(actor, household, f"填充{i}", birth=dt.date(1940, 1, 1 + i % 28), tags=["key_care"])


def test_list_page_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    actor = keeper(world)
    client.force_login(actor)
    _fill(actor, household_in(world.grid_a1_1), 3)
    url = f"/people/?grid={world.grid_a1_1.pk}&tag=key_care&age=60&q=填充"
    client.get(url)
    with django_assert_max_num_queries(12) as small:
        assert client.get(url).status_code == 200
    _fill(actor, household_in(world.grid_a1_1, 1), 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get(url).content.decode()
    assert body.count("填充") >= 33


def test_api_list_query_count_does_not_grow(world, django_assert_max_num_queries):
    actor = keeper(world)
    api = APIClient()
    api.force_authenticate(actor)
    _fill(actor, household_in(world.grid_a1_1), 3)
    api.get("/api/v1/residents/")
    with django_assert_max_num_queries(10) as small:
        assert api.get("/api/v1/residents/?tag=key_care").status_code == 200
    _fill(actor, household_in(world.grid_a1_1, 1), 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert api.get("/api/v1/residents/?tag=key_care").json()["count"] == 33


def test_my_lists_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    actor = make_user(Role.GRID_WORKER, world.grid_a1_1)
    client.force_login(actor)
    _fill(actor, household_in(world.grid_a1_1), 2)
    client.get("/people/lists/")
    with django_assert_max_num_queries(12) as small:
        client.get("/people/lists/")
    _fill(actor, household_in(world.grid_a1_1, 1), 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = client.get("/people/lists/").content.decode()
    assert 'data-testid="count-key_care">22<' in body


def test_skill_filter_and_talent_register(world):
    from gongzhi.people.idcard import make_id
    from gongzhi.places.models import Household

    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    homes = list(Household.objects.filter(place_path__under=world.community_a1.path)[:3])
    for i, (home, skill) in enumerate(zip(homes, ["水电维修、电工", "法律咨询", ""], strict=True)):
        services.create_resident(
            actor=worker,
            household=home,
            name=f"技能{i}",
            id_number=make_id("431302", dt.date(1970, 1, 1), 31 + i * 2),
            specialty=skill,
        )
    assert {r.name for r in selectors.search(worker, {"skill": "电工"})} == {"技能0"}
    talents = selectors.search(worker, selectors.preset_params("talents"))
    assert {r.name for r in talents} == {"技能0", "技能1"}
    assert selectors.preset_counts(worker)["talents"] == 2


def test_a_whole_number_never_travels_in_the_url(world, client):
    """Searching by a whole phone number: the form POSTs, the number is parked in the
    session, and the URL (which web-server logs keep) carries only a token."""
    secretary = keeper(world)
    add(secretary, household_in(world.grid_a1_1), "号码查找", phone="13955550123")
    add(secretary, household_in(world.grid_a1_1, 1), "别人", phone="13955550999")
    client.force_login(secretary)
    res = client.post("/people/", {"q": "139 5555 0123", "active": "1"})
    assert res.status_code == 302
    assert "5555" not in res["Location"] and "qt=" in res["Location"]
    page = client.get(res["Location"]).content.decode()
    assert "号码查找" in page and "别人" not in page
    # A short query (last digits) stays in the URL, as before.
    res = client.post("/people/", {"q": "0123"})
    assert "q=0123" in res["Location"]
    # The token means nothing in another session: the number is not filled back in, and
    # the page says the search expired rather than listing everyone.
    token_url = client.post("/people/", {"q": "13955550123"})["Location"]
    assert "13955550123" in client.get(token_url).content.decode()  # shown back in the box
    client.logout()
    client.force_login(secretary)
    page = client.get(token_url).content.decode()
    assert "13955550123" not in page and "号码查找" not in page and "别人" not in page
    assert "本次搜索已过期，请重新搜索。" in page


def _digit_runs(text: str) -> set[str]:
    return set(re.findall(r"\d{7,}", text))


def test_a_whole_number_search_leaves_no_digits_in_the_session_or_a_url(world, client):
    """The session row (signed, not encrypted; kept 8 hours and in every backup) holds the
    query only encrypted, under a random token; no URL of the result page carries it."""
    from django.contrib.sessions.models import Session

    secretary = keeper(world)
    add(secretary, household_in(world.grid_a1_1), "号码查找", phone="13955550123")
    client.force_login(secretary)
    res = client.post("/people/", {"q": "13955550123", "active": "1"})
    page = client.get(res["Location"])
    assert "号码查找" in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    sessions = [json.dumps(s.get_decoded(), ensure_ascii=False) for s in Session.objects.all()]
    assert any("people_search" in decoded for decoded in sessions)  # the search was parked
    for decoded in sessions:  # session_data itself is base64: only the decoded data can tell
        assert "13955550123" not in decoded
        assert "5555" not in decoded
    urls = re.findall(r'(?:href|action)="([^"]*)"', page.content.decode()) + [res["Location"]]
    assert [u for u in urls if "5555" in u or "0123" in u] == []


def test_whole_number_results_paginate_by_token(world, client, monkeypatch):
    from gongzhi.people import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    secretary = keeper(world)
    # One mobile number for a family: two residents.
    add(secretary, household_in(world.grid_a1_1), "家一", phone="13955550123")
    add(secretary, household_in(world.grid_a1_1), "家二", phone="13955550123")
    add(secretary, household_in(world.grid_a1_1), "外人", phone="13955550999")
    client.force_login(secretary)
    first_url = client.post("/people/", {"q": "13955550123"})["Location"]
    first = client.get(first_url).content.decode()
    (next_href,) = re.findall(r'href="(\?[^"]*page=2[^"]*)"', first)
    next_href = next_href.replace("&amp;", "&")
    assert "qt=" in next_href and not _digit_runs(next_href) and "5555" not in next_href
    second = client.get("/people/" + next_href).content.decode()
    shown = {n for n in ("家一", "家二", "外人") if n in first}
    shown_next = {n for n in ("家一", "家二", "外人") if n in second}
    assert len(shown) == 1 and len(shown_next) == 1 and shown | shown_next == {"家一", "家二"}


def test_a_plain_number_parked_by_the_old_version_is_dropped(world, client):
    from django.contrib.sessions.models import Session

    client.force_login(keeper(world))
    session = client.session
    session["people_search"] = {"oldtoken": "13955550123"}
    session.save()
    page = client.get("/people/?qt=oldtoken").content.decode()
    assert "本次搜索已过期" in page and "13955550123" not in page
    (row,) = Session.objects.all()
    assert "13955550123" not in json.dumps(row.get_decoded())


def test_a_parked_search_expires(world, client):
    secretary = keeper(world)
    add(secretary, household_in(world.grid_a1_1), "号码查找", phone="13955550123")
    client.force_login(secretary)
    with clock.travel_to(dt.datetime(2026, 3, 1, 9, 0)):
        url = client.post("/people/", {"q": "13955550123"})["Location"]
        assert "号码查找" in client.get(url).content.decode()
    with clock.travel_to(dt.datetime(2026, 3, 1, 9, 31)):
        page = client.get(url).content.decode()
    assert "号码查找" not in page and "本次搜索已过期" in page


@pytest.mark.parametrize(
    "url",
    [
        "/people/?q=13955550123",
        "/people/?q=139+5555+0123&grid=1",
        "/people/?q=" + idcard.make_id("420111", dt.date(1950, 3, 4), 101),
        "/people/?q=abc&q=13955550123",
    ],
)
def test_a_whole_number_in_the_address_is_refused_not_served(world, client, url):
    secretary = keeper(world)
    add(secretary, household_in(world.grid_a1_1), "号码查找", phone="13955550123")
    client.force_login(secretary)
    res = client.get(url)
    assert res.status_code == 400
    page = res.content.decode()
    assert "不能通过网址搜索完整的手机号或证件号" in page
    assert "号码查找" not in page  # nothing searched, nothing listed
    assert "13955550123" not in page and "5555" not in page


def test_exports_refuse_a_whole_number_in_the_address(world, client):
    secretary = keeper(world)
    client.force_login(secretary)
    for url in ("/people/export/?q=13955550123", "/people/export/full/?q=13955550123"):
        res = client.get(url, follow=True)
        assert res.redirect_chain == [("/people/", 302)]
        assert "不能通过网址搜索完整的手机号或证件号" in res.content.decode()
    assert not AuditRecord.objects.filter(action="resident.export").exists()


def test_api_refuses_a_whole_number_in_the_query_string_in_chinese(people):
    api = APIClient()
    api.force_authenticate(people["actor"])
    for q in ("13900008765", "139 0000 8765", people["zhang_id"]):
        refused = api.get("/api/v1/residents/", {"q": q}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert refused.status_code == 400
        assert refused.json()["q"][0].startswith("不要把完整的手机号或证件号放在网址中")
    # Not in a second `q`, nor in the address of the POST that takes it in its body.
    assert api.get("/api/v1/residents/?q=abc&q=13900008765").status_code == 400
    refused = api.post("/api/v1/residents/search/?q=13900008765", {}, format="json")
    assert refused.status_code == 400
