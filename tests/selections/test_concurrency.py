"""Two votes of one voter at the same moment (two phones, a double tap): at most the voter's
number is counted and never twice for one nominee. Real threads and connections, as in
tests/owners/test_concurrency.py (SQLite: queued IMMEDIATE transactions; PostgreSQL: the
selection's row lock, with the unique constraints behind it)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongzhi.selections import services
from gongzhi.selections.models import Nominee, Vote
from tests import threads

pytestmark = pytest.mark.django_db(transaction=True)


def _race(monkeypatch, *attempts):
    threads.hold_lock(monkeypatch, services)
    return threads.race(*attempts)


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
