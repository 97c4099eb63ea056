"""Who manages an activity (services.manage_grant, docs/volunteering.md "Who manages an
activity"): a right on the place is not enough where the activity has an organiser. The
community side (staff, street officers, grid workers in their grid) hosts everything held in
its area; a partner unit's contact manages only their own unit's activities. Every manage page
and API endpoint refuses the contact of another organiser (403 in their scope) and writes
nothing; each has an allowed case too."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, LedgerEntry
from gongzhi.core.roles import Role
from gongzhi.partners import services as partners
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.volunteering import selectors, services
from gongzhi.volunteering.models import Activity, ActivityStatus, Signup, SignupStatus
from tests.conftest import make_user

API = "/api/v1"
H = dt.timedelta(hours=1)


def _url(name, *args):
    return reverse(f"volunteering:{name}", args=args)


@pytest.fixture
def rule(world, vol, new_activity):
    """Four activities in community A1, each with one signed-up resident whose minutes the
    host corrected (so confirming hours would credit points): the community's own, another
    partner unit's, a party organisation's and the `vol.partner` contact's own unit's."""
    officer = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部甲")
    unit = partners.add_unit(
        world.community_a1,
        actor=officer,
        name="湘中建材",
        kind="enterprise",
        contacts=[vol.partner],
    )
    partner2 = make_user(Role.PARTNER_CONTACT, world.community_a1, name="医院联络员")
    unit2 = partners.add_unit(
        world.community_a1, actor=officer, name="市中心医院", kind="hospital", contacts=[partner2]
    )
    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="社区书记")
    committee = PartyOrg.objects.create(
        kind=OrgKind.COMMUNITY_COMMITTEE,
        name="一社区大党委",
        place=world.community_a1,
        place_path=world.community_a1.path,
    )
    community = new_activity(title="社区自办")
    other_unit = new_activity(
        title="医院义诊", organiser=partner2, organiser_kind="partner_unit", partner_unit=unit2
    )
    party = new_activity(
        title="党员先锋岗", organiser=secretary, organiser_kind="party_org", party_org=committee
    )
    own = new_activity(
        title="建材进社区", organiser=vol.partner, organiser_kind="partner_unit", partner_unit=unit
    )
    signups = {}
    for activity in (community, other_unit, party, own):
        services.sign_up(activity, actor=vol.res1)
        signup = Signup.objects.get(activity=activity)
        services.correct_minutes(signup, 60, "忘记签退", actor=vol.cw)
        signups[activity.pk] = signup
    return SimpleNamespace(
        unit=unit,
        unit2=unit2,
        partner2=partner2,
        secretary=secretary,
        community=community,
        other_unit=other_unit,
        party=party,
        own=own,
        signups=signups,
    )


NOT_THEIRS = ("community", "other_unit", "party")


def _state(activity):
    """Everything a manage action could change: the activity, its sign-ups, audit, ledger."""
    activity = Activity.objects.get(pk=activity.pk)
    return (
        activity.title,
        activity.status,
        activity.capacity,
        list(Signup.objects.filter(activity=activity).values_list("status", "minutes_override")),
        AuditRecord.objects.count(),
        LedgerEntry.objects.count(),
    )


# --------------------------------------------------------------------------- services


@pytest.mark.parametrize("which", NOT_THEIRS)
def test_services_refuse_the_contact_of_another_organiser(vol, rule, which):
    activity = getattr(rule, which)
    signup = rule.signups[activity.pk]
    before = _state(activity)
    for call in (
        lambda: services.edit(activity, actor=vol.partner, title="改", capacity=5),
        lambda: services.cancel_activity(activity, "下雨", actor=vol.partner),
        lambda: services.correct_minutes(signup, 30, "改", actor=vol.partner),
        lambda: services.confirm_hours(activity, actor=vol.partner),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert _state(activity) == before
    assert not services.may_manage(vol.partner, activity)


def test_services_let_the_contact_manage_their_own_units_activity(vol, rule):
    activity, signup = rule.own, rule.signups[rule.own.pk]
    assert services.manage_grant(vol.partner, activity).post.role == Role.PARTNER_CONTACT
    services.correct_minutes(signup, 45, "提前离开", actor=vol.partner)
    with clock.travel_to(activity.ends_at + H):
        assert services.confirm_hours(activity, actor=vol.partner)["confirmed"] == 1
    # … and the other unit's contact cannot touch it.
    with pytest.raises(PermissionDenied):
        services.cancel_activity(activity, "x", actor=rule.partner2)


@pytest.mark.parametrize("which", ("own", "other_unit", "party", "community"))
def test_community_staff_host_every_activity_in_their_community(vol, rule, which):
    activity = getattr(rule, which)
    assert services.manage_grant(vol.cw, activity).post.role == Role.COMMUNITY_WORKER
    services.edit(
        activity,
        actor=vol.cw,
        title="改期通知",
        location="社区活动室",
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
        capacity=6,
    )
    assert Activity.objects.get(pk=activity.pk).title == "改期通知"


def test_outside_the_place_scope_it_is_404(vol, rule):
    # Another community's staff, and a grid worker (their grid only) for a community-level
    # activity: it does not exist for them.
    for user in (vol.cw_other, vol.gw):
        with pytest.raises(Http404):
            services.cancel_activity(rule.own, "x", actor=user)
    assert Activity.objects.get(pk=rule.own.pk).status == ActivityStatus.PUBLISHED


def test_a_grid_worker_hosts_the_activities_in_their_grid(vol, rule, world, new_activity):
    held = new_activity(
        title="网格内共建",
        community=world.grid_a1_1,
        organiser=vol.partner,
        organiser_kind="partner_unit",
        partner_unit=rule.unit,
    )
    assert services.manage_grant(vol.gw, held).post.role == Role.GRID_WORKER
    assert services.manage_grant(vol.partner, held).post.role == Role.PARTNER_CONTACT
    with pytest.raises(PermissionDenied):
        services.manage_grant(rule.partner2, held)


# --------------------------------------------------------------------------- pages


def _edit_data(world, activity, title="改了标题"):
    return {
        "community": world.community_a1.pk,
        "title": title,
        "location": "1栋",
        "starts_at": timezone.localtime(activity.starts_at).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": timezone.localtime(activity.ends_at).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 9,
        "awards_points": "on",
        "awards_hours": "on",
    }


def _page_requests(world, activity, signup):
    """Every manage page: (method, url, data)."""
    return [
        ("get", _url("activity", activity.pk), None),
        ("get", _url("activity_edit", activity.pk), None),
        ("post", _url("activity_edit", activity.pk), _edit_data(world, activity)),
        ("get", _url("activity_qr", activity.pk, "in"), None),
        ("get", _url("activity_qr", activity.pk, "out"), None),
        ("post", _url("activity_action", activity.pk, "cancel"), {"reason": "下雨"}),
        (
            "post",
            _url("activity_action", activity.pk, "correct"),
            {"signup": signup.pk, "minutes": 5, "reason": "改"},
        ),
        ("post", _url("activity_action", activity.pk, "confirm"), {}),
    ]


@pytest.mark.parametrize("which", NOT_THEIRS)
def test_every_manage_page_refuses_the_contact_of_another_organiser(vol, rule, login, world, which):
    activity = getattr(rule, which)
    client = login(vol.partner)
    before = _state(activity)
    with clock.travel_to(activity.ends_at + H):  # after the end: confirming would credit
        for method, url, data in _page_requests(world, activity, rule.signups[activity.pk]):
            response = getattr(client, method)(url, data or {})
            assert response.status_code == 403, (method, url)
    assert _state(activity) == before


def test_every_manage_page_answers_the_contact_for_their_own_unit(vol, rule, login, world):
    activity, signup = rule.own, rule.signups[rule.own.pk]
    client = login(vol.partner)
    page = client.get(_url("activity", activity.pk))
    body = page.content.decode()
    assert page.status_code == 200 and page.context["can_organise"]
    assert 'data-testid="confirm-hours"' in body and 'data-testid="qr-in"' in body
    assert client.get(_url("activity_edit", activity.pk)).status_code == 200
    assert client.get(_url("activity_qr", activity.pk, "in")).status_code == 200
    response = client.post(_url("activity_edit", activity.pk), _edit_data(world, activity, "新"))
    assert response.status_code == 302 and Activity.objects.get(pk=activity.pk).title == "新"
    client.post(
        _url("activity_action", activity.pk, "correct"),
        {"signup": signup.pk, "minutes": 50, "reason": "提前离开"},
    )
    assert Signup.objects.get(pk=signup.pk).minutes_override == 50
    with clock.travel_to(activity.ends_at + H):
        client.post(_url("activity_action", activity.pk, "confirm"), {})
    assert Signup.objects.get(pk=signup.pk).status == SignupStatus.CONFIRMED
    record = AuditRecord.objects.filter(action="volunteering.hours_confirm").get()
    assert record.actor_id == vol.partner.pk


def test_the_contact_cancels_their_own_units_activity(vol, rule, login):
    response = login(vol.partner).post(
        _url("activity_action", rule.own.pk, "cancel"), {"reason": "下雨"}
    )
    assert response.status_code == 302
    assert Activity.objects.get(pk=rule.own.pk).status == ActivityStatus.CANCELLED


@pytest.mark.parametrize("which", ("own", "other_unit", "party"))
def test_community_staff_manage_every_organisers_activity_on_the_pages(vol, rule, login, which):
    activity = getattr(rule, which)
    client = login(vol.cw)
    page = client.get(_url("activity", activity.pk))
    assert page.status_code == 200 and page.context["can_organise"]
    assert client.get(_url("activity_qr", activity.pk, "in")).status_code == 200
    response = client.post(_url("activity_action", activity.pk, "cancel"), {"reason": "台风"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=activity.pk).status == ActivityStatus.CANCELLED


def test_overseers_read_the_page_without_manage_buttons(vol, rule, login):
    page = login(vol.district).get(_url("activity", rule.own.pk))
    body = page.content.decode()
    assert page.status_code == 200 and not page.context["can_organise"]
    assert 'data-testid="confirm-hours"' not in body and 'data-testid="qr-in"' not in body


def test_the_manage_list_shows_a_contact_only_their_units_activities(vol, rule, login):
    page = login(vol.partner).get(_url("manage"))
    assert [a.title for a in page.context["page"]] == ["建材进社区"]
    body = page.content.decode()
    assert _url("activity", rule.community.pk) not in body
    staff = login(vol.cw).get(_url("manage"))
    assert len(staff.context["page"]) == 4


# --------------------------------------------------------------------------- API


@pytest.mark.parametrize("which", NOT_THEIRS)
def test_api_refuses_the_contact_of_another_organiser(vol, rule, login, which):
    activity = getattr(rule, which)
    client = login(vol.partner)
    before = _state(activity)
    assert client.get(f"{API}/activities/{activity.pk}/roster/").status_code == 403
    with clock.travel_to(activity.ends_at + H):
        response = client.post(f"{API}/activities/{activity.pk}/confirm/", {}, format="json")
        assert response.status_code == 403
    assert _state(activity) == before
    listed = client.get(f"{API}/activities/").json()["results"]
    assert activity.pk not in [a["id"] for a in listed]


def test_api_answers_the_contact_for_their_own_unit(vol, rule, login):
    client = login(vol.partner)
    roster = client.get(f"{API}/activities/{rule.own.pk}/roster/")
    assert roster.status_code == 200 and [r["name"] for r in roster.json()] == ["吴秀英"]
    assert [a["id"] for a in client.get(f"{API}/activities/").json()["results"]] == [rule.own.pk]
    with clock.travel_to(rule.own.ends_at + H):
        response = client.post(f"{API}/activities/{rule.own.pk}/confirm/", {}, format="json")
    assert response.status_code == 200 and response.json()["confirmed"] == 1


def test_api_outside_the_contacts_street_is_404(vol, rule, login, world):
    far = make_user(Role.PARTNER_CONTACT, world.street_b, name="关山联络员")
    assert login(far).get(f"{API}/activities/{rule.own.pk}/roster/").status_code == 404
    assert login(far).get(_url("activity_qr", rule.own.pk, "in")).status_code == 404


# --------------------------------------------------------------------------- one rule


def test_the_list_filter_agrees_with_the_object_rule(vol, rule):
    """selectors.organised_activities (a query) and services.may_oversee (per object) are the
    same rule; every user × activity pair agrees."""
    users = [vol.partner, rule.partner2, vol.cw, vol.cw_other, vol.gw, vol.street, vol.district]
    users += [rule.secretary, vol.res1]
    activities = list(Activity.objects.all())
    for user in users:
        listed = set(selectors.organised_activities(user).values_list("pk", flat=True))
        expected = {a.pk for a in activities if services.may_oversee(user, a)}
        assert listed == expected, user.name


def test_the_demo_probe_a_street_contact_cancels_another_communitys_activity(
    vol, rule, login, world, new_activity
):
    """The probe of issue 13: the `partner` demo login holds its post at the street; an
    activity of another community of that street is 403 on every manage page, not cancelled."""
    street_contact = make_user(Role.PARTNER_CONTACT, world.street_a, name="马俊")
    rule.unit.contacts.add(street_contact)
    elsewhere = new_activity(
        title="二社区义剪", organiser=vol.cw_other, community=world.community_a2
    )
    client = login(street_contact)
    before = _state(elsewhere)
    response = client.post(_url("activity_action", elsewhere.pk, "cancel"), {"reason": "x"})
    assert response.status_code == 403
    assert client.get(_url("activity_qr", elsewhere.pk, "in")).status_code == 403
    assert client.get(f"{API}/activities/{elsewhere.pk}/roster/").status_code == 403
    assert _state(elsewhere) == before
    # Their own unit's activity in community A1 is theirs to manage.
    assert client.get(_url("activity_qr", rule.own.pk, "in")).status_code == 200
