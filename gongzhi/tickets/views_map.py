"""The staff ticket map: grid boundaries of the user's area and its open tickets.

`/tickets/map/` draws with Leaflet (served from static, no CDN); `/tickets/map/data/` feeds it
GeoJSON, scoped by `ticket.view` and bounded (geo.MAX_TICKETS latest open tickets), with the
estate and building label points (geo.place_labels). Tiles come from settings.MAP_TILE_URL
(geo.map_config, handed over with json_script); without one the boundaries and markers are
drawn on a plain background."""

from __future__ import annotations

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from gongzhi.core import access, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.tickets import calls, forms, geo, selectors
from gongzhi.tickets.models import Status
from gongzhi.tickets.views import _render


def _filters(request) -> tuple[str, int | None]:
    status = request.GET.get("status", "")
    category = request.GET.get("category", "")
    return (
        status if status in geo.OPEN_STATES else "",
        int(category) if category.isdigit() else None,
    )


@login_required
@requires(Action.TICKET_VIEW)
def ticket_map(request):
    status, category = _filters(request)
    return _render(
        request,
        "tickets/map.html",
        {
            "statuses": [(s, label) for s, label in Status.choices if s in geo.OPEN_STATES],
            "categories": forms.CategoryField(queryset=forms._categories()).choices,
            "status": status,
            "category": category,
            "map_config": geo.map_config(),
            "max_tickets": geo.MAX_TICKETS,
            "title": _("Ticket map"),
        },
    )


@login_required
@requires(Action.TICKET_VIEW)
def map_data(request):
    status, category = _filters(request)
    return JsonResponse(
        {
            "grids": geo.grid_boundaries(request.user),
            "tickets": geo.open_tickets(request.user, status=status, category=category),
            "labels": geo.place_labels(request.user),
        }
    )


class ReasonForm(django_forms.Form):
    reason = django_forms.CharField(label=gettext_lazy("Reason for calling"), max_length=200)


@never_cache
@login_required
def call_resident(request, pk: int):
    """Call the resident about a ticket: GET the reason form, POST the number once with a
    tel: link (tickets.calls: `resident.reveal_phone` in scope, audited as pii.reveal).
    A ticket the user cannot see is 404; a role that may not reveal is 403."""
    ticket = selectors.get_ticket(request.user, pk)
    if not access.can(request.user, Action.REVEAL_PHONE, ticket.place_path):
        raise PermissionDenied  # the ticket is visible to them, the number is not
    form = ReasonForm(request.POST if request.method == "POST" else None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = calls.reveal_phone(
                actor=request.user, ticket=ticket, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            refusals.on_form(form, error)
    htmx = request.headers.get("HX-Request") == "true"
    response = _render(
        request,
        "tickets/_call.html" if htmx else "tickets/call.html",
        {
            "ticket": ticket,
            "form": form,
            "value": value,
            "callable": calls.callable_submitter(ticket),
            "title": _("Call the resident"),
        },
    )
    if request.method == "POST" and value is None and not htmx:
        response.status_code = 400
    return response
