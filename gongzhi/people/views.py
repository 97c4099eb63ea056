"""Pages of the people registry. Thin: reads through selectors, writes through services."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gongzhi.core import access, clock, crypto, exports, gates
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.people import selectors, services
from gongzhi.people.forms import (
    FullExportForm,
    MoveForm,
    MoveOutForm,
    ReasonForm,
    ResidentForm,
    SearchForm,
)
from gongzhi.places import selectors as places
from gongzhi.places.models import PlaceKind

PAGE_SIZE = 50


def _list_label(key: str) -> str:
    labels = {
        "elderly_80_alone": _("Aged 80+ living alone"),
        "elderly_60": _("Aged 60+"),
        "disabled": _("Disabled"),
        "low_income": _("Low income (dibao)"),
        "key_care": _("Key care"),
        "talents": _("Talent register: residents with skills"),
    }
    return labels[key]


SEARCH_SESSION_KEY = "people_search"
SEARCH_TOKEN_SECONDS = 30 * 60  # a parked whole-number search lives this long
SEARCH_TOKENS_KEPT = 10


class NumberInAddress(Exception):
    """A whole phone or ID number in a GET query string: refused, never searched for."""


class SearchExpired(Exception):
    """A ?qt= token this session does not hold (expired, or from another session)."""


def _parked(request) -> dict:
    """The session's parked searches that have not expired: {token: [sealed query, expiry]}.
    Expired ones, and plain numbers parked by earlier versions, are dropped from the session."""
    now = clock.now().timestamp()
    stored = request.session.get(SEARCH_SESSION_KEY)
    if stored is None:
        return {}
    parked = {
        token: entry
        for token, entry in (stored.items() if isinstance(stored, dict) else [])
        if isinstance(entry, list) and len(entry) == 2 and entry[1] > now
    }
    if parked != stored:
        request.session[SEARCH_SESSION_KEY] = parked
    return parked


def _unpark(request, token: str) -> str:
    entry = _parked(request).get(token)
    if entry is None:
        raise SearchExpired
    try:
        return crypto.decrypt(entry[0])
    except Exception as exc:  # a key changed since: the token is simply gone
        raise SearchExpired from exc


def _params(request):
    """The list's filters: a preset (?list=), or the query string, where a whole ID or phone
    number is only ever a token (?qt=) naming the query kept encrypted in the session. A whole
    number in ?q= itself is refused (NumberInAddress): access logs keep URLs. A token this
    session does not hold raises SearchExpired (rather than silently listing everyone)."""
    key = request.GET.get("list")
    if key:
        params = selectors.preset_params(key)
        if params is None:
            raise Http404
        return params
    if any(selectors.is_whole_number(q) for q in request.GET.getlist("q")):
        raise NumberInAddress
    params = request.GET.copy()
    token = params.pop("qt", [None])[0]
    if token:
        params["q"] = _unpark(request, token)
    return params


def _search_redirect(request):
    """The search form is POSTed so that a whole ID or phone number never travels in a URL
    (web-server access logs would keep it): such a query is kept in the session encrypted
    (gongzhi.core.crypto, for SEARCH_TOKEN_SECONDS) and the URL carries a random token."""
    params = request.POST.copy()
    params.pop("csrfmiddlewaretoken", None)
    params.pop("qt", None)
    whole = [v.strip() for v in params.getlist("q") if selectors.is_whole_number(v)]
    if whole:
        q = whole[0]
        token = secrets.token_urlsafe(9)
        parked = _parked(request)
        parked = dict(list(parked.items())[-(SEARCH_TOKENS_KEPT - 1) :])
        parked[token] = [crypto.encrypt(q), clock.now().timestamp() + SEARCH_TOKEN_SECONDS]
        request.session[SEARCH_SESSION_KEY] = parked
        params.pop("q")
        params["qt"] = token
    query = {k: v for k, v in params.lists() if any(v)}
    return redirect(f"{request.path}?{urlencode(query, doseq=True)}")


def _number_refused_message() -> str:
    return _(
        "A whole phone or ID number cannot be searched for through the address bar (server "
        "logs keep addresses): type it into the search box and press “Search”."
    )


def _search_expired_message() -> str:
    return _("This search has expired; search again.")


def _refused_search(request, message: str, status: int):
    """The list page with a refusal and no results: a whole number in ?q= (400, the number not
    echoed, nothing searched) or an expired ?qt= token."""
    # The page links back to itself (the language switch's `next`): not with the number.
    request.META["QUERY_STRING"] = ""
    return render(
        request,
        "people/list.html",
        {
            "form": SearchForm(grids=list(selectors.visible_grids(request.user))),
            "page": Paginator(selectors.visible_residents(request.user).none(), PAGE_SIZE).page(1),
            "query": "",
            "search_refusal": message,
            "can_create": access.has_any(request.user, Action.RESIDENT_EDIT),
        },
        status=status,
    )


@login_required
@requires(Action.RESIDENT_VIEW)
def resident_list(request):
    if request.method == "POST":
        return _search_redirect(request)
    _parked(request)  # drops expired (and older plain) parked searches
    try:
        params = _params(request)
    except NumberInAddress:
        return _refused_search(request, _number_refused_message(), 400)
    except SearchExpired:
        return _refused_search(request, _search_expired_message(), 200)
    grids = list(selectors.visible_grids(request.user))
    grid = selectors.scoped_place(request.user, params.get("grid"), PlaceKind.GRID)
    buildings = selectors.grid_buildings(grid)
    form = SearchForm(params or None, grids=grids, buildings=buildings)
    form.is_valid()
    page = Paginator(selectors.search_page_queryset(request.user, params), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for resident in page:
        resident.age_tags = selectors.age_tags(resident)
    query = request.GET.copy()
    query.pop("page", None)
    response = render(
        request,
        "people/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_export": access.has_any(request.user, Action.RESIDENT_EXPORT),
            "can_export_full": access.has_any(request.user, Action.RESIDENT_EXPORT_FULL),
            "can_create": access.has_any(request.user, Action.RESIDENT_EDIT),
        },
    )
    if "qt" in request.GET:  # the page shows the whole number in the search box
        patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def resident_detail(request, pk: int):
    resident = selectors.get_resident(request.user, pk)
    path, hh = resident.place_path, resident.household_id
    user = request.user
    return render(
        request,
        "people/detail.html",
        {
            "resident": resident,
            "age_tags": selectors.age_tags(resident),
            "age": selectors.age_of(resident),
            "tags": list(resident.tags.all()),
            "history": selectors.membership_history(resident),
            "can_edit": access.can(user, Action.RESIDENT_EDIT, path, hh),
            "can_reveal_phone": bool(resident.phone_encrypted)
            and access.can(user, Action.REVEAL_PHONE, path, hh),
            "can_reveal_id": bool(resident.id_encrypted)
            and access.can(user, Action.REVEAL_ID, path, hh),
        },
    )


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@requires(Action.RESIDENT_EDIT)
def resident_create(request):
    buildings = selectors.edit_buildings(request.user)
    initial = {}
    household_id = request.GET.get("household")
    if household_id and str(household_id).isdigit():
        household = places.get_household(request.user, int(household_id))
        initial = {
            "building": household.building_id,
            "unit_no": household.unit_no,
            "room_no": household.room_no,
        }
    data = request.POST if request.method == "POST" else None
    address = MoveForm(data, buildings=buildings, initial=initial, prefix="addr")
    form = ResidentForm(data)
    address.fields.pop("relation")
    address.fields.pop("moved_in")
    if request.method == "POST" and address.is_valid() and form.is_valid():
        try:
            resident = services.create_resident(
                actor=request.user,
                household=address.cleaned_data["household"],
                **form.service_fields(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Resident added."))
            return redirect("people:detail", pk=resident.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/form.html", {"form": form, "address": address}, status=status)


@login_required
def resident_edit(request, pk: int):
    resident = selectors.get_resident(request.user, pk)
    services.require_edit(request.user, resident)
    initial = {
        "name": resident.name,
        "id_type": resident.id_type,
        "gender": resident.gender,
        "birth_date": resident.birth_date,
        "relation": resident.relation,
        "residence_status": resident.residence_status,
        "tags": [t.tag for t in resident.tags.all()],
        "specialty": resident.specialty,
        "consent_personal_info": resident.consent_personal_info,
        "consent_contact": resident.consent_contact,
        "consent_publicity": resident.consent_publicity,
    }
    form = ResidentForm(
        request.POST if request.method == "POST" else None, initial=initial, editing=resident
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_resident(resident, actor=request.user, **form.service_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", pk=resident.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "people/form.html", {"form": form, "resident": resident}, status=status)


@login_required
def resident_move(request, pk: int):
    resident = selectors.get_resident(request.user, pk)
    services.require_edit(request.user, resident)
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        buildings=selectors.edit_buildings(request.user),
        initial={"relation": resident.relation, "moved_in": clock.today()},
    )
    out_form = MoveOutForm(initial={"moved_out": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.move_resident(
                resident,
                form.cleaned_data["household"],
                form.cleaned_data["relation"],
                form.cleaned_data.get("moved_in"),
                actor=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Moved."))
            return redirect("people:detail", pk=resident.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/move.html",
        {"form": form, "out_form": out_form, "resident": resident},
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def resident_move_out(request, pk: int):
    resident = selectors.get_resident(request.user, pk)
    form = MoveOutForm(request.POST)
    if form.is_valid():
        try:
            services.move_out(resident, form.cleaned_data.get("moved_out"), actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Recorded as moved out."))
    return redirect("people:detail", pk=resident.pk)


@never_cache
@login_required
def reveal(request, pk: int, field: str):
    """GET: the small reason form; POST: the value, shown once (audited)."""
    resident = selectors.get_resident(request.user, pk)
    action = services.REVEAL_ACTIONS.get(field)
    if action is None:
        raise Http404
    access.require(
        request.user,
        action,
        resident.place_path,
        read_action=Action.RESIDENT_VIEW,
        household_id=resident.household_id,
    )
    form = ReasonForm(request.POST if request.method == "POST" else None)
    value = None
    if request.method == "POST" and form.is_valid():
        try:
            value = services.reveal(
                resident, field, form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as error:
            _apply_errors(form, error)
    htmx = request.headers.get("HX-Request") == "true"
    template = "people/_reveal.html" if htmx else "people/reveal.html"
    status = 400 if request.method == "POST" and value is None and not htmx else 200
    return render(
        request,
        template,
        {"resident": resident, "field": field, "form": form, "value": value},
        status=status,
    )


@login_required
@requires(Action.RESIDENT_VIEW)
def my_lists(request):
    counts = selectors.preset_counts(request.user)
    rows = [
        {
            "key": key,
            "label": _list_label(key),
            "count": counts[key],
            "query": urlencode(params, doseq=True),
        }
        for key, params in selectors.PRESETS.items()
    ]
    return render(
        request,
        "people/lists.html",
        {
            "rows": rows,
            "can_export": access.has_any(request.user, Action.RESIDENT_EXPORT),
            "can_export_full": access.has_any(request.user, Action.RESIDENT_EXPORT_FULL),
        },
    )


def _download(data: bytes, fmt: str) -> HttpResponse:
    stamp = clock.today().strftime("%Y%m%d")
    if fmt == "csv":
        response = HttpResponse(data, content_type=exports.CSV_CONTENT_TYPE)
    else:
        response = HttpResponse(data, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="residents-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _back_to_list(request) -> str:
    query = request.GET.copy()
    query.pop("format", None)
    if query.get("list"):
        return reverse("people:lists")
    return reverse("people:list") + (f"?{query.urlencode()}" if query else "")


def _export_params(request):
    """(the list's filters, None), or (None, a redirect to the list saying why they cannot be
    read: a whole number in the address, or a search this session no longer holds)."""
    try:
        return _params(request), None
    except NumberInAddress:
        messages.error(request, _number_refused_message())
    except SearchExpired:
        messages.error(request, _search_expired_message())
    return None, redirect("people:list")


@login_required
@requires(Action.RESIDENT_VIEW)
def export(request):
    """The current list (filters in the query string, or ?list=<preset>), masked."""
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    params, refused = _export_params(request)
    if refused is not None:
        return refused
    try:
        data, _count = services.export_residents(params, actor=request.user, fmt=fmt)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back_to_list(request))
    return _download(data, fmt)


@never_cache
@login_required
@requires(Action.RESIDENT_VIEW)
def export_full(request):
    """Unmasked export: the right and a typed reason, audited."""
    gates.check(request.user, Action.RESIDENT_EXPORT_FULL)
    params, refused = _export_params(request)
    if refused is not None:
        return refused
    form = FullExportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
        try:
            data, _count = services.export_residents(
                params, actor=request.user, full=True, reason=form.cleaned_data["reason"], fmt=fmt
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return _download(data, fmt)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "people/export_full.html",
        {
            "form": form,
            "filters": selectors.describe_params(params),
            "query": urlencode(request.GET, doseq=True),
            "back": _back_to_list(request),
        },
        status=status,
    )
