"""Organisational life under /api/v1/ (scoped by the object rule of gongzhi/partylife/rules.py):

GET  /api/v1/party-meetings/                  meetings the caller may see (PARTYLIFE_VIEW)
GET  /api/v1/party-meetings/{id}/
POST /api/v1/party-meetings/                  {"org", "kind", "held_on", "title", "agenda",
                                              "location"} (the organisation's secretary)
POST /api/v1/party-meetings/{id}/minutes/     {"minutes"}
POST /api/v1/party-meetings/plan-year/        {"org", "year"}: the rest of the year's meetings
                                              from the profile's frequencies (idempotent)
GET  /api/v1/party-review-results/            the caller's own results (a member), or those
                                              of the branches they manage or oversee
POST /api/v1/party-dues/                      {"member", "month": "YYYY-MM-01", "kind":
                                              "due"|"payment", "amount_fen", "base_fen",
                                              "idempotency_key"}
GET  /api/v1/party-dues/                      dues lines the caller may see
GET  /api/v1/party-transfers/                 transfers at either end the caller may see
POST /api/v1/party-transfers/                 {"kind": "internal", "member", "to_org", "note"}
                                              | {"kind": "out", "member", "outside_org",
                                              "letter_no"} | {"kind": "in", "resident",
                                              "to_org", "outside_org", "letter_no"}
POST /api/v1/party-transfers/{id}/accept/     (the receiving organisation's secretary)
POST /api/v1/party-transfers/{id}/refuse/     {"reason"}: the member stays where they were
POST /api/v1/party-transfers/{id}/withdraw/   (the sending organisation's secretary)
GET  /api/v1/party-pledges/                   own pledges, a branch's (its secretary), those
                                              under one's place (staff)
POST /api/v1/party-pledges/                   {"year", "items": [..]}: the caller's own pledge
POST /api/v1/party-pledges/{id}/review/       {"outcome": kept|partly|not_kept, "comment"}
GET  /api/v1/party-areas/                     responsibility areas (units: building, household,
                                              name), seen like pledges
POST /api/v1/party-areas/                     {"org", "member", "starts_on", "ends_on"?,
                                              "buildings": [ids], "households": [ids], "note"}
POST /api/v1/party-areas/{id}/end/            {"ends_on"?}

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role or the object
rule refuses, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core.gates import Requires
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.party.models import PartyMember, PartyOrg
from gongzhi.party.selectors import residents_for
from gongzhi.partylife import rules, selectors, services
from gongzhi.partylife.models import (
    AreaUnit,
    DuesEntry,
    DuesKind,
    Meeting,
    MeetingKind,
    Pledge,
    PledgeOutcome,
    ResponsibilityArea,
    ReviewResult,
    Transfer,
    TransferKind,
)

MAX_ID = 2**31 - 1


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


@extend_schema_serializer(component_name="PartyMeeting")
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


class PlanYearIn(serializers.Serializer):
    org = _id()
    year = serializers.IntegerField(min_value=2000, max_value=2100)


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

    @action(detail=False, methods=["post"], url_path="plan-year")
    def plan_year(self, request: AuthenticatedAPIRequest) -> Response:
        data = _valid(PlanYearIn, request)
        org = selectors.visible_orgs(request.user).filter(pk=data["org"]).first()
        if org is None:
            return Response({"org": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            made = services.plan_year(org, actor=request.user, year=data["year"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(MeetingSerializer(made, many=True).data, status=status.HTTP_201_CREATED)

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


class TransferSerializer(serializers.ModelSerializer):
    class Meta:
        model = Transfer
        fields = [
            "id",
            "kind",
            "state",
            "member",
            "from_org",
            "to_org",
            "outside_org",
            "letter_no",
            "note",
            "refusal_reason",
            "decided_by",
            "decided_at",
            "created_at",
        ]


class TransferIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TransferKind.choices)
    member = _id(required=False)
    resident = _id(required=False)
    to_org = _id(required=False)
    outside_org = serializers.CharField(max_length=100, required=False, default="")
    letter_no = serializers.CharField(max_length=40, required=False, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        needed = {
            TransferKind.INTERNAL: ("member", "to_org"),
            TransferKind.OUT: ("member", "outside_org", "letter_no"),
            TransferKind.IN: ("resident", "to_org", "outside_org", "letter_no"),
        }[attrs["kind"]]
        missing = {name: [_("This field is required.")] for name in needed if not attrs.get(name)}
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


class RefuseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


def _not_found(field: str) -> Response:
    return Response({field: [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)


class TransferViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(rules.VIEW)]
    serializer_class = TransferSerializer

    def get_queryset(self) -> QuerySet[Transfer]:
        return selectors.visible_transfers(self.request.user)

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        user = request.user
        data = _valid(TransferIn, request)
        try:
            if data["kind"] == TransferKind.IN:
                org = selectors.visible_orgs(user).filter(pk=data["to_org"]).first()
                if org is None:
                    return _not_found("to_org")
                resident = residents_for(user).filter(pk=data["resident"]).first()
                if resident is None:
                    return _not_found("resident")
                made = services.record_transfer_in(
                    resident,
                    org,
                    actor=user,
                    outside_org=data["outside_org"],
                    letter_no=data["letter_no"],
                    note=data["note"],
                )
            else:
                member = (
                    PartyMember.objects.filter(pk=data["member"], is_active=True)
                    .select_related("org")
                    .first()
                )
                if member is None or not rules.may_view(user, member.org):
                    return _not_found("member")
                if data["kind"] == TransferKind.OUT:
                    made = services.record_transfer_out(
                        member,
                        actor=user,
                        outside_org=data["outside_org"],
                        letter_no=data["letter_no"],
                        note=data["note"],
                    )
                else:
                    # Any organisation on the platform may receive the member.
                    target = PartyOrg.objects.filter(pk=data["to_org"]).first()
                    if target is None:
                        return _not_found("to_org")
                    made = services.request_transfer(member, target, actor=user, note=data["note"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TransferSerializer(made).data, status=status.HTTP_201_CREATED)

    def _step(self, call: Any) -> Response:
        item = self.get_object()
        try:
            done = call(item)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TransferSerializer(done).data)

    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(lambda t: services.accept_transfer(t, actor=request.user))

    @action(detail=True, methods=["post"])
    def refuse(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        data = _valid(RefuseIn, request)
        return self._step(
            lambda t: services.refuse_transfer(t, actor=request.user, reason=data["reason"])
        )

    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(lambda t: services.withdraw_transfer(t, actor=request.user))


# --------------------------------------------------------------------------- pledges and areas


class PledgeSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.resident.name", read_only=True)

    class Meta:
        model = Pledge
        fields = [
            "id",
            "member",
            "member_name",
            "org",
            "year",
            "items",
            "outcome",
            "comment",
            "reviewed_by",
            "reviewed_at",
        ]


class PledgeIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    items = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        min_length=1,
        max_length=services.MAX_PLEDGE_ITEMS,
    )


class PledgeReviewIn(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=PledgeOutcome.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PledgeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """GET: own pledges (a member), a branch's (its secretary), those under one's place
    (staff). POST {year, items}: the caller's own pledge (made, or changed before the
    review). POST {id}/review/ {outcome, comment}: the branch's review."""

    permission_classes = [Requires.any(rules.VIEW)]
    serializer_class = PledgeSerializer

    def get_queryset(self) -> QuerySet[Pledge]:
        return selectors.visible_pledges(self.request.user)

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        data = _valid(PledgeIn, request)
        try:
            made = services.make_pledge(actor=request.user, year=data["year"], items=data["items"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(PledgeSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def review(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = self.get_object()
        data = _valid(PledgeReviewIn, request)
        try:
            done = services.review_pledge(
                item, actor=request.user, outcome=data["outcome"], comment=data["comment"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(PledgeSerializer(done).data)


class AreaUnitSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = AreaUnit
        fields = ["building", "household", "name"]

    def get_name(self, unit: AreaUnit) -> str:
        return (
            unit.household.short_address if unit.household else getattr(unit.building, "name", "")
        )


class AreaSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.resident.name", read_only=True)
    units = AreaUnitSerializer(many=True, read_only=True)

    class Meta:
        model = ResponsibilityArea
        fields = ["id", "org", "member", "member_name", "starts_on", "ends_on", "note", "units"]


class AreaIn(serializers.Serializer):
    org = _id()
    member = _id()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    buildings = serializers.ListField(child=_id(), required=False, default=list, max_length=200)
    households = serializers.ListField(child=_id(), required=False, default=list, max_length=200)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AreaEndIn(serializers.Serializer):
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)


class AreaViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """GET: responsibility areas (own, a branch's for its secretary, under one's place for
    staff). POST {org, member, starts_on, ends_on?, buildings, households, note}: the branch
    assigns an area. POST {id}/end/ {ends_on?}."""

    permission_classes = [Requires.any(rules.VIEW)]
    serializer_class = AreaSerializer

    def get_queryset(self) -> QuerySet[ResponsibilityArea]:
        return selectors.visible_areas(self.request.user)

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        data = _valid(AreaIn, request)
        org = selectors.visible_orgs(request.user).filter(pk=data["org"]).first()
        if org is None:
            return _not_found("org")
        member = selectors.members_of(org).filter(pk=data["member"]).first()
        if member is None and not rules.may_manage(request.user, org):
            rules.require_manage(request.user, org)
        if member is None:
            return _not_found("member")
        try:
            made = services.assign_area(
                org,
                member,
                actor=request.user,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                buildings=data["buildings"],
                households=data["households"],
                note=data["note"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(AreaSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = self.get_object()
        data = _valid(AreaEndIn, request)
        try:
            done = services.end_area(item, actor=request.user, ends_on=data["ends_on"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(AreaSerializer(done).data)
