import ipaddress
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
