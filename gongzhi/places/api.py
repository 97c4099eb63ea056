"""Places and households under /api/v1/, scoped exactly like the pages."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.places import selectors, services
from gongzhi.places.models import Household, Place, PlaceKind, Room, RoomFunction


class PlaceSerializer(serializers.ModelSerializer):
    # drf-stubs know `parent` only as the serializer's parent, not as a field name.
    parent = serializers.PrimaryKeyRelatedField(read_only=True)  # type: ignore[assignment,var-annotated]
    household_count = serializers.IntegerField(read_only=True, required=False)

    class Meta:
        model = Place
        fields = [
            "id",
            "kind",
            "name",
            "code",
            "official_code",
            "parent",
            "path",
            "depth",
            "address",
            "centre_lat",
            "centre_lng",
            "boundary",
            "policy_profile",
            "service_area_m2",
            "is_new_community",
            "area_class",
            "household_count",
        ]
        read_only_fields = ["id", "kind", "code", "parent", "path", "depth"]


class RoomSerializer(serializers.ModelSerializer):
    function_label = serializers.CharField(source="get_function_display", read_only=True)

    class Meta:
        model = Room
        fields = ["id", "function", "function_label", "name", "area_m2"]
        read_only_fields = ["id"]


class RoomInputSerializer(serializers.Serializer):
    function = serializers.ChoiceField(choices=RoomFunction.choices)
    name = serializers.CharField(max_length=100)
    area_m2 = serializers.DecimalField(max_digits=8, decimal_places=1, min_value=Decimal("0.1"))


class PostTermsSerializer(serializers.Serializer):
    full_time = serializers.BooleanField()


class PlaceFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id")
    kind = django_filters.ChoiceFilter(choices=Place._meta.get_field("kind").choices)
    under = django_filters.NumberFilter(method="filter_under", label="subtree of place id")

    class Meta:
        model = Place
        fields = ["kind", "parent", "under"]

    def filter_under(self, queryset: QuerySet[Place], name: str, value: int) -> QuerySet[Place]:
        root = Place.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(path__under=root) if root else queryset.none()


class PlaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PlaceSerializer
    filterset_class = PlaceFilter
    request: AuthenticatedAPIRequest  # IsAuthenticated (the API's default)

    def get_queryset(self) -> QuerySet[Place]:
        return selectors.with_household_counts(
            selectors.visible_places(self.request.user).order_by("path")
        )

    def perform_update(self, serializer: serializers.BaseSerializer[Place]) -> None:
        fields = {
            k: v for k, v in serializer.validated_data.items() if k in services.EDITABLE_FIELDS
        }
        assert serializer.instance is not None  # an update has its instance
        serializer.instance = services.update_place(
            actor=self.request.user, place=serializer.instance, **fields
        )

    @action(detail=True)
    def counts(self, request: Request, pk: str | None = None) -> Response:
        place = self.get_object()
        return Response(selectors.subtree_counts(place))

    def _community(self) -> Place:
        place = self.get_object()
        if place.kind != PlaceKind.COMMUNITY:
            raise Http404
        return place

    @action(detail=True, methods=["get", "post"])
    def rooms(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        """The rooms of a community's premises (GET, paginated); POST records one."""
        place = self._community()
        if request.method == "POST":
            body = RoomInputSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            room = services.create_room(actor=request.user, place=place, **body.validated_data)
            return Response(RoomSerializer(room).data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.rooms_of(place))
        return self.get_paginated_response(RoomSerializer(page, many=True).data)

    @action(
        detail=True,
        methods=["put", "patch", "delete"],
        url_path=r"rooms/(?P<room_pk>\d+)",
        url_name="room",
    )
    def room(
        self, request: AuthenticatedAPIRequest, pk: str | None = None, room_pk: str | None = None
    ) -> Response:
        """Change (PUT/PATCH) or delete a room of the community."""
        place = self._community()
        room = get_object_or_404(Room.objects.filter(place=place), pk=room_pk)
        if request.method == "DELETE":
            services.delete_room(actor=request.user, room=room)
            return Response(status=status.HTTP_204_NO_CONTENT)
        # PUT sends every field, PATCH only those it changes. The serializer reads the body
        # itself: a body that is not an object is a 400, and a form's fields stay single values.
        body = RoomInputSerializer(data=request.data, partial=request.method == "PATCH")
        body.is_valid(raise_exception=True)
        given = body.validated_data
        room = services.update_room(
            actor=request.user,
            room=room,
            function=given.get("function", room.function),
            name=given.get("name", room.name),
            area_m2=given.get("area_m2", room.area_m2),
        )
        return Response(RoomSerializer(room).data)

    @action(
        detail=True,
        methods=["post"],
        url_path=r"staff/(?P<post_pk>\d+)/terms",
        url_name="post-terms",
    )
    def post_terms(
        self, request: AuthenticatedAPIRequest, pk: str | None = None, post_pk: str | None = None
    ) -> Response:
        """Mark a staff post of the community full-time (`{"full_time": true}`) or part-time."""
        place = self._community()
        post = get_object_or_404(selectors.staff_posts(place), pk=post_pk)
        body = PostTermsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        terms = services.set_post_full_time(
            actor=request.user, post=post, full_time=body.validated_data["full_time"]
        )
        return Response({"post": post.pk, "full_time": terms.full_time})


class HouseholdSerializer(serializers.ModelSerializer):
    address = serializers.CharField(source="short_address", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "building", "unit_no", "room_no", "exclusive_area_m2", "address"]


class HouseholdFilter(django_filters.FilterSet):
    building = django_filters.NumberFilter(field_name="building_id")

    class Meta:
        model = Household
        fields = ["building"]


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilter

    def get_queryset(self) -> QuerySet[Household]:
        return selectors.visible_households(self.request.user).order_by("id")
