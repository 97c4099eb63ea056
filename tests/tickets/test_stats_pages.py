"""The statistics page, its xlsx export and /api/v1/ticket-stats/: same numbers, same refusals."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from gongzhi.core.roles import Role
from gongzhi.tickets.models import Category
from tests.conftest import make_user
from tests.tickets.test_stats import data  # noqa: F401  (the hand-made tickets)

MARCH = {"from": "2026-03", "to": "2026-03"}
PAGE = reverse("tickets:stats")
EXPORT = reverse("tickets:stats_export")
API = "/api/v1/ticket-stats/"


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are checked in English; one test checks the Chinese default."""
    settings.LANGUAGE_CODE = "en"


def test_page_shows_table_charts_and_definitions(data, login):  # noqa: F811
    client = login(data.district)
    response = client.get(PAGE, {**MARCH, "dimension": "street"})
    assert response.status_code == 200
    html = response.content.decode()
    assert data.world.street_a.name in html
    # Street A response rate 60.0 %, the district's grid share 66.7 % (see test_stats.py).
    assert "60.0%" in html and "66.7%" in html
    assert 'id="stats-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert 'data-testid="stats-definitions"' in html
    assert "stats/export.xlsx?" in html


def test_empty_month_shows_dash(data, login):  # noqa: F811
    client = login(data.district)
    response = client.get(PAGE, {"from": "2025-01", "to": "2025-01", "dimension": "grid"})
    assert response.status_code == 200
    assert "—" in response.content.decode()


def test_bad_month_gives_a_message_not_an_error(data, login):  # noqa: F811
    client = login(data.district)
    response = client.get(PAGE, {"from": "March", "dimension": "grid"})
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()
    assert client.get(EXPORT, {"from": "March"}).status_code == 400
    api = client.get(API, {"dimension": "colour"})
    assert api.status_code == 400 and "dimension" in api.json()["detail"]


def test_menu_entry(data, login):  # noqa: F811
    html = login(data.people.cw).get(PAGE).content.decode()
    assert f'href="{PAGE}"' in html


def test_export_has_the_same_rows(data, login):  # noqa: F811
    client = login(data.district)
    response = client.get(EXPORT, {**MARCH, "dimension": "category"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    body = {r[0]: r for r in rows[1:]}
    # Repair: 4 tickets, response rate 75.0 (test_stats.py); last column grid share 100.0.
    repair = body[data.cats.repair.name]
    assert repair[2] == 4 and repair[-5] == 75.0 and repair[-1] == 100.0
    assert len(rows) == 1 + 2 + 1  # header, two categories, total


def test_export_cells_cannot_be_formulas(data, login):  # noqa: F811
    t = data.tickets.t1
    t.category = Category.objects.create(code="t-evil", name="=HYPERLINK(1)")
    t.save()
    sheet = load_workbook(
        io.BytesIO(login(data.district).get(EXPORT, {**MARCH, "dimension": "category"}).content)
    ).active
    labels = [r[0] for r in sheet.iter_rows(values_only=True)]
    assert "'=HYPERLINK(1)" in labels


def test_api_returns_rows_trend_and_total(data, login):  # noqa: F811
    client = login(data.people.street)
    body = client.get(API, {**MARCH, "dimension": "community"}).json()
    rows = {r["key"]: r for r in body["rows"]}
    assert set(rows) == {data.world.community_a1.pk, data.world.community_a2.pk}
    a1 = rows[data.world.community_a1.pk]
    assert (a1["response_rate"], a1["resolution_rate"], a1["grid_share"]) == (50.0, 75.0, 100.0)
    assert rows[data.world.community_a2.pk]["satisfaction_rate"] is None
    assert [m["key"] for m in body["trend"]] == ["2026-03"]
    assert body["total"]["tickets"] == 6


@pytest.mark.parametrize("role", [Role.RESIDENT, Role.PARTY_MEMBER, Role.MERCHANT])
def test_wrong_roles_are_refused_everywhere(data, client, role):  # noqa: F811
    w = data.world
    household = w.grid_a1_1.buildings[0].households.first()
    place = w.grid_a1_1.buildings[0] if role == Role.RESIDENT else w.community_a1
    user = make_user(role, place, household=household if role == Role.RESIDENT else None)
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert client.get(API).status_code == 403


def test_anonymous_is_sent_to_login(data, client):  # noqa: F811
    assert client.get(PAGE).status_code == 302
    assert client.get(API).status_code in (401, 403)


def test_out_of_scope_place_is_404(data, login):  # noqa: F811
    client = login(data.people.street)  # street A
    other = {"place": data.world.street_b.pk, **MARCH}
    assert client.get(PAGE, other).status_code == 404
    assert client.get(EXPORT, other).status_code == 404
    assert client.get(API, other).status_code == 404
    assert client.get(PAGE, {"place": "abc"}).status_code == 404
    mine = {"place": data.world.community_a1.pk, **MARCH}
    assert client.get(PAGE, mine).status_code == 200


def test_page_queries_are_bounded_and_paginated(data, login, django_assert_max_num_queries):  # noqa: F811
    from gongzhi.tickets import views_stats

    client = login(data.district)
    # session, user, posts, the statistics (on PostgreSQL inside SAVEPOINT + SET LOCAL jit = off
    # + RELEASE), the area's places, the bell's unread count on a cold cache
    with django_assert_max_num_queries(9):
        response = client.get(PAGE, {**MARCH, "dimension": "grid"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == 4
    views_stats.PAGE_SIZE, size = 2, views_stats.PAGE_SIZE
    try:
        response = client.get(PAGE, {**MARCH, "dimension": "grid", "page": 2})
        assert len(response.context["rows"]) == 2
        assert response.context["page"].paginator.num_pages == 2
    finally:
        views_stats.PAGE_SIZE = size
