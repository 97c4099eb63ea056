"""Structures under /api/v1/ (issue 23 item 1), scoped like the pages:

GET  /api/v1/party-committee-members/            members of the big committees in scope
POST /api/v1/party-committee-members/            {"org", "name", "duty", "part_time",
                                                 "source_unit", "term_start", "term_end"}
POST /api/v1/party-committee-members/{id}/end/   {"ended_on"?}
GET  /api/v1/party-bodies/?unorganised=1         bodies (those without an organisation)
POST /api/v1/party-bodies/                       {"community", "name", "kind", "party_count",
                                                 "org"?, "setup_form"?}
POST /api/v1/party-bodies/{id}/org/              {"org": id|null, "setup_form"}

Outside `party.view`: 404; without `party.edit`: 403; bad input: 400.
"""

from __future__ import annotations

from typing import Any

from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.party import selectors, services
from gongzhi.party.models import Body, BodyKind, CommitteeDuty, CommitteeMember, SetupForm
from gongzhi.places import selectors as places

MAX_ID = 2**31 - 1


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


class CommitteeMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitteeMember
        fields = [
            "id",
            "org",
            "name",
            "duty",
            "part_time",
            "source_unit",
            "term_start",
            "term_end",
            "ended_on",
        ]


class CommitteeMemberIn(serializers.Serializer):
    org = _id()
    name = serializers.CharField(max_length=50)
    duty = serializers.ChoiceField(choices=CommitteeDuty.choices, default=CommitteeDuty.MEMBER)
    part_time = serializers.BooleanField(default=False)
    source_unit = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    term_start = serializers.DateField()
    term_end = serializers.DateField()


class EndIn(serializers.Serializer):
    ended_on = serializers.DateField(required=False, allow_null=True, default=None)


class CommitteeMemberViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.PARTY_VIEW)]
    serializer_class = CommitteeMemberSerializer

    def get_queryset(self):
        return selectors.visible_committee_members(self.request.user)

    def create(self, request, *args, **kwargs):
        data = CommitteeMemberIn(data=request.data)
        data.is_valid(raise_exception=True)
        body = dict(data.validated_data)
        org = selectors.get_org(request.user, body.pop("org"))
        row = services.add_committee_member(org, actor=request.user, **body)
        return Response(CommitteeMemberSerializer(row).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        row = self.get_object()
        data = EndIn(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.end_committee_member(
            row, actor=request.user, ended_on=data.validated_data["ended_on"]
        )
        return Response(CommitteeMemberSerializer(done).data)


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "community", "name", "kind", "party_count", "org", "setup_form"]


class BodyIn(serializers.Serializer):
    community = _id()
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=BodyKind.choices)
    party_count = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    org = _id(required=False, allow_null=True, default=None)
    setup_form = serializers.ChoiceField(
        choices=SetupForm.choices, required=False, allow_blank=True, default=""
    )


class BodyOrgIn(serializers.Serializer):
    org = _id(allow_null=True)
    setup_form = serializers.ChoiceField(
        choices=SetupForm.choices, required=False, allow_blank=True, default=""
    )


class BodyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(Action.PARTY_VIEW)]
    serializer_class = BodySerializer

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("unorganised") == "1":
            return selectors.bodies_without_org(user)
        return selectors.visible_bodies(user)

    def create(self, request, *args, **kwargs):
        data = BodyIn(data=request.data)
        data.is_valid(raise_exception=True)
        body = dict(data.validated_data)
        community = places.get_place(request.user, body.pop("community"), Action.PARTY_VIEW)
        org_id = body.pop("org")
        org = selectors.get_org(request.user, org_id) if org_id else None
        made = services.add_body(community, actor=request.user, org=org, **body)
        return Response(BodySerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def org(self, request, pk=None):
        item = self.get_object()
        data = BodyOrgIn(data=request.data)
        data.is_valid(raise_exception=True)
        org_id = data.validated_data["org"]
        org = selectors.get_org(request.user, org_id) if org_id else None
        done = services.set_body_org(
            item, actor=request.user, org=org, setup_form=data.validated_data["setup_form"]
        )
        return Response(BodySerializer(done).data)
