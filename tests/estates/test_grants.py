"""Row 000-17 (seed 000 §五): the start-up funds of a new owners' committee party organisation
and its full-time secretary. The amount from the profile (and no request when it is unset),
once per organisation, the street's approval and payment, wrong roles on page and API, bad
input, a bounded list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.core.models import AuditRecord
from gongzhi.estates import grants, services
from gongzhi.estates.models import GrantStatus, StartupGrant
from gongzhi.party.models import OrgKind, PartyOrg
from tests.conftest import make_place
from tests.estates.conftest import PROFILE

pytestmark = pytest.mark.django_db

WITH_KEY = PROFILE.replace(
    "owners_committee:\n",
    "owners_committee:\n"
    "  party_org_startup_yuan: 5000  # 000 §五: 对新成立的业委会党组织,给予5000元启动工作经费\n",
)


def _org(ew, name="某小区业委会党支部", place=None):
    place = place or ew.estate
    return PartyOrg.objects.create(
        kind=OrgKind.BRANCH, name=name, place=place, place_path=place.path
    )


@pytest.fixture
def gw(ew, profile_dir):
    """The estate's committee with a party organisation (set up alone), under a profile that
    sets the start-up funds (5000 yuan)."""
    (profile_dir / "grants-test.yaml").write_text(WITH_KEY)
    ew.world.district.policy_profile = "grants-test"
    ew.world.district.save()
    ew.committee = services.create_committee(ew.estate, actor=ew.secretary)
    ew.porg = _org(ew)
    services.set_party_org(ew.committee, actor=ew.secretary, form="single", party_org=ew.porg)
    return ew


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --------------------------------------------------------------------------- rules


def test_amount_from_the_profile_with_its_citation(gw):
    amount = grants.startup_amount(gw.estate)
    assert amount.fen == 500000 and amount.yuan == "5000"
    grant = grants.request_grant(gw.committee, actor=gw.worker)
    assert grant.amount_fen == 500000 and grant.status == GrantStatus.REQUESTED
    assert grant.basis.startswith("000 §五") and "5000元启动工作经费" in grant.basis
    assert grant.party_org == gw.porg and grant.place_path == gw.estate.path
    assert AuditRecord.objects.filter(action="estates.grant_request").count() == 1


def test_unset_key_no_request_and_the_page_says_so(ew, login):
    committee = services.create_committee(ew.estate, actor=ew.secretary)
    services.set_party_org(committee, actor=ew.secretary, form="single", party_org=_org(ew))
    assert grants.startup_amount(ew.estate).fen is None
    with pytest.raises(ValidationError) as caught:
        grants.request_grant(committee, actor=ew.worker)
    assert "本地政策未规定" in " ".join(caught.value.messages)
    assert not StartupGrant.objects.exists()
    page = login(ew.worker).get(reverse("estates:committee", args=[committee.pk]))
    html = page.content.decode()
    assert 'data-testid="grant-unset"' in html and "本地政策未规定" in html
    assert 'data-testid="grant-request"' not in html


def test_no_party_organisation_no_request(gw):
    services.set_party_org(gw.committee, actor=gw.secretary, form="", party_org=None)
    with pytest.raises(ValidationError):
        grants.request_grant(gw.committee, actor=gw.worker)
    assert not StartupGrant.objects.exists()


def test_once_per_organisation_and_again_after_a_refusal(gw):
    first = grants.request_grant(gw.committee, actor=gw.worker)
    with pytest.raises(ValidationError) as caught:
        grants.request_grant(gw.committee, actor=gw.secretary)
    assert "已经申请" in " ".join(caught.value.messages) or "already" in str(caught.value)
    grants.refuse_grant(first, actor=gw.street, reason="党组织尚未经上级批准成立")
    second = grants.request_grant(gw.committee, actor=gw.worker)
    assert second.pk != first.pk
    # The database keeps the rule too: a second grant that is not refused cannot be written.
    with pytest.raises(IntegrityError), transaction.atomic():
        StartupGrant.objects.create(
            committee=gw.committee,
            party_org=gw.porg,
            amount_fen=500000,
            basis="x",
            place_path=gw.estate.path,
        )


def test_approve_then_pay_every_step_audited(gw):
    grant = grants.request_grant(gw.committee, actor=gw.worker)
    with pytest.raises(ValidationError):
        grants.pay_grant(grant, actor=gw.street, paid_on=clock.today())  # not approved yet
    grant = grants.approve_grant(grant, actor=gw.street)
    assert grant.status == GrantStatus.APPROVED and grant.decided_by == gw.street
    with pytest.raises(ValidationError):
        grants.approve_grant(grant, actor=gw.street)  # already approved
    with pytest.raises(ValidationError):
        grants.refuse_grant(grant, actor=gw.street, reason="迟了")
    with pytest.raises(ValidationError):
        grants.pay_grant(grant, actor=gw.street, paid_on=clock.today() + dt.timedelta(days=1))
    grant = grants.pay_grant(grant, actor=gw.street, paid_on=clock.today(), payment_ref="拨付-01")
    assert grant.status == GrantStatus.PAID and grant.payment_ref == "拨付-01"
    actions = set(
        AuditRecord.objects.filter(action__startswith="estates.grant_").values_list(
            "action", flat=True
        )
    )
    assert actions == {"estates.grant_request", "estates.grant_approve", "estates.grant_pay"}


def test_refusal_needs_a_reason(gw):
    grant = grants.request_grant(gw.committee, actor=gw.worker)
    with pytest.raises(ValidationError):
        grants.refuse_grant(grant, actor=gw.street, reason="  ")
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REQUESTED


def test_wrong_roles_in_the_services(gw):
    grant = grants.request_grant(gw.committee, actor=gw.worker)
    with pytest.raises(PermissionDenied):
        grants.approve_grant(grant, actor=gw.worker)  # the community may not approve
    with pytest.raises(Http404):  # no read right at all: outside the scope (the page says 403)
        grants.request_grant(gw.committee, actor=gw.resident_user)
    with pytest.raises(Http404):
        grants.approve_grant(grant, actor=_street_b(gw))
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REQUESTED


def _street_b(ew):
    from gongzhi.core.roles import Role
    from tests.conftest import make_user

    return make_user(Role.STREET_OFFICER, ew.world.street_b, name="关山街道干部")


def test_secretary_full_time_and_the_list(gw, login):
    page = login(gw.worker).get(reverse("estates:grants") + "?tab=secretary").content.decode()
    assert gw.committee.name in page
    grants.set_secretary_full_time(gw.committee, actor=gw.worker, full_time=True)
    gw.committee.refresh_from_db()
    assert gw.committee.secretary_full_time
    page = login(gw.worker).get(reverse("estates:grants") + "?tab=secretary").content.decode()
    assert gw.committee.name not in page
    html = login(gw.worker).get(reverse("estates:committee", args=[gw.committee.pk]))
    assert 'data-testid="secretary-full-time"' in html.content.decode()
    assert AuditRecord.objects.filter(action="estates.secretary_full_time").exists()


# --------------------------------------------------------------------------- pages


def test_panel_buttons_only_for_roles_that_may_use_them(gw, login):
    url = reverse("estates:committee", args=[gw.committee.pk])
    html = login(gw.worker).get(url).content.decode()
    assert 'data-testid="grant-request"' in html and 'data-testid="grant-amount"' in html
    response = login(gw.worker).post(reverse("estates:grant_request", args=[gw.committee.pk]))
    assert response.status_code == 302
    grant = StartupGrant.objects.get()
    html = login(gw.worker).get(url).content.decode()
    assert 'data-testid="grant-request"' not in html  # already requested
    assert 'data-testid="grant-approve"' not in html  # the community may not approve
    html = login(gw.street).get(url).content.decode()
    assert 'data-testid="grant-approve"' in html
    # The worker posting the approval anyway: 403, nothing changes.
    assert (
        login(gw.worker).post(reverse("estates:grant_approve", args=[grant.pk])).status_code == 403
    )
    # A resident: 403; another community's worker: 404.
    assert login(gw.resident_user).get(reverse("estates:grants")).status_code == 403
    assert (
        login(gw.resident_user)
        .post(reverse("estates:grant_request", args=[gw.committee.pk]))
        .status_code
        == 403
    )
    assert (
        login(gw.worker_a2)
        .post(reverse("estates:grant_request", args=[gw.committee.pk]))
        .status_code
        == 404
    )
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REQUESTED
    client = login(gw.street)
    client.post(reverse("estates:grant_approve", args=[grant.pk]), {"next": "list"})
    response = client.post(
        reverse("estates:grant_pay", args=[grant.pk]),
        {"paid_on": "2026-06-01", "payment_ref": "P1"},
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.PAID


def test_bad_input_on_the_pages(gw, login):
    grant = grants.request_grant(gw.committee, actor=gw.worker)
    client = login(gw.street)
    response = client.post(
        reverse("estates:grant_refuse", args=[grant.pk]), {"reason": ""}, follow=True
    )
    assert response.status_code == 200
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REQUESTED
    response = client.post(
        reverse("estates:grant_pay", args=[grant.pk]), {"paid_on": "nope"}, follow=True
    )
    assert response.status_code == 200
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REQUESTED
    assert client.post("/estates/grants/99999/approve/").status_code == 404


def test_the_street_list_is_bounded(gw, login, django_assert_max_num_queries):
    grid = gw.world.grid_a1_1
    for i in range(13):
        estate = make_place(grid, "estate", f"第{i}小区", f"GX{i}")
        committee = services.create_committee(estate, actor=gw.secretary)
        services.set_party_org(
            committee, actor=gw.secretary, form="joint", party_org=_org(gw, f"党支部{i}", estate)
        )
        grants.request_grant(committee, actor=gw.worker)
    assert StartupGrant.objects.count() == 13
    client = login(gw.street)
    for url in (
        reverse("estates:grants"),
        reverse("estates:grants") + "?tab=secretary",
        "/api/v1/startup-grants/",
    ):
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("estates:grants")).content.decode()
    assert page.count('data-testid="grant-approve"') == 13


# --------------------------------------------------------------------------- API


def test_api_request_approve_refuse_pay(gw):
    created = _api(gw.worker).post(
        "/api/v1/startup-grants/", {"committee": gw.committee.pk}, format="json"
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount_fen"] == 500000 and body["status"] == "requested"
    pk = body["id"]
    assert _api(gw.worker).post(f"/api/v1/startup-grants/{pk}/approve/").status_code == 403
    assert _api(gw.resident_user).get("/api/v1/startup-grants/").status_code == 403
    assert _api(gw.worker_a2).get(f"/api/v1/startup-grants/{pk}/").status_code == 404
    street = _api(gw.street)
    assert street.post(f"/api/v1/startup-grants/{pk}/approve/").json()["status"] == "approved"
    again = street.post(f"/api/v1/startup-grants/{pk}/approve/")
    assert again.status_code == 400 and again.json()["detail"]
    paid = street.post(
        f"/api/v1/startup-grants/{pk}/pay/", {"paid_on": "2026-06-01"}, format="json"
    )
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    twice = _api(gw.worker).post(
        "/api/v1/startup-grants/", {"committee": gw.committee.pk}, format="json"
    )
    assert twice.status_code == 400


def test_api_refuse_and_secretary(gw):
    pk = grants.request_grant(gw.committee, actor=gw.worker).pk
    street = _api(gw.street)
    assert street.post(f"/api/v1/startup-grants/{pk}/refuse/", {}, format="json").status_code == 400
    refused = street.post(
        f"/api/v1/startup-grants/{pk}/refuse/", {"reason": "材料不全"}, format="json"
    )
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    done = _api(gw.worker).post(
        f"/api/v1/owners-committees/{gw.committee.pk}/secretary/",
        {"full_time": True},
        format="json",
    )
    assert done.status_code == 200 and done.json()["secretary_full_time"] is True
    assert (
        _api(gw.resident_user)
        .post(
            f"/api/v1/owners-committees/{gw.committee.pk}/secretary/",
            {"full_time": True},
            format="json",
        )
        .status_code
        == 403
    )


def test_api_malformed_ids_and_bodies(gw):
    client = _api(gw.worker)
    assert (
        client.post("/api/v1/startup-grants/", {"committee": "abc"}, format="json").status_code
        == 400
    )
    assert client.post("/api/v1/startup-grants/", {}, format="json").status_code == 400
    assert (
        client.post("/api/v1/startup-grants/", {"committee": 2**40}, format="json").status_code
        == 400
    )
    assert (
        client.post("/api/v1/startup-grants/", {"committee": 999999}, format="json").status_code
        == 404
    )
    street = _api(gw.street)
    assert street.post("/api/v1/startup-grants/abc/approve/").status_code == 404
    assert street.get("/api/v1/startup-grants/abc/").status_code == 404
    pk = grants.request_grant(gw.committee, actor=gw.worker).pk
    assert (
        street.post(
            f"/api/v1/startup-grants/{pk}/pay/", {"paid_on": "yesterday"}, format="json"
        ).status_code
        == 400
    )
    assert (
        _api(gw.worker)
        .post(
            f"/api/v1/owners-committees/{gw.committee.pk}/secretary/",
            {"full_time": "maybe"},
            format="json",
        )
        .status_code
        == 400
    )
    assert StartupGrant.objects.get().status == GrantStatus.REQUESTED
