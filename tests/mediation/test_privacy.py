"""Item 6: a case's content is visible only to its mediators and the committee's staff. A grid
worker sees that a case exists for a household of the grid, never its content; a party member
of the same community who is not its mediator is refused; figures never name parties."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from rest_framework.test import APIClient

from gongzhi.core import clock
from gongzhi.mediation import selectors, services
from gongzhi.mediation.models import Side

from .conftest import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(mw):
    made = open_case(mw)
    services.add_party(
        made, actor=mw.worker, side=Side.APPLICANT, name="张秘密", phone="13812345678"
    )
    return made


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_mediators_and_the_committee_staff_read_the_content(mw, case, login):
    for user in (mw.secretary, mw.worker, mw.member_user, mw.street):
        assert selectors.readable_cases(user).filter(pk=case.pk).exists(), user
        page = login(user).get(reverse("mediation:case", args=[case.pk]))
        assert page.status_code == 200
        assert "张秘密" in page.content.decode()
        assert _api(user).get(f"/api/v1/mediation-cases/{case.pk}/").status_code == 200


def test_a_grid_worker_sees_only_that_a_case_exists_in_the_grid(mw, case, login):
    client = login(mw.grid_worker)
    listing = client.get(reverse("mediation:index"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert case.number in html
    assert "张秘密" not in html and case.title not in html
    assert client.get(reverse("mediation:case", args=[case.pk])).status_code == 404
    api = _api(mw.grid_worker)
    rows = api.get("/api/v1/mediation-cases/").json()["results"]
    assert [(r["number"], r["readable"], r["title"], r["state"]) for r in rows] == [
        (case.number, False, None, None)
    ]
    assert api.get(f"/api/v1/mediation-cases/{case.pk}/").status_code == 404
    assert client.post(reverse("mediation:case_act", args=[case.pk, "close"])).status_code == 404
    # A grid worker of the other grid does not even learn it exists.
    other = login(mw.other_grid_worker).get(reverse("mediation:index")).content.decode()
    assert case.number not in other


def test_a_party_member_of_the_same_community_is_refused_the_content(mw, case, login):
    client = login(mw.outsider_member)
    assert client.get(reverse("mediation:case", args=[case.pk])).status_code == 404
    assert case.number not in client.get(reverse("mediation:index")).content.decode()
    assert _api(mw.outsider_member).get(f"/api/v1/mediation-cases/{case.pk}/").status_code == 404
    response = _api(mw.outsider_member).post(
        f"/api/v1/mediation-cases/{case.pk}/close/", {}, format="json"
    )
    assert response.status_code == 404
    with pytest.raises((Http404, PermissionDenied)):
        services.start(case, actor=mw.outsider_member)
    with pytest.raises((Http404, PermissionDenied)):
        services.start(case, actor=mw.grid_worker)


def test_a_retired_mediator_loses_the_case(mw, case, login):
    services.set_mediator_active(mw.elder, actor=mw.secretary, active=False)
    assert login(mw.member_user).get(reverse("mediation:case", args=[case.pk])).status_code == 404


def test_staff_of_the_neighbouring_community_see_nothing(mw, case, login):
    client = login(mw.worker_a2)
    assert client.get(reverse("mediation:case", args=[case.pk])).status_code == 404
    assert case.number not in client.get(reverse("mediation:index")).content.decode()


def test_the_figures_never_name_a_party(mw, case, login):
    services.start(case, actor=mw.worker)
    html = login(mw.street).get(reverse("mediation:figures") + "?year=2026").content.decode()
    assert "张秘密" not in html and case.title not in html
    assert clock.today().year == 2026
