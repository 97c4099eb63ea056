"""Party organisations, members and check-ins under /api/v1/, scoped exactly like the pages.

Reads go through gongzhi.party.selectors (outside the `party.view` scope: 404, lists hold only
the scope); writes through gongzhi.party.services (without `party.edit`: 403). Ids sent in a
request body are resolved in the caller's scope, so an id outside it answers 404.
Phone numbers appear only masked.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.shortcuts import get_object_or_404
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core.roles import Action
from gongzhi.party import selectors, services
from gongzhi.party.models import Checkin, MemberStatus, OrgKind, PartyMember, PartyOrg
from gongzhi.places import selectors as places

# --- Organisations ------------------------------------------------------------------


class PartyOrgSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    secretary_name = serializers.CharField(
        source="secretary.resident.name", read_only=True, default=None
    )
    member_count = serializers.IntegerField(read_only=True)
    in_service_count = serializers.IntegerField(read_only=True)
    child_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = PartyOrg
        fields = [
            "id",
            "kind",
            "kind_label",
            "name",
            "parent",
            "place",
            "place_name",
            "household",
            "secretary",
            "secretary_name",
            "member_count",
            "in_service_count",
            "child_count",
        ]
        read_only_fields = fields


class PartyOrgCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=OrgKind.choices)
    name = serializers.CharField(max_length=100)
    parent = serializers.IntegerField(required=False, allow_null=True)
    place = serializers.IntegerField(required=False, allow_null=True)
    household = serializers.IntegerField(required=False, allow_null=True)


class PartyOrgUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    secretary = serializers.IntegerField(required=False, allow_null=True)


class PartyOrgFilter(django_filters.FilterSet):
    parent = django_filters.NumberFilter(field_name="parent_id")
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices)
    under = django_filters.NumberFilter(method="filter_under", label="bound under place id")

    class Meta:
        model = PartyOrg
        fields = ["kind", "parent", "under"]

    def filter_under(self, queryset, name, value):
        return selectors.under_place(queryset, value)


class PartyOrgViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PartyOrgSerializer
    filterset_class = PartyOrgFilter

    def get_queryset(self):
        return selectors.with_counts(selectors.visible_orgs(self.request.user)).order_by(
            "place_path", "kind", "name", "id"
        )

    def get_serializer_class(self):
        if self.action == "create":
            return PartyOrgCreateSerializer
        if self.action in ("update", "partial_update"):
            return PartyOrgUpdateSerializer
        return PartyOrgSerializer

    def _read(self, pk: int) -> Response:
        org = selectors.get_org(self.request.user, pk)
        return PartyOrgSerializer(org, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        data = PartyOrgCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        user = request.user
        parent = selectors.get_org(user, body["parent"]) if body.get("parent") else None
        place = (
            places.get_place(user, body["place"], Action.PARTY_VIEW) if body.get("place") else None
        )
        household = places.get_household(user, body["household"]) if body.get("household") else None
        org = services.create_org(
            actor=user,
            kind=body["kind"],
            name=body["name"],
            parent=parent,
            place=place,
            household=household,
        )
        return Response(self._read(org.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        org = self.get_object()
        data = PartyOrgUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        changes: dict[str, Any] = {}
        if "name" in body:
            changes["name"] = body["name"]
        if "secretary" in body:
            changes["secretary"] = (
                selectors.get_member(request.user, body["secretary"]) if body["secretary"] else None
            )
        # One service, one transaction: a refused secretary leaves the name unchanged too.
        org = services.change_org(org, actor=request.user, **changes)
        return Response(self._read(org.pk))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.delete_org(instance, actor=self.request.user)


# --- Members ------------------------------------------------------------------------


class PartyMemberSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    phone = serializers.CharField(source="resident.phone_masked", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = PartyMember
        fields = [
            "id",
            "resident",
            "resident_name",
            "phone",
            "org",
            "org_name",
            "status",
            "joined_on",
            "in_service",
            "workplace",
            "workplace_org",
            "is_active",
        ]
        read_only_fields = fields


class _MemberFields(serializers.Serializer):
    status = serializers.ChoiceField(choices=MemberStatus.choices, required=False)
    joined_on = serializers.DateField(required=False, allow_null=True)
    in_service = serializers.BooleanField(required=False)
    workplace = serializers.CharField(max_length=100, required=False, allow_blank=True)
    workplace_org = serializers.CharField(max_length=100, required=False, allow_blank=True)


class PartyMemberCreateSerializer(_MemberFields):
    resident = serializers.IntegerField()
    org = serializers.IntegerField()


class PartyMemberUpdateSerializer(_MemberFields):
    org = serializers.IntegerField(required=False)


class EndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True)


class PartyMemberFilter(django_filters.FilterSet):
    org = django_filters.NumberFilter(field_name="org_id")
    in_service = django_filters.BooleanFilter()
    is_active = django_filters.BooleanFilter()
    under = django_filters.NumberFilter(method="filter_under", label="organised under place id")

    class Meta:
        model = PartyMember
        fields = ["org", "in_service", "is_active", "under"]

    def filter_under(self, queryset, name, value):
        return selectors.under_place(queryset, value)


class PartyMemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PartyMemberSerializer
    filterset_class = PartyMemberFilter

    def get_queryset(self):
        return selectors.visible_members(self.request.user).order_by("place_path", "id")

    def get_serializer_class(self):
        if self.action == "create":
            return PartyMemberCreateSerializer
        if self.action in ("update", "partial_update"):
            return PartyMemberUpdateSerializer
        if self.action == "end":
            return EndSerializer
        return PartyMemberSerializer

    def _read(self, pk: int):
        member = selectors.get_member(self.request.user, pk)
        return PartyMemberSerializer(member, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        data = PartyMemberCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = dict(data.validated_data)
        org = selectors.get_org(request.user, body.pop("org"))
        resident = get_object_or_404(selectors.residents_for(request.user), pk=body.pop("resident"))
        member = services.add_member(actor=request.user, org=org, resident=resident, **body)
        return Response(self._read(member.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        member = self.get_object()
        data = PartyMemberUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        body = dict(data.validated_data)
        org_id = body.pop("org", None)
        org = (
            selectors.get_org(request.user, org_id)
            if org_id is not None and org_id != member.org_id
            else None
        )
        # One service, one transaction: a refused move leaves the fields unchanged too.
        member = services.change_member(member, actor=request.user, org=org, **body)
        return Response(self._read(member.pk))

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        member = self.get_object()
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.end_membership(
            member, actor=request.user, reason=data.validated_data.get("reason", "")
        )
        return Response(self._read(member.pk))


# --- Check-ins ----------------------------------------------------------------------


class CheckinSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.resident.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = Checkin
        fields = [
            "id",
            "member",
            "member_name",
            "community",
            "community_name",
            "workplace_org",
            "checked_in_on",
            "ended_on",
        ]
        read_only_fields = fields


class CheckinCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    community = serializers.IntegerField()
    workplace_org = serializers.CharField(max_length=100, required=False, allow_blank=True)
    checked_in_on = serializers.DateField(required=False, allow_null=True)


class CheckinEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True)


class CheckinFilter(django_filters.FilterSet):
    community = django_filters.NumberFilter(field_name="community_id")
    member = django_filters.NumberFilter(field_name="member_id")
    open = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull")

    class Meta:
        model = Checkin
        fields = ["community", "member", "open"]


class CheckinViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CheckinSerializer
    filterset_class = CheckinFilter

    def get_queryset(self):
        return selectors.visible_checkins(self.request.user).order_by("-checked_in_on", "id")

    def get_serializer_class(self):
        if self.action == "create":
            return CheckinCreateSerializer
        if self.action == "end":
            return CheckinEndSerializer
        return CheckinSerializer

    def _read(self, pk: int):
        checkin = selectors.get_checkin(self.request.user, pk)
        return CheckinSerializer(checkin, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        data = CheckinCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        member = selectors.get_member(request.user, body["member"])
        community = places.get_place(request.user, body["community"], Action.PARTY_VIEW)
        checkin = services.record_checkin(
            member,
            actor=request.user,
            community=community,
            workplace_org=body.get("workplace_org", ""),
            checked_in_on=body.get("checked_in_on"),
        )
        return Response(self._read(checkin.pk), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        checkin = self.get_object()
        data = CheckinEndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.end_checkin(checkin, data.validated_data.get("ended_on"), actor=request.user)
        return Response(self._read(checkin.pk))
