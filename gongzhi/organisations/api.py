"""Social organisations under /api/v1/:

GET  /api/v1/social-organisations/                 the register of the caller's area (ORG_VIEW)
POST /api/v1/social-organisations/                 {"place", "name", "kind", "status", "field",
                                                   "credit_code", "filed_on", "registered_on"}
                                                   (ORG_MANAGE; the code checked to GB 32100)
GET  /api/v1/social-organisations/{id}/
POST /api/v1/social-organisations/{id}/rating/     {"rating": "1"–"5" or "", "rated_on"}
GET  /api/v1/social-organisations/counts/          per community: active, 4A+, the least number
GET  /api/v1/incubations/                          incubations of the area
POST /api/v1/incubations/{id}/step/                {"step": admit|graduate|withdraw, "on", "mentor"}
GET  /api/v1/org-subsidies/                        subsidy applications (area, or one's own)
POST /api/v1/org-subsidies/                        {"organisation", "rule", "year", "base_yuan"}
                                                   (the organisation's contact)
POST /api/v1/org-subsidies/{id}/decide/            {"approve", "amount_yuan", "reason"} (ORG_FUND)
POST /api/v1/org-subsidies/{id}/pay/               {"paid_on", "reference"} (ORG_FUND)
GET  /api/v1/venture-rounds/                       rounds of the area (and those one reviews)
POST /api/v1/venture-rounds/{id}/apply/            {"organisation", "title", "plan", "budget_yuan"}
GET  /api/v1/venture-projects/{id}/                a project with its scores
POST /api/v1/venture-projects/{id}/score/          {"score", "comment"} (an appointed expert)
POST /api/v1/venture-projects/{id}/award/          {"amount_yuan", "reason"} (ORG_FUND)

Amounts are given and shown in yuan (strings with two decimals); stored in fen.
Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import access, api_schema, gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.organisations import selectors, services, workflow
from gongzhi.organisations.models import (
    Incubation,
    Organisation,
    OrgKind,
    OrgStatus,
    Rating,
    ServiceField,
    SubsidyApplication,
    SubsidyRule,
    VentureApplication,
    VentureRound,
)

MAX_ID = 2**31 - 1


def _bad(error: DjangoValidationError) -> Response:
    detail = error.message_dict if hasattr(error, "error_dict") else {"detail": error.messages}
    return Response(detail, status=status.HTTP_400_BAD_REQUEST)


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


Yuan = api_schema.YuanField  # fen in the database, "1234.50" on the wire


# --------------------------------------------------------------------------- shapes out


class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    party_org_name = serializers.CharField(source="party_org.name", read_only=True, default=None)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "credit_code",
            "field",
            "place",
            "place_name",
            "filed_on",
            "registered_on",
            "dissolved_on",
            "party_org",
            "party_org_name",
            "rating",
            "rated_on",
        ]


class IncubationSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    incubator_name = serializers.CharField(source="incubator.name", read_only=True)
    level = serializers.CharField(source="incubator.level", read_only=True)

    class Meta:
        model = Incubation
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "incubator",
            "incubator_name",
            "level",
            "stage",
            "applied_on",
            "started_on",
            "ended_on",
            "mentor",
        ]


class SubsidySerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    base_yuan = Yuan(source="base_fen", read_only=True)
    computed_yuan = Yuan(source="computed_fen", read_only=True)
    approved_yuan = Yuan(source="approved_fen", read_only=True)

    class Meta:
        model = SubsidyApplication
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "rule",
            "year",
            "base_yuan",
            "computed_yuan",
            "paragraph",
            "status",
            "approved_yuan",
            "reason",
            "paid_on",
            "payment_ref",
        ]


# Schema components named after the models: microprojects has a Round and a Project too.
@extend_schema_serializer(component_name="VentureRound")
class RoundSerializer(serializers.ModelSerializer):
    budget_yuan = Yuan(source="budget_fen", read_only=True)
    prize_cap_yuan = Yuan(source="prize_cap_fen", read_only=True)

    class Meta:
        model = VentureRound
        fields = [
            "id",
            "place",
            "year",
            "title",
            "call",
            "budget_yuan",
            "prize_cap_yuan",
            "cap_paragraph",
            "closes_on",
            "status",
        ]


@extend_schema_serializer(component_name="VentureApplication")
class ProjectSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    budget_yuan = Yuan(source="budget_fen", read_only=True)
    award_yuan = Yuan(source="award_fen", read_only=True)
    scores = serializers.SerializerMethodField()

    class Meta:
        model = VentureApplication
        fields = [
            "id",
            "round",
            "organisation",
            "organisation_name",
            "title",
            "plan",
            "budget_yuan",
            "status",
            "award_yuan",
            "award_reason",
            "final_report",
            "scores",
        ]

    def get_scores(self, app: VentureApplication) -> list[dict[str, Any]]:
        return [
            {"expert": s.expert_id, "score": s.score, "comment": s.comment}
            for s in app.scores.all()
        ]


# --------------------------------------------------------------------------- shapes in


class RegisterIn(serializers.Serializer):
    place = _id()
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    status = serializers.ChoiceField(choices=[OrgStatus.FILED, OrgStatus.REGISTERED])
    field = serializers.ChoiceField(choices=ServiceField.choices)
    credit_code = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    filed_on = serializers.DateField(required=False, allow_null=True, default=None)
    registered_on = serializers.DateField(required=False, allow_null=True, default=None)


class RatingIn(serializers.Serializer):
    rating = serializers.ChoiceField(choices=[("", ""), *Rating.choices], allow_blank=True)
    rated_on = serializers.DateField(required=False, allow_null=True, default=None)


class StepIn(serializers.Serializer):
    step = serializers.ChoiceField(choices=workflow.Step.choices)
    on = serializers.DateField()
    mentor = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SubsidyIn(serializers.Serializer):
    organisation = _id()
    rule = serializers.ChoiceField(choices=SubsidyRule.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    base_yuan = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class DecideIn(serializers.Serializer):
    approve = serializers.BooleanField()
    amount_yuan = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=500)


class PayIn(serializers.Serializer):
    paid_on = serializers.DateField()
    reference = serializers.CharField(max_length=100)


class VentureIn(serializers.Serializer):
    organisation = _id()
    title = serializers.CharField(max_length=100)
    plan = serializers.CharField(max_length=4000)
    budget_yuan = serializers.CharField(max_length=20)


class ScoreIn(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class AwardIn(serializers.Serializer):
    amount_yuan = serializers.CharField(max_length=20)
    reason = serializers.CharField(max_length=500)


# --------------------------------------------------------------------------- views


class OrganisationViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ORG_VIEW)]
    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return selectors.org_rows(self.request.user)

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.ORG_MANAGE)
        data = _valid(RegisterIn, request)
        place = selectors.register_places(request.user).filter(pk=data.pop("place")).first()
        if place is None:
            return Response({"place": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            org = services.register(place, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(OrganisationSerializer(org).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def rating(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ORG_MANAGE)
        org = self.get_object()
        data = _valid(RatingIn, request)
        try:
            org = services.set_rating(
                org, actor=request.user, rating=data["rating"], rated_on=data["rated_on"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(OrganisationSerializer(org).data)

    @action(detail=False, methods=["get"])
    def counts(self, request: AuthenticatedAPIRequest) -> Response:
        return Response(
            [
                {
                    "community": row.community.pk,
                    "name": row.community.name,
                    "active": row.active,
                    "rated_4a_or_above": row.top_rated,
                    "required": row.required,
                    "paragraph": row.paragraph,
                    "met": row.met,
                }
                for row in selectors.community_counts(request.user)
            ]
        )


class IncubationViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ORG_VIEW)]
    serializer_class = IncubationSerializer

    def get_queryset(self) -> QuerySet[Incubation]:
        return selectors.incubations(self.request.user)

    @action(detail=True, methods=["post"])
    def step(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ORG_MANAGE)
        inc = self.get_object()
        data = _valid(StepIn, request)
        try:
            inc = services.step_incubation(
                inc,
                data["step"],
                actor=request.user,
                on=data["on"],
                mentor=data["mentor"],
                note=data["note"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(IncubationSerializer(inc).data)


class SubsidyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ORG_VIEW, Action.ORG_APPLY)]
    serializer_class = SubsidySerializer

    def get_queryset(self) -> QuerySet[SubsidyApplication]:
        return selectors.subsidy_rows(self.request.user)

    def create(  # type: ignore[override]
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.ORG_APPLY)
        data = _valid(SubsidyIn, request)
        org = selectors.org_rows(request.user).filter(pk=data["organisation"]).first()
        if org is None:
            return Response({"organisation": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = services.apply_subsidy(
                org,
                actor=request.user,
                rule=data["rule"],
                year=data["year"],
                base_yuan=data["base_yuan"] or None,
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(SubsidySerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def decide(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ORG_FUND)
        app = self.get_object()
        data = _valid(DecideIn, request)
        try:
            app = services.decide_subsidy(
                app,
                actor=request.user,
                approve=data["approve"],
                reason=data["reason"],
                amount_yuan=data["amount_yuan"] or None,
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(SubsidySerializer(app).data)

    @action(detail=True, methods=["post"])
    def pay(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ORG_FUND)
        app = self.get_object()
        data = _valid(PayIn, request)
        try:
            app = services.pay_subsidy(
                app, actor=request.user, paid_on=data["paid_on"], reference=data["reference"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(SubsidySerializer(app).data)


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ORG_VIEW, Action.ORG_REVIEW)]
    serializer_class = RoundSerializer

    def get_queryset(self) -> QuerySet[VentureRound]:
        return selectors.rounds(self.request.user)

    @action(detail=True, methods=["post"])
    def apply(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ORG_APPLY)
        rnd = self.get_object()
        data = _valid(VentureIn, request)
        org = selectors.my_orgs(request.user).filter(pk=data["organisation"]).first()
        if org is None:
            return Response({"organisation": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = services.apply_venture(
                rnd,
                org,
                actor=request.user,
                title=data["title"],
                plan=data["plan"],
                budget_yuan=data["budget_yuan"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ProjectSerializer(made).data, status=status.HTTP_201_CREATED)


class ProjectViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [Requires.any(Action.ORG_VIEW, Action.ORG_REVIEW)]
    serializer_class = ProjectSerializer

    def get_object(self) -> VentureApplication:
        return selectors.get_application(self.request.user, self.kwargs["pk"])

    @action(detail=True, methods=["post"])
    def score(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ORG_REVIEW)
        app = self.get_object()
        data = _valid(ScoreIn, request)
        try:
            services.score(app, actor=request.user, value=data["score"], comment=data["comment"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ProjectSerializer(app).data)

    @action(detail=True, methods=["post"])
    def award(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ORG_FUND)
        app = self.get_object()
        if not access.can(request.user, Action.ORG_FUND, app.round.place_path):
            raise PermissionDenied
        data = _valid(AwardIn, request)
        try:
            app = services.award(
                app, actor=request.user, amount_yuan=data["amount_yuan"], reason=data["reason"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ProjectSerializer(app).data)
