"""Two street officers approve one start-up grant at the same moment, and two workers request
it at once: it is approved once and requested once. Real threads and connections (SQLite:
queued IMMEDIATE transactions; PostgreSQL: the row lock and the partial unique constraint)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.core.models import AuditRecord
from gongzhi.core.roles import Role
from gongzhi.estates import grants
from gongzhi.estates.models import GrantStatus, StartupGrant
from tests.conftest import make_user
from tests.estates.test_grants import gw  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True)


def _race(*attempts):
    barrier = threading.Barrier(len(attempts))
    results = []

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_approvals_at_once_approve_once(gw, monkeypatch):  # noqa: F811
    grant = grants.request_grant(gw.committee, actor=gw.worker)
    other = make_user(Role.STREET_OFFICER, gw.world.street_a, name="另一街道干部")
    real = grants._locked

    def slow(g):
        locked = real(g)
        time.sleep(0.3)  # hold the lock while the other approval arrives
        return locked

    monkeypatch.setattr(grants, "_locked", slow)
    results = _race(
        lambda: grants.approve_grant(StartupGrant.objects.get(pk=grant.pk), actor=gw.street),
        lambda: grants.approve_grant(StartupGrant.objects.get(pk=grant.pk), actor=other),
    )
    approved = [r for r in results if isinstance(r, StartupGrant)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(approved) == 1 and len(refused) == 1, results
    assert StartupGrant.objects.get().status == GrantStatus.APPROVED
    assert AuditRecord.objects.filter(action="estates.grant_approve").count() == 1


def test_two_requests_at_once_request_once(gw):  # noqa: F811
    results = _race(
        lambda: grants.request_grant(gw.committee, actor=gw.worker),
        lambda: grants.request_grant(gw.committee, actor=gw.secretary),
    )
    made = [r for r in results if isinstance(r, StartupGrant)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert StartupGrant.objects.count() == 1
