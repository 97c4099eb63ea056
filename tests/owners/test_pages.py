"""Every owners' page renders for the right role and refuses the wrong one; the API too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.owners import services
from gongzhi.owners.models import Ballot, OwnersVote, RollEntry
from gongzhi.places.models import Household
from tests.owners.conftest import START

pytestmark = pytest.mark.django_db


def test_staff_pages_render(estate_world, open_vote, login, django_assert_max_num_queries):
    ew = estate_world
    vote = open_vote()
    client = login(ew.cw)
    assert client.get(reverse("owners:index")).status_code == 200
    with django_assert_max_num_queries(20):
        page = client.get(reverse("owners:estate", args=[ew.estate.pk]))
    assert page.status_code == 200 and "吴业主" in page.content.decode()
    with django_assert_max_num_queries(25):
        page = client.get(reverse("owners:vote", args=[vote.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and RollEntry.objects.first().ballot_id in body


def test_owner_votes_through_the_page(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    client = login(ew.owner_user)
    assert vote.title in client.get(reverse("owners:index")).content.decode()
    page = client.get(reverse("owners:vote", args=[vote.pk]))
    assert page.status_code == 200 and 'name="choice"' in page.content.decode()
    response = client.post(reverse("owners:vote_action", args=[vote.pk, "cast"]), {"choice": "yes"})
    assert response.status_code == 302
    assert Ballot.objects.get().choice == "yes"
    # a second post is refused with a message, nothing written
    response = client.post(
        reverse("owners:vote_action", args=[vote.pk, "cast"]), {"choice": "no"}, follow=True
    )
    assert "already" in response.content.decode() or "已" in response.content.decode()
    assert Ballot.objects.count() == 1


def test_result_page_shows_each_threshold(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    services.cast_online(ew.owner_user, vote, "yes")
    clock.set_now(START + dt.timedelta(days=8))
    client = login(ew.cw)
    response = client.post(reverse("owners:vote_action", args=[vote.pk, "close"]))
    assert response.status_code == 302
    page = client.get(reverse("owners:result", args=[vote.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "89.50 / 209.50 m²" in body and "1 / 2" in body
    assert "✗" in body and "✓" in body
    vote.refresh_from_db()
    assert vote.result_hash in body
    # the owner sees the result too
    assert login(ew.owner_user).get(reverse("owners:result", args=[vote.pk])).status_code == 200


def test_staff_creates_and_opens_through_pages(estate_world, login):
    ew = estate_world
    clock.set_now(START)
    client = login(ew.cw)
    client.post(reverse("owners:estate_action", args=[ew.estate.pk, "import"]))
    client.post(
        reverse("owners:estate_action", args=[ew.estate.pk, "owner"]),
        {"name": "非居民业主", "label": "商铺 S1", "area_m2": "45.2"},
    )
    response = client.post(
        reverse("owners:estate_action", args=[ew.estate.pk, "vote"]),
        {
            "title": "使用维修资金",
            "matter": "major",
            "co_owner_rule": "any",
            "opens_at": "2026-05-01T10:00",
            "closes_at": "2026-05-08T10:00",
        },
    )
    vote = OwnersVote.objects.get()
    assert response.status_code == 302
    client.post(reverse("owners:vote_action", args=[vote.pk, "open"]))
    vote.refresh_from_db()
    assert vote.status == "open" and vote.total_owners == 3


def test_bad_vote_form_gives_message(estate_world, login):
    ew = estate_world
    response = login(ew.cw).post(
        reverse("owners:estate_action", args=[ew.estate.pk, "vote"]),
        {"title": "", "matter": "x", "opens_at": "bad", "closes_at": ""},
        follow=True,
    )
    assert response.status_code == 200 and not OwnersVote.objects.exists()
    assert (
        "close after it opens" in response.content.decode() or "晚于" in response.content.decode()
    )


def test_wrong_roles_refused(estate_world, open_vote, login, client):
    ew = estate_world
    vote = open_vote()
    assert login(ew.gw).get(reverse("owners:estate", args=[ew.estate.pk])).status_code == 403
    assert login(ew.cw_other).get(reverse("owners:estate", args=[ew.estate.pk])).status_code == 404
    assert login(ew.cw_other).get(reverse("owners:vote", args=[vote.pk])).status_code == 404
    # a tenant (not on the roll) does not see the vote
    assert login(ew.tenant_user).get(reverse("owners:vote", args=[vote.pk])).status_code == 404
    # an owner cannot enter paper ballots or close
    owner = login(ew.owner_user)
    entry = RollEntry.objects.first()
    response = owner.post(
        reverse("owners:vote_action", args=[vote.pk, "paper"]),
        {"ballot_id": entry.ballot_id, "choice": "yes", "scan_ref": "S"},
    )
    assert response.status_code in (403, 404)
    assert owner.get(reverse("owners:estate", args=[ew.estate.pk])).status_code in (403, 404)
    client.logout()
    assert client.get(reverse("owners:index")).status_code == 302
    assert not Ballot.objects.exists()


def test_api_cast_and_refusals(estate_world, open_vote, login):
    ew = estate_world
    vote = open_vote()
    owner = login(ew.owner_user)
    listing = owner.get("/api/v1/owners-votes/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    response = owner.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "maybe"})
    assert response.status_code == 400 and response.json()["detail"]
    response = owner.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"})
    assert response.status_code == 201
    response = owner.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "no"})
    assert response.status_code == 400
    tenant = login(ew.tenant_user)
    assert (
        tenant.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"}).status_code == 404
    )
    staff = login(ew.cw)
    response = staff.post(
        f"/api/v1/owners-votes/{vote.pk}/paper/",
        {"ballot_id": "FORGED0000000000", "choice": "yes", "scan_ref": "S"},
    )
    detail = response.json()["detail"]
    assert response.status_code == 400 and ("ballot" in detail.lower() or "选票" in detail)
    # a grid worker browses the votes of the grid read-only, and cannot enter ballots
    gw = login(ew.gw)
    assert gw.get(f"/api/v1/owners-votes/{vote.pk}/").status_code == 200
    entry = RollEntry.objects.first()
    response = gw.post(
        f"/api/v1/owners-votes/{vote.pk}/paper/",
        {"ballot_id": entry.ballot_id, "choice": "yes", "scan_ref": "S"},
    )
    assert response.status_code == 403
    outsider = login(ew.outsider)
    assert outsider.get(f"/api/v1/owners-votes/{vote.pk}/").status_code == 404
    assert (
        outsider.post(f"/api/v1/owners-votes/{vote.pk}/cast/", {"choice": "yes"}).status_code == 404
    )
    assert Ballot.objects.count() == 1


def test_owner_page_edits_the_roll(estate_world, login):
    ew = estate_world
    services.import_roll(ew.cw, ew.estate)
    from gongzhi.owners.models import Owner
    from gongzhi.people.models import Resident

    wu = Owner.objects.get(name="吴业主")
    spouse = Resident.objects.create(
        name="配偶",
        name_initials="po",
        gender="M",
        household=ew.homes[0],
        relation="spouse",
        place_path=ew.building.path,
    )
    client = login(ew.cw)
    page = client.get(reverse("owners:owner", args=[wu.pk]))
    assert page.status_code == 200 and "配偶" in page.content.decode()  # a candidate co-owner
    client.post(
        reverse("owners:owner_action", args=[wu.pk, "property"]),
        {"label": "车位 B3", "area_m2": "12.5"},
    )
    prop = wu.properties.get(label="车位 B3")
    client.post(
        reverse("owners:owner_action", args=[wu.pk, "area"]),
        {"property": prop.pk, "area_m2": "13"},
    )
    client.post(
        reverse("owners:owner_action", args=[wu.pk, "co_owner"]),
        {"resident": spouse.pk, "representative": "1"},
    )
    prop.refresh_from_db()
    assert str(prop.area_m2) == "13.00"
    assert wu.members.get(is_representative=True).resident == spouse
    response = client.post(
        reverse("owners:owner_action", args=[wu.pk, "area"]),
        {"property": prop.pk, "area_m2": "-1"},
        follow=True,
    )
    assert "square metres" in response.content.decode() or "平方米" in response.content.decode()
    assert login(ew.gw).get(reverse("owners:owner", args=[wu.pk])).status_code == 403
    assert login(ew.cw_other).get(reverse("owners:owner", args=[wu.pk])).status_code == 404


def test_roll_and_vote_pages_queries_do_not_grow(
    estate_world, open_vote, login, django_assert_max_num_queries
):
    ew = estate_world
    Household.objects.bulk_create(
        Household(
            building=ew.building,
            unit_no="3",
            room_no=f"{i + 101}",
            place_path=ew.building.path,
            exclusive_area_m2=Decimal("75.5"),
        )
        for i in range(28)
    )
    vote = open_vote()
    for entry in RollEntry.objects.filter(vote=vote)[:20]:
        services.enter_paper(ew.cw, vote, ballot_id=entry.ballot_id, choice="yes", scan_ref="S")
    client = login(ew.cw)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("owners:estate", args=[ew.estate.pk]))
    assert page.status_code == 200 and page.content.decode().count("owners/owner/") == 30
    with django_assert_max_num_queries(25):
        page = client.get(reverse("owners:vote", args=[vote.pk]))
    assert page.status_code == 200 and page.content.decode().count("SCAN") == 0
    assert page.content.decode().count("<code>") == 30
