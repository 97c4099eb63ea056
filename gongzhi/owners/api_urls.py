"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.owners.api import OwnersEstateViewSet, OwnersVoteViewSet

router = Router()
router.register("owners-votes", OwnersVoteViewSet, basename="owners-vote")
router.register("owners-estates", OwnersEstateViewSet, basename="owners-estate")
urlpatterns = router.urls
