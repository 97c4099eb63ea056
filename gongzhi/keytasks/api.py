"""Sent-down tasks under /api/v1/:

GET  /api/v1/sent-tasks/                  tasks sent from the caller's area, with progress
                                          counts (KEYTASK_SEND)
POST /api/v1/sent-tasks/                  {"place", "title", "instructions", "due_on",
                                          "receiver_kind", "rows_of", "row_tag",
                                          "fields": [{"label", "kind", "required", "per_row",
                                          "choices"}]}
GET  /api/v1/sent-tasks/{id}/             a task with its fields and every receiver's progress
GET  /api/v1/sent-tasks/{id}/rollup/      the roll-up as one xlsx
POST /api/v1/sent-tasks/{id}/remind/      {"receivers": [ids]} (default: every one not submitted)
POST /api/v1/sent-tasks/{id}/close/
GET  /api/v1/task-forms/                  the caller's to-do list (KEYTASK_FILL)
GET  /api/v1/task-forms/{id}/             a receiver's answers and rows (its own fillers and
                                          the sender's side; 404 for anyone else)
POST /api/v1/task-forms/{id}/answers/     {"answers": {"f<id>": value}, "rows": {"<row id>":
                                          {"f<id>": value}}, "submit": false}
POST /api/v1/task-forms/{id}/recall/      take a submitted form back (until the deadline)
POST /api/v1/task-forms/{id}/reopen/      {"reason"} (the sender, for a late edit)

Errors: 400 bad input or refused (the field named), 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import exports, gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.keytasks import rollup, selectors, services
from gongzhi.keytasks.models import FieldKind, Receiver, ReceiverKind, RowsOf, SentDownTask

SEND = Action.KEYTASK_SEND
FILL = Action.KEYTASK_FILL
MAX_ID = 2**31 - 1


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class FieldIn(serializers.Serializer):
    # `label` and `required` are also attributes of a DRF Field: declared fields win at run
    # time (the metaclass collects them), the stubs only see the clash.
    label = serializers.CharField(max_length=60)  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=FieldKind.choices)
    required = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]
    per_row = serializers.BooleanField(required=False, default=False)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, default=list, max_length=30
    )


class TaskIn(serializers.Serializer):
    place = _id()
    title = serializers.CharField(max_length=120)
    instructions = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    due_on = serializers.DateField()
    receiver_kind = serializers.ChoiceField(choices=ReceiverKind.choices)
    rows_of = serializers.ChoiceField(choices=RowsOf.choices, required=False, default="")
    row_tag = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")
    fields = serializers.ListField(  # type: ignore[assignment]  # the body's key, see FieldIn
        child=FieldIn(), required=False, default=list, max_length=30
    )


class RemindIn(serializers.Serializer):
    receivers = serializers.ListField(child=_id(), required=False, default=list, max_length=500)


class AnswersIn(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.CharField(max_length=500, allow_blank=True, allow_null=True),
        required=False,
        default=dict,
    )
    rows = serializers.DictField(
        child=serializers.DictField(
            child=serializers.CharField(max_length=500, allow_blank=True, allow_null=True)
        ),
        required=False,
        default=dict,
    )
    submit = serializers.BooleanField(required=False, default=False)

    def validate_rows(self, value: dict[str, Any]) -> dict[int, Any]:
        if len(value) > 1000:
            raise serializers.ValidationError("At most 1000 rows at once.")
        out: dict[int, Any] = {}
        for key, given in value.items():
            if not str(key).isdigit() or len(str(key)) > 9:
                raise serializers.ValidationError(f"{key}: not a row id.")
            out[int(key)] = given
        return out


class ReasonIn(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class TaskSerializer(serializers.ModelSerializer):
    receivers = serializers.IntegerField(source="receiver_total", read_only=True)
    submitted = serializers.IntegerField(source="submitted_total", read_only=True)
    late = serializers.IntegerField(source="late_total", read_only=True)

    class Meta:
        model = SentDownTask
        fields = [
            "id",
            "title",
            "place",
            "due_on",
            "receiver_kind",
            "rows_of",
            "row_tag",
            "sent_at",
            "closed_at",
            "receivers",
            "submitted",
            "late",
        ]


def _fields(task: SentDownTask) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "label": f.label,
            "kind": f.kind,
            "required": f.required,
            "per_row": f.per_row,
            "choices": f.choices,
        }
        for f in selectors.fields_of(task)
    ]


class SentTaskViewSet(viewsets.GenericViewSet, mixins.ListModelMixin):
    permission_classes = [Requires.any(SEND)]
    serializer_class = TaskSerializer

    def get_queryset(self) -> QuerySet[SentDownTask]:
        return selectors.sent_tasks(self.request.user)

    def create(self, request: AuthenticatedAPIRequest) -> Response:
        data = _valid(TaskIn, request)
        place = selectors.sender_places(request.user).filter(pk=data["place"]).first()
        if place is None:
            gates.check(request.user, SEND)
            return Response({"place": ["Not found."]}, status=status.HTTP_400_BAD_REQUEST)
        made = services.send_task(
            place,
            actor=request.user,
            title=data["title"],
            instructions=data["instructions"],
            due_on=data["due_on"],
            receiver_kind=data["receiver_kind"],
            rows_of=data["rows_of"],
            row_tag=data["row_tag"],
            fields=[services.FieldSpec(**f) for f in data["fields"]],
        )
        return Response({"id": made.pk}, status=status.HTTP_201_CREATED)

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        task = selectors.get_sent_task(request.user, pk)
        receivers = [
            {
                "id": r.pk,
                "place": r.place_id,
                "place_name": r.place.name,
                "state": r.state,
                "submitted_at": r.submitted_at,
                "late": r.late,
                "rows": r.row_count,
                "rows_filled": r.rows_filled,
                "reminded_at": r.reminded_at,
            }
            for r in selectors.receivers_of(task)
        ]
        return Response(
            {
                "id": task.pk,
                "title": task.title,
                "instructions": task.instructions,
                "due_on": task.due_on,
                "closed_at": task.closed_at,
                "fields": _fields(task),
                "receivers": receivers,
            }
        )

    @action(detail=True, methods=["get"])
    def rollup(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> HttpResponse:
        task = selectors.get_sent_task(request.user, pk)
        response = HttpResponse(
            rollup.xlsx(task, user=request.user), content_type=exports.XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="{rollup.filename(task)}"'
        return response

    @action(detail=True, methods=["post"])
    def remind(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        task = selectors.get_sent_task(request.user, pk)
        data = _valid(RemindIn, request)
        chosen = (
            list(task.receivers.filter(pk__in=data["receivers"])) if data["receivers"] else None
        )
        n = services.remind(task, actor=request.user, receivers=chosen)
        return Response({"reminded": n})

    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        task = selectors.get_sent_task(request.user, pk)
        services.close_task(task, actor=request.user)
        return Response({"closed": True})


def _receiver(request: AuthenticatedAPIRequest, receiver: Receiver) -> dict[str, Any]:
    return {
        "id": receiver.pk,
        "task": receiver.task_id,
        "title": receiver.task.title,
        "due_on": receiver.task.due_on,
        "place": receiver.place_id,
        "place_name": receiver.place.name,
        "state": receiver.state,
        "late": receiver.late,
        "submitted_at": receiver.submitted_at,
        "answers": receiver.answers,
        "photos": {str(p.field_id): p.pk for p in selectors.photos_of(receiver)},
        "rows": [
            {
                "id": row.pk,
                "position": row.position,
                "subject": selectors.row_label(request.user, row),
                "values": row.values,
            }
            for row in selectors.rows_of(receiver)[:1000]
        ],
    }


class ReceiverRow(serializers.Serializer):
    """A row of the receiver's to-do list (the schema of what `list` builds by hand)."""

    id = serializers.IntegerField()
    task = serializers.IntegerField()
    title = serializers.CharField()
    due_on = serializers.DateField()
    place_name = serializers.CharField()
    state = serializers.CharField()
    late = serializers.BooleanField()


