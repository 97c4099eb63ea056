"""The owners' and micro-project demos on a small world: what they show, and idempotence."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import microprojects as microprojects_demo
from gongzhi.demo import owners as owners_demo
from gongzhi.demo import places as places_demo
from gongzhi.microprojects.models import Photo, Project, Round, Selection, Spending
from gongzhi.owners import services
from gongzhi.owners.models import OwnersVote, VoteStatus
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # The summary lines are asserted in English; zh-Hans is the default language.
    with translation.override("en"):
        yield


@pytest.fixture
def demo_world(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    building = world.grid_a1_1.buildings[0]
    Household.objects.bulk_create(
        Household(building=building, unit_no="2", room_no=f"{i + 101}", place_path=building.path)
        for i in range(40)
    )
    homes = list(Household.objects.filter(building=building).order_by("id"))
    user = make_user(Role.RESIDENT, building, household=homes[0], phone=places_demo.RESIDENT_PHONE)
    for i, home in enumerate(homes):
        Resident.objects.create(
            name="吴秀英" if i == 0 else f"业主{i}",
            name_initials="x",
            gender="F",
            household=home,
            relation=Relation.HEAD,
            place_path=building.path,
            user=user if i == 0 else None,
        )
    secretary = User.objects.create_user(username="secretary", password="x", name="书记")
    Post.objects.create(user=secretary, role=Role.COMMUNITY_SECRETARY, place=world.community_a1)
    return user


def test_owners_demo(demo_world):
    line = owners_demo.build("small")
    assert "Owners' votes" in line
    votes = {v.title: v for v in OwnersVote.objects.all()}
    fund = votes[owners_demo.TITLES["fund"]]
    parking = votes[owners_demo.TITLES["parking"]]
    open_vote = votes[owners_demo.TITLES["open"]]
    assert fund.status == VoteStatus.CLOSED and fund.result["passed"] and fund.matter == "major"
    assert parking.status == VoteStatus.CLOSED and not parking.result["passed"]
    assert not parking.result["participation_owners_ok"]
    assert services.verify(fund) and services.verify(parking)
    assert open_vote.is_open_now
    # the resident login can cast in the open vote
    ballot = services.cast_online(open_vote, "yes", actor=demo_world)
    assert ballot.entry.name == "吴秀英"
    assert "already present" in owners_demo.build("small")
    assert OwnersVote.objects.count() == 3


def test_microprojects_demo(demo_world):
    line = microprojects_demo.build("small")
    assert "Micro-projects" in line
    rounds = list(Round.objects.order_by("year"))
    assert len(rounds) == 2 and rounds[0].year == rounds[1].year - 1
    last, current = rounds
    # This year's round is decided by Equal Shares, and greedy selection would differ from it.
    assert current.method == "mes"
    chosen = set(current.projects.filter(selection=Selection.SELECTED).values_list("pk", flat=True))
    greedy = set(current.projects.filter(greedy_selected=True).values_list("pk", flat=True))
    assert chosen and greedy and chosen != greedy
    assert current.projects.filter(selection=Selection.NOT_FUNDED).exists()
    assert Project.objects.filter(round=last, progress="completed").count() == 3
    # one photo of the work and one receipt (of the first payment) per implemented project
    assert Photo.objects.filter(spending=None).count() == 3
    assert Photo.objects.exclude(spending=None).count() == 3
    assert not Spending.objects.filter(item="").exists()
    assert "already present" in microprojects_demo.build("small")
    assert Project.objects.count() == 9
