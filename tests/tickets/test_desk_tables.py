"""Desktop layouts (issue 19, item 3): the ticket lists as full-width tables whose step buttons
open the step in a dialog (htmx), the phone cards kept below the lg breakpoint; the step view's
fragment answers (form, refusal, done); bounded queries with 12+ rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.tickets.models import Status, Ticket, TicketEvent
from gongzhi.tickets.workflow import Step
from tests.tickets.conftest import run_step

HX = {"HTTP_HX_REQUEST": "true"}


def _url(ticket, step, **query):
    url = reverse("tickets:step", args=[ticket.pk, step])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_the_queue_is_a_table_with_one_dialog_button_per_step_and_phone_cards(
    client, people, new_ticket
):
    ticket = new_ticket()
    client.force_login(people.gw)
    page = client.get(reverse("tickets:queue")).content.decode()
    # The desktop table (lg and up) and the phone cards (below lg), one dialog for the page.
    assert 'data-testid="ticket-table"' in page and 'class="d-none d-lg-block"' in page
    assert 'data-testid="phone-list"' in page and "d-lg-none" in page
    assert page.count('id="gz-dialog"') == 1 and "gongzhi/dialog.js" in page
    row = re.search(rf'<tr id="ticket-row-{ticket.pk}">.*?</tr>', page, re.S).group(0)
    for header in ("编号", "类别", "地点", "状态", "办结期限", "承办人"):
        assert f">{header}<" in page, header
    # One button per step the grid worker may make, each a link to the step's page that htmx
    # loads into the dialog; no form in the row.
    for step in (Step.ACCEPT, Step.ESCALATE, Step.MERGE):
        url = reverse("tickets:step", args=[ticket.pk, step])
        assert f'hx-get="{url}?list=queue' in row
        assert f'href="{url}?list=queue' in row
    assert reverse("tickets:step", args=[ticket.pk, Step.DISPATCH]) not in row
    assert "<form" not in row and "<input" not in row
    assert 'hx-target="#gz-dialog-content"' in row
    assert "受理" in row and ticket.number in row


def test_the_step_form_is_a_fragment_for_htmx_and_a_page_without_it(client, people, new_ticket):
    ticket = new_ticket()
    client.force_login(people.gw)
    fragment = client.get(_url(ticket, Step.ESCALATE, list="queue"), **HX)
    assert fragment.status_code == 200 and fragment["X-Gz-Dialog"] == "1"
    html = fragment.content.decode()
    assert "<html" not in html and 'class="modal-header"' in html
    assert f'hx-post="{reverse("tickets:step", args=[ticket.pk, Step.ESCALATE])}"' in html
    assert 'name="note"' in html and 'name="list" value="queue"' in html
    assert "上报社区" in html or "社区" in html
    page = client.get(_url(ticket, Step.ESCALATE, next="/tickets/queue/"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<html" in body and 'data-testid="step-page"' in body and "hx-post" not in body
    assert 'name="next" value="/tickets/queue/"' in body
    # Showing the form writes nothing.
    ticket.refresh_from_db()
    assert ticket.status == Status.SUBMITTED


def test_dispatch_dialog_offers_the_handlers(client, people, drive):
    ticket = drive(Status.ESCALATED)
    client.force_login(people.cw)
    html = client.get(_url(ticket, Step.DISPATCH, list="board"), **HX).content.decode()
    assert 'name="handler"' in html and people.pm1.name in html


def test_a_step_made_from_the_dialog_swaps_the_row_and_shows_a_toast(client, people, new_ticket):
    ticket = new_ticket()
    client.force_login(people.gw)
    url = reverse("tickets:step", args=[ticket.pk, Step.ACCEPT])
    res = client.post(url, {"list": "queue", "next": "/tickets/queue/"}, **HX)
    assert res.status_code == 200
    assert "gzDialogDone" in res["HX-Trigger"]
    html = res.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Status.ACCEPTED
    # Still in the queue: the row again, with the next steps; the card too; a toast.
    assert f'<tr id="ticket-row-{ticket.pk}" hx-swap-oob="true">' in html
    assert reverse("tickets:step", args=[ticket.pk, Step.HANDLE]) in html
    assert f'id="ticket-card-{ticket.pk}"' in html
    assert 'data-testid="toast"' in html and "已完成" in html
    # Handled then resolved: it leaves the queue, the row is removed.
    run_step(ticket, Step.HANDLE, people.gw, {})
    url = reverse("tickets:step", args=[ticket.pk, Step.RESOLVE])
    res = client.post(url, {"list": "queue", "note": "已修好"}, **HX)
    html = res.content.decode()
    assert res.status_code == 200
    assert f'<tr id="ticket-row-{ticket.pk}" hx-swap-oob="delete">' in html
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def _written(ticket):
    return (
        TicketEvent.objects.filter(ticket=ticket).count(),
        AuditRecord.objects.count(),
        Ticket.objects.get(pk=ticket.pk).status,
    )


def test_a_refused_step_shows_the_chinese_error_inside_the_dialog_and_writes_nothing(
    client, people, new_ticket
):
    ticket = new_ticket()
    client.force_login(people.gw)
    before = _written(ticket)
    # A required note left empty: 400, the form again with the message.
    res = client.post(_url(ticket, Step.ESCALATE), {"list": "queue", "note": ""}, **HX)
    assert res.status_code == 400 and res["X-Gz-Dialog"] == "1"
    html = res.content.decode()
    assert 'data-testid="dialog-error"' in html and "请" in html and 'name="note"' in html
    assert "<html" not in html
    # The state moved on meanwhile (another worker accepted and handled it): 409.
    run_step(ticket, Step.ACCEPT, people.gw, {})
    before = _written(ticket)
    res = client.post(_url(ticket, Step.ACCEPT), {"list": "queue"}, **HX)
    assert res.status_code == 409
    html = res.content.decode()
    assert 'data-testid="dialog-error"' in html and "不能" in html
    assert 'data-testid="dialog-submit"' not in html
    assert _written(ticket) == before
    # A role that may not: 403 inside the dialog, not the error page.
    client.force_login(people.resident)
    res = client.post(_url(ticket, Step.HANDLE), {"list": "queue"}, **HX)
    assert res.status_code == 403 and 'data-testid="dialog-error"' in res.content.decode()
    assert "<html" not in res.content.decode()
    assert _written(ticket) == before


def test_asking_for_a_step_that_is_not_open_says_why(client, people, new_ticket):
    ticket = new_ticket()
    client.force_login(people.gw)
    res = client.get(_url(ticket, Step.RESOLVE), **HX)
    assert res.status_code == 409 and "dialog-error" in res.content.decode()
    client.force_login(people.resident)
    assert client.get(_url(ticket, Step.ACCEPT), **HX).status_code == 403
    assert client.get(_url(ticket, Step.ACCEPT)).status_code == 403
    client.force_login(people.gw_other)  # not theirs to see
    assert client.get(_url(ticket, Step.ACCEPT), **HX).status_code == 404


def test_without_javascript_the_step_page_posts_and_goes_back(client, people, new_ticket):
    ticket = new_ticket()
    client.force_login(people.gw)
    res = client.post(_url(ticket, Step.ACCEPT), {"next": "/tickets/queue/"})
    assert res.status_code == 302 and res["Location"] == "/tickets/queue/"
    ticket.refresh_from_db()
    assert ticket.status == Status.ACCEPTED


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("gw", "queue"),
        ("cw", "board"),
        ("cw", "pool"),
        ("cw", "overdue"),
        ("cw", "supervised"),
        ("pm1", "pool"),
        ("pm1", "taken"),
    ],
)
def test_the_tables_stay_bounded_in_queries_with_many_rows(
    client, people, drive, new_ticket, django_assert_max_num_queries, who, page
):
    for _ in range(12):
        new_ticket()
        drive(Status.POOLED)
        drive(Status.DISPATCHED)
    Ticket.objects.update(supervised=True)
    client.force_login(getattr(people, who))
    with (
        clock.travel_to(clock.now() + dt.timedelta(days=60)),  # every deadline has passed
        django_assert_max_num_queries(14),
    ):
        res = client.get(reverse(f"tickets:{page}"))
    assert res.status_code == 200
    html = res.content.decode()
    assert 'data-testid="ticket-table"' in html
    assert html.count('<tr id="ticket-row-') >= 12, page
    assert 'data-testid="overdue"' in html
