"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.mediation.api import CaseViewSet, CommitteeViewSet

router = Router()
router.register("mediation-committees", CommitteeViewSet, basename="mediation-committee")
router.register("mediation-cases", CaseViewSet, basename="mediation-case")
urlpatterns = router.urls
