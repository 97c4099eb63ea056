"""/api/v1/tickets/: scoping, submit, steps with 200/400/403/404/409, bounded queries."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gongzhi.core.models import Notification
from gongzhi.tickets.models import Status, Ticket


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_submit_and_read_back(people, cats):
    client = api(people.resident)
    res = client.post(
        "/api/v1/tickets/",
        {"kind": "help", "category": cats.repair.pk, "text": "水管漏水"},
        format="json",
    )
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["number"].startswith("GZ-") and body["status"] == "submitted"
    assert body["events"][0]["action"] == "submit"
    assert "accept" in body["steps"]
    assert client.get(f"/api/v1/tickets/{body['id']}/").status_code == 200
    bad = client.post(
        "/api/v1/tickets/", {"kind": "help", "category": cats.repair.pk, "text": " "}, format="json"
    )
    assert bad.status_code == 400 and "text" in bad.json()


def test_lists_are_scoped(new_ticket, people, world, cats):
    from gongzhi.tickets import services

    mine = new_ticket()
    services.submit(
        actor=people.other_grid_resident, kind="help", category=cats.repair, text="二网格"
    )
    rows = api(people.resident).get("/api/v1/tickets/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert len(api(people.cw).get("/api/v1/tickets/").json()["results"]) == 2
    assert api(people.gw).get("/api/v1/tickets/?queue=1").json()["count"] == 1
    assert api(people.neighbour).get(f"/api/v1/tickets/{mine.pk}/").status_code == 404


def test_steps_and_their_status_codes(drive, people):
    ticket = drive(Status.SUBMITTED)
    url = f"/api/v1/tickets/{ticket.pk}/"
    assert api(people.gw_other).post(url + "accept/").status_code == 404
    forbidden = api(people.resident).post(url + "accept/")
    assert forbidden.status_code == 403 and forbidden.json()["detail"]
    assert api(people.gw).post(url + "accept/").status_code == 200
    again = api(people.gw).post(url + "accept/")
    assert again.status_code == 409 and again.json()["detail"]
    assert api(people.gw).post(url + "escalate/", {"note": ""}).status_code == 400
    res = api(people.gw).post(url + "escalate/", {"note": "需社区"}, format="json")
    assert res.status_code == 200 and res.json()["level"] == "community"
    res = api(people.cw).post(
        url + "dispatch/", {"handler_user": people.pm1.pk, "handler_kind": "party_member"}
    )
    assert res.status_code == 200 and res.json()["handler_name"] == str(people.pm1)
    assert api(people.pm1).post(url + "start/").status_code == 200
    res = api(people.pm1).post(url + "return/", {"reason": "需专业维修"})
    assert res.status_code == 200 and res.json()["status"] == "returned"
    res = api(people.cw).post(url + "escalate-to-street/", {"note": "需街道"})
    assert res.status_code == 200 and res.json()["status"] == "escalated_to_street"


def test_a_lost_take_is_409_with_a_clear_message(drive, people):
    ticket = drive(Status.POOLED)
    url = f"/api/v1/tickets/{ticket.pk}/take/"
    assert api(people.pm_other).post(url).status_code == 404
    assert api(people.pm1).post(url).status_code == 200
    lost = api(people.pm2).post(url)
    assert lost.status_code == 409
    assert "taken" in lost.json()["detail"] or "接单" in lost.json()["detail"]


def test_rating_through_the_api(drive, people):
    ticket = drive(Status.RESOLVED)
    url = f"/api/v1/tickets/{ticket.pk}/confirm/"
    assert api(people.resident).post(url, {"rating": 9}).status_code == 400
    assert api(people.gw).post(url, {"rating": 5}).status_code == 403
    res = api(people.resident).post(url, {"rating": 5, "comment": "很快"})
    assert res.status_code == 200 and res.json()["rating"] == 5


def test_anonymous_reports_hide_the_reporter(new_ticket, people):
    ticket = new_ticket(kind="report", anonymous=True)
    staff_view = api(people.gw).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert staff_view["submitter_name"] != str(people.resident)
    own_view = api(people.resident).get(f"/api/v1/tickets/{ticket.pk}/").json()
    assert own_view["submitter_name"] == str(people.resident)


def test_notifications_api(new_ticket, people):
    new_ticket()
    res = api(people.gw).get("/api/v1/notifications/?unread=1").json()
    assert res["count"] == 1
    pk = res["results"][0]["id"]
    assert api(people.gw_other).post(f"/api/v1/notifications/{pk}/read/").status_code == 404
    assert api(people.gw).post(f"/api/v1/notifications/{pk}/read/").status_code == 200
    assert Notification.objects.get(pk=pk).read


@pytest.mark.parametrize("n", [2, 12])
def test_the_list_query_count_does_not_grow(new_ticket, people, django_assert_max_num_queries, n):
    for _ in range(n):
        new_ticket()
    client = api(people.cw)
    with django_assert_max_num_queries(6):
        res = client.get("/api/v1/tickets/")
    assert res.json()["count"] == n == Ticket.objects.count()
    with django_assert_max_num_queries(6):
        assert api(people.gw).get("/api/v1/tickets/?queue=1").json()["count"] == n
