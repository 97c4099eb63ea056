"""Transfers of membership (issue 23 item 4): between branches on the platform (request →
accept / refuse with a reason / withdraw), to and from outside (a record with the letter's
number); the transition table; pages and API with wrong roles, other branches, bad input."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.urls import reverse

from gongzhi.core.audit import AuditRecord
from gongzhi.party.models import OrgKind, PartyMember, PartyOrg
from gongzhi.partylife import services, workflow
from gongzhi.partylife.models import Transfer, TransferState
from tests.party.conftest import first_household, make_member, make_org, make_resident
from tests.partylife.conftest import _member_user

pytestmark = pytest.mark.django_db


def _refresh(member: PartyMember) -> PartyMember:
    return PartyMember.objects.get(pk=member.pk)


# --------------------------------------------------------------------------- the table


def test_transition_table_is_explicit_and_terminal_states_refuse_every_step():
    assert workflow.TRANSITIONS[(TransferState.REQUESTED, workflow.Step.ACCEPT)] == "accepted"
    assert workflow.TRANSITIONS[(TransferState.REQUESTED, workflow.Step.REFUSE)] == "refused"
    assert workflow.TRANSITIONS[(TransferState.REQUESTED, workflow.Step.WITHDRAW)] == "withdrawn"
    for state in workflow.TERMINAL:
        assert workflow.steps_from(state) == []
        with pytest.raises(workflow.IllegalTransition):
            workflow.target(state, workflow.Step.ACCEPT)


# --------------------------------------------------------------------------- services


def test_request_then_accept_moves_the_member_and_clears_their_secretary_post(life):
    t = services.request_transfer(
        life.secretary, life.other, actor=life.secretary_user, note="搬家"
    )
    assert _refresh(life.secretary).org_id == life.branch.pk  # nothing moves yet
    assert t.state == TransferState.REQUESTED and t.from_org_id == life.branch.pk
    # The receiving branch is not the requester's: only its manager accepts.
    with pytest.raises((PermissionDenied, Http404)):
        services.accept_transfer(t, actor=life.secretary_user)
    done = services.accept_transfer(t, actor=life.cs)
    assert done.state == TransferState.ACCEPTED and done.decided_by == life.cs
    moved = _refresh(life.secretary)
    assert moved.org_id == life.other.pk and moved.place_path == life.other.place_path
    assert PartyOrg.objects.get(pk=life.branch.pk).secretary_id is None
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"partylife.transfer_request", "partylife.transfer_accept"} <= actions
    assert "party_member.transfer" in actions


def test_a_refused_transfer_leaves_the_member_where_they_were(life):
    t = services.request_transfer(life.member, life.other, actor=life.secretary_user)
    with pytest.raises(ValidationError):
        services.refuse_transfer(t, actor=life.cs, reason="  ")
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED
    done = services.refuse_transfer(t, actor=life.cs, reason="接收支部未核实党员身份")
    assert done.state == TransferState.REFUSED and done.refusal_reason == "接收支部未核实党员身份"
    after = _refresh(life.member)
    assert after.org_id == life.branch.pk and after.is_active
    with pytest.raises(ValidationError, match="已"):
        services.accept_transfer(done, actor=life.cs)
    assert _refresh(life.member).org_id == life.branch.pk


def test_withdraw_by_the_sending_branch_only_and_one_open_transfer_per_member(life):
    t = services.request_transfer(life.member, life.other, actor=life.secretary_user)
    with pytest.raises(ValidationError):
        services.request_transfer(life.member, life.committee, actor=life.secretary_user)
    with pytest.raises((PermissionDenied, Http404)):
        services.withdraw_transfer(t, actor=life.outsider_user)
    services.withdraw_transfer(t, actor=life.secretary_user)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.WITHDRAWN
    again = services.request_transfer(life.member, life.other, actor=life.secretary_user)
    assert again.state == TransferState.REQUESTED


def test_request_refused_for_a_plain_member_another_branch_or_a_bad_target(life):
    with pytest.raises((PermissionDenied, Http404)):
        services.request_transfer(life.member, life.other, actor=life.member_user)
    with pytest.raises(Http404):
        services.request_transfer(life.outsider, life.branch, actor=life.secretary_user)
    with pytest.raises(Http404):
        services.request_transfer(life.member, life.other, actor=life.foreign_cs)
    with pytest.raises(ValidationError):
        services.request_transfer(life.member, life.branch, actor=life.secretary_user)
    home = make_org(
        OrgKind.MEMBER_HOUSEHOLD,
        "党员户",
        life.world.grid_a1_1.buildings[0],
        life.branch,
        household=first_household(life.world.grid_a1_1.buildings[0]),
    )
    with pytest.raises(ValidationError):
        services.request_transfer(life.member, home, actor=life.secretary_user)
    assert not Transfer.objects.exists()


def test_accept_refused_when_the_member_moved_meanwhile(life):
    t = services.request_transfer(life.member, life.other, actor=life.secretary_user)
    PartyMember.objects.filter(pk=life.member.pk).update(org=life.committee)
    with pytest.raises(ValidationError):
        services.accept_transfer(t, actor=life.cs)
    assert Transfer.objects.get(pk=t.pk).state == TransferState.REQUESTED
    assert _refresh(life.member).org_id == life.committee.pk


def test_transfer_out_and_in_are_records_with_the_letter_number(life):
    with pytest.raises(ValidationError):
        services.record_transfer_out(life.member, actor=life.cs, outside_org="外区", letter_no="")
    assert _refresh(life.member).is_active
    out = services.record_transfer_out(
        life.member,
        actor=life.secretary_user,
        outside_org="洪山区某单位党支部",
        letter_no="鄂组转2026-017",
    )
    assert out.state == TransferState.RECORDED and out.letter_no == "鄂组转2026-017"
    assert not _refresh(life.member).is_active
    # The secretary (a party member's post) sees no residents: only staff record a transfer in.
    with pytest.raises(Http404):
        services.record_transfer_in(
            life.member.resident,
            life.branch,
            actor=life.secretary_user,
            outside_org="外区",
            letter_no="N-1",
        )
    back = services.record_transfer_in(
        life.member.resident,
        life.branch,
        actor=life.cs,
        outside_org="外区",
        letter_no="鄂组转2026-031",
    )
    assert back.member_id == life.member.pk and _refresh(life.member).is_active
    with pytest.raises(ValidationError):  # already an active member
        services.record_transfer_in(
            life.member.resident, life.other, actor=life.cs, outside_org="外区", letter_no="N-2"
        )


# --------------------------------------------------------------------------- concurrency


@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_one_wins(life):
    t = services.request_transfer(life.member, life.other, actor=life.secretary_user)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def go(call) -> None:
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=go, args=(lambda: services.accept_transfer(t, actor=life.cs),)),
        threading.Thread(
            target=go, args=(lambda: services.refuse_transfer(t, actor=life.cs, reason="重复"),)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    done = [r for r in results if isinstance(r, Transfer)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(done) == 1 and len(refused) == 1, results
    final = Transfer.objects.get(pk=t.pk)
    moved = _refresh(life.member).org_id == life.other.pk
    assert moved == (final.state == TransferState.ACCEPTED)


# --------------------------------------------------------------------------- pages


def test_transfer_page_request_and_accept_through_the_pages(life, client):
    client.force_login(life.secretary_user)
    url = reverse("partylife:transfers", args=[life.branch.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="transfer-request"' in page.content.decode()
    assert 'data-testid="transfer-in"' not in page.content.decode()  # no residents for them
    client.post(url, {"form": "request", "member": life.member.pk, "to_org": life.other.pk})
    t = Transfer.objects.get()
    page = client.get(url).content.decode()
    assert "等待接收" in page and 'data-testid="transfer-accept"' not in page
    client.force_login(life.cs)
    other = reverse("partylife:transfers", args=[life.other.pk])
    assert 'data-testid="transfer-accept"' in client.get(other).content.decode()
    client.post(reverse("partylife:transfer_step", args=[t.pk, "refuse"]), {"reason": ""})
    assert Transfer.objects.get().state == TransferState.REQUESTED  # a reason is needed
    client.post(reverse("partylife:transfer_step", args=[t.pk, "accept"]))
    assert _refresh(life.member).org_id == life.other.pk


def test_transfer_pages_wrong_role_and_other_branch(life, client):
    t = services.request_transfer(life.member, life.other, actor=life.secretary_user)
    url = reverse("partylife:transfers", args=[life.branch.pk])
    client.force_login(life.member_user)  # the member concerned: sees it, may not act
    page = client.get(url).content.decode()
    assert 'data-testid="transfer-request"' not in page and "transfer-row" in page
    assert 'data-testid="transfer-accept"' not in page and "withdraw" not in page
    assert client.post(url, {"form": "request", "member": life.member.pk}).status_code == 403
    assert client.post(reverse("partylife:transfer_step", args=[t.pk, "accept"])).status_code == 403
    home = first_household(life.world.grid_a1_1.buildings[1])
    mate = make_member(make_resident(home, "同支部党员"), life.branch)
    mate_user = _member_user(mate.resident, life.world.community_a1)
    client.force_login(mate_user)  # a branch-mate sees the branch's page, not the transfer
    page = client.get(url).content.decode()
    assert page and "transfer-row" not in page and 'data-testid="transfer-request"' not in page
    assert client.post(reverse("partylife:transfer_step", args=[t.pk, "accept"])).status_code == 404
    client.force_login(life.outsider_user)  # a member of the receiving branch, not its secretary
    assert client.get(url).status_code == 404
    assert client.post(reverse("partylife:transfer_step", args=[t.pk, "accept"])).status_code == 404
    client.force_login(life.foreign_cs)
    assert client.get(url).status_code == 404
    client.force_login(life.secretary_user)  # the sender may not accept for the receiver
    assert client.post(reverse("partylife:transfer_step", args=[t.pk, "accept"])).status_code == 403
    assert client.post(reverse("partylife:transfer_step", args=[t.pk, "nope"])).status_code == 404
    assert _refresh(life.member).org_id == life.branch.pk


def test_transfer_page_bad_input_is_a_chinese_message(life, client):
    client.force_login(life.cs)
    url = reverse("partylife:transfers", args=[life.branch.pk])
    page = client.post(
        url,
        {"form": "out", "member": life.member.pk, "outside_org": "外区", "letter_no": ""},
        follow=True,
    )
    assert page.status_code == 200 and "介绍信编号" in page.content.decode()
    assert client.post(url, {"form": "bogus"}).status_code == 404
    page = client.post(url, {"form": "request", "member": "x", "to_org": "y"}, follow=True)
    assert page.status_code == 200
    assert not Transfer.objects.exists() and _refresh(life.member).is_active


def test_transfer_list_of_many_rows_in_bounded_queries(life, client, django_assert_max_num_queries):
    home = first_household(life.world.grid_a1_1.buildings[1])
    for i in range(13):
        m = make_member(make_resident(home, f"转出{i}"), life.branch)
        services.request_transfer(m, life.other, actor=life.cs)
    client.force_login(life.cs)
    with django_assert_max_num_queries(30):
        page = client.get(reverse("partylife:transfers", args=[life.other.pk]))
    assert page.content.decode().count('data-testid="transfer-row"') == 13


# --------------------------------------------------------------------------- API


def test_api_transfers_scoped_wrong_role_and_malformed(life, client):
    client.force_login(life.member_user)
    r = client.post(
        "/api/v1/party-transfers/",
        {"kind": "internal", "member": life.member.pk, "to_org": life.other.pk},
        content_type="application/json",
    )
    assert r.status_code == 403
    client.force_login(life.secretary_user)
    for body in (
        {"kind": "internal", "member": "x"},
        {"kind": "nope"},
        {"kind": "out", "member": life.member.pk},
        {"kind": "internal", "member": life.member.pk, "to_org": 2**40},
    ):
        assert (
            client.post(
                "/api/v1/party-transfers/", body, content_type="application/json"
            ).status_code
            == 400
        )
    r = client.post(
        "/api/v1/party-transfers/",
        {"kind": "internal", "member": life.member.pk, "to_org": 999999},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/party-transfers/",
        {"kind": "internal", "member": life.member.pk, "to_org": life.other.pk, "note": "随子女"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert client.post(f"/api/v1/party-transfers/{pk}/accept/").status_code == 403
    client.force_login(life.foreign_cs)
    assert client.get(f"/api/v1/party-transfers/{pk}/").status_code == 404
    assert client.post(f"/api/v1/party-transfers/{pk}/accept/").status_code == 404
    client.force_login(life.outsider_user)  # a member elsewhere: sees nothing of it
    assert client.get("/api/v1/party-transfers/").json()["results"] == []
    client.force_login(life.cs)
    assert (
        client.post(
            f"/api/v1/party-transfers/{pk}/refuse/", {}, content_type="application/json"
        ).status_code
        == 400
    )
    r = client.post(
        f"/api/v1/party-transfers/{pk}/refuse/",
        {"reason": "材料不全"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "refused"
    assert client.post(f"/api/v1/party-transfers/{pk}/accept/").status_code == 400
    assert _refresh(life.member).org_id == life.branch.pk
    client.force_login(life.member_user)  # the member sees their own transfer
    rows = client.get("/api/v1/party-transfers/").json()["results"]
    assert [row["id"] for row in rows] == [pk]
