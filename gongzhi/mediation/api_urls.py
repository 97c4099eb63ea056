"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.mediation.api import CaseViewSet, CommitteeViewSet
from gongzhi.mediation.api_awards import AwardViewSet
from gongzhi.mediation.api_legal import QuestionViewSet

router = Router()
router.register("mediation-committees", CommitteeViewSet, basename="mediation-committee")
router.register("mediation-cases", CaseViewSet, basename="mediation-case")
router.register("mediation-awards", AwardViewSet, basename="mediation-award")
router.register("legal-questions", QuestionViewSet, basename="legal-question")
urlpatterns = router.urls
