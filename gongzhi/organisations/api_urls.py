"""API routes of this app, mounted under /api/v1/ by gongzhi/api_urls.py."""

from gongzhi.core.api import Router
from gongzhi.organisations.api import (
    IncubationViewSet,
    OrganisationViewSet,
    ProjectViewSet,
    RoundViewSet,
    SubsidyViewSet,
)

router = Router()
router.register("social-organisations", OrganisationViewSet, basename="social-organisation")
router.register("incubations", IncubationViewSet, basename="incubation")
router.register("org-subsidies", SubsidyViewSet, basename="org-subsidy")
router.register("venture-rounds", RoundViewSet, basename="venture-round")
router.register("venture-projects", ProjectViewSet, basename="venture-project")
urlpatterns = router.urls
