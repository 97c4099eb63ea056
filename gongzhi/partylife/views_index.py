"""Pages of the fuller vanguard index (先锋指数, issue 23 item 6): the member's own score with
every part (phone), the declare page, and the branch's score table with the declarations to
review and the form to record an item (desktop; actions in fold-out forms). Thin: forms parse,
gongzhi/partylife/index.py computes, gongzhi/partylife/declarations.py writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import refusals
from gongzhi.core.gates import requires
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.partylife import forms, index, rules, selectors, services
from gongzhi.partylife.views import _member_records

PAGE_SIZE = 30
VIEW = rules.VIEW
ATTEND = rules.ATTEND


def _period_links(period: index.Period) -> dict[str, Any]:
    before, after = period.shift(-1), period.shift(1)
    return {
        "period": period,
        "previous": f"?year={before.year}&n={before.number}",
        "next": f"?year={after.year}&n={after.number}",
    }


def _rules_context(rules_: index.Rules) -> dict[str, Any]:
    return {
        "bands": index.band_rules(rules_),
        "catalogue": index.catalogue_rules(rules_),
        "period_rule": rules_.rule("periods_per_year"),
        "grace_rule": rules_.rule("dues_grace_days"),
    }


@login_required
@requires(ATTEND)
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """The member's own score for a period, every part with its inputs and its rule."""
    user = request.user
    member = rules.member(user)
    if member is None:
        raise Http404
    rules_ = index.rules_for(member.org)
    period = index.asked_period(rules_, request.GET.get("year"), request.GET.get("n"))
    score = index.scores([member], period, {member.org_id: rules_})[0]
    items = [
        (item, index.item_label(item.kind, item.code))
        for item in selectors.own_items(user).filter(
            occurred_on__range=(period.first, period.last)
        )[:50]
    ]
    return render(
        request,
        "partylife/index_mine.html",
        {
            "member": member,
            "score": score,
            "items": items,
            **_period_links(period),
            **_rules_context(rules_),
        },
    )


@login_required
@requires(ATTEND)
def declare(request: AuthenticatedRequest) -> HttpResponse:
    """The member declares a bonus or deduction item for the branch to review."""
    user = request.user
    if rules.member(user) is None:
        raise Http404
    form = forms.DeclareForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kind, code = form.kind_code()
        try:
            services.declare_item(
                actor=user,
                kind=kind,
                code=code,
                occurred_on=form.cleaned_data["occurred_on"],
                text=form.cleaned_data["text"],
                uploads=[form.cleaned_data.get("evidence")],
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("Your item is declared; the branch will review it."))
            return redirect("partylife:index_mine")
    return render(request, "partylife/index_declare.html", {"form": form})


@login_required
@requires(VIEW)
def branch(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The branch's score table (members of the branch and the groups under it), the
    declarations waiting for review and the form to record an item."""
    user = request.user
    body = selectors.get_org(user, pk)
    manage = _member_records(user, body)
    rules_ = index.rules_for(body)
    period = index.asked_period(rules_, request.GET.get("year"), request.GET.get("n"))
    members = selectors.index_members(body)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = index.scores(list(page.object_list), period)
    pending = [
        (item, index.item_label(item.kind, item.code))
        for item in selectors.pending_items(user, body)[:50]
    ]
    record_form = None
    if manage:
        record_form = forms.RecordItemForm(members=[(m.pk, m.resident.name) for m in members[:500]])
    return render(
        request,
        "partylife/index_branch.html",
        {
            "org": body,
            "page": page,
            "rows": rows,
            "manage": manage,
            "pending": pending,
            "review_form": forms.ItemReviewForm() if manage else None,
            "record_form": record_form,
            **_period_links(period),
            **_rules_context(rules_),
        },
    )


@login_required
@require_POST
@requires(VIEW)
def review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_item(user, pk)
    refusals.act(
        request,
        forms.ItemReviewForm(request.POST),
        lambda d: services.review_item(
            item, actor=user, accept=d["decision"] == "accept", reason=d["reason"]
        ),
        _("The item is reviewed."),
    )
    return redirect(reverse("partylife:index_branch", args=[item.org_id]))


@login_required
@require_POST
@requires(VIEW)
def record(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_org(user, pk)
    _member_records(user, body)
    members = selectors.index_members(body)
    form = forms.RecordItemForm(
        request.POST, members=[(m.pk, m.resident.name) for m in members[:500]]
    )

    def call(data: dict[str, Any]) -> object:
        kind, code = form.kind_code()
        return services.record_item(
            members.get(pk=data["member"]),
            actor=user,
            kind=kind,
            code=code,
            occurred_on=data["occurred_on"],
            text=data["text"],
        )

    refusals.act(request, form, call, _("The item is recorded."))
    return redirect(reverse("partylife:index_branch", args=[body.pk]))


@login_required
@requires(VIEW)
def evidence(request: AuthenticatedRequest, pk: int) -> FileResponse:
    item = selectors.get_evidence(request.user, pk)
    return item.serve()
