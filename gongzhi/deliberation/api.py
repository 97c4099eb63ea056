"""Deliberation under /api/v1/, scoped exactly like the pages.

GET  /api/v1/topics/                 visible topics (filter: status)
POST /api/v1/topics/                 raise {place, title, text}
GET  /api/v1/topics/{id}/            one topic
POST /api/v1/topics/{id}/support/    support once
GET  /api/v1/topics/{id}/opinions/   opinions (hidden ones as the reader may see them)
POST /api/v1/topics/{id}/opinions/   {text, official}
GET  /api/v1/meetings/               managed meetings, or the caller's
GET  /api/v1/meetings/{id}/          one meeting with agenda and resolutions
GET  /api/v1/actions/                managed actions, or the caller's
POST /api/v1/actions/{id}/progress/  {status: in_progress|done, note}
GET  /api/v1/polls/                  visible polls (results only after closing)
POST /api/v1/polls/{id}/vote/        {options: [id, …]}
GET  /api/v1/notices/                notices the caller publishes

Errors: 400 bad input (with the message), 403 role may not, 404 not visible.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from gongzhi.core import access
from gongzhi.core.roles import Action as Perm
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import (
    Action,
    Meeting,
    Notice,
    Poll,
    Topic,
    TopicStatus,
)


def _bad(error: DjangoValidationError) -> Response:
    if hasattr(error, "message_dict"):
        detail = " ".join(m for msgs in error.message_dict.values() for m in msgs)
    else:
        detail = " ".join(error.messages)
    return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)


class TopicSerializer(serializers.ModelSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "title",
            "text",
            "place",
            "place_name",
            "community",
            "origin",
            "origin_name",
            "status",
            "status_label",
            "support_count",
            "threshold",
            "meeting",
            "status_reason",
            "created_at",
        ]
        read_only_fields = fields


class TopicInput(serializers.Serializer):
    place = serializers.IntegerField()
    title = serializers.CharField(max_length=120)
    text = serializers.CharField(max_length=4000)


class OpinionInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    official = serializers.BooleanField(default=False)


def _opinion_data(row) -> dict:
    return {
        "id": row.id,
        "author": row.author.name,
        "official": row.official,
        "hidden": row.hidden,
        "hidden_reason": row.hidden_reason,
        "text": row.text if row.show_text else "",
        "created_at": row.created_at,
    }


class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TopicSerializer

    def get_queryset(self):
        qs = selectors.visible_topics(self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted in TopicStatus.values:
            qs = qs.filter(status=wanted)
        return qs

    def create(self, request):
        data = TopicInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        place = get_object_or_404(selectors.topic_places(request.user), pk=values["place"])
        try:
            topic = services.raise_topic(
                request.user, place=place, title=values["title"], text=values["text"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)

    @route(detail=True, methods=["post"])
    def support(self, request, pk=None):
        try:
            topic = services.support(request.user, self.get_object())
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TopicSerializer(topic).data)

    @route(detail=True, methods=["get", "post"])
    def opinions(self, request, pk=None):
        topic = self.get_object()
        if request.method == "POST":
            data = OpinionInput(data=request.data)
            data.is_valid(raise_exception=True)
            try:
                services.give_opinion(
                    request.user,
                    topic,
                    data.validated_data["text"],
                    official=data.validated_data["official"],
                )
            except DjangoValidationError as error:
                return _bad(error)
        rows = selectors.opinions_for(request.user, topic)
        code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response([_opinion_data(r) for r in rows], status=code)


class ActionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    display_status = serializers.CharField(read_only=True)
    meeting = serializers.IntegerField(source="resolution.meeting_id", read_only=True)
    resolution_text = serializers.CharField(source="resolution.text", read_only=True)

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "resolution_text",
            "meeting",
            "owner",
            "owner_name",
            "owner_title",
            "due",
            "status",
            "display_status",
            "done_at",
        ]
        read_only_fields = fields


class MeetingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    agenda = serializers.SerializerMethodField()
    resolutions = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "community",
            "starts_at",
            "location",
            "status",
            "minutes",
            "agenda",
            "resolutions",
        ]
        read_only_fields = fields

    def get_agenda(self, obj) -> list[dict]:
        return [{"title": a.title, "topic": a.topic_id} for a in obj.agenda.all()]

    def get_resolutions(self, obj) -> list[dict]:
        return [
            {"text": r.text, "action": ActionSerializer(r.action).data}
            for r in obj.resolutions.select_related("action__owner")
        ]


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Meeting.objects.none()
        if access.has_any(user, Perm.DELIBERATION_MANAGE):
            return selectors.managed_meetings(user)
        return selectors.my_meetings(user)


class ProgressInput(serializers.Serializer):
    status = serializers.CharField()
    note = serializers.CharField(max_length=2000)


class ActionViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ActionSerializer

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        if access.has_any(user, Perm.DELIBERATION_MANAGE):
            return selectors.managed_actions(user) | selectors.my_actions(user)
        return selectors.my_actions(user)

    @route(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            updated = services.update_action(
                request.user,
                self.get_object(),
                status=data.validated_data["status"],
                note=data.validated_data["note"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(ActionSerializer(updated).data)


class PollSerializer(serializers.ModelSerializer):
    options = serializers.SerializerMethodField()
    results = serializers.SerializerMethodField()
    turnout = serializers.SerializerMethodField()
    voted = serializers.SerializerMethodField()

    class Meta:
        model = Poll
        fields = [
            "id",
            "question",
            "description",
            "community",
            "multiple",
            "per_household",
            "opens_at",
            "closes_at",
            "options",
            "voted",
            "turnout",
            "results",
        ]
        read_only_fields = fields

    def get_options(self, obj) -> list[dict]:
        return [{"id": o.id, "text": o.text} for o in obj.options.all()]

    def get_results(self, obj) -> list[dict] | None:
        if not obj.is_closed():
            return None
        return [{"option": r["option"].id, "votes": r["votes"]} for r in selectors.results(obj)]

    def get_turnout(self, obj) -> int | None:
        user = self.context["request"].user
        if obj.is_closed() or access.can(user, Perm.DELIBERATION_MANAGE, obj.place_path):
            return selectors.turnout(obj)
        return None

    def get_voted(self, obj) -> bool:
        return selectors.my_ballot(self.context["request"].user, obj) is not None


class VoteInput(serializers.Serializer):
    options = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class PollViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PollSerializer

    def get_queryset(self):
        return selectors.visible_polls(self.request.user).prefetch_related("options")

    @route(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        poll = self.get_object()
        try:
            services.vote(request.user, poll, data.validated_data["options"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(self.get_serializer(poll).data, status=status.HTTP_201_CREATED)


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = [
            "id",
            "community",
            "category",
            "title",
            "body",
            "amounts",
            "status",
            "published_at",
            "withdrawn_reason",
            "withdrawn_at",
        ]
        read_only_fields = fields


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NoticeSerializer

    def get_queryset(self):
        return selectors.managed_notices(self.request.user)
