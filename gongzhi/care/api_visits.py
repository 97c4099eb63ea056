"""Care visits under /api/v1/ (issue 24 item 1):

GET  /api/v1/care-visit-plans/               visit plans of the caller's area, the overdue first
                                             (care.visit_plan)
POST /api/v1/care-visit-plans/               {"resident", "tag", "visitor"} (care.visit_plan)
GET  /api/v1/care-visit-plans/{id}/visits/   the plan's visits with their notes: the visitor, or
                                             care.visit_notes over the home; else 404
GET  /api/v1/my-visits/                      the caller's to-do (我的走访), no notes
POST /api/v1/my-visits/{id}/record/          {"found", "need", "lat", "lng"} (the assigned
                                             visitor only)

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.care import selectors, services
from gongzhi.care.api import MAX_ID, _bad
from gongzhi.care.models import Visit, VisitPlan
from gongzhi.core import access, clock
from gongzhi.core.gates import Requires
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.people.models import Resident, Tag

PLAN = Action.CARE_VISIT_PLAN
RECORD = Action.CARE_VISIT_RECORD
NOTES = Action.CARE_VISIT_NOTES


class PlanSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="resident.name", read_only=True)
    visitor_name = serializers.CharField(source="visitor.name", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = VisitPlan
        fields = [
            "id",
            "resident",
            "name",
            "tag",
            "visitor",
            "visitor_name",
            "every_days",
            "next_due_on",
            "last_visited_at",
            "overdue",
        ]

    def get_overdue(self, plan: VisitPlan) -> bool:
        return plan.is_overdue(clock.today())


class VisitSerializer(serializers.ModelSerializer):
    visitor_name = serializers.CharField(source="visitor.name", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "visited_at",
            "visitor",
            "visitor_name",
            "found",
            "need",
            "lat",
            "lng",
            "distance_m",
            "far_from_building",
        ]


class PlanIn(serializers.Serializer):
    resident = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    tag = serializers.ChoiceField(choices=Tag.choices)
    visitor = serializers.IntegerField(min_value=1, max_value=MAX_ID)


class VisitIn(serializers.Serializer):
    found = serializers.CharField(max_length=1000)
    need = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, default=None
    )
    lng = serializers.DecimalField(
        max_digits=10, decimal_places=6, required=False, allow_null=True, default=None
    )


class VisitPlanViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = PlanSerializer
    lookup_value_regex = r"[0-9]+"

    def get_permissions(self) -> list[Any]:
        if self.action == "visits":
            return [Requires.any(NOTES, RECORD)()]
        return [Requires.any(PLAN)()]

    def get_queryset(self) -> QuerySet[VisitPlan]:
        return selectors.visit_plans(self.request.user)

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        data = PlanIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        resident = access.scoped(
            Resident.objects.filter(pk=d["resident"]), request.user, PLAN, "place_path"
        ).first()
        visitor = User.objects.filter(pk=d["visitor"], is_active=True).first()
        if resident is None:
            raise Http404
        if visitor is None:
            return Response({"visitor": [_("No such user.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            plan = services.plan_visits(resident, d["tag"], visitor=visitor, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def visits(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        user = request.user
        plan = (
            VisitPlan.objects.filter(
                Q(visitor_id=user.pk) | access.scope_q(user, NOTES, "place_path")
            )
            .filter(pk=int(pk or 0))
            .first()
        )
        if plan is None or not selectors.can_read_notes(user, plan):
            raise Http404
        page = self.paginate_queryset(selectors.visits_of(user, plan))
        return self.get_paginated_response(VisitSerializer(page, many=True).data)


class MyVisitViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's to-do; `{id}` is the plan's id."""

    permission_classes = [Requires.any(RECORD)]
    serializer_class = PlanSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[VisitPlan]:
        return selectors.my_visit_plans(self.request.user)

    @action(detail=True, methods=["post"])
    def record(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        plan = self.get_object()
        data = VisitIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        try:
            services.record_visit(
                plan,
                actor=request.user,
                found=d["found"],
                need=d["need"],
                lat=d["lat"],
                lng=d["lng"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        plan.refresh_from_db()
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)
