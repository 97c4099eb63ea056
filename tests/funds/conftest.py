"""Fund fixtures: the `world` under a test profile carrying the money rules of 000 §一/§四/§八,
001 §15 and 002 §四3, and the posts that keep, read and may not touch the money."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.funds import services
from tests.conftest import make_user

PROFILE = (
    "source: test\ntitle: t\n"
    "funds:\n"
    "  party_building_max_yuan: 100000  # 000 §一: 每个社区每年最高给予 10 万元党建工作经费\n"
    "  working_yuan: 250000  # 001 §15: 中心城区社区运转经费……不低于25万元\n"
    "  county_working_yuan: 200000  # 001 §15: 其它县(市)城区社区运转经费……不低于20万元\n"
    "  working_yuan_per_1000_households: 100000  # 002 §四 3: 每1000户不低于10万元\n"
    "  social_purchase_min_percent: 40  # 000 §四: 向社会组织和社会企业购买的比例不低于40%\n"
    "microprojects:\n"
    "  yearly_budget_yuan: 300000  # 000 §八: 每个社区每年给予 30 万元民生微实事资金\n"
)
TODAY = dt.datetime(2026, 6, 1, 10, 0)
D = dt.date
FEN = 100


@pytest.fixture
def fw(world, profile_dir):
    (profile_dir / "funds-test.yaml").write_text(PROFILE)
    world.district.policy_profile = "funds-test"
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
        grid=make_user(Role.GRID_WORKER, world.grid_a1_1, name="网格员"),
        worker=make_user(Role.COMMUNITY_WORKER, world.community_a1, name="社区工作者"),
    )
    w.fund = services.create_fund(
        w.a1, actor=w.secretary, name="珞南一社区基金", purpose="助老助学"
    )
    return w


def donate(w, yuan, **kw):
    kw.setdefault("donor_name", "张三")
    return services.donate(w.fund, actor=w.secretary, amount_yuan=str(yuan), on=D(2026, 5, 1), **kw)
