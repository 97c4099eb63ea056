"""Demo data: the small street for `make demo`, its compliance against the loudi profile,
idempotence, and the streamed district build."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Max

from gongzhi.core import profiles
from gongzhi.core.auth import check_credentials
from gongzhi.core.models import AuditRecord, Post, User
from gongzhi.core.roles import Role
from gongzhi.deliberation.models import Topic
from gongzhi.demo import party as party_demo
from gongzhi.demo import places as demo
from gongzhi.merchants.models import Redemption
from gongzhi.microprojects.models import Project
from gongzhi.owners.models import OwnersVote
from gongzhi.partners.models import ListItem
from gongzhi.party import selectors as party_selectors
from gongzhi.party.models import OrgKind, PartyMember, PartyOrg
from gongzhi.people.models import Resident
from gongzhi.places import compliance
from gongzhi.places.models import Household, Place, PlaceKind, RoomFunction
from gongzhi.tickets.models import Ticket
from gongzhi.volunteering.models import Activity

pytestmark = pytest.mark.django_db

COMMUNITY_1 = "431302/431302001000/431302001001/"


def _kind(kind):
    return Place.objects.filter(kind=kind)


def _snapshot():
    return {
        "places": Place.objects.count(),
        "households": Household.objects.count(),
        "users": User.objects.count(),
        "posts": Post.objects.count(),
        "audit": AuditRecord.objects.count(),
        "updated": Place.objects.aggregate(m=Max("updated_at"))["m"],
        "passwords": sorted(User.objects.values_list("password", flat=True)),
    }


def test_small_scale_builds_one_realistic_street():
    result = demo.build("small")

    district = Place.objects.get(parent=None)
    assert (district.name, district.official_code) == ("娄星区", "431302")
    assert district.address == "湖南省娄底市娄星区"
    assert district.policy_profile == "loudi"
    street = Place.objects.get(kind=PlaceKind.STREET)
    assert (street.name, street.official_code) == ("乐坪街道", "431302001000")
    assert street.address.startswith("娄底市娄星区")

    communities = list(_kind(PlaceKind.COMMUNITY).order_by("code"))
    assert [c.official_code for c in communities] == [f"431302001{n:03d}" for n in range(1, 6)]
    assert all(c.name.endswith("社区") and c.parent_id == street.pk for c in communities)
    assert all(c.address.startswith("娄底市娄星区") for c in communities)
    areas = [c.service_area_m2 for c in communities]
    assert any(a < 400 for a in areas) and any(a >= 400 for a in areas)

    grids = list(_kind(PlaceKind.GRID))
    assert len(grids) == 40
    assert {g.name for g in grids if g.parent_id == communities[0].pk} == {
        f"第{n}网格" for n in "一二三四五六七八"
    }
    for grid in grids:
        assert grid.boundary["type"] == "Polygon"
        ring = grid.boundary["coordinates"][0]
        assert len(ring) == 5 and ring[0] == ring[-1]
        assert 27.6 < float(grid.centre_lat) < 27.9 and 111.9 < float(grid.centre_lng) < 112.1

    assert 140 <= _kind(PlaceKind.BUILDING).count() <= 160
    assert _kind(PlaceKind.ESTATE).count() == 40
    assert 9_500 <= Household.objects.count() <= 10_500
    household = Household.objects.get(
        place_path=f"{COMMUNITY_1}G01/E1/B1/", unit_no="2", room_no="1102"
    )
    assert household.building.name == "1栋"
    assert household.building.parent.name == "乐坪花园"
    assert 50 < household.exclusive_area_m2 < 150

    # Every grid is staffed, every community has a secretary and workers.
    staffed = set(
        Post.objects.filter(role=Role.GRID_WORKER, is_active=True).values_list(
            "place_id", flat=True
        )
    )
    assert staffed == {g.pk for g in grids}
    for community in communities:
        assert Post.objects.filter(place=community, role=Role.COMMUNITY_SECRETARY).count() == 1
        assert Post.objects.filter(place=community, role=Role.COMMUNITY_WORKER).count() >= 2
    assert Place.objects.exclude(parent=None).exclude(policy_profile="").count() == 0

    for place in Place.objects.select_related("parent"):
        place.full_clean()  # kinds under the right parents, official codes of the right length
    assert result.created["households"] == Household.objects.count()
    assert AuditRecord.objects.filter(action="demo_data.build").count() == 1


def test_one_demo_login_per_role_that_authenticates_with_the_printed_password():
    result = demo.build("small")

    assert sorted(login.role for login in result.logins) == sorted(Role.values)
    for login in result.logins:
        user = check_credentials(login.login, login.password)
        assert user is not None, login
        assert user.name and not user.name.isascii()
    assert check_credentials("grid", "wrong-password") is None

    grid_post = Post.objects.get(user__username="grid")
    assert grid_post.role == Role.GRID_WORKER
    assert grid_post.place.kind == PlaceKind.GRID
    assert grid_post.place.path == f"{COMMUNITY_1}G01/"
    assert grid_post.place.name == "第一网格"
    assert Post.objects.get(user__username="admin").place is None
    assert Post.objects.get(user__username="district").place.kind == PlaceKind.DISTRICT
    assert Post.objects.get(user__username="buildinghead").place.kind == PlaceKind.BUILDING

    resident = User.objects.get_by_phone(demo.RESIDENT_PHONE)
    assert resident.username is None
    post = resident.posts.get()
    assert post.role == Role.RESIDENT
    assert post.household.place_path.startswith(grid_post.place.path)
    assert post.place_id == post.household.building_id

    # The bulk staff share the demo password too.
    assert check_credentials("grid-431302001003-g05", demo.DEMO_PASSWORD) is not None


def test_the_demo_district_uses_the_valid_loudi_profile():
    demo.build("small")
    district = Place.objects.get(parent=None)
    community = Place.objects.get(path=COMMUNITY_1)

    for place in (district, community):
        profile = profiles.effective_profile(place)
        assert profile is not None and profile.name == "loudi"
        assert profile.ok, [issue.message for issue in profile.errors]
    assert profiles.effective_profile(community).source.startswith("001_")
    for key in (
        compliance.GRID_HOUSEHOLDS_KEY,
        compliance.STAFFING_KEY,
        compliance.PREMISES_KEY,
    ):
        assert profile.is_set(key), key


def test_the_demo_shows_compliance_gaps_next_to_passes():
    demo.build("small")
    communities = _kind(PlaceKind.COMMUNITY).order_by("path")

    reports = compliance.reports_for(communities)

    statuses = {(r.community.name, c.key): c.status for r in reports for c in r.checks}
    S = compliance.Status
    for key, expected in (
        (compliance.GRID_HOUSEHOLDS_KEY, {S.OK, S.SHORT}),
        # 001 §8: 400 m² by the end of 2015, so a shortfall is overdue.
        (compliance.PREMISES_KEY, {S.OK, S.OVERDUE}),
        (compliance.HALL_KEY, {S.OK, S.SHORT, S.NOT_RECORDED}),
        (compliance.ROOMS_KEY, {S.OK, S.SHORT, S.NOT_RECORDED}),
        # Nobody in the registry without the people demo: resident households are unknown.
        (compliance.STAFFING_KEY, {S.NOT_RECORDED}),
        (compliance.MAX_WORKERS_KEY, {S.OK, S.OVER}),
        (compliance.ELDERLY_KEY, {S.NOT_SET}),  # loudi sets no care areas
    ):
        shown = {status for (_name, k), status in statuses.items() if k == key}
        assert shown == expected, (key, shown)
    assert all(r.profile.name == "loudi" and r.profile.ok for r in reports)

    by_name = {r.community.name: r for r in reports}
    # The newly built community (月塘) has 520 m²: short of the 600 of 001 §8.
    new = by_name["月塘社区"]
    assert new.community.is_new_community
    assert statuses["月塘社区", compliance.PREMISES_NEW_KEY] == S.SHORT
    assert ("月塘社区", compliance.PREMISES_KEY) not in statuses
    # One community has no mediation room and too small a service hall (001 §9).
    rooms = next(c for c in by_name["湘阳社区"].checks if c.key == compliance.ROOMS_KEY)
    assert rooms.missing == [str(RoomFunction.MEDIATION.label)]
    # Part-time grid workers are not counted: 吉星 has six of its eight grid workers part-time.
    short = by_name["吉星社区"]
    assert (short.workers, short.part_time_workers) == (5, 6)
    assert by_name["春园社区"].community.path == COMMUNITY_1
    assert all(r.community.area_class == "central" for r in reports)
    # Most grids are within 200 households + 20 %, some are above it.
    grid_rows = [row for r in reports for row in r.grids]
    over = [row for row in grid_rows if row.households_status == S.SHORT]
    assert 0 < len(over) < len(grid_rows) / 2
    assert all(row.households > 240 for row in over)


def test_the_demo_with_people_checks_staffing_by_resident_households():
    demo.build("small", people=True, features=False)
    party_demo.build(demo.SMALL)
    reports = compliance.reports_for(_kind(PlaceKind.COMMUNITY).order_by("path"))
    by_name = {r.community.name: r for r in reports}
    S = compliance.Status
    shown = {c.status for r in reports for c in r.checks if c.key == compliance.STAFFING_KEY}
    assert shown == {S.OK, S.SHORT}
    for report in reports:  # floating-only and empty households are not 常住
        assert 0 < report.resident_households < report.households
    short = by_name["吉星社区"]
    assert short.workers < short.required_workers
    # Groups on grids: every grid of the street is covered by a group or a branch but one
    # (春园社区 第八网格), whichever rule the profile asks for.
    street = Place.objects.get(kind=PlaceKind.STREET)
    gaps = party_selectors.gap_places(street, "grid")
    assert PartyOrg.objects.filter(kind=OrgKind.GROUP, place__kind=PlaceKind.GRID).count() == 39
    assert f"{COMMUNITY_1}G08/" in {g.path for g in gaps}


def test_running_twice_changes_nothing():
    demo.build("small")
    before = _snapshot()

    again = demo.build("small")

    assert not again.changed
    assert again.created == {"places": 0, "households": 0, "users": 0, "posts": 0}
    assert _snapshot() == before


def test_a_half_built_district_is_completed_without_duplicates():
    tiny = demo.DISTRICT.replace(streets=2, communities_per_street=2, grids_per_community=3)
    demo.build(tiny, batch_size=50)
    building = Place.objects.filter(kind=PlaceKind.BUILDING).order_by("-path").first()
    building.households.all().delete()  # e.g. an interrupted earlier run
    expected = tiny.households

    result = demo.build(tiny, batch_size=50)

    assert Household.objects.count() == expected
    assert result.created["households"] == building.households.count() > 0
    assert result.created["places"] == 0 and result.created["users"] == 0


def test_district_scale_streams_in_batches():
    tiny = demo.DISTRICT.replace(streets=2, communities_per_street=3, grids_per_community=4)

    result = demo.build(tiny, batch_size=100)

    assert result.scale == "district"
    assert result.largest_batch == 100  # households went out in batches, never more at once
    assert Household.objects.count() == tiny.households == 2 * 3 * 10 * 70
    assert _kind(PlaceKind.STREET).count() == 2
    assert sorted(_kind(PlaceKind.COMMUNITY).values_list("official_code", flat=True)) == [
        "431302001001",
        "431302001002",
        "431302001003",
        "431302002001",
        "431302002002",
        "431302002003",
    ]
    assert _kind(PlaceKind.GRID).count() == 24
    assert _kind(PlaceKind.BUILDING).count() == tiny.buildings == 60
    # Buildings hang off estates or (every fourth grid's last one) directly off a grid.
    assert Place.objects.filter(kind=PlaceKind.BUILDING, parent__kind=PlaceKind.GRID).exists()
    assert Post.objects.filter(role=Role.GRID_WORKER).count() == 24
    before = _snapshot()
    assert not demo.build(tiny, batch_size=100).changed
    assert _snapshot() == before


def test_full_district_scale_has_the_size_in_the_design():
    assert demo.DISTRICT.streets * demo.DISTRICT.communities_per_street == 100
    assert demo.DISTRICT.streets * demo.DISTRICT.communities_per_street * 20 == 2_000
    assert demo.DISTRICT.buildings == 5_000
    assert demo.DISTRICT.households == 350_000
    assert demo.SMALL.buildings == 150
    assert demo.SMALL.households == 10_000


def test_command_prints_the_login_table():
    out = StringIO()

    call_command("demo_data", "--scale", "small", stdout=out)

    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text
    for username in ("district", "street", "secretary", "worker", "grid", "buildinghead",
                     "partymember", "volunteer", "merchant", "partner", "property", "admin",
                     demo.RESIDENT_PHONE):  # fmt: skip
        assert f" {username} " in text
    assert "第一网格" in text
    # make demo builds the people and every app's demo too, and says so.
    # The people step reports the residents it made; later demos (tenants of rented homes)
    # add a few of their own.
    printed = int(re.search(r"居民 (\d+) 人", text).group(1))
    assert 20_000 < printed <= Resident.objects.count() < printed + 1_000
    assert PartyMember.objects.exists()
    for model in (Ticket, Activity, Redemption, ListItem, Topic, OwnersVote, Project):
        assert model.objects.filter(place_path__startswith=COMMUNITY_1).exists(), model

    out = StringIO()
    call_command("demo_data", "--scale", "small", stdout=out)
    assert demo.DEMO_PASSWORD in out.getvalue()
    assert Place.objects.filter(kind=PlaceKind.COMMUNITY).count() == 5
