"""Merchants and charity supermarkets (爱心超市) where residents spend their points
(seed 002 §三(三)2, seed 003 annex 2 item 16). A redemption moves points from the resident's
ledger account to the merchant's (gongzhi.core.ledger) in the same transaction as the stock
decrement, and gives the resident a one-time code that the merchant confirms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


class MerchantKind(models.TextChoices):
    SHOP = "shop", _("Merchant")
    CHARITY_SUPERMARKET = "charity_supermarket", _("Charity supermarket")


class Merchant(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=24, choices=MerchantKind.choices, default=MerchantKind.SHOP
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # The merchant-role logins that sell and confirm codes for this merchant.
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("merchant logins"), related_name="merchants"
    )
    is_active = models.BooleanField(_("active"), default=True)
    admitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("admitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["place_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="merchant_unique_name")
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="merchants_merchant_path",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A good or service offered for points."""

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    price = models.PositiveIntegerField(_("price in points"))
    stock = models.PositiveIntegerField(_("stock"))
    is_active = models.BooleanField(_("on offer"), default=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["merchant_id", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="merchant_item_price_pos"),
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="merchant_item_stock_nonneg"
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="merchants_item_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the merchant")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled and refunded")


class Redemption(models.Model):
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="redemptions"
    )
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="redemptions"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redeemed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = models.PositiveIntegerField(_("points"))
    # The one-time code the resident shows (unique; unambiguous alphabet, see services).
    code = models.CharField(_("code"), max_length=16, unique=True)
    # The client's request key: a retried request returns the first redemption.
    request_key = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RedemptionStatus.choices,
        default=RedemptionStatus.PENDING,
    )
    entry = models.OneToOneField(
        "core.LedgerEntry", null=True, on_delete=models.PROTECT, related_name="+"
    )
    refund_entry = models.OneToOneField(
        "core.LedgerEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("code valid until"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "request_key"],
                condition=~models.Q(request_key=""),
                name="redemption_request_once",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="redemption_amount_pos"),
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="merchants_redemption_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["resident", "created_at"], name="redemption_resident"),
            models.Index(fields=["merchant", "status"], name="redemption_merchant"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"

    @property
    def expired(self) -> bool:
        return self.status == RedemptionStatus.PENDING and self.expires_at < clock.now()
