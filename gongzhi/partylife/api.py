"""Organisational life under /api/v1/ (scoped by the object rule of gongzhi/partylife/rules.py):

GET  /api/v1/party-meetings/                  meetings the caller may see (PARTYLIFE_VIEW)
GET  /api/v1/party-meetings/{id}/
POST /api/v1/party-meetings/                  {"org", "kind", "held_on", "title", "agenda",
                                              "location"} (the organisation's secretary)
POST /api/v1/party-meetings/{id}/minutes/     {"minutes"}
GET  /api/v1/party-review-results/            the caller's own results (a member), or those
                                              of the branches they manage or oversee
POST /api/v1/party-dues/                      {"member", "month": "YYYY-MM-01", "kind":
                                              "due"|"payment", "amount_fen", "base_fen",
                                              "idempotency_key"}
GET  /api/v1/party-dues/                      dues lines the caller may see

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role or the object
rule refuses, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core.gates import Requires
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.party.models import PartyMember
from gongzhi.partylife import rules, selectors, services
from gongzhi.partylife.models import DuesEntry, DuesKind, Meeting, MeetingKind, ReviewResult

MAX_ID = 2**31 - 1


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class MeetingSerializer(serializers.ModelSerializer):
    held = serializers.BooleanField(read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "org", "kind", "title", "held_on", "location", "agenda", "minutes", "held"]


class MeetingIn(serializers.Serializer):
    org = _id()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    agenda = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    location = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MinutesIn(serializers.Serializer):
    minutes = serializers.CharField(max_length=5000)


class MeetingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(rules.VIEW)]
    serializer_class = MeetingSerializer

    def get_queryset(self) -> QuerySet[Meeting]:
        return selectors.visible_meetings(self.request.user).order_by("-held_on", "-id")

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        data = _valid(MeetingIn, request)
        org = selectors.visible_orgs(request.user).filter(pk=data["org"]).first()
        if org is None:
            return Response({"org": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = services.plan_meeting(
                org,
                actor=request.user,
                kind=data["kind"],
                held_on=data["held_on"],
                title=data["title"],
                agenda=data["agenda"],
                location=data["location"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(MeetingSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def minutes(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = self.get_object()
        data = _valid(MinutesIn, request)
        try:
            done = services.record_minutes(item, actor=request.user, minutes=data["minutes"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(MeetingSerializer(done).data)


class ResultSerializer(serializers.ModelSerializer):
    year = serializers.IntegerField(source="round.year", read_only=True)
    org = serializers.IntegerField(source="round.org_id", read_only=True)

    class Meta:
        model = ReviewResult
        fields = [
            "id",
            "year",
            "org",
            "member",
            "self_score",
            "peer_score",
            "branch_score",
            "total",
            "grade",
            "decided_by",
            "decided_at",
        ]


class ReviewResultViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(rules.VIEW)]
    serializer_class = ResultSerializer

    def get_queryset(self) -> QuerySet[ReviewResult]:
        user = self.request.user
        me = rules.member(user)
        managed = (
            [o.pk for o in selectors.visible_orgs(user) if rules.may_manage(user, o)]
            if me is not None
            else []
        )
        return (
            ReviewResult.objects.filter(
                rules.staff_q(user, rules.VIEW)
                | Q(member_id=me.pk if me is not None else 0)
                | Q(round__org_id__in=managed)
            )
            .select_related("round")
            .order_by("-round__year", "id")
        )


class DuesSerializer(serializers.ModelSerializer):
    class Meta:
        model = DuesEntry
        fields = ["id", "member", "org", "month", "kind", "amount_fen", "base_fen", "created_at"]


class DuesIn(serializers.Serializer):
    member = _id()
    month = serializers.DateField()
    kind = serializers.ChoiceField(choices=DuesKind.choices)
    amount_fen = serializers.IntegerField(min_value=1, max_value=services.MAX_DUES_FEN)
    base_fen = serializers.IntegerField(
        min_value=1, max_value=services.MAX_DUES_FEN, required=False, allow_null=True, default=None
    )
    idempotency_key = serializers.CharField(max_length=64, required=False, default="")


class DuesViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [Requires.any(rules.VIEW)]
    serializer_class = DuesSerializer

    def get_queryset(self) -> QuerySet[DuesEntry]:
        user = self.request.user
        me = rules.member(user)
        return DuesEntry.objects.filter(
            rules.staff_q(user, rules.VIEW) | Q(member_id=me.pk if me is not None else 0)
        ).order_by("-month", "member_id", "kind")

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        data = _valid(DuesIn, request)
        member = (
            PartyMember.objects.filter(pk=data["member"], is_active=True)
            .select_related("org")
            .first()
        )
        if member is None or not rules.may_view(request.user, member.org):
            return Response({"member": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            if data["kind"] == DuesKind.PAYMENT:
                entry = services.record_payment(
                    member,
                    actor=request.user,
                    month=data["month"],
                    amount_fen=data["amount_fen"],
                    idempotency_key=data["idempotency_key"],
                )
            else:
                entry = services.record_due(
                    member,
                    actor=request.user,
                    month=data["month"],
                    amount_fen=data["amount_fen"],
                    base_fen=data["base_fen"],
                    idempotency_key=data["idempotency_key"],
                )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(DuesSerializer(entry).data, status=status.HTTP_201_CREATED)
