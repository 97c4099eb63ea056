"""API routes of the party registry's structures, mounted under /api/v1/ by gongzhi/api_urls.py
(organisations, members and check-ins are registered there directly)."""

from gongzhi.core.api import Router
from gongzhi.party.api_structures import BodyViewSet, CommitteeMemberViewSet

router = Router()
router.register("party-committee-members", CommitteeMemberViewSet, basename="party-committee")
router.register("party-bodies", BodyViewSet, basename="party-body")
urlpatterns = router.urls
