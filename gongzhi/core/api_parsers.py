"""The body parsers and the filter backend of the REST API (settings.REST_FRAMEWORK; issue 13:
no input may give a 500). A body is a JSON object or a form. Malformed JSON, a body that is
not an object (`[]`, `"x"`, `1`, `null`), a NUL byte in a text, a text beyond 100,000
characters, or a number beyond 2**53 (in a body or a filter parameter) is a 400 with a
message, before any view reads it.

Kept apart from gongzhi/core/api.py: DRF imports its parser settings while defining APIView, so
this module may not import rest_framework.views.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

# The largest number a body or a filter may carry: the largest integer a JSON client (JavaScript)
# holds exactly, well inside SQLite's and PostgreSQL's 64-bit integers. A value beyond a 32-bit
# column still reaches the database, whose DataError is a 400 (core.api.api_exception_handler).
MAX_INT = 2**53 - 1
MAX_DEPTH = 20
# The longest text a body may carry (the longest field, meeting minutes, takes 20,000).
MAX_TEXT = 100_000


def _bad_value(value, depth: int = 0) -> str | None:
    """Why a parsed body value cannot go further (a message), or None."""
    if depth > MAX_DEPTH:
        return _("The request body is nested too deeply.")
    if isinstance(value, str):
        if "\x00" in value:
            return _("Text may not contain NUL characters.")
        if len(value) > MAX_TEXT:
            return _("A text is too long (at most %(n)s characters).") % {"n": MAX_TEXT}
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            return _("The number %(value)s is too large.") % {"value": str(value)[:20]}
        return None
    if isinstance(value, Decimal):
        if not value.is_finite() or abs(value) > MAX_INT:
            return _("The number %(value)s is too large.") % {"value": str(value)[:20]}
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or abs(value) > MAX_INT:
            return _("The number %(value)s is too large.") % {"value": str(value)[:20]}
        return None
    if isinstance(value, dict):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list):
        items = value
    else:
        return None
    for item in items:
        reason = _bad_value(item, depth + 1)
        if reason:
            return reason
    return None


class ObjectJSONParser(JSONParser):
    """JSON bodies: malformed JSON is a 400 (DRF), and so is a body that is not an object
    (`[]`, `"x"`, `1`, `null`) — every API body is an object; a view that takes a list sets
    `json_list_body = True` — a NUL byte in a string, or a number beyond 2**53."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError):  # RecursionError: `[[[[…` a million deep
            raise ParseError(_("The request body is not valid JSON.")) from None
        view = (parser_context or {}).get("view")
        allowed = (dict, list) if getattr(view, "json_list_body", False) else (dict,)
        if not isinstance(data, allowed):
            raise ParseError(_("The request body must be a JSON object ({…})."))
        reason = _bad_value(data)
        if reason:
            raise ParseError(reason)
        return data


def _check_form(data):
    for key, values in data.lists():
        for value in [key, *values]:
            reason = _bad_value(value)
            if reason:
                raise ParseError(reason)
    return data


class CheckedFormParser(FormParser):
    """Form bodies without NUL bytes."""

    def parse(self, stream, media_type=None, parser_context=None):
        return _check_form(super().parse(stream, media_type, parser_context))


class CheckedMultiPartParser(MultiPartParser):
    """Multipart bodies without NUL bytes in their fields (files are checked where read)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _check_form(parsed.data)
        return parsed


class CheckedFilterBackend(DjangoFilterBackend):
    """django-filter for every list, with numbers in query parameters bounded like bodies:
    `?member=-1e62` is a 400, not an overflow in the database driver."""

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and filterset.is_valid():
            for name, value in list(filterset.form.cleaned_data.items()):
                if _bad_value(value):
                    filterset.form.add_error(name, _bad_value(value))
        return filterset


class ApiQueryGuardMiddleware:
    """A NUL byte in the query string of an /api/v1/ request is a 400 before any view reads
    it (views read some parameters directly; PostgreSQL refuses the byte with a ValueError).
    Placed after LanguageMiddleware so the message is in the caller's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/v1/") and "\x00" in _query_text(request):
            body = json.dumps({"detail": _("Text may not contain NUL characters.")})
            return HttpResponse(body, status=400, content_type="application/json")
        return self.get_response(request)


def _query_text(request) -> str:
    return "".join(f"{key}{''.join(values)}" for key, values in request.GET.lists())
