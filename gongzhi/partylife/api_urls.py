"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from django.urls import path

from gongzhi.core.api import Router
from gongzhi.partylife.api import (
    AreaViewSet,
    DuesViewSet,
    MeetingViewSet,
    PledgeViewSet,
    ReviewResultViewSet,
    TransferViewSet,
)
from gongzhi.partylife.api_index import BranchIndexView, IndexItemViewSet, OwnIndexView

router = Router()
router.register("party-meetings", MeetingViewSet, basename="partylife-meeting")
router.register("party-review-results", ReviewResultViewSet, basename="partylife-result")
router.register("party-dues", DuesViewSet, basename="partylife-dues")
router.register("party-transfers", TransferViewSet, basename="partylife-transfer")
router.register("party-pledges", PledgeViewSet, basename="partylife-pledge")
router.register("party-areas", AreaViewSet, basename="partylife-area")
router.register("party-index-items", IndexItemViewSet, basename="partylife-index-item")
urlpatterns = [
    path("party-index/mine/", OwnIndexView.as_view(), name="partylife-index-mine"),
    path("party-index/orgs/<int:pk>/", BranchIndexView.as_view(), name="partylife-index-branch"),
    *router.urls,
]
