"""Every paginated volunteering page reads a bounded number of queries, whatever the number of
rows: each test makes more rows (12–15) than the bound leaves room for, so a query per row
would fail it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.partners import services as partners
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.volunteering import points, services
from gongzhi.volunteering.models import Team, Volunteer
from tests.conftest import make_user

ROWS = 12


@pytest.fixture
def many_activities(vol, world, new_activity):
    """Twelve upcoming activities of community A1, organised by every kind of body, each with
    a team, and the resident signed up for all of them."""
    from gongzhi.core.roles import Role

    secretary = make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="书记")
    org = PartyOrg.objects.create(
        kind=OrgKind.COMMUNITY_COMMITTEE,
        name="一社区大党委",
        place=world.community_a1,
        place_path=world.community_a1.path,
    )
    unit = partners.add_unit(
        world.community_a1,
        actor=make_user(Role.STREET_OFFICER, world.street_a),
        name="建材公司",
        kind="enterprise",
        contacts=[vol.partner],
    )
    from gongzhi.organisations.models import Organisation

    social = Organisation.objects.create(
        name="社工中心",
        kind="service_org",
        status="filed",
        filed_on=dt.date(2025, 1, 1),
        field="elderly",
        place=world.community_a1,
        place_path=world.community_a1.path,
    )
    bodies = (
        {"organiser": vol.cw},
        {"organiser": secretary, "organiser_kind": "party_org", "party_org": org},
        {"organiser": vol.partner, "organiser_kind": "partner_unit", "partner_unit": unit},
        {"organiser": vol.cw, "organiser_kind": "social_org", "organisation": social},
    )
    made = []
    for n in range(ROWS):
        team = services.save_team(
            actor=vol.cw, community=world.community_a1, name=f"队{n}", theme="neighbours"
        )
        start = clock.now() + dt.timedelta(hours=2 + n)
        activity = new_activity(
            title=f"活动{n}",
            team=team,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
            **bodies[n % len(bodies)],
        )
        services.sign_up(activity, actor=vol.res1)
        made.append(activity)
    return made


def test_activities_page(vol, login, many_activities, django_assert_max_num_queries):
    client = login(vol.res1)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("volunteering:activities")).content.decode()
    assert body.count('data-testid="organiser-') == ROWS
    assert "一社区大党委" in body and "建材公司" in body and "社工中心" in body


def test_manage_page(vol, login, many_activities, django_assert_max_num_queries):
    client = login(vol.cw)
    with django_assert_max_num_queries(10):
        body = client.get(reverse("volunteering:manage")).content.decode()
    assert body.count('href="/volunteering/manage/') >= ROWS
    assert "一社区大党委" in body and "建材公司" in body


def test_teams_page(vol, login, world, django_assert_max_num_queries):
    members = [services.register(actor=u, skills="急救") for u in (vol.res1, vol.res2, vol.res3)]
    for n in range(ROWS):
        services.save_team(
            actor=vol.cw,
            community=world.community_a1,
            name=f"服务队{n}",
            theme="elderly",
            leader=members[n % 3],
            members=[m.pk for m in members],
        )
    client = login(vol.cw)
    with django_assert_max_num_queries(10):
        body = client.get(reverse("volunteering:teams")).content.decode()
    assert Team.objects.count() == ROWS and body.count("服务队") >= ROWS
    assert Volunteer.objects.count() == 3


def test_points_page(vol, login, set_profile, django_assert_max_num_queries):
    set_profile("points:\n  daily_cap: 0\n")
    for n in range(15):
        points.earn(vol.res1.resident, "activity", source=("x.Y", n), reason_text=f"服务{n}")
    client = login(vol.res1)
    client.get(reverse("volunteering:points"))  # the first visit opens the hours account
    for currency in ("points", "hours"):
        with django_assert_max_num_queries(16):
            response = client.get(reverse("volunteering:points"), {"currency": currency})
        assert response.status_code == 200
    body = client.get(reverse("volunteering:points")).content.decode()
    assert all(f"服务{n}" in body for n in range(15))


def test_timebank_page(vol, login, django_assert_max_num_queries):
    points.deposit_hours(vol.res1.resident, 600, source=("t.S", 1), key="seed")
    for n in range(ROWS):
        services.post_exchange(actor=vol.res2, kind="offer", title=f"帮忙{n}", minutes=30)
        mine = services.post_exchange(actor=vol.res1, kind="request", title=f"求助{n}", minutes=10)
        if n % 2:
            services.take_exchange(mine, actor=vol.res3)
    client = login(vol.res1)
    with django_assert_max_num_queries(14):
        body = client.get(reverse("volunteering:timebank")).content.decode()
    assert body.count('data-testid="exchange-') >= ROWS
    assert body.count("求助") >= ROWS
