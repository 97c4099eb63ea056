"""Pages and API of the fuller vanguard index: a member reads their own score and its parts,
never another's; the branch's table with its parts in bounded queries; a different branch's
secretary is refused; declarations reviewed once under concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from gongzhi.core import clock
from gongzhi.partylife import services
from gongzhi.partylife.models import IndexItem, IndexItemState
from tests.party.conftest import first_household, make_member, make_resident


def _declare(life, text="认领楼前绿地"):
    return services.declare_item(
        actor=life.member_user,
        kind="bonus",
        code="greening",
        occurred_on=clock.today(),
        text=text,
    )


@pytest.mark.django_db
def test_member_reads_own_index_with_every_part(life, client):
    item = _declare(life)
    services.review_item(item, actor=life.secretary_user, accept=True)
    client.force_login(life.member_user)
    page = client.get(reverse("partylife:index_mine"))
    body = page.content.decode()
    assert page.status_code == 200
    for part in ("attendance", "dues", "study", "service", "bonus", "deduction"):
        assert f'data-testid="index-part-{part}"' in body
    assert "认领楼前绿地" in body
    # Rounded numbers only.
    assert "3333" not in body and "6666" not in body
    api = client.get("/api/v1/party-index/mine/")
    assert api.status_code == 200
    data = api.json()
    assert data["member"] == life.member.pk
    assert {p["name"] for p in data["parts"]} >= {"attendance", "bonus"}
    bonus = next(p for p in data["parts"] if p["name"] == "bonus")
    assert bonus["points"] == "2.0"


@pytest.mark.django_db
def test_a_member_sees_only_their_own_score(life, client):
    _declare(life)
    client.force_login(life.outsider_user)
    page = client.get(reverse("partylife:index_mine"))
    assert life.member.resident.name not in page.content.decode()
    # Another branch's table and its API: not visible.
    assert client.get(reverse("partylife:index_branch", args=[life.branch.pk])).status_code == 404
    assert client.get(f"/api/v1/party-index/orgs/{life.branch.pk}/").status_code == 404
    assert client.get("/api/v1/party-index-items/").json()["count"] == 0
    # A member of the branch (not its secretary): the table is refused.
    client.force_login(life.member_user)
    assert client.get(reverse("partylife:index_branch", args=[life.branch.pk])).status_code == 403
    assert client.get(f"/api/v1/party-index/orgs/{life.branch.pk}/").status_code == 403


@pytest.mark.django_db
def test_another_branch_secretary_is_refused(life, client):
    item = _declare(life)
    life.other.secretary = life.outsider
    life.other.save(update_fields=["secretary"])
    client.force_login(life.outsider_user)
    assert client.get(reverse("partylife:index_branch", args=[life.other.pk])).status_code == 200
    assert client.get(reverse("partylife:index_branch", args=[life.branch.pk])).status_code == 404
    assert client.get(f"/api/v1/party-index/orgs/{life.branch.pk}/").status_code == 404
    client.post(reverse("partylife:index_review", args=[item.pk]), {"decision": "accept"})
    answer = client.post(
        f"/api/v1/party-index-items/{item.pk}/review/", {"decision": "accept"}, "application/json"
    )
    assert answer.status_code == 404
    assert IndexItem.objects.get(pk=item.pk).state == IndexItemState.PENDING
    # The foreign street's community secretary: not visible either.
    client.force_login(life.foreign_cs)
    assert client.get(reverse("partylife:index_branch", args=[life.branch.pk])).status_code == 404


@pytest.mark.django_db
def test_branch_table_lists_many_members_in_bounded_queries(
    life, client, django_assert_max_num_queries
):
    home = first_household(life.world.grid_a1_1.buildings[1])
    for i in range(13):
        make_member(make_resident(home, f"党员{i}"), life.branch)
    for i in range(3):
        _declare(life, text=f"申报{i}")
    client.force_login(life.secretary_user)
    with django_assert_max_num_queries(45):
        page = client.get(reverse("partylife:index_branch", args=[life.branch.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="index-score-row"') == 15
    assert body.count('data-testid="index-pending-row"') == 3
    with django_assert_max_num_queries(40):
        api = client.get(f"/api/v1/party-index/orgs/{life.branch.pk}/")
    assert api.status_code == 200 and api.json()["count"] == 15


@pytest.mark.django_db
def test_declare_and_review_through_the_pages(life, client):
    client.force_login(life.member_user)
    answer = client.post(
        reverse("partylife:index_declare"),
        {
            "item": "bonus:neighbour_help",
            "occurred_on": clock.today().isoformat(),
            "text": "帮邻居修水管",
        },
    )
    assert answer.status_code == 302
    item = IndexItem.objects.get()
    # A bad date: the form again with the error, nothing written.
    future = (clock.today() + dt.timedelta(days=3)).isoformat()
    again = client.post(
        reverse("partylife:index_declare"),
        {"item": "bonus:neighbour_help", "occurred_on": future, "text": "x"},
    )
    assert again.status_code == 200 and IndexItem.objects.count() == 1
    client.force_login(life.secretary_user)
    client.post(reverse("partylife:index_review", args=[item.pk]), {"decision": "refuse"})
    assert IndexItem.objects.get().state == IndexItemState.PENDING  # a refusal needs a reason
    client.post(
        reverse("partylife:index_review", args=[item.pk]),
        {"decision": "refuse", "reason": "缺少证明"},
    )
    item.refresh_from_db()
    assert (item.state, item.refusal_reason) == (IndexItemState.REFUSED, "缺少证明")
    client.post(
        reverse("partylife:index_record", args=[life.branch.pk]),
        {
            "member": life.member.pk,
            "item": "veto:sanction",
            "occurred_on": clock.today().isoformat(),
            "text": "受到党内警告处分",
        },
    )
    veto = IndexItem.objects.get(kind="veto")
    assert veto.state == IndexItemState.ACCEPTED and not veto.self_declared
    client.force_login(life.member_user)
    page = client.get(reverse("partylife:index_mine")).content.decode()
    assert 'data-testid="index-veto"' in page and "受到党内警告处分" in page


@pytest.mark.django_db
def test_api_declares_and_rejects_bad_input(life, client):
    client.force_login(life.member_user)
    made = client.post(
        "/api/v1/party-index-items/",
        {
            "kind": "bonus",
            "code": "honour",
            "occurred_on": clock.today().isoformat(),
            "text": "获评优秀党员",
        },
        "application/json",
    )
    assert made.status_code == 201
    for body in (
        {"kind": "veto", "code": "sanction", "occurred_on": "2026-01-01", "text": "x"},
        {"kind": "bonus", "code": "nope", "occurred_on": "2026-01-01", "text": "x"},
        {"kind": "bonus", "code": "honour", "occurred_on": "not a date", "text": "x"},
        [],
    ):
        assert (
            client.post("/api/v1/party-index-items/", body, "application/json").status_code == 400
        )
    assert (
        client.post("/api/v1/party-index-items/abc/review/", {}, "application/json").status_code
        == 404
    )
    assert client.get("/api/v1/party-index/mine/?year=abc&n=x").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_declaration_is_never_reviewed_twice(life):
    item = _declare(life)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def review(actor, accept) -> None:
        try:
            barrier.wait()
            results.append(
                services.review_item(item, actor=actor, accept=accept, reason="理由不足")
            )
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review, args=(life.secretary_user, True)),
        threading.Thread(target=review, args=(life.cs, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done = [r for r in results if isinstance(r, IndexItem)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 1, results
    item.refresh_from_db()
    assert item.state == done[0].state
