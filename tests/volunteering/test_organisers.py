"""The organising body of an activity: the community, a party organisation, a social
organisation or a partner unit — who may publish for which, consistency, and where residents
and staff see it (pages and API)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.roles import Role
from gongzhi.partners import services as partners
from gongzhi.party.models import OrgKind, PartyOrg
from gongzhi.volunteering.models import Activity, OrganiserKind
from tests.conftest import make_user

API = "/api/v1"


def _org(kind, name, place, parent=None):
    return PartyOrg.objects.create(
        kind=kind, name=name, place=place, parent=parent, place_path=place.path
    )


@pytest.fixture
def bodies(world, vol):
    street = _org(OrgKind.STREET_COMMITTEE, "珞南街道大工委", world.street_a)
    committee = _org(OrgKind.COMMUNITY_COMMITTEE, "一社区大党委", world.community_a1, street)
    branch = _org(OrgKind.BRANCH, "G01网格党支部", world.grid_a1_1, committee)
    other = _org(OrgKind.COMMUNITY_COMMITTEE, "二社区大党委", world.community_a2, street)
    officer = make_user(Role.STREET_OFFICER, world.street_a, name="街道干部甲")
    unit = partners.add_unit(
        world.community_a1,
        actor=officer,
        name="湘中建材",
        kind="enterprise",
        contacts=[vol.partner],
    )
    street_unit = partners.add_unit(
        world.street_a, actor=officer, name="市中心医院", kind="hospital"
    )
    far_unit = partners.add_unit(
        world.street_b,
        actor=make_user(Role.STREET_OFFICER, world.street_b),
        name="关山企业",
        kind="school",
    )
    return SimpleNamespace(
        street=street,
        committee=committee,
        branch=branch,
        other=other,
        unit=unit,
        street_unit=street_unit,
        far_unit=far_unit,
        secretary=make_user(Role.COMMUNITY_SECRETARY, world.community_a1, name="社区书记"),
    )


def test_the_community_secretary_publishes_for_a_party_branch(vol, bodies, new_activity):
    activity = new_activity(
        organiser=bodies.secretary, organiser_kind="party_org", party_org=bodies.branch
    )
    activity.refresh_from_db()
    assert activity.organiser_kind == OrganiserKind.PARTY_ORG
    assert activity.party_org == bodies.branch and activity.organiser_body == "G01网格党支部"
    # The street committee above the community may organise too.
    street = new_activity(organiser=vol.street, organiser_kind="party_org", party_org=bodies.street)
    assert street.organiser_body == "珞南街道大工委"


@pytest.mark.parametrize("who", ["cw", "gw", "partner"])
def test_other_organisers_may_not_publish_for_a_party_organisation(
    vol, bodies, new_activity, world, who
):
    community = world.grid_a1_1 if who == "gw" else world.community_a1
    with pytest.raises(PermissionDenied):
        new_activity(
            organiser=getattr(vol, who),
            community=community,
            organiser_kind="party_org",
            party_org=bodies.branch,
        )
    assert not Activity.objects.exists()


def test_party_organisation_must_belong_to_the_community(bodies, new_activity):
    with pytest.raises(ValidationError) as info:
        new_activity(organiser=bodies.secretary, organiser_kind="party_org", party_org=bodies.other)
    assert "party_org" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        new_activity(organiser=bodies.secretary, organiser_kind="party_org")
    assert "party_org" in info.value.message_dict
    with pytest.raises(ValidationError):
        new_activity(organiser=bodies.secretary, organiser_kind="club")
    assert not Activity.objects.exists()


def _registered(name, place, **kw):
    from gongzhi.organisations.models import Organisation

    values = dict(
        name=name,
        kind="service_org",
        status="filed",
        filed_on=dt.date(2025, 1, 1),
        field="elderly",
        place=place,
        place_path=place.path,
    )
    values.update(kw)
    return Organisation.objects.create(**values)


def test_a_social_organisation_is_picked_on_the_register(vol, world, new_activity):
    """Issue 16 item 1: an activity of a social organisation names one on the register (of the
    community or its street); a typed name is refused; a dissolved one, another street's or
    none at all too."""
    org = _registered("乐坪爱心社工服务中心", world.street_a)  # serves the street
    activity = new_activity(organiser_kind="social_org", organisation=org)
    assert activity.organisation == org and activity.organiser_body == "乐坪爱心社工服务中心"
    with pytest.raises(ValidationError) as info:
        new_activity(organiser_kind="social_org", organiser_name="乐坪爱心社工服务中心")
    assert "organiser_name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        new_activity(organiser_kind="social_org")
    assert "organisation" in info.value.message_dict
    far = _registered("关山社工站", world.street_b)
    gone = _registered(
        "已注销协会", world.community_a1, status="dissolved", dissolved_on=dt.date(2026, 1, 1)
    )
    neighbour = _registered("二社区志愿队", world.community_a2)
    for wrong in (far, gone, neighbour):
        with pytest.raises(ValidationError) as info:
            new_activity(organiser_kind="social_org", organisation=wrong)
        assert "organisation" in info.value.message_dict
    with pytest.raises(PermissionDenied):
        new_activity(organiser=vol.partner, organiser_kind="social_org", organisation=org)
    assert Activity.objects.count() == 1


def test_an_old_typed_name_stays_readable(vol, world):
    """Rows typed before the register keep their text (the database accepts them)."""
    now = clock.now()
    old = Activity.objects.create(
        community=world.community_a1,
        place_path=world.community_a1.path,
        title="旧活动",
        location="活动室",
        starts_at=now + dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=2),
        capacity=5,
        organiser=vol.cw,
        organiser_kind="social_org",
        organiser_name="手填的协会",
    )
    assert old.organiser_body == "手填的协会"


def test_the_publish_form_and_the_api_offer_the_register(vol, world, login):
    from rest_framework.test import APIClient

    org = _registered("夕阳红助老服务队", world.community_a1)
    far = _registered("关山社工站", world.street_b)
    page = login(vol.cw).get(reverse("volunteering:activity_new")).content.decode()
    assert "夕阳红助老服务队" in page and "关山社工站" not in page
    start = clock.now() + dt.timedelta(days=1)
    body = {
        "title": "助老理发",
        "location": "活动室",
        "community": world.community_a1.pk,
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "organiser_kind": "social_org",
    }
    api = APIClient()
    api.force_authenticate(vol.cw)
    made = api.post(f"{API}/activities/", {**body, "organisation": org.pk}, format="json")
    assert made.status_code == 201, made.data
    assert made.data["organisation"] == org.pk and made.data["organiser_body"] == org.name
    typed = api.post(f"{API}/activities/", {**body, "organiser_name": "某协会"}, format="json")
    assert typed.status_code == 400
    hidden = api.post(f"{API}/activities/", {**body, "organisation": far.pk}, format="json")
    assert hidden.status_code == 400
    for bad in ("abc", 10**12, None):
        answer = api.post(f"{API}/activities/", {**body, "organisation": bad}, format="json")
        assert answer.status_code == 400
    # a resident may not publish at all
    api.force_authenticate(vol.res1)
    assert api.post(f"{API}/activities/", {**body, "organisation": org.pk}).status_code == 403
    assert Activity.objects.count() == 1


def test_partner_contact_publishes_for_their_own_unit_only(vol, bodies, new_activity):
    activity = new_activity(
        organiser=vol.partner, organiser_kind="partner_unit", partner_unit=bodies.unit
    )
    assert activity.organiser_body == "湘中建材" and activity.organiser == vol.partner
    with pytest.raises(PermissionDenied, match="not a contact"):
        new_activity(
            organiser=vol.partner, organiser_kind="partner_unit", partner_unit=bodies.street_unit
        )
    with pytest.raises(PermissionDenied):
        new_activity(organiser=vol.partner)  # as "the community"
    with pytest.raises(ValidationError) as info:
        new_activity(organiser_kind="partner_unit", partner_unit=bodies.far_unit)
    assert "partner_unit" in info.value.message_dict
    # Community staff may publish for a unit paired with the community's street.
    staff = new_activity(organiser_kind="partner_unit", partner_unit=bodies.street_unit)
    assert staff.organiser_body == "市中心医院"
    assert Activity.objects.count() == 2


def test_the_database_refuses_an_inconsistent_body(vol, world, bodies):
    now = clock.now()
    values = {
        "community": world.community_a1,
        "place_path": world.community_a1.path,
        "title": "x",
        "location": "y",
        "starts_at": now + dt.timedelta(hours=1),
        "ends_at": now + dt.timedelta(hours=2),
        "capacity": 1,
        "organiser": vol.cw,
    }
    for body in (
        {"organiser_kind": "party_org"},
        {"organiser_kind": "partner_unit", "party_org": bodies.branch},
        {"organiser_kind": "social_org"},
        {"organiser_kind": "community", "partner_unit": bodies.unit},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Activity.objects.create(**values, **body)


def test_residents_and_staff_see_the_organiser_on_the_pages(vol, bodies, login, new_activity):
    activity = new_activity(
        organiser=bodies.secretary, organiser_kind="party_org", party_org=bodies.branch
    )
    page = login(vol.res1).get(reverse("volunteering:activities")).content.decode()
    assert f'data-testid="organiser-{activity.pk}"' in page and "G01网格党支部" in page
    staff = login(vol.cw).get(reverse("volunteering:activity", args=[activity.pk]))
    assert "G01网格党支部" in staff.content.decode()
    assert "G01网格党支部" in login(vol.cw).get(reverse("volunteering:manage")).content.decode()


def test_publish_page_with_an_organiser(vol, bodies, login, world):
    client = login(vol.partner)
    form = client.get(reverse("volunteering:activity_new"))
    assert form.status_code == 200
    units = list(form.context["form"].fields["partner_unit"].queryset)
    assert units == [bodies.unit]  # a contact is offered only their own unit
    assert not form.context["form"].fields["party_org"].queryset.exists()
    start = clock.now() + dt.timedelta(days=1)
    data = {
        "community": world.community_a1.pk,
        "organiser_kind": "partner_unit",
        "partner_unit": bodies.unit.pk,
        "title": "建材公司义务维修",
        "location": "1栋",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": 10,
    }
    response = client.post(reverse("volunteering:activity_new"), data)
    activity = Activity.objects.get()
    assert response.status_code == 302 and activity.partner_unit == bodies.unit
    refused = client.post(
        reverse("volunteering:activity_new"), {**data, "organiser_kind": "community"}
    )
    assert refused.status_code == 403 and Activity.objects.count() == 1
    # Editing keeps the body: the form no longer offers it.
    edit = client.get(reverse("volunteering:activity_edit", args=[activity.pk]))
    assert "organiser_kind" not in edit.context["form"].fields


def test_api_publishes_with_a_body_and_refuses_the_wrong_role(vol, bodies, login, world):
    start = clock.now() + dt.timedelta(hours=2)
    body = {
        "community": world.community_a1.pk,
        "title": "党员志愿服务日",
        "location": "党群服务中心",
        "starts_at": start.isoformat(),
        "ends_at": (start + dt.timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "organiser_kind": "party_org",
        "party_org": bodies.committee.pk,
    }
    assert login(vol.cw).post(f"{API}/activities/", body).status_code == 403
    bad = login(bodies.secretary).post(f"{API}/activities/", {**body, "party_org": bodies.other.pk})
    assert bad.status_code == 400 and "party_org" in bad.json()
    created = login(bodies.secretary).post(f"{API}/activities/", body)
    assert created.status_code == 201
    assert created.json()["organiser_body"] == "一社区大党委"
    listing = login(vol.res1).get(f"{API}/activities/").json()["results"]
    assert [(a["organiser_kind"], a["organiser_body"]) for a in listing] == [
        ("party_org", "一社区大党委")
    ]
