"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from rest_framework.routers import SimpleRouter

from gongzhi.owners.api import OwnersEstateViewSet, OwnersVoteViewSet

router = SimpleRouter()
router.register("owners-votes", OwnersVoteViewSet, basename="owners-vote")
router.register("owners-estates", OwnersEstateViewSet, basename="owners-estate")
urlpatterns = router.urls
