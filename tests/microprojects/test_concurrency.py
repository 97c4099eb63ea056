"""One resident voting twice for the same project at the same moment: one vote counted, on
SQLite and PostgreSQL (round-row lock + unique (round, resident, project))."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.microprojects import services
from gongzhi.microprojects.models import Project, Support

pytestmark = pytest.mark.django_db(transaction=True)


def test_double_vote_at_once(mp, monkeypatch):
    rnd = services.open_round(mp.community, 2026, actor=mp.cw, budget="300000")
    project = services.propose(rnd, actor=mp.r1, title="t", description="d", items=[("x", "10")])
    services.review(project, actor=mp.cw, feasible=True, reason="")
    services.start_voting(rnd, actor=mp.cw)
    real = services._lock_round

    def slow(r):
        locked = real(r)
        time.sleep(0.3)
        return locked

    monkeypatch.setattr(services, "_lock_round", slow)
    barrier = threading.Barrier(2)
    results = []

    def attempt():
        try:
            barrier.wait()
            results.append(services.support(Project.objects.get(pk=project.pk), actor=mp.r2))
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(r, Support) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Support.objects.count() == 1
    assert Project.objects.get(pk=project.pk).votes == 1
