"""Household notices under /api/v1/:

GET  /api/v1/care-notices/                 notices in the caller's area, with the households and
                                           receipts inside it (care.notice_view)
GET  /api/v1/care-notices/{id}/            one notice with its figures
POST /api/v1/care-notices/                 {"place", "kind", "title", "body", "urgent",
                                           "care_tag"} (care.notice_send)
GET  /api/v1/care-notices/{id}/unread/     the door-knock list: unread households of the
                                           caller's area (paginated)
POST /api/v1/care-notices/{id}/sms/        text the unread households now, once it is due
GET  /api/v1/my-notices/                   the notices of the caller's household
POST /api/v1/my-notices/{notice id}/read/  confirm reading (once per household)

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.care import selectors, services
from gongzhi.care.models import Delivery, Notice, NoticeKind, RentedHome, Tenancy
from gongzhi.core import access, clock, gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.people.models import Tag
from gongzhi.places.models import Household

MAX_ID = 2**31 - 1


@extend_schema_serializer(component_name="HouseholdNotice")
class NoticeSerializer(serializers.ModelSerializer):
    households = serializers.IntegerField(source="in_scope", read_only=True)
    read = serializers.IntegerField(read_only=True)
    unread = serializers.IntegerField(read_only=True)

    class Meta:
        model = Notice
        fields = [
            "id",
            "place",
            "kind",
            "title",
            "body",
            "care_tag",
            "urgent",
            "sent_at",
            "sms_due_at",
            "sms_done_at",
            "sms_sent",
            "sms_skipped",
            "households",
            "read",
            "unread",
        ]


class NoticeIn(serializers.Serializer):
    place = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=NoticeKind.choices)
    title = serializers.CharField(max_length=100)
    body = serializers.CharField(max_length=1000)
    urgent = serializers.BooleanField(required=False, default=False)
    care_tag = serializers.ChoiceField(
        choices=Tag.choices, required=False, allow_blank=True, default=""
    )


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


def _household(delivery: Delivery, people: dict[int, list[Any]]) -> dict[str, Any]:
    household = delivery.household
    return {
        "household": household.pk,
        "building": household.building.name,
        "unit_no": household.unit_no,
        "room_no": household.room_no,
        "texted_at": delivery.sms_at,
        "residents": [
            {"name": r.name, "phone": r.phone_masked} for r in people.get(household.pk, [])
        ],
    }


class NoticeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.CARE_NOTICE_VIEW)]
    serializer_class = NoticeSerializer

    def get_queryset(self) -> QuerySet[Notice]:
        return selectors.notice_rows(self.request.user)

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.CARE_NOTICE_SEND)
        data = NoticeIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        place = selectors.places_to_send(request.user).filter(pk=d["place"]).first()
        if place is None:
            return Response({"place": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        try:
            notice = services.send_notice(
                place,
                actor=request.user,
                kind=d["kind"],
                title=d["title"],
                body=d["body"],
                urgent=d["urgent"],
                care_tag=d["care_tag"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        row = selectors.notice_rows(request.user).get(pk=notice.pk)
        return Response(NoticeSerializer(row).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"])
    def unread(self, request: Request, pk: str | None = None) -> Response:
        notice = self.get_object()
        page = self.paginate_queryset(selectors.unread(request.user, notice))
        rows = list(page or [])
        people = selectors.residents_by_household(request.user, [d.household_id for d in rows])
        return self.get_paginated_response([_household(d, people) for d in rows])

    @action(detail=True, methods=["post"])
    def sms(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.CARE_NOTICE_SEND)
        notice = self.get_object()
        try:
            sent = services.text_unread(notice, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response({"texted": sent})


class DeliverySerializer(serializers.ModelSerializer):
    notice = serializers.IntegerField(source="notice_id", read_only=True)
    title = serializers.CharField(source="notice.title", read_only=True)
    body = serializers.CharField(source="notice.body", read_only=True)
    kind = serializers.CharField(source="notice.kind", read_only=True)
    urgent = serializers.BooleanField(source="notice.urgent", read_only=True)
    sent_at = serializers.DateTimeField(source="notice.sent_at", read_only=True)

    class Meta:
        model = Delivery
        fields = ["notice", "title", "body", "kind", "urgent", "sent_at", "read_at"]


class MyNoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's household's notices; `{id}` is the notice's id."""

    permission_classes = [Requires.any(Action.CARE_NOTICE_READ)]
    serializer_class = DeliverySerializer
    lookup_field = "notice_id"
    lookup_url_kwarg = "pk"

    def get_queryset(self) -> QuerySet[Delivery]:
        return selectors.my_deliveries(self.request.user)

    @action(detail=True, methods=["post"])
    def read(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        delivery = self.get_object()
        try:
            recorded = services.read_notice(delivery.notice, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        delivery.refresh_from_db()
        return Response({**DeliverySerializer(delivery).data, "recorded": recorded})


# --------------------------------------------------------------------------- rented homes
# GET  /api/v1/rented-homes/                 rented homes of the caller's area (care.rental_view)
# GET  /api/v1/rented-homes/{id}/            with its tenancies (current or not)
# POST /api/v1/rented-homes/                 {"household", "landlord_id_number"} (care.rental_manage)
# POST /api/v1/rented-homes/{id}/tenants/    {"name", "id_number", "phone", "starts_on", "ends_on"}
# POST /api/v1/tenancies/{id}/end/           {"ended_on"} (default today)
# POST /api/v1/tenancies/{id}/extend/        {"ends_on"}


def _tenancy(t: Tenancy, today: Any) -> dict[str, Any]:
    return {
        "id": t.pk,
        "tenant": t.tenant_id,
        "name": t.tenant.name,
        "id_masked": t.tenant.id_masked,
        "phone_masked": t.tenant.phone_masked,
        "starts_on": t.starts_on,
        "ends_on": t.ends_on,
        "ended_on": t.ended_on,
        "current": t.is_current(today),
    }


class RentedHomeSerializer(serializers.ModelSerializer):
    landlord_name = serializers.CharField(source="landlord.name", read_only=True)
    current_tenants = serializers.IntegerField(source="tenants", read_only=True)

    class Meta:
        model = RentedHome
        fields = ["id", "household", "landlord", "landlord_name", "current_tenants"]


class RentedIn(serializers.Serializer):
    household = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    landlord_id_number = serializers.CharField(max_length=24)


class TenantIn(serializers.Serializer):
    name = serializers.CharField(max_length=64)
    id_number = serializers.CharField(max_length=24)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()


class EndIn(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)


class ExtendIn(serializers.Serializer):
    ends_on = serializers.DateField()


class RentedHomeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.CARE_RENTAL_VIEW)]
    serializer_class = RentedHomeSerializer

    def get_queryset(self) -> QuerySet[RentedHome]:
        return selectors.rented_homes(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        home = self.get_object()
        today = clock.today()
        return Response(
            {
                **RentedHomeSerializer(home).data,
                "tenancies": [_tenancy(t, today) for t in selectors.tenancies_of(home)],
            }
        )

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.CARE_RENTAL_MANAGE)
        data = RentedIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        household = (
            access.scoped(
                Household.objects.all(), request.user, Action.CARE_RENTAL_VIEW, "place_path"
            )
            .filter(pk=d["household"])
            .first()
        )
        if household is None:
            return Response({"household": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        landlord = selectors.landlord_by_id(request.user, d["landlord_id_number"])
        if landlord is None:
            return Response(
                {"landlord_id_number": [_("No living resident you may see has this ID number.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            home = services.mark_rented(household, actor=request.user, landlord=landlord)
        except DjangoValidationError as error:
            return _bad(error)
        row = selectors.rented_homes(request.user).get(pk=home.pk)
        return Response(RentedHomeSerializer(row).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def tenants(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.CARE_RENTAL_MANAGE)
        home = self.get_object()
        data = TenantIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            tenancy = services.register_tenant(home, actor=request.user, **data.validated_data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(_tenancy(tenancy, clock.today()), status=status.HTTP_201_CREATED)


class TenancyViewSet(viewsets.GenericViewSet):
    permission_classes = [Requires.any(Action.CARE_RENTAL_MANAGE)]

    def _get(self, request: Request, pk: str | None) -> Tenancy:
        if not str(pk or "").isdigit() or int(str(pk)) > MAX_ID:
            raise Http404
        return selectors.get_tenancy(request.user, pk)

    @extend_schema(request=EndIn, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def end(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        tenancy = self._get(request, pk)
        data = EndIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            ended = services.end_tenancy(
                tenancy, actor=request.user, on=data.validated_data["ended_on"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(_tenancy(ended, clock.today()))

    @extend_schema(request=ExtendIn, responses=OpenApiTypes.OBJECT)
    @action(detail=True, methods=["post"])
    def extend(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        tenancy = self._get(request, pk)
        data = ExtendIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            longer = services.extend_lease(
                tenancy, actor=request.user, ends_on=data.validated_data["ends_on"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(_tenancy(longer, clock.today()))
