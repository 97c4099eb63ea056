"""The company's staff as a body (issue 14 item 3): a property_staff post linked to the
company by the community's staff; the company's ticket rates count the linked posts' tickets,
falling back to the posts at its contract estates only in a year with no link in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord, Post
from gongzhi.core.roles import Role
from gongzhi.estates import ratings, services
from gongzhi.estates.models import CompanyStaff
from tests.conftest import make_user
from tests.estates.test_ratings import _tickets


def _post(user):
    return Post.objects.get(user=user, role=Role.PROPERTY_STAFF)


@pytest.fixture
def sw(rw):
    rw.manager = make_user(Role.PROPERTY_STAFF, rw.estate, name="物业经理")
    return rw


def test_link_and_end_a_staff_post(sw):
    before = AuditRecord.objects.count()
    link = services.link_staff(sw.company, _post(sw.manager), actor=sw.secretary)
    assert link.since == clock.today() and link.place_path == sw.estate.path
    assert AuditRecord.objects.count() == before + 1
    with pytest.raises(ValidationError):  # linked twice
        services.link_staff(sw.company, _post(sw.manager), actor=sw.worker)
    with pytest.raises(ValidationError):  # ends before it starts
        services.end_staff_link(link, actor=sw.worker, ended_on=dt.date(2020, 1, 1))
    services.end_staff_link(link, actor=sw.worker)
    link.refresh_from_db()
    assert link.ended_on == clock.today()
    with pytest.raises(ValidationError):
        services.end_staff_link(link, actor=sw.worker)
    # ended: the post may be linked again
    services.link_staff(sw.company, _post(sw.manager), actor=sw.worker)
    assert CompanyStaff.objects.filter(company=sw.company).count() == 2


def test_bad_posts_are_refused_and_nothing_is_written(sw):
    worker_post = Post.objects.get(user=sw.worker)
    far = make_user(Role.PROPERTY_STAFF, sw.world.community_a2, name="别处物业")
    before = AuditRecord.objects.count()
    with pytest.raises(ValidationError):  # not a property-company post
        services.link_staff(sw.company, worker_post, actor=sw.secretary)
    with pytest.raises((Http404, PermissionDenied)):  # another community's post
        services.link_staff(sw.company, _post(far), actor=sw.secretary)
    with pytest.raises((Http404, PermissionDenied)):  # wrong role
        services.link_staff(sw.company, _post(sw.manager), actor=sw.resident_user)
    with pytest.raises((Http404, PermissionDenied)):  # the other community's worker
        services.link_staff(sw.company, _post(sw.manager), actor=sw.worker_a2)
    # a company with no contract and registered elsewhere does not serve the estate
    other = services.add_company(
        sw.world.community_a2, actor=sw.worker_a2, name="外区物业", credit_code="91110108551385082Q"
    )
    assert AuditRecord.objects.count() == before + 1  # the company's registration
    with pytest.raises(ValidationError):
        services.link_staff(other, _post(sw.manager), actor=sw.secretary)
    assert AuditRecord.objects.count() == before + 1 and not CompanyStaff.objects.exists()


def test_ticket_rates_come_from_the_link(sw):
    _tickets(sw)  # three tickets handled by sw.staff, posted at the estate
    clock.set_now(dt.datetime(2025, 12, 1, 10, 0))
    assert (
        ratings.company_ticket_rates(sw.company, sw.world.community_a1.path, 2025)["tickets"] == 3
    )  # no link: the posts at the contract estate
    services.link_staff(sw.company, _post(sw.manager), actor=sw.secretary)
    # the company's staff are now the linked post only: sw.staff's tickets no longer count
    assert (
        ratings.company_ticket_rates(sw.company, sw.world.community_a1.path, 2025)["tickets"] == 0
    )
    services.link_staff(sw.company, _post(sw.staff), actor=sw.secretary)
    assert (
        ratings.company_ticket_rates(sw.company, sw.world.community_a1.path, 2025)["tickets"] == 3
    )
    # 2024 had no link in force: the fallback reading
    assert ratings.staff_user_ids(sw.company, 2024) is None
    assert set(ratings.staff_user_ids(sw.company, 2025) or []) == {sw.manager.pk, sw.staff.pk}


def test_company_page_links_and_ends(sw, login, client):
    page = login(sw.secretary)
    url = reverse("estates:company", args=[sw.company.pk])
    body = page.get(url).content.decode()
    assert 'data-testid="staff-link-form"' in body and "物业经理" in body  # a choice
    response = page.post(
        reverse("estates:staff_link", args=[sw.company.pk]), {"post": _post(sw.manager).pk}
    )
    assert response.status_code == 302
    link = CompanyStaff.objects.get()
    body = page.get(url).content.decode()
    assert (
        'data-testid="company-staff"' in body
        and reverse("estates:staff_unlink", args=[link.pk]) in body
    )
    data = page.get(f"/api/v1/property-companies/{sw.company.pk}/").json()
    assert data["staff"] == [
        {
            "id": link.pk,
            "post": link.post_id,
            "name": "物业经理",
            "place": sw.estate.pk,
            "since": str(link.since),
            "ended_on": None,
        }
    ]
    assert page.post(reverse("estates:staff_unlink", args=[link.pk]), {}).status_code == 302
    link.refresh_from_db()
    assert link.ended_on == clock.today()


def test_wrong_role_and_other_community(sw, login, client):
    link = services.link_staff(sw.company, _post(sw.manager), actor=sw.secretary)
    for user, code in ((sw.resident_user, 403), (sw.staff, 403), (sw.worker_a2, 404)):
        client.force_login(user)
        assert (
            client.post(
                reverse("estates:staff_link", args=[sw.company.pk]),
                {"post": _post(sw.manager).pk},
            ).status_code
            == code
        ), user
        assert (
            client.post(reverse("estates:staff_unlink", args=[link.pk]), {}).status_code == code
        ), user
    link.refresh_from_db()
    assert link.ended_on is None and CompanyStaff.objects.count() == 1


def test_linked_staff_see_their_company(sw):
    from gongzhi.estates import selectors

    elsewhere = make_user(Role.PROPERTY_STAFF, sw.other_estate, name="驻点管家")
    assert selectors.my_companies(elsewhere) == []  # no contract at that estate
    services.link_staff(sw.company, _post(elsewhere), actor=sw.secretary)
    rows = selectors.my_companies(elsewhere)
    assert [r.company for r in rows] == [sw.company] and len(rows[0].contracts) == 1


def test_api_links_and_ends_through_the_same_service(sw, client):
    client.force_login(sw.secretary)
    url = f"/api/v1/property-companies/{sw.company.pk}/staff/"
    before = AuditRecord.objects.count()
    for bad in ({}, {"post": "x"}, {"post": 10**12}, {"post": _post(sw.manager).pk, "since": "x"}):
        assert client.post(url, bad, content_type="application/json").status_code == 400, bad
    assert client.post(url, {"post": 999999}, content_type="application/json").status_code == 400
    future = {"post": _post(sw.manager).pk, "since": "2030-01-01"}
    response = client.post(url, future, content_type="application/json")
    assert response.status_code == 400 and "不能晚于今天" in response.json()["detail"]
    assert not CompanyStaff.objects.exists() and AuditRecord.objects.count() == before
    response = client.post(url, {"post": _post(sw.manager).pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    link = CompanyStaff.objects.get()
    assert [s["id"] for s in response.json()["staff"]] == [link.pk]
    assert AuditRecord.objects.filter(action="estates.staff_link").count() == 1
    end = f"/api/v1/property-companies/{sw.company.pk}/staff/{link.pk}/end/"
    early = client.post(end, {"ended_on": "2020-01-01"}, content_type="application/json")
    assert early.status_code == 400
    response = client.post(end, {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["staff"][0]["ended_on"] == str(
        clock.today()
    )
    assert client.post(end, {}, content_type="application/json").status_code == 400  # ended
    assert AuditRecord.objects.filter(action="estates.staff_unlink").count() == 1
    # the link of another company is not found under this one
    other = services.add_company(
        sw.world.community_a1, actor=sw.secretary, name="另一物业", credit_code="91110108551385082Q"
    )
    wrong = f"/api/v1/property-companies/{other.pk}/staff/{link.pk}/end/"
    assert client.post(wrong, {}, content_type="application/json").status_code == 404


def test_api_wrong_role_and_other_community(sw, client):
    link = services.link_staff(sw.company, _post(sw.manager), actor=sw.secretary)
    staff = f"/api/v1/property-companies/{sw.company.pk}/staff/"
    end = f"/api/v1/property-companies/{sw.company.pk}/staff/{link.pk}/end/"
    for user, code in ((sw.resident_user, 403), (sw.staff, 403), (sw.worker_a2, 404)):
        client.force_login(user)
        body = {"post": _post(sw.manager).pk}
        assert client.post(staff, body, content_type="application/json").status_code == code
        assert client.post(end, {}, content_type="application/json").status_code == code, user
    link.refresh_from_db()
    assert link.ended_on is None and CompanyStaff.objects.count() == 1
