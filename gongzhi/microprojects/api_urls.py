"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.microprojects.api import ProjectViewSet, RoundViewSet

router = Router()
router.register("microproject-rounds", RoundViewSet, basename="microproject-round")
router.register("microprojects", ProjectViewSet, basename="microproject")
urlpatterns = router.urls
