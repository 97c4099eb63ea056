"""Merchant pages: the resident's shop and redemptions (phone), the merchant's desk (confirm
codes, goods and stock; phone) and the community's list of admitted merchants.

Thin: reads through selectors, writes through services; a refusal comes back as a message."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.merchants import selectors, services
from gongzhi.merchants.models import MerchantKind, RedemptionStatus
from gongzhi.people.selectors import resident_of
from gongzhi.volunteering import qr

PAGE_SIZE = 20


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
@requires(Action.POINTS_REDEEM)
def shop(request):
    resident = resident_of(request.user)
    page = _page(request, selectors.shop_items(request.user))
    return render(
        request,
        "merchants/shop.html",
        {
            "page": page,
            "rows": page.object_list,
            "resident": resident,
            "balance": services.points_balance(resident),
            "request_key": uuid.uuid4().hex,
        },
    )


@login_required
@require_POST
@requires(Action.POINTS_REDEEM)
def redeem(request, pk: int):
    try:
        redemption = services.redeem(
            pk,
            actor=request.user,
            quantity=request.POST.get("quantity", "1"),
            request_key=request.POST.get("request_key", ""),
        )
    except ValidationError as error:
        messages.error(request, refusals.text(error))
        return redirect("merchants:shop")
    messages.success(request, _("Redeemed. Show this code to the merchant."))
    return redirect("merchants:redemption", redemption.pk)


@login_required
@requires(Action.POINTS_REDEEM)
def mine(request):
    resident = resident_of(request.user)
    page = _page(request, selectors.my_redemptions(resident))
    return render(
        request,
        "merchants/mine.html",
        {
            "page": page,
            "rows": page.object_list,
            "balance": services.points_balance(resident),
            "resident": resident,
        },
    )


def qr_data_uri(request, code: str) -> str:
    """A QR code of the merchant's confirm link with the code filled in (any phone camera)."""
    url = request.build_absolute_uri(reverse("merchants:desk") + f"?code={code}")
    return qr.data_uri(url)


@login_required
def redemption_detail(request, pk: int):
    redemption, as_seller = selectors.visible_redemption(request.user, pk)
    return render(
        request,
        "merchants/redemption.html",
        {
            "r": redemption,
            "as_seller": as_seller,
            "may_cancel": services.may_cancel(redemption, as_seller=as_seller),
            "qr": qr_data_uri(request, redemption.code)
            if redemption.status == RedemptionStatus.PENDING and not as_seller
            else "",
        },
    )


@login_required
@require_POST
def cancel(request, pk: int):
    redemption, as_seller = selectors.visible_redemption(request.user, pk)
    try:
        services.cancel(redemption.pk, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, refusals.text(error))
    else:
        messages.success(request, _("Cancelled; the points are back in the account."))
    return redirect(
        "merchants:desk" if as_seller else "merchants:redemption", *([] if as_seller else [pk])
    )


@login_required
@requires(Action.MERCHANT_SELL)
def desk(request):
    confirmed = None
    code = request.GET.get("code", "")
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            confirmed = services.confirm(code, actor=request.user)
        except ValidationError as error:
            messages.error(request, refusals.text(error))
        else:
            messages.success(
                request,
                _("Confirmed: hand over %(item)s × %(n)s.")
                % {"item": confirmed.item.name, "n": confirmed.quantity},
            )
            return redirect("merchants:desk")
    merchants = list(selectors.my_merchants(request.user))
    items = selectors.my_items(request.user)
    page = _page(request, selectors.merchant_redemptions(request.user))
    return render(
        request,
        "merchants/desk.html",
        {
            "code": services.normalise_code(code),
            "merchants": merchants,
            "items": items,
            "page": page,
            "rows": page.object_list,
        },
    )


@login_required
@require_POST
@requires(Action.MERCHANT_SELL)
def item_add(request, pk: int):
    merchant = get_object_or_404(selectors.my_merchants(request.user), pk=pk)
    try:
        services.add_item(
            merchant,
            actor=request.user,
            name=request.POST.get("name", ""),
            price=request.POST.get("price", ""),
            stock=request.POST.get("stock", ""),
            description=request.POST.get("description", ""),
        )
    except ValidationError as error:
        messages.error(request, refusals.text(error))
    else:
        messages.success(request, _("The item is on offer."))
    return redirect("merchants:desk")


@login_required
@require_POST
@requires(Action.MERCHANT_SELL)
def item_edit(request, pk: int):
    item = get_object_or_404(selectors.my_items(request.user), pk=pk)
    try:
        services.update_item(
            item.pk,
            actor=request.user,
            price=request.POST.get("price", ""),
            stock=request.POST.get("stock", ""),
            is_active=bool(request.POST.get("is_active")),
        )
    except ValidationError as error:
        messages.error(request, refusals.text(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("merchants:desk")


@login_required
@requires(Action.MERCHANT_MANAGE)
def manage(request):
    communities = selectors.managed_communities(request.user)
    logins = selectors.merchant_logins(request.user)
    if request.method == "POST":
        community = communities.filter(pk=request.POST.get("community") or 0).first()
        users = list(logins.filter(pk__in=request.POST.getlist("users")))
        try:
            if community is None:
                raise ValidationError(_("Choose the community the merchant serves."))
            services.admit_merchant(
                actor=request.user,
                community=community,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                address=request.POST.get("address", ""),
                users=users,
            )
        except ValidationError as error:
            messages.error(request, refusals.text(error))
        else:
            messages.success(request, _("The merchant is admitted."))
            return redirect("merchants:manage")
    page = _page(request, selectors.managed_merchants(request.user))
    return render(
        request,
        "merchants/manage.html",
        {
            "page": page,
            "rows": page.object_list,
            "communities": communities,
            "logins": logins,
            "kinds": MerchantKind.choices,
        },
    )


@login_required
@require_POST
@requires(Action.MERCHANT_MANAGE)
def merchant_toggle(request, pk: int):
    merchant = get_object_or_404(selectors.managed_merchants(request.user), pk=pk)
    services.set_active(merchant, not merchant.is_active, actor=request.user)
    messages.success(request, _("Saved."))
    return redirect("merchants:manage")
