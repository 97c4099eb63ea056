"""The ticket pages: who may open each, the whole loop through the pages, a lost take,
bounded queries on the lists."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from gongzhi.core.models import Post
from gongzhi.core.roles import Role
from gongzhi.tickets.models import Channel, Kind, Status, Ticket
from gongzhi.tickets.workflow import Step
from tests.tickets.conftest import run_step

LISTS = ["mine", "queue", "board", "pool", "taken", "overdue", "supervised"]

# Which role may open which page (the others are refused with 403).
ALLOWED = {
    "mine": {"resident", "gw", "cw", "pm1", "volunteer"},
    "submit": {"resident", "gw", "cw", "pm1", "volunteer"},
    "queue": {"gw", "cw"},
    "patrol": {"gw", "cw"},
    "enter": {"gw", "cw"},
    "board": {"cw"},
    "pool": {"cw", "pm1"},
    "taken": {"gw", "cw", "pm1"},
    "overdue": {"gw", "cw"},
    "supervised": {"gw", "cw"},
}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _step(client, ticket, step, **data):
    return client.post(reverse("tickets:step", args=[ticket.pk, step]), data)


@pytest.mark.parametrize("page", sorted(ALLOWED))
@pytest.mark.parametrize("who", ["resident", "gw", "cw", "pm1", "volunteer"])
def test_each_page_renders_for_its_roles_and_refuses_the_others(client, people, cats, page, who):
    client.force_login(getattr(people, who))
    res = client.get(reverse(f"tickets:{page}"))
    if who in ALLOWED[page] or (who == "volunteer" and page == "taken"):
        assert res.status_code == 200
    else:
        assert res.status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, db):
    res = client.get(reverse("tickets:mine"))
    assert res.status_code == 302 and "login" in res["Location"]


def test_a_ticket_outside_ones_view_is_404_and_a_step_without_the_right_is_403(
    client, people, new_ticket
):
    ticket = new_ticket()
    url = reverse("tickets:detail", args=[ticket.pk])
    for outsider in (people.neighbour, people.gw_other, people.cw_other, people.pm1):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert _step(client, ticket, Step.ACCEPT).status_code == 404
    # Visible, but the role may not: the resident may not accept; the grid worker not dispatch.
    client.force_login(people.resident)
    assert client.get(url).status_code == 200
    assert _step(client, ticket, Step.ACCEPT).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.SUBMITTED
    escalated = run_step(ticket, Step.ESCALATE, people.gw, {"note": "需社区协调"})
    client.force_login(people.gw)  # sees it (own grid) but may not publish to the pool
    assert client.get(url).status_code == 200
    assert _step(client, escalated, Step.POOL).status_code == 403
    client.force_login(people.pm1)  # not in the pool: does not exist for a party member
    assert _step(client, escalated, Step.TAKE).status_code == 404
    escalated.refresh_from_db()
    assert escalated.status == Status.ESCALATED


def test_a_step_from_the_wrong_state_comes_back_with_a_clear_message(client, people, new_ticket):
    ticket = new_ticket()
    client.force_login(people.gw)
    res = _step(client, ticket, Step.HANDLE)  # must be accepted first
    assert res.status_code == 302
    assert any("不能执行" in m for m in _messages(res))
    ticket.refresh_from_db()
    assert ticket.status == Status.SUBMITTED


def test_an_empty_note_comes_back_with_a_message_and_nothing_changes(client, people, new_ticket):
    ticket = new_ticket()
    client.force_login(people.gw)
    res = _step(client, ticket, Step.ESCALATE, note="  ")
    assert res.status_code == 302
    assert _messages(res)
    ticket.refresh_from_db()
    assert ticket.status == Status.SUBMITTED


def test_the_whole_loop_through_the_pages(client, people, cats):
    # The resident submits from the phone page.
    client.force_login(people.resident)
    home = client.get(reverse("home"))
    assert reverse("tickets:submit") in home.content.decode()
    res = client.post(
        reverse("tickets:submit"),
        {"kind": Kind.HELP, "category": cats.repair.pk, "text": "三单元楼道灯坏了"},
    )
    ticket = Ticket.objects.get()
    assert res.status_code == 302 and res["Location"] == reverse("tickets:detail", args=[ticket.pk])
    assert ticket.submitter == people.resident and ticket.channel == Channel.ONLINE
    assert ticket.place.path.startswith(people.resident.posts.get().household.building.path)
    page = client.get(res["Location"]).content.decode()
    assert ticket.number in page and "三单元楼道灯坏了" in page
    assert ticket.number in client.get(reverse("tickets:mine")).content.decode()

    # The grid worker sees it in the queue with Accept, accepts and escalates.
    client.force_login(people.gw)
    queue = client.get(reverse("tickets:queue")).content.decode()
    assert ticket.number in queue
    assert reverse("tickets:step", args=[ticket.pk, Step.ACCEPT]) in queue
    assert reverse("tickets:step", args=[ticket.pk, Step.DISPATCH]) not in queue
    assert _step(client, ticket, Step.ACCEPT, next=reverse("tickets:queue")).status_code == 302
    assert _step(client, ticket, Step.ESCALATE, note="需社区协调").status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED

    # The community sees it on the board and publishes it to the pool.
    client.force_login(people.cw)
    board = client.get(reverse("tickets:board")).content.decode()
    assert ticket.number in board
    assert reverse("tickets:step", args=[ticket.pk, Step.POOL]) in board
    detail = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert people.pm1.name in detail  # a handler to dispatch to
    _step(client, ticket, Step.POOL)
    ticket.refresh_from_db()
    assert ticket.status == Status.POOLED
    assert ticket.number in client.get(reverse("tickets:pool")).content.decode()

    # A party member takes it, starts and resolves.
    client.force_login(people.pm1)
    pool = client.get(reverse("tickets:pool")).content.decode()
    assert reverse("tickets:step", args=[ticket.pk, Step.TAKE]) in pool
    _step(client, ticket, Step.TAKE, next=reverse("tickets:pool"))
    assert ticket.number in client.get(reverse("tickets:taken")).content.decode()
    _step(client, ticket, Step.START)
    _step(client, ticket, Step.RESOLVE, note="已换灯泡")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.handler_user == people.pm1

    # The resident rates; the ticket is confirmed, the timeline shows every step.
    client.force_login(people.resident)
    detail = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="rate"' in detail
    res = _step(client, ticket, Step.CONFIRM, rating="5", comment="很及时")
    assert res.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.CONFIRMED and ticket.rating == 5
    detail = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    for step in (Step.ACCEPT, Step.ESCALATE, Step.POOL, Step.TAKE, Step.RESOLVE, Step.CONFIRM):
        assert str(step.label) in detail
    assert "很及时" in detail


def test_a_rating_out_of_range_is_refused_with_a_message(client, people, drive):
    ticket = drive(Status.RESOLVED)
    client.force_login(people.resident)
    res = _step(client, ticket, Step.CONFIRM, rating="9")
    assert res.status_code == 302 and _messages(res)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_a_lost_take_shows_the_already_taken_message(client, people, drive):
    ticket = drive(Status.POOLED)
    run_step(ticket, Step.TAKE, people.pm2, {})  # pm2 was quicker
    client.force_login(people.pm1)
    res = _step(client, ticket, Step.TAKE, next=reverse("tickets:pool"))
    assert res.status_code == 302 and res["Location"] == reverse("tickets:pool")
    assert "该工单已被其他党员接单。" in _messages(res)
    ticket.refresh_from_db()
    assert ticket.handler_user == people.pm2


def test_dispatch_from_the_ticket_page(client, people, drive):
    ticket = drive(Status.ESCALATED)
    post = Post.objects.get(user=people.pm2, role=Role.PARTY_MEMBER)
    client.force_login(people.cw)
    _step(client, ticket, Step.DISPATCH, handler=post.pk)
    ticket.refresh_from_db()
    assert ticket.status == Status.DISPATCHED and ticket.handler_user == people.pm2
    # A handler who may not handle here: a clear message, nothing changed.
    other = drive(Status.ESCALATED)
    far = Post.objects.get(user=people.pm_other)
    res = _step(client, other, Step.DISPATCH, handler=far.pk)
    assert _messages(res)
    other.refresh_from_db()
    assert other.status == Status.ESCALATED


def test_patrol_report_and_entry_on_behalf(client, people, world, cats):
    client.force_login(people.gw)
    building = world.grid_a1_1.buildings[0]
    res = client.post(
        reverse("tickets:patrol"),
        {"kind": Kind.REPORT, "category": cats.repair.pk, "text": "井盖缺失", "place": building.pk},
    )
    assert res.status_code == 302
    patrol = Ticket.objects.get(text="井盖缺失")
    assert patrol.channel == Channel.PATROL and patrol.place == building
    # Outside the worker's grid: not offered, refused by the form.
    far = world.grid_a1_2.buildings[0]
    res = client.post(
        reverse("tickets:patrol"),
        {"kind": Kind.REPORT, "category": cats.repair.pk, "text": "外网格", "place": far.pk},
    )
    assert res.status_code == 200 and not Ticket.objects.filter(text="外网格").exists()
    res = client.post(
        reverse("tickets:enter"),
        {
            "kind": Kind.HELP,
            "category": cats.repair.pk,
            "text": "王阿姨来电:水管漏水",
            "place": building.pk,
            "channel": Channel.PHONE,
            "on_behalf_of_name": "王阿姨",
        },
    )
    assert res.status_code == 302
    entered = Ticket.objects.get(channel=Channel.PHONE)
    assert entered.submitter is None and entered.on_behalf_of_name == "王阿姨"


def test_empty_text_and_anonymous_help_are_refused_on_the_form(client, people, cats):
    client.force_login(people.resident)
    res = client.post(
        reverse("tickets:submit"), {"kind": Kind.HELP, "category": cats.repair.pk, "text": " "}
    )
    assert res.status_code == 200 and "text" in res.context["form"].errors
    res = client.post(
        reverse("tickets:submit"),
        {"kind": Kind.HELP, "category": cats.repair.pk, "text": "求助", "anonymous": "on"},
    )
    assert res.status_code == 200 and "anonymous" in res.context["form"].errors
    assert not Ticket.objects.exists()


def test_anonymous_report_hides_the_reporter_from_staff(client, people, cats):
    client.force_login(people.resident)
    client.post(
        reverse("tickets:submit"),
        {
            "kind": Kind.REPORT,
            "category": cats.repair.pk,
            "text": "有人乱倒垃圾",
            "anonymous": "on",
        },
    )
    ticket = Ticket.objects.get()
    assert ticket.anonymous
    client.force_login(people.gw)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert people.resident.name not in page


@pytest.mark.parametrize("n", [2, 12])
def test_list_pages_do_not_grow_in_queries(
    client, people, drive, new_ticket, django_assert_max_num_queries, n
):
    for _ in range(n):
        new_ticket()
        drive(Status.POOLED)
        drive(Status.DISPATCHED)
    for who, page in [
        ("resident", "mine"),
        ("gw", "queue"),
        ("cw", "board"),
        ("cw", "pool"),
        ("cw", "overdue"),
        ("cw", "supervised"),
        ("pm1", "pool"),
        ("pm1", "taken"),
    ]:
        client.force_login(getattr(people, who))
        with django_assert_max_num_queries(14):
            res = client.get(reverse(f"tickets:{page}"))
        assert res.status_code == 200, (who, page)
