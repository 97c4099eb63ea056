"""The cockpit (数字驾驶舱, issue 21 item 5): gates on page and endpoint, figures equal to hand
counts on a small data set, the JSON shape, rankings and trends from published rounds only, the
map (heat, a chosen indicator, outlines without tiles), the keyed cache and bounded queries."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from gongzhi.core import clock, indicators, navigation
from gongzhi.core.indicators import Direction, Indicator, PeriodKind, Value
from gongzhi.core.roles import Role
from gongzhi.evaluation import cockpit
from gongzhi.evaluation.models import Round, RoundStatus, Score
from gongzhi.keytasks.models import KeyTask, KeyTaskState, TaskList
from gongzhi.people.models import Resident
from gongzhi.places.models import Household
from gongzhi.tickets.models import Category, Status, Ticket
from gongzhi.volunteering.models import Activity, Signup, SignupStatus
from tests.conftest import make_user

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=SH)
_numbers = itertools.count(1)


def at(y, m, d, h=9):
    return dt.datetime(y, m, d, h, 0, tzinfo=SH)


SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[114.0, 30.0], [114.01, 30.0], [114.01, 30.01], [114.0, 30.01], [114.0, 30.0]]
    ],
}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def now():
    clock.set_now(NOW)
    yield NOW
    clock.set_now(None)


def ticket(place, grid, *, created, status=Status.ACCEPTED, response_due=None, resolve_due=None,
           responded=None, resolved=None):  # fmt: skip
    category = Category.objects.get_or_create(code="ck", defaults={"name": "综合"})[0]
    return Ticket.objects.create(
        number=f"CK-{next(_numbers)}",
        kind="help",
        category=category,
        text="t",
        place=place,
        place_path=place.path,
        grid=grid,
        status=status,
        created_at=created,
        response_due=response_due or created + dt.timedelta(days=1),
        resolve_due=resolve_due or created + dt.timedelta(days=7),
        responded_at=responded,
        resolved_at=resolved,
    )


@pytest.fixture
def data(world, now):
    """Street A: 3 tickets today (2 in grid A1-1, 1 in A2-1), 1 yesterday, 1 forty days ago
    (overdue, still open), 2 in the pool (one today), 1 resolved late (not overdue: resolved).
    Street B: 1 ticket today, pooled and overdue (never counted for street A)."""
    w = world
    g11, g12, g21, gb = w.grid_a1_1, w.grid_a1_2, w.grid_a2_1, w.grid_b1_1
    for grid in (g11, g12, g21, gb):
        grid.boundary = SQUARE
        grid.save()
    b11 = g11.buildings[0]
    ticket(b11, g11, created=at(2026, 6, 15, 8))
    ticket(g11, g11, created=at(2026, 6, 15, 9), status=Status.POOLED)
    ticket(g21.buildings[0], g21, created=at(2026, 6, 15, 1))
    ticket(g12, g12, created=at(2026, 6, 14, 23))  # yesterday (Beijing time)
    ticket(g12, g12, created=at(2026, 5, 6), resolve_due=at(2026, 5, 10))  # overdue, open
    ticket(g21, g21, created=at(2026, 6, 1), status=Status.POOLED,
           responded=at(2026, 6, 1, 10), resolve_due=at(2026, 6, 30))  # pool, not overdue  # fmt: skip
    ticket(g21, g21, created=at(2026, 5, 1), resolve_due=at(2026, 5, 3), responded=at(2026, 5, 1),
           resolved=at(2026, 5, 9), status=Status.RESOLVED)  # fmt: skip
    ticket(gb, gb, created=at(2026, 6, 15, 8), status=Status.POOLED,
           response_due=at(2026, 6, 15, 9))  # fmt: skip
    # Volunteers: two distinct residents of A checked in this month (one twice), one in May,
    # one cancelled; one in street B.
    officer = make_user(Role.COMMUNITY_WORKER, w.community_a1)

    def activity(community, starts):
        return Activity.objects.create(
            community=community, place_path=community.path, title="活动", location="广场",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=2), capacity=10,
            organiser=officer,
        )  # fmt: skip

    def resident(building, name):
        home = Household.objects.filter(building=building).first()
        return Resident.objects.create(
            name=name, name_initials="x", gender="F", household=home, place_path=building.path
        )

    r1, r2, r3 = (resident(b11, n) for n in ("甲", "乙", "丙"))
    rb = resident(gb.buildings[0], "丁")
    june, may = activity(w.community_a1, at(2026, 6, 3)), activity(w.community_a1, at(2026, 5, 3))
    june2 = activity(w.community_a1, at(2026, 6, 10))
    b_june = activity(w.community_b1, at(2026, 6, 3))
    for act, res, status in (
        (june, r1, SignupStatus.CONFIRMED),
        (june2, r1, SignupStatus.CONFIRMED),
        (june, r2, SignupStatus.SIGNED_UP),
        (june2, r3, SignupStatus.CANCELLED),
        (may, r3, SignupStatus.CONFIRMED),
        (b_june, rb, SignupStatus.CONFIRMED),
    ):
        Signup.objects.create(
            activity=act, resident=res, place_path=act.place_path, status=status,
            checked_in_at=act.starts_at,
        )  # fmt: skip
    # Key tasks: overdue (counts), due in 10 days (counts, default 30 at-risk days), due in
    # 90 days (no), done and overdue (no), street B overdue (no).
    task_list = TaskList.objects.create(
        place=w.street_a,
        place_path=w.street_a.path,
        title="清单",
        period="2026",
        created_by=officer,
    )
    b_list = TaskList.objects.create(
        place=w.street_b,
        place_path=w.street_b.path,
        title="清单",
        period="2026",
        created_by=officer,
    )
    for n, (lst, due, state) in enumerate(
        (
            (task_list, dt.date(2026, 6, 1), KeyTaskState.OPEN),
            (task_list, dt.date(2026, 6, 25), KeyTaskState.OPEN),
            (task_list, dt.date(2026, 9, 13), KeyTaskState.OPEN),
            (task_list, dt.date(2026, 6, 1), KeyTaskState.DONE),
            (b_list, dt.date(2026, 6, 1), KeyTaskState.OPEN),
        ),
        start=1,
    ):
        KeyTask.objects.create(
            task_list=lst, place_path=lst.place_path, number=n, title=f"任务{n}", due_on=due,
            state=state, done_at=NOW if state != KeyTaskState.OPEN else None,
        )  # fmt: skip
    return w


def published_round(world, place, title, start, totals, *, status=RoundStatus.PUBLISHED):
    opener = make_user(Role.DISTRICT_OFFICER, world.district)
    rnd = Round.objects.create(
        place=place,
        place_path=place.path,
        title=title,
        period_kind="year",
        period_start=start,
        period_end=start.replace(year=start.year + 1),
        status=status,
        opened_by=opener,
        published_at=NOW if status == RoundStatus.PUBLISHED else None,
        snapshot_sha256="0" * 64 if status == RoundStatus.PUBLISHED else "",
    )
    for rank, (community, total) in enumerate(totals, start=1):
        Score.objects.create(
            round=rnd,
            place=community,
            place_path=community.path,
            street=community.parent,
            total=Decimal(total),
            grade="优秀" if Decimal(total) >= 90 else "良好",
            rank_in_area=rank,
            rank_in_street=rank,
        )
    return rnd


# --------------------------------------------------------------------------- gates


@pytest.fixture
def users(world):
    return {
        "district": make_user(Role.DISTRICT_OFFICER, world.district),
        "street_a": make_user(Role.STREET_OFFICER, world.street_a),
        "street_b": make_user(Role.STREET_OFFICER, world.street_b),
        "community": make_user(Role.COMMUNITY_WORKER, world.community_a1),
        "secretary": make_user(Role.COMMUNITY_SECRETARY, world.community_a1),
        "grid": make_user(Role.GRID_WORKER, world.grid_a1_1),
        "resident": make_user(
            Role.RESIDENT,
            world.grid_a1_1.buildings[0],
            household=Household.objects.filter(building=world.grid_a1_1.buildings[0]).first(),
        ),
    }


@pytest.mark.parametrize("role", ["community", "secretary", "grid", "resident"])
def test_roles_without_the_cockpit_are_refused_page_and_endpoint(client, world, users, role):
    client.force_login(users[role])
    assert client.get(reverse("cockpit:screen")).status_code == 403
    assert client.get(reverse("cockpit:place", args=[world.street_a.pk])).status_code == 403
    api = client.get(reverse("api-cockpit", args=[world.street_a.pk]))
    assert api.status_code == 403


def test_anonymous_goes_to_the_login_page(client, world):
    response = client.get(reverse("cockpit:screen"))
    assert response.status_code == 302 and "login" in response["Location"]
    api = client.get(reverse("api-cockpit", args=[world.street_a.pk]))
    assert api.status_code in (401, 403)


def test_a_street_officer_of_street_a_is_refused_street_b_and_the_district(client, world, users):
    client.force_login(users["street_a"])
    for place in (world.street_b, world.district, world.district_b):
        assert client.get(reverse("cockpit:place", args=[place.pk])).status_code == 404
        assert client.get(reverse("api-cockpit", args=[place.pk])).status_code == 404
    assert client.get(reverse("cockpit:screen"), {"place": world.street_b.pk}).status_code == 404


def test_a_community_or_grid_or_unknown_id_is_not_an_area(client, world, users):
    client.force_login(users["district"])
    for pk in (world.community_a1.pk, world.grid_a1_1.pk, 999999):
        assert client.get(reverse("cockpit:place", args=[pk])).status_code == 404
        assert client.get(reverse("api-cockpit", args=[pk])).status_code == 404


def test_bad_query_values_fall_back_instead_of_failing(client, world, users, now):
    client.force_login(users["street_a"])
    page = client.get(reverse("cockpit:screen"), {"place": "abc\x00"})
    assert page.status_code == 200 and page.context["place"] == world.street_a
    api = client.get(reverse("api-cockpit", args=[world.street_a.pk]), {"map": "x'; drop"})
    assert api.status_code == 200 and api.json()["map"]["indicator"] == "heat"


def test_the_page_defaults_to_the_widest_area_and_lists_the_streets(client, world, users, now):
    client.force_login(users["district"])
    page = client.get(reverse("cockpit:screen"))
    assert page.status_code == 200
    assert page.context["place"] == world.district
    names = [a["name"] for a in page.context["areas"]]
    assert names == ["洪山区", "珞南街道", "关山街道"]
    html = page.content.decode()
    assert 'lang="zh-hans"' in html
    assert "数字驾驶舱" in html and "vendor/echarts/echarts.min.js" in html
    assert "cdn" not in html.lower() and "<script>" not in html  # no inline scripts (CSP)
    assert reverse("api-cockpit", args=[world.district.pk]) in html
    client.force_login(users["street_a"])
    page = client.get(reverse("cockpit:screen"))
    assert page.context["place"] == world.street_a
    assert [a["name"] for a in page.context["areas"]] == ["珞南街道"]


def test_the_district_officer_picks_a_street(client, world, users, now):
    client.force_login(users["district"])
    page = client.get(reverse("cockpit:screen"), {"place": world.street_b.pk})
    assert page.context["place"] == world.street_b


def test_the_menu_shows_the_cockpit_only_to_those_who_may_open_it(world, users):
    def urls(user):
        return [i["url"] for g in navigation.menu_for(user) for i in g["items"]]

    assert reverse("cockpit:screen") in urls(users["street_a"])
    assert reverse("cockpit:screen") in urls(users["district"])
    assert reverse("cockpit:screen") not in urls(users["community"])
    assert reverse("cockpit:screen") not in urls(users["grid"])


# --------------------------------------------------------------------------- figures


def _figures(payload):
    return {f["key"]: f["value"] for f in payload["figures"]}


def test_the_figures_equal_hand_counts_for_street_a(client, data, users):
    client.force_login(users["street_a"])
    payload = client.get(reverse("api-cockpit", args=[data.street_a.pk])).json()
    assert _figures(payload) == {
        "tickets_today": 3,  # 8:00 and 9:00 in A1-1, 1:00 in A2-1; 23:00 yesterday is not
        "overdue": 1,  # the open May ticket; the resolved late one is not open
        "pool": 2,
        "volunteers": 2,  # 甲 (twice) and 乙; 丙 cancelled in June, checked in in May
        "tasks_at_risk": 2,  # overdue and due within 30 days
    }


def test_the_district_counts_both_streets(client, data, users):
    client.force_login(users["district"])
    payload = client.get(reverse("api-cockpit", args=[data.district.pk])).json()
    assert _figures(payload) == {
        "tickets_today": 4,
        "overdue": 2,
        "pool": 3,
        "volunteers": 3,
        "tasks_at_risk": 3,
    }


def test_the_json_shape(client, data, users):
    client.force_login(users["street_a"])
    response = client.get(reverse("api-cockpit", args=[data.street_a.pk]))
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-store"}
    payload = response.json()
    assert set(payload) == {
        "place", "updated_at", "refresh_seconds", "figures", "map", "ranking", "trend", "labels"
    }  # fmt: skip
    assert payload["place"] == {"id": data.street_a.pk, "name": "珞南街道", "kind": "street"}
    assert dt.datetime.fromisoformat(payload["updated_at"]) == NOW
    assert payload["refresh_seconds"] == cockpit.REFRESH
    for figure in payload["figures"]:
        assert set(figure) == {"key", "label", "icon", "value", "unit", "urgent"}
    labels = {f["key"]: f["label"] for f in payload["figures"]}
    assert labels["tickets_today"] == "今日工单" and labels["pool"] == "待接单"
    assert set(payload["map"]) == {
        "indicator", "name", "unit", "higher_is_better", "period", "min", "max", "grids"
    }  # fmt: skip
    assert set(payload["ranking"]) == {"round", "rows"}
    assert set(payload["trend"]) == {"index", "tickets"}


def test_a_figure_no_app_registers_is_none_not_zero(client, data, users):
    client.force_login(users["street_a"])
    saved = indicators.get("keytasks.at_risk_now")
    indicators.unregister("keytasks.at_risk_now")
    try:
        payload = client.get(reverse("api-cockpit", args=[data.street_a.pk])).json()
    finally:
        indicators.register(saved)
    assert _figures(payload)["tasks_at_risk"] is None


# --------------------------------------------------------------------------- the map


def test_the_heat_map_counts_tickets_of_the_last_30_days_per_grid(client, data, users):
    client.force_login(users["street_a"])
    payload = client.get(reverse("api-cockpit", args=[data.street_a.pk])).json()
    m = payload["map"]
    assert m["indicator"] == "heat" and m["unit"] == "件"
    values = {f["properties"]["name"]: f["properties"]["value"] for f in m["grids"]["features"]}
    # A1-1: two today; A1-2: yesterday's (the May ones are older than 30 days); A2-1: today's
    # and 1 June's. Street B's grid is not on street A's map.
    assert values == {"珞南一社区G01网格": 2, "珞南一社区G02网格": 1, "珞南二社区G01网格": 2}
    assert (m["min"], m["max"]) == (1, 2)
    feature = m["grids"]["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"


def test_the_map_colours_by_a_chosen_grid_indicator(client, data, users):
    seen = []

    def compute(places, period):
        seen.append((tuple(p.kind for p in places), period))
        return {p.pk: Value.share(1, 4) for p in places[:1]}

    indicators.register(
        Indicator(
            "cockpittest.rate",
            "测试率",
            "%",
            Direction.HIGHER,
            "test",
            compute,
            levels=("grid",),
            periods=(PeriodKind.MONTH,),
        )
    )
    try:
        client.force_login(users["street_a"])
        codes = [c["code"] for c in cockpit.map_choices()]
        assert codes[0] == "heat" and "cockpittest.rate" in codes
        payload = client.get(
            reverse("api-cockpit", args=[data.street_a.pk]), {"map": "cockpittest.rate"}
        ).json()
    finally:
        indicators.unregister("cockpittest.rate")
    m = payload["map"]
    assert m["indicator"] == "cockpittest.rate" and m["name"] == "测试率"
    assert m["higher_is_better"] is True and m["period"] == "2026年6月"
    values = [f["properties"]["value"] for f in m["grids"]["features"]]
    assert values == [25, None, None]  # no data stays None, not 0
    assert seen == [(("grid", "grid", "grid"), cockpit.Period.month(2026, 6))]


def test_no_tiles_configured_means_no_tile_layer(client, world, users, settings, now):
    settings.MAP_TILE_URL = ""
    client.force_login(users["street_a"])
    page = client.get(reverse("cockpit:screen"))
    assert page.context["map_config"]["tiles"] == ""
    html = page.content.decode()
    assert '"tiles": ""' in html and "tile." not in html


def test_a_configured_tile_server_is_handed_to_the_map(client, world, users, settings, now):
    settings.MAP_TILE_URL = "https://tiles.example/{z}/{x}/{y}.png?tk={key}"
    settings.MAP_TILE_KEY = "browser-key"
    client.force_login(users["street_a"])
    config = client.get(reverse("cockpit:screen")).context["map_config"]
    assert config["tiles"] == "https://tiles.example/{z}/{x}/{y}.png?tk={key}"
    assert config["key"] == "browser-key"


# --------------------------------------------------------------------------- rankings, trends


def test_rankings_come_from_the_latest_published_round_covering_the_area(client, data, users):
    w = data
    published_round(w, w.district, "2024年度", dt.date(2024, 1, 1),
                    [(w.community_a1, "80"), (w.community_b1, "70"), (w.community_a2, "60")])  # fmt: skip
    published_round(w, w.district, "2025年度", dt.date(2025, 1, 1),
                    [(w.community_b1, "95"), (w.community_a2, "88"), (w.community_a1, "75.5")])  # fmt: skip
    published_round(w, w.district, "2026年度（审核中）", dt.date(2026, 1, 1),
                    [(w.community_a1, "99")], status=RoundStatus.REVIEW)  # fmt: skip
    published_round(w, w.district_b, "武昌2025", dt.date(2025, 1, 1), [(w.community_c1, "100")])
    client.force_login(users["district"])
    payload = client.get(reverse("api-cockpit", args=[w.district.pk])).json()
    ranking = payload["ranking"]
    assert ranking["round"]["title"] == "2025年度"
    assert [(r["rank"], r["community"], r["total"], r["grade"]) for r in ranking["rows"]] == [
        (1, "关山一社区", 95, "优秀"),
        (2, "珞南二社区", 88, "良好"),
        (3, "珞南一社区", 75.5, "良好"),
    ]
    assert payload["trend"]["index"] == [
        {"round": "2024年度", "average": 70},
        {"round": "2025年度", "average": 86.17},
    ]
    cache.clear()
    client.force_login(users["street_a"])
    payload = client.get(reverse("api-cockpit", args=[w.street_a.pk])).json()
    # Street A's communities only, with their rank in the street.
    assert [(r["rank"], r["community"]) for r in payload["ranking"]["rows"]] == [
        (2, "珞南二社区"),
        (3, "珞南一社区"),
    ]
    assert payload["trend"]["index"] == [
        {"round": "2024年度", "average": 70},
        {"round": "2025年度", "average": 81.75},
    ]


def test_no_published_round_gives_an_empty_ranking(client, data, users):
    published_round(data, data.district, "草稿", dt.date(2026, 1, 1), [(data.community_a1, "90")],
                    status=RoundStatus.REVIEW)  # fmt: skip
    client.force_login(users["street_a"])
    payload = client.get(reverse("api-cockpit", args=[data.street_a.pk])).json()
    assert payload["ranking"] == {"round": None, "rows": []}
    assert payload["trend"]["index"] == []


def test_tickets_per_month_over_twelve_months(client, data, users):
    client.force_login(users["street_a"])
    trend = client.get(reverse("api-cockpit", args=[data.street_a.pk])).json()["trend"]["tickets"]
    assert [p["month"] for p in trend][:2] == ["2025-07", "2025-08"]
    assert len(trend) == 12
    counts = {p["month"]: p["count"] for p in trend}
    assert counts["2026-06"] == 5 and counts["2026-05"] == 2 and counts["2026-04"] == 0


# --------------------------------------------------------------------------- cache, queries


def test_the_data_is_cached_per_place_under_a_keyed_hash(client, data, users):
    client.force_login(users["street_a"])
    url = reverse("api-cockpit", args=[data.street_a.pk])
    first = client.get(url).json()
    ticket(data.grid_a1_1, data.grid_a1_1, created=NOW)
    assert _figures(client.get(url).json())["tickets_today"] == 3  # cached
    key = cockpit.cache_key(data.street_a, "heat")
    assert key.startswith("cockpit:") and len(key) == len("cockpit:") + 40
    assert "珞南" not in key and f":{data.street_a.pk}:" not in key
    assert key != cockpit.cache_key(data.street_b, "heat")
    assert cache.get(key)["figures"] == first["figures"]
    cockpit.forget(data.street_a)
    assert _figures(client.get(url).json())["tickets_today"] == 4


def test_the_cached_data_holds_no_personal_data(client, data, users):
    client.force_login(users["street_a"])
    client.get(reverse("api-cockpit", args=[data.street_a.pk]))
    stored = repr(cache.get(cockpit.cache_key(data.street_a, "heat")))
    for name in ("甲", "乙", "丙", "用户"):
        assert name not in stored


def test_a_cached_answer_is_never_handed_outside_the_scope(client, data, users):
    client.force_login(users["district"])
    assert client.get(reverse("api-cockpit", args=[data.street_b.pk])).status_code == 200
    client.force_login(users["street_a"])
    assert client.get(reverse("api-cockpit", args=[data.street_b.pk])).status_code == 404


def test_bounded_queries_with_many_grids(client, data, users, django_assert_max_num_queries):
    from tests.conftest import make_place

    community = data.community_a2
    for n in range(14):
        grid = make_place(community, "grid", f"加密网格{n}", f"X{n:02d}")
        grid.boundary = SQUARE
        grid.save()
        ticket(grid, grid, created=at(2026, 6, 10))
    client.force_login(users["street_a"])
    url = reverse("api-cockpit", args=[data.street_a.pk])
    with django_assert_max_num_queries(32):
        payload = client.get(url).json()
    assert len(payload["map"]["grids"]["features"]) == 17
    with django_assert_max_num_queries(8):  # cached: the session, the user, the posts
        client.get(url)


def test_past_months_are_counted_once_the_current_month_every_time(client, data, users):
    client.force_login(users["street_a"])
    url = reverse("api-cockpit", args=[data.street_a.pk])

    def months():
        cache.delete(cockpit.cache_key(data.street_a, "heat"))  # the whole answer's TTL passed
        return {p["month"]: p["count"] for p in client.get(url).json()["trend"]["tickets"]}

    assert months()["2026-05"] == 2
    ticket(data.grid_a1_1, data.grid_a1_1, created=at(2026, 5, 20))
    ticket(data.grid_a1_1, data.grid_a1_1, created=at(2026, 6, 2))
    again = months()
    assert again["2026-05"] == 2 and again["2026-06"] == 6  # the past kept, this month live
    cockpit.forget(data.street_a)
    assert months()["2026-05"] == 3
