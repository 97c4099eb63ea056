import ipaddress
import secrets
import time
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from gongzhi.core import context


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in spec if s.strip())


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str:
    """The client's address. X-Forwarded-For is believed only as far as it was written by
    proxies listed in settings.TRUSTED_PROXIES: walking from the right, the first address
    that is not a trusted proxy is the client. Used by the audit trail and the rate limits
    (RATELIMIT_IP_META_KEY)."""
    address = request.META.get("REMOTE_ADDR") or ""
    if not _trusted(address):
        return address
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            return hop
        address = hop
    return address


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.activate(context.RequestContext(client_ip=client_ip(request) or None))
        try:
            return self.get_response(request)
        finally:
            context.deactivate(token)


class LanguageMiddleware:
    """zh-Hans for everybody unless they chose another language (the footer switch sets the
    language cookie). The browser's Accept-Language is not followed: staff on an English-
    language browser still get the Chinese interface their colleagues see."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ["Cookie"])
        return response


# --- Security headers (docs/security.md) --------------------------------------------------


def _tile_origin() -> str:
    """The origin of the map tile server (settings.MAP_TILE_URL), allowed for images."""
    parts = urlsplit(getattr(settings, "MAP_TILE_URL", "") or "")
    if parts.scheme in {"http", "https"} and parts.netloc:
        # A subdomain placeholder ({s}: a.tiles…, t0.tianditu…) stands for any leftmost label.
        host = ".".join("*" if "{s}" in label else label for label in parts.netloc.split("."))
        return f"{parts.scheme}://{host}"
    return ""


def content_security_policy(nonce: str) -> str:
    """Everything is served by the platform itself: scripts and <style> blocks from our own
    origin or carrying this response's nonce; style attributes stay allowed (Leaflet, ECharts
    and Bootstrap set them; they cannot run code); no frames, no plugins, no foreign forms."""
    images = " ".join(filter(None, ["'self'", "data:", "blob:", _tile_origin()]))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            f"style-src-elem 'self' 'nonce-{nonce}'",
            "style-src-attr 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def _carries_personal_data(request) -> bool:
    user = getattr(request, "user", None)
    return bool(getattr(user, "is_authenticated", False) or request.META.get("HTTP_AUTHORIZATION"))


class SecurityHeadersMiddleware:
    """A per-response CSP nonce (templates: `nonce="{{ request.csp_nonce }}"`), the CSP, and
    `Cache-Control: no-store, private` on every answer to a logged-in user or an API token
    (they may carry personal data; no browser or proxy cache keeps them). HSTS, nosniff,
    Referrer-Policy and frame denial come from Django's SecurityMiddleware and
    XFrameOptionsMiddleware (settings.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response.headers.setdefault(
            "Content-Security-Policy", content_security_policy(request.csp_nonce)
        )
        if _carries_personal_data(request):
            response.headers["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response


# --- Idle timeout for staff sessions ----------------------------------------------------

IDLE_KEY = "_gz_seen"
# The last-seen time is written at most this often (seconds), not on every request.
IDLE_WRITE_EVERY = 60


def wall_time() -> float:
    """Session idleness is measured on the real clock, like Django's own session expiry:
    moving gongzhi.core.clock (tests, demos) must not end anybody's session."""
    return time.time()


class StaffIdleTimeoutMiddleware:
    """Staff sessions end after settings.STAFF_IDLE_TIMEOUT seconds without a request;
    residents keep the absolute expiry (SESSION_COOKIE_AGE). After AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and hasattr(request, "session"):
            from gongzhi.core import access

            if access.is_staff_user(user):
                now = wall_time()
                seen = request.session.get(IDLE_KEY)
                if seen is not None and now - seen > settings.STAFF_IDLE_TIMEOUT:
                    return self._expired(request)
                if seen is None or now - seen >= IDLE_WRITE_EVERY:
                    request.session[IDLE_KEY] = now
        return self.get_response(request)

    @staticmethod
    def _expired(request):
        logout(request)
        text = _("You were logged out after a period of inactivity. Please log in again.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": text}, status=401)
        messages.info(request, text)
        return redirect_to_login(request.get_full_path())


# --- Second factor ---------------------------------------------------------------------

# Paths a session waiting for its second factor may still reach.
OTP_OPEN_PATHS = ("/login/otp/", "/logout/", "/i18n/", "/static/", "/healthz", "/readyz")


class OtpRequiredMiddleware:
    """Until the second factor is passed, a session of a user who needs it (otp.required)
    reaches only enrolment, the verify step and logout. After StaffIdleTimeoutMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False) and hasattr(request, "session"):
            from gongzhi.core import otp

            if otp.required(user) and not otp.verified(request):
                if not request.path.startswith(OTP_OPEN_PATHS):
                    return self._second_factor(request, otp.enrolled(user))
                request.gz_otp_pending = True  # base.html shows no menu yet
        return self.get_response(request)

    @staticmethod
    def _second_factor(request, enrolled: bool):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Pass the second factor of your login first.")}, status=403
            )
        name = "otp_verify" if enrolled else "otp_setup"
        return redirect_to_login(request.get_full_path(), login_url=name)
