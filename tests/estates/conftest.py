"""Estate fixtures: the estate of grid A1-G01 of `world` with ten residents (four of them party
members), a resident of the same grid outside the estate, a policy profile with both
party-share keys (000 §五 60 %, 002 §三(一)4 50 %) and the company key (3), and the posts."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.estates import ratings, services
from gongzhi.party.models import MemberStatus, OrgKind, PartyMember, PartyOrg
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from tests.conftest import make_user

_n = itertools.count(1)

PROFILE = (
    "source: test\ntitle: t\n"
    "owners_committee:\n"
    "  candidate_party_percent: 60  # 000 §五: 候选人中党员比例一般不低于60%\n"
    "  member_party_percent: 50  # 002 §三(一)4: 成员中党员比例一般不低于50%\n"
    "property:\n"
    "  party_org_min_members: 3  # 002 §三(一)4: 物业服务企业有正式党员不少3人\n"
)
NO_KEYS = "source: test\ntitle: t\nmicroprojects:\n  yearly_budget_yuan: 1000  # test\n"

TODAY = dt.datetime(2026, 6, 1, 10, 0)
GOOD_CODE = "91350100M000100Y43"
GOOD_CODE_2 = "91110108551385082Q"


def resident(household: Household, name: str | None = None) -> Resident:
    return Resident.objects.create(
        name=name or f"居民{next(_n)}",
        name_initials="jm",
        gender="F",
        household=household,
        relation=Relation.OTHER,
        place_path=household.place_path,
    )


def party_member(res: Resident, org: PartyOrg, status: str = MemberStatus.FULL) -> PartyMember:
    return PartyMember.objects.create(
        resident=res, org=org, place_path=org.place_path, status=status
    )


@pytest.fixture
def ew(world, profile_dir):
    (profile_dir / "estates-test.yaml").write_text(PROFILE)
    (profile_dir / "no-keys.yaml").write_text(NO_KEYS)
    world.district.policy_profile = "estates-test"
    world.district.save()
    clock.set_now(TODAY)
    grid = world.grid_a1_1
    estate = grid.estate
    homes = list(Household.objects.filter(building=grid.buildings[0]).order_by("id"))
    org = PartyOrg.objects.create(
        kind=OrgKind.COMMUNITY_COMMITTEE,
        name="珞南一社区大党委",
        place=world.community_a1,
        place_path=world.community_a1.path,
    )
    people = [resident(homes[i % 2]) for i in range(10)]
    members = [party_member(p, org) for p in people[:4]]
    outside = resident(Household.objects.filter(building=grid.buildings[1]).first(), "院外人")
    other_estate = world.grid_a1_2.estate
    return SimpleNamespace(
        world=world,
        estate=estate,
        other_estate=other_estate,
        org=org,
        party=people[:4],
        others=people[4:],
        members=members,
        outside=outside,
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记"),
        worker=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
        worker_a2=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        street=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
        resident_user=make_user(
            Role.RESIDENT, grid.buildings[0], household=homes[0], phone="13900000031"
        ),
    )


@pytest.fixture
def rw(ew):
    """The estate with a committee (term 2024–2027), a company serving it, three households
    with a linked resident login each, and a property_staff post at the estate."""
    clock.set_now(dt.datetime(2025, 3, 1, 10, 0))
    w = ew
    w.committee = services.create_committee(w.estate, actor=w.secretary)
    w.term = services.add_term(
        w.committee,
        actor=w.secretary,
        number=1,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2027, 1, 1),
        seats=5,
    )
    services.add_member(w.term, actor=w.secretary, resident=w.party[0], is_chair=True)
    services.add_member(w.term, actor=w.secretary, resident=w.others[0])
    w.company = services.add_company(
        w.world.community_a1, actor=w.secretary, name="红星物业", credit_code=GOOD_CODE
    )
    services.add_contract(
        w.company,
        w.estate,
        actor=w.secretary,
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2028, 1, 1),
        fee_yuan_per_m2="1.50",
    )
    building = w.world.grid_a1_1.buildings[0]
    Household.objects.create(
        building=building, unit_no="1", room_no="0301", place_path=building.path
    )
    homes = list(Household.objects.filter(place_path__startswith=w.estate.path).order_by("id"))[:3]
    w.homes = homes
    w.voters = []
    for i, home in enumerate(homes):
        person = resident(home, f"答卷人{i}")
        user = make_user(Role.RESIDENT, home.building, household=home, phone=f"1390000010{i}")
        person.user = user
        person.save()
        w.voters.append(user)
    w.staff = make_user(Role.PROPERTY_STAFF, w.estate, name="物业管家")
    return w


def survey_2025(w, closes=dt.date(2025, 12, 31)):
    return ratings.open_survey(w.estate, actor=w.worker, year=2025, closes_on=closes)
