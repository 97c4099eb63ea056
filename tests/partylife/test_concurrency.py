"""Two payments of one member's month at once (two secretaries' phones, a double tap with
different keys): exactly one is recorded. Real threads and connections: SQLite queues the
writers, PostgreSQL locks the member's row; the unique constraint decides on both."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.partylife import services
from gongzhi.partylife.models import DuesEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_payment_is_never_recorded_twice(life):
    month = dt.date(2026, 1, 1)
    services.record_due(life.member, actor=life.cs, month=month, amount_fen=300)
    barrier = threading.Barrier(3)
    results: list[object] = []

    def pay(key: str, actor) -> None:
        try:
            barrier.wait()
            results.append(
                services.record_payment(
                    life.member, actor=actor, month=month, amount_fen=300, idempotency_key=key
                )
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=pay, args=(key, actor))
        for key, actor in (("a", life.cs), ("b", life.secretary_user), ("c", life.cs))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    paid = [r for r in results if isinstance(r, DuesEntry)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(paid) == 1 and len(refused) == 2, results
    assert DuesEntry.objects.filter(member=life.member, kind="payment").count() == 1


def test_one_building_never_lands_in_two_racing_areas(life):
    """Two assignments of the same building to two members at once: the branch's row lock
    (PostgreSQL) or the queued writers (SQLite) let the second see the first and refuse."""
    from gongzhi.partylife.models import ResponsibilityArea

    building = life.world.grid_a1_1.buildings[0]
    barrier = threading.Barrier(2)
    results: list[object] = []

    def assign(member, actor) -> None:
        try:
            barrier.wait()
            results.append(
                services.assign_area(
                    life.branch,
                    member,
                    actor=actor,
                    starts_on=dt.date(2026, 1, 1),
                    buildings=[building.pk],
                )
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=assign, args=args)
        for args in ((life.member, life.cs), (life.secretary, life.secretary_user))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    made = [r for r in results if isinstance(r, ResponsibilityArea)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert ResponsibilityArea.objects.count() == 1
