from django.urls import include, path

from gongzhi.core.api import MeView, ObtainTokenView, RootRouter
from gongzhi.core.api_audit import AuditRecordViewSet
from gongzhi.party.api import CheckinViewSet, PartyMemberViewSet, PartyOrgViewSet
from gongzhi.people.api import HouseholdMembersView, ResidentViewSet
from gongzhi.places.api import HouseholdViewSet, PlaceViewSet
from gongzhi.places.views_compliance import ComplianceAPIView
from gongzhi.tickets.api import NotificationViewSet, TicketViewSet
from gongzhi.tickets.api_ledger import TicketLedgerView

router = RootRouter()
router.register("places", PlaceViewSet, basename="place")
router.register("households", HouseholdViewSet, basename="household")
router.register("audit", AuditRecordViewSet, basename="audit")
router.register("party-orgs", PartyOrgViewSet, basename="party-org")
router.register("party-members", PartyMemberViewSet, basename="party-member")
router.register("checkins", CheckinViewSet, basename="checkin")
router.register("residents", ResidentViewSet, basename="resident")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("compliance/<int:pk>/", ComplianceAPIView.as_view(), name="api-compliance"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("ticket-ledger/", TicketLedgerView.as_view(), name="api-ticket-ledger"),
    path(
        "households/<int:pk>/members/",
        HouseholdMembersView.as_view(),
        name="api-household-members",
    ),
    path("", include(router.urls)),
    path("", include("gongzhi.volunteering.api_urls")),
    path("", include("gongzhi.merchants.api_urls")),
    path("", include("gongzhi.partners.api_urls")),
    path("", include("gongzhi.deliberation.api_urls")),
    path("", include("gongzhi.owners.api_urls")),
    path("", include("gongzhi.estates.api_urls")),
    path("", include("gongzhi.mediation.api_urls")),
    path("", include("gongzhi.workforce.api_urls")),
    path("", include("gongzhi.care.api_urls")),
    path("", include("gongzhi.partylife.api_urls")),
    path("", include("gongzhi.party.api_urls")),
    path("", include("gongzhi.microprojects.api_urls")),
    path("", include("gongzhi.organisations.api_urls")),
    path("", include("gongzhi.funds.api_urls")),
    path("", include("gongzhi.keytasks.api_urls")),
    path("", include("gongzhi.evaluation.api_urls")),
    path("", include("gongzhi.selections.api_urls")),
    path("", include("gongzhi.evaluation.api_urls_cockpit")),
    path("", include("gongzhi.privacy.api_urls")),
]
