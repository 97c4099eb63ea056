"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.selections.api import SelectionViewSet

router = Router()
router.register("selections", SelectionViewSet, basename="selection")
urlpatterns = router.urls
