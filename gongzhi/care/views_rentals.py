"""Rented homes and tenants (实有人口) pages: the list with the leases to confirm, marking a
home rented, a home's tenants (register, record moving out, extend the lease). Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.care import forms, selectors, services
from gongzhi.core import access, clock, gates, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest

PAGE_SIZE = 30
VIEW = Action.CARE_RENTAL_VIEW
MANAGE = Action.CARE_RENTAL_MANAGE


@login_required
@requires(VIEW)
def rentals(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    manage = access.has_any(user, MANAGE)
    building = None
    form = None
    if manage and request.GET.get("building", "").isdigit():
        building = selectors.buildings_for_rentals(user).filter(pk=request.GET["building"]).first()
    if building is not None:
        households = selectors.households_to_rent(user, building)
        form = forms.MarkRentedForm(request.POST or None, households=households)
        if request.method == "POST":
            gates.check(user, MANAGE)
            if form.is_valid():
                landlord = selectors.landlord_by_id(user, form.cleaned_data["landlord_id"])
                if landlord is None:
                    form.add_error(
                        "landlord_id", _("No living resident you may see has this ID number.")
                    )
                else:
                    try:
                        home = services.mark_rented(
                            form.cleaned_data["household"], actor=user, landlord=landlord
                        )
                    except ValidationError as error:
                        refusals.on_form(form, error)
                    else:
                        messages.success(request, _("The home is marked as rented."))
                        return redirect("care:rental", home.pk)
    page = Paginator(selectors.rented_homes(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/rentals.html",
        {
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "buildings": selectors.buildings_for_rentals(user)[:500] if manage else [],
            "building": building,
            "form": form,
            "to_confirm": list(selectors.leases_to_confirm(user)[:50]),
            "rounds": list(selectors.round_rows(user)[:5]),
            "send_round": access.has_any(user, Action.CARE_ROUND_SEND),
        },
    )


@login_required
@requires(VIEW)
def rental(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    home = selectors.get_rented_home(user, pk)
    manage = access.can(user, MANAGE, home.place_path)
    form = forms.TenantForm()
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.TenantForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.register_tenant(
                    home,
                    actor=user,
                    name=d["name"],
                    id_number=d["id_number"],
                    phone=d["phone"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                )
            except ValidationError as error:
                refusals.on_form(form, error)
            else:
                messages.success(request, _("The tenant is registered and linked to the home."))
                return redirect("care:rental", home.pk)
    today = clock.today()
    return render(
        request,
        "care/rental.html",
        {
            "home": home,
            "rows": [(t, t.is_current(today)) for t in selectors.tenancies_of(home)],
            "today": today,
            "manage": manage,
            "form": form if manage else None,
        },
    )


@login_required
@requires(MANAGE)
@require_POST
def tenancy_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    tenancy = selectors.get_tenancy(user, pk)
    refusals.act(
        request,
        forms.EndTenancyForm(request.POST),
        lambda d: services.end_tenancy(tenancy, actor=user, on=d["ended_on"]),
        _("The moving out is recorded; the tenant's link to the home has ended."),
    )
    return redirect("care:rental", tenancy.home_id)


@login_required
@requires(MANAGE)
@require_POST
def tenancy_extend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    tenancy = selectors.get_tenancy(user, pk)
    refusals.act(
        request,
        forms.ExtendLeaseForm(request.POST),
        lambda d: services.extend_lease(tenancy, actor=user, ends_on=d["ends_on"]),
        _("The lease is extended."),
    )
    return redirect("care:rental", tenancy.home_id)
