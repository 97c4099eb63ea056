"""Tickets under /api/v1/tickets/, scoped exactly like the selectors.

GET  /api/v1/tickets/               visible tickets (filters: status, kind, mine=1, pool=1, queue=1)
GET  /api/v1/tickets/{id}/          one ticket, with its history and the steps open to the caller
POST /api/v1/tickets/               submit (JSON, or multipart with up to 9 `photos` files and
                                    `share_location`; a `lat`/`lng` without `place` is
                                    routed to the grid containing the point)
POST /api/v1/tickets/{id}/<step>/   accept, handle, escalate, dispatch, pool, take, start,
                                    resolve, return, reassign, merge, escalate-to-street,
                                    confirm, reopen, close (resolve: multipart `photos` too)
GET  /api/v1/notifications/         the caller's notifications (unread=1); POST …/{id}/read/,
                                    POST …/read-all/, GET …/unread-count/

Errors: 400 bad input, 403 role may not, 404 not visible, 409 not possible from the current
state (and a take lost to another party member), each with a translated `detail`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core import notifications as centre
from gongzhi.core.models import Notification, User
from gongzhi.places.models import Place
from gongzhi.tickets import notify, selectors, services, workflow
from gongzhi.tickets.models import (
    Category,
    Channel,
    HandlerKind,
    Kind,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketPhoto,
)
from gongzhi.tickets.workflow import Step


class EventSerializer(serializers.ModelSerializer):
    actor_name = serializers.SerializerMethodField()

    class Meta:
        model = TicketEvent
        fields = ["action", "from_status", "to_status", "actor_name", "note", "data", "at"]

    def get_actor_name(self, obj) -> str:
        return str(obj.actor) if obj.actor_id else _("System")


class TicketSerializer(serializers.ModelSerializer):
    category_name = serializers.CharField(source="category.name", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    handler_name = serializers.SerializerMethodField()
    submitter_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "kind",
            "category",
            "category_name",
            "text",
            "priority",
            "anonymous",
            "channel",
            "submitter_name",
            "place",
            "place_name",
            "place_path",
            "lat",
            "lng",
            "grid",
            "status",
            "status_label",
            "level",
            "handler_kind",
            "handler_user",
            "handler_name",
            "response_due",
            "resolve_due",
            "responded_at",
            "resolved_at",
            "closed_at",
            "supervised",
            "overdue",
            "resolution_note",
            "rating",
            "rating_comment",
            "merged_into",
            "created_at",
        ]
        read_only_fields = fields

    def get_handler_name(self, obj) -> str:
        return str(obj.handler_user) if obj.handler_user_id else ""

    def get_submitter_name(self, obj) -> str:
        """Anonymous reports hide who reported, except from the reporter."""
        user = self.context["request"].user
        if obj.submitter_id == user.pk:
            return str(user)
        if obj.anonymous:
            return _("Anonymous")
        if obj.submitter_id:
            return str(obj.submitter)
        return obj.on_behalf_of_name

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumb_url = serializers.SerializerMethodField()

    class Meta:
        model = TicketPhoto
        fields = ["id", "stage", "url", "thumb_url", "width", "height", "size", "created_at"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("tickets:photo", args=[obj.ticket_id, obj.pk])

    def get_thumb_url(self, obj) -> str:
        return reverse("tickets:photo_thumb", args=[obj.ticket_id, obj.pk])


class TicketDetailSerializer(TicketSerializer):
    events = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "events", "steps", "photos"]
        read_only_fields = fields

    def get_events(self, obj) -> list[dict]:
        return EventSerializer(selectors.history(obj), many=True).data

    def get_steps(self, obj) -> list[str]:
        return workflow.steps_from(obj.status)


class SubmitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.filter(is_active=True))
    text = serializers.CharField(max_length=services.TEXT_MAX, allow_blank=True)
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.all(), required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    anonymous = serializers.BooleanField(required=False, default=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    on_behalf_of_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, required=False)
    share_location = serializers.BooleanField(required=False, default=False)
    prefer = serializers.ChoiceField(
        choices=[services.PREFER_PLACE, services.PREFER_POINT],
        required=False,
        help_text="When `place` and the point disagree: which one is right (else a 400 asks).",
    )


class StepSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=services.NOTE_MAX)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=services.NOTE_MAX)
    handler_user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False
    )
    handler_kind = serializers.ChoiceField(choices=HandlerKind.choices, required=False)
    into = serializers.PrimaryKeyRelatedField(queryset=Ticket.objects.all(), required=False)
    rating = serializers.IntegerField(required=False)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class NotificationSerializer(serializers.ModelSerializer):
    """A notification of the kernel's centre; `ticket` and `ticket_number` name the ticket it
    links to (null and "" for other notifications)."""

    ticket = serializers.SerializerMethodField()
    ticket_number = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "ticket", "ticket_number", "verb", "text", "read", "created_at"]
        read_only_fields = fields

    def get_ticket(self, obj: Notification) -> int | None:
        return notify.ticket_id_of(obj.link)

    def get_ticket_number(self, obj: Notification) -> str:
        return obj.reference if notify.ticket_id_of(obj.link) is not None else ""


def _conflict(error: workflow.IllegalTransition) -> Response:
    return Response({"detail": error.message}, status=status.HTTP_409_CONFLICT)


class TicketViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    filter_backends: list = []

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TicketDetailSerializer
        if self.action == "create":
            return SubmitSerializer
        if self.action in _STEP_ACTIONS:
            return StepSerializer
        return TicketSerializer

    def get_queryset(self):
        user = self.request.user
        params = self.request.query_params
        if self.action != "list":
            return selectors.visible_tickets(user).select_related(*selectors.LIST_RELATED)
        if params.get("queue") == "1":
            qs = selectors.grid_queue(user)
        elif params.get("pool") == "1":
            qs = selectors.pool(user)
        elif params.get("mine") == "1":
            qs = selectors.my_tickets(user)
        else:
            qs = selectors.visible_tickets(user).select_related(*selectors.LIST_RELATED)
        if params.get("status") in Status.values:
            qs = qs.filter(status=params["status"])
        if params.get("kind") in Kind.values:
            qs = qs.filter(kind=params["kind"])
        return qs

    def create(self, request):
        data = SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        category = values.pop("category")
        try:
            ticket = services.submit(
                actor=request.user,
                category=category,
                photos=request.FILES.getlist("photos"),
                **values,
            )
        except DjangoValidationError as error:
            return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
        ticket = selectors.get_ticket(request.user, ticket.pk)
        body = TicketDetailSerializer(ticket, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _run(self, request, step: str):
        # 404 outside what the user may see; a take lost to another party member: 409
        # "already taken", not 404.
        ticket = selectors.ticket_for_step(request.user, self.kwargs["pk"], step)
        function, params = services.STEPS[step]
        data = StepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k in params}
        if "photos" in params:
            values["photos"] = request.FILES.getlist("photos")
        try:
            ticket = function(ticket, actor=request.user, **values)
        except workflow.IllegalTransition as error:
            return _conflict(error)
        except DjangoValidationError as error:
            return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
        if _still_visible(request.user, ticket):  # a returned ticket leaves its handler's view
            ticket = selectors.get_ticket(request.user, ticket.pk)
        return Response(TicketDetailSerializer(ticket, context=self.get_serializer_context()).data)


def _still_visible(user, ticket) -> bool:
    return selectors.visible_tickets(user).filter(pk=ticket.pk).exists()


def _step_view(step: str, name: str):
    def view(self, request, pk=None):
        return self._run(request, step)

    view.__name__ = name
    view.__doc__ = f"{Step(step).label}."
    return action(detail=True, methods=["post"], url_path=step.replace("_", "-"))(view)


_STEP_ACTIONS = set()
for _step in services.STEPS:
    _name = f"step_{_step}"  # not the bare name: `dispatch` is a method of every view
    setattr(TicketViewSet, _name, _step_view(_step, _name))
    _STEP_ACTIONS.add(_name)


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        return centre.notifications(
            self.request.user, unread_only=self.request.query_params.get("unread") == "1"
        )

    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one of the caller's notifications read (404 for anyone else's)."""
        if not str(pk).isdigit():
            raise Http404
        centre.read_notification(int(pk), actor=request.user)
        return Response({"read": True})

    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark all the caller's notifications read."""
        return Response({"marked": centre.read_all_notifications(actor=request.user)})

    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        """How many unread notifications the caller has (counted up to 100)."""
        return Response({"unread": centre.unread_count(request.user)})
