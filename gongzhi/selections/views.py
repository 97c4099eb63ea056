"""Pages of selections: the staff's desktop tables (actions in dialogs) and the residents'
phone pages (vote, results). Thin: parse, call a selector or a service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, photos, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.places import selectors as place_directory
from gongzhi.selections import rules, selectors, services
from gongzhi.selections.models import Kind, Method, Stage

if TYPE_CHECKING:
    from gongzhi.core.types import AuthenticatedRequest

STAFF = (Action.SELECTION_MANAGE, Action.SELECTION_NOMINATE)
ALL = (*STAFF, Action.SELECTION_VOTE)
PER_PAGE = 25


def _running_places(request: AuthenticatedRequest) -> list[object]:
    return list(
        place_directory.visible_places(request.user, Action.SELECTION_MANAGE)
        .filter(kind__in=services.RUNNING_KINDS)
        .order_by("path")[:200]
    )


@login_required
@requires(*STAFF)
def selection_list(request: AuthenticatedRequest) -> HttpResponse:
    stage = request.GET.get("stage", "")
    page = Paginator(selectors.staff_list(request.user, stage), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "selections/list.html",
        {
            "page": page,
            "stage": stage,
            "stages": Stage.choices,
            "kinds": Kind.choices,
            "methods": Method.choices,
            "may_create": access.has_any(request.user, Action.SELECTION_MANAGE),
            "running_places": _running_places(request),
        },
    )


@login_required
@requires(Action.SELECTION_MANAGE)
@require_POST
def selection_new(request: AuthenticatedRequest) -> HttpResponseBase:
    place = get_object_or_404(
        place_directory.visible_places(request.user, Action.SELECTION_MANAGE),
        pk=request.POST.get("place") if str(request.POST.get("place", "")).isdigit() else None,
    )
    try:
        year = int(request.POST.get("year", ""))
    except ValueError:
        messages.error(request, _("Enter a year between 2000 and next year."))
        return redirect("selections:list")
    try:
        selection = services.create_selection(
            actor=request.user,
            place=place,
            kind=request.POST.get("kind", ""),
            year=year,
            title=request.POST.get("title", ""),
            method=request.POST.get("method", ""),
        )
    except ValidationError as error:
        refusals.say(request, error)
        return redirect("selections:list")
    messages.success(request, _("The selection is open for nominations."))
    return redirect("selections:detail", selection.pk)


@login_required
@requires(*STAFF)
def selection_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    selection = selectors.get(request.user, pk)
    nominees = selectors.nominees(request.user, selection).order_by("path", "id")
    page = Paginator(nominees, PER_PAGE).get_page(request.GET.get("page"))
    manager = selectors.may_manage(request.user, selection)
    on_panel = selectors.is_panel_member(request.user, selection)
    criteria = [
        {"code": c["code"], "max": c["max"], "label": rules.criterion_label(c["code"])}
        for c in selection.criteria
    ]
    nominating = selection.stage == Stage.NOMINATING and access.has_any(
        request.user, Action.SELECTION_NOMINATE
    )
    return render(
        request,
        "selections/detail.html",
        {
            "selection": selection,
            "page": page,
            "manager": manager,
            "on_panel": on_panel and selection.stage == Stage.VOTING and selection.uses_panel,
            "criteria": criteria,
            "my_scores": selectors.my_scores(request.user, selection) if on_panel else {},
            "panel": list(selection.panel.order_by("name")),
            "candidates": list(selectors.panel_candidates(selection)[:200]) if manager else [],
            "nominating": nominating,
            "buildings": (
                list(
                    place_directory.visible_places(request.user, Action.SELECTION_NOMINATE)
                    .filter(kind="building", path__startswith=selection.path)
                    .order_by("path")[:300]
                )
                if nominating and selection.kind == Kind.STAR_BUILDING
                else []
            ),
            "heads": (
                list(selectors.building_heads(request.user, selection)[:300])
                if nominating and selection.kind == Kind.BEST_BUILDING_HEAD
                else []
            ),
        },
    )


@login_required
@requires(Action.SELECTION_MANAGE)
@require_POST
def selection_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponseBase:
    selection = selectors.get(request.user, pk)
    try:
        if act == "panel":
            services.set_panel(
                actor=request.user, selection=selection, member_ids=request.POST.getlist("members")
            )
            done = _("The panel is named.")
        elif act == "publish":
            services.publish(actor=request.user, selection=selection)
            done = _("The results are published.")
        elif act in services.STEPS:
            services.set_stage(actor=request.user, selection=selection, step=act)
            done = _("The selection has moved on to: %(stage)s.") % {
                "stage": selection.get_stage_display()
            }
        else:
            raise ValidationError(_("Unknown step."))
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, done)
    return redirect("selections:detail", pk)


@login_required
@requires(Action.SELECTION_NOMINATE)
@require_POST
def nominate(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    selection = selectors.get(request.user, pk)
    building = head_post = None
    raw = request.POST.get("building", "")
    if raw.isdigit():
        building = get_object_or_404(
            place_directory.visible_places(request.user, Action.SELECTION_NOMINATE), pk=raw
        )
    raw = request.POST.get("head", "")
    if raw.isdigit():
        head_post = get_object_or_404(selectors.building_heads(request.user, selection), pk=raw)
    try:
        services.nominate(
            actor=request.user,
            selection=selection,
            reasons=request.POST.get("reasons", ""),
            building=building,
            head_post=head_post,
            uploads=request.FILES.getlist("photos"),
        )
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("The nominee is put forward."))
    return redirect("selections:detail", pk)


@login_required
@requires(*STAFF)
@require_POST
def nominee_act(
    request: AuthenticatedRequest, pk: int, nominee_pk: int, act: str
) -> HttpResponseBase:
    selection = selectors.get(request.user, pk)
    item = selectors.nominee(request.user, selection, nominee_pk)
    try:
        if act == "score":
            services.score(actor=request.user, nominee=item, values=request.POST.dict())
            done = _("Your scores are saved.")
        elif act == "withdraw":
            services.withdraw(actor=request.user, nominee=item)
            done = _("The nomination is withdrawn.")
        else:
            raise ValidationError(_("Unknown step."))
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, done)
    return redirect("selections:detail", pk)


@login_required
@requires(*ALL)
def nominee_photo(
    request: AuthenticatedRequest, pk: int, nominee_pk: int, photo_pk: int
) -> HttpResponseBase:
    selection = selectors.get(request.user, pk)
    return photos.response(selectors.photo(request.user, selection, nominee_pk, photo_pk).thumb)


# ------------------------------------------------------------------------ residents (phone)


@login_required
@requires(Action.SELECTION_VOTE)
def mine(request: AuthenticatedRequest) -> HttpResponse:
    page = Paginator(selectors.resident_list(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "selections/mine.html", {"page": page})


@login_required
@requires(*ALL)
def ballot(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    selection = selectors.get(request.user, pk)
    if selection.stage == Stage.PUBLISHED:
        return redirect("selections:result", pk)
    nominees = selectors.nominees(request.user, selection).order_by("path", "id")
    page = Paginator(nominees, PER_PAGE).get_page(request.GET.get("page"))
    voted = selectors.my_votes(request.user, selection)
    return render(
        request,
        "selections/ballot.html",
        {
            "selection": selection,
            "page": page,
            "voted": voted,
            "left": max(selection.votes_per_voter - len(voted), 0),
            "open": selection.stage == Stage.VOTING and selection.uses_votes,
            "may_vote": access.has_any(request.user, Action.SELECTION_VOTE),
        },
    )


@login_required
@requires(Action.SELECTION_VOTE)
@require_POST
def vote(request: AuthenticatedRequest, pk: int, nominee_pk: int) -> HttpResponseBase:
    selection = selectors.get(request.user, pk)
    item = selectors.nominee(request.user, selection, nominee_pk)
    try:
        services.vote(actor=request.user, nominee=item)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Your vote for %(name)s is counted.") % {"name": item.name})
    return redirect("selections:ballot", pk)


@login_required
@requires(*ALL)
def result(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    selection = selectors.get(request.user, pk)
    published = selection.stage == Stage.PUBLISHED
    rows = selectors.results(selection) if published else selectors.results(selection).none()
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "selections/result.html",
        {"selection": selection, "page": page, "published": published},
    )
