from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from gongzhi.core import clock
from gongzhi.core.models import LedgerEntry
from gongzhi.merchants import services
from gongzhi.merchants.models import Item, Redemption, RedemptionStatus
from tests.merchants.conftest import balance_of

pytestmark = pytest.mark.django_db


def _stock(item):
    return Item.objects.get(pk=item.pk).stock


def test_redeem_debits_points_and_stock_and_gives_a_code(shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident, quantity=2)
    assert r.status == RedemptionStatus.PENDING
    assert r.amount == 60
    assert balance_of(shop.resident) == 40
    assert _stock(shop.oil) == 3
    assert len(r.code) == services.CODE_LENGTH
    assert set(r.code) <= set(services.CODE_ALPHABET)
    assert r.entry.amount == 60 and r.entry.idempotency_key == f"redeem:{r.code}"
    assert r.expires_at > clock.now() + dt.timedelta(days=services.code_valid_days() - 1)


def test_replayed_request_key_changes_nothing(shop):
    first = services.redeem(shop.oil.pk, actor=shop.resident, request_key="k1")
    again = services.redeem(shop.oil.pk, actor=shop.resident, request_key="k1")
    assert again.pk == first.pk
    assert Redemption.objects.count() == 1
    assert balance_of(shop.resident) == 70
    assert _stock(shop.oil) == 4


@pytest.mark.parametrize(
    ("quantity", "text"),
    [
        (0, "from 1 to"),
        (-1, "from 1 to"),
        (10**9, "from 1 to"),
        ("abc", "from 1 to"),
        (6, "Only 5 left"),
    ],
)
def test_bad_quantities_write_nothing(shop, quantity, text):
    with pytest.raises(ValidationError, match=text):
        services.redeem(shop.oil.pk, actor=shop.resident, quantity=quantity)
    assert Redemption.objects.count() == 0
    assert balance_of(shop.resident) == 100
    assert _stock(shop.oil) == 5


def test_unknown_item_and_no_stock(shop):
    with pytest.raises(ValidationError, match="does not exist"):
        services.redeem(999999, actor=shop.resident)
    Item.objects.filter(pk=shop.oil.pk).update(stock=0)
    with pytest.raises(ValidationError, match="out of stock"):
        services.redeem(shop.oil.pk, actor=shop.resident)
    assert Redemption.objects.count() == 0


def test_not_enough_points_writes_nothing(shop):
    services.redeem(shop.oil.pk, actor=shop.resident, quantity=3)  # 90 of 100
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError, match="Not enough points"):
        services.redeem(shop.last.pk, actor=shop.resident)
    assert LedgerEntry.objects.count() == entries
    assert _stock(shop.last) == 1
    assert Redemption.objects.count() == 1


def test_item_of_another_community_is_invisible(shop):
    with pytest.raises(Http404):
        services.redeem(shop.far_item.pk, actor=shop.resident)
    assert Redemption.objects.count() == 0


