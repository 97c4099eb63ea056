"""Races with real threads and connections (transactional_db), on SQLite (queued IMMEDIATE
write transactions) and PostgreSQL (row locks): two residents for the last place of an
activity, two takers of one time-bank request, two confirmations of the same hours. A pause
after the row lock makes the attempts overlap."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from gongzhi.core import ledger
from gongzhi.core.models import LedgerEntry
from gongzhi.volunteering import activities, hours, points, services, timebank
from gongzhi.volunteering.models import Activity, Exchange, Signup, SignupStatus

pytestmark = pytest.mark.django_db(transaction=True)


def _race(monkeypatch, module, name, calls):
    real = getattr(module, name)

    def slow(*args, **kwargs):
        locked = real(*args, **kwargs)
        time.sleep(0.3)  # hold the lock while the other attempt waits
        return locked

    monkeypatch.setattr(module, name, slow)
    barrier = threading.Barrier(len(calls))
    results: dict[str, object] = {}

    def attempt(key, function):
        try:
            barrier.wait()
            results[key] = function()
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[key] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=item) for item in calls.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_sign_ups_for_the_last_place_exactly_one_wins(vol, new_activity, monkeypatch):
    activity = new_activity(capacity=2)
    services.sign_up(activity, actor=vol.res3)
    results = _race(
        monkeypatch,
        activities,
        "_lock_activity",
        {
            "res1": lambda: services.sign_up(Activity.objects.get(pk=activity.pk), actor=vol.res1),
            "res2": lambda: services.sign_up(Activity.objects.get(pk=activity.pk), actor=vol.res2),
        },
    )
    winners = [k for k, r in results.items() if isinstance(r, Signup)]
    losers = [r for r in results.values() if isinstance(r, ValidationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "full" in losers[0].messages[0] or "满" in losers[0].messages[0]
    activity.refresh_from_db()
    assert activity.signed_up == 2
    assert Signup.objects.filter(activity=activity, status=SignupStatus.SIGNED_UP).count() == 2


def test_two_takers_of_one_request_one_wins(vol, monkeypatch):
    points.deposit_hours(vol.res1.resident, 120, source=("t.S", 1), key="seed")
    request = services.post_exchange(actor=vol.res1, kind="request", title="陪诊", minutes=60)
    results = _race(
        monkeypatch,
        timebank,
        "_lock_exchange",
        {
            "res2": lambda: services.take_exchange(
                Exchange.objects.get(pk=request.pk), actor=vol.res2
            ),
            "res3": lambda: services.take_exchange(
                Exchange.objects.get(pk=request.pk), actor=vol.res3
            ),
        },
    )
    winners = [k for k, r in results.items() if isinstance(r, Exchange)]
    assert len(winners) == 1, results
    request.refresh_from_db()
    assert request.taker == getattr(vol, winners[0]).resident


def test_two_confirmations_of_the_same_hours_credit_once(vol, new_activity, monkeypatch):
    from gongzhi.core import clock
    from gongzhi.volunteering import qr

    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    for kind, at in (("in", activity.starts_at), ("out", activity.ends_at)):
        with clock.travel_to(at):
            window = qr.current_window()
            services.check(activity, kind, window, qr.token(activity, kind, window), actor=vol.res1)
    results = _race(
        monkeypatch,
        hours,
        "_lock_activity",
        {
            "cw": lambda: services.confirm_hours(
                Activity.objects.get(pk=activity.pk), actor=vol.cw
            ),
            "street": lambda: services.confirm_hours(
                Activity.objects.get(pk=activity.pk), actor=vol.street
            ),
        },
    )
    assert all(isinstance(r, dict) for r in results.values()), results
    assert sorted(r["confirmed"] for r in results.values()) == [0, 1]
    assert LedgerEntry.objects.count() == 3
    assert ledger.balance(points.points_account(vol.res1.resident)) == 25


def test_two_simultaneous_earns_cannot_exceed_the_daily_cap(vol, monkeypatch):
    """Platform defaults: 10 points an hour, a daily cap of 100. Two confirmations of six
    hours each (60 points) at the same moment: the second waits on the resident's account
    lock, then finds 60 of the day's 100 taken and is reduced to 40."""
    resident = vol.res1.resident
    points.points_account(resident)  # the account exists before the race
    real = points.earned_on

    def slow(*args, **kwargs):
        value = real(*args, **kwargs)
        time.sleep(0.3)  # hold the lock while the other earn waits
        return value

    monkeypatch.setattr(points, "earned_on", slow)
    barrier = threading.Barrier(2)
    results: dict[int, object] = {}

    def attempt(n):
        try:
            barrier.wait()
            with translation.override("en"):
                results[n] = points.earn_result(
                    resident, "service_hour", source=("volunteering.Activity", n), units=6
                )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(isinstance(r, points.EarnResult) for r in results.values()), results
    assert sorted(r.amount for r in results.values()) == [40, 60]
    capped = next(r for r in results.values() if r.amount == 40)
    assert "daily cap of 100" in capped.reason
    assert ledger.balance(points.points_account(resident)) == 100
    assert LedgerEntry.objects.filter(credit__owner_id=resident.pk).count() == 2


def test_two_simultaneous_reversals_of_one_award_reverse_it_once(vol):
    from gongzhi.core.models import AuditRecord

    award = points.earn(vol.res1.resident, "activity", source=("x.Y", 1))
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def attempt(name, user):
        try:
            barrier.wait()
            results[name] = services.reverse_award(
                award.pk, actor=user, reason_kind="duplicate", reason="重复"
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(name, getattr(vol, name)))
        for name in ("cw", "street")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(isinstance(r, services.Reversal) for r in results.values()), results
    assert sorted(r.created for r in results.values()) == [False, True]
    assert len({r.entry.pk for r in results.values()}) == 1
    assert LedgerEntry.objects.filter(reverses=award).count() == 1
    assert AuditRecord.objects.filter(action="volunteering.award_reverse").count() == 1
    assert ledger.balance(points.points_account(vol.res1.resident)) == 0
