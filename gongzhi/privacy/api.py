"""Privacy API under /api/v1/, the same services and selectors as the pages.

POST /api/v1/privacy/download/                {"format": "json" | "xlsx"} → my data (privacy.self;
                                              limited per account like the page)
GET  /api/v1/privacy/consents/                my consents
POST /api/v1/privacy/consents/                {"purpose": "notice", "channel": "api"} → given
POST /api/v1/privacy/consents/withdraw/       {"purpose": "notice"}
GET  /api/v1/privacy-requests/                my requests;   POST {"kind", "what", "why"} files one
GET  /api/v1/privacy-requests/{id}/           one of mine
GET  /api/v1/privacy-queue/                   requests of my area (privacy.handle), ?status=
GET  /api/v1/privacy-queue/{id}/              one of them (404 outside the area)
POST /api/v1/privacy-queue/{id}/start/ | done/ {"note"} | refuse/ {"reason"}
GET  /api/v1/privacy/register/                the register of processing activities
                                              (privacy.register)

Errors: 400 bad input or refused (with the field messages), 403 role may not, 404 not visible,
429 too many downloads.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from gongzhi.core import api_schema, gates
from gongzhi.core.roles import Action
from gongzhi.privacy import selectors, services, views
from gongzhi.privacy.models import Consent, ConsentChannel, PrivacyRequest, ProcessingActivity


class RequestSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = PrivacyRequest
        fields = [
            "id",
            "kind",
            "kind_label",
            "what",
            "why",
            "status",
            "status_label",
            "overdue",
            "due_on",
            "note",
            "refusal_reason",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class QueueSerializer(RequestSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta(RequestSerializer.Meta):
        fields = [*RequestSerializer.Meta.fields, "name", "resident", "community_name"]
        read_only_fields = fields


class ConsentSerializer(serializers.ModelSerializer):
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)

    class Meta:
        model = Consent
        fields = [
            "id",
            "purpose",
            "purpose_label",
            "notice_version",
            "channel",
            "given_at",
            "withdrawn_at",
        ]
        read_only_fields = fields


class DownloadSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=["json", "xlsx"], default="json")


class DownloadView(APIView):
    @extend_schema(request=DownloadSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        gates.check(request.user, Action.PRIVACY_SELF)
        views.check_download_rate(request)
        fmt = str(request.data.get("format", "json"))
        data, content_type, name = services.export_my_data(fmt, actor=request.user)
        return (
            views.attachment(data, content_type, name)
            if fmt == "xlsx"
            else HttpResponse(
                data, content_type=content_type, headers={"Cache-Control": "no-store"}
            )
        )


class ConsentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ConsentSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return Consent.objects.none()
        return selectors.consents_of(self.request.user)

    def create(self, request):
        consent = services.give_consent(
            str(request.data.get("purpose", "")),
            actor=request.user,
            channel=str(request.data.get("channel", ConsentChannel.API)),
        )
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    @action(detail=False, methods=["post"])
    def withdraw(self, request):
        consent = services.withdraw_consent(
            str(request.data.get("purpose", "")), actor=request.user
        )
        return Response(ConsentSerializer(consent).data)


class MyRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = RequestSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return PrivacyRequest.objects.none()
        gates.check(self.request.user, Action.PRIVACY_SELF)
        return selectors.requests_of(self.request.user)

    def create(self, request):
        gates.check(request.user, Action.PRIVACY_SELF)
        filed = services.file_request(
            str(request.data.get("kind", "")),
            str(request.data.get("what", "")),
            str(request.data.get("why", "")),
            actor=request.user,
        )
        return Response(RequestSerializer(filed).data, status=status.HTTP_201_CREATED)


class QueueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = QueueSerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return PrivacyRequest.objects.none()
        gates.check(self.request.user, Action.PRIVACY_HANDLE)
        status_filter = str(self.request.query_params.get("status", ""))
        return selectors.request_queue(self.request.user, status_filter)

    def _answer(self, item):
        item = selectors.get_handled_request(self.request.user, item.pk)
        return Response(QueueSerializer(item).data)

    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._answer(services.start_request(self.get_object(), actor=request.user))

    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        item = services.complete_request(
            self.get_object(), str(request.data.get("note", "")), actor=request.user
        )
        return self._answer(item)

    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        item = services.refuse_request(
            self.get_object(), str(request.data.get("reason", "")), actor=request.user
        )
        return self._answer(item)


class ProcessingActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessingActivity
        fields = [
            "id",
            "code",
            "name",
            "purpose",
            "categories",
            "sensitive",
            "legal_basis",
            "recipients",
            "retention",
            "security",
        ]
        read_only_fields = fields


class RegisterViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProcessingActivitySerializer

    def get_queryset(self):
        if api_schema.generating(self):
            return ProcessingActivity.objects.none()
        return selectors.processing_activities(self.request.user)
