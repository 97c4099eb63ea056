"""/api/v1/selections/: lists, nominees, vote, panel score; wrong roles; malformed input."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from gongzhi.selections import services
from gongzhi.selections.models import PanelScore, Vote
from tests.selections.conftest import fresh

pytestmark = pytest.mark.django_db

FULL = {"tidy": 20, "harmony": 20, "party_example": 20, "governance": 20, "civility": 20}


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_list_and_detail(sw, voting):
    answer = api(sw.resident).get("/api/v1/selections/")
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [voting.selection.pk]
    detail = api(sw.officer).get(f"/api/v1/selections/{voting.selection.pk}/").json()
    assert [c["code"] for c in detail["criteria"]][0] == "tidy" and detail["stage"] == "voting"
    assert api(sw.officer_b).get("/api/v1/selections/").json()["results"] == []
    assert api(sw.officer_b).get(f"/api/v1/selections/{voting.selection.pk}/").status_code == 404


def test_nominees_are_scoped(sw, voting):
    url = f"/api/v1/selections/{voting.selection.pk}/nominees/"
    mine = {row["id"] for row in api(sw.resident).get(url).json()["results"]}
    assert mine == {voting.n1.pk, voting.n2.pk}
    everyone = {row["id"] for row in api(sw.officer).get(url).json()["results"]}
    assert everyone == {voting.n1.pk, voting.n2.pk, voting.n3.pk}
    assert api(sw.resident).get(url).json()["results"][0]["result"] is None


def test_vote(sw, voting):
    url = f"/api/v1/selections/{voting.selection.pk}/vote/"
    answer = api(sw.resident).post(url, {"nominee": voting.n1.pk}, format="json")
    assert answer.status_code == 201 and answer.json() == {"slot": 1}
    again = api(sw.resident).post(url, {"nominee": voting.n1.pk}, format="json")
    assert again.status_code == 400 and Vote.objects.count() == 1
    # another community's nominee: not found; staff: forbidden
    assert api(sw.resident).post(url, {"nominee": voting.n3.pk}, format="json").status_code == 404
    assert api(sw.secretary).post(url, {"nominee": voting.n1.pk}, format="json").status_code == 403
    assert Vote.objects.count() == 1


@pytest.mark.parametrize(
    "body", [{}, {"nominee": "x"}, {"nominee": -1}, {"nominee": 10**12}, [], "junk"]
)
def test_vote_malformed(sw, voting, body):
    url = f"/api/v1/selections/{voting.selection.pk}/vote/"
    answer = api(sw.resident).post(url, body, format="json")
    assert answer.status_code == 400 and not Vote.objects.exists()


def test_malformed_ids_never_500(sw, voting):
    client = api(sw.resident)
    assert client.get("/api/v1/selections/abc/").status_code == 404
    assert client.get("/api/v1/selections/99999999999999/nominees/").status_code == 404


def test_score(sw, voting):
    url = f"/api/v1/selections/{voting.selection.pk}/score/"
    answer = api(sw.officer).post(url, {"nominee": voting.n1.pk, "points": FULL}, format="json")
    assert answer.status_code == 200 and answer.json()["tidy"] == 20
    too_many = {**FULL, "tidy": 21}
    answer = api(sw.officer).post(url, {"nominee": voting.n1.pk, "points": too_many}, format="json")
    assert answer.status_code == 400 and "tidy" in answer.json()
    bad = api(sw.officer).post(url, {"nominee": voting.n1.pk, "points": "x"}, format="json")
    assert bad.status_code == 400
    # not on the panel: 403 in scope, 404 out of it; residents: no right at all
    answer = api(sw.secretary_a2).post(
        url, {"nominee": voting.n3.pk, "points": FULL}, format="json"
    )
    assert answer.status_code == 403
    answer = api(sw.officer_b).post(url, {"nominee": voting.n1.pk, "points": FULL}, format="json")
    assert answer.status_code == 404
    assert PanelScore.objects.filter(member=sw.officer, points=20).count() == 5
    assert PanelScore.objects.count() == 5


def test_published_results_in_the_api(sw, voting):
    services.vote(actor=sw.resident, nominee=fresh(voting.n1))
    services.set_stage(actor=sw.officer, selection=voting.selection, step="close")
    services.publish(actor=sw.officer, selection=voting.selection)
    rows = api(sw.resident).get(f"/api/v1/selections/{voting.selection.pk}/nominees/").json()
    results = {row["id"]: row["result"] for row in rows["results"]}
    assert len(results) == 3 and results[voting.n1.pk]["rank"] == 1


def test_unrelated_role_is_refused(sw, world):
    from gongzhi.core.roles import Role
    from tests.conftest import make_user

    merchant = make_user(Role.MERCHANT, world.community_a1)
    assert api(merchant).get("/api/v1/selections/").status_code == 403
