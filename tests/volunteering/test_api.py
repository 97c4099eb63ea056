"""The API under /api/v1/: same scope and rules as the pages."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.core import clock
from gongzhi.volunteering import points, qr, services
from gongzhi.volunteering.models import Activity, Exchange, Signup, Volunteer

API = "/api/v1"


def test_register_and_list_volunteers(vol, login):
    response = login(vol.res1).post(f"{API}/volunteers/register/", {"skills": "急救"})
    assert response.status_code == 201
    assert login(vol.res1).get(f"{API}/volunteers/").status_code == 403
    listing = login(vol.cw).get(f"{API}/volunteers/").json()
    assert [v["name"] for v in listing["results"]] == ["吴秀英"]
    assert login(vol.cw_other).get(f"{API}/volunteers/").json()["results"] == []
    volunteer = Volunteer.objects.get()
    assert (
        login(vol.cw_other)
        .post(f"{API}/volunteers/{volunteer.pk}/decide/", {"status": "active"})
        .status_code
        == 404
    )
    assert (
        login(vol.gw)
        .post(f"{API}/volunteers/{volunteer.pk}/decide/", {"status": "active"})
        .status_code
        == 403
    )
    ok = login(vol.cw).post(f"{API}/volunteers/{volunteer.pk}/decide/", {"status": "active"})
    assert ok.status_code == 200 and ok.json()["status"] == "active"


def test_register_bad_input_is_400_with_a_message(vol, login):
    response = login(vol.res1).post(f"{API}/volunteers/register/", {"skills": ""})
    assert response.status_code == 400 and "skills" in response.json()
    response = login(vol.no_record).post(f"{API}/volunteers/register/", {"skills": "x"})
    assert response.status_code == 400
    assert "not linked" in str(response.json()) or "尚未关联" in str(response.json())
    assert not Volunteer.objects.exists()


def test_teams_api_scoped(vol, login, world):
    services.save_team(actor=vol.cw, community=world.community_a1, name="文艺队", theme="culture")
    assert len(login(vol.cw).get(f"{API}/volunteer-teams/").json()["results"]) == 1
    assert login(vol.cw_other).get(f"{API}/volunteer-teams/").json()["results"] == []
    assert login(vol.res1).get(f"{API}/volunteer-teams/").status_code == 403


def test_publish_sign_up_check_in_confirm_points(vol, login, world):
    start = clock.now() + dt.timedelta(hours=1)
    body = {
        "community": world.community_a1.pk,
        "title": "垃圾分类宣传",
        "location": "广场",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "capacity": 3,
    }
    assert login(vol.res1).post(f"{API}/activities/", body).status_code == 403
    past = {**body, "starts_at": "2020-01-01T08:00:00Z", "ends_at": "2020-01-01T09:00:00Z"}
    refused = login(vol.cw).post(f"{API}/activities/", past)
    assert refused.status_code == 400
    assert "over" in str(refused.json()) or "已经过去" in str(refused.json())
    created = login(vol.cw).post(f"{API}/activities/", body)
    assert created.status_code == 201
    pk = created.json()["id"]
    resident = login(vol.res1)
    assert [a["id"] for a in resident.get(f"{API}/activities/").json()["results"]] == [pk]
    assert resident.post(f"{API}/activities/{pk}/signup/").status_code == 201
    assert resident.post(f"{API}/activities/{pk}/signup/").status_code == 400
    assert login(vol.other).post(f"{API}/activities/{pk}/signup/").status_code == 404
    resident = login(vol.res1)
    activity = Activity.objects.get(pk=pk)
    with clock.travel_to(activity.starts_at):
        window = qr.current_window()
        forged = resident.post(
            f"{API}/activities/{pk}/checkin/", {"kind": "in", "window": window, "token": "x"}
        )
        assert forged.status_code == 400
        token = qr.token(activity, "in", window)
        ok = resident.post(
            f"{API}/activities/{pk}/checkin/", {"kind": "in", "window": window, "token": token}
        )
        assert ok.status_code == 200 and ok.json()["checked_in_at"]
    with clock.travel_to(activity.ends_at):
        window = qr.current_window()
        token = qr.token(activity, "out", window)
        resident.post(f"{API}/activities/{pk}/checkout/", {})  # no such route: 404, nothing written
        resident.post(
            f"{API}/activities/{pk}/checkin/", {"kind": "out", "window": window, "token": token}
        )
    assert login(vol.res1).post(f"{API}/activities/{pk}/confirm/", {}).status_code == 403
    roster = login(vol.cw).get(f"{API}/activities/{pk}/roster/").json()
    assert roster[0]["checked_out_at"]
    result = login(vol.cw).post(
        f"{API}/activities/{pk}/confirm/", {}, content_type="application/json"
    )
    assert result.status_code == 200 and result.json()["confirmed"] == 1
    resident = login(vol.res1)
    balance = resident.get(f"{API}/points/").json()
    assert balance == {"points": 25, "hours_minutes": 120}
    statement = resident.get(f"{API}/points/statement/").json()
    assert statement["closing"] == 25 and len(statement["entries"]) == 2
    bad_month = resident.get(f"{API}/points/statement/", {"month": "2026-13"})
    assert bad_month.status_code == 400
    assert login(vol.merchant).get(f"{API}/points/").status_code == 403


def test_timebank_api(vol, login):
    client = login(vol.res2)
    assert (
        client.post(
            f"{API}/timebank/", {"kind": "offer", "title": "x", "minutes": 10**9}
        ).status_code
        == 400
    )
    created = client.post(f"{API}/timebank/", {"kind": "offer", "title": "修车", "minutes": 30})
    assert created.status_code == 201
    pk = created.json()["id"]
    points.deposit_hours(vol.res1.resident, 30, source=("t.S", 1), key="seed")
    assert login(vol.res1).post(f"{API}/timebank/{pk}/take/").status_code == 200
    assert login(vol.res3).post(f"{API}/timebank/{pk}/take/").status_code == 400
    assert login(vol.other).post(f"{API}/timebank/{pk}/take/").status_code == 404
    login(vol.res1).post(f"{API}/timebank/{pk}/confirm/")
    done = login(vol.res2).post(f"{API}/timebank/{pk}/confirm/")
    assert done.json()["status"] == "done"
    assert Exchange.objects.get().status == "done"
    assert login(vol.merchant).get(f"{API}/timebank/").status_code == 403


@pytest.mark.parametrize("path", ["/volunteers/", "/activities/", "/points/", "/timebank/"])
def test_anonymous_api_is_refused(client, path):
    assert client.get(f"{API}{path}").status_code in (401, 403)


def test_activity_list_query_count_is_bounded(
    vol, login, new_activity, django_assert_max_num_queries
):
    for i in range(12):
        activity = new_activity(title=f"活动{i}")
        services.sign_up(activity, actor=vol.res1)
    client = login(vol.cw)
    client.get(f"{API}/activities/")
    with django_assert_max_num_queries(10):
        response = client.get(f"{API}/activities/")
    assert response.json()["count"] == 12
    assert Signup.objects.count() == 12
