"""Pages of the community's money: funds (staff tables and the public page), purchased services
with the share from social organisations, and funding lines. Thin: forms parse, selectors
read, services write; a refusal comes back as a flash message. A form shows only to whoever
may use it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, exports, gates, inputs, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.funds import forms, selectors, services

PAGE_SIZE = 30
VIEW = Action.FUNDS_VIEW
MANAGE = Action.FUNDS_MANAGE


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --------------------------------------------------------------------------- funds


@login_required
@requires(VIEW)
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    places = selectors.fund_places(user)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.FundForm(request.POST, choices={"place": places})
        if refusals.act(
            request,
            form,
            lambda d: services.create_fund(
                d["place"], actor=user, name=d["name"], purpose=d["purpose"]
            ),
            _("The fund is open."),
        ):
            return redirect("funds:index")
    page = _page(request, selectors.funds(user))
    return render(
        request,
        "funds/index.html",
        {
            "page": page,
            "rows": page.object_list,
            "form": forms.FundForm(choices={"place": places})
            if access.has_any(user, MANAGE)
            else None,
        },
    )


@login_required
@requires(VIEW)
def fund(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_fund(user, pk)
    manage = access.can(user, MANAGE, item.place_path)
    choices = {
        "micro_project": selectors.grantable_micro_projects(item),
        "venture_project": selectors.grantable_ventures(item),
    }
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if request.POST.get("form") == "grant":
            grant_form = forms.GrantForm(request.POST, choices=choices)
            refusals.act(
                request,
                grant_form,
                lambda d: services.grant(
                    item,
                    actor=user,
                    amount_yuan=d["amount_yuan"],
                    on=d["on"],
                    micro_project=d["micro_project"],
                    venture_project=d["venture_project"],
                    purpose=d["purpose"],
                    reference=d["reference"],
                    request_key=d["request_key"],
                ),
                _("The grant is booked."),
            )
        else:
            form = forms.DonationForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.donate(
                    item,
                    actor=user,
                    amount_yuan=d["amount_yuan"],
                    on=d["on"],
                    donor_name=d["donor_name"],
                    anonymous=d["anonymous"],
                    reference=d["reference"],
                    request_key=d["request_key"],
                ),
                _("The donation is booked."),
            )
        return redirect("funds:fund", item.pk)
    page = _page(request, selectors.fund_entries(item))
    today = clock.today()
    return render(
        request,
        "funds/fund.html",
        {
            "fund": item,
            "totals": selectors.totals(item),
            "page": page,
            "rows": page.object_list,
            "donation_form": forms.DonationForm(initial={"on": today}) if manage else None,
            "grant_form": forms.GrantForm(initial={"on": today}, choices=choices)
            if manage
            else None,
        },
    )


@login_required
@requires(VIEW)
def fund_xlsx(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every entry of the fund as xlsx (formula-safe writer; an anonymous donor unnamed)."""
    item = selectors.get_fund(request.user, pk)
    headers = [_("Date"), _("Kind"), _("Donor or project"), _("Amount (yuan)"), _("Voucher number")]
    body = exports.write_xlsx(selectors.fund_export_rows(item), headers, title=item.name)
    response = HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="fund-{item.pk}.xlsx"'
    return response


def public_funds(request: HttpRequest) -> HttpResponse:
    """Every community fund and its balance: no login."""
    page = _page(request, selectors.public_funds())
    return render(request, "funds/public_funds.html", {"page": page, "rows": page.object_list})


def public_fund(request: HttpRequest, pk: int) -> HttpResponse:
    """Every entry of a fund: date, kind, amount, the donor (爱心人士 when anonymous) or the
    project; nothing personal, no login."""
    item = selectors.public_fund(pk)
    page = _page(request, selectors.public_entries(item))
    return render(
        request,
        "funds/public_fund.html",
        {"fund": item, "totals": selectors.totals(item), "page": page, "rows": page.object_list},
    )


# --------------------------------------------------------------------------- purchased services


