"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py (and the vanguard
index of party members, also issue 5)."""

from django.urls import path

from gongzhi.core.api import Router
from gongzhi.partners.api import ClaimViewSet, ListItemViewSet, NeedViewSet, UnitViewSet
from gongzhi.party.api_vanguard import VanguardIndexView, VanguardRankingView

router = Router()
router.register("partner-units", UnitViewSet, basename="partner-unit")
router.register("partner-items", ListItemViewSet, basename="partner-item")
router.register("partner-claims", ClaimViewSet, basename="partner-claim")
router.register("partner-needs", NeedViewSet, basename="partner-need")
urlpatterns = [
    path("vanguard-index/", VanguardIndexView.as_view(), name="api-vanguard-index"),
    path("vanguard-ranking/", VanguardRankingView.as_view(), name="api-vanguard-ranking"),
    *router.urls,
]
