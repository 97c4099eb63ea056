"""Polls: one vote per resident or per household, the voting window, hidden results."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from gongzhi.core import clock
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import PollBallot
from gongzhi.places.models import Household
from tests.deliberation.conftest import T0, make_citizen

OPEN = T0 + dt.timedelta(hours=1)
AFTER = T0 + dt.timedelta(days=8)


def new_poll(d, community=None, **extra):
    values = dict(
        community=community or d.community,
        question="广场舞时间调整到几点？",
        options=["19:00", "19:30", "20:00"],
        opens_at=T0,
        closes_at=T0 + dt.timedelta(days=7),
    )
    values.update(extra)
    return services.create_poll(actor=d.secretary, **values)


def test_create_poll_needs_two_options_and_a_window(d):
    with pytest.raises(ValidationError):
        new_poll(d, options=["只有一个"])
    with pytest.raises(ValidationError):
        new_poll(d, closes_at=T0)
    with pytest.raises(PermissionDenied):
        services.create_poll(
            actor=d.resident,
            community=d.community,
            question="x",
            options=["a", "b"],
            opens_at=T0,
            closes_at=AFTER,
        )


def test_vote_once_and_results_only_after_closing(d):
    poll = new_poll(d)
    first, second = list(poll.options.all())[:2]
    with clock.travel_to(OPEN):
        services.vote(poll, [first.pk], actor=d.resident)
        services.vote(poll, [second.pk], actor=d.neighbour)
        with pytest.raises(ValidationError, match="already"):
            services.vote(poll, [second.pk], actor=d.resident)
        assert selectors.results(poll) == []
        assert selectors.turnout(poll) == 2
    with clock.travel_to(AFTER):
        counts = {r["option"].text: r["votes"] for r in selectors.results(poll)}
    assert counts == {"19:00": 1, "19:30": 1, "20:00": 0}


def test_votes_outside_the_window_are_refused(d):
    poll = new_poll(d)
    option = poll.options.first()
    with clock.travel_to(T0 - dt.timedelta(minutes=1)), pytest.raises(ValidationError):
        services.vote(poll, [option.pk], actor=d.resident)
    with clock.travel_to(poll.closes_at), pytest.raises(ValidationError):
        services.vote(poll, [option.pk], actor=d.resident)
    assert not PollBallot.objects.exists()


def test_per_household_second_member_refused(d):
    poll = new_poll(d, per_household=True)
    spouse = make_citizen(d.homes[0], "老伴")
    option = poll.options.first()
    with clock.travel_to(OPEN):
        services.vote(poll, [option.pk], actor=d.resident)
        with pytest.raises(ValidationError, match="household"):
            services.vote(poll, [option.pk], actor=spouse)
        services.vote(poll, [option.pk], actor=d.neighbour)  # another household
    assert poll.ballots.count() == 2


def test_per_resident_poll_lets_each_member_vote(d):
    poll = new_poll(d)
    spouse = make_citizen(d.homes[0], "老伴")
    option = poll.options.first()
    with clock.travel_to(OPEN):
        services.vote(poll, [option.pk], actor=d.resident)
        services.vote(poll, [option.pk], actor=spouse)
    assert poll.ballots.count() == 2


def test_forged_option_and_single_choice_rules(d):
    poll = new_poll(d)
    other = new_poll(d, question="另一个")
    a, b = list(poll.options.all())[:2]
    with clock.travel_to(OPEN):
        with pytest.raises(ValidationError):
            services.vote(poll, [other.options.first().pk], actor=d.resident)
        with pytest.raises(ValidationError):
            services.vote(poll, ["x"], actor=d.resident)
        with pytest.raises(ValidationError):
            services.vote(poll, [], actor=d.resident)
        with pytest.raises(ValidationError, match="exactly one"):
            services.vote(poll, [a.pk, b.pk], actor=d.resident)
        assert not PollBallot.objects.exists()
        multi = new_poll(d, question="多选", multiple=True)
        x, y = list(multi.options.all())[:2]
        ballot = services.vote(multi, [x.pk, y.pk], actor=d.resident)
    assert ballot.options.count() == 2


def test_other_community_cannot_vote(d):
    poll = new_poll(d)
    with clock.travel_to(OPEN), pytest.raises(Http404):
        services.vote(poll, [poll.options.first().pk], actor=d.outsider)


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_vote_counts_once(world):
    from tests.conftest import make_user

    home = Household.objects.filter(building=world.grid_a1_1.buildings[0]).first()
    user = make_citizen(home, "并发投票")
    spouse = make_citizen(home, "并发配偶")
    secretary = make_user("community_secretary", world.community_a1)
    poll = services.create_poll(
        actor=secretary,
        community=world.community_a1,
        question="并发",
        options=["a", "b"],
        opens_at=T0,
        closes_at=AFTER,
        per_household=True,
    )
    option = poll.options.first()
    clock.set_now(OPEN)
    barrier = threading.Barrier(4)
    results = []

    def attempt(voter):
        try:
            barrier.wait()
            services.vote(poll, [option.pk], actor=voter)
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connection.close()

    voters = [user, user, spouse, spouse]
    threads = [threading.Thread(target=attempt, args=(v,)) for v in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1 and results.count("refused") == 3
    assert PollBallot.objects.filter(poll=poll).count() == 1
