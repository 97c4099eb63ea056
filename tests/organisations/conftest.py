"""Organisation fixtures: the `world` under a test profile carrying 000 §四's subsidy rules and
002 §四2's least number of organisations, the posts that keep, fund, apply and review, and a
filed and a registered organisation in community A1 with a linked contact."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.organisations import services
from gongzhi.organisations.models import OrgKind, OrgStatus, ServiceField
from gongzhi.places.models import Household
from tests.conftest import make_user

PROFILE = (
    "source: test\ntitle: t\n"
    "subsidies:\n"
    "  incubator_percent: 50  # 000 §四: 按照每年运营费用的50%\n"
    "  incubator_max_yuan: 500000  # 000 §四: 给予最高 50 万元补贴\n"
    "awards:\n"
    "  social_org_min_grade: 4  # 000 §四: 对获评4A级以上的区内社区社会组织\n"
    "  social_org_4a_max_yuan: 100000  # 000 §四: 给予最高10万元奖励\n"
    "  foundation_percent: 2  # 000 §四: 按照原始基金的2%\n"
    "  foundation_max_yuan: 500000  # 000 §四: 给予最高 50万元一次性奖励\n"
    "  social_enterprise_yuan: 50000  # 000 §四: 给予5万元一次性奖励\n"
    "  venture_max_yuan: 100000  # 000 §四: 对获奖项目给予最高10万元奖励\n"
    "social_orgs:\n"
    "  min_incubated: 15  # 002 §四 2: 培育孵化不少于15个社区社会组织\n"
)
# The same rules at other numbers: a second document gives other amounts.
LEAN = PROFILE.replace("incubator_percent: 50", "incubator_percent: 30").replace(
    "social_org_4a_max_yuan: 100000", "social_org_4a_max_yuan: 20000"
)
NO_KEYS = "source: test\ntitle: t\nmicroprojects:\n  yearly_budget_yuan: 1000  # test\n"

TODAY = dt.datetime(2026, 6, 1, 10, 0)
CODE_1 = "91350100M000100Y43"
CODE_2 = "91110108551385082Q"
D = dt.date


@pytest.fixture
def ow(world, profile_dir):
    (profile_dir / "orgs-test.yaml").write_text(PROFILE)
    (profile_dir / "orgs-lean.yaml").write_text(LEAN)
    (profile_dir / "no-keys.yaml").write_text(NO_KEYS)
    world.district.policy_profile = "orgs-test"
    world.district.save()
    clock.set_now(TODAY)
    w = SimpleNamespace(
        world=world,
        a1=world.community_a1,
        a2=world.community_a2,
        street=world.street_a,
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记"),
        worker_a2=make_user(Role.COMMUNITY_WORKER, world.community_a2, name="二社区工作者"),
        officer=make_user(Role.STREET_OFFICER, world.street_a, name="街道干部"),
        officer_b=make_user(Role.STREET_OFFICER, world.street_b, name="关山街道干部"),
        district=make_user(Role.DISTRICT_OFFICER, world.district, name="区干部"),
        partner=make_user(Role.PARTNER_CONTACT, world.community_a1, name="组织联系人"),
        partner2=make_user(Role.PARTNER_CONTACT, world.community_a1, name="另一联系人"),
        grid=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
    )
    building = world.grid_a1_1.buildings[0]
    w.resident = make_user(
        Role.RESIDENT,
        building,
        household=Household.objects.filter(building=building).first(),
        name="居民",
        phone="13900000077",
    )
    w.filed = services.register(
        w.a1,
        actor=w.secretary,
        name="夕阳红助老服务队",
        kind=OrgKind.SOCIAL_GROUP,
        status=OrgStatus.FILED,
        field=ServiceField.ELDERLY,
        filed_on=D(2025, 3, 1),
    )
    w.registered = services.register(
        w.a1,
        actor=w.secretary,
        name="珞南社工服务中心",
        kind=OrgKind.SERVICE_ORG,
        status=OrgStatus.REGISTERED,
        field=ServiceField.CHILDREN,
        credit_code=CODE_1,
        registered_on=D(2024, 5, 10),
    )
    services.link_contact(w.registered, actor=w.secretary, user=w.partner)
    return w
