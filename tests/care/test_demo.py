"""The care demo on `world`: notices, rented homes, visit plans, and (item 2 round, item 4) a
verification round over the rented homes half checked by the `grid` login, donations, the
service circle's directory; a second run adds nothing."""

from __future__ import annotations

import importlib

import pytest
from django.utils import translation

from gongzhi.care.models import CheckItem, CheckRound, Donation, ServicePoint
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import care as demo
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_adds_a_round_donations_and_service_points(world):
    grid = world.grid_a1_1
    building = grid.buildings[0]
    _login("worker", Role.COMMUNITY_WORKER, world.community_a1)
    _login("grid", Role.GRID_WORKER, grid)
    _login("buildinghead", Role.BUILDING_HEAD, building)
    for i in range(6):
        home = Household.objects.create(
            building=building, unit_no="3", room_no=f"{i + 1:02d}03", place_path=building.path
        )
        Resident.objects.create(
            name=f"居民{i}",
            name_initials="jm",
            gender="F",
            household=home,
            relation=Relation.HEAD,
            place_path=building.path,
        )
    # the rentals need landlords with ID numbers: give the demo its four homes directly
    import datetime as dt

    from gongzhi.care import services
    from gongzhi.people import services as people
    from gongzhi.people.idcard import make_id

    worker = User.objects.get(username="worker")
    landlord = people.create_resident(
        actor=worker,
        household=Household.objects.filter(building=building).first(),
        name="房东",
        id_number=make_id("420111", dt.date(1960, 1, 1), 21),
    )
    for home in Household.objects.filter(building=building).order_by("-id")[:2]:
        services.mark_rented(home, actor=worker, landlord=landlord)
    first = Household.objects.filter(building=building).order_by("id").first()
    me = make_user(Role.RESIDENT, building, household=first, phone="13800000001", name="演示居民")
    Resident.objects.create(
        name="演示居民",
        name_initials="ys",
        gender="F",
        household=first,
        relation=Relation.OTHER,
        place_path=building.path,
        user=me,
    )
    with translation.override("en"):
        message = demo.build("small")
    assert "verification round" in message
    sent = CheckRound.objects.get()
    assert sent.rows == 2
    assert CheckItem.objects.filter(round=sent, checked_at__isnull=False).count() == 1
    assert Donation.objects.count() == 6
    assert Donation.objects.filter(self_reported=True, resident__user=me).count() == 1
    assert ServicePoint.objects.count() == 4
    with translation.override("en"):
        assert "verification round" not in demo.build("small")
    assert CheckRound.objects.count() == 1 and ServicePoint.objects.count() == 4


def test_the_demo_fills_the_talent_base_and_the_opinion_inbox(world):
    """A dozen talents (three backbone people, one withdrawn), the resident 13800000001 listed
    on the phone and linked on WeChat, opinions from both platforms, one a ticket, one handled;
    a second run adds nothing."""
    from gongzhi.care.models import Opinion, OpinionChannel, PlatformBinding, SkillTerm, Talent
    from gongzhi.demo import care_talents
    from gongzhi.tickets.models import Category

    community = world.community_a1
    building = world.grid_a1_1.buildings[0]
    worker = _login("worker", Role.COMMUNITY_WORKER, community)
    _login("secretary", Role.COMMUNITY_SECRETARY, community)
    Category.objects.get_or_create(code="t-demo-opinion", defaults={"name": "意见建议"})
    # The platform's vocabulary, as migration 0006 ships it (also when tests skip migrations).
    shipped = importlib.import_module("gongzhi.care.migrations.0006_skill_terms").TERMS
    for name in shipped:
        SkillTerm.objects.get_or_create(community=None, name=name)
    for i in range(14):
        home = Household.objects.create(
            building=building, unit_no="5", room_no=f"{i + 1:02d}05", place_path=building.path
        )
        Resident.objects.create(
            name=f"达人{i}",
            name_initials="dr",
            gender="M",
            household=home,
            relation=Relation.HEAD,
            place_path=building.path,
        )
    first = Household.objects.filter(building=building).order_by("id").first()
    me = make_user(Role.RESIDENT, building, household=first, phone="13800000001", name="演示居民")
    Resident.objects.create(
        name="演示居民",
        name_initials="ys",
        gender="F",
        household=first,
        relation=Relation.OTHER,
        place_path=building.path,
        user=me,
    )
    with translation.override("en"):
        message = care_talents.build(community, worker)
    assert "13 in the talent base" in message
    assert Talent.objects.filter(withdrawn_at__isnull=True).count() == 13
    gone = Talent.objects.get(withdrawn_at__isnull=False)
    assert gone.specialty == "" and not gone.skills.exists()
    assert Talent.objects.filter(backbone=True).count() == 3
    assert Talent.objects.get(resident__user=me).consent_way == "self"
    assert OpinionChannel.objects.filter(community=community).count() == 2
    assert set(Opinion.objects.values_list("platform", flat=True)) == {"wechat", "dingtalk"}
    assert PlatformBinding.objects.get().resident.user == me
    assert Opinion.objects.filter(resident__user=me).count() == 1
    assert Opinion.objects.filter(status="ticket").count() == 1
    assert Opinion.objects.filter(status="handled").count() == 1
    assert care_talents.build(community, worker) == ""
    assert Opinion.objects.count() == 6
