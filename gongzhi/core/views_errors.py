"""The error pages: 400, 403, 404, 500 and a refused CSRF check, in Chinese and in the site's
frame, each with a way back (issue 19, item 4).

The 4xx pages extend base.html (the menu, the user, the language switch). The 500 page is
rendered without the request's context processors — no database, no session, no menu — so
that it cannot fail for the reason the request did.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _back_url(request: HttpRequest) -> str:
    """The page the user came from, when it is one of ours and not the failing page itself."""
    referer = request.META.get("HTTP_REFERER", "")
    if (
        referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        and not referer.endswith(request.get_full_path())
    ):
        return referer
    return ""


def _reason(exception: BaseException | None) -> str:
    """The message a refusal carries when our code wrote one (PermissionDenied("…"))."""
    if exception is None or not exception.args:
        return ""
    text = exception.args[0]
    # Django's resolver passes a dict ({"path": …, "tried": …}) for an unmatched URL.
    return text if isinstance(text, str) else ""


def _page(
    request: HttpRequest,
    status: int,
    title: str,
    text: str,
    *,
    reason: str = "",
) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": reason or title}, status=status)
    context = {
        "status": status,
        "error_title": title,
        "error_text": text,
        "error_reason": reason,
        "back_url": _back_url(request),
    }
    body = loader.render_to_string("core/error.html", context, request=request)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("The request could not be understood"),
        _("Something in the address or the form was not as expected. Go back and try again."),
    )


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(
        request,
        403,
        _("You cannot do this"),
        _(
            "Your posts do not include this step or this page. Ask your community office if you "
            "think you should."
        ),
        reason=_reason(exception),
    )


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page not found"),
        _("The page does not exist, was moved, or lies outside your area."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page that has expired (or from another site)."""
    return _page(
        request,
        403,
        _("The form has expired"),
        _(
            "The page was open for too long or was opened in another window. Go back, reload the "
            "page and send the form again; what you typed may need to be entered again."
        ),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page: a self-contained template, no context processors, no database."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    body = loader.get_template("core/error_500.html").render({})
    return HttpResponse(body, status=500)
