"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2/) under /open311/v2/.

GET  services.json|xml              the active ticket categories as services (public)
GET  services/{code}.json|xml       a service's definition (no attributes: metadata is false)
GET  requests.json|xml              tickets the caller may see (filters below; ≤ 1,000)
GET  requests/{number}.json|xml     one ticket, by its number
POST requests.json|xml              submit a ticket through services.submit (rate-limited)
Anything else under /open311/v2/ (tokens/{id}, an unknown format) is an Open311 error list.

Authentication: `api_key` = an Open311 key (open311_keys: per client and person, revocable,
stored hashed, valid here only — never the REST token); in the query string for GET, in the body
for POST (GeoReport v2), or as an `Authorization: Open311 …` header; or the logged-in session
(then CSRF applies to POST). A signed-in caller reads what the ticket pages show them (selectors.visible_tickets). Without any credential,
GET requests answers the public view (`public_row`): number, category, status and times to the
hour, located at grid level only — no text, no building, no photo, no point, never an anonymous
report (settings.OPEN311_PUBLIC_REQUESTS, default on; rate-limited per address). No answer ever
shows a name or a phone number. Errors are Open311 error lists, `[{"code": 400, "description":
"…"}]`, with the same HTTP status. Reasons and mapping: docs/open311.md.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from xml.etree import ElementTree as ET

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from gongzhi.core import access, clock
from gongzhi.core.roles import Action
from gongzhi.places.models import Place
from gongzhi.tickets import open311_keys, selectors, services, workflow
from gongzhi.tickets.models import (
    Category,
    Channel,
    Kind,
    Status,
    Ticket,
)

DEFAULT_DAYS = 90  # GeoReport v2: without dates, the last 90 days
# Dates a query may name: beyond them a date is a typo (and date arithmetic would overflow).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_RESULTS = 1000  # GeoReport v2: at most 1,000 requests per answer
# Ticket states an Open311 client sees as "closed": the matter is dealt with.
CLOSED_STATES = (Status.RESOLVED, Status.CONFIRMED, *workflow.TERMINAL)


def post_rate(group, request):  # read per request so operators and tests can change it
    return getattr(settings, "OPEN311_POST_RATE", "10/m")


def public_rate(group, request):
    return getattr(settings, "OPEN311_PUBLIC_RATE", "60/m")


def public_reads() -> bool:
    return getattr(settings, "OPEN311_PUBLIC_REQUESTS", True)


