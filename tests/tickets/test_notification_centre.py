"""The in-app notification centre: the page (own notifications only, newest first, unread
highlighted, paginated with bounded queries), opening one marks it read and leads to its ticket,
"mark all read" (POST, CSRF), the unread badge in the top bar for every signed-in user (one
query), the resident's tile, and the API's read / read-all / unread-count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core import notifications as centre
from gongzhi.core.models import Notification
from gongzhi.core.roles import Role
from gongzhi.tickets.models import HandlerKind, Status
from gongzhi.tickets.workflow import Step
from tests.conftest import make_user
from tests.tickets.conftest import run_step

PAGE = reverse("tickets:notifications")


def _rows(html: str) -> list[str]:
    """The notification rows of the page, in order, as (read flag, text)."""
    return re.findall(r'data-testid="notification" data-read="(\d)">\s*(.*?)</a>', html, re.S)


def _badge(html: str) -> str | None:
    found = re.search(r'data-testid="unread-count">([^<]*)<', html)
    return found.group(1) if found else None


@pytest.fixture
def accepted_and_escalated(people, new_ticket):
    """A resident's ticket accepted, then escalated by the grid worker: two notifications for
    the resident, the second newer."""
    clock.set_now(dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC))
    ticket = new_ticket()
    clock.set_now(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC))
    run_step(ticket, Step.ACCEPT, people.gw, {})
    clock.set_now(dt.datetime(2026, 3, 10, 11, 0, tzinfo=dt.UTC))
    run_step(ticket, Step.ESCALATE, people.gw, {"note": "需社区协调"})
    ticket.refresh_from_db()
    return ticket


def test_the_page_lists_own_notifications_newest_first_with_unread_highlighted(
    client, people, accepted_and_escalated
):
    ticket = accepted_and_escalated
    older = Notification.objects.filter(user=people.resident).order_by("created_at").first()
    older.read = True
    older.save()
    client.force_login(people.resident)
    res = client.get(PAGE)
    assert res.status_code == 200
    html = res.content.decode()
    rows = _rows(html)
    assert len(rows) == 2
    # Newest first: the escalation (unread, highlighted), then the acceptance (read).
    assert rows[0][0] == "0" and "已上报社区" in rows[0][1] and "未读" in rows[0][1]
    assert rows[1][0] == "1" and "网格已受理" in rows[1][1] and "未读" not in rows[1][1]
    assert 'list-group-item-primary fw-semibold" href' in html  # the unread row's highlight
    assert ticket.number in html
    assert _badge(html) == "1"


def test_opening_a_notification_marks_it_read_and_leads_to_its_ticket(
    client, people, accepted_and_escalated
):
    ticket = accepted_and_escalated
    newest = Notification.objects.filter(user=people.resident).first()
    client.force_login(people.resident)
    html = client.get(PAGE).content.decode()
    open_url = reverse("tickets:notification_open", args=[newest.pk])
    assert f'href="{open_url}"' in html
    res = client.get(open_url)
    assert res.status_code == 302 and res["Location"] == reverse("tickets:detail", args=[ticket.pk])
    newest.refresh_from_db()
    assert newest.read
    assert _badge(client.get(PAGE).content.decode()) == "1"  # the other one is still unread


def test_a_notification_of_a_ticket_no_longer_visible_leads_back_with_a_message(
    client, people, drive
):
    ticket = drive(Status.DISPATCHED)  # dispatched to pm1: pm1 is notified
    run_step(ticket, Step.RETURN, people.pm1, {"reason": "不在家"})  # back to the community
    notification = Notification.objects.get(user=people.pm1, verb=Step.DISPATCH)
    client.force_login(people.pm1)
    res = client.get(reverse("tickets:notification_open", args=[notification.pk]))
    assert res.status_code == 302 and res["Location"] == PAGE
    assert "您已无法查看该工单。" in [str(m) for m in get_messages(res.wsgi_request)]
    notification.refresh_from_db()
    assert notification.read


def test_nobody_sees_or_marks_another_persons_notifications(client, people, accepted_and_escalated):
    ticket = accepted_and_escalated
    theirs = Notification.objects.filter(user=people.resident).first()
    client.force_login(people.neighbour)
    html = client.get(PAGE).content.decode()
    assert _rows(html) == [] and ticket.number not in html and "暂无通知。" in html
    assert _badge(html) is None
    assert client.get(reverse("tickets:notification_open", args=[theirs.pk])).status_code == 404
    client.post(reverse("tickets:notifications_read_all"))
    api = APIClient()
    api.force_authenticate(people.neighbour)
    assert api.get("/api/v1/notifications/").json()["results"] == []
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}
    assert Notification.objects.filter(user=people.resident, read=False).count() == 2


def test_mark_all_read_is_a_post_with_csrf(people, accepted_and_escalated):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.resident)
    url = reverse("tickets:notifications_read_all")
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # no CSRF token
    page = client.get(PAGE)
    html = page.content.decode()
    assert f'action="{url}"' in html and 'data-testid="read-all"' in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    res = client.post(url, {"csrfmiddlewaretoken": token})
    assert res.status_code == 302 and res["Location"] == PAGE
    assert "已将 2 条通知标为已读。" in [str(m) for m in get_messages(res.wsgi_request)]
    assert not Notification.objects.filter(user=people.resident, read=False).exists()
    html = client.get(PAGE).content.decode()
    assert _badge(html) is None and 'data-testid="read-all"' not in html
    assert {flag for flag, _text in _rows(html)} == {"1"}


def test_anonymous_visitors_are_sent_to_login(client, db):
    for url in (PAGE, reverse("tickets:notification_open", args=[1])):
        res = client.get(url)
        assert res.status_code == 302 and "login" in res["Location"]
    assert APIClient().get("/api/v1/notifications/unread-count/").status_code in (401, 403)


def test_the_badge_is_in_the_top_bar_for_any_signed_in_user(client, world, people, drive):
    drive(Status.DISPATCHED)  # the grid worker is told of the new ticket, pm1 of the dispatch
    client.force_login(people.gw)
    html = client.get(reverse("tickets:queue")).content.decode()
    assert 'data-testid="notification-bell"' in html and _badge(html) == "1"
    client.force_login(people.pm1)
    assert _badge(client.get(reverse("home")).content.decode()) == "1"
    # A role that never works tickets still has the bell (with nothing unread: no number).
    merchant = make_user(Role.MERCHANT, world.community_a1)
    client.force_login(merchant)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="notification-bell"' in html and _badge(html) is None
    # Not on the login page for someone signed out.
    client.logout()
    assert 'data-testid="notification-bell"' not in client.get(reverse("login")).content.decode()


def test_the_resident_home_has_a_notifications_tile_and_the_bell(
    client, people, accepted_and_escalated
):
    client.force_login(people.resident)
    html = client.get(reverse("home")).content.decode()
    services = html[html.index('data-testid="services"') :]
    assert f'href="{PAGE}"' in services and "通知" in services
    assert _badge(html) == "2"


def test_the_unread_count_is_one_query_and_capped(people, django_assert_num_queries):
    Notification.objects.bulk_create(
        [Notification(user=people.resident, verb="submit", text=f"#{i}") for i in range(130)]
    )
    with django_assert_num_queries(1):
        assert centre.unread_count(people.resident) == centre.UNREAD_CAP
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = people.resident
    html = Template("{% load tickets_tags %}{% notification_bell %}").render(
        Context({"request": request})
    )
    assert ">99+<" in html


@pytest.mark.parametrize("n", [3, 45])
def test_the_page_is_paginated_with_bounded_queries(
    client, people, cats, new_ticket, django_assert_max_num_queries, n
):
    tickets = [new_ticket() for _ in range(3)]
    Notification.objects.bulk_create(
        [
            Notification(
                user=people.resident,
                link=reverse("tickets:detail", args=[tickets[i % 3].pk]),
                reference=tickets[i % 3].number,
                verb="accept",
                text=f"通知{i:02d}",
                created_at=clock.now() + dt.timedelta(minutes=i),
            )
            for i in range(n)
        ]
    )
    client.force_login(people.resident)
    with django_assert_max_num_queries(8):
        html = client.get(PAGE).content.decode()
    rows = _rows(html)
    assert len(rows) == min(n, 30)
    assert f"通知{n - 1:02d}" in rows[0][1]  # the newest first
    if n > 30:
        with django_assert_max_num_queries(8):
            second = client.get(PAGE, {"page": 2}).content.decode()
        assert len(_rows(second)) == n - 30 and "通知00" in _rows(second)[-1][1]


def test_api_marks_one_or_all_read_and_counts(people, accepted_and_escalated):
    api = APIClient()
    api.force_authenticate(people.resident)
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    first = api.get("/api/v1/notifications/", {"unread": "1"}).json()["results"][0]
    assert api.post(f"/api/v1/notifications/{first['id']}/read/").json() == {"read": True}
    assert api.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    assert api.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert api.get("/api/v1/notifications/", {"unread": "1"}).json()["results"] == []


def test_a_dispatch_notifies_the_handler_who_finds_it_in_the_centre(client, people, drive):
    ticket = drive(Status.DISPATCHED)
    assert ticket.handler_kind == HandlerKind.PARTY_MEMBER
    client.force_login(people.pm1)
    rows = _rows(client.get(PAGE).content.decode())
    assert len(rows) == 1 and rows[0][0] == "0" and "已派单" in rows[0][1]


def test_the_badge_is_cached_and_follows_new_and_read_notifications(
    client, people, new_ticket, drive
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    drive(Status.DISPATCHED)
    client.force_login(people.gw)
    queue = reverse("tickets:queue")
    assert _badge(client.get(queue).content.decode()) == "1"
    with CaptureQueriesContext(connection) as queries:
        assert _badge(client.get(queue).content.decode()) == "1"
    assert not any("core_notification" in q["sql"] for q in queries.captured_queries)
    new_ticket()  # a new ticket in the grid: the grid worker is told
    assert _badge(client.get(queue).content.decode()) == "2"
    # Another app's notification (deliberation writes them with bulk_create) counts at once.
    Notification.objects.bulk_create([Notification(user=people.gw, verb="topic", text="议题")])
    assert _badge(client.get(queue).content.decode()) == "3"
    newest = Notification.objects.filter(user=people.gw).first()
    client.get(reverse("tickets:notification_open", args=[newest.pk]))
    assert _badge(client.get(queue).content.decode()) == "2"
    client.post(reverse("tickets:notifications_read_all"))
    assert _badge(client.get(queue).content.decode()) is None


def test_a_notification_of_another_app_leads_to_its_link_and_never_off_site(client, people):
    from gongzhi.core import notifications

    (own,) = notifications.notify([people.resident.pk], verb="topic", text="议题", link="/places/")
    (plain,) = notifications.notify([people.resident.pk], verb="topic", text="无链接")
    (away,) = notifications.notify(
        [people.resident.pk], verb="topic", text="外链", link="//evil.example/x"
    )
    client.force_login(people.resident)
    open_url = "tickets:notification_open"
    assert client.get(reverse(open_url, args=[own.pk]))["Location"] == "/places/"
    assert client.get(reverse(open_url, args=[plain.pk]))["Location"] == PAGE
    assert client.get(reverse(open_url, args=[away.pk]))["Location"] == PAGE
    api = APIClient()
    api.force_authenticate(people.resident)
    rows = api.get("/api/v1/notifications/").json()["results"]
    assert {(r["text"], r["ticket"], r["ticket_number"]) for r in rows} == {
        ("议题", None, ""),
        ("无链接", None, ""),
        ("外链", None, ""),
    }


def test_the_api_names_the_ticket_a_notification_links_to(people, accepted_and_escalated):
    ticket = accepted_and_escalated
    api = APIClient()
    api.force_authenticate(people.resident)
    rows = api.get("/api/v1/notifications/").json()["results"]
    assert {(r["ticket"], r["ticket_number"]) for r in rows} == {(ticket.pk, ticket.number)}
    assert set(rows[0]) == {"id", "ticket", "ticket_number", "verb", "text", "read", "created_at"}
