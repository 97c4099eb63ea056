"""Assessment round pages: the rounds list (open a round in a dialog), a round (status, a
progress bar polled with htmx, the ranking per street and in the area, the assessor's actions
in dialogs), a score with every part traced to its records, contests, a community's trend.
Thin: forms parse, selectors read, services write; a refusal comes back as a flash message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import gates, photos, refusals
from gongzhi.core.gates import requires
from gongzhi.core.indicators import Period
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.evaluation import forms, selectors, services
from gongzhi.evaluation.models import ContestStatus, RoundStatus

PAGE_SIZE = 30
VIEW = Action.EVALUATION_VIEW
MANAGE = Action.EVALUATION_MANAGE
CONTEST = Action.EVALUATION_CONTEST


def _say_form(request: AuthenticatedRequest, form: Any) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}：{error}" if label else str(error))


@login_required
@requires(VIEW)
def rounds(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    places = selectors.area_places(user)
    may_open = gates.allowed(user, MANAGE) and places.exists()
    form = forms.OpenRoundForm(places=places, initial={"year": _last_year()})
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.OpenRoundForm(request.POST, places=places)
        if form.is_valid():
            data = form.cleaned_data
            quarter = data["quarter"]
            period = Period.quarter(data["year"], quarter) if quarter else Period.year(data["year"])
            try:
                rnd = services.open_round(
                    actor=user,
                    place=data["place"],
                    period=period,
                    title=data["title"],
                    contest_until=data["contest_until"],
                )
            except ValidationError as error:
                refusals.say(request, error)
            else:
                messages.success(request, _("The round is opened and being computed."))
                return redirect("evaluation:round", rnd.pk)
        else:
            _say_form(request, form)
    status = request.GET.get("status", "")
    page = Paginator(selectors.rounds(user, status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/rounds.html",
        {
            "page": page,
            "rows": page.object_list,
            "status": status,
            "statuses": RoundStatus.choices,
            "form": form,
            "may_open": may_open,
        },
    )


def _last_year() -> int:
    from gongzhi.core import clock

    return clock.today().year - 1


@login_required
@requires(VIEW)
def round_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    rnd = selectors.get_round(user, pk)
    rows = selectors.ranking(user, rnd)
    manage = selectors.may_manage(user, rnd)
    streets = selectors.by_street(rows)
    published = rnd.status == RoundStatus.PUBLISHED
    return render(
        request,
        "evaluation/round.html",
        {
            "round": rnd,
            "rows": rows,
            "streets": streets,
            "report_streets": selectors.reportable_streets(user, streets) if published else set(),
            "manage": manage,
            "open_contests": selectors.open_contest_count(rnd) if manage else 0,
            "verified": services.verify(rnd) if rnd.status == RoundStatus.PUBLISHED else None,
            "period": services.period_of(rnd).label,
        },
    )


@login_required
@requires(VIEW)
def progress(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The progress bar, polled by htmx while the round computes; once done, the page reloads
    itself (HX-Refresh) to show the ranking."""
    rnd = selectors.get_round(request.user, pk)
    response = render(request, "evaluation/_progress.html", {"round": rnd})
    if rnd.status != RoundStatus.COMPUTING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@requires(MANAGE)
@require_POST
def round_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponse:
    user = request.user
    rnd = selectors.get_round(user, pk)
    try:
        if act == "compute":
            services.compute_round(actor=user, round=rnd)
            messages.success(request, _("The round is being computed again."))
        elif act == "publish":
            services.publish(actor=user, round=rnd)
            messages.success(request, _("The round is published and frozen."))
        else:
            raise Http404
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("evaluation:round", rnd.pk)


@login_required
@requires(VIEW)
def score_page(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    score = selectors.get_score(user, pk)
    rnd = score.round
    figures = selectors.score_figures(score)
    reviewing = rnd.status == RoundStatus.REVIEW
    manage = selectors.may_manage(user, rnd)
    choices = selectors.manual_choices(rnd) if manage and reviewing else []
    return render(
        request,
        "evaluation/score.html",
        {
            "score": score,
            "round": rnd,
            "figures": figures,
            "parts": selectors.parts_of(score, figures),
            "may_contest": reviewing and selectors.may_contest(user, score),
            "manage": manage and reviewing,
            "item_form": forms.ItemForm(choices=choices) if choices else None,
            "contest_form": forms.ContestForm(),
            "decide_form": forms.DecideForm(),
            "period": services.period_of(rnd).label,
        },
    )


@login_required
@requires(MANAGE)
@require_POST
def score_item(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    score = selectors.get_score(user, pk)
    form = forms.ItemForm(request.POST, choices=selectors.manual_choices(score.round))
    refusals.act(
        request,
        form,
        lambda d: services.record_item(actor=user, score=score, item=d["item"], reason=d["reason"]),
        _("The item is recorded and the round re-scored."),
    )
    return redirect("evaluation:score", score.pk)


@login_required
@requires(CONTEST)
def contest_part(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    part = selectors.get_part(user, pk)
    form = forms.ContestForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.contest(
                    actor=user,
                    part=part,
                    reason=form.cleaned_data["reason"],
                    claimed=form.cleaned_data["claimed"],
                    evidence=request.FILES.getlist("evidence"),
                )
            except ValidationError as error:
                refusals.say(request, error)
            else:
                messages.success(request, _("Your contest is sent to the assessor."))
                return redirect("evaluation:score", part.score_id)
        else:
            _say_form(request, form)
    dialog = bool(request.headers.get("HX-Request"))
    return render(
        request,
        "evaluation/_contest_form.html" if dialog else "evaluation/contest_form.html",
        {"part": part, "form": form, "score": part.score, "dialog": dialog},
    )


@login_required
@requires(VIEW)
def contests(request: AuthenticatedRequest) -> HttpResponse:
    status = request.GET.get("status", ContestStatus.OPEN)
    qs = selectors.contests(request.user, "" if status == "all" else status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "evaluation/contests.html",
        {
            "page": page,
            "rows": page.object_list,
            "status": status,
            "statuses": ContestStatus.choices,
        },
    )


@login_required
@requires(MANAGE)
def decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    found = selectors.get_contest(user, pk)
    form = forms.DecideForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            reject = data["decision"] == "reject"
            try:
                services.decide_contest(
                    actor=user,
                    contest=found,
                    reason=data["reason"],
                    adjust_to=None if reject else data["adjust_to"],
                    reject=reject,
                )
            except ValidationError as error:
                refusals.say(request, error)
            else:
                messages.success(request, _("The contest is decided."))
                return redirect("evaluation:score", found.part.score_id)
        else:
            _say_form(request, form)
    dialog = bool(request.headers.get("HX-Request"))
    return render(
        request,
        "evaluation/_decide_form.html" if dialog else "evaluation/decide_form.html",
        {"contest": found, "form": form, "dialog": dialog},
    )


@login_required
@requires(VIEW)
def evidence(request: AuthenticatedRequest, pk: int, photo_pk: int) -> HttpResponse:
    photo = selectors.get_evidence(request.user, pk, photo_pk)
    return photos.response(photo.file)


@login_required
@requires(VIEW)
def trend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    place = selectors.get_community(request.user, pk)
    rows = selectors.trend(request.user, place)
    return render(request, "evaluation/trend.html", {"place": place, "rows": rows})
