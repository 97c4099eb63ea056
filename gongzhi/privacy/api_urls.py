"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from django.urls import path

from gongzhi.core.api import Router
from gongzhi.privacy.api import (
    ConsentViewSet,
    DownloadView,
    MyRequestViewSet,
    QueueViewSet,
    RegisterViewSet,
)

router = Router()
router.register("privacy/consents", ConsentViewSet, basename="privacy-consent")
router.register("privacy-requests", MyRequestViewSet, basename="privacy-request")
router.register("privacy-queue", QueueViewSet, basename="privacy-queue")
router.register("privacy/register", RegisterViewSet, basename="privacy-register")
urlpatterns = [
    path("privacy/download/", DownloadView.as_view(), name="api-privacy-download"),
    *router.urls,
]
