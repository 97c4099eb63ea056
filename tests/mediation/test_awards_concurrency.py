"""Two officers approving the same award at the same moment: it is approved once. Real threads
and connections (select_for_update on the award row)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.mediation import awards
from gongzhi.mediation.models import Award, AwardKind, AwardState
from tests.conftest import make_user
from tests.mediation.test_awards import set_cap

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_approvals_approve_once(mw, profile_dir, monkeypatch):
    set_cap(mw.world, profile_dir)
    second = make_user(Role.STREET_OFFICER, mw.world.street_a, name="街道副主任")
    district = make_user(Role.DISTRICT_OFFICER, mw.world.district, name="区干部")
    award = awards.propose(
        actor=mw.street,
        kind=AwardKind.MEDIATOR,
        mediator=mw.elder,
        reason="成效突出",
        amount_fen=100_000,
    )
    real = awards._locked

    def slow(row):
        locked = real(row)
        time.sleep(0.3)  # hold the lock while the other approval arrives
        return locked

    monkeypatch.setattr(awards, "_locked", slow)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run(user):
        try:
            barrier.wait()
            results.append(awards.approve(Award.objects.get(pk=award.pk), actor=user, note="同意"))
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (second, district)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    approved = [r for r in results if isinstance(r, Award)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert Award.objects.get().state == AwardState.APPROVED
    assert AuditRecord.objects.filter(action="mediation.award_approve").count() == 1