def test_merchant_confirms_own_code_once(shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    done = services.confirm(r.code.lower()[:4] + " " + r.code.lower()[4:], actor=shop.seller)
    assert done.status == RedemptionStatus.FULFILLED and done.confirmed_by == shop.seller
    with pytest.raises(ValidationError, match="already confirmed"):
        services.confirm(r.code, actor=shop.seller)


def _refusal(actor, code) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        services.confirm(code, actor=actor)
    return refused.value.messages


def test_other_merchant_cannot_confirm(shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    unknown = _refusal(shop.other_seller, "ZZZZZZZZ")
    assert unknown == ["No redemption has this code; check it and try again."]
    # Another merchant of the same community, or of another community, learns nothing: the
    # refusal is the unknown code's, without the issuing merchant's name.
    assert _refusal(shop.other_seller, r.code) == unknown
    assert _refusal(shop.seller_b, r.code) == unknown
    assert "爱心超市" not in " ".join(_refusal(shop.other_seller, r.code))
    assert Redemption.objects.get(pk=r.pk).status == RedemptionStatus.PENDING


def test_another_merchants_code_says_nothing_about_its_state(shop):
    """A used, cancelled or expired code of another merchant is also just unknown (its own
    merchant reads why)."""
    unknown = _refusal(shop.other_seller, "ZZZZZZZZ")
    used = services.redeem(shop.oil.pk, actor=shop.resident)
    services.confirm(used.code, actor=shop.seller)
    cancelled = services.redeem(shop.oil.pk, actor=shop.resident)
    services.cancel(cancelled.pk, actor=shop.resident)
    assert _refusal(shop.other_seller, used.code) == unknown
    assert _refusal(shop.other_seller, cancelled.code) == unknown
    assert "already confirmed" in _refusal(shop.seller, used.code)[0]
    expiring = services.redeem(shop.oil.pk, actor=shop.resident)
    later = clock.now() + dt.timedelta(days=services.code_valid_days() + 1)
    with clock.travel_to(later):
        assert _refusal(shop.other_seller, expiring.code) == unknown
        assert "expired" in _refusal(shop.seller, expiring.code)[0]


def test_unknown_empty_and_expired_codes(shop):
    with pytest.raises(ValidationError, match="No redemption"):
        services.confirm("ZZZZZZZZ", actor=shop.seller)
    with pytest.raises(ValidationError, match="Enter the code"):
        services.confirm("  ", actor=shop.seller)
    with pytest.raises(ValidationError, match="Enter the code"):
        services.confirm("", actor=shop.seller)
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    later = clock.now() + dt.timedelta(days=services.code_valid_days() + 1)
    with clock.travel_to(later), pytest.raises(ValidationError, match="expired"):
        services.confirm(r.code, actor=shop.seller)


def test_resident_cancels_before_confirmation(shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident, quantity=2)
    services.cancel(r.pk, actor=shop.resident)
    r.refresh_from_db()
    assert r.status == RedemptionStatus.CANCELLED
    assert r.refund_entry.reverses_id == r.entry_id
    assert balance_of(shop.resident) == 100
    assert _stock(shop.oil) == 5
    with pytest.raises(ValidationError, match="already cancelled"):
        services.cancel(r.pk, actor=shop.resident)
    with pytest.raises(ValidationError, match="cancelled"):
        services.confirm(r.code, actor=shop.seller)
    assert balance_of(shop.resident) == 100 and _stock(shop.oil) == 5  # refunded once


def test_resident_cannot_cancel_after_confirmation_merchant_can_refund(shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    services.confirm(r.code, actor=shop.seller)
    with pytest.raises(ValidationError, match="ask the merchant"):
        services.cancel(r.pk, actor=shop.resident)
    services.cancel(r.pk, actor=shop.seller, reason="质量问题")
    assert balance_of(shop.resident) == 100
    assert _stock(shop.oil) == 5


def test_strangers_cannot_cancel(shop):
    """A neighbour, another seller of the community and a seller of another community: 404."""
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    for stranger in (shop.neighbour, shop.other_seller, shop.seller_b):
        with pytest.raises(Http404):
            services.cancel(r.pk, actor=stranger)
    assert Redemption.objects.get(pk=r.pk).status == RedemptionStatus.PENDING
    assert balance_of(shop.resident) == 70


def test_another_merchants_code_takes_the_same_queries_as_an_unknown_one(shop):
    """No timing side channel from extra lookups: both refusals run the same statements."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    r = services.redeem(shop.oil.pk, actor=shop.resident)
    _refusal(shop.other_seller, "YYYYYYYY")  # the login's posts are loaded once per request
    shapes = []
    for code in ("ZZZZZZZZ", r.code):
        with CaptureQueriesContext(connection) as queries:
            _refusal(shop.other_seller, code)
        shapes.append([re.sub(r'"s\d+_x\d+"', "S", q["sql"]).replace(code, "?") for q in queries])
    assert shapes[0] == shapes[1] and len(shapes[0]) == 4
