"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from django.urls import path

from gongzhi.core.api import Router
from gongzhi.volunteering import api

router = Router()
router.register("volunteers", api.VolunteerViewSet, basename="volunteering-volunteer")
router.register("volunteer-teams", api.TeamViewSet, basename="volunteering-team")
router.register("activities", api.ActivityViewSet, basename="volunteering-activity")
router.register("timebank", api.ExchangeViewSet, basename="volunteering-timebank")
urlpatterns = [
    path("points/", api.PointsView.as_view(), name="volunteering-points"),
    path("points/statement/", api.StatementView.as_view(), name="volunteering-points-statement"),
    path(
        "points/residents/<int:resident_id>/statement/",
        api.ResidentStatementView.as_view(),
        name="volunteering-resident-statement",
    ),
    path(
        "points/entries/<int:entry_id>/reverse/",
        api.ReverseEntryView.as_view(),
        name="volunteering-entry-reverse",
    ),
    *router.urls,
]
