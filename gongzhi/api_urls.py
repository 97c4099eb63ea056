from django.urls import include, path
from rest_framework.routers import DefaultRouter

from gongzhi.core.api import MeView, ObtainTokenView
from gongzhi.places.api import HouseholdViewSet, PlaceViewSet

router = DefaultRouter()
router.register("places", PlaceViewSet, basename="place")
router.register("households", HouseholdViewSet, basename="household")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]
