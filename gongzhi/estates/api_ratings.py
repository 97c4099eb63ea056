"""Ratings under /api/v1/ (issue 14 items 4 and 7):

GET  /api/v1/estate-ratings/?year=2025        evaluations in the caller's area (ESTATE_VIEW),
                                              each with its score, stars and parts
GET  /api/v1/estate-ratings/{id}/
GET  /api/v1/my-estate/                       who runs the caller's estate (ESTATE_MINE):
                                              committee members' names, companies, published
                                              star levels with their parts, the open survey
POST /api/v1/my-estate/answer/                {"company_score": 1–5, "committee_score": 1–5}:
                                              the household's answer (400 the second time)

Errors: 400 bad input or refused (`detail`), 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.estates import ratings, selectors
from gongzhi.estates.models import Evaluation


class EvaluationSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField()
    award_max_yuan = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "kind",
            "company",
            "committee",
            "body",
            "year",
            "score",
            "stars",
            "parts",
            "assessment",
            "assessment_note",
            "published_at",
            "award_max_yuan",
            "award_basis",
        ]

    def get_body(self, obj: Evaluation) -> str:
        return str(obj.body) if obj.body is not None else ""


class EvaluationViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ESTATE_VIEW)]
    serializer_class = EvaluationSerializer

    def get_queryset(self) -> QuerySet[Evaluation]:
        raw = str(self.request.query_params.get("year", ""))
        qs = selectors.evaluations(self.request.user, int(raw)) if raw.isdigit() else None
        if qs is None:
            qs = selectors.all_evaluations(self.request.user)
        return qs.order_by("id")


class AnswerIn(serializers.Serializer):
    company_score = serializers.IntegerField(min_value=1, max_value=5)
    committee_score = serializers.IntegerField(min_value=1, max_value=5)


# The shapes MyEstateViewSet answers (for the schema; the view builds the dicts itself).
class RatingOut(serializers.Serializer):
    year = serializers.IntegerField()
    score = serializers.CharField(allow_null=True, help_text="one decimal")
    stars = serializers.IntegerField(allow_null=True)
    parts = serializers.DictField()
    award_max_yuan = serializers.IntegerField(allow_null=True)


class MyEstateMemberOut(serializers.Serializer):
    name = serializers.CharField()
    is_chair = serializers.BooleanField()


class MyEstateCompanyOut(serializers.Serializer):
    name = serializers.CharField()
    rating = RatingOut(allow_null=True)


class MyEstateSurveyOut(serializers.Serializer):
    year = serializers.IntegerField()
    closes_on = serializers.DateField()
    answered = serializers.BooleanField()


class MyEstateOut(serializers.Serializer):
    """Only `estate` (null) when the caller's household is in no estate."""

    estate = serializers.CharField(allow_null=True)
    committee = serializers.CharField(allow_null=True, required=False)
    members = MyEstateMemberOut(many=True, required=False)
    committee_rating = RatingOut(allow_null=True, required=False)
    marked_for_reelection = serializers.BooleanField(required=False)
    companies = MyEstateCompanyOut(many=True, required=False)
    survey = MyEstateSurveyOut(allow_null=True, required=False)


class MyEstateViewSet(viewsets.ViewSet):
    permission_classes = [Requires.any(Action.ESTATE_MINE)]

    @extend_schema(responses=MyEstateOut)
    def list(self, request: Request) -> Response:
        info = selectors.my_estate(request.user)
        if info is None:
            return Response({"estate": None})
        return Response(
            {
                "estate": info.estate.name,
                "committee": info.committee.name if info.committee else None,
                "members": [
                    {"name": m.resident.name, "is_chair": m.is_chair} for m in info.members
                ],
                "committee_rating": _rating(info.committee_rating),
                "marked_for_reelection": info.reelection is not None,
                "companies": [
                    {"name": c.company.name, "rating": _rating(r)} for c, r in info.contracts
                ],
                "survey": None
                if info.survey is None
                else {
                    "year": info.survey.year,
                    "closes_on": info.survey.closes_on,
                    "answered": info.answered,
                },
            }
        )

    @extend_schema(
        request=AnswerIn,
        responses={
            201: inline_serializer("MyEstateAnswered", {"answered": serializers.BooleanField()}),
            400: inline_serializer("MyEstateRefusal", {"detail": serializers.CharField()}),
        },
    )
    @action(detail=False, methods=["post"])
    def answer(self, request: AuthenticatedAPIRequest) -> Response:
        data = AnswerIn(data=request.data)
        data.is_valid(raise_exception=True)
        info = selectors.my_estate(request.user)
        if info is None or info.survey is None:
            return Response(
                {"detail": _("There is no survey to answer now.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            ratings.answer_survey(info.survey, actor=request.user, **data.validated_data)
        except DjangoValidationError as error:
            return Response(
                {"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST
            )
        return Response({"answered": True}, status=status.HTTP_201_CREATED)


def _rating(evaluation: Evaluation | None) -> dict[str, Any] | None:
    if evaluation is None:
        return None
    return {
        "year": evaluation.year,
        "score": str(evaluation.score) if evaluation.score is not None else None,
        "stars": evaluation.stars,
        "parts": evaluation.parts,
        "award_max_yuan": evaluation.award_max_yuan,
    }