# --------------------------------------------------------------------------- output


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _xml(root: str, item: str, rows: list[dict]) -> bytes:
    top = ET.Element(root)
    for row in rows:
        element = ET.SubElement(top, item)
        for key, value in row.items():
            child = ET.SubElement(element, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    return ET.tostring(top, encoding="utf-8", xml_declaration=True)


def _answer(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            _xml(root, item, rows), status=status, content_type="text/xml; charset=utf-8"
        )
    body = json.dumps(rows, ensure_ascii=False, default=str)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def error(fmt: str, status: int, description: str) -> HttpResponse:
    """An Open311 error list with one error, answered with the same HTTP status."""
    rows = [{"code": status, "description": str(description)}]
    return _answer(fmt, "errors", "error", rows, status=status)


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


# --------------------------------------------------------------------------- services


def service_row(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": category.code,
        "group": category.parent.name if category.parent_id else "",
    }


@require_GET
def services_view(request, fmt):
    """The active categories (public: category names are not personal)."""
    categories = selectors.active_categories()
    return _answer(fmt, "services", "service", [service_row(c) for c in categories])


# --------------------------------------------------------------------------- requests


def _key(request) -> str:
    """The Open311 key: `api_key` in the query string (GET) or the body (POST), else an
    `Authorization: Open311 <key>` header (any other Authorization header counts as a wrong
    key)."""
    source = request.POST if request.method == "POST" else request.GET
    key = source.get("api_key")
    header = request.META.get("HTTP_AUTHORIZATION", "").strip()
    if not key and header:
        # Any other scheme (a REST `Token …`) is a wrong key: 401, never the public view.
        key = header[len("Open311 ") :].strip() if header.startswith("Open311 ") else header
    return key or ""


def _user(request):
    """The caller: an Open311 key (never a REST token), or the session.
    Returns (user or None, by_session)."""
    key = _key(request)
    if key:
        return open311_keys.user_for(key), False
    if request.user.is_authenticated:
        return request.user, True
    return None, False


def _public_refused(request, fmt) -> HttpResponse | None:
    """Why a caller without credentials gets no public answer (a key that was given but is
    wrong is never silently downgraded to the public view), or None."""
    if _key(request) or not public_reads():
        return _no_user(fmt)
    limited = is_ratelimited(
        request, group="open311.public", key="ip", rate=public_rate, method="GET", increment=True
    )
    if limited:
        return error(fmt, 429, _("Too many requests from this address: wait a minute and retry."))
    return None


def _no_user(fmt) -> HttpResponse:
    return error(
        fmt,
        401,
        _("Sign in: send your Open311 key as api_key (ask the platform's operator for one)."),
    )


def _media_url(request, ticket: Ticket) -> str | None:
    photos = getattr(ticket, "intake_photos", None)
    if not photos:
        return None
    url = reverse("tickets:photo", args=[ticket.pk, photos[0].pk])
    return request.build_absolute_uri(url) if request is not None else url


def request_row(ticket: Ticket, request=None) -> dict:
    """One ticket as an Open311 service request. Never a name, a phone or a household."""
    place, grid = ticket.place, ticket.grid
    closed = ticket.status in CLOSED_STATES
    notes = Status(ticket.status).label
    if ticket.status == Status.MERGED and ticket.merged_into_id:
        notes = _("Merged into %(number)s") % {"number": ticket.merged_into.number}
    lat = ticket.lat if ticket.lat is not None else place.centre_lat
    lng = ticket.lng if ticket.lng is not None else place.centre_lng
    agency = ticket.handler_place or grid
    address = place.address or " ".join(
        p.name for p in (grid, place if place.pk != ticket.grid_id else None) if p is not None
    )
    return {
        "service_request_id": ticket.number,
        "status": "closed" if closed else "open",
        "status_notes": str(notes),
        "service_name": ticket.category.name,
        "service_code": ticket.category.code,
        "description": ticket.text,
        "agency_responsible": agency.name if agency else "",
        "service_notice": "",
        "requested_datetime": _iso(ticket.created_at),
        "updated_datetime": _iso(ticket.updated_at),
        "expected_datetime": None if closed else _iso(ticket.resolve_due),
        "address": address,
        "address_id": place.pk,
        "zipcode": None,
        "lat": float(lat) if lat is not None else None,
        "long": float(lng) if lng is not None else None,
        "media_url": _media_url(request, ticket),
    }


def _hour(value: dt.datetime | None) -> str | None:
    """A time cut to the hour (local time), for the public view."""
    if value is None:
        return None
    return _iso(timezone.localtime(value).replace(minute=0, second=0, microsecond=0))


def public_row(ticket: Ticket) -> dict:
    """One ticket as the public sees it (no credential): what, where at grid level, when to the
    hour, how far it got. No description (residents' texts name neighbours and rooms), no
    building or address, no photo, no point of its own; the location is the grid's centre."""
    grid = ticket.grid
    closed = ticket.status in CLOSED_STATES
    notes = Status(ticket.status).label
    if ticket.status == Status.MERGED and ticket.merged_into_id:
        notes = _("Merged into %(number)s") % {"number": ticket.merged_into.number}
    agency = ticket.handler_place or grid
    return {
        "service_request_id": ticket.number,
        "status": "closed" if closed else "open",
        "status_notes": str(notes),
        "service_name": ticket.category.name,
        "service_code": ticket.category.code,
        "description": None,
        "agency_responsible": agency.name if agency else "",
        "service_notice": "",
        "requested_datetime": _hour(ticket.created_at),
        "updated_datetime": _hour(ticket.updated_at),
        "expected_datetime": None if closed else _hour(ticket.resolve_due),
        "address": grid.name if grid else "",
        "address_id": grid.pk if grid else None,
        "zipcode": None,
        "lat": float(grid.centre_lat) if grid and grid.centre_lat is not None else None,
        "long": float(grid.centre_lng) if grid and grid.centre_lng is not None else None,
        "media_url": None,
    }


def _when(value: str | None) -> dt.datetime | None:
    """A W3C datetime (or a plain date, taken at local midnight) between EARLIEST and LATEST;
    ValueError with a clear message when unreadable or out of range."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "+"))
        if parsed is None:
            day = parse_date(value)
            if day is None:
                raise ValueError(value)
            parsed = dt.datetime.combine(day, dt.time())
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
    except (ValueError, OverflowError):
        raise ValueError(
            _("“%(value)s” is not a date: use W3C format, e.g. 2026-03-01T00:00:00+08:00.")
            % {"value": value[:40]}
        ) from None
    if not EARLIEST <= parsed.date() <= LATEST:
        raise ValueError(
            _("%(value)s is out of range: dates lie between %(first)s and %(last)s.")
            % {"value": value[:40], "first": EARLIEST, "last": LATEST}
        )
    return parsed


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def find_requests(user, params, qs=None) -> list[Ticket]:
    """The tickets matching the GeoReport v2 query, newest first, at most MAX_RESULTS — among
    those the user may see (or `qs`, the public ones). ValueError with a clear message for an
    unreadable parameter."""
    if qs is None:
        qs = selectors.open311_requests(user)
    ids = _split(params.get("service_request_id"))
    if ids:  # the spec: other parameters are ignored when ids are given
        return list(qs.filter(number__in=ids[:MAX_RESULTS]).order_by("-created_at", "-id"))
    start, end = _when(params.get("start_date")), _when(params.get("end_date"))
    if start is None and end is None:
        end = clock.now()
    if start is None:  # the docs: with only one date, the 90 days before or after it
        start = end - dt.timedelta(days=DEFAULT_DAYS)
    if end is None:
        end = start + dt.timedelta(days=DEFAULT_DAYS)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    codes = _split(params.get("service_code"))
    if codes:
        qs = qs.filter(category__code__in=codes)
    wanted = set(_split(params.get("status")))
    if wanted - {"open", "closed"}:
        raise ValueError(_("status is open, closed or both (open,closed)."))
    if wanted == {"open"}:
        qs = qs.exclude(status__in=CLOSED_STATES)
    elif wanted == {"closed"}:
        qs = qs.filter(status__in=CLOSED_STATES)
    return list(qs.order_by("-created_at", "-id")[:MAX_RESULTS])


def _decimal(value, name):
    try:
        number = decimal.Decimal(str(value))
        if not number.is_finite() or abs(number) > 180:
            raise ValueError(value)
        return number.quantize(decimal.Decimal("0.000001"))
    except (decimal.InvalidOperation, ValueError):
        raise ValidationError({name: _("%(name)s must be a number.") % {"name": name}}) from None


def _place_for(data) -> Place | None:
    """address_id (a place id), else None: services.submit then routes lat/long to the grid
    whose boundary contains the point (within the caller's area), or, without a point, takes
    the resident's home building."""
    address_id = data.get("address_id")
    if address_id:
        if not str(address_id).isdigit():
            raise ValidationError({"address_id": _("address_id is the number of a place.")})
        place = selectors.place_by_id(int(address_id))
        if place is None:
            raise ValidationError({"address_id": _("There is no place with this address_id.")})
        return place
    return None


def submit_request(user, data, photos=None) -> Ticket:
    """POST requests: checks the GeoReport v2 required fields, then services.submit (photos:
    uploaded `media` files; a remote media_url is never fetched)."""
    if not access.has_any(user, Action.TICKET_SUBMIT):
        raise PermissionDenied
    code = (data.get("service_code") or "").strip()
    if not code:
        raise ValidationError({"service_code": _("service_code is required.")})
    category = selectors.active_category(code)
    if category is None:
        raise ValidationError(
            {
                "service_code": _("Unknown service_code “%(code)s”: see services.json.")
                % {"code": code}
            }
        )
    raw_lat, raw_lng = data.get("lat"), data.get("long")
    address = (data.get("address_string") or "").strip()
    if not (raw_lat and raw_lng) and not address and not data.get("address_id"):
        raise ValidationError(
            {"location": _("Give a location: lat and long, or address_string (or address_id).")}
        )
    lat = _decimal(raw_lat, "lat") if raw_lat else None
    lng = _decimal(raw_lng, "long") if raw_lng else None
    text = (data.get("description") or "").strip()
    if not text:
        raise ValidationError({"description": _("description is required: describe the matter.")})
    if address:
        note = _("Address: %(address)s") % {"address": address[:200]}
        text = f"{text}\n{note}"
    place = _place_for(data)
    return services.submit(
        actor=user,
        kind=Kind.HELP,
        category=category,
        text=text,
        place=place,
        channel=Channel.ONLINE,
        lat=lat,
        lng=lng,
        photos=photos or None,
    )


def _csrf_refused(request) -> bool:
    return CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {}) is not None


def _bad_input(request, fmt) -> HttpResponse | None:
    """A 400 for a parameter no query or form may hold (a NUL byte), or None."""
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            if any("\x00" in value for value in (key, *values)):
                return error(fmt, 400, _("Text may not contain NUL characters."))
    return None


@csrf_exempt  # key callers have no CSRF cookie; session callers are checked below
@require_http_methods(["GET", "POST"])
def requests_view(request, fmt):
    refused = _bad_input(request, fmt)
    if refused is not None:
        return refused
    user, by_session = _user(request)
    if request.method == "POST":
        return _post(request, fmt, user, by_session)
    if user is None:
        refused = _public_refused(request, fmt)
        if refused is not None:
            return refused
    try:
        if user is None:
            rows = [
                public_row(t) for t in find_requests(None, request.GET, selectors.public_requests())
            ]
        else:
            rows = [request_row(t, request) for t in find_requests(user, request.GET)]
    except ValueError as bad:
        return error(fmt, 400, str(bad))
    return _answer(fmt, "service_requests", "request", rows)


def _post(request, fmt, user, by_session) -> HttpResponse:
    limited = is_ratelimited(
        request, group="open311.post", key="ip", rate=post_rate, method="POST", increment=True
    )
    if limited:
        return error(fmt, 429, _("Too many requests from this address: wait a minute and retry."))
    if "api_key" in request.GET:  # a key in the address ends up in access logs
        return error(fmt, 400, _("Send api_key in the body of the POST, not in the address."))
    if user is None:
        return _no_user(fmt)
    if by_session and _csrf_refused(request):
        return error(fmt, 403, _("The form has expired: reload the page and try again."))
    try:
        ticket = submit_request(user, request.POST, request.FILES.getlist("media"))
    except ValidationError as exc:
        return error(fmt, 400, _validation_text(exc))
    except PermissionDenied:
        return error(fmt, 403, _("Your account may not submit a ticket for this place."))
    except Http404:
        return error(fmt, 403, _("This place is outside the area you may submit tickets for."))
    row = {"service_request_id": ticket.number, "service_notice": "", "account_id": None}
    return _answer(fmt, "service_requests", "request", [row], status=201)


@require_GET
def request_view(request, request_id, fmt):
    refused = _bad_input(request, fmt)
    if refused is not None:
        return refused
    user, _by_session = _user(request)
    if user is None:
        refused = _public_refused(request, fmt)
        if refused is not None:
            return refused
        ticket = selectors.public_requests().filter(number=request_id).first()
        if ticket is None:
            return error(fmt, 404, _("No service request %(id)s.") % {"id": request_id})
        return _answer(fmt, "service_requests", "request", [public_row(ticket)])
    ticket = selectors.open311_requests(user).filter(number=request_id).first()
    if ticket is None:
        return error(fmt, 404, _("No service request %(id)s.") % {"id": request_id})
    return _answer(fmt, "service_requests", "request", [request_row(ticket, request)])


@require_GET
def service_definition_view(request, code, fmt):
    """GET services/{code}: an active service's definition — no attributes (every service has
    `metadata: false`); an unknown code is a 404 error list, as the spec's clients expect."""
    category = None
    if "\x00" not in code:  # PostgreSQL cannot compare text holding a NUL byte
        category = selectors.active_category(code)
    if category is None:
        code = code.replace("\x00", "")[:60]
        return error(fmt, 404, _("No service %(code)s: see services.json.") % {"code": code})
    row = {"service_code": category.code, "attributes": []}
    if fmt == "xml":
        top = ET.Element("service_definition")
        ET.SubElement(top, "service_code").text = category.code
        ET.SubElement(top, "attributes")
        body = ET.tostring(top, encoding="utf-8", xml_declaration=True)
        return HttpResponse(body, content_type="text/xml; charset=utf-8")
    return HttpResponse(
        json.dumps(row, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )


KNOWN = ("services", "requests")


@csrf_exempt  # answers an error whatever the method; writes nothing
def not_found_view(request, rest=""):
    """Any other path under /open311/v2/: an Open311 error list — XML when the path ends in
    .xml, else JSON. tokens/{id} is never issued (a POST answers with the request's id at
    once); a known endpoint with another extension names the two formats."""
    fmt = "xml" if rest.endswith(".xml") else "json"
    stem = rest.rpartition(".")[0]
    if stem.startswith("tokens/"):
        description = _("No token: a POST answers with its service_request_id at once.")
    elif fmt == "json" and not rest.endswith(".json") and stem.split("/")[0] in KNOWN:
        description = _("Unknown format: use .json or .xml.")
    else:
        description = _("No such Open311 endpoint: see /open311/v2/.")
    return error(fmt, 404, description)


@require_GET
def discovery_hint(request):
    """/open311/v2/ itself: where the endpoints are."""
    return HttpResponse(
        json.dumps(
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "endpoints": ["services.json", "services.xml", "requests.json", "requests.xml"],
            }
        ),
        content_type="application/json",
    )
