"""The page gate and eligibility: one rule for every page, the matrix for who is eligible.

The one rule (docs/architecture.md, "Page gate and eligibility"): outside the read scope a
thing does not exist (404); inside it, without the right, the answer is 403.

- A page without an object: `@requires(Action.X, ...)` lets the user in when they hold one
  of the actions somewhere; a logged-in user without any gets 403, an anonymous visitor the
  login page.
- A page with an object: the object is looked up with `get_object_or_404` on a scoped
  selector (404 outside the read scope); the gate's 403 applies inside it. Writes stay
  checked by the services (`access.require`).
- API views: `Requires(Action.X, ...)` is the same gate as a DRF permission class;
  `check(user, ...)` is the gate for a step inside a view or viewset method.

Eligibility (who may be invited as an official, stand as a candidate, be dispatched a
ticket) is a row of the permission matrix too: `roles_with(action)` reads it, so no module
keeps its own list of roles.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from gongzhi.core import access
from gongzhi.core.roles import PERMISSIONS

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

    from gongzhi.core.types import Viewer

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])


def allowed(user: Viewer, *actions: str) -> bool:
    """Whether the user holds one of `actions` somewhere."""
    return any(access.has_any(user, action) for action in actions)


def check(user: Viewer, *actions: str) -> None:
    """The gate inside a view: without any of `actions` anywhere, 403."""
    if not allowed(user, *actions):
        raise PermissionDenied(_("Your role does not use this page."))


def requires(*actions: str) -> Callable[[_View], _View]:
    """Decorator for function views: anonymous → login page; no right anywhere → 403."""
    if not actions:
        raise ValueError("requires() needs at least one action")

    def decorator(view: _View) -> _View:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            check(request.user, *actions)
            return view(request, *args, **kwargs)

        gated.gate_actions = actions  # type: ignore[attr-defined]
        return cast(_View, gated)

    return decorator


class Requires(BasePermission):
    """The gate as a DRF permission class: `permission_classes = [Requires.any(Action.X)]`.

    Anonymous callers get DRF's 401/403 for a missing login (as with IsAuthenticated);
    a logged-in caller without any of the actions gets 403."""

    actions: tuple[str, ...] = ()

    @classmethod
    def any(cls, *actions: str) -> type[Requires]:
        if not actions:
            raise ValueError("Requires.any() needs at least one action")
        return type("Requires", (cls,), {"actions": actions})

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        check(user, *self.actions)
        return True


def roles_with(action: str) -> frozenset[str]:
    """The roles the permission matrix grants `action` to (in some scope)."""
    return frozenset(PERMISSIONS.get(action, {}))
