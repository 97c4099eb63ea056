"""Start-up funds of owners' committees' party organisations under /api/v1/ (row 000-17,
seed 000 §五; the same services, scope and audit as the pages):

GET  /api/v1/startup-grants/                 grants in the caller's area (ESTATE_VIEW)
GET  /api/v1/startup-grants/{id}/
POST /api/v1/startup-grants/                 {"committee": id}: request (ESTATE_MANAGE)
POST /api/v1/startup-grants/{id}/approve/    the street (ESTATE_FILE)
POST /api/v1/startup-grants/{id}/refuse/     {"reason": "…"} (ESTATE_FILE)
POST /api/v1/startup-grants/{id}/pay/        {"paid_on": "YYYY-MM-DD", "payment_ref": "…"}
POST /api/v1/owners-committees/{id}/secretary/  {"full_time": true} (ESTATE_MANAGE, in api.py)

Errors: 400 bad input or refused (`detail`), 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core import gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.estates import grants, selectors
from gongzhi.estates.api import _bad, _id, _valid
from gongzhi.estates.models import StartupGrant


class GrantSerializer(serializers.ModelSerializer):
    committee_name = serializers.CharField(source="committee.name", read_only=True)
    party_org_name = serializers.CharField(source="party_org.name", read_only=True)
    amount_yuan = serializers.CharField(read_only=True)

    class Meta:
        model = StartupGrant
        fields = [
            "id",
            "committee",
            "committee_name",
            "party_org",
            "party_org_name",
            "amount_fen",
            "amount_yuan",
            "basis",
            "status",
            "requested_at",
            "decided_at",
            "refusal_reason",
            "paid_on",
            "payment_ref",
        ]


class GrantIn(serializers.Serializer):
    committee = _id()


class RefuseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PayIn(serializers.Serializer):
    paid_on = serializers.DateField(required=False, allow_null=True, default=None)
    payment_ref = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class GrantViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.ESTATE_VIEW)]
    serializer_class = GrantSerializer

    def get_queryset(self) -> QuerySet[StartupGrant]:
        return selectors.visible_grants(self.request.user).order_by("id")

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.ESTATE_MANAGE)
        data = _valid(GrantIn, request)
        committee = selectors.committee_rows(request.user).filter(pk=data["committee"]).first()
        if committee is None:
            return Response({"committee": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = grants.request_grant(committee, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(GrantSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_FILE)
        grant = self.get_object()
        try:
            done = grants.approve_grant(grant, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(GrantSerializer(done).data)

    @action(detail=True, methods=["post"])
    def refuse(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_FILE)
        grant = self.get_object()
        data = _valid(RefuseIn, request)
        try:
            done = grants.refuse_grant(grant, actor=request.user, reason=data["reason"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(GrantSerializer(done).data)

    @action(detail=True, methods=["post"])
    def pay(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.ESTATE_FILE)
        grant = self.get_object()
        data = _valid(PayIn, request)
        try:
            done = grants.pay_grant(
                grant, actor=request.user, paid_on=data["paid_on"], payment_ref=data["payment_ref"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(GrantSerializer(done).data)
