"""Correcting a wrongly credited award: staff reverse the entry (the ledger's only correction),
with a reason, once; refused for the wrong role, out of scope, for what is not an award, and
when the resident has spent the points meanwhile. Service, staff page and API."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from gongzhi.core import ledger
from gongzhi.core.models import AuditRecord, LedgerEntry
from gongzhi.volunteering import points, services

API = "/api/v1"


def _balance(user):
    return ledger.balance(points.points_account(user.resident))


@pytest.fixture
def award(vol):
    """20 points for two hours of service, credited to 吴秀英 by mistake."""
    return points.earn(
        vol.res1.resident,
        "service_hour",
        source=("volunteering.Activity", 9),
        units=2,
        actor=vol.cw,
        reason_text="敬老院陪护",
    )


def _reverse(actor, entry, kind="not_attended", reason="签到的是她的家人"):
    return services.reverse_award(entry.pk, actor=actor, reason_kind=kind, reason=reason)


def test_staff_reverse_an_award_once_with_the_reason_on_the_statement(vol, award):
    assert _balance(vol.res1) == 20
    done = _reverse(vol.cw, award)
    assert done.created and done.entry.reverses_id == award.pk
    assert (done.entry.debit_id, done.entry.credit_id) == (award.credit_id, award.debit_id)
    assert _balance(vol.res1) == 0
    assert "签到的是她的家人" in done.entry.reason_text
    record = AuditRecord.objects.get(action="volunteering.award_reverse")
    assert record.changes["entry"] == award.pk and "not_attended" in record.reason
    # Reversing twice: the first reversal comes back, nothing more is written.
    again = _reverse(vol.street, award, kind="duplicate", reason="再点一次")
    assert not again.created and again.entry.pk == done.entry.pk
    assert LedgerEntry.objects.count() == 2 and _balance(vol.res1) == 0
    assert AuditRecord.objects.filter(action="volunteering.award_reverse").count() == 1
    assert ledger.verify_ledger().ok


def test_wrong_role_and_out_of_scope_are_refused(vol, award):
    with pytest.raises(PermissionDenied):
        _reverse(vol.gw, award)  # sees volunteers, may not adjust points
    with pytest.raises(PermissionDenied):
        _reverse(vol.district, award)
    with pytest.raises(Http404):
        _reverse(vol.cw_other, award)  # another community's worker
    with pytest.raises(Http404):
        _reverse(vol.res1, award)  # the resident herself
    with pytest.raises(Http404):
        services.reverse_award(999999, actor=vol.cw, reason_kind="other", reason="x")
    assert _balance(vol.res1) == 20 and LedgerEntry.objects.count() == 1


def test_refused_when_the_points_were_spent_meanwhile(vol, award, world):
    ledger.transfer(
        debit=points.points_account(vol.res1.resident),
        credit=points.sink_account(world.community_a1),
        amount=15,
        reason="redeem",
        idempotency_key="spent",
    )
    with pytest.raises(ValidationError) as info:
        _reverse(vol.cw, award)
    message = " ".join(info.value.messages)
    assert "already used" in message and "5 points left" in message and "20 points" in message
    assert _balance(vol.res1) == 5
    assert not LedgerEntry.objects.filter(reverses=award).exists()
    assert not AuditRecord.objects.filter(action="volunteering.award_reverse").exists()


def test_only_awards_are_reversed_here_and_bad_input_writes_nothing(vol, award, world):
    points.earn(vol.res1.resident, "activity", source=("x.Y", 2))  # 5 more: 25 in all
    spending = ledger.transfer(
        debit=points.points_account(vol.res1.resident),
        credit=points.sink_account(world.community_a1),
        amount=1,
        reason="redeem",
        idempotency_key="spent-1",
    )
    with pytest.raises(ValidationError, match="Only points or hours"):
        _reverse(vol.cw, spending)
    with pytest.raises(ValidationError) as info:
        _reverse(vol.cw, award, kind="mood")
    assert "reason_kind" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _reverse(vol.cw, award, reason="  ")
    assert "reason" in info.value.message_dict
    done = _reverse(vol.cw, award)
    with pytest.raises(ValidationError, match="Only points or hours"):
        _reverse(vol.cw, done.entry)  # a reversal is not reversed again
    assert LedgerEntry.objects.filter(reverses__isnull=False).count() == 1


def test_time_bank_hours_are_reversed_the_same_way(vol):
    deposit = points.deposit_hours(
        vol.res1.resident, 90, source=("volunteering.Activity", 3), key="h1", actor=vol.cw
    )
    _reverse(vol.cw, deposit, kind="wrong_amount", reason="只服务了半小时")
    assert ledger.balance(points.hours_account(vol.res1.resident)) == 0


def test_a_reversed_award_no_longer_counts_towards_the_daily_cap(vol, set_profile):
    set_profile("points:\n  per_service_hour: 10\n  daily_cap: 25\n")
    resident = vol.res1.resident
    wrong = points.earn(resident, "service_hour", source=("x.Y", 1), units=2)
    _reverse(vol.cw, wrong, kind="wrong_person", reason="记到了别人名下")
    right = points.earn_result(resident, "service_hour", source=("x.Y", 2), units=2)
    assert right.amount == 20 and right.reason == ""


# --------------------------------------------------------------------------- the staff page


def _page(resident):
    return reverse("volunteering:resident_points", args=[resident.pk])


def test_staff_page_shows_the_statement_and_reverses_from_a_button(vol, award, login):
    client = login(vol.cw)
    body = client.get(_page(vol.res1.resident)).content.decode()
    assert 'data-testid="points-balance">20<' in body and "敬老院陪护" in body
    assert f'data-testid="reverse-{award.pk}"' in body
    data = {"entry": award.pk, "reason_kind": "duplicate", "reason": "重复录入"}
    response = client.post(_page(vol.res1.resident), data, follow=True)
    body = response.content.decode()
    assert "The award is reversed." in body and 'data-testid="points-balance">0<' in body
    assert f'data-testid="reverse-{award.pk}"' not in body and "reversed" in body
    again = client.post(_page(vol.res1.resident), data, follow=True).content.decode()
    assert "already been reversed" in again
    assert LedgerEntry.objects.count() == 2


def test_staff_page_shows_a_refusal_and_is_refused_to_the_wrong_role(vol, award, login, world):
    ledger.transfer(
        debit=points.points_account(vol.res1.resident),
        credit=points.sink_account(world.community_a1),
        amount=19,
        reason="redeem",
        idempotency_key="spent-2",
    )
    data = {"entry": award.pk, "reason_kind": "other", "reason": "错误"}
    body = login(vol.cw).post(_page(vol.res1.resident), data, follow=True).content.decode()
    assert "already used" in body and _balance(vol.res1) == 1
    for user, code in ((vol.gw, 403), (vol.res1, 403), (vol.partner, 403), (vol.cw_other, 404)):
        assert login(user).get(_page(vol.res1.resident)).status_code == code
        assert login(user).post(_page(vol.res1.resident), data).status_code == code
    assert not LedgerEntry.objects.filter(reverses=award).exists()


def test_volunteers_list_and_roster_link_to_the_statement(vol, login, new_activity):
    volunteer = services.register(actor=vol.res1, skills="急救")
    body = login(vol.cw).get(reverse("volunteering:volunteers")).content.decode()
    assert f'data-testid="points-of-{volunteer.pk}"' in body and _page(vol.res1.resident) in body
    activity = new_activity()
    services.sign_up(activity, actor=vol.res1)
    roster = login(vol.cw).get(reverse("volunteering:activity", args=[activity.pk]))
    assert _page(vol.res1.resident) in roster.content.decode()
    grid = login(vol.gw).get(reverse("volunteering:activity", args=[activity.pk]))
    assert _page(vol.res1.resident) not in grid.content.decode()


def test_staff_page_query_count_is_bounded(vol, login, django_assert_max_num_queries, set_profile):
    set_profile("points:\n  daily_cap: 0\n")
    for n in range(15):
        points.earn(vol.res1.resident, "activity", source=("x.Y", n))
    client = login(vol.cw)
    client.get(_page(vol.res1.resident))  # the first visit opens the hours account
    with django_assert_max_num_queries(16):
        response = client.get(_page(vol.res1.resident))
    assert response.content.decode().count('data-testid="reverse-') == 15


# --------------------------------------------------------------------------- the API


def test_api_statement_and_reverse(vol, award, login):
    url = f"{API}/points/entries/{award.pk}/reverse/"
    statement_url = f"{API}/points/residents/{vol.res1.resident.pk}/statement/"
    statement = login(vol.cw).get(statement_url).json()
    assert [(e["id"], e["reversible"]) for e in statement["entries"]] == [(award.pk, True)]
    assert login(vol.res1).get(statement_url).status_code == 403
    assert login(vol.cw_other).get(statement_url).status_code == 404
    body = {"reason_kind": "not_attended", "reason": "未到场"}
    assert login(vol.gw).post(url, body).status_code == 403
    assert login(vol.res1).post(url, body).status_code == 403
    assert login(vol.cw_other).post(url, body).status_code == 404
    assert login(vol.cw).post(url, {"reason_kind": "x", "reason": "y"}).status_code == 400
    assert login(vol.cw).post(url, {"reason_kind": "other", "reason": ""}).status_code == 400
    first = login(vol.cw).post(url, body)
    assert first.status_code == 201 and first.json()["balance"] == 0
    second = login(vol.cw).post(url, body)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert not second.json()["created"]
    statement = login(vol.cw).get(statement_url).json()
    assert [e["reversed"] for e in statement["entries"]] == [True, False]
    mine = login(vol.res1).get(f"{API}/points/statement/").json()
    assert [e["amount"] for e in mine["entries"]] == [20, -20]


def test_api_reverse_refused_after_spending(vol, award, login, world):
    ledger.transfer(
        debit=points.points_account(vol.res1.resident),
        credit=points.sink_account(world.community_a1),
        amount=20,
        reason="redeem",
        idempotency_key="spent-3",
    )
    response = login(vol.cw).post(
        f"{API}/points/entries/{award.pk}/reverse/", {"reason_kind": "other", "reason": "错"}
    )
    assert response.status_code == 400 and "already used" in str(response.json())
