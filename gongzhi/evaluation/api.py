"""Assessment rounds under /api/v1/evaluation/:

GET  rounds/                      rounds the caller sees (EVALUATION_VIEW), latest first
POST rounds/                      {"place", "year", "quarter" (0: the year), "title",
                                  "contest_until"} opens a round and queues its computation
                                  (EVALUATION_MANAGE)
GET  rounds/{id}/                 a round with its ranking (the snapshot's once published)
POST rounds/{id}/compute/         compute again (until published)
POST rounds/{id}/publish/         freeze: snapshot and SHA-256
GET  scores/?round={id}           the scores the caller may open (their own community's only
                                  for a community)
GET  scores/{id}/                 a score with every part
GET  contests/                    contests of the caller's area
POST contests/                    {"part", "reason", "claimed"} (EVALUATION_CONTEST, own
                                  community only, while the round is under review)
POST contests/{id}/decide/        {"adjust_to"} or {"reject": true}, with "reason"
                                  (EVALUATION_MANAGE)

Errors: 400 bad input or refused (the message says why), 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import gates
from gongzhi.core.gates import Requires
from gongzhi.core.indicators import Period
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.evaluation import selectors, services
from gongzhi.evaluation.models import Contest, Round, Score
from gongzhi.places.models import Place

VIEW = Action.EVALUATION_VIEW
MANAGE = Action.EVALUATION_MANAGE
CONTEST = Action.EVALUATION_CONTEST
MAX_ID = 2**31 - 1


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _refused(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


class OpenIn(serializers.Serializer):
    place = _id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    quarter = serializers.IntegerField(min_value=0, max_value=4, required=False, default=0)
    title = serializers.CharField(max_length=120)
    contest_until = serializers.DateField(required=False, allow_null=True, default=None)


class ContestIn(serializers.Serializer):
    part = _id()
    reason = serializers.CharField(max_length=1000)
    claimed = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None
    )


class DecideIn(serializers.Serializer):
    adjust_to = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None
    )
    reject = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(max_length=500)


class AssessmentRoundSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)
    # Plain text, not an enum: "draft", "computing", "review", "published".
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "title",
            "place",
            "place_name",
            "period_kind",
            "period_start",
            "period_end",
            "status",
            "progress",
            "contest_until",
            "computed_at",
            "published_at",
            "snapshot_sha256",
        ]


class AssessmentRankSerializer(serializers.Serializer):
    score_id = serializers.IntegerField()
    place_id = serializers.IntegerField()
    place_name = serializers.CharField()
    street_name = serializers.CharField()
    total = serializers.DecimalField(max_digits=7, decimal_places=2)
    base = serializers.DecimalField(max_digits=7, decimal_places=2)
    bonus = serializers.DecimalField(max_digits=7, decimal_places=2)
    vetoed = serializers.BooleanField()
    veto_reasons = serializers.ListField(child=serializers.CharField())
    grade = serializers.CharField()
    rank_in_street = serializers.IntegerField(allow_null=True)
    rank_in_area = serializers.IntegerField(allow_null=True)


class AssessmentRoundDetailSerializer(AssessmentRoundSerializer):
    ranking = serializers.SerializerMethodField()

    class Meta(AssessmentRoundSerializer.Meta):
        fields = [*AssessmentRoundSerializer.Meta.fields, "ranking"]

    @extend_schema(responses=AssessmentRankSerializer(many=True))
    def get_ranking(self, obj: Round) -> list[dict[str, Any]]:
        rows = selectors.ranking(self.context["request"].user, obj)
        return list(AssessmentRankSerializer([r.__dict__ for r in rows], many=True).data)


class AssessmentScoreSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)

    class Meta:
        model = Score
        fields = [
            "id",
            "round",
            "place",
            "place_name",
            "street",
            "total",
            "base",
            "bonus",
            "vetoed",
            "veto_reasons",
            "grade",
            "rank_in_street",
            "rank_in_area",
        ]


class AssessmentPartOut(serializers.Serializer):
    id = serializers.IntegerField()
    indicator = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    definition = serializers.CharField()
    dimension = serializers.CharField()
    raw = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    numerator = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    denominator = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    note = serializers.CharField()
    adjusted = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True)
    adjust_reason = serializers.CharField()
    normalised = serializers.DecimalField(max_digits=7, decimal_places=2)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    points = serializers.DecimalField(max_digits=7, decimal_places=2)
    source = serializers.CharField(allow_null=True)


class AssessmentScoreDetailSerializer(AssessmentScoreSerializer):
    parts = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()

    class Meta(AssessmentScoreSerializer.Meta):
        fields = [*AssessmentScoreSerializer.Meta.fields, "figures", "parts"]

    @extend_schema(responses=AssessmentPartOut(many=True))
    def get_parts(self, obj: Score) -> list[dict[str, Any]]:
        views = selectors.parts_of(obj, self.context.get("figures"))
        return list(AssessmentPartOut([p.__dict__ for p in views], many=True).data)

    def get_figures(self, obj: Score) -> dict[str, Any]:
        figures = dict(self.context.get("figures") or selectors.score_figures(obj))
        figures.pop("parts", None)
        return figures


class AssessmentContestSerializer(serializers.ModelSerializer):
    indicator = serializers.CharField(source="part.indicator", read_only=True)
    score = serializers.IntegerField(source="part.score_id", read_only=True)
    # Plain text, not an enum: "open", "adjusted", "rejected".
    status = serializers.CharField(read_only=True)

    class Meta:
        model = Contest
        fields = [
            "id",
            "part",
            "score",
            "indicator",
            "reason",
            "claimed",
            "status",
            "raised_at",
            "decided_at",
            "decision",
        ]


class RoundViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Round]
):
    serializer_class = AssessmentRoundSerializer
    permission_classes = [Requires.any(VIEW)]

    def get_queryset(self) -> QuerySet[Round]:
        return selectors.rounds(self.request.user)

    def get_object(self) -> Round:
        return selectors.get_round(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return (
            AssessmentRoundDetailSerializer
            if self.action == "retrieve"
            else AssessmentRoundSerializer
        )

    @extend_schema(request=OpenIn, responses={201: AssessmentRoundSerializer})
    def create(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(OpenIn, request)
        place = selectors.area_places(request.user).filter(pk=data["place"]).first()
        if place is None:
            visible = Place.objects.filter(pk=data["place"]).exists()
            message = (
                _("Choose a street or district you may assess.") if visible else _("No such place.")
            )
            raise ValidationError({"place": [message]})
        quarter = data["quarter"]
        period = Period.quarter(data["year"], quarter) if quarter else Period.year(data["year"])
        try:
            rnd = services.open_round(
                actor=request.user,
                place=place,
                period=period,
                title=data["title"],
                contest_until=data["contest_until"],
            )
        except DjangoValidationError as error:
            raise _refused(error) from None
        rnd.refresh_from_db()
        return Response(AssessmentRoundSerializer(rnd).data, status=status.HTTP_201_CREATED)

    def _act(self, request: AuthenticatedAPIRequest, act: str) -> Response:
        gates.check(request.user, MANAGE)
        rnd = self.get_object()
        try:
            if act == "publish":
                services.publish(actor=request.user, round=rnd)
            else:
                services.compute_round(actor=request.user, round=rnd)
        except DjangoValidationError as error:
            raise _refused(error) from None
        rnd.refresh_from_db()
        return Response(AssessmentRoundSerializer(rnd).data)

    @extend_schema(request=None, responses=AssessmentRoundSerializer)
    @action(detail=True, methods=["post"])
    def compute(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._act(request, "compute")

    @extend_schema(request=None, responses=AssessmentRoundSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._act(request, "publish")


class ScoreViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Score]
):
    serializer_class = AssessmentScoreSerializer
    permission_classes = [Requires.any(VIEW)]

    def get_queryset(self) -> QuerySet[Score]:
        from gongzhi.core import access

        qs = access.scoped(
            Score.objects.select_related("place", "round"), self.request.user, VIEW, "place_path"
        )
        given = str(self.request.query_params.get("round", ""))
        if given:
            qs = qs.filter(round_id=selectors._pk(given))
        return qs.order_by("round_id", "rank_in_area", "id")

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        score = selectors.get_score(request.user, pk)
        figures = selectors.score_figures(score)
        data = AssessmentScoreDetailSerializer(
            score, context={"request": request, "figures": figures}
        ).data
        return Response(data)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return (
            AssessmentScoreDetailSerializer
            if self.action == "retrieve"
            else AssessmentScoreSerializer
        )


class ContestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Contest]
):
    serializer_class = AssessmentContestSerializer
    permission_classes = [Requires.any(VIEW)]

    def get_queryset(self) -> QuerySet[Contest]:
        return selectors.contests(self.request.user)

    def get_object(self) -> Contest:
        return selectors.get_contest(self.request.user, self.kwargs["pk"])

    @extend_schema(request=ContestIn, responses={201: AssessmentContestSerializer})
    def create(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, CONTEST)
        data = _valid(ContestIn, request)
        part = selectors.get_part(request.user, data["part"])
        try:
            row = services.contest(
                actor=request.user, part=part, reason=data["reason"], claimed=data["claimed"]
            )
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(AssessmentContestSerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecideIn, responses=AssessmentContestSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        found = self.get_object()
        data = _valid(DecideIn, request)
        try:
            row = services.decide_contest(
                actor=request.user,
                contest=found,
                reason=data["reason"],
                adjust_to=data["adjust_to"],
                reject=data["reject"],
            )
        except DjangoValidationError as error:
            raise _refused(error) from None
        return Response(AssessmentContestSerializer(row).data)
