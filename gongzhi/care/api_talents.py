"""The talent base and the opinion inbox under /api/v1/ (issue 24 row 002-15):

GET    /api/v1/care-talents/                 listed talents of the caller's area (care.talent_view);
                                             `?skill=<term id>&place=<community or grid id>&q=
                                             &backbone=1`; phones masked
GET    /api/v1/care-talents/{id}/            one of them
POST   /api/v1/care-talents/{id}/backbone/   {"backbone": true|false, "reason"} (care.talent_manage)
GET    /api/v1/my-talent/                    the caller's own entry ({"listed": false} when none)
POST   /api/v1/my-talent/                    {"skills": [term ids], "specialty", "willingness",
                                             "availability", "consent": true}
DELETE /api/v1/my-talent/                    withdraw: the entry leaves every search, cleared
GET    /api/v1/care-opinions/                the inbox (care.opinion_handle); `?status=&platform=`
POST   /api/v1/care-opinions/{id}/handled/   {"note"}

The platforms' callbacks are not here: /care/hooks/wechat/<key>/ and /care/hooks/dingtalk/<key>/.
Errors: 400 bad input or refused (`detail`), 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.care import services
from gongzhi.care import talent_selectors as selectors
from gongzhi.care.api import MAX_ID, _bad
from gongzhi.care.models import Opinion, Talent, Willingness
from gongzhi.core.api_schema import generating
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest

VIEW = Action.CARE_TALENT_VIEW
MANAGE = Action.CARE_TALENT_MANAGE
READ = Action.CARE_NOTICE_READ
HANDLE = Action.CARE_OPINION_HANDLE
NO_RECORD = _("Your login is not linked to the resident registry yet; ask your community.")
NO_ENTRY = _("You are not in the talent base.")


@extend_schema_serializer(component_name="CareTalent")
class TalentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="resident.name", read_only=True)
    phone = serializers.CharField(source="resident.phone_masked", read_only=True)
    skills = serializers.SerializerMethodField()

    class Meta:
        model = Talent
        fields = [
            "id",
            "name",
            "phone",
            "community",
            "skills",
            "specialty",
            "willingness",
            "availability",
            "backbone",
            "backbone_reason",
        ]

    def get_skills(self, talent: Talent) -> list[str]:
        return [s.name for s in talent.skills.all()]


class BackboneIn(serializers.Serializer):
    backbone = serializers.BooleanField()
    reason = serializers.CharField(max_length=200)


class MyTalentIn(serializers.Serializer):
    skills = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), max_length=20, default=list
    )
    specialty = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    willingness = serializers.ChoiceField(choices=Willingness.choices, default="on_call")
    availability = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    consent = serializers.BooleanField(default=False)


@extend_schema_serializer(component_name="CareOpinion")
class OpinionSerializer(serializers.ModelSerializer):
    sender = serializers.CharField(source="sender_tag", read_only=True)
    resident_name = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = [
            "id",
            "community",
            "platform",
            "sender",
            "resident_name",
            "text",
            "received_at",
            "status",
            "ticket",
            "note",
        ]

    def get_resident_name(self, opinion: Opinion) -> str:
        return opinion.resident.name if opinion.resident else ""


class HandledIn(serializers.Serializer):
    note = serializers.CharField(max_length=200)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@extend_schema(
    parameters=[
        OpenApiParameter("skill", int, required=False),
        OpenApiParameter("place", int, required=False),
        OpenApiParameter("q", str, required=False),
        OpenApiParameter("backbone", bool, required=False),
    ]
)
class TalentViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(VIEW)]
    serializer_class = TalentSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Talent]:
        if generating(self):
            return Talent.objects.none()
        user = self.request.user
        q = self.request.query_params
        place_id = _int(q.get("place"))
        return selectors.talents(
            user,
            skill=_int(q.get("skill")),
            place=selectors.get_search_place(user, place_id) if place_id else None,
            q=(q.get("q") or "")[:50],
            backbone=q.get("backbone") in ("1", "true"),
        )

    @extend_schema(request=BackboneIn, responses={200: TalentSerializer})
    @action(detail=True, methods=["post"])
    def backbone(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        number = _int(pk)
        if number is None or number > MAX_ID:
            raise Http404
        talent = selectors.get_managed_talent(request.user, number)
        data = BackboneIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            talent = services.set_backbone(
                talent,
                actor=request.user,
                backbone=data.validated_data["backbone"],
                reason=data.validated_data["reason"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TalentSerializer(talent).data)


def _mine(request: AuthenticatedAPIRequest) -> dict[str, Any]:
    mine = selectors.mine(request.user)
    talent = mine.talent
    if talent is None or not talent.listed:
        return {
            "listed": False,
            "withdrawn_at": talent.withdrawn_at if talent else None,
            "terms": [{"id": t.pk, "name": t.name} for t in mine.terms],
        }
    return {
        "listed": True,
        "skills": [s.pk for s in talent.skills.all()],
        "specialty": talent.specialty,
        "willingness": talent.willingness,
        "availability": talent.availability,
        "backbone": talent.backbone,
        "consent_at": talent.consent_at,
        "terms": [{"id": t.pk, "name": t.name} for t in mine.terms],
    }


class MyTalentView(APIView):
    permission_classes = [Requires.any(READ)]

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: AuthenticatedAPIRequest) -> Response:
        return Response(_mine(request))

    @extend_schema(request=MyTalentIn, responses={200: OpenApiTypes.OBJECT})
    def post(self, request: AuthenticatedAPIRequest) -> Response:
        mine = selectors.mine(request.user)
        if mine.resident is None:
            return Response({"detail": NO_RECORD}, status=status.HTTP_404_NOT_FOUND)
        data = MyTalentIn(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        terms = list(mine.terms.filter(pk__in=d["skills"]))
        if len(terms) != len(set(d["skills"])):
            return Response(
                {"skills": [_("Choose skills from the list of your community.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            services.save_talent(
                mine.resident,
                actor=request.user,
                skills=terms,
                specialty=d["specialty"],
                willingness=d["willingness"],
                availability=d["availability"],
                consent=d["consent"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(_mine(request))

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def delete(self, request: AuthenticatedAPIRequest) -> Response:
        mine = selectors.mine(request.user)
        if mine.talent is None:
            return Response({"detail": NO_ENTRY}, status=status.HTTP_404_NOT_FOUND)
        try:
            services.withdraw_talent(mine.talent, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(_mine(request))


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, required=False),
        OpenApiParameter("platform", str, required=False),
    ]
)
class OpinionViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(HANDLE)]
    serializer_class = OpinionSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Opinion]:
        if generating(self):
            return Opinion.objects.none()
        q = self.request.query_params
        return selectors.opinions(
            self.request.user, status=q.get("status") or "", platform=q.get("platform") or ""
        )

    @extend_schema(request=HandledIn, responses={200: OpinionSerializer})
    @action(detail=True, methods=["post"])
    def handled(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        opinion = self.get_object()
        data = HandledIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            opinion = services.mark_handled(
                opinion, actor=request.user, note=data.validated_data["note"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(OpinionSerializer(opinion).data)
