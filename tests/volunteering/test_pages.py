"""Every page renders for its users; the wrong role and the out-of-scope user are refused;
forms give clear messages and write nothing on bad input; lists are paginated with a bounded
number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core import clock, ledger
from gongzhi.volunteering import points, qr, services
from gongzhi.volunteering.models import Activity, Exchange, Signup, Volunteer

RESIDENT_PAGES = ["home", "register", "activities", "points", "timebank"]
STAFF_PAGES = ["volunteers", "teams", "manage", "share", "activity_new", "team_new"]


def _url(name, *args):
    return reverse(f"volunteering:{name}", args=args)


@pytest.mark.parametrize("name", RESIDENT_PAGES)
def test_resident_pages_render(vol, login, name):
    response = login(vol.res1).get(_url(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_render(vol, login, name):
    response = login(vol.cw).get(_url(name))
    assert response.status_code == 200


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_refuse_residents(vol, login, name):
    assert login(vol.res1).get(_url(name)).status_code == 403


@pytest.mark.parametrize("name", RESIDENT_PAGES)
def test_resident_pages_refuse_staff_and_merchants(vol, login, name):
    assert login(vol.merchant).get(_url(name)).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(_url("home"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_register_form_saves_and_bad_input_writes_nothing(vol, login):
    client = login(vol.res1)
    response = client.post(_url("register"), {"skills": "", "availability": "x"})
    assert response.status_code == 200 and not Volunteer.objects.exists()
    response = client.post(_url("register"), {"skills": "急救", "availability": "周末"})
    assert response.status_code == 302
    assert Volunteer.objects.get().skills == "急救"


def test_volunteers_list_filters_paginates_and_bounds_queries(
    vol, login, django_assert_max_num_queries
):
    for user in (vol.res1, vol.res2, vol.res3, vol.pm, vol.family):
        services.register(actor=user, skills="急救")
    client = login(vol.cw)
    with django_assert_max_num_queries(12):
        response = client.get(_url("volunteers"), {"status": "pending", "q": "急救"})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="volunteer-') == 5
    # Out of scope: the worker of another community sees none of them.
    response = login(vol.cw_other).get(_url("volunteers"))
    assert response.content.decode().count('data-testid="volunteer-') == 0


def test_decide_from_the_list_and_refused_for_the_wrong_role(vol, login):
    volunteer = services.register(actor=vol.res1, skills="急救")
    response = login(vol.gw).post(_url("decide", volunteer.pk), {"status": "active"})
    assert response.status_code == 403
    response = login(vol.cw_other).post(_url("decide", volunteer.pk), {"status": "active"})
    assert response.status_code == 404  # another community's volunteer does not exist for them
    login(vol.cw).post(_url("decide", volunteer.pk), {"status": "active"})
    volunteer.refresh_from_db()
    assert volunteer.status == "active"


def test_decide_out_of_scope_is_404(vol, login, world):
    volunteer = services.register(actor=vol.other, skills="急救")  # community A2
    response = login(vol.cw).post(_url("decide", volunteer.pk), {"status": "active"})
    assert response.status_code == 404


def test_publish_page_creates_and_shows_errors(vol, login, world):
    client = login(vol.cw)
    start = clock.now() + dt.timedelta(days=1)
    data = {
        "community": world.community_a1.pk,
        "title": "清理小广告",
        "location": "1栋",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 10,
        "awards_points": "on",
        "awards_hours": "on",
    }
    bad = {**data, "ends_at": data["starts_at"]}
    response = client.post(_url("activity_new"), bad)
    body = response.content.decode()
    assert response.status_code == 200
    assert "after the start" in body or "结束时间必须晚于开始时间" in body
    assert not Activity.objects.exists()
    response = client.post(_url("activity_new"), data)
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("activity", activity.pk)
    assert client.get(_url("activity_edit", activity.pk)).status_code == 200


def test_activity_roster_qr_and_confirm(vol, login, new_activity):
    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    client = login(vol.cw)
    assert client.get(_url("activity", activity.pk)).status_code == 200
    page = client.get(_url("activity_qr", activity.pk, "in"))
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and 'hx-trigger="every 20s"' in body
    partial = client.get(_url("activity_qr", activity.pk, "in"), HTTP_HX_REQUEST="true")
    assert "<svg" in partial.content.decode() and "<html" not in partial.content.decode()
    assert client.get(_url("activity_qr", activity.pk, "sideways")).status_code == 404
    # Residents and other communities cannot show the code.
    assert login(vol.res1).get(_url("activity_qr", activity.pk, "in")).status_code == 403
    assert login(vol.cw_other).get(_url("activity_qr", activity.pk, "in")).status_code == 404


def _scan_url(activity, kind="in", now=None):
    return qr.scan_path(activity, kind, now)


def test_scan_page_checks_in_after_confirmation(vol, login, new_activity):
    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    client = login(vol.res1)
    with clock.travel_to(activity.starts_at):
        page = client.get(_scan_url(activity))
        assert page.status_code == 200 and 'name="pass"' in page.content.decode()
        assert not Signup.objects.get().checked_in_at  # a GET writes nothing
        scan_pass = page.context["scan_pass"]
        response = client.post(_scan_url(activity), {"pass": scan_pass})
        assert response.status_code == 302
    assert Signup.objects.get().checked_in_at == activity.starts_at


def test_scan_page_refuses_an_old_screenshot_and_a_forged_pass(vol, login, new_activity):
    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    client = login(vol.res1)
    with clock.travel_to(activity.starts_at):
        old = _scan_url(activity, "in", clock.now() - dt.timedelta(minutes=2))
        page = client.get(old)
        assert "expired" in page.content.decode() or "过期" in page.content.decode()
        assert page.context["scan_pass"] is None
        forged = client.post(_scan_url(activity), {"pass": "x:y:z"})
        assert forged.status_code == 200 and forged.context["error"]
    assert not Signup.objects.get().checked_in_at


def test_scan_page_out_of_community_is_404(vol, login, new_activity):
    activity = new_activity()
    assert login(vol.other).get(_scan_url(activity)).status_code == 404


def test_activities_page_sign_up_and_full_message(vol, login, new_activity):
    activity = new_activity(capacity=1)
    login(vol.res2).post(_url("signup", activity.pk))
    response = login(vol.res1).post(_url("signup", activity.pk), follow=True)
    assert "full" in response.content.decode() or "满" in response.content.decode()
    assert Signup.objects.count() == 1


def test_points_page_shows_balance_and_the_statement(vol, login):
    points.earn(vol.res1.resident, "activity", source=("x.Y", 1), reason_text="清扫楼道")
    client = login(vol.res1)
    response = client.get(_url("points"))
    body = response.content.decode()
    assert 'data-testid="points-balance">5<' in body and "清扫楼道" in body
    assert client.get(_url("points"), {"month": "1999-13"}).status_code == 200
    assert client.get(_url("points"), {"currency": "hours"}).status_code == 200


def test_timebank_page_post_take_and_bad_input(vol, login):
    client = login(vol.res2)
    response = client.post(
        _url("timebank"), {"post": "1", "kind": "offer", "title": "理发", "minutes": "-5"}
    )
    assert response.status_code == 200 and not Exchange.objects.exists()
    client.post(_url("timebank"), {"post": "1", "kind": "offer", "title": "理发", "minutes": "30"})
    offer = Exchange.objects.get()
    points.deposit_hours(vol.res1.resident, 60, source=("t.S", 1), key="seed")
    login(vol.res1).post(_url("exchange_step", offer.pk, "take"))
    offer.refresh_from_db()
    assert offer.taker == vol.res1.resident
    assert login(vol.other).post(_url("exchange_step", offer.pk, "take")).status_code == 404


def test_family_transfer_form(vol, login):
    points.deposit_hours(vol.res1.resident, 60, source=("t.S", 1), key="seed")
    client = login(vol.res1)
    data = {"family": "1", "key": "abc", "to_resident": vol.family.resident.pk, "minutes": "20"}
    client.post(_url("timebank"), data)
    client.post(_url("timebank"), data)  # a double click
    assert ledger.balance(points.hours_account(vol.family.resident)) == 20


def test_share_page_shows_the_share_against_the_target(vol, login, set_profile, world):
    set_profile("volunteering:\n  target_percent: 15\n")
    volunteer = services.register(actor=vol.res1, skills="急救")
    services.decide(volunteer, "active", actor=vol.cw)
    response = login(vol.street).get(_url("share"))
    shares = {s.community.pk: s for s in response.context["shares"]}
    a1 = shares[world.community_a1.pk]
    assert a1.volunteers == 1 and a1.residents == 5 and a1.percent == 20.0
    assert a1.target == 15 and a1.met is True
    assert shares[world.community_a2.pk].target is None
    assert "20.0% / 15%" in response.content.decode()


def test_team_edit_page_saves_and_is_scoped(vol, login, world):
    leader = services.register(actor=vol.res1, skills="急救")
    team = services.save_team(
        actor=vol.cw, community=world.community_a1, name="助老队", theme="elderly"
    )
    client = login(vol.cw)
    assert client.get(_url("team_edit", team.pk)).status_code == 200
    response = client.post(
        _url("team_edit", team.pk),
        {
            "community": world.community_a1.pk,
            "name": "夕阳红助老队",
            "theme": "elderly",
            "leader": leader.pk,
            "members": [leader.pk],
        },
    )
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.name == "夕阳红助老队" and team.leader == leader
    assert login(vol.cw_other).get(_url("team_edit", team.pk)).status_code == 404
    assert login(vol.gw).get(_url("team_edit", team.pk)).status_code == 403


def test_share_page_query_count_is_bounded(vol, login, django_assert_max_num_queries):
    client = login(vol.street)
    client.get(_url("share"))
    with django_assert_max_num_queries(10):
        assert client.get(_url("share")).status_code == 200


def test_share_counts_approved_volunteers_only_as_the_profile_help_says(
    vol, login, set_profile, world
):
    from gongzhi.core import profiles

    set_profile("volunteering:\n  target_percent: 15\n")
    approved = services.register(actor=vol.res1, skills="急救")
    services.decide(approved, "active", actor=vol.cw)
    services.register(actor=vol.res2, skills="驾驶")  # waiting for approval
    suspended = services.register(actor=vol.res3, skills="理发")
    services.decide(suspended, "suspended", "多次缺席", actor=vol.cw)
    response = login(vol.street).get(_url("share"))
    a1 = next(s for s in response.context["shares"] if s.community.pk == world.community_a1.pk)
    assert (a1.volunteers, a1.residents) == (1, 5)
    assert "Approved (active) volunteers" in str(
        profiles.SCHEMA["volunteering.target_percent"].help
    )
