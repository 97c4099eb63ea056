"""Partner pages: units, the three lists with two-way claiming, a list item with its claim
and progress, and the yearly report of a unit (page and xlsx). Thin: selectors and services."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, exports, gates, inputs, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.organisations.selectors import choosable
from gongzhi.partners import selectors, services
from gongzhi.partners.models import (
    ItemStatus,
    ListKind,
    ResourceKind,
    UnitKind,
)

PAGE_SIZE = 30
CLAIM_STEPS = ("progress", "complete", "confirm", "withdraw")


def _pk(value: object) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _places(user, action, kinds):
    return selectors.places_in_scope(user, action, kinds)[:300]


def _chosen_place(request, kinds):
    """The place picked in the form, if it is one the user may manage partners in."""
    pk = request.POST.get("place") or 0
    return (
        selectors.places_in_scope(request.user, Action.PARTNER_MANAGE, kinds).filter(pk=pk).first()
    )


@login_required
@requires(Action.PARTNER_VIEW)
def units(request):
    if request.method == "POST":
        gates.check(request.user, Action.PARTNER_MANAGE)
        place = _chosen_place(request, ("street", "community"))
        contacts = list(
            selectors.contact_logins(request.user).filter(pk__in=request.POST.getlist("contacts"))
        )
        try:
            if place is None:
                raise ValidationError(_("Choose the street or community the unit is paired with."))
            services.add_unit(
                place,
                actor=request.user,
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                address=request.POST.get("address", ""),
                party_org_name=request.POST.get("party_org_name", ""),
                contacts=contacts,
                organisation=choosable(request.user)
                .filter(pk=_pk(request.POST.get("organisation")))
                .first(),
            )
        except ValidationError as error:
            refusals.say(request, error)
        else:
            messages.success(request, _("The unit is registered."))
            return redirect("partners:units")
    page = Paginator(selectors.visible_units(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    manage = access.has_any(request.user, Action.PARTNER_MANAGE)
    return render(
        request,
        "partners/units.html",
        {
            "page": page,
            "rows": page.object_list,
            "manage": manage,
            "places": _places(request.user, Action.PARTNER_MANAGE, ("street", "community"))
            if manage
            else [],
            "logins": selectors.contact_logins(request.user) if manage else [],
            "organisations": choosable(request.user) if manage else [],
            "kinds": UnitKind.choices,
        },
    )


@login_required
@requires(Action.PARTNER_VIEW)
def unit_detail(request, pk: int):
    unit = get_object_or_404(selectors.visible_units(request.user), pk=pk)
    can_offer = services.is_contact(request.user, unit) or access.can(
        request.user, Action.PARTNER_MANAGE, unit.place_path
    )
    return render(
        request,
        "partners/unit.html",
        {
            "unit": unit,
            "contacts": unit.contacts.all(),
            "resources": unit.resources.all()[:100],
            "claims": unit.claims.select_related("item")[:100],
            "can_offer": can_offer,
            "categories": ResourceKind.choices,
            "year": clock.today().year,
        },
    )


@login_required
@require_POST
@requires(Action.PARTNER_CLAIM)
def resource_add(request, pk: int):
    unit = get_object_or_404(selectors.visible_units(request.user), pk=pk)
    try:
        services.add_item(
            unit.place,
            actor=request.user,
            kind=ListKind.RESOURCE,
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            category=request.POST.get("category", ""),
            unit=unit,
        )
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("The resource is on the list."))
    return redirect("partners:unit", pk)


@login_required
@requires(Action.PARTNER_VIEW)
def lists(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in ListKind.values else ListKind.NEED
    status = request.GET.get("status", "")
    if request.method == "POST":
        community = _chosen_place(request, ("community",))
        try:
            if community is None:
                raise ValidationError(_("Choose the community."))
            services.add_item(
                community,
                actor=request.user,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
            )
        except (ValidationError, PermissionDenied) as error:
            refusals.say(
                request,
                error if isinstance(error, ValidationError) else ValidationError(str(error)),
            )
        else:
            messages.success(request, _("Added to the list."))
        return redirect(f"{request.path}?kind={request.POST.get('kind', kind)}")
    page = Paginator(selectors.visible_items(request.user, kind, status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    manage = access.has_any(request.user, Action.PARTNER_MANAGE)
    return render(
        request,
        "partners/lists.html",
        {
            "pending": selectors.pending_needs(request.user).count() if manage else 0,
            "page": page,
            "rows": page.object_list,
            "kind": kind,
            "status": status,
            "kinds": ListKind.choices,
            "statuses": ItemStatus.choices,
            "manage": manage,
            "communities": _places(request.user, Action.PARTNER_MANAGE, ("community",))
            if manage
            else [],
        },
    )


@login_required
@requires(Action.PARTNER_NEED_SUBMIT)
def needs(request):
    """A resident's phone page: post a need of the community, see what became of mine."""
    if request.method == "POST":
        try:
            services.submit_need(
                actor=request.user,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
            )
        except ValidationError as error:
            refusals.say(request, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you. The community office will review your need and then put it on "
                    "the needs list for partner units."
                ),
            )
            return redirect("partners:needs")
    page = Paginator(selectors.my_needs(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/needs.html",
        {"page": page, "rows": page.object_list, "values": request.POST},
    )


@login_required
@require_POST
@requires(Action.PARTNER_MANAGE)
def need_review(request, pk: int):
    item = get_object_or_404(selectors.visible_items(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        raise Http404
    try:
        services.review_need(
            item.pk,
            actor=request.user,
            approve=decision == "approve",
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(
            request,
            _("The need is on the list.") if decision == "approve" else _("The need is declined."),
        )
    return redirect("partners:item", item.pk)


@login_required
@requires(Action.PARTNER_VIEW)
def photo(request, pk: int, photo_id: int, thumb: bool = False):
    """An evidence photo, only for someone who may see the list item (404 otherwise)."""
    item = selectors.get_claim_photo(request.user, pk, photo_id)
    return item.serve(thumb=thumb)


@login_required
@requires(Action.PARTNER_VIEW)
def item_detail(request, pk: int):
    item = get_object_or_404(selectors.visible_items(request.user), pk=pk)
    claim = selectors.live_claim(item)
    return render(
        request,
        "partners/item.html",
        {
            "item": item,
            "claim": claim,
            "rights": services.claim_rights(request.user, claim),
            "can_review": item.status == ItemStatus.PENDING
            and access.can(request.user, Action.PARTNER_MANAGE, item.place_path),
            "photos": claim.photos.all() if claim else [],
            "max_photos": settings.TICKET_PHOTO_MAX_COUNT,
            "updates": claim.updates.select_related("by") if claim else [],
            "my_units": selectors.my_units(request.user) if item.kind != ListKind.RESOURCE else [],
            "staff_units": selectors.visible_units(request.user)
            if item.kind != ListKind.RESOURCE
            and access.can(request.user, Action.PARTNER_MANAGE, item.place_path)
            else [],
            "communities": _places(request.user, Action.PARTNER_MANAGE, ("community",))
            if item.kind == ListKind.RESOURCE
            else [],
        },
    )


@login_required
@require_POST
@requires(Action.PARTNER_CLAIM)
def item_claim(request, pk: int):
    item = get_object_or_404(selectors.visible_items(request.user), pk=pk)
    unit = selectors.visible_units(request.user).filter(pk=request.POST.get("unit") or 0).first()
    community = selectors.community(request.POST.get("community"))
    try:
        services.claim(item.pk, actor=request.user, unit=unit, community=community)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Claimed."))
    return redirect("partners:item", pk)


@login_required
@require_POST
@requires(Action.PARTNER_VIEW)
def claim_step(request, pk: int, step: str):
    if step not in CLAIM_STEPS:
        raise Http404
    made = get_object_or_404(selectors.visible_claims(request.user), pk=pk)
    data = request.POST
    try:
        if step == "progress":
            services.progress(
                made.pk,
                actor=request.user,
                text=data.get("text", ""),
                amount=data.get("amount"),
                hours=data.get("hours"),
            )
        elif step == "complete":
            services.complete(
                made.pk,
                actor=request.user,
                evidence=data.get("text", ""),
                amount=data.get("amount"),
                hours=data.get("hours"),
                photos=request.FILES.getlist("photos"),
            )
        elif step == "confirm":
            services.confirm(made.pk, actor=request.user)
        else:
            services.withdraw(made.pk, actor=request.user)
    except ValidationError as error:
        refusals.say(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("partners:item", made.item_id)


@login_required
@require_POST
@requires(Action.PARTNER_MANAGE)
def ticket_to_need(request, ticket_pk: int):
    try:
        item = services.need_from_ticket(ticket_pk, actor=request.user)
    except ValidationError as error:
        refusals.say(request, error)
        return redirect("tickets:detail", ticket_pk)
    messages.success(request, _("The ticket is on the needs list."))
    return redirect("partners:item", item.pk)


@login_required
@require_POST
def need_from_number(request):
    """The needs list's form: staff type a ticket number (GZ-YYYYMMDD-NNNN)."""
    from gongzhi.tickets.selectors import visible_tickets

    gates.check(request.user, Action.PARTNER_MANAGE)
    number = request.POST.get("number", "").strip().upper()
    ticket = visible_tickets(request.user).filter(number=number).first() if number else None
    if ticket is None:
        messages.error(request, _("No ticket you can see has this number; check it and try again."))
        return redirect(f"{reverse('partners:lists')}?kind=need")
    return ticket_to_need(request, ticket.pk)


@login_required
@requires(Action.PARTNER_VIEW)
def report(request, pk: int):
    unit = get_object_or_404(selectors.visible_units(request.user), pk=pk)
    return render(
        request, "partners/report.html", {"r": selectors.unit_report(unit, inputs.year(request))}
    )


@login_required
@requires(Action.PARTNER_VIEW)
def report_xlsx(request, pk: int):
    unit = get_object_or_404(selectors.visible_units(request.user), pk=pk)
    r = selectors.unit_report(unit, inputs.year(request))
    # Titles come from residents' needs and tickets: every cell goes through the formula-safe
    # writer, so a title such as "=HYPERLINK(…)" arrives as text in a staff spreadsheet.
    rows: list[list] = [
        [label, value]
        for label, value in (
            (_("Needs claimed"), r.needs_claimed),
            (_("Needs completed"), r.needs_completed),
            (_("Projects claimed"), r.projects_claimed),
            (_("Projects completed"), r.projects_completed),
            (_("Resources offered"), r.resources_offered),
            (_("Resources given"), r.resources_given),
            (_("Amount (yuan)"), r.amount),
            (_("Service hours"), r.hours),
        )
    ]
    rows.append([])
    rows.append(
        [
            _("List"),
            _("Title"),
            _("Claimed by"),
            _("Status"),
            _("Amount (yuan)"),
            _("Service hours"),
            _("Claimed at"),
            _("Completed at"),
        ]
    )
    for c in r.claims:
        rows.append(
            [
                c.item.get_kind_display(),
                c.item.title,
                str(c.unit or c.community),
                c.get_status_display(),
                c.amount,
                c.hours,
                c.created_at.strftime("%Y-%m-%d"),
                c.completed_at.strftime("%Y-%m-%d") if c.completed_at else "",
            ]
        )
    body = exports.write_xlsx(rows, [unit.name, _("Yearly report"), r.year], title=str(r.year))
    response = HttpResponse(body, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="partner-{unit.pk}-{r.year}.xlsx"'
    return response
