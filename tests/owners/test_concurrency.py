"""Two ballots of one owner at the same moment (the owner online and staff entering the paper
ballot, or two phones): exactly one is counted. Real threads and connections, on SQLite
(queued IMMEDIATE transactions) and PostgreSQL (row lock on the vote + unique constraint)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from gongzhi.owners import services
from gongzhi.owners.models import Ballot, OwnersVote, RollEntry
from tests import threads
from tests.owners.conftest import scan_pdf

pytestmark = pytest.mark.django_db(transaction=True)


def _race(monkeypatch, *attempts):
    threads.hold_lock(monkeypatch, services)
    return threads.race(*attempts)


def test_two_votes_from_one_owner_at_once(estate_world, open_vote, monkeypatch):
    ew = estate_world
    vote = open_vote()
    entry = RollEntry.objects.get(vote=vote, name="吴业主")

    def online():
        return services.cast_online(OwnersVote.objects.get(pk=vote.pk), "yes", actor=ew.owner_user)

    def paper():
        return services.enter_paper(
            OwnersVote.objects.get(pk=vote.pk),
            actor=ew.cw,
            ballot_id=entry.ballot_id,
            choice="no",
            scan=scan_pdf(),
            scan_ref="S-1",
        )

    results = _race(monkeypatch, online, paper)
    counted = [r for r in results if isinstance(r, Ballot)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(counted) == 1 and len(refused) == 1, results
    assert "already been counted" in refused[0].messages[0] or "已计入" in refused[0].messages[0]
    assert Ballot.objects.filter(vote=vote).count() == 1


def test_two_phones_of_one_owner_at_once(estate_world, open_vote, monkeypatch):
    ew = estate_world
    vote = open_vote()

    def online(choice):
        return lambda: services.cast_online(
            OwnersVote.objects.get(pk=vote.pk), choice, actor=ew.owner_user
        )

    results = _race(monkeypatch, online("yes"), online("no"))
    assert sum(isinstance(r, Ballot) for r in results) == 1, results
    assert sum(isinstance(r, ValidationError) for r in results) == 1, results
    assert Ballot.objects.filter(vote=vote).count() == 1
