"""The ticket ledger pages (全部工单台账): search, filters, sorting, saved filters, export.

Thin: the query and the writes are gongzhi/tickets/ledger.py. The search form is POSTed and
answered with a redirect to a GET address that carries only the plain filters: a resident's
name or phone digits are kept sealed (core.crypto) in the session for SEARCH_SECONDS under a
random token (`?pt=`), never in the address (web-server logs keep addresses). Such a term
typed straight into the address is refused (400) and not searched for.
"""

from __future__ import annotations

import json
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, crypto, refusals
from gongzhi.core.exports import XLSX_CONTENT_TYPE
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.tickets import ledger
from gongzhi.tickets.models import Kind, Status

SEARCH_SESSION_KEY = "ticket_ledger_search"
SEARCH_SECONDS = 30 * 60
SEARCHES_KEPT = 10


class SearchExpired(Exception):
    """A ?pt= token this session does not hold (expired, or from another session)."""


def _parked(request) -> dict:
    now = clock.now().timestamp()
    stored = request.session.get(SEARCH_SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    parked = {
        token: entry
        for token, entry in stored.items()
        if isinstance(entry, list) and len(entry) == 2 and entry[1] > now
    }
    if parked != stored:
        request.session[SEARCH_SESSION_KEY] = parked
    return parked


def _park(request, personal: dict[str, str]) -> str:
    token = secrets.token_urlsafe(9)
    parked = dict(list(_parked(request).items())[-(SEARCHES_KEPT - 1) :])
    sealed = crypto.encrypt(json.dumps(personal, ensure_ascii=False))
    parked[token] = [sealed, clock.now().timestamp() + SEARCH_SECONDS]
    request.session[SEARCH_SESSION_KEY] = parked
    return token


def _unpark(request, token: str) -> dict[str, str]:
    entry = _parked(request).get(token)
    if entry is None:
        raise SearchExpired
    try:
        value = json.loads(crypto.decrypt(entry[0]))
    except Exception as exc:  # a key changed since: the search is simply gone
        raise SearchExpired from exc
    return value if isinstance(value, dict) else {}


def _search_redirect(request):
    """The POSTed search form → the ledger's GET address with the plain filters and, for a
    name or phone digits, a token naming them in the session."""
    data = request.POST
    plain = QueryDict(mutable=True)
    for key in ledger.PLAIN:
        for value in data.getlist(key):
            if value.strip():
                plain.appendlist(key, value.strip())
    personal = {k: data.get(k, "").strip() for k in ledger.PERSONAL if data.get(k, "").strip()}
    if personal:
        plain["pt"] = _park(request, personal)
    query = plain.urlencode()
    return redirect(reverse("tickets:ledger") + (f"?{query}" if query else ""))


def _query(request):
    """The ledger query of this GET request: (query, personal-search state)."""
    if any(key in request.GET for key in ledger.PERSONAL):
        raise ledger.LedgerError(
            _(
                "A resident's name or phone digits cannot be searched for through the address "
                "bar (server logs keep addresses): type them into the search form."
            )
        )
    personal = {}
    token = request.GET.get("pt", "")
    if token:
        personal = _unpark(request, token)
    return ledger.parse(request.GET, personal)


def _context(request, query, page, error: str = "") -> dict:
    user = request.user
    selected = {
        "status": set(query.statuses) if query else set(),
        "kind": set(query.kinds) if query else set(),
    }
    return {
        "query": query,
        "page": page,
        "error": error,
        "statuses": Status.choices,
        "kinds": Kind.choices,
        "selected": selected,
        "categories": ledger.category_choices(),
        "places": ledger.place_choices(user),
        "handlers": ledger.handler_choices(user),
        "ratings": [
            ("low", _("Unsatisfied (1–2)")),
            *[(str(n), str(n)) for n in range(5, 0, -1)],
            ("none", pgettext("ticket ledger", "Not rated")),
        ],
        "saved": ledger.saved_filters(user),
        "can_export": access.has_any(user, Action.TICKET_EXPORT),
        "columns": _columns(request, query),
        "plain_query": query.query_string() if query else "",
        "token": request.GET.get("pt", "") if query and query.personal else "",
    }


def _columns(request, query) -> list[dict]:
    """The table's columns: label, and for a sortable one the address that sorts by it
    (toggling the direction) and the current arrow."""
    current = query.sort if query else ledger.DEFAULT_SORT
    labels = [
        ("number", pgettext("ticket ledger", "Number")),
        ("created", _("Created at")),
        ("kind", _("Kind")),
        ("category", _("Category")),
        ("", pgettext("ticket ledger", "Text")),
        ("", _("Resident")),
        ("place", _("Place")),
        ("handler", _("Handler")),
        ("status", _("Status")),
        ("due", _("Resolution due")),
        ("closed", _("Closed at")),
        ("rating", _("Rating")),
    ]
    columns = []
    for name, label in labels:
        if not name:
            columns.append({"label": label, "url": "", "arrow": ""})
            continue
        params = request.GET.copy()
        params.pop("page", None)
        if current == name:
            params["sort"], arrow = f"-{name}", "▲"
        elif current == f"-{name}":
            params["sort"], arrow = name, "▼"
        else:
            params["sort"], arrow = (f"-{name}" if name in ("created", "closed") else name), ""
        columns.append({"label": label, "url": f"?{params.urlencode()}", "arrow": arrow})
    return columns


@never_cache
@login_required
@requires(Action.TICKET_VIEW)
def ledger_page(request):
    if request.method == "POST":
        return _search_redirect(request)
    try:
        query = _query(request)
    except ledger.LedgerError as error:
        request.META["QUERY_STRING"] = ""  # the language switch links back: not with the input
        context = _context(request, None, None, error.message)
        return render(request, "tickets/ledger.html", context, status=400)
    except SearchExpired:
        messages.info(request, _("This search has expired; search again."))
        return redirect("tickets:ledger")
    page = Paginator(ledger.tickets(request.user, query), ledger.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "tickets/ledger.html", _context(request, query, page))


def _posted_query(request):
    """The query a POSTed export or save carries: the plain filters as a query string
    (`query`) and the session token of a personal search (`pt`)."""
    params = QueryDict(request.POST.get("query", ""))
    personal = {}
    token = request.POST.get("pt", "")
    if token:
        personal = _unpark(request, token)
    return ledger.parse(params, personal)


def _back(request) -> str:
    """The ledger with the POSTed plain filters (only those: never a personal term)."""
    posted = QueryDict(request.POST.get("query", ""))
    plain = QueryDict(mutable=True)
    for key in ledger.PLAIN:
        plain.setlist(key, posted.getlist(key))
    token = request.POST.get("pt", "")
    if token:
        plain["pt"] = token
    query = plain.urlencode()
    return reverse("tickets:ledger") + (f"?{query}" if query else "")


@login_required
@requires(Action.TICKET_EXPORT)
@require_POST
def ledger_export(request):
    try:
        query = _posted_query(request)
        result = ledger.export(actor=request.user, query=query)
    except ledger.LedgerError as error:
        messages.error(request, error.message)
        return redirect(_back(request))
    except SearchExpired:
        messages.info(request, _("This search has expired; search again."))
        return redirect("tickets:ledger")
    if result.job is not None:
        return redirect("tickets:ledger_export_status", pk=result.job.pk)
    response = HttpResponse(result.data, content_type=XLSX_CONTENT_TYPE)
    name = f"ticket-ledger-{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@login_required
@requires(Action.TICKET_EXPORT)
def ledger_export_status(request, pk: int):
    job = ledger.get_export(request.user, pk)
    return render(request, "tickets/ledger_export.html", {"job": job})


@never_cache
@login_required
@requires(Action.TICKET_EXPORT)
def ledger_export_progress(request, pk: int):
    job = ledger.get_export(request.user, pk)
    response = render(request, "tickets/ledger_export_progress.html", {"job": job})
    if not job.running:
        response["HX-Refresh"] = "true"
    return response


@never_cache
@login_required
@requires(Action.TICKET_EXPORT)
def ledger_export_download(request, pk: int):
    data = ledger.export_file(request.user, pk)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="ticket-ledger-{pk}.xlsx"'
    return response


@login_required
@requires(Action.TICKET_VIEW)
@require_POST
def ledger_filter_save(request):
    query = request.POST.get("query", "")
    if request.POST.get("pt"):
        query += "&pt=1"  # a personal search is part of the page: refused by the service
    try:
        saved = ledger.save_filter(
            actor=request.user, name=request.POST.get("name", ""), query_string=query
        )
    except ValidationError as error:
        refusals.say(request, error)
        return redirect(_back(request))
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return redirect(reverse("tickets:ledger") + (f"?{saved.query}" if saved.query else ""))


@login_required
@requires(Action.TICKET_VIEW)
@require_POST
def ledger_filter_delete(request, pk: int):
    ledger.delete_filter(actor=request.user, pk=pk)
    messages.success(request, _("The filter was deleted."))
    return redirect("tickets:ledger")