@extend_schema_view(
    list=extend_schema(responses=ReceiverRow(many=True)),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    answers=extend_schema(request=AnswersIn, responses=OpenApiTypes.OBJECT),
    recall=extend_schema(request=None, responses=OpenApiTypes.OBJECT),
    reopen=extend_schema(request=ReasonIn, responses=OpenApiTypes.OBJECT),
)
class ReceiverViewSet(viewsets.GenericViewSet):
    serializer_class = ReceiverRow
    # Never read (the actions go through the scoped selectors): the schema's model.
    queryset = Receiver.objects.none()
    permission_classes = [Requires.any(FILL, SEND)]

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, FILL)
        page = self.paginate_queryset(selectors.todo(request.user))
        rows = [
            {
                "id": r.pk,
                "task": r.task_id,
                "title": r.task.title,
                "due_on": r.task.due_on,
                "place_name": r.place.name,
                "state": r.state,
                "late": r.late,
            }
            for r in (page if page is not None else [])
        ]
        return self.get_paginated_response(rows)

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return Response(_receiver(request, selectors.get_receiver(request.user, pk)))

    @action(detail=True, methods=["post"])
    def answers(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        receiver = selectors.get_receiver(request.user, pk)
        data = _valid(AnswersIn, request)
        saved = services.save_answers(
            receiver,
            actor=request.user,
            answers=data["answers"],
            rows=data["rows"],
            submit=data["submit"],
        )
        return Response(_receiver(request, selectors.get_receiver(request.user, saved.pk)))

    @action(detail=True, methods=["post"])
    def recall(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        receiver = selectors.get_receiver(request.user, pk)
        services.recall(receiver, actor=request.user)
        return Response({"state": "pending"})

    @action(detail=True, methods=["post"])
    def reopen(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        receiver = selectors.get_receiver(request.user, pk)
        data = _valid(ReasonIn, request)
        done = services.reopen(receiver, actor=request.user, reason=data["reason"])
        return Response({"state": done.state})