@login_required
@requires(VIEW)
def purchases(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    year = inputs.year(request)
    manage = access.has_any(user, MANAGE)
    choices = {
        "community": selectors.communities(user),
        "organisation": selectors.suppliers(user),
    }
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.PurchaseForm(request.POST, choices=choices)
        if refusals.act(
            request,
            form,
            lambda d: services.record_purchase(
                d["community"],
                actor=user,
                year=d["year"],
                service=d["service"],
                amount_yuan=d["amount_yuan"],
                organisation=d["organisation"],
                supplier_name=d["supplier_name"],
            ),
            _("The purchased service is recorded."),
        ):
            return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    page = _page(request, selectors.purchases(user, year))
    return render(
        request,
        "funds/purchases.html",
        {
            "year": year,
            "page": page,
            "rows": page.object_list,
            "shares": selectors.share_rows(user, year),
            "form": forms.PurchaseForm(choices=choices, initial={"year": year}) if manage else None,
            "remove_form": forms.RemoveForm() if manage else None,
        },
    )


@login_required
@require_POST
def remove_purchase(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    purchase = selectors.get_purchase(user, pk)
    year = purchase.year
    refusals.act(
        request,
        forms.RemoveForm(request.POST),
        lambda d: services.remove_purchase(purchase, actor=user, reason=d["reason"]),
        _("The purchased service is removed."),
    )
    return redirect(f"{reverse('funds:purchases')}?year={year}")


# --------------------------------------------------------------------------- funding lines


@login_required
@requires(VIEW)
def lines(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    year = inputs.year(request)
    choices = {"community": selectors.communities(user)}
    if request.method == "POST":
        gates.check(user, MANAGE)
        if request.POST.get("form") == "notice":
            notice_form = forms.NoticeForm(request.POST, choices=choices)
            if refusals.act(
                request,
                notice_form,
                lambda d: services.publish_financial_notice(d["community"], d["year"], actor=user),
                _("The financial notice is published from the entries."),
            ):
                return redirect(f"{request.path}?year={notice_form.cleaned_data['year']}")
        else:
            form = forms.OpenLinesForm(request.POST, choices=choices)
            if refusals.act(
                request,
                form,
                lambda d: services.open_lines(d["community"], d["year"], actor=user),
                _("The funding lines are open."),
            ):
                return redirect(f"{request.path}?year={form.cleaned_data['year']}")
    page = _page(request, selectors.lines(user, year))
    return render(
        request,
        "funds/lines.html",
        {
            "year": year,
            "page": page,
            "rows": page.object_list,
            "form": forms.OpenLinesForm(choices=choices, initial={"year": year})
            if access.has_any(user, MANAGE)
            else None,
            "notice_form": forms.NoticeForm(choices=choices, initial={"year": year})
            if access.has_any(user, MANAGE)
            else None,
        },
    )


@login_required
@requires(VIEW)
def lines_xlsx(request: AuthenticatedRequest) -> HttpResponse:
    """The year's funding lines of the viewer's area as xlsx (formula-safe writer)."""
    year = inputs.year(request)
    headers = [
        _("Community"),
        _("Year"),
        _("Line"),
        _("The rule gives (yuan)"),
        _("Paragraph"),
        _("Received (yuan)"),
        _("Spent (yuan)"),
        _("Balance (yuan)"),
    ]
    body = exports.write_xlsx(
        selectors.lines_export_rows(request.user, year), headers, title=str(year)
    )
    response = HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="funding-lines-{year}.xlsx"'
    return response


@login_required
@requires(VIEW)
def line(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_line(user, pk)
    manage = access.can(user, MANAGE, item.place_path)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = forms.LineEntryForm(request.POST)

        def call(d: dict[str, Any]) -> object:
            book = services.receive if d["kind"] == "receipt" else services.spend
            return book(
                item,
                actor=user,
                amount_yuan=d["amount_yuan"],
                on=d["on"],
                description=d["description"],
                reference=d["reference"],
                request_key=d["request_key"],
            )

        refusals.act(request, form, call, _("The entry is booked."))
        return redirect("funds:line", item.pk)
    page = _page(request, selectors.line_entries(item))
    return render(
        request,
        "funds/line.html",
        {
            "line": item,
            "totals": selectors.line_totals(item),
            "page": page,
            "rows": page.object_list,
            "form": forms.LineEntryForm(initial={"on": clock.today()}) if manage else None,
        },
    )
