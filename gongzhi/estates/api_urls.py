"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.estates.api import (
    CandidateListViewSet,
    CommitteeViewSet,
    CompanyViewSet,
    TermViewSet,
)
from gongzhi.estates.api_grants import GrantViewSet
from gongzhi.estates.api_ratings import EvaluationViewSet, MyEstateViewSet

router = Router()
router.register("owners-committees", CommitteeViewSet, basename="owners-committee")
router.register("committee-terms", TermViewSet, basename="committee-term")
router.register("candidate-lists", CandidateListViewSet, basename="candidate-list")
router.register("property-companies", CompanyViewSet, basename="property-company")
router.register("estate-ratings", EvaluationViewSet, basename="estate-rating")
router.register("my-estate", MyEstateViewSet, basename="my-estate")
router.register("startup-grants", GrantViewSet, basename="startup-grant")
urlpatterns = router.urls
