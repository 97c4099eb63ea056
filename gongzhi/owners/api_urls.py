"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from rest_framework.routers import SimpleRouter

from gongzhi.owners.api import OwnersVoteViewSet

router = SimpleRouter()
router.register("owners-votes", OwnersVoteViewSet, basename="owners-vote")
urlpatterns = router.urls
