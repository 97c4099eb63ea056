"""Merging a duplicate from the pages: the target typed by number (same community), a note,
and a link from the merged ticket to its target."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from gongzhi.tickets.models import Status, Ticket
from gongzhi.tickets.workflow import Step

pytestmark = pytest.mark.usefixtures("english")


def _merge(client, ticket, into, note="重复"):
    return client.post(
        reverse("tickets:step", args=[ticket.pk, Step.MERGE]), {"into": into, "note": note}
    )


def _messages(res) -> str:
    return " ".join(str(m) for m in get_messages(res.wsgi_request))


def test_the_merge_form_shows_for_dispatchers_on_detail_and_board(client, people, drive):
    ticket = drive(Status.ESCALATED)
    client.force_login(people.cw)
    assert (
        'data-testid="merge-form"'
        in client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    )
    assert 'data-testid="merge-form"' in client.get(reverse("tickets:board")).content.decode()


def test_the_merge_form_is_not_shown_to_the_resident_or_handler(client, people, drive):
    ticket = drive(Status.ESCALATED)
    client.force_login(people.resident)
    page = client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert 'data-testid="merge-form"' not in page


def test_a_dispatcher_merges_by_number_and_the_duplicate_links_to_its_target(
    client, people, drive, new_ticket
):
    target = new_ticket(text="3栋路灯不亮")
    duplicate = drive(Status.ESCALATED)
    client.force_login(people.cw)
    res = _merge(client, duplicate, f"  {target.number.lower()} ", note="同一盏路灯")
    assert res.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Status.MERGED and duplicate.merged_into == target
    event = duplicate.events.get(action=Step.MERGE)
    assert event.note == "同一盏路灯" and event.data["merged_into_number"] == target.number
    page = client.get(reverse("tickets:detail", args=[duplicate.pk])).content.decode()
    assert 'data-testid="merged-into"' in page
    assert f'href="{reverse("tickets:detail", args=[target.pk])}"' in page
    # The resident sees the number of the target (and may follow it: it is theirs too).
    client.force_login(people.resident)
    page = client.get(reverse("tickets:detail", args=[duplicate.pk])).content.decode()
    assert target.number in page


def test_the_link_is_only_a_number_when_the_target_is_not_visible(
    client, people, drive, new_ticket
):
    target = services_submit_by_neighbour(people, new_ticket)
    duplicate = drive(Status.ESCALATED)
    client.force_login(people.cw)
    _merge(client, duplicate, target.number)
    client.force_login(people.resident)
    page = client.get(reverse("tickets:detail", args=[duplicate.pk])).content.decode()
    assert target.number in page
    assert reverse("tickets:detail", args=[target.pk]) not in page


def services_submit_by_neighbour(people, new_ticket):
    from gongzhi.tickets import services
    from gongzhi.tickets.models import Kind

    ticket = new_ticket()
    return services.submit(
        actor=people.neighbour, kind=Kind.HELP, category=ticket.category, text="邻居也报了"
    )


def test_a_target_in_another_community_or_unknown_is_refused_with_a_message(
    client, people, drive, new_ticket
):
    from gongzhi.tickets import services
    from gongzhi.tickets.models import Channel, Kind

    duplicate = drive(Status.ESCALATED)
    elsewhere = services.submit(
        actor=people.street,
        kind=Kind.REPORT,
        category=duplicate.category,
        text="二社区的事",
        channel=Channel.PATROL,
        place=people.cw_other.posts.get().place.children.first(),
    )
    client.force_login(people.cw)
    for number in (elsewhere.number, "GZ-20990101-0001", ""):
        res = _merge(client, duplicate, number)
        assert res.status_code == 302
        text = _messages(res)
        assert "Check the number" in text or "Type the number" in text
    duplicate.refresh_from_db()
    assert duplicate.status == Status.ESCALATED


def test_merging_into_itself_or_a_closed_ticket_is_refused(client, people, drive):
    duplicate = drive(Status.ESCALATED)
    closed = drive(Status.CLOSED)
    client.force_login(people.cw)
    res = _merge(client, duplicate, duplicate.number)
    assert "Choose another ticket" in _messages(res)
    res = _merge(client, duplicate, closed.number)
    assert "cannot take duplicates" in _messages(res)
    duplicate.refresh_from_db()
    assert duplicate.status == Status.ESCALATED


def test_wrong_role_and_out_of_scope_cannot_merge(client, people, drive, new_ticket):
    target = new_ticket()
    duplicate = drive(Status.ESCALATED)
    client.force_login(people.resident)  # sees the ticket, may not merge
    assert _merge(client, duplicate, target.number).status_code == 403
    client.force_login(people.cw_other)  # another community: does not exist
    assert _merge(client, duplicate, target.number).status_code == 404
    assert Ticket.objects.get(pk=duplicate.pk).status == Status.ESCALATED
