"""The deliberation API: same services, same scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.deliberation import services
from tests.deliberation.conftest import T0


@pytest.fixture
def api():
    def _as(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _as


def test_topics_raise_support_and_opinions(d, api):
    client = api(d.resident)
    response = client.post(
        "/api/v1/topics/",
        {"place": d.community.pk, "title": "充电桩", "text": "需要"},
        format="json",
    )
    assert response.status_code == 201
    pk = response.data["id"]
    neighbour = api(d.neighbour)
    assert neighbour.post(f"/api/v1/topics/{pk}/support/").data["support_count"] == 1
    again = neighbour.post(f"/api/v1/topics/{pk}/support/")
    assert again.status_code == 400 and again.data["detail"]
    opinion = neighbour.post(f"/api/v1/topics/{pk}/opinions/", {"text": "好"}, format="json")
    assert opinion.status_code == 201 and opinion.data[0]["text"] == "好"
    assert client.get("/api/v1/topics/").data["count"] == 1
    bad = client.post("/api/v1/topics/", {"place": d.community.pk, "title": " ", "text": "x"})
    assert bad.status_code == 400


def test_topics_scoped_and_roles_refused(d, topic, api):
    assert api(d.worker_other).get(f"/api/v1/topics/{topic.pk}/").status_code == 404
    assert api(d.outsider).post(f"/api/v1/topics/{topic.pk}/support/").status_code == 404
    official = api(d.resident).post(
        f"/api/v1/topics/{topic.pk}/opinions/", {"text": "x", "official": True}, format="json"
    )
    assert official.status_code == 403
    assert APIClient().get("/api/v1/topics/").status_code in (401, 403)


def test_polls_vote_and_results(d, api):
    poll = services.create_poll(
        d.secretary,
        community=d.community,
        question="时间",
        options=["a", "b"],
        opens_at=T0,
        closes_at=T0 + dt.timedelta(days=1),
    )
    option = poll.options.first()
    with clock.travel_to(T0 + dt.timedelta(hours=1)):
        response = api(d.resident).post(
            f"/api/v1/polls/{poll.pk}/vote/", {"options": [option.pk]}, format="json"
        )
        assert response.status_code == 201 and response.data["voted"]
        assert response.data["results"] is None and response.data["turnout"] is None
        assert api(d.secretary).get(f"/api/v1/polls/{poll.pk}/").data["turnout"] == 1
        forged = api(d.neighbour).post(
            f"/api/v1/polls/{poll.pk}/vote/", {"options": [999999]}, format="json"
        )
        assert forged.status_code == 400
    with clock.travel_to(T0 + dt.timedelta(days=2)):
        data = api(d.resident).get(f"/api/v1/polls/{poll.pk}/").data
    assert data["results"][0]["votes"] == 1
    assert api(d.worker_other).get(f"/api/v1/polls/{poll.pk}/").status_code == 404


def test_meetings_actions_and_notices(d, meeting, api):
    action = services.add_resolution(
        d.secretary, meeting, text="修路灯", owner=d.property, due=dt.date(2026, 6, 1)
    ).action
    assert api(d.secretary).get("/api/v1/meetings/").data["count"] == 1
    assert api(d.worker_other).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    mine = api(d.property).get("/api/v1/actions/")
    assert mine.data["count"] == 1
    done = api(d.property).post(
        f"/api/v1/actions/{action.pk}/progress/", {"status": "done", "note": "好了"}, format="json"
    )
    assert done.status_code == 200 and done.data["status"] == "done"
    assert (
        api(d.resident)
        .post(
            f"/api/v1/actions/{action.pk}/progress/", {"status": "done", "note": "x"}, format="json"
        )
        .status_code
        == 404
    )
    services.publish_notice(
        d.secretary, community=d.community, category="party", title="党务公开", body="x"
    )
    assert api(d.secretary).get("/api/v1/notices/").data["count"] == 1
    assert api(d.resident).get("/api/v1/notices/").data["count"] == 0


def test_staff_pages_post_flow(d, meeting, login):
    client = login(d.secretary)
    url = reverse("deliberation:meeting_invite", args=[meeting.pk])
    client.post(url, {"users": [d.property.pk], "phone": d.resident.phone_plain})
    assert set(meeting.invitations.values_list("user_id", flat=True)) == {
        d.property.pk,
        d.resident.pk,
    }
    client.post(
        reverse("deliberation:meeting_attendance", args=[meeting.pk]), {"users": [d.property.pk]}
    )
    assert meeting.attendances.count() == 1
    client.post(
        reverse("deliberation:meeting_agenda", args=[meeting.pk]), {"free_items": "新增事项"}
    )
    assert meeting.agenda.filter(title="新增事项").exists()
    with clock.travel_to(T0 + dt.timedelta(hours=1)):
        client.post(reverse("deliberation:meeting_minutes", args=[meeting.pk]), {"minutes": "纪要"})
    meeting.refresh_from_db()
    assert meeting.status == "held"
    client.post(
        reverse("deliberation:meeting_resolution", args=[meeting.pk]),
        {"text": "决议", "owner": d.property.pk, "due": "2026-06-01"},
    )
    assert meeting.resolutions.get().action.owner == d.property
    response = client.post(
        reverse("deliberation:notices"),
        {"community": d.community.pk, "category": "party", "title": "t", "body": "b"},
    )
    assert response.status_code == 302
