from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gongzhi.core.api import MeView, ObtainTokenView
from gongzhi.core.api_audit import AuditRecordViewSet
from gongzhi.places.api import HouseholdViewSet, PlaceViewSet
from gongzhi.places.views_compliance import ComplianceAPIView

router = DefaultRouter()
router.register("places", PlaceViewSet, basename="place")
router.register("households", HouseholdViewSet, basename="household")
router.register("audit", AuditRecordViewSet, basename="audit")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("compliance/<int:pk>/", ComplianceAPIView.as_view(), name="api-compliance"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
