"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from django.urls import path

from gongzhi.care.api import MyNoticeViewSet, NoticeViewSet, RentedHomeViewSet, TenancyViewSet
from gongzhi.care.api_rounds import (
    MyCareRecordView,
    MyServiceCircleView,
    RoundItemViewSet,
    RoundViewSet,
)
from gongzhi.care.api_talents import MyTalentView, OpinionViewSet, TalentViewSet
from gongzhi.care.api_visits import MyVisitViewSet, VisitPlanViewSet
from gongzhi.core.api import Router

router = Router()
router.register("care-notices", NoticeViewSet, basename="care-notice")
router.register("my-notices", MyNoticeViewSet, basename="my-notice")
router.register("rented-homes", RentedHomeViewSet, basename="rented-home")
router.register("tenancies", TenancyViewSet, basename="tenancy")
router.register("care-visit-plans", VisitPlanViewSet, basename="care-visit-plan")
router.register("my-visits", MyVisitViewSet, basename="my-visit")
router.register("care-rounds", RoundViewSet, basename="care-round")
router.register("care-round-items", RoundItemViewSet, basename="care-round-item")
router.register("care-talents", TalentViewSet, basename="care-talent")
router.register("care-opinions", OpinionViewSet, basename="care-opinion")
urlpatterns = [
    path("my-care-record/", MyCareRecordView.as_view(), name="my-care-record"),
    path("my-service-circle/", MyServiceCircleView.as_view(), name="my-service-circle"),
    path("my-talent/", MyTalentView.as_view(), name="my-talent"),
    *router.urls,
]
