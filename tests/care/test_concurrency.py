"""Two members of one household confirm the same notice at the same moment: the household's
receipt is recorded exactly once. Real threads and connections, on SQLite (queued IMMEDIATE
transactions) and PostgreSQL (the conditional UPDATE re-checks `read_at IS NULL` after the
other's commit)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from gongzhi.care import services
from gongzhi.care.models import Delivery
from gongzhi.core.models import AuditRecord
from gongzhi.people.models import Membership, Relation, Resident

from .conftest import citizen

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_members_confirm_at_once_one_receipt(cw, monkeypatch):
    household = cw.households[0]
    spouse = citizen(household, "王妻")
    Resident.objects.filter(pk=spouse.record.pk).update(relation=Relation.SPOUSE)
    Membership.objects.filter(resident=spouse.record).update(relation=Relation.SPOUSE)
    notice = services.send_notice(
        cw.b1, actor=cw.worker, kind="power", title="停电通知", body="周三停电。"
    )
    real = services.audit.record

    def slow(**kwargs):
        entry = real(**kwargs)
        time.sleep(0.3)  # hold the transaction open while the other arrives
        return entry

    monkeypatch.setattr(services.audit, "record", slow)
    barrier = threading.Barrier(2)
    results = []

    def run(user):
        try:
            barrier.wait()
            results.append(services.read_notice(notice, actor=user))
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (cw.r1, spouse)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False, True], results
    assert Delivery.objects.filter(notice=notice, read_at__isnull=False).count() == 1
    assert AuditRecord.objects.filter(action="care.notice_read").count() == 1
