"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.funds.api import FundViewSet, LineViewSet, PurchaseViewSet

router = Router()
router.register("community-funds", FundViewSet, basename="community-fund")
router.register("purchased-services", PurchaseViewSet, basename="purchased-service")
router.register("funding-lines", LineViewSet, basename="funding-line")
urlpatterns = router.urls
