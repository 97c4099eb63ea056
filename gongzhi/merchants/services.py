"""Every write to merchants, items and redemptions. Each is one transaction with the
permission check and one audit record; a refusal raises and writes nothing:
- Http404 / PermissionDenied from the access module;
- ValidationError with a message that says what to do (bad input, out of stock, not enough
  points, a code of another merchant, a code already confirmed…).

Redemption: the item row is locked (SELECT … FOR UPDATE; on SQLite every write transaction is
BEGIN IMMEDIATE), the stock is checked and lowered, and the ledger moves the points
resident → merchant under its own account locks, all in one transaction. Two residents taking
the last item queue on the item row; two redemptions spending the same points queue on the
resident's ledger account: in each race exactly one succeeds.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, ledger
from gongzhi.core.models import LedgerAccount, LedgerCurrency, LedgerOwnerKind, User
from gongzhi.core.roles import Action
from gongzhi.merchants.models import Item, Merchant, MerchantKind, Redemption, RedemptionStatus
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place
from gongzhi.volunteering import points

# No 0/O, 1/I/L: a code read aloud or typed on a phone is not misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Input limits (typing errors, not policy): one redemption takes at most this many pieces.
MAX_QUANTITY = 10
MAX_STOCK = 100_000


def code_valid_days() -> int:
    return int(getattr(settings, "MERCHANT_CODE_VALID_DAYS", 14))


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def normalise_code(code: str | None) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _whole(value: object, field: str, minimum: int, maximum: int, message: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None
    if str(number) != str(value).strip().lstrip("+") or not minimum <= number <= maximum:
        raise ValidationError({field: message})
    return number


def resident_account(resident: Resident) -> LedgerAccount:
    """The resident's points account: the one the volunteering rules credit."""
    return points.points_account(resident)


def merchant_account(merchant: Merchant) -> LedgerAccount:
    return ledger.account_for(
        LedgerCurrency.POINTS, LedgerOwnerKind.MERCHANT, merchant.pk, place_path=merchant.place_path
    )


def points_balance(resident: Resident | None) -> int:
    return ledger.balance(resident_account(resident)) if resident else 0


# --------------------------------------------------------------------------- merchants


def admit_merchant(
    *,
    actor: User,
    community: Place,
    name: str,
    kind: str,
    address: str = "",
    users: Iterable[User] = (),
) -> Merchant:
    """Community staff admit a merchant or charity supermarket and link its logins."""
    users = list(users)  # read twice: linked, then named in the audit record
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Enter the merchant's name (at most 100 characters).")})
    if kind not in MerchantKind.values:
        raise ValidationError(
            {"kind": _("Choose whether this is a merchant or a charity supermarket.")}
        )
    if community.kind != "community":
        raise ValidationError({"community": _("Merchants are admitted in a community.")})
    with transaction.atomic():
        grant = access.require(actor, Action.MERCHANT_MANAGE, community.path)
        if Merchant.objects.filter(community=community, name=name).exists():
            raise ValidationError(
                {"name": _("This community already has a merchant with this name.")}
            )
        merchant = Merchant.objects.create(
            name=name,
            kind=kind,
            community=community,
            address=(address or "").strip()[:200],
            admitted_by=actor,
            place_path=community.path,
        )
        for user in users:
            _link_user(merchant, user)
        audit.record(
            actor=actor,
            action="merchants.admit",
            target=merchant,
            place_path=merchant.place_path,
            post=grant.post,
            changes={"kind": kind, "users": [u.pk for u in users]},
        )
    return merchant


def _link_user(merchant: Merchant, user: User) -> None:
    if not access.can(user, Action.MERCHANT_SELL, merchant.place_path):
        raise ValidationError(
            {
                "users": _("%(name)s has no merchant post in this community; grant the post first.")
                % {"name": user}
            }
        )
    merchant.users.add(user)


def set_active(merchant: Merchant, active: bool, *, actor: User) -> Merchant:
    with transaction.atomic():
        grant = access.require(actor, Action.MERCHANT_MANAGE, merchant.place_path)
        Merchant.objects.filter(pk=merchant.pk).update(is_active=active)
        merchant.is_active = active
        audit.record(
            actor=actor,
            action="merchants.activate" if active else "merchants.suspend",
            target=merchant,
            place_path=merchant.place_path,
            post=grant.post,
        )
    return merchant


def _selling_for(actor: User) -> QuerySet[Merchant, Any]:
    """The merchants this login sells for, inside its MERCHANT_SELL scope (a subquery)."""
    return access.scoped(
        Merchant.objects.filter(users=actor), actor, Action.MERCHANT_SELL, "place_path"
    ).values("pk")


def _require_seller(actor: User, merchant: Merchant) -> access.Grant:
    grant = access.require(actor, Action.MERCHANT_SELL, merchant.place_path)
    if not merchant.users.filter(pk=actor.pk).exists():
        raise PermissionDenied(_("You do not sell for %(merchant)s.") % {"merchant": merchant})
    return grant


