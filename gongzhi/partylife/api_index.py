"""The fuller vanguard index under /api/v1/ (issue 23 item 6; scoped by the object rule):

GET  /api/v1/party-index/mine/?year=&n=          the caller's own score with every part
GET  /api/v1/party-index/orgs/{id}/?year=&n=&page=
                                                 a branch's scores (its secretary, the
                                                 community committee; 403 for a member of the
                                                 branch, 404 for anyone who cannot see it)
GET  /api/v1/party-index-items/                  items: own, a branch's (its secretary), those
                                                 under one's place (staff)
POST /api/v1/party-index-items/                  {"kind": bonus|deduction, "code",
                                                 "occurred_on", "text"}: the caller declares
POST /api/v1/party-index-items/{id}/review/      {"decision": accept|refuse, "reason"}

`n` is the period of the year (1 when the profile scores whole years; 1–4 for quarters);
absent or wrong: the current period. Errors: 400 bad input or refused, 403, 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core.gates import Requires
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.partylife import index, rules, selectors, services
from gongzhi.partylife.api import _bad, _valid
from gongzhi.partylife.models import IndexItem, IndexItemKind

PAGE_SIZE = 50


class PartyIndexPartOut(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    achieved = serializers.CharField(help_text="the inputs, as text")
    points = serializers.DecimalField(max_digits=6, decimal_places=1)
    most = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
    rule = serializers.CharField(help_text="the profile's citation or 'platform default'")


class PartyIndexVetoOut(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    occurred_on = serializers.DateField()
    reason = serializers.CharField()


class PartyIndexScoreOut(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    period = serializers.IntegerField()
    periods = serializers.IntegerField()
    first = serializers.DateField()
    last = serializers.DateField()
    total = serializers.DecimalField(max_digits=6, decimal_places=1)
    grade = serializers.CharField()
    grade_label = serializers.CharField()
    vetoed = serializers.BooleanField()
    vetoes = PartyIndexVetoOut(many=True)
    parts = PartyIndexPartOut(many=True)


class PartyIndexPageOut(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = PartyIndexScoreOut(many=True)


def _data(score: index.Score) -> dict[str, Any]:
    p = score.period
    return {
        "member": score.member.pk,
        "name": score.member.resident.name,
        "year": p.year,
        "period": p.number,
        "periods": p.count,
        "first": p.first,
        "last": p.last,
        "total": score.total,
        "grade": score.grade,
        "grade_label": str(score.grade_label),
        "vetoed": score.vetoed,
        "vetoes": [
            {
                "code": v.item.code,
                "title": v.label,
                "occurred_on": v.item.occurred_on,
                "reason": v.item.text,
            }
            for v in score.vetoes
        ],
        "parts": [
            {
                "name": part.name,
                "title": str(part.label),
                "achieved": str(part.achieved),
                "points": part.points,
                "most": part.most,
                "rule": str(part.rule),
            }
            for part in score.parts
        ],
    }


PERIOD = [
    OpenApiParameter("year", int, description="2000–2100; the current period when absent"),
    OpenApiParameter("n", int, description="the period of the year (1–4)"),
]


class OwnIndexView(APIView):
    permission_classes = [Requires.any(rules.ATTEND)]

    @extend_schema(parameters=PERIOD, responses={200: PartyIndexScoreOut})
    def get(self, request: AuthenticatedAPIRequest) -> Response:
        member = rules.member(request.user)
        if member is None:
            raise PermissionDenied
        rules_ = index.rules_for(member.org)
        period = index.asked_period(
            rules_, request.query_params.get("year"), request.query_params.get("n")
        )
        score = index.scores([member], period, {member.org_id: rules_})[0]
        return Response(PartyIndexScoreOut(_data(score)).data)


class BranchIndexView(APIView):
    permission_classes = [Requires.any(rules.VIEW)]

    @extend_schema(
        parameters=[*PERIOD, OpenApiParameter("page", int, description="50 members a page")],
        responses={200: PartyIndexPageOut},
    )
    def get(self, request: AuthenticatedAPIRequest, pk: int) -> Response:
        user = request.user
        body = selectors.get_org(user, pk)
        if not selectors.sees_member_records(user, body):
            raise PermissionDenied
        rules_ = index.rules_for(body)
        period = index.asked_period(
            rules_, request.query_params.get("year"), request.query_params.get("n")
        )
        page = Paginator(selectors.index_members(body), PAGE_SIZE).get_page(
            request.query_params.get("page")
        )
        rows = index.scores(list(page.object_list), period)
        return Response(
            PartyIndexPageOut(
                {
                    "count": page.paginator.count,
                    "page": page.number,
                    "pages": page.paginator.num_pages,
                    "results": [_data(r) for r in rows],
                }
            ).data
        )


@extend_schema_serializer(component_name="PartyIndexItem")
class IndexItemSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.resident.name", read_only=True)

    class Meta:
        model = IndexItem
        fields = [
            "id",
            "member",
            "member_name",
            "org",
            "kind",
            "code",
            "occurred_on",
            "text",
            "state",
            "refusal_reason",
            "self_declared",
            "reviewed_at",
        ]


class IndexItemIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[IndexItemKind.BONUS, IndexItemKind.DEDUCTION])
    code = serializers.CharField(max_length=24)
    occurred_on = serializers.DateField()
    text = serializers.CharField(max_length=500)


class IndexItemReviewIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "refuse"])
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class IndexItemViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """GET: own items (a member), a branch's (its secretary), those under one's place (staff).
    POST {kind, code, occurred_on, text}: the caller declares an item of their own.
    POST {id}/review/ {decision, reason}: the branch accepts or refuses it."""

    permission_classes = [Requires.any(rules.VIEW)]
    serializer_class = IndexItemSerializer

    def get_queryset(self) -> QuerySet[IndexItem]:
        return selectors.visible_items(self.request.user)

    @extend_schema(request=IndexItemIn, responses={201: IndexItemSerializer})
    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        data = _valid(IndexItemIn, request)
        try:
            made = services.declare_item(actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(IndexItemSerializer(made).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=IndexItemReviewIn, responses={200: IndexItemSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = self.get_object()
        data = _valid(IndexItemReviewIn, request)
        try:
            done = services.review_item(
                item, actor=request.user, accept=data["decision"] == "accept", reason=data["reason"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(IndexItemSerializer(done).data)
