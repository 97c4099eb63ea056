"""The party member's pool "near me": tickets of their own grid first, then by distance from
their home (their resident record's building centre, else its grid's), each row showing 本网格
or the distance; the oldest first when the home is unknown; one bounded number of queries."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.people.models import Resident
from gongzhi.places.models import Household
from gongzhi.tickets import geo, selectors, services
from gongzhi.tickets.models import Kind, Status
from tests.conftest import make_user

POOL = reverse("tickets:pool")
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _centre(place, lat, lng):
    place.centre_lat, place.centre_lng = Decimal(str(lat)), Decimal(str(lng))
    place.save()


def _pool(people, world, cats, **fields):
    """A resident's ticket, escalated by its grid's worker and published to the pool."""
    ticket = services.submit(
        actor=people.resident, kind=Kind.HELP, category=cats.repair, text="需要帮忙", **fields
    )
    worker = people.gw if ticket.grid_id == world.grid_a1_1.pk else people.gw_other
    ticket = services.escalate(ticket, actor=worker, note="需社区协调")
    ticket = services.pool(ticket, actor=people.cw)
    assert ticket.status == Status.POOLED
    return ticket


def _live_in(user, building):
    household = Household.objects.filter(building=building).order_by("id").first()
    return Resident.objects.create(
        name=user.name,
        name_initials="dy",
        gender="m",
        household=household,
        place_path=household.place_path,
        user=user,
    )


@pytest.fixture
def mapped(world, people):
    """pm1 lives in building 1 of grid A1G1 at (30.5, 114.4). Grid A1G2's buildings stand
    ~330 m and ~3.3 km north; A1G2 itself has no centre."""
    own_b1, own_b2 = world.grid_a1_1.buildings
    near_b, far_b = world.grid_a1_2.buildings
    _centre(own_b1, 30.5, 114.4)
    _centre(own_b2, 30.52, 114.4)  # in pm1's grid, but farther than everything but one
    _centre(world.grid_a1_1, 30.51, 114.4)
    _centre(near_b, 30.503, 114.4)
    _centre(far_b, 30.53, 114.4)
    _live_in(people.pm1, own_b1)
    return world


@pytest.fixture
def pooled(mapped, people, cats):
    """Five pooled tickets, created in an order unrelated to their distance."""
    own_b1, own_b2 = mapped.grid_a1_1.buildings
    near_b, far_b = mapped.grid_a1_2.buildings
    made = {}
    plan = [
        ("far", {"place": far_b}),
        ("nowhere", {"place": mapped.grid_a1_2}),  # a grid without a centre, no point
        ("near", {"place": near_b}),
        # Its own point (a map click ~110 m from pm1's home) counts, not its building's centre.
        ("point", {"place": far_b, "lat": Decimal("30.501000"), "lng": Decimal("114.400000")}),
        ("own", {"place": own_b2}),
    ]
    for i, (name, fields) in enumerate(plan):
        clock.set_now(T0 + dt.timedelta(hours=i))
        made[name] = _pool(people, mapped, cats, **fields)
    clock.set_now(T0 + dt.timedelta(days=1))
    return made


def _numbers(html: str) -> list[str]:
    return re.findall(r'class="fw-semibold" href="/tickets/\d+/">([^<]+)<', html)


def test_the_pool_is_ordered_own_grid_first_then_by_distance_from_home(client, people, pooled):
    client.force_login(people.pm1)
    html = client.get(POOL).content.decode()
    order = ["own", "point", "near", "far", "nowhere"]
    assert _numbers(html) == [pooled[k].number for k in order]
    labels = re.findall(r'data-testid="near">([^<]+)<', html)
    assert labels == ["本网格", "约 110 米", "约 330 米", "约 3.3 公里"]  # none for "nowhere"
    assert "由近及远" in html


def test_the_api_pool_has_the_same_order(people, pooled):
    api = APIClient()
    api.force_authenticate(people.pm1)
    rows = api.get("/api/v1/tickets/", {"pool": "1"}).json()["results"]
    order = ["own", "point", "near", "far", "nowhere"]
    assert [r["number"] for r in rows] == [pooled[k].number for k in order]


def test_a_member_without_a_known_home_sees_the_oldest_first(client, people, pooled):
    client.force_login(people.pm2)  # no resident record, no resident post
    assert selectors.member_home(people.pm2) is None
    html = client.get(POOL).content.decode()
    order = ["far", "nowhere", "near", "point", "own"]  # by creation
    assert _numbers(html) == [pooled[k].number for k in order]
    assert 'data-testid="near"' not in html and "按发布时间先后排列" in html


def test_a_home_from_a_resident_post_counts_and_a_grid_without_points_still_comes_first(
    client, world, people, pooled
):
    # A party member who also holds a resident post in A1G2 (whose buildings have centres).
    member = make_user(Role.PARTY_MEMBER, world.community_a1, name="党员三")
    near_b = world.grid_a1_2.buildings[0]
    Post.objects.create(
        user=member,
        role=Role.RESIDENT,
        place=near_b,
        household=Household.objects.filter(building=near_b).first(),
    )
    home = selectors.member_home(member)
    assert home.grid_id == world.grid_a1_2.pk and (home.lat, home.lng) == (30.503, 114.4)
    client.force_login(member)
    html = client.get(POOL).content.decode()
    # A1G2's tickets first (nearest of them first, the unplaced one last of them), then A1G1's.
    order = ["near", "point", "far", "nowhere", "own"]
    assert _numbers(html) == [pooled[k].number for k in order]
    assert re.findall(r'data-testid="near">([^<]+)<', html)[:4] == ["本网格"] * 4


def test_a_home_without_coordinates_orders_by_grid_only(client, world, people, cats):
    _live_in(people.pm1, world.grid_a1_1.buildings[0])  # no centres anywhere
    clock.set_now(T0)
    other = _pool(people, world, cats, place=world.grid_a1_2.buildings[0])
    clock.set_now(T0 + dt.timedelta(hours=1))
    own = _pool(people, world, cats, place=world.grid_a1_1.buildings[1])
    home = selectors.member_home(people.pm1)
    assert home.grid_id == world.grid_a1_1.pk and home.lat is None
    client.force_login(people.pm1)
    html = client.get(POOL).content.decode()
    assert _numbers(html) == [own.number, other.number]
    assert re.findall(r'data-testid="near">([^<]+)<', html) == ["本网格"]


def test_the_community_view_of_the_pool_stays_oldest_first(client, people, pooled):
    client.force_login(people.cw)
    html = client.get(POOL).content.decode()
    order = ["far", "nowhere", "near", "point", "own"]
    assert _numbers(html) == [pooled[k].number for k in order]
    assert 'data-testid="near"' not in html


def test_distance_labels():
    class Row:
        in_my_grid = False
        distance2 = None

    row = Row()
    assert geo.nearness(row) == ""
    row.distance2 = (0.0001) ** 2  # ~11 m
    assert geo.nearness(row) == "约 10 米"
    row.distance2 = (0.02) ** 2  # ~2.2 km
    assert geo.nearness(row) == "约 2.2 公里"
    row.in_my_grid = True
    assert geo.nearness(row) == "本网格"


@pytest.mark.parametrize("n", [3, 36])
def test_the_pool_page_has_bounded_queries(
    client, mapped, people, cats, django_assert_max_num_queries, n
):
    buildings = [*mapped.grid_a1_1.buildings, *mapped.grid_a1_2.buildings]
    for i in range(n):
        _pool(people, mapped, cats, place=buildings[i % 4])
    client.force_login(people.pm1)
    with django_assert_max_num_queries(10):
        html = client.get(POOL).content.decode()
    assert len(_numbers(html)) == min(n, 30)
    api = APIClient()
    api.force_authenticate(people.pm1)
    with django_assert_max_num_queries(8):
        assert api.get("/api/v1/tickets/", {"pool": "1"}).status_code == 200
