"""Verification rounds and the 爱心档案 under /api/v1/ (issue 24 items 2 and 4):

GET  /api/v1/care-rounds/                  rounds the caller sees, checked counts within their
                                           area (care.rental_view)
GET  /api/v1/care-rounds/{id}/items/       the round's households of the caller's area
                                           (`?todo=1`: not checked yet)
POST /api/v1/care-round-items/{id}/check/  {"answers": {code: "yes"|"no"}, "note"}
                                           (care.rental_manage over the home; else 404)
GET  /api/v1/my-care-record/               the caller's 爱心档案: volunteering totals, gifts,
                                           help received (visits without notes, tickets)
GET  /api/v1/my-service-circle/            service points within a half-hour walk

Errors: 400 bad input or refused (`detail`), 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.care import selectors, services
from gongzhi.care.api import _bad
from gongzhi.care.models import CheckItem, CheckRound
from gongzhi.care.rounds import CODES
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest

VIEW = Action.CARE_RENTAL_VIEW
CHECK = Action.CARE_RENTAL_MANAGE
READ = Action.CARE_NOTICE_READ


@extend_schema_serializer(component_name="CheckRound")
class RoundSerializer(serializers.ModelSerializer):
    households = serializers.IntegerField(source="mine", read_only=True)
    checked = serializers.IntegerField(read_only=True)

    class Meta:
        model = CheckRound
        fields = ["id", "title", "scope", "row_tag", "due_on", "sent_at", "households", "checked"]


@extend_schema_serializer(component_name="CheckItem")
class ItemSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="household.short_address", read_only=True)
    landlord = serializers.SerializerMethodField()

    class Meta:
        model = CheckItem
        fields = ["id", "household", "address", "landlord", "answers", "note", "checked_at"]

    def get_landlord(self, item: CheckItem) -> str:
        return item.home.landlord.name if item.home else ""


class CheckIn(serializers.Serializer):
    answers = serializers.DictField(child=serializers.ChoiceField(choices=["yes", "no"]))
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(VIEW)]
    serializer_class = RoundSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[CheckRound]:
        return selectors.round_rows(self.request.user)

    @action(detail=True, methods=["get"])
    def items(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        checkround = self.get_object()
        todo = request.query_params.get("todo") == "1"
        page = self.paginate_queryset(selectors.round_items(request.user, checkround, todo))
        return self.get_paginated_response(ItemSerializer(page, many=True).data)


class RoundItemViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A household of a round, for one who answers it."""

    permission_classes = [Requires.any(CHECK)]
    serializer_class = ItemSerializer
    lookup_value_regex = r"[0-9]+"

    def get_object(self) -> CheckItem:
        return selectors.get_round_item(self.request.user, self.kwargs["pk"])

    @action(detail=True, methods=["post"], url_path="check")
    def check_household(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = self.get_object()
        data = CheckIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        answers = {code: d["answers"].get(code, "") for code in CODES}
        try:
            item = services.check_household(
                item, actor=request.user, answers=answers, note=d["note"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ItemSerializer(item).data, status=status.HTTP_200_OK)


class MyCareRecordView(APIView):
    permission_classes = [Requires.any(READ)]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthenticatedAPIRequest) -> Response:
        record = selectors.care_record(request.user)
        if record is None:
            return Response({"resident": None})
        data: dict[str, Any] = {
            "resident": record.resident.name,
            "volunteering": {
                "minutes": record.volunteer_minutes,
                "points": record.volunteer_points,
                "activities": [
                    {
                        "title": s.activity.title,
                        "starts_at": s.activity.starts_at,
                        "status": s.status,
                    }
                    for s in record.signups
                ],
            },
            "giving": {
                "money_fen": record.given_fen,
                "donations": [
                    {
                        "given_on": d.given_on,
                        "kind": d.kind,
                        "to": d.to,
                        "destination": d.destination,
                        "amount_fen": d.amount_fen,
                        "goods": d.goods,
                        "self_reported": d.self_reported,
                    }
                    for d in record.donations
                ],
            },
            "help": {
                "visits": [
                    {"visited_at": v.visited_at, "visitor": v.visitor.name} for v in record.visits
                ],
                "tickets": [
                    {"number": t.number, "category": t.category.name, "resolved_at": t.resolved_at}
                    for t in record.tickets
                ],
            },
        }
        return Response(data)


class MyServiceCircleView(APIView):
    permission_classes = [Requires.any(READ)]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: AuthenticatedAPIRequest) -> Response:
        community, rows = selectors.service_circle(request.user)
        return Response(
            {
                "community": community.name if community else None,
                "results": [
                    {
                        "id": r.point.pk,
                        "name": r.point.name,
                        "kind": r.point.kind,
                        "address": r.point.address,
                        "phone": r.point.phone,
                        "hours": r.point.hours,
                        "lat": r.point.lat,
                        "lng": r.point.lng,
                        "metres": r.metres,
                    }
                    for r in rows
                ],
            }
        )
