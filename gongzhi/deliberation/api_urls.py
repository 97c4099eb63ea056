"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.deliberation import api

router = Router()
router.register("topics", api.TopicViewSet, basename="delib-topic")
router.register("meetings", api.MeetingViewSet, basename="delib-meeting")
router.register("actions", api.FollowThroughViewSet, basename="delib-follow-through")
router.register("polls", api.PollViewSet, basename="delib-poll")
router.register("notices", api.NoticeViewSet, basename="delib-notice")
urlpatterns = router.urls
