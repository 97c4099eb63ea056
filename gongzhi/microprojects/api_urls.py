"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from rest_framework.routers import SimpleRouter

from gongzhi.microprojects.api import ProjectViewSet, RoundViewSet

router = SimpleRouter()
router.register("microproject-rounds", RoundViewSet, basename="microproject-round")
router.register("microprojects", ProjectViewSet, basename="microproject")
urlpatterns = router.urls
