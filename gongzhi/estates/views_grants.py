"""Pages of row 000-17 (seed 000 §五): the start-up grant panel on the committee page, the
street's list of grants and the list of committees' organisations without a full-time secretary.
Thin: forms parse, selectors read, `grants` writes; a refusal comes back as a flash message."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, refusals
from gongzhi.core.gates import requires
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.estates import forms, grants, selectors
from gongzhi.estates.models import GrantStatus, OwnersCommittee, StartupGrant

PAGE_SIZE = 30
VIEW = Action.ESTATE_VIEW
MANAGE = Action.ESTATE_MANAGE
STREET = Action.ESTATE_FILE


def panel(user: User, committee: OwnersCommittee) -> dict[str, Any]:
    """What the committee page shows of the start-up funds and the secretary."""
    path = committee.place_path
    amount = grants.startup_amount(committee.estate)
    rows = selectors.grants_of(committee)
    manage = access.can(user, MANAGE, path)
    open_grant = any(
        g.status != GrantStatus.REFUSED and g.party_org_id == committee.party_org_id for g in rows
    )
    org = committee.party_org
    secretary = org.secretary if org is not None else None
    return {
        "grant_amount": amount,
        "grants": rows,
        "grant_request": manage
        and org is not None
        and bool(committee.party_org_form)
        and amount.fen is not None
        and not open_grant,
        "grant_street": access.can(user, STREET, path),
        "grant_secretary": secretary,
        "secretary_form": forms.SecretaryForm(initial={"full_time": committee.secretary_full_time})
        if manage and org is not None
        else None,
        "refuse_form": forms.GrantRefuseForm(),
        "pay_form": forms.GrantPayForm(),
        "requested": GrantStatus.REQUESTED,
        "approved": GrantStatus.APPROVED,
    }


def _back(request: AuthenticatedRequest, committee: OwnersCommittee) -> HttpResponse:
    if request.POST.get("next") == "list":
        return redirect("estates:grants")
    return redirect("estates:committee", pk=committee.pk)


@login_required
@require_POST
@requires(MANAGE)
def grant_request(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    committee = selectors.get_committee(user, pk)
    refusals.act(
        request,
        forms.ConfirmForm({}),
        lambda _d: grants.request_grant(committee, actor=user),
        _("The start-up funds are requested from the street."),
    )
    return _back(request, committee)


@login_required
@require_POST
@requires(MANAGE)
def secretary(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    committee = selectors.get_committee(user, pk)
    refusals.act(
        request,
        forms.SecretaryForm(request.POST),
        lambda d: grants.set_secretary_full_time(committee, actor=user, full_time=d["full_time"]),
        _("The secretary is recorded."),
    )
    return _back(request, committee)


def _grant(request: AuthenticatedRequest, pk: int) -> StartupGrant:
    return selectors.get_grant(request.user, pk)


@login_required
@require_POST
@requires(STREET)
def grant_approve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    grant = _grant(request, pk)
    refusals.act(
        request,
        forms.ConfirmForm({}),
        lambda _d: grants.approve_grant(grant, actor=user),
        _("The start-up funds are approved."),
    )
    return _back(request, grant.committee)


@login_required
@require_POST
@requires(STREET)
def grant_refuse(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    grant = _grant(request, pk)
    refusals.act(
        request,
        forms.GrantRefuseForm(request.POST),
        lambda d: grants.refuse_grant(grant, actor=user, reason=d["reason"]),
        _("The request is refused."),
    )
    return _back(request, grant.committee)


@login_required
@require_POST
@requires(STREET)
def grant_pay(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    grant = _grant(request, pk)
    refusals.act(
        request,
        forms.GrantPayForm(request.POST),
        lambda d: grants.pay_grant(
            grant, actor=user, paid_on=d["paid_on"], payment_ref=d["payment_ref"]
        ),
        _("The payment is recorded."),
    )
    return _back(request, grant.committee)


@login_required
@requires(VIEW)
def grant_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    tab = "secretary" if request.GET.get("tab") == "secretary" else "grants"
    if tab == "secretary":
        rows: Any = selectors.without_full_time_secretary(user)
    else:
        rows = selectors.visible_grants(user).order_by("-requested_at", "-id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "estates/grants.html",
        {
            "tab": tab,
            "page": page,
            "rows": page.object_list,
            "street": access.has_any(user, STREET),
            "refuse_form": forms.GrantRefuseForm(),
            "pay_form": forms.GrantPayForm(),
            "requested": GrantStatus.REQUESTED,
            "approved": GrantStatus.APPROVED,
        },
    )
