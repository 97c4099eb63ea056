"""Workforce fixtures: community A1 of `world` under a profile with the committee sizes and the
workforce keys of seed 001 §5–§6 (and 002 §四2's head count), twelve residents born so that
they are 30 on the test day (one exactly 35, one 36), and one post per role."""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.people.models import Relation, Resident
from gongzhi.places.models import Household
from gongzhi.workforce import services
from gongzhi.workforce.models import CommitteeKind, ElectionMethod, SeatRole, WorkerKind
from tests.conftest import make_user

_n = itertools.count(1)

PROFILE = (
    "source: test\ntitle: t\n"
    "committees:\n"
    "  each_min_members: 3  # 001 §5: 社区“两委”一般各配备3-5人\n"
    "  each_max_members: 5  # 001 §5: 社区“两委”一般各配备3-5人\n"
    "  total_min_members: 5  # 001 §5: “两委”班子成员总数控制在5-7人\n"
    "  total_max_members: 7  # 001 §5: “两委”班子成员总数控制在5-7人\n"
    "staffing:\n"
    "  full_time_workers: 8  # 002 §四2: 配备专职社区工作者8名\n"
    "  graduates_min: 1  # 001 §6: 一社区一名大学生\n"
    "  reserve_min_candidates: 1  # 001 §6: 1[至]2[名]35岁以下、大专以上文化的后备人选\n"
    "  reserve_max_candidates: 2  # 001 §6: 1[至]2[名]35岁以下、大专以上文化的后备人选\n"
    "  reserve_max_age: 35  # 001 §6: 35岁以下\n"
    "  certified_percent: 100  # 000 §三: 2025 年前实现持证上岗全覆盖\n"
    "awards:\n"
    "  certificate_assistant_yuan: 1000  # 000 §三: 助理社会工作师 1000 元\n"
    "  certificate_intermediate_yuan: 2000  # 000 §三: 中级社会工作师 2000 元\n"
    "  certificate_senior_yuan: 5000  # 000 §三: 高级社会工作师 5000 元\n"
    "  agency_worker_min_years: 2  # 000 §三: 专业社工机构工作满 2 年\n"
    "due:\n"
    "  staffing.reserve_min_candidates: 2016-12-31  # 001 §6: 2016年,确保\n"
    "  staffing.certified_percent: 2024-12-31  # 000 §三: 2025 年前\n"
)
NO_KEYS = "source: test\ntitle: t\nmicroprojects:\n  yearly_budget_yuan: 1000  # test\n"

TODAY = dt.datetime(2026, 6, 1, 10, 0)


def resident(household: Household, name: str | None = None, born: dt.date | None = None):
    return Resident.objects.create(
        name=name or f"工作者{next(_n)}",
        name_initials="gzz",
        gender="F",
        household=household,
        relation=Relation.OTHER,
        place_path=household.place_path,
        birth_date=born or dt.date(1996, 1, 1),
        id_masked="420111********1234",
    )


@pytest.fixture
def wf(world, profile_dir):
    (profile_dir / "workforce-test.yaml").write_text(PROFILE)
    (profile_dir / "no-keys.yaml").write_text(NO_KEYS)
    world.district.policy_profile = "workforce-test"
    world.district.save()
    clock.set_now(TODAY)
    homes = list(Household.objects.filter(place_path__startswith=world.community_a1.path))
    people = [resident(homes[i % len(homes)]) for i in range(12)]
    other_home = Household.objects.filter(place_path__startswith=world.community_a2.path).first()
    grid_user = make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员")
    return SimpleNamespace(
        world=world,
        community=world.community_a1,
        people=people,
        other=resident(other_home, "二社区人"),
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记"),
        worker=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
        worker_a2=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        street=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
        grid=grid_user,
        resident_user=make_user(
            Role.RESIDENT, world.grid_a1_1.buildings[0], household=homes[0], phone="13900000041"
        ),
    )


def add(w, person, kind=WorkerKind.COMMUNITY_WORKER, **fields):
    fields.setdefault("started_on", dt.date(2020, 1, 1))
    return services.add_worker(w.community, actor=w.secretary, resident=person, kind=kind, **fields)


def term(w, kind=CommitteeKind.PARTY, seats=5, number=1, elected=dt.date(2024, 1, 1)):
    method = ElectionMethod.TWO_RECOMMEND if kind == CommitteeKind.PARTY else ElectionMethod.DIRECT
    return services.add_term(
        w.community,
        kind,
        actor=w.secretary,
        number=number,
        elected_on=elected,
        ends_on=dt.date(elected.year + 5, elected.month, elected.day),
        method=method,
        seats=seats,
    )


def seat(w, t, worker, role=SeatRole.MEMBER):
    return services.add_seat(t, actor=w.secretary, worker=worker, role=role, joined_on=t.elected_on)


@pytest.fixture(autouse=True)
def _english_messages():
    """Refusals are matched by their English text (the pages show them in Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield
