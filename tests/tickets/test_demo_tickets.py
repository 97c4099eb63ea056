"""Demo tickets (gongzhi/demo/tickets/): two years of tickets in every state with a history
that follows the workflow table, realistic texts, consistent numbering, idempotence, and
work on the demo logins' pages. Built on a reduced demo street (one community, two grids)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count, Max
from django.utils import translation

from gongzhi.core import clock, crypto
from gongzhi.core.models import Post, User
from gongzhi.demo import people as people_demo
from gongzhi.demo import places as places_demo
from gongzhi.demo import tickets as demo
from gongzhi.tickets import selectors, services, workflow
from gongzhi.tickets.models import (
    Category,
    Channel,
    Kind,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from gongzhi.tickets.workflow import Step

pytestmark = pytest.mark.django_db

TINY = places_demo.SMALL.replace(
    communities_per_street=1,
    grids_per_community=2,
    buildings_per_grid=(2,),
    shapes=((2, 6, 2),),
)
RATE = 10.0  # tickets per household and year: enough for every outcome on 48 households


@pytest.fixture
def built():
    places_demo.build(TINY)
    people_demo.build(TINY)
    line = demo.build(TINY, per_household_year=RATE)
    return line


def _resident():
    return User.objects.get(phone_index=crypto.blind_index("phone", places_demo.RESIDENT_PHONE))


def test_tickets_in_every_status_over_two_years(built):
    statuses = set(Ticket.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    first = Ticket.objects.order_by("created_at").first().created_at
    assert clock.now() - first > dt.timedelta(days=700)
    assert not Ticket.objects.filter(created_at__gt=clock.now()).exists()
    assert f"{Ticket.objects.count():,}" in built


def test_every_ticket_history_follows_the_workflow(built):
    tickets = {t.pk: t for t in Ticket.objects.all()}
    events = TicketEvent.objects.order_by("ticket_id", "at", "id")
    by_ticket: dict[int, list[TicketEvent]] = {}
    for event in events:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    assert set(by_ticket) == set(tickets)
    for pk, history in by_ticket.items():
        ticket = tickets[pk]
        assert history[0].action == Step.SUBMIT
        assert history[-1].to_status == ticket.status, ticket.number
        assert history[0].at == ticket.created_at
        assert history[-1].at == ticket.updated_at <= clock.now()
        for before, after in zip(history, history[1:], strict=False):
            assert after.from_status == before.to_status
            rule = workflow.TRANSITIONS[(after.from_status, after.action)]
            assert rule.target == after.to_status
            assert after.at >= before.at
            # Only the sweep acts without a person.
            assert (after.actor_id is None) == (rule.permissions == (workflow.SYSTEM,))


def test_ticket_fields_agree_with_their_state(built):
    for t in Ticket.objects.all():
        assert t.created_at <= t.updated_at
        if t.status in (Status.CLOSED, Status.MERGED):
            assert t.closed_at is not None and t.escalate_at is None
        else:
            assert t.closed_at is None
        assert (t.merged_into_id is not None) == (t.status == Status.MERGED)
        if t.status in (Status.RESOLVED, Status.CONFIRMED):
            assert t.resolved_at is not None and t.resolution_note
        if t.status == Status.CONFIRMED:
            assert 1 <= t.rating <= 5
        if t.escalate_at is not None:  # the sweep has nothing left to do
            assert t.escalate_at > clock.now() - dt.timedelta(minutes=1)
        if t.anonymous:
            assert t.kind == Kind.REPORT
        if t.channel in (Channel.PHONE, Channel.WALK_IN):
            assert t.submitter_id is None and t.on_behalf_of_name and t.entered_by_id
    supervised = Ticket.objects.filter(supervised=True)
    assert supervised.filter(status=Status.CLOSED).exists()
    assert TicketEvent.objects.filter(action=Step.AUTO_ESCALATE).exists()
    assert TicketEvent.objects.filter(action=Step.REOPEN).exists()
    assert TicketEvent.objects.filter(action=Step.RETURN).exists()


def test_realistic_mix_of_categories_kinds_channels_and_ratings(built):
    used = set(Ticket.objects.values_list("category__code", flat=True))
    leaves = set(Category.objects.filter(children__isnull=True).values_list("code", flat=True))
    assert leaves <= used
    assert set(Ticket.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Ticket.objects.filter(anonymous=True).exists()
    ratings = Counter(Ticket.objects.exclude(rating=None).values_list("rating", flat=True))
    rated = sum(ratings.values())
    assert (ratings[4] + ratings[5]) / rated > 0.7
    assert ratings[1] + ratings[2] > 0
    texts = Ticket.objects.values_list("text", flat=True)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts)
    templates = sum(len(v) for v in demo.TEXTS.values())
    assert len(set(texts)) > 5 * templates  # variable parts, not one text per template
    assert "{" not in "".join(texts)


def test_numbers_continue_the_day_counters(built):
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    last_by_day = Counter()
    for number in numbers:
        _gz, day, seq = number.split("-")
        day = dt.datetime.strptime(day, "%Y%m%d").date()
        last_by_day[day] = max(last_by_day[day], int(seq))
    counters = dict(TicketCounter.objects.values_list("day", "last"))
    assert counters == dict(last_by_day)

    resident = _resident()
    category = Category.objects.get(code="streetlight")
    ticket = services.submit(actor=resident, kind=Kind.REPORT, category=category, text="路灯不亮")
    today = clock.today()
    assert ticket.number == f"GZ-{today:%Y%m%d}-{counters.get(today, 0) + 1:04d}"


def test_a_second_run_adds_nothing(built):
    before = (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
        Post.objects.count(),
        TicketCounter.objects.aggregate(m=Max("last"))["m"],
    )
    with translation.override("en"):
        line = demo.build(TINY, per_household_year=RATE)
    after = (
        Ticket.objects.count(),
        TicketEvent.objects.count(),
        User.objects.count(),
        Post.objects.count(),
        TicketCounter.objects.aggregate(m=Max("last"))["m"],
    )
    assert after == before
    assert "Built in" not in line


def test_the_demo_logins_have_work(built, client):
    grid = User.objects.get(username="grid")
    secretary = User.objects.get(username="secretary")
    party = User.objects.get(username="partymember")
    resident = _resident()
    assert selectors.grid_queue(grid).count() >= 3
    assert selectors.dispatch_board(secretary).count() >= 3
    assert selectors.pool(party).exists()
    assert selectors.handled_by(party).exists()
    assert TicketEvent.objects.filter(action=Step.TAKE, actor=party).count() >= 3
    mine = selectors.my_tickets(resident)
    assert mine.exclude(status__in=workflow.TERMINAL).exists()
    assert mine.filter(status=Status.CLOSED).exists()
    # The property company and the grid workers handled tickets too.
    handlers = set(
        TicketEvent.objects.filter(action=Step.RESOLVE)
        .values_list("actor__posts__role", flat=True)
        .annotate(n=Count("id"))
    )
    assert {"grid_worker", "party_member", "property_staff"} <= handlers
    for user, url in (
        (grid, "/tickets/queue/"),
        (secretary, "/tickets/board/"),
        (party, "/tickets/pool/"),
        (party, "/tickets/taken/"),
        (resident, "/tickets/mine/"),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert "GZ-" in response.content.decode()


def test_district_mode_keeps_the_last_event_and_resumes_an_interrupted_build():
    tiny = TINY.replace(name="district")
    places_demo.build(tiny)
    people_demo.build(tiny)
    demo.build(tiny, per_household_year=RATE)
    total = Ticket.objects.count()
    assert TicketEvent.objects.count() == total  # reduced history: the last step only
    last = dict(TicketEvent.objects.values_list("ticket_id", "to_status"))
    assert all(last[pk] == status for pk, status in Ticket.objects.values_list("id", "status"))
    old = Ticket.objects.filter(created_at__lt=clock.now() - demo.FAST_AFTER)
    assert set(old.values_list("status", flat=True)) <= {Status.CLOSED, Status.MERGED}
    assert old.filter(status=Status.CLOSED, rating__isnull=False).exists()
    assert not old.filter(closed_at__gt=clock.now()).exists()
    assert selectors.grid_queue(User.objects.get(username="grid")).exists()

    # An interrupted build: the last days it builds (the oldest before the recent 60 days)
    # are missing; the next run builds them, and only them.
    tz = dt.timezone(dt.timedelta(hours=8))
    end = dt.datetime.combine(
        clock.today() - demo.FAST_AFTER + dt.timedelta(days=1), dt.time(), tzinfo=tz
    )
    cut = Ticket.objects.filter(created_at__gte=end - dt.timedelta(days=5), created_at__lt=end)
    removed = cut.count()
    assert removed
    cut.exclude(merged_into=None).delete()
    cut.delete()
    demo.build(tiny, per_household_year=RATE)
    assert cut.exists()
    assert Ticket.objects.count() == total - removed + cut.count()
    again = Ticket.objects.count()
    with translation.override("en"):
        assert "Built in" not in demo.build(tiny, per_household_year=RATE)
    assert Ticket.objects.count() == again