def _clean_item(name: str, price: object, stock: object) -> tuple[str, int, int]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": _("Enter the item's name (at most 100 characters).")})
    cost = _whole(
        price,
        "price",
        1,
        ledger.max_amount(LedgerCurrency.POINTS),
        _("The price must be a whole number of points, at least 1 and at most %(max)s.")
        % {"max": ledger.max_amount(LedgerCurrency.POINTS)},
    )
    pieces = _whole(
        stock,
        "stock",
        0,
        MAX_STOCK,
        _("The stock must be a whole number from 0 to %(max)s.") % {"max": MAX_STOCK},
    )
    return name, cost, pieces


def add_item(
    merchant: Merchant,
    *,
    actor: User,
    name: str,
    price: object,
    stock: object,
    description: str = "",
) -> Item:
    name, cost, pieces = _clean_item(name, price, stock)
    with transaction.atomic():
        grant = _require_seller(actor, merchant)
        item = Item.objects.create(
            merchant=merchant,
            name=name,
            description=(description or "").strip()[:500],
            price=cost,
            stock=pieces,
            place_path=merchant.place_path,
        )
        audit.record(
            actor=actor,
            action="merchants.item_add",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={"price": cost, "stock": pieces},
        )
    return item


def update_item(
    item_id: int, *, actor: User, price: object, stock: object, is_active: bool = True
) -> Item:
    with transaction.atomic():
        item = (
            Item.objects.select_for_update().select_related("merchant").filter(pk=item_id).first()
        )
        if item is None:
            raise ValidationError(_("This item does not exist."))
        grant = _require_seller(actor, item.merchant)
        _name, cost, pieces = _clean_item(item.name, price, stock)
        before = audit.snapshot(item, ["price", "stock", "is_active"])
        item.price, item.stock, item.is_active = cost, pieces, bool(is_active)
        item.save(update_fields=["price", "stock", "is_active"])
        audit.record(
            actor=actor,
            action="merchants.item_update",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes=audit.diff(item, before, ["price", "stock", "is_active"]),
        )
    return item


# --------------------------------------------------------------------------- redemption


def redeem(
    item_id: int | str, *, actor: User, quantity: object = 1, request_key: str = ""
) -> Redemption:
    """Redeem `quantity` of an item: stock −quantity and points resident → merchant, atomically.
    A request repeated with the same `request_key` returns the first redemption."""
    pieces = _whole(
        quantity,
        "quantity",
        1,
        MAX_QUANTITY,
        _("The quantity must be a whole number from 1 to %(max)s.") % {"max": MAX_QUANTITY},
    )
    request_key = (request_key or "").strip()[:64]
    resident = resident_of(actor)
    if resident is None:
        raise ValidationError(
            _("Your login is not linked to a resident record; ask the community office to link it.")
        )
    try:
        item_pk = int(item_id)
    except (TypeError, ValueError):
        raise ValidationError(_("This item does not exist.")) from None
    with transaction.atomic():
        if request_key:
            earlier = Redemption.objects.filter(resident=resident, request_key=request_key).first()
            if earlier is not None:
                return earlier
        item = Item.objects.select_for_update().filter(pk=item_pk).first()
        if item is None:
            raise ValidationError(_("This item does not exist."))
        grant = access.require(actor, Action.POINTS_REDEEM, item.place_path)
        merchant = Merchant.objects.get(pk=item.merchant_id)
        if not (item.is_active and merchant.is_active):
            raise ValidationError(_("This item is no longer on offer."))
        if item.stock < pieces:
            raise ValidationError(
                _("Only %(n)s left; choose a smaller quantity or another item.") % {"n": item.stock}
                if item.stock
                else _("Sorry, this item is out of stock.")
            )
        amount = item.price * pieces
        now = clock.now()
        try:
            with transaction.atomic():
                redemption = Redemption.objects.create(
                    item=item,
                    merchant=merchant,
                    resident=resident,
                    user=actor,
                    quantity=pieces,
                    amount=amount,
                    code=_unused_code(),
                    request_key=request_key,
                    expires_at=now + dt.timedelta(days=code_valid_days()),
                    place_path=item.place_path,
                    created_at=now,
                )
        except IntegrityError:
            # The same request committed meanwhile (double click on two connections).
            earlier = Redemption.objects.filter(resident=resident, request_key=request_key).first()
            if request_key and earlier is not None:
                return earlier
            raise
        try:
            entry = ledger.transfer(
                debit=resident_account(resident),
                credit=merchant_account(merchant),
                amount=amount,
                reason="redeem",
                reason_text=_("Redeemed: %(item)s × %(n)s") % {"item": item.name, "n": pieces},
                source=redemption,
                idempotency_key=f"redeem:{redemption.code}",
                actor=actor,
            )
        except ledger.InsufficientBalance as error:
            raise ValidationError(
                _(
                    "Not enough points: you have %(available)s, this needs %(amount)s. "
                    "Choose a cheaper item or a smaller quantity."
                )
                % error.params
            ) from None
        except ledger.LedgerError as error:
            raise ValidationError(error.message) from None
        Redemption.objects.filter(pk=redemption.pk).update(entry=entry)
        redemption.entry = entry
        Item.objects.filter(pk=item.pk).update(stock=F("stock") - pieces)
        audit.record(
            actor=actor,
            action="merchants.redeem",
            target=redemption,
            place_path=redemption.place_path,
            post=grant.post,
            changes={"item": item.pk, "quantity": pieces, "amount": amount},
        )
    return redemption


