"""Merchant fixtures on the `world`: a merchant in community A1 with two logins' worth of
goods, a second merchant, residents with points from the community's issuer."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from gongzhi.core import ledger
from gongzhi.core.models import LedgerCurrency, LedgerOwnerKind
from gongzhi.core.roles import Role
from gongzhi.merchants import services
from gongzhi.merchants.models import Item, Merchant
from gongzhi.people.models import Resident
from gongzhi.places.models import Household
from tests.conftest import make_user


def resident_user(building, phone, name="居民"):
    home = Household.objects.filter(building=building).order_by("id").first()
    user = make_user(Role.RESIDENT, building, household=home, phone=phone, name=name)
    Resident.objects.create(
        name=name,
        name_initials="jm",
        gender="F",
        household=home,
        place_path=building.path,
        user=user,
    )
    return user


def give_points(user, amount, community):
    resident = user.resident
    issuer = ledger.account_for(
        LedgerCurrency.POINTS, LedgerOwnerKind.ISSUER, community.pk, place_path=community.path
    )
    ledger.transfer(
        debit=issuer,
        credit=services.resident_account(resident),
        amount=amount,
        reason="test",
        idempotency_key=f"test-open:{resident.pk}:{amount}",
    )


def balance_of(user):
    return ledger.balance(services.resident_account(user.resident))


@pytest.fixture
def shop(world):
    a1 = world.community_a1
    b1 = world.grid_a1_1.buildings[0]
    seller = make_user(Role.MERCHANT, a1, name="孙老板")
    other_seller = make_user(Role.MERCHANT, a1, name="钱老板")
    seller_b = make_user(Role.MERCHANT, world.community_b1, name="关山老板")
    staff = make_user(Role.COMMUNITY_WORKER, a1, name="社区工作者")
    merchant = Merchant.objects.create(
        name="爱心超市", kind="charity_supermarket", community=a1, place_path=a1.path
    )
    merchant.users.add(seller)
    other = Merchant.objects.create(name="理发店", community=a1, place_path=a1.path)
    other.users.add(other_seller)
    far = Merchant.objects.create(
        name="关山小店", community=world.community_b1, place_path=world.community_b1.path
    )
    far.users.add(seller_b)
    oil = Item.objects.create(
        merchant=merchant, name="食用油", price=30, stock=5, place_path=a1.path
    )
    last = Item.objects.create(
        merchant=merchant, name="大米", price=20, stock=1, place_path=a1.path
    )
    haircut = Item.objects.create(
        merchant=other, name="理发", price=15, stock=10, place_path=a1.path
    )
    far_item = Item.objects.create(
        merchant=far, name="毛巾", price=5, stock=10, place_path=far.place_path
    )
    resident = resident_user(b1, "13900000101", "吴秀英")
    neighbour = resident_user(world.grid_a1_1.buildings[1], "13900000102", "李大妈")
    give_points(resident, 100, a1)
    give_points(neighbour, 100, a1)
    return SimpleNamespace(
        merchant=merchant,
        other=other,
        far=far,
        seller=seller,
        other_seller=other_seller,
        seller_b=seller_b,
        staff=staff,
        oil=oil,
        last=last,
        haircut=haircut,
        far_item=far_item,
        resident=resident,
        neighbour=neighbour,
    )


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English whatever a previous test left active."""
    from django.utils import translation

    with translation.override("en"):
        yield
