"""Deliberation under /api/v1/, scoped exactly like the pages.

GET  /api/v1/topics/                 visible topics (filter: status)
POST /api/v1/topics/                 raise {place, title, text}
GET  /api/v1/topics/{id}/            one topic
POST /api/v1/topics/{id}/support/    support once
GET  /api/v1/topics/{id}/opinions/   opinions (hidden ones as the reader may see them)
POST /api/v1/topics/{id}/opinions/   {text, official}
POST /api/v1/topics/{id}/opinions/{opinion id}/hide/   staff: {reason}
GET  /api/v1/meetings/               managed meetings, or the caller's
POST /api/v1/meetings/               staff: {community, kind, title, starts_at, location,
                                     topics: [id, …], free_items: [text, …]}
GET  /api/v1/meetings/{id}/          one meeting with agenda and resolutions
POST /api/v1/meetings/{id}/invite/   staff: {users: [id, …]}
POST /api/v1/meetings/{id}/minutes/  staff: {minutes} (once the meeting has started)
POST /api/v1/meetings/{id}/resolutions/  staff: {text, owner, due, action_title, topic} — a
                                     resolution and the action it commits to
GET  /api/v1/meetings/series/        staff: recurring meetings (fixed deliberation days)
POST /api/v1/meetings/series/        staff: {community, kind, title, frequency: monthly|quarterly,
                                     day: 1–28, time: "HH:MM", location, lead_days}
POST /api/v1/meetings/series/{id}/stop/  staff: {reason}
GET  /api/v1/actions/                follow-throughs (落实事项) managed, or the caller's
POST /api/v1/actions/{id}/progress/  {status: in_progress|done, note}
GET  /api/v1/polls/                  visible polls (results only after closing)
POST /api/v1/polls/                  staff: {community, question, options: [text, …], opens_at,
                                     closes_at, multiple, per_household, description}
POST /api/v1/polls/{id}/vote/        {options: [id, …]}
GET  /api/v1/notices/                notices the caller publishes
POST /api/v1/notices/                staff: {community, category, title, body,
                                     amounts: [{item, amount}, …]}

Errors: 400 bad input (with the message), 403 role may not, 404 not visible.

Follow-throughs were first called actions: the API keeps that wording for its clients — the
path /api/v1/actions/, the keys "action" (of a resolution) and "action_title", and the schema
component "Action".
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action as route
from rest_framework.response import Response

from gongzhi.core import access, api_schema, gates
from gongzhi.core.roles import Action
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import (
    FollowThrough,
    Meeting,
    MeetingKind,
    MeetingSeries,
    Notice,
    NoticeCategory,
    Poll,
    SeriesFrequency,
    Topic,
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


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


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
        return selectors.visible_topics(
            self.request.user, self.request.query_params.get("status") or ""
        )

    def create(self, request):
        data = TopicInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        place = get_object_or_404(selectors.topic_places(request.user), pk=values["place"])
        try:
            topic = services.raise_topic(
                actor=request.user, place=place, title=values["title"], text=values["text"]
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)

    @route(detail=True, methods=["post"])
    def support(self, request, pk=None):
        try:
            topic = services.support(self.get_object(), actor=request.user)
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
                    topic,
                    data.validated_data["text"],
                    actor=request.user,
                    official=data.validated_data["official"],
                )
            except DjangoValidationError as error:
                return _bad(error)
        rows = selectors.opinions_for(request.user, topic)
        code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response([_opinion_data(r) for r in rows], status=code)

    @route(detail=True, methods=["post"], url_path=r"opinions/(?P<opinion>\d+)/hide")
    def hide_opinion(self, request, pk=None, opinion=None):
        topic = self.get_object()
        row = get_object_or_404(selectors.topic_opinions(topic), pk=opinion)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.hide_opinion(row, data.validated_data["reason"], actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response([_opinion_data(r) for r in selectors.opinions_for(request.user, topic)])


@extend_schema_serializer(component_name="Action")
class FollowThroughSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    display_status = serializers.CharField(read_only=True)
    meeting = serializers.IntegerField(source="resolution.meeting_id", read_only=True)
    resolution_text = serializers.CharField(source="resolution.text", read_only=True)

    class Meta:
        model = FollowThrough
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
            {"text": r.text, "action": FollowThroughSerializer(r.follow_through).data}
            for r in obj.resolutions.all()
        ]


class MeetingInput(serializers.Serializer):
    community = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=120)
    starts_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    topics = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    free_items = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False, default=list
    )


class InviteInput(serializers.Serializer):
    users = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class MinutesInput(serializers.Serializer):
    minutes = serializers.CharField(max_length=20000)


class ResolutionInput(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    owner = serializers.IntegerField()
    due = serializers.DateField()
    action_title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    topic = serializers.IntegerField(required=False, allow_null=True, default=None)


class SeriesSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "community",
            "kind",
            "title",
            "frequency",
            "day",
            "time",
            "location",
            "lead_days",
            "active",
        ]
        read_only_fields = fields


class SeriesInput(serializers.Serializer):
    community = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MeetingKind.choices)
    title = serializers.CharField(max_length=120)
    frequency = serializers.ChoiceField(choices=SeriesFrequency.choices)
    day = serializers.IntegerField()
    time = serializers.TimeField()
    location = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    lead_days = serializers.IntegerField(required=False, default=14)


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        user = self.request.user
        if api_schema.generating(self):
            return Meeting.objects.none()
        if access.has_any(user, Action.DELIBERATION_MANAGE):
            meetings = selectors.managed_meetings(user)
        else:
            meetings = selectors.my_meetings(user)
        return meetings.prefetch_related("agenda", "resolutions__follow_through__owner")

    def get_object(self):
        meeting = selectors.get_meeting(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, meeting)
        return meeting

    def create(self, request):
        data = MeetingInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = selectors.public_community(values.pop("community"))
        try:
            meeting = services.create_meeting(
                actor=request.user, community=community, topic_ids=values.pop("topics"), **values
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)

    @route(detail=False, methods=["get", "post"], url_path="series")
    def series(self, request):
        gates.check(request.user, Action.DELIBERATION_MANAGE)
        if request.method == "GET":
            rows = selectors.managed_series(request.user).order_by("-active", "id")[:200]
            return Response(SeriesSerializer(rows, many=True).data)
        data = SeriesInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = selectors.public_community(values.pop("community"))
        try:
            item = services.create_series(actor=request.user, community=community, **values)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(SeriesSerializer(item).data, status=status.HTTP_201_CREATED)

    @route(detail=False, methods=["post"], url_path=r"series/(?P<series_pk>\d+)/stop")
    def series_stop(self, request, series_pk=None):
        item = selectors.get_series(request.user, series_pk)
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            item = services.stop_series(item, data.validated_data["reason"], actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(SeriesSerializer(item).data)

    @route(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        meeting = self.get_object()
        data = InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        ids = set(data.validated_data["users"])
        users = list(selectors.active_users(ids))
        try:
            if len(users) != len(ids):
                raise DjangoValidationError({"users": _("Choose people from the list.")})
            count = services.invite(meeting, users, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response({"invited": count}, status=status.HTTP_201_CREATED)

    @route(detail=True, methods=["post"])
    def minutes(self, request, pk=None):
        meeting = self.get_object()
        data = MinutesInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            meeting = services.record_minutes(
                meeting, data.validated_data["minutes"], actor=request.user
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(MeetingSerializer(meeting).data)

    @route(detail=True, methods=["post"])
    def resolutions(self, request, pk=None):
        meeting = self.get_object()
        data = ResolutionInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        owner = selectors.invitable_user(meeting, values["owner"])
        topic = None
        if values["topic"] is not None:
            topic = selectors.agenda_topic(meeting, values["topic"])
        try:
            if values["topic"] is not None and topic is None:
                raise DjangoValidationError(
                    {"topic": _("Choose a topic on the agenda of this meeting.")}
                )
            resolution = services.add_resolution(
                meeting,
                actor=request.user,
                text=values["text"],
                owner=owner,
                due=values["due"],
                follow_through_title=values["action_title"],
                topic=topic,
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {
                "text": resolution.text,
                "action": FollowThroughSerializer(selectors.follow_through_of(resolution)).data,
            },
            status=status.HTTP_201_CREATED,
        )


class ProgressInput(serializers.Serializer):
    status = serializers.CharField()
    note = serializers.CharField(max_length=2000)


# Follow-throughs of resolutions, at /api/v1/actions/ (the path keeps its first wording).
class FollowThroughViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FollowThroughSerializer

    def get_queryset(self):
        user = self.request.user
        if api_schema.generating(self):
            return FollowThrough.objects.none()
        if access.has_any(user, Action.DELIBERATION_MANAGE):
            return selectors.managed_follow_throughs(user) | selectors.my_follow_throughs(user)
        return selectors.my_follow_throughs(user)

    @route(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        data = ProgressInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            updated = services.update_follow_through(
                self.get_object(),
                actor=request.user,
                status=data.validated_data["status"],
                note=data.validated_data["note"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(FollowThroughSerializer(updated).data)


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
        if obj.is_closed() or access.can(user, Action.DELIBERATION_MANAGE, obj.place_path):
            return selectors.turnout(obj)
        return None

    def get_voted(self, obj) -> bool:
        return selectors.my_ballot(self.context["request"].user, obj) is not None


class VoteInput(serializers.Serializer):
    options = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


class PollInput(serializers.Serializer):
    community = serializers.IntegerField()
    question = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    options = serializers.ListField(child=serializers.CharField(max_length=120), min_length=2)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    multiple = serializers.BooleanField(default=False)
    per_household = serializers.BooleanField(default=False)


class PollViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PollSerializer

    def get_queryset(self):
        return selectors.visible_polls(self.request.user).prefetch_related("options")

    def create(self, request):
        data = PollInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = selectors.public_community(values.pop("community"))
        try:
            poll = services.create_poll(actor=request.user, community=community, **values)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(self.get_serializer(poll).data, status=status.HTTP_201_CREATED)

    @route(detail=True, methods=["post"])
    def vote(self, request, pk=None):
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        poll = self.get_object()
        try:
            services.vote(poll, data.validated_data["options"], actor=request.user)
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


class AmountRow(serializers.Serializer):
    item = serializers.CharField(max_length=120)
    amount = serializers.CharField(max_length=32)


class NoticeInput(serializers.Serializer):
    community = serializers.IntegerField()
    category = serializers.ChoiceField(choices=NoticeCategory.choices)
    title = serializers.CharField(max_length=120)
    body = serializers.CharField(max_length=10000)
    amounts = AmountRow(many=True, required=False, default=list)


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NoticeSerializer

    def get_queryset(self):
        return selectors.managed_notices(self.request.user)

    def create(self, request):
        data = NoticeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        community = selectors.public_community(values.pop("community"))
        # The same "item | amount" lines as the page's form, checked by the same service.
        lines = "\n".join(f"{row['item']} | {row['amount']}" for row in values.pop("amounts"))
        try:
            notice = services.publish_notice(
                actor=request.user, community=community, amounts=lines, **values
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(NoticeSerializer(notice).data, status=status.HTTP_201_CREATED)
