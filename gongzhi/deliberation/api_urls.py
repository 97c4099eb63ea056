"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from rest_framework.routers import SimpleRouter

from gongzhi.deliberation import api

router = SimpleRouter()
router.register("topics", api.TopicViewSet, basename="delib-topic")
router.register("meetings", api.MeetingViewSet, basename="delib-meeting")
router.register("actions", api.ActionViewSet, basename="delib-action")
router.register("polls", api.PollViewSet, basename="delib-poll")
router.register("notices", api.NoticeViewSet, basename="delib-notice")
urlpatterns = router.urls
