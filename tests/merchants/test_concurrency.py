"""Races on real threads and real transactions (SQLite: IMMEDIATE transactions queue the
writers; PostgreSQL: the item row lock and the ledger's account locks)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from gongzhi.core import ledger
from gongzhi.merchants import services
from gongzhi.merchants.models import Item, Redemption
from tests.merchants.conftest import balance_of, give_points, resident_user

pytestmark = pytest.mark.django_db(transaction=True)


def _run_threads(n, work):
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # translation is per thread
                results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 — inspected below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_last_item_goes_to_exactly_one_resident(shop, world):
    buyers = [shop.resident, shop.neighbour]
    for i in range(2):
        user = resident_user(world.grid_a1_1.buildings[0], f"1390000020{i}", f"买家{i}")
        give_points(user, 50, world.community_a1)
        buyers.append(user)
    results = _run_threads(len(buyers), lambda i: services.redeem(shop.last.pk, actor=buyers[i]))
    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == len(buyers) - 1, results
    assert all("out of stock" in " ".join(e.messages) for e in lost)
    assert Item.objects.get(pk=shop.last.pk).stock == 0
    assert Redemption.objects.count() == 1
    assert ledger.balance(services.merchant_account(shop.merchant)) == shop.last.price
    assert ledger.verify_ledger().ok


def test_same_points_spent_once(shop):
    # 100 points; oil ×3 = 90 and haircut ×7 = 105… use two items that each need 60+.
    Item.objects.filter(pk=shop.oil.pk).update(price=60)
    Item.objects.filter(pk=shop.haircut.pk).update(price=70)
    items = [shop.oil.pk, shop.haircut.pk]
    results = _run_threads(2, lambda i: services.redeem(items[i], actor=shop.resident))
    won = [r for r in results if isinstance(r, Redemption)]
    lost = [r for r in results if isinstance(r, ValidationError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "Not enough points" in " ".join(lost[0].messages)
    assert balance_of(shop.resident) == 100 - won[0].amount
    stocks = dict(Item.objects.filter(pk__in=items).values_list("pk", "stock"))
    assert stocks == {
        shop.oil.pk: 5 - (won[0].item_id == shop.oil.pk),
        shop.haircut.pk: 10 - (won[0].item_id == shop.haircut.pk),
    }
    assert ledger.verify_ledger().ok


def test_double_submit_with_one_request_key_redeems_once(shop):
    results = _run_threads(
        3, lambda i: services.redeem(shop.oil.pk, actor=shop.resident, request_key="tap")
    )
    assert all(isinstance(r, Redemption) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert balance_of(shop.resident) == 70
    assert Item.objects.get(pk=shop.oil.pk).stock == 4


def test_code_confirmed_twice_at_once(shop):
    r = services.redeem(shop.oil.pk, actor=shop.resident)
    results = _run_threads(2, lambda i: services.confirm(r.code, actor=shop.seller))
    assert sum(isinstance(x, Redemption) for x in results) == 1, results
    assert sum(isinstance(x, ValidationError) for x in results) == 1
