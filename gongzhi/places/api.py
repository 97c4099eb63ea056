"""Places and households under /api/v1/, scoped exactly like the pages."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.places import selectors, services
from gongzhi.places.models import Household, Place


class PlaceSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)
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
            "household_count",
        ]
        read_only_fields = ["id", "kind", "code", "parent", "path", "depth"]


class PlaceFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id")
    kind = django_filters.ChoiceFilter(choices=Place._meta.get_field("kind").choices)
    under = django_filters.NumberFilter(method="filter_under", label="subtree of place id")

    class Meta:
        model = Place
        fields = ["kind", "parent", "under"]

    def filter_under(self, queryset, name, value):
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

    def get_queryset(self):
        return selectors.with_household_counts(
            selectors.visible_places(self.request.user).order_by("path")
        )

    def perform_update(self, serializer):
        fields = {
            k: v for k, v in serializer.validated_data.items() if k in services.EDITABLE_FIELDS
        }
        serializer.instance = services.update_place(
            self.request.user, serializer.instance, **fields
        )

    @action(detail=True)
    def counts(self, request, pk=None):
        place = self.get_object()
        return Response(selectors.subtree_counts(place))


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

    def get_queryset(self):
        return selectors.visible_households(self.request.user).order_by("id")
