"""Door-to-door verification round pages (入户核查, issue 24 item 2): the rounds (started from
the rentals page), sending one, a round's households with the checked ones, the roll-up
spreadsheet, and the grid worker's checklist of one household on the phone. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.care import forms, selectors, services
from gongzhi.core import access, exports, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest

PAGE_SIZE = 30
VIEW = Action.CARE_RENTAL_VIEW
CHECK = Action.CARE_RENTAL_MANAGE
SEND = Action.CARE_ROUND_SEND


@login_required
@requires(VIEW)
def rounds(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.round_rows(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "care/rounds.html",
        {"page": page, "rows": page.object_list, "send": access.has_any(request.user, SEND)},
    )


@login_required
@requires(SEND)
def round_new(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = forms.RoundForm(request.POST or None, places=selectors.round_places(user))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            sent = services.send_round(
                d["place"],
                actor=user,
                title=d["title"],
                due_on=d["due_on"],
                scope=d["scope"],
                row_tag=d["row_tag"],
            )
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(
                request, _("The round was sent: %(n)s households to check.") % {"n": sent.rows}
            )
            return redirect("care:round", sent.pk)
    return render(request, "care/round_new.html", {"form": form})


@login_required
@requires(VIEW)
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    checkround = selectors.get_round(user, pk)
    todo = request.GET.get("todo") == "1"
    page = Paginator(selectors.round_items(user, checkround, todo), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "care/round.html",
        {
            "round": checkround,
            "page": page,
            "rows": page.object_list,
            "todo": todo,
            "check": access.has_any(user, CHECK),
        },
    )


@login_required
@requires(VIEW)
def round_rollup(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    checkround = selectors.get_round(user, pk)
    headers, rows = selectors.round_rollup(user, checkround)
    content = exports.write_xlsx(rows, headers, title=_("Roll-up"))
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="round-{checkround.pk}.xlsx"'
    return response


@login_required
@requires(CHECK)
def round_item(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The grid worker's checklist of one household (phone)."""
    user = request.user
    item = selectors.get_round_item(user, pk)
    initial = {**item.answers, "note": item.note}
    form = forms.CheckForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.check_household(item, actor=user, answers=d, note=d["note"])
        except ValidationError as error:
            refusals.on_form(form, error)
        else:
            messages.success(request, _("The household is checked."))
            return redirect(f"{reverse('care:round', args=[item.round_id])}?todo=1")
    return render(request, "care/round_item.html", {"item": item, "form": form})