def _unused_code() -> str:
    while True:
        code = new_code()
        if not Redemption.objects.filter(code=code).exists():
            return code


def confirm(code: str, *, actor: User) -> Redemption:
    """The merchant confirms a code: the redemption is fulfilled. Refused (nothing changes)
    for an unknown code or another merchant's code (one message for both), a code already
    used, cancelled or expired (these only for the merchant's own codes)."""
    code = normalise_code(code)
    if not code:
        raise ValidationError({"code": _("Enter the code the resident shows you.")})
    with transaction.atomic():
        # Only the codes of the merchants the actor sells for are looked up at all: another
        # merchant's code is, to this merchant, exactly an unknown code (same message, same
        # single query), so trying codes reveals nothing about who issued them.
        redemption = (
            Redemption.objects.select_for_update(of=("self",))
            .filter(code=code, merchant__in=_selling_for(actor))
            .select_related("merchant")
            .first()
        )
        if redemption is None:
            raise ValidationError(
                {"code": _("No redemption has this code; check it and try again.")}
            )
        if redemption.status == RedemptionStatus.FULFILLED:
            raise ValidationError(
                {
                    "code": _("This code was already confirmed on %(at)s; it cannot be used twice.")
                    % {"at": timezone.localtime(redemption.confirmed_at).strftime("%Y-%m-%d %H:%M")}
                }
            )
        if redemption.status == RedemptionStatus.CANCELLED:
            raise ValidationError({"code": _("This redemption was cancelled and refunded.")})
        if redemption.expired:
            raise ValidationError(
                {
                    "code": _(
                        "This code has expired; the resident can cancel it to get the points back."
                    )
                }
            )
        grant = _require_seller(actor, redemption.merchant)
        redemption.status = RedemptionStatus.FULFILLED
        redemption.confirmed_at = clock.now()
        redemption.confirmed_by = actor
        redemption.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        audit.record(
            actor=actor,
            action="merchants.confirm",
            target=redemption,
            place_path=redemption.place_path,
            post=grant.post,
        )
    return redemption


def may_cancel(redemption: Redemption, *, as_seller: bool) -> bool:
    """Whether `cancel()` would accept this redemption from its resident or (`as_seller`) one of
    its merchant's logins: a pending one by either, a fulfilled one only by the merchant."""
    if redemption.status == RedemptionStatus.PENDING:
        return True
    return redemption.status == RedemptionStatus.FULFILLED and as_seller


def cancel(redemption_id: int, *, actor: User, reason: str = "") -> Redemption:
    """Cancel and refund: by the resident before confirmation, or by the merchant (also after).
    The ledger entry is reversed and the stock goes back."""
    with transaction.atomic():
        redemption = (
            Redemption.objects.select_for_update(of=("self",))
            .select_related("merchant", "resident")
            .filter(pk=redemption_id)
            .first()
        )
        if redemption is None:
            raise ValidationError(_("This redemption does not exist."))
        is_owner = redemption.resident.user_id == actor.pk
        is_seller = redemption.merchant.users.filter(pk=actor.pk).exists() and access.can(
            actor, Action.MERCHANT_SELL, redemption.place_path
        )
        if not (is_owner or is_seller):
            raise Http404
        if redemption.status == RedemptionStatus.CANCELLED:
            raise ValidationError(_("This redemption was already cancelled and refunded."))
        if redemption.status == RedemptionStatus.FULFILLED and not is_seller:
            raise ValidationError(
                _("The merchant has already handed this over; ask the merchant for a refund.")
            )
        if redemption.entry is None:  # never: written with its entry in one transaction
            raise ValidationError(_("This redemption does not exist."))
        try:
            refund = ledger.reverse(
                redemption.entry,
                reason=(reason or "").strip()[:200] or _("Redemption cancelled"),
                idempotency_key=f"refund:{redemption.pk}",
                actor=actor,
            )
        except ledger.LedgerError as error:
            raise ValidationError(error.message) from None
        Item.objects.filter(pk=redemption.item_id).update(stock=F("stock") + redemption.quantity)
        redemption.status = RedemptionStatus.CANCELLED
        redemption.refund_entry = refund
        redemption.cancelled_at = clock.now()
        redemption.cancelled_by = actor
        redemption.save(update_fields=["status", "refund_entry", "cancelled_at", "cancelled_by"])
        audit.record(
            actor=actor,
            action="merchants.cancel",
            target=redemption,
            place_path=redemption.place_path,
            changes={"by": "merchant" if is_seller else "resident", "amount": redemption.amount},
            reason=(reason or "")[:500],
        )
    return redemption
