"""Time bank: requests and offers, take, both confirm, hours move; family transfer by profile."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from gongzhi.core import ledger
from gongzhi.core.models import LedgerEntry
from gongzhi.volunteering import points, services
from gongzhi.volunteering.models import Exchange, ExchangeStatus


def _hours(user):
    return ledger.balance(points.hours_account(user.resident))


def _deposit(user, minutes):
    points.deposit_hours(user.resident, minutes, source=("test.Service", 1), key=f"t:{user.pk}")


def test_request_taken_confirmed_by_both_moves_the_hours(vol):
    _deposit(vol.res1, 180)
    request = services.post_exchange(
        actor=vol.res1, kind="request", title="陪母亲去医院", description="周三上午", minutes=120
    )
    with pytest.raises(ValidationError, match="own"):
        services.take_exchange(request, actor=vol.res1)
    services.take_exchange(request, actor=vol.res2)
    with pytest.raises(ValidationError, match="already taken"):
        services.take_exchange(request, actor=vol.res3)
    with pytest.raises(PermissionDenied):
        services.confirm_exchange(request, actor=vol.res3)
    services.confirm_exchange(request, actor=vol.res1)
    assert _hours(vol.res2) == 0  # one side only
    done = services.confirm_exchange(request, actor=vol.res2)
    assert done.status == ExchangeStatus.DONE
    assert (_hours(vol.res1), _hours(vol.res2)) == (60, 120)
    with pytest.raises(ValidationError):
        services.confirm_exchange(request, actor=vol.res2)
    assert LedgerEntry.objects.filter(idempotency_key=f"timebank:{request.pk}").count() == 1


def test_a_request_needs_the_hours_and_the_balance_never_goes_negative(vol):
    with pytest.raises(ValidationError, match="Not enough"):
        services.post_exchange(actor=vol.res1, kind="request", title="修水管", minutes=60)
    assert not Exchange.objects.exists()
    _deposit(vol.res1, 60)
    request = services.post_exchange(actor=vol.res1, kind="request", title="修水管", minutes=60)
    services.take_exchange(request, actor=vol.res2)
    # The requester spends the hours elsewhere meanwhile.
    ledger.transfer(
        debit=points.hours_account(vol.res1.resident),
        credit=points.hours_account(vol.family.resident),
        amount=30,
        reason="test",
        idempotency_key="spend",
    )
    services.confirm_exchange(request, actor=vol.res2)
    with pytest.raises(ValidationError, match="Not enough"):
        services.confirm_exchange(request, actor=vol.res1)
    request.refresh_from_db()
    assert request.status == ExchangeStatus.TAKEN and not request.requester_confirmed
    assert _hours(vol.res1) == 30 and _hours(vol.res2) == 0


def test_an_offer_is_paid_by_the_taker(vol):
    offer = services.post_exchange(actor=vol.res2, kind="offer", title="教用智能手机", minutes=60)
    with pytest.raises(ValidationError, match="Not enough"):
        services.take_exchange(offer, actor=vol.res1)
    _deposit(vol.res1, 60)
    services.take_exchange(offer, actor=vol.res1)
    services.confirm_exchange(offer, actor=vol.res1)
    services.confirm_exchange(offer, actor=vol.res2)
    assert (_hours(vol.res1), _hours(vol.res2)) == (0, 60)


@pytest.mark.parametrize("minutes", [0, -30, 10**9, "60", 1.5, True])
def test_bad_minutes_are_refused(vol, minutes):
    with pytest.raises(ValidationError):
        services.post_exchange(actor=vol.res2, kind="offer", title="x", minutes=minutes)
    assert not Exchange.objects.exists()


def test_bad_kind_and_title(vol):
    with pytest.raises(ValidationError):
        services.post_exchange(actor=vol.res2, kind="gift", title="x", minutes=10)
    with pytest.raises(ValidationError):
        services.post_exchange(actor=vol.res2, kind="offer", title="", minutes=10)
    assert not Exchange.objects.exists()


def test_other_community_cannot_see_or_take(vol):
    offer = services.post_exchange(actor=vol.res2, kind="offer", title="理发", minutes=30)
    with pytest.raises(Http404):
        services.take_exchange(offer, actor=vol.other)
    with pytest.raises(PermissionDenied):
        services.cancel_exchange(offer, actor=vol.res3)
    services.cancel_exchange(offer, actor=vol.res2)
    with pytest.raises(ValidationError):
        services.take_exchange(offer, actor=vol.res3)


def test_family_transfer_allowed_by_default(vol):
    _deposit(vol.res1, 100)
    services.family_transfer(
        actor=vol.res1, to_resident_id=vol.family.resident.pk, minutes=40, key="k1"
    )
    services.family_transfer(
        actor=vol.res1, to_resident_id=vol.family.resident.pk, minutes=40, key="k1"
    )
    assert (_hours(vol.res1), _hours(vol.family)) == (60, 40)  # the replay changed nothing
    with pytest.raises(ValidationError, match="household"):
        services.family_transfer(
            actor=vol.res1, to_resident_id=vol.res2.resident.pk, minutes=10, key="k2"
        )
    with pytest.raises(ValidationError, match="household"):
        services.family_transfer(actor=vol.res1, to_resident_id=999999, minutes=10, key="k3")
    with pytest.raises(ValidationError, match="Not enough"):
        services.family_transfer(
            actor=vol.res1, to_resident_id=vol.family.resident.pk, minutes=61, key="k4"
        )
    assert _hours(vol.res1) == 60


def test_family_transfer_refused_when_the_profile_says_no(vol, set_profile):
    set_profile("timebank:\n  family_transfer: 0\n")
    _deposit(vol.res1, 100)
    with pytest.raises(ValidationError, match="not allowed"):
        services.family_transfer(
            actor=vol.res1, to_resident_id=vol.family.resident.pk, minutes=10, key="k"
        )
    assert _hours(vol.family) == 0


# --------------------------------------------------------------------------- family transfer API

FAMILY_API = "/api/v1/timebank/family-transfer/"


def test_family_transfer_api_lists_the_household_and_transfers_once_per_key(vol, login):
    _deposit(vol.res1, 100)
    client = login(vol.res1)
    info = client.get(FAMILY_API).json()
    assert info["allowed"] is True and info["hours_minutes"] == 100
    assert info["members"] == [{"id": vol.family.resident.pk, "name": "吴小明"}]
    body = {"to_resident": vol.family.resident.pk, "minutes": 30, "key": "tap-1"}
    first = client.post(FAMILY_API, body)
    assert first.status_code == 201 and first.json()["hours_minutes"] == 70
    again = client.post(FAMILY_API, body)  # a retried request
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert (_hours(vol.res1), _hours(vol.family)) == (70, 30)


def test_family_transfer_api_refusals(vol, login, set_profile):
    _deposit(vol.res1, 100)
    client = login(vol.res1)
    neighbour = client.post(FAMILY_API, {"to_resident": vol.res2.resident.pk, "minutes": 10})
    assert neighbour.status_code == 400 and "household" in str(neighbour.json())
    too_much = client.post(FAMILY_API, {"to_resident": vol.family.resident.pk, "minutes": 101})
    assert too_much.status_code == 400 and "Not enough" in str(too_much.json())
    bad = client.post(FAMILY_API, {"to_resident": vol.family.resident.pk, "minutes": "x"})
    assert bad.status_code == 400
    assert login(vol.merchant).post(FAMILY_API, {"to_resident": 1, "minutes": 1}).status_code == 403
    assert login(vol.cw).get(FAMILY_API).status_code == 403
    assert login(vol.no_record).get(FAMILY_API).status_code == 400
    set_profile("timebank:\n  family_transfer: 0\n")
    assert login(vol.res1).get(FAMILY_API).json()["allowed"] is False
    refused = login(vol.res1).post(
        FAMILY_API, {"to_resident": vol.family.resident.pk, "minutes": 10}
    )
    assert refused.status_code == 400 and "not allowed" in str(refused.json())
    assert (_hours(vol.res1), _hours(vol.family)) == (100, 0)


def test_family_transfer_api_needs_a_login(client):
    assert client.post(FAMILY_API, {"to_resident": 1, "minutes": 1}).status_code in (401, 403)
