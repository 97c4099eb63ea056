"""Reads for merchants, items and redemptions, always scoped through the access module."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.merchants.models import Item, Merchant, Redemption
from gongzhi.people.models import Resident
from gongzhi.places.models import Place


def shop_items(user: Viewer) -> QuerySet[Item]:
    """What a resident may redeem: items on offer at active merchants of their community."""
    qs = Item.objects.filter(is_active=True, merchant__is_active=True).select_related("merchant")
    return access.scoped(qs, user, Action.POINTS_REDEEM, path_field="place_path").order_by(
        "merchant__name", "name", "id"
    )


def managed_merchants(user: Viewer) -> QuerySet[Merchant]:
    return access.scoped(
        Merchant.objects.all(), user, Action.MERCHANT_MANAGE, path_field="place_path"
    ).select_related("community")


def my_merchants(user: User) -> QuerySet[Merchant]:
    """The merchants this merchant-role login sells for."""
    return access.scoped(
        Merchant.objects.filter(users=user), user, Action.MERCHANT_SELL, path_field="place_path"
    )


def my_redemptions(resident: Resident | None) -> QuerySet[Redemption]:
    if resident is None:
        return Redemption.objects.none()
    return Redemption.objects.filter(resident=resident).select_related("item", "merchant")


def merchant_redemptions(user: User) -> QuerySet[Redemption]:
    return Redemption.objects.filter(merchant__in=my_merchants(user)).select_related(
        "item", "merchant", "resident"
    )


def my_items(user: User) -> QuerySet[Item]:
    """The goods of the merchants this login sells for."""
    return Item.objects.filter(merchant__in=my_merchants(user)).select_related("merchant")


def visible_redemption(user: User, pk: int) -> tuple[Redemption, bool]:
    """The redemption for its resident or one of its merchant's logins (then `as_seller` is
    True); else 404."""
    redemption = get_object_or_404(
        Redemption.objects.select_related("item", "merchant", "resident"), pk=pk
    )
    if redemption.resident.user_id == user.pk:
        return redemption, False
    if my_merchants(user).filter(pk=redemption.merchant_id).exists():
        return redemption, True
    raise Http404


def managed_communities(user: Viewer) -> QuerySet[Place]:
    """The communities where this staff member may admit merchants."""
    return access.scoped(
        Place.objects.filter(kind="community"), user, Action.MERCHANT_MANAGE
    ).order_by("path")


def merchant_logins(user: Viewer) -> QuerySet[User]:
    """Merchant-role logins inside the staff member's scope (candidates to link)."""
    posts = access.scoped(
        Post.objects.filter(role=Role.MERCHANT, is_active=True),
        user,
        Action.MERCHANT_MANAGE,
        path_field="place__path",
    )
    return User.objects.filter(pk__in=posts.values("user_id")).order_by("name")
