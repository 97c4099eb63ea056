"""Reads for merchants, items and redemptions, always scoped through the access module."""

from __future__ import annotations

from django.db.models import QuerySet

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.merchants.models import Item, Merchant, Redemption, RedemptionStatus


def shop_items(user) -> QuerySet[Item]:
    """What a resident may redeem: items on offer at active merchants of their community."""
    qs = Item.objects.filter(is_active=True, merchant__is_active=True).select_related("merchant")
    return access.scoped(qs, user, Action.POINTS_REDEEM, path_field="place_path").order_by(
        "merchant__name", "name", "id"
    )


def managed_merchants(user) -> QuerySet[Merchant]:
    return access.scoped(
        Merchant.objects.all(), user, Action.MERCHANT_MANAGE, path_field="place_path"
    ).select_related("community")


def my_merchants(user) -> QuerySet[Merchant]:
    """The merchants this merchant-role login sells for."""
    return access.scoped(
        Merchant.objects.filter(users=user), user, Action.MERCHANT_SELL, path_field="place_path"
    )


def my_redemptions(resident) -> QuerySet[Redemption]:
    if resident is None:
        return Redemption.objects.none()
    return Redemption.objects.filter(resident=resident).select_related("item", "merchant")


def merchant_redemptions(user) -> QuerySet[Redemption]:
    return Redemption.objects.filter(merchant__in=my_merchants(user)).select_related(
        "item", "merchant", "resident"
    )


def pending_count(merchant: Merchant) -> int:
    return merchant.redemptions.filter(status=RedemptionStatus.PENDING).count()
