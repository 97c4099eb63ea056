"""Micro-project pages: rounds and projects for residents and staff, and the public page of a
community (no login) with the budget, the selection with skipped reasons, spending and
completion. Thin: reads through selectors, writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, photos, profiles, refusals
from gongzhi.core.roles import Action
from gongzhi.microprojects import selectors, services
from gongzhi.microprojects.models import Method, Phase, Photo, Selection, Support
from gongzhi.organisations.selectors import choosable
from gongzhi.people.selectors import resident_of

ITEM_ROWS = 5


@login_required
def index(request):
    manager = access.has_any(request.user, Action.MICROPROJECT_MANAGE)
    if not any(
        access.has_any(request.user, a)
        for a in (Action.MICROPROJECT_MANAGE, Action.DELIBERATION_JOIN, Action.PLACE_VIEW)
    ):
        raise PermissionDenied(_("Your role does not use this page."))
    rounds = selectors.visible_rounds(request.user).order_by("-year", "place_path")[:100]
    communities = list(selectors.managed_communities(request.user)[:100]) if manager else []
    budgets = services.profile_budgets(communities)
    for community in communities:
        community.profile_budget = budgets[community.pk]
    return render(
        request,
        "microprojects/index.html",
        {
            "rounds": rounds,
            "communities": communities,
            "manager": manager,
            "year": clock.today().year,
            "methods": Method.choices,
        },
    )


@login_required
@require_POST
def open_round(request):
    community = get_object_or_404(
        selectors.managed_communities(request.user), pk=request.POST.get("community") or 0
    )
    try:
        year = int(request.POST.get("year", ""))
    except (TypeError, ValueError):
        messages.error(request, _("Enter the year as a whole number."))
        return redirect("microprojects:index")
    try:
        rnd = services.open_round(
            community,
            year,
            request.POST.get("max_votes") or None,
            actor=request.user,
            budget=request.POST.get("budget", "").strip() or None,
            method=request.POST.get("method") or Method.GREEDY,
        )
    except ValidationError as error:
        refusals.say(request, error)
        return redirect("microprojects:index")
    return redirect("microprojects:round", pk=rnd.pk)


@login_required
def round_detail(request, pk: int):
    rnd = selectors.get_round(request.user, pk)
    manager = access.can(request.user, Action.MICROPROJECT_MANAGE, rnd.place_path)
    resident = resident_of(request.user)
    voted = set()
    if resident is not None:
        voted = set(
            Support.objects.filter(round=rnd, resident=resident).values_list(
                "project_id", flat=True
            )
        )
    projects = list(selectors.projects(rnd))
    results = None
    if rnd.phase == Phase.SELECTED:
        results = {
            "greedy": [p for p in projects if p.greedy_selected],
            "mes": [p for p in projects if p.mes_selected],
        }
        results["greedy_total"] = sum((p.cost for p in results["greedy"]), 0)
        results["mes_total"] = sum((p.cost for p in results["mes"]), 0)
    return render(
        request,
        "microprojects/round.html",
        {
            "round": rnd,
            "projects": projects,
            "results": results,
            "profile": profiles.effective_profile(rnd.community),
            "budget": services.profile_budget(rnd.community),
            "methods": Method.choices,
            "rules_open": manager and rnd.phase == Phase.PROPOSING,
            "selection": Selection,
            "manager": manager,
            "voted": voted,
            "can_propose": access.can(request.user, Action.DELIBERATION_JOIN, rnd.place_path),
            "item_rows": range(ITEM_ROWS),
            "selected_total": selectors.selected_total(rnd),
        },
    )


@login_required
@require_POST
def round_action(request, pk: int, step: str):
    rnd = selectors.get_round(request.user, pk)
    post = request.POST
    try:
        if step == "propose":
            items = list(zip(post.getlist("item_name"), post.getlist("item_amount"), strict=False))
            services.propose(
                rnd,
                actor=request.user,
                title=post.get("title", ""),
                description=post.get("description", ""),
                items=items,
            )
            messages.success(request, _("Thank you: your proposal goes to review."))
        elif step == "rules":
            services.set_rules(
                rnd,
                actor=request.user,
                budget=post.get("budget", "").strip() or None,
                method=post.get("method") or None,
                max_votes=post.get("max_votes", "").strip() or None,
            )
            messages.success(request, _("The rules of the round were saved."))
        elif step == "voting":
            services.start_voting(rnd, actor=request.user)
            messages.success(request, _("Voting has started."))
        elif step == "select":
            services.select(rnd, actor=request.user)
            messages.success(request, _("Projects selected within the budget."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("microprojects:round", pk=rnd.pk)


@login_required
def project_detail(request, pk: int):
    project = selectors.get_project(request.user, pk)
    return render(
        request,
        "microprojects/project.html",
        {
            "project": project,
            "spending": selectors.spending_of(project),
            "photos": selectors.work_photos(project),
            "manager": access.can(request.user, Action.MICROPROJECT_MANAGE, project.place_path),
            "spent": services.spent(project),
            "overspent": services.overspent(project),
            "payee_orgs": choosable(request.user, project.place_path),
        },
    )


def _payee_org(request, project):
    """The social organisation picked as payee, if it is one the user may pick here; an id
    that is not is refused (nothing is written)."""
    raw = str(request.POST.get("organisation") or "")
    if not raw:
        return None
    org = None
    if raw.isdigit() and len(raw) < 10:
        org = choosable(request.user, project.place_path).filter(pk=int(raw)).first()
    if org is None:
        raise ValidationError(
            {
                "payee": _(
                    "Choose a social organisation on the register (not dissolved) that serves "
                    "this community or its street."
                )
            }
        )
    return org


@login_required
@require_POST
def project_action(request, pk: int, step: str):
    project = selectors.get_project(request.user, pk)
    post = request.POST
    try:
        if step == "vote":
            services.support(project, actor=request.user)
            messages.success(request, _("Your vote has been counted."))
            return redirect("microprojects:round", pk=project.round_id)
        if step == "review":
            services.review(
                project,
                actor=request.user,
                feasible=post.get("feasible") == "1",
                reason=post.get("reason", ""),
                cost=post.get("cost", ""),
            )
            messages.success(request, _("Review saved."))
        elif step == "spend":
            services.add_spending(
                project,
                actor=request.user,
                amount=post.get("amount", ""),
                item=post.get("item", ""),
                payee=post.get("payee", ""),
                paid_on=parse_date(post.get("paid_on", "") or ""),
                note=post.get("note", ""),
                organisation=_payee_org(request, project),
            )
            messages.success(request, _("Spending recorded."))
        elif step == "photo":
            upload = request.FILES.get("photo")
            if upload is None:
                raise ValidationError({"photo": _("Choose a photo to upload.")})
            receipt_of = post.get("spending") or None
            spending = selectors.spending_of(project).filter(pk=receipt_of).first()
            if receipt_of and spending is None:
                raise ValidationError({"spending": _("Choose a spending entry of this project.")})
            services.add_photo(
                project,
                upload.read(),
                post.get("caption", ""),
                actor=request.user,
                spending=spending,
            )
            messages.success(request, _("Photo added."))
        elif step == "complete":
            services.complete(project, actor=request.user, note=post.get("note", ""))
            messages.success(request, _("Project completed."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("microprojects:project", pk=project.pk)


def public(request, community_id: int):
    """No login: what the community's money was spent on."""
    community = selectors.is_public_community(community_id)
    rounds = selectors.public_record(community)
    return render(request, "microprojects/public.html", {"community": community, "rounds": rounds})


def photo(request, pk: int):
    """Photos are part of the public disclosure of a project."""
    item = get_object_or_404(Photo, pk=pk)
    return photos.response(item.file)
