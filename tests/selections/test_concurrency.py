"""Two votes of one voter at the same moment (two phones, a double tap): at most the voter's
number is counted and never twice for one nominee. Real threads and connections, as in
tests/owners/test_concurrency.py (SQLite: queued IMMEDIATE transactions; PostgreSQL: the
selection's row lock, with the unique constraints behind it)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from gongzhi.selections import services
from gongzhi.selections.models import Nominee, Vote

pytestmark = pytest.mark.django_db(transaction=True)


def _race(monkeypatch, *attempts):
    real = services._locked

    def slow(selection):
        locked = real(selection)
        time.sleep(0.3)  # hold the lock while the other attempt arrives
        return locked

    monkeypatch.setattr(services, "_locked", slow)
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


def _vote(user, nominee):
    return lambda: services.vote(
        actor=user, nominee=Nominee.objects.select_related("selection").get(pk=nominee.pk)
    )


def test_double_tap_counts_once(sw, voting, monkeypatch):
    results = _race(monkeypatch, _vote(sw.resident, voting.n1), _vote(sw.resident, voting.n1))
    assert sum(isinstance(r, Vote) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Vote.objects.filter(voter=sw.resident).count() == 1


def test_two_phones_cannot_pass_the_number_of_votes(sw, voting, monkeypatch):
    voting.selection.votes_per_voter = 1
    voting.selection.save()
    results = _race(monkeypatch, _vote(sw.resident, voting.n1), _vote(sw.resident, voting.n2))
    assert sum(isinstance(r, Vote) for r in results) == 1, results
    assert Vote.objects.filter(voter=sw.resident).count() == 1
