"""API routes of assessment rounds, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.evaluation.api import ContestViewSet, RoundViewSet, ScoreViewSet

router = Router()
router.register("evaluation/rounds", RoundViewSet, basename="evaluation-round")
router.register("evaluation/scores", ScoreViewSet, basename="evaluation-score")
router.register("evaluation/contests", ContestViewSet, basename="evaluation-contest")
urlpatterns = router.urls
