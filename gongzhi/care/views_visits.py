"""Care visit pages (issue 24 item 1): the visitor's to-do on the phone (我的走访) and the visit
form; the community's board of visit plans with figures per grid and the overdue; a plan's
visits, whose notes only the visitor and those granted `care.visit_notes` read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.care import forms, selectors, services
from gongzhi.care.models import Visit, VisitPlan
from gongzhi.core import access, clock, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.people.models import Resident
from gongzhi.tickets.selectors import active_categories

PAGE_SIZE = 30
PLAN = Action.CARE_VISIT_PLAN
RECORD = Action.CARE_VISIT_RECORD
NOTES = Action.CARE_VISIT_NOTES


@login_required
@requires(PLAN)
def visits(request: AuthenticatedRequest) -> HttpResponse:
    """The board: figures per grid, then the plans, the overdue first (or only them)."""
    user = request.user
    plans = selectors.visit_plans(user)
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        plans = plans.filter(next_due_on__lt=clock.today())
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/visits.html",
        {
            "figures": selectors.visit_figures(user),
            "page": page,
            "rows": page.object_list,
            "today": clock.today(),
            "overdue_only": overdue_only,
            "visitors": list(selectors.visitor_choices(user)[:300]),
        },
    )


@login_required
@requires(RECORD)
def my_visits(request: AuthenticatedRequest) -> HttpResponse:
    """我的走访: the people the visitor is assigned, the overdue first."""
    page = Paginator(selectors.my_visit_plans(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "care/my_visits.html",
        {"page": page, "rows": page.object_list, "today": clock.today()},
    )


@login_required
@requires(RECORD)
def visit_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    plan = selectors.get_my_plan(request.user, pk)
    if request.method == "POST":
        form = forms.VisitForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                visit = services.record_visit(
                    plan,
                    actor=request.user,
                    found=d["found"],
                    need=d["need"],
                    lat=d["lat"],
                    lng=d["lng"],
                    photo=d.get("photo"),
                )
            except ValidationError as error:
                refusals.on_form(form, error)
            else:
                if visit.far_from_building:
                    messages.warning(
                        request,
                        _(
                            "Visit recorded. Your position was %(m)s metres from the building: "
                            "the community will check it."
                        )
                        % {"m": visit.distance_m},
                    )
                else:
                    messages.success(request, _("Visit recorded."))
                if visit.need:  # the one tap that makes it a ticket is on the plan's page
                    return redirect("care:visit_plan", plan.pk)
                return redirect("care:my_visits")
    else:
        form = forms.VisitForm()
    return render(
        request,
        "care/visit_new.html",
        {"plan": plan, "form": form, "today": clock.today()},
    )


@login_required
def visit_plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A plan's visits with their notes: the visitor's own, or a notes reader's within their
    area; anyone else gets 404 (a party member who is not the visitor), or 403 without any
    visit role."""
    user = request.user
    if not (access.has_any(user, NOTES) or access.has_any(user, RECORD)):
        raise PermissionDenied
    visible = VisitPlan.objects.filter(
        Q(visitor_id=user.pk) | access.scope_q(user, NOTES, "place_path")
    ).select_related("resident", "visitor")
    plan = visible.filter(pk=pk).first()
    if plan is None or not selectors.can_read_notes(user, plan):
        raise Http404
    page = Paginator(selectors.visits_of(user, plan), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/visit_plan.html",
        {
            "plan": plan,
            "page": page,
            "rows": page.object_list,
            "today": clock.today(),
            "ticket_form": forms.VisitTicketForm(categories=active_categories())
            if plan.visitor_id == user.pk
            else None,
        },
    )


@login_required
@requires(RECORD)
@require_POST
def visit_ticket(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One tap: the visitor turns a visit's need into a ticket."""
    visit = Visit.objects.filter(pk=pk, visitor_id=request.user.pk).first()
    if visit is None:
        raise Http404
    form = forms.VisitTicketForm(request.POST, categories=active_categories())
    refusals.act(
        request,
        form,
        lambda d: services.raise_ticket(visit, actor=request.user, category=d["category"]),
        _("The need is now a ticket."),
    )
    return redirect("care:visit_plan", visit.plan_id)


@login_required
@requires(PLAN)
def visit_planning(request: AuthenticatedRequest) -> HttpResponse:
    """Plan visits for a grid's care list: tick the people (and their care tag) not planned
    yet, choose one visitor; all are planned or none."""
    user = request.user
    places = selectors.plan_places(user)
    chosen = request.POST.get("place") or request.GET.get("place")
    place = selectors.get_plan_place(user, chosen) if chosen else places.first()
    if place is None:
        return render(request, "care/visit_planning.html", {"places": places, "place": None})
    visitors = selectors.visitor_choices(user, place)
    listed = selectors.care_list(user, place)
    form = forms.VisitorForm(request.POST or None, visitors=visitors)
    if request.method == "POST" and form.is_valid():
        wanted = request.POST.getlist("entry")
        entries: list[tuple[Resident, str]] = []
        for value in wanted[: services.PLAN_AT_ONCE + 1]:
            resident_id, _sep, tag = value.partition(":")
            row = listed.filter(
                resident_id=resident_id if resident_id.isdigit() else -1, tag=tag
            ).first()
            if row is None:
                form.add_error(None, _("A person chosen is not on this care list any more."))
                break
            entries.append((row.resident, tag))
        if not form.errors:
            try:
                made = services.plan_care_list(
                    entries, visitor=form.cleaned_data["visitor"], actor=user
                )
            except ValidationError as error:
                refusals.on_form(form, error)
            else:
                messages.success(request, _("%(n)s visit plans made.") % {"n": len(made)})
                return redirect(f"{request.path}?place={place.pk}")
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "care/visit_planning.html",
        {
            "places": places,
            "place": place,
            "form": form,
            "page": page,
            "rows": page.object_list,
            "checked": set(request.POST.getlist("entry")),
        },
    )


@login_required
@requires(PLAN)
@require_POST
def visit_reassign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The board's dialog: give a plan another visitor."""
    plan = selectors.visit_plans(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    form = forms.VisitorForm(request.POST, visitors=selectors.visitor_choices(request.user))
    refusals.act(
        request,
        form,
        lambda d: services.reassign_visitor(plan, visitor=d["visitor"], actor=request.user),
        _("The visitor was changed."),
    )
    return redirect("care:visits")


@login_required
def visit_photo(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """A visit's photo (`?thumb=1` the small one): only to those who read the visit's notes."""
    photo = selectors.get_visit_photo(request.user, pk)
    return photo.serve(thumb=request.GET.get("thumb") == "1")
