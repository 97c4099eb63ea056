"""Selections under /api/v1/:

GET  /api/v1/selections/                      the selections the caller sees (paginated)
GET  /api/v1/selections/{id}/                 one selection with its rules and criteria
GET  /api/v1/selections/{id}/nominees/        its nominees the caller sees (paginated; with the
                                              results once published)
POST /api/v1/selections/{id}/vote/            {"nominee": id} (SELECTION_VOTE, own community)
POST /api/v1/selections/{id}/score/           {"nominee": id, "points": {"<criterion>": n}}
                                              (a panel member named on the selection)

Errors: 400 bad input or refused (the field named), 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.selections import rules, selectors, services
from gongzhi.selections.models import Nominee, Selection, Stage

MAX_ID = 2**31 - 1


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class VoteIn(serializers.Serializer):
    nominee = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class ScoreIn(serializers.Serializer):
    nominee = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    points = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=1000))

    def validate_points(self, value: dict[str, int]) -> dict[str, int]:
        if len(value) > 20:
            raise serializers.ValidationError(_("At most 20 criteria."))
        return value


class SelectionSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)
    criteria = serializers.SerializerMethodField()

    class Meta:
        model = Selection
        fields = [
            "id",
            "title",
            "kind",
            "year",
            "place",
            "place_name",
            "method",
            "stage",
            "votes_per_voter",
            "vote_weight_percent",
            "nominees_per_community",
            "winners",
            "star_thresholds",
            "criteria",
            "published_at",
        ]

    def get_criteria(self, obj: Selection) -> list[dict[str, Any]]:
        return [
            {"code": c["code"], "label": rules.criterion_label(c["code"]), "max": c["max"]}
            for c in obj.criteria
        ]


class NomineeSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = Nominee
        fields = ["id", "name", "community", "community_name", "building", "reasons", "result"]

    def get_result(self, obj: Nominee) -> dict[str, Any] | None:
        if obj.selection.stage != Stage.PUBLISHED:
            return None
        return {
            "votes": obj.votes,
            "vote_score": obj.vote_score,
            "panel_score": obj.panel_score,
            "score": obj.score,
            "stars": obj.stars,
            "rank": obj.rank,
            "is_winner": obj.is_winner,
        }


class SelectionViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    permission_classes = [
        Requires.any(Action.SELECTION_MANAGE, Action.SELECTION_NOMINATE, Action.SELECTION_VOTE)
    ]
    serializer_class = SelectionSerializer

    def get_queryset(self) -> QuerySet[Selection]:
        return selectors.visible(self.request.user).order_by("-year", "-id")

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return Response(SelectionSerializer(selectors.get(request.user, pk)).data)

    @extend_schema(responses=NomineeSerializer(many=True))
    @action(detail=True, methods=["get"])
    def nominees(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        selection = selectors.get(request.user, pk)
        rows = selectors.nominees(request.user, selection).select_related("selection")
        page = self.paginate_queryset(rows.order_by("path", "id"))
        data = NomineeSerializer(page if page is not None else rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(request=VoteIn, responses={201: None})
    @action(detail=True, methods=["post"])
    def vote(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.SELECTION_VOTE)
        selection = selectors.get(request.user, pk)
        data = _valid(VoteIn, request)
        item = selectors.nominee(request.user, selection, data["nominee"])
        row = services.vote(actor=request.user, nominee=item)
        return Response({"slot": row.slot}, status=status.HTTP_201_CREATED)

    @extend_schema(request=ScoreIn, responses={200: None})
    @action(detail=True, methods=["post"])
    def score(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        selection = selectors.get(request.user, pk)
        data = _valid(ScoreIn, request)
        item = selectors.nominee(request.user, selection, data["nominee"])
        rows = services.score(actor=request.user, nominee=item, values=data["points"])
        return Response({r.criterion: r.points for r in rows})
