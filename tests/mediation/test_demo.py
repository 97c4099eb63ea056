"""The mediation demo on the small `world`: every outcome once built, and a second run adds
nothing."""

from __future__ import annotations

import pytest
from django.utils import translation

from gongzhi.core.models import Notification, Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import mediation as mediation_demo
from gongzhi.mediation import early_warning, meetings, selectors, stats
from gongzhi.mediation.models import (
    AgendaCase,
    Case,
    CaseDecision,
    Committee,
    LegalAdviser,
    Referral,
    State,
)
from gongzhi.places.models import Household

from .conftest import resident

pytestmark = pytest.mark.django_db


def _login(username, role, place):
    user = User.objects.create_user(username=username, password="x-Demo-2026", name=username)
    Post.objects.create(user=user, role=role, place=place)
    return user


def test_the_demo_builds_cases_with_every_outcome_once(world):
    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("worker", Role.COMMUNITY_WORKER, world.community_a1)
    street = _login("street", Role.STREET_OFFICER, world.street_a)
    grid = _login("grid", Role.GRID_WORKER, world.grid_a1_1)
    building = world.grid_a1_1.buildings[0]
    Household.objects.create(  # a third household: the building's repeat warning
        building=building, unit_no="2", room_no="0101", place_path=building.path
    )
    homes = list(Household.objects.filter(place_path__startswith=world.grid_a1_1.path))
    for i in range(16):
        resident(homes[i % len(homes)])
    with translation.override("en"):
        line = mediation_demo.build("small")
        assert "18 cases" in line
        assert "already present" in mediation_demo.build("small")
    assert Case.objects.count() == 18
    # The warning board shows the repeats and the 群体性 risk; the street was told at once.
    committee = Committee.objects.get(place=world.community_a1)
    secretary = User.objects.get(username="secretary")
    board = early_warning.board(secretary, committee)
    assert board.households and board.buildings and board.escalation and board.high_risk
    assert Notification.objects.filter(user=street, verb="mediation_escalation").exists()
    # Last month's joint meeting on disputes: two cases on its agenda and a decision.
    assert AgendaCase.objects.count() == 2 and CaseDecision.objects.count() == 1
    state = meetings.meeting_state(world.community_a1)
    assert not state.overdue
    assert meetings.meeting_state(world.community_a2).overdue  # the gap shown
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(State.values)
    assert set(Referral.objects.values_list("kind", flat=True)) == {"up", "court", "arbitration"}
    assert Committee.objects.filter(place=world.street_a).exists()
    assert LegalAdviser.objects.count() == 2  # the two communities of the street
    # The grid worker knows of the cases of the grid, reads none of them.
    assert selectors.known_cases(grid).count() == 18
    assert not selectors.readable_cases(grid).exists()
    rows = stats.figures(street, Case.objects.first().opened_at.year)
    assert rows and sum(r.opened for r in rows if r.month) >= 1


def test_the_demo_shows_awards_and_legal_questions(world):
    from gongzhi.mediation.models import Award, AwardState, LegalQuestion

    _login("secretary", Role.COMMUNITY_SECRETARY, world.community_a1)
    _login("worker", Role.COMMUNITY_WORKER, world.community_a1)
    _login("street", Role.STREET_OFFICER, world.street_a)
    _login("grid", Role.GRID_WORKER, world.grid_a1_1)
    _login("district", Role.DISTRICT_OFFICER, world.district)
    building = world.grid_a1_1.buildings[0]
    Household.objects.create(
        building=building, unit_no="2", room_no="0101", place_path=building.path
    )
    homes = list(Household.objects.filter(place_path__startswith=world.grid_a1_1.path))
    asker = User.objects.create_user(
        username=None, password="x-Demo-2026", name="居民", phone="13800000001"
    )
    Post.objects.create(
        user=asker, role=Role.RESIDENT, place=world.grid_a1_1.buildings[0], household=homes[0]
    )
    for i in range(16):
        resident(homes[i % len(homes)])
    with translation.override("en"):
        first = mediation_demo.build("small")
        assert "already present" in mediation_demo.build("small"), first
    states = sorted(Award.objects.values_list("state", flat=True))
    assert states == [AwardState.PAID, AwardState.PROPOSED]
    assert {a.kind for a in Award.objects.all()} == {"adviser", "mediator"}
    assert all(a.place == world.street_a for a in Award.objects.all())
    world.community_a2.refresh_from_db()
    assert world.community_a2.policy_profile == "wuhan-east-lake"
    questions = LegalQuestion.objects.filter(asker=asker)
    assert questions.count() == 2 and questions.exclude(answered_at=None).count() == 1
