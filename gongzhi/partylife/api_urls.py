"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.partylife.api import (
    AreaViewSet,
    DuesViewSet,
    MeetingViewSet,
    PledgeViewSet,
    ReviewResultViewSet,
    TransferViewSet,
)

router = Router()
router.register("party-meetings", MeetingViewSet, basename="partylife-meeting")
router.register("party-review-results", ReviewResultViewSet, basename="partylife-result")
router.register("party-dues", DuesViewSet, basename="partylife-dues")
router.register("party-transfers", TransferViewSet, basename="partylife-transfer")
router.register("party-pledges", PledgeViewSet, basename="partylife-pledge")
router.register("party-areas", AreaViewSet, basename="partylife-area")
urlpatterns = router.urls
