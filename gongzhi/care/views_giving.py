"""爱心档案 and the service circle (issue 24 item 4): the resident's phone page with their
volunteering, giving and help received (and recording their own gift); the service circle on
the phone (list and map); the staff pages recording donations and keeping the directory. Thin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongzhi.care import forms, selectors, services
from gongzhi.core import clock, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest

PAGE_SIZE = 30
MANAGE = Action.CARE_GIVING_MANAGE
READ = Action.CARE_NOTICE_READ


def _tiles() -> dict[str, str]:
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _donate(request: AuthenticatedRequest, form: forms.MyDonationForm, donor: object) -> bool:
    d = form.cleaned_data
    try:
        services.record_donation(
            donor,  # type: ignore[arg-type]
            actor=request.user,
            kind=d["kind"],
            to=d["to"],
            destination=d["destination"],
            given_on=d["given_on"],
            amount_fen=form.amount_fen(),
            goods=d["goods"],
        )
    except ValidationError as error:
        refusals.on_form(form, error)
        return False
    messages.success(request, _("The gift is recorded. Thank you!"))
    return True


@login_required
@requires(READ)
def mine_record(request: AuthenticatedRequest) -> HttpResponse:
    """爱心档案 (phone): what the resident gave (time, money, goods) and the help received."""
    record = selectors.care_record(request.user)
    form = forms.MyDonationForm(
        request.POST or None, initial={"given_on": clock.today(), "kind": "money"}
    )
    if request.method == "POST":
        if record is None:
            raise Http404
        if form.is_valid() and _donate(request, form, record.resident):
            return redirect("care:mine_record")
    return render(request, "care/mine_record.html", {"record": record, "form": form})


@login_required
@requires(READ)
def circle(request: AuthenticatedRequest) -> HttpResponse:
    """The resident's service circle (phone): services within a half-hour walk, list and map."""
    community, rows = selectors.service_circle(request.user)
    return render(
        request,
        "care/circle.html",
        {
            "community": community,
            "rows": rows,
            "map_points": selectors.map_points([r.point for r in rows]),
            **_tiles(),
        },
    )


@login_required
@requires(MANAGE)
def donations(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.DonationForm(request.POST or None, initial={"given_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        donor = selectors.donor_by_id(user, form.cleaned_data["id_number"])
        if donor is None:
            form.add_error("id_number", _("No living resident of your area has this ID number."))
        elif _donate(request, form, donor):
            return redirect("care:donations")
    page = Paginator(selectors.donations(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "care/donations.html", {"form": form, "page": page, "rows": page.object_list}
    )


@login_required
@requires(MANAGE)
def service_points(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.managed_points(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "care/service_points.html",
        {
            "page": page,
            "rows": page.object_list,
            "map_points": selectors.map_points(list(page.object_list)),
            **_tiles(),
        },
    )


@login_required
@requires(MANAGE)
def service_point_edit(request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
    user = request.user
    point = selectors.get_managed_point(user, pk) if pk is not None else None
    initial: dict[str, object] = {"is_active": True}
    if point is not None:
        initial = {
            "community": point.community_id,
            "kind": point.kind,
            "name": point.name,
            "address": point.address,
            "phone": point.phone,
            "hours": point.hours,
            "lat": point.lat,
            "lng": point.lng,
            "merchant": point.merchant_id,
            "is_active": point.is_active,
        }
    form = forms.ServicePointForm(
        request.POST or None,
        initial=initial,
        communities=selectors.giving_communities(user),
        merchants=selectors.merchant_choices(user),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_service_point(
                point,
                actor=user,
                community=d["community"],
                kind=d["kind"],
                name=d["name"],
                address=d["address"],
                phone=d["phone"],
                hours=d["hours"],
                lat=d["lat"],
                lng=d["lng"],
                merchant=d["merchant"],
                is_active=d["is_active"],
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("The service point is saved."))
            return redirect("care:service_points")
    return render(request, "care/service_point_form.html", {"form": form, "point": point})
