"""The five-year bar of a company black-listed two years running (000 §五) refuses it as a
micro-project payee (issue 14 item 5): estates installs microprojects.services'
payee check in EstatesConfig.ready()."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from gongzhi.core import clock, profiles
from gongzhi.core.models import AuditRecord
from gongzhi.estates import services
from gongzhi.microprojects import services as microprojects
from gongzhi.microprojects.models import Progress, Project, Round, Selection, Spending
from tests.estates.conftest import GOOD_CODE_2
from tests.estates.test_ratings import BAR_PROFILE, _black


@pytest.fixture
def barred(rw, profile_dir):
    (profile_dir / "bar.yaml").write_text(BAR_PROFILE)
    rw.world.district.policy_profile = "bar"
    rw.world.district.save()
    profiles.clear_cache()
    _black(rw, 2024)
    _black(rw, 2025)
    clock.set_now(dt.datetime(2026, 7, 1, 10, 0))
    community = rw.world.community_a1
    rnd = Round.objects.create(
        community=community, place_path=community.path, year=2026, budget_yuan=Decimal(5000)
    )
    rw.project = Project.objects.create(
        round=rnd,
        place_path=community.path,
        title="楼道照明",
        description="更换楼道灯",
        proposer_name="居民",
        proposed_cost=Decimal(800),
        cost=Decimal(800),
        selection=Selection.SELECTED,
    )
    return rw


def _spend(w, payee):
    return microprojects.add_spending(
        w.project,
        actor=w.worker,
        amount="300",
        item="灯具",
        payee=payee,
        paid_on=dt.date(2026, 7, 1),
    )


@pytest.mark.parametrize(
    "payee", ["红星物业", "娄底市红星物业管理有限公司", f"红星 物业（{'91350100m000100y43'}）"]
)
def test_a_barred_company_is_refused_as_payee_and_nothing_is_written(barred, payee):
    before = AuditRecord.objects.count()
    with pytest.raises(ValidationError) as caught:
        _spend(barred, payee)
    message = caught.value.message_dict["payee"][0]
    assert "红星物业" in message and "000 §五" in message and "2030-12-31" in message
    assert not Spending.objects.exists() and AuditRecord.objects.count() == before
    barred.project.refresh_from_db()
    assert barred.project.progress == Progress.NOT_STARTED


def test_the_credit_code_alone_matches(barred):
    with pytest.raises(ValidationError):
        _spend(barred, f"收款单位代码 {barred.company.credit_code}")


def test_an_unbarred_company_is_accepted(barred):
    other = services.add_company(
        barred.world.community_a1, actor=barred.secretary, name="绿地物业", credit_code=GOOD_CODE_2
    )
    entry = _spend(barred, other.name)
    assert entry.payee == "绿地物业" and Spending.objects.count() == 1


def test_the_bar_ends_after_five_years(barred):
    clock.set_now(dt.datetime(2031, 1, 2, 10, 0))
    assert _spend(barred, "红星物业").payee == "红星物业"


def test_no_bar_without_the_profile_keys(rw):
    """Black-listed twice, but the profile sets no bar: the payee is accepted."""
    _black(rw, 2024)
    _black(rw, 2025)
    clock.set_now(dt.datetime(2026, 7, 1, 10, 0))
    assert microprojects._payee_check is not None
    assert microprojects._payee_check("红星物业", rw.world.community_a1.path) is None
