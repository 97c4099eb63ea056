"""Two party members take the same pooled ticket at the same moment: exactly one wins, the
other is told clearly. Real threads and connections (transactional_db), on SQLite (queued
IMMEDIATE write transactions) and PostgreSQL (row lock). A pause is inserted after the first
read of the locked row, so the two attempts really overlap."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from gongzhi.tickets import services, workflow
from gongzhi.tickets.models import Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)


def _race(people, ticket, monkeypatch):
    real_lock = services._lock

    def slow_lock(pk):
        locked = real_lock(pk)
        time.sleep(0.3)  # hold the lock while the other member tries
        return locked

    monkeypatch.setattr(services, "_lock", slow_lock)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def attempt(name, user):
        try:
            barrier.wait()
            results[name] = services.take_from_pool(Ticket.objects.get(pk=ticket.pk), actor=user)
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[name] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=("pm1", people.pm1)),
        threading.Thread(target=attempt, args=("pm2", people.pm2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_party_members_take_the_same_ticket(drive, people, monkeypatch):
    ticket = drive(Status.POOLED)
    results = _race(people, ticket, monkeypatch)

    winners = [name for name, r in results.items() if isinstance(r, Ticket)]
    losers = [r for r in results.values() if isinstance(r, workflow.AlreadyTaken)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert "already taken" in losers[0].message or "已被" in losers[0].message
    ticket.refresh_from_db()
    assert ticket.status == Status.TAKEN
    assert ticket.handler_user == getattr(people, winners[0])
    assert TicketEvent.objects.filter(ticket=ticket, action="take").count() == 1


def test_numbers_stay_unique_when_submitted_together(world, people, cats):
    barrier = threading.Barrier(4)
    numbers, errors = [], []

    def submit():
        try:
            barrier.wait()
            t = services.submit(
                actor=people.resident, kind="help", category=cats.repair, text="并发"
            )
            numbers.append(t.number)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert len(set(numbers)) == 4
    assert sorted(n[-4:] for n in numbers) == ["0001", "0002", "0003", "0004"]
