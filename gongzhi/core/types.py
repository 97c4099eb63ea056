"""Types shared by the type-checked modules (mypy, see docs/contributing.md).

Views behind `login_required` (and API views behind the default `IsAuthenticated`) see a
logged-in `User`; django-stubs types `request.user` as `User | AnonymousUser`. These request
types say what the decorator guarantees, so an acting user can be passed to a service that
takes `actor: User`. They change nothing at run time.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from rest_framework.request import Request

from gongzhi.core.models import User


class AuthenticatedRequest(HttpRequest):
    """A page request that passed `login_required`."""

    user: User


class AuthenticatedAPIRequest(Request):
    """An API request that passed `IsAuthenticated`."""

    user: User


# Who reads: selectors narrow to what a user may see; an anonymous user sees nothing.
Viewer: TypeAlias = User | AnonymousUser
