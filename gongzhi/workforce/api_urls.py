"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.workforce.api import (
    AppointmentViewSet,
    CommunityViewSet,
    CourseViewSet,
    PayFloorViewSet,
    RewardViewSet,
    TermViewSet,
    WorkerViewSet,
)

router = Router()
router.register("workforce-workers", WorkerViewSet, basename="workforce-worker")
router.register("workforce-communities", CommunityViewSet, basename="workforce-community")
router.register("workforce-terms", TermViewSet, basename="workforce-term")
router.register("workforce-rewards", RewardViewSet, basename="workforce-reward")
router.register("workforce-courses", CourseViewSet, basename="workforce-course")
router.register("workforce-pay-floors", PayFloorViewSet, basename="workforce-pay-floor")
router.register("workforce-appointments", AppointmentViewSet, basename="workforce-appointment")
urlpatterns = router.urls
