"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.merchants.api import ItemViewSet, MerchantViewSet, RedemptionViewSet

router = Router()
router.register("merchants", MerchantViewSet, basename="merchant")
router.register("merchant-items", ItemViewSet, basename="merchant-item")
router.register("redemptions", RedemptionViewSet, basename="redemption")
urlpatterns = router.urls
