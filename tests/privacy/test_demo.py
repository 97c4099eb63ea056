"""The demo builder shows the feature: consents and three requests, one of them overdue."""

from __future__ import annotations

from gongzhi.core.models import User
from gongzhi.core.roles import Role
from gongzhi.demo import privacy as demo
from gongzhi.privacy import selectors
from gongzhi.privacy.models import Consent, PrivacyRequest, RequestStatus
from tests.conftest import make_user
from tests.privacy.conftest import resident_user


def test_demo_builds_once_through_the_services(world):
    resident = resident_user(world.grid_a1_1.buildings[0], demo.RESIDENT_PHONE, "吴秀英")
    worker = make_user(Role.COMMUNITY_WORKER, world.community_a1)
    User.objects.filter(pk=worker.pk).update(username="worker")
    assert "权利申请 3 件" in demo.build()
    assert "权利申请 3 件" in demo.build()  # idempotent
    statuses = sorted(PrivacyRequest.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [RequestStatus.IN_PROGRESS, RequestStatus.RECEIVED, RequestStatus.REFUSED]
    )
    worker = User.objects.get(pk=worker.pk)
    assert [r.overdue for r in selectors.request_queue(worker, "overdue")] == [True]
    assert Consent.objects.filter(user=resident, withdrawn_at=None).count() == 2


def test_demo_skips_without_its_logins(db):
    assert "未生成" in demo.build()
