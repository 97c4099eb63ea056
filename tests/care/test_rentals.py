"""Rented homes and tenants (issue 24 item 2, without the verification round): the landlord
from the registry, tenants registered like residents (ID protected), the link current only while
the lease runs (moved clock), moving out ending the link and the registry membership together,
wrong roles on pages and API, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.care import selectors, services
from gongzhi.care.models import RentedHome, Tenancy
from gongzhi.core import clock
from gongzhi.people import services as people
from gongzhi.people.idcard import make_id
from gongzhi.people.models import Membership, Relation, ResidenceStatus, Resident
from gongzhi.places.models import Household

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 1, 10, 0)
_seq = iter(range(11, 999, 2))


def _id() -> str:
    return make_id("420111", dt.date(1990, 5, 17), next(_seq))


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def rent(cw):
    clock.set_now(T0)
    landlord_id = _id()
    landlord = people.create_resident(
        actor=cw.worker, household=cw.households[4], name="房东老周", id_number=landlord_id
    )
    home = services.mark_rented(cw.households[3], actor=cw.worker, landlord=landlord)
    cw.landlord, cw.landlord_id, cw.home = landlord, landlord_id, home
    return cw


def _tenant(cw, **kw):
    fields = {
        "name": "租户小林",
        "id_number": _id(),
        "phone": "13700001111",
        "starts_on": dt.date(2026, 3, 1),
        "ends_on": dt.date(2026, 8, 31),
    }
    fields.update(kw)
    return services.register_tenant(cw.home, actor=cw.worker, **fields)


def test_a_tenant_is_registered_like_a_resident_with_a_protected_id(rent):
    number = _id()
    tenancy = _tenant(rent, id_number=number)
    tenant = Resident.objects.get(pk=tenancy.tenant_id)
    assert tenant.household_id == rent.households[3].pk
    assert tenant.relation == Relation.TENANT
    assert tenant.residence_status == ResidenceStatus.FLOATING
    assert number not in tenant.id_encrypted and tenant.id_masked.endswith(number[-4:])
    assert "*" in tenant.id_masked
    assert Membership.objects.get(resident=tenant, moved_out=None).moved_in == dt.date(2026, 3, 1)
    # the same ID cannot be registered twice (the registry's own rule)
    with pytest.raises(ValidationError):
        _tenant(rent, id_number=number)
    assert Tenancy.objects.count() == 1


def test_the_link_ends_with_the_lease(rent):
    tenancy = _tenant(rent)
    today = dt.date(2026, 8, 31)
    assert tenancy.is_current(today)
    assert selectors.rented_homes(rent.worker).get().tenants == 1
    clock.set_now(dt.datetime(2026, 9, 1, 8, 0))
    tenancy.refresh_from_db()
    assert not tenancy.is_current(clock.today())
    assert selectors.rented_homes(rent.worker).get().tenants == 0
    assert list(selectors.leases_to_confirm(rent.worker)) == [tenancy]
    # extending the lease makes it current again
    services.extend_lease(tenancy, actor=rent.worker, ends_on=dt.date(2027, 2, 28))
    assert selectors.rented_homes(rent.worker).get().tenants == 1
    assert not selectors.leases_to_confirm(rent.worker).exists()


def test_moving_out_ends_the_link_and_the_membership(rent):
    tenancy = _tenant(rent)
    clock.set_now(dt.datetime(2026, 6, 10, 9, 0))
    services.end_tenancy(tenancy, actor=rent.worker, on=dt.date(2026, 6, 9))
    tenancy.refresh_from_db()
    tenant = Resident.objects.get(pk=tenancy.tenant_id)
    assert tenancy.ended_on == dt.date(2026, 6, 9) and not tenancy.is_current(clock.today())
    assert not tenant.is_active
    assert Membership.objects.get(resident=tenant).moved_out == dt.date(2026, 6, 9)
    assert selectors.rented_homes(rent.worker).get().tenants == 0
    with pytest.raises(ValidationError):
        services.end_tenancy(tenancy, actor=rent.worker)


@pytest.mark.parametrize(
    "fields",
    [
        {"ends_on": dt.date(2026, 2, 1)},
        {"ends_on": dt.date(2050, 1, 1)},
        {"id_number": "123"},
        {"name": ""},
        {"phone": "12"},
    ],
)
def test_bad_tenant_input_writes_nothing(rent, fields):
    with pytest.raises(ValidationError):
        _tenant(rent, **fields)
    assert not Tenancy.objects.exists()
    assert not Resident.objects.filter(relation=Relation.TENANT).exists()


def test_moving_out_dates_are_checked(rent):
    tenancy = _tenant(rent)
    with pytest.raises(ValidationError):
        services.end_tenancy(tenancy, actor=rent.worker, on=dt.date(2026, 2, 1))
    with pytest.raises(ValidationError):
        services.end_tenancy(tenancy, actor=rent.worker, on=dt.date(2026, 12, 1))
    assert Tenancy.objects.get().ended_on is None


def test_a_home_is_marked_once_and_who_may(rent):
    with pytest.raises(ValidationError):
        services.mark_rented(rent.households[3], actor=rent.worker, landlord=rent.landlord)
    with pytest.raises(PermissionDenied):  # the building head reads the registry, keeps nothing
        services.mark_rented(rent.households[2], actor=rent.head, landlord=rent.landlord)
    with pytest.raises(Http404):
        services.mark_rented(rent.households[2], actor=rent.other, landlord=rent.landlord)
    with pytest.raises(PermissionDenied):
        services.register_tenant(
            rent.home,
            actor=rent.head,
            name="x",
            id_number=_id(),
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 4, 1),
        )
    assert RentedHome.objects.count() == 1 and not Tenancy.objects.exists()


def test_pages_and_api_refuse_wrong_roles(rent, login):
    tenancy = _tenant(rent)
    for user in (rent.merchant, rent.partner, rent.r1):
        client = login(user)
        assert client.get(reverse("care:rentals")).status_code == 403
        assert client.get(reverse("care:rental", args=[rent.home.pk])).status_code == 403
        assert _api(user).get("/api/v1/rented-homes/").status_code == 403
        assert _api(user).post(f"/api/v1/tenancies/{tenancy.pk}/end/").status_code == 403
    head = login(rent.head)
    page = head.get(reverse("care:rental", args=[rent.home.pk])).content.decode()
    assert "租户小林" in page and 'data-testid="tenancy-end"' not in page
    assert 'data-testid="tenant-form"' not in page
    assert head.post(reverse("care:tenancy_end", args=[tenancy.pk])).status_code == 403
    assert _api(rent.head).post(f"/api/v1/tenancies/{tenancy.pk}/end/").status_code == 403
    body = {"household": rent.households[2].pk, "landlord_id_number": rent.landlord_id}
    assert _api(rent.head).post("/api/v1/rented-homes/", body, format="json").status_code == 403
    other = login(rent.other)
    assert other.get(reverse("care:rental", args=[rent.home.pk])).status_code == 404
    assert _api(rent.other).get(f"/api/v1/rented-homes/{rent.home.pk}/").status_code == 404
    assert Tenancy.objects.get().ended_on is None


def test_pages_and_api_register_and_end(rent, login):
    client = login(rent.worker)
    page = client.get(reverse("care:rentals") + f"?building={rent.b1.pk}").content.decode()
    assert 'data-testid="rent-form"' in page
    response = client.post(
        reverse("care:rentals") + f"?building={rent.b1.pk}",
        {"household": rent.households[2].pk, "landlord_id": rent.landlord_id},
    )
    home = RentedHome.objects.get(household=rent.households[2])
    assert response.status_code == 302 and response.url == reverse("care:rental", args=[home.pk])
    made = _api(rent.worker).post(
        f"/api/v1/rented-homes/{home.pk}/tenants/",
        {
            "name": "租户小马",
            "id_number": _id(),
            "starts_on": "2026-03-01",
            "ends_on": "2026-12-31",
        },
        format="json",
    )
    assert made.status_code == 201 and made.json()["current"] is True
    detail = _api(rent.worker).get(f"/api/v1/rented-homes/{home.pk}/").json()
    assert detail["current_tenants"] == 1 and detail["tenancies"][0]["name"] == "租户小马"
    assert "*" in detail["tenancies"][0]["id_masked"]
    ended = _api(rent.worker).post(f"/api/v1/tenancies/{made.json()['id']}/end/", {}, format="json")
    assert ended.status_code == 200 and ended.json()["ended_on"] == "2026-03-01"
    api = _api(rent.worker)
    assert api.post("/api/v1/tenancies/abc/end/").status_code == 404
    assert api.post("/api/v1/tenancies/99999999999/end/").status_code == 404
    bad = api.post(f"/api/v1/rented-homes/{home.pk}/tenants/", {"name": "x"}, format="json")
    assert bad.status_code == 400
    wrong = {"household": rent.households[1].pk, "landlord_id_number": "110101199001011234"}
    assert api.post("/api/v1/rented-homes/", wrong, format="json").status_code == 400
    assert api.post("/api/v1/rented-homes/", ["x"], format="json").status_code == 400


def test_rental_lists_have_a_bounded_number_of_queries(rent, login, django_assert_max_num_queries):
    b1 = rent.b1
    homes = Household.objects.bulk_create(
        Household(building=b1, unit_no="3", room_no=f"{i:02d}03", place_path=b1.path)
        for i in range(1, 14)
    )
    for household in homes:
        home = services.mark_rented(household, actor=rent.worker, landlord=rent.landlord)
        services.register_tenant(
            home,
            actor=rent.worker,
            name="租户",
            id_number=_id(),
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )
    client = login(rent.worker)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("care:rentals")).content.decode()
    assert page.count("租户") >= 13  # every lease ended: all on the list to confirm
    with django_assert_max_num_queries(12):
        assert _api(rent.worker).get("/api/v1/rented-homes/").json()["count"] == 14
