"""Open311 GeoReport v2, mounted at /open311/v2/ (gongzhi/tickets/open311.py)."""

from django.urls import path, re_path

from gongzhi.tickets import open311

app_name = "open311"
urlpatterns = [
    re_path(r"^services\.(?P<fmt>json|xml)$", open311.services_view, name="services"),
    re_path(
        r"^services/(?P<code>[^/]+)\.(?P<fmt>json|xml)$",
        open311.service_definition_view,
        name="service",
    ),
    re_path(r"^requests\.(?P<fmt>json|xml)$", open311.requests_view, name="requests"),
    re_path(
        r"^requests/(?P<request_id>[A-Za-z0-9-]+)\.(?P<fmt>json|xml)$",
        open311.request_view,
        name="request",
    ),
    path("", open311.discovery_hint, name="index"),
    # Anything else (tokens/{id}, unknown formats, unknown paths): an Open311 error list.
    re_path(r"^(?P<rest>.+)$", open311.not_found_view, name="not-found"),
]
