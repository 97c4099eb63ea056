"""The deliberation API: same services, same scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.deliberation import services
from gongzhi.deliberation.models import Meeting, Notice, Poll
from tests.deliberation.conftest import T0, agenda_topic


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
        actor=d.secretary,
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
        meeting, actor=d.secretary, text="修路灯", owner=d.property, due=dt.date(2026, 6, 1)
    ).follow_through
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
        actor=d.secretary, community=d.community, category="party", title="党务公开", body="x"
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
    assert meeting.resolutions.get().follow_through.owner == d.property
    response = client.post(
        reverse("deliberation:notices"),
        {"community": d.community.pk, "category": "party", "title": "t", "body": "b"},
    )
    assert response.status_code == 302


def test_staff_create_a_meeting_invite_minutes_and_resolution(d, threshold, api):
    topic = agenda_topic(d)
    staff = api(d.secretary)
    response = staff.post(
        "/api/v1/meetings/",
        {
            "community": d.community.pk,
            "kind": "joint",
            "title": "三方联席会议",
            "starts_at": T0.isoformat(),
            "location": "会议室",
            "topics": [topic.pk],
            "free_items": ["物业费收缴"],
        },
        format="json",
    )
    assert response.status_code == 201
    meeting = response.data["id"]
    assert [a["title"] for a in response.data["agenda"]] == ["加装电梯", "物业费收缴"]
    invited = staff.post(
        f"/api/v1/meetings/{meeting}/invite/",
        {"users": [d.property.pk, d.resident.pk]},
        format="json",
    )
    assert invited.status_code == 201 and invited.data["invited"] == 2
    outsider = staff.post(
        f"/api/v1/meetings/{meeting}/invite/", {"users": [d.worker_other.pk]}, format="json"
    )
    assert outsider.status_code == 400 and outsider.data["detail"]
    with clock.travel_to(T0 - dt.timedelta(hours=1)):
        early = staff.post(
            f"/api/v1/meetings/{meeting}/minutes/", {"minutes": "纪要"}, format="json"
        )
    assert early.status_code == 400  # not started yet
    with clock.travel_to(T0 + dt.timedelta(hours=2)):
        held = staff.post(
            f"/api/v1/meetings/{meeting}/minutes/", {"minutes": "会议纪要"}, format="json"
        )
    assert held.status_code == 200 and held.data["status"] == "held"
    topic.refresh_from_db()
    assert topic.status == "discussed"
    resolution = staff.post(
        f"/api/v1/meetings/{meeting}/resolutions/",
        {
            "text": "物业公司负责加装电梯的前期调研",
            "owner": d.property.pk,
            "due": "2030-07-01",
            "action_title": "电梯调研",
            "topic": topic.pk,
        },
        format="json",
    )
    assert resolution.status_code == 201
    action = resolution.data["action"]
    assert action["owner"] == d.property.pk and action["due"] == "2030-07-01"
    assert action["title"] == "电梯调研" and action["display_status"] == "open"
    # the action it commits to is then updated by its owner
    done = api(d.property).post(
        f"/api/v1/actions/{action['id']}/progress/",
        {"status": "in_progress", "note": "已联系厂家"},
        format="json",
    )
    assert done.status_code == 200 and done.data["status"] == "in_progress"
    bad_owner = staff.post(
        f"/api/v1/meetings/{meeting}/resolutions/",
        {"text": "x", "owner": d.worker_other.pk, "due": "2030-07-01"},
        format="json",
    )
    assert bad_owner.status_code == 400
    assert Meeting.objects.get(pk=meeting).resolutions.count() == 1


def test_meeting_writes_refused_for_other_roles(d, meeting, api):
    payload = {
        "community": d.community.pk,
        "kind": "hearing",
        "title": "听证会",
        "starts_at": T0.isoformat(),
    }
    assert api(d.resident).post("/api/v1/meetings/", payload, format="json").status_code == 403
    assert api(d.worker_other).post("/api/v1/meetings/", payload, format="json").status_code == 404
    resident = api(d.resident)
    for path, body in (
        ("invite", {"users": [d.neighbour.pk]}),
        ("minutes", {"minutes": "x"}),
        ("resolutions", {"text": "x", "owner": d.property.pk, "due": "2026-07-01"}),
    ):
        url = f"/api/v1/meetings/{meeting.pk}/{path}/"
        assert resident.post(url, body, format="json").status_code == 403, path
        assert api(d.worker_other).post(url, body, format="json").status_code == 404, path
    assert Meeting.objects.count() == 1
    meeting.refresh_from_db()
    assert not meeting.invitations.exists() and not meeting.resolutions.exists()
    assert meeting.status == "planned"


def test_staff_create_polls_and_publish_notices(d, api):
    staff = api(d.secretary)
    poll = {
        "community": d.community.pk,
        "question": "广场舞时间",
        "options": ["19:00", "20:00"],
        "opens_at": T0.isoformat(),
        "closes_at": (T0 + dt.timedelta(days=3)).isoformat(),
        "per_household": True,
    }
    created = staff.post("/api/v1/polls/", poll, format="json")
    assert created.status_code == 201
    assert [o["text"] for o in created.data["options"]] == ["19:00", "20:00"]
    assert created.data["per_household"] is True
    same = staff.post("/api/v1/polls/", {**poll, "options": ["a", "a"]}, format="json")
    assert same.status_code == 400 and same.data["detail"]
    assert api(d.resident).post("/api/v1/polls/", poll, format="json").status_code == 403
    assert api(d.worker_other).post("/api/v1/polls/", poll, format="json").status_code == 404
    assert Poll.objects.count() == 1
    typed = {
        "community": d.community.pk,
        "category": "financial",
        "title": "二季度财务公开",
        "body": "收支如下",
        "amounts": [{"item": "办公经费", "amount": "100"}],
    }
    refused = staff.post("/api/v1/notices/", typed, format="json")
    assert refused.status_code == 400 and "/funds/lines/" in str(refused.data)
    notice = {
        "community": d.community.pk,
        "category": "residents",
        "title": "二季度财务公开",
        "body": "收支如下",
        "amounts": [{"item": "办公经费", "amount": "12,000"}, {"item": "活动", "amount": "350.5"}],
    }
    published = staff.post("/api/v1/notices/", notice, format="json")
    assert published.status_code == 201
    assert published.data["amounts"] == [
        {"item": "办公经费", "amount": "12000.00"},
        {"item": "活动", "amount": "350.50"},
    ]
    bad = staff.post(
        "/api/v1/notices/", {**notice, "amounts": [{"item": "x", "amount": "abc"}]}, format="json"
    )
    assert bad.status_code == 400 and bad.data["detail"]
    assert api(d.resident).post("/api/v1/notices/", notice, format="json").status_code == 403
    assert api(d.worker_other).post("/api/v1/notices/", notice, format="json").status_code == 404
    assert Notice.objects.count() == 1


def test_staff_hide_an_opinion_through_the_api(d, topic, api):
    opinion = services.give_opinion(topic, "不文明的话", actor=d.neighbour)
    url = f"/api/v1/topics/{topic.pk}/opinions/{opinion.pk}/hide/"
    assert api(d.resident).post(url, {"reason": "x"}, format="json").status_code == 403
    assert api(d.worker_other).post(url, {"reason": "x"}, format="json").status_code == 404
    assert api(d.secretary).post(url, {"reason": ""}, format="json").status_code == 400
    hidden = api(d.secretary).post(url, {"reason": "言语不文明"}, format="json")
    assert hidden.status_code == 200
    assert hidden.data[0]["hidden"] and hidden.data[0]["hidden_reason"] == "言语不文明"
    seen = api(d.resident).get(f"/api/v1/topics/{topic.pk}/opinions/").data[0]
    assert seen["text"] == "" and seen["hidden_reason"] == "言语不文明"
    again = api(d.secretary).post(url, {"reason": "again"}, format="json")
    assert again.status_code == 400
    other_topic = services.raise_topic(actor=d.resident, place=d.community, title="别的", text="x")
    wrong = f"/api/v1/topics/{other_topic.pk}/opinions/{opinion.pk}/hide/"
    assert api(d.secretary).post(wrong, {"reason": "x"}, format="json").status_code == 404
