"""Task lists under /api/v1/:

GET  /api/v1/list-tasks/                 the board: ?list=<id>&status=<overdue|at_risk|…>
                                         &unit=<text>, overdue first (KEYTASK_LIST_VIEW)
GET  /api/v1/list-tasks/{id}/            a task with units, milestones, progress reports
POST /api/v1/list-tasks/{id}/progress/   {"text", "reached": [milestone ids]}
POST /api/v1/list-tasks/{id}/done/       report done (a reporter of the task)
POST /api/v1/list-tasks/{id}/verify/     verify (an officer of the list's place)
POST /api/v1/list-tasks/{id}/return/     return as not done (the same)
POST /api/v1/list-tasks/{id}/supervise/  {"reason", "due_on"}: a supervision notice (督办单) on an
                                         overdue or at-risk task (KEYTASK_SUPERVISE)
POST /api/v1/list-tasks/{id}/talk/       {"held_on", "talked_to", "minutes"}: a talk (约谈),
                                         only after the supervision deadline has passed
GET  /api/v1/supervision/                open supervision notices ?place=<id> (KEYTASK_LIST_VIEW)
GET  /api/v1/inspections/                inspections of the communities one sees
POST /api/v1/inspections/                {"community", "kind", "held_on", "summary",
                                         "findings": [{"text", "due_on"}]} (KEYTASK_INSPECT)
GET  /api/v1/inspections/{id}/           one inspection with its rectification tasks

Errors: 400 bad input or refused, 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import clock
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.keytasks import inspections, list_selectors, list_services, list_status, supervision
from gongzhi.keytasks.inspections import Finding
from gongzhi.keytasks.list_workflow import Step
from gongzhi.keytasks.models import Inspection, InspectionKind, KeyTask, SupervisionNotice

VIEW = Action.KEYTASK_LIST_VIEW
INSPECT = Action.KEYTASK_INSPECT
MAX_ID = 2**31 - 1


class ProgressIn(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    reached = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=100,
    )


class NoticeIn(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)
    due_on = serializers.DateField()


class TalkIn(serializers.Serializer):
    held_on = serializers.DateField()
    talked_to = serializers.CharField(max_length=200)
    minutes = serializers.CharField(max_length=5000)


class FindingIn(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    due_on = serializers.DateField()


class InspectionIn(serializers.Serializer):
    community = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    held_on = serializers.DateField()
    summary = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)
    findings = FindingIn(many=True, required=False, default=list)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _units(task: KeyTask) -> list[dict[str, Any]]:
    return [{"role": u.role, "name": u.name, "place": u.place_id} for u in task.units.all()]


# The schema of the rows the list actions below build by hand (/api/v1/schema/).
class UnitRow(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField()
    place = serializers.IntegerField(allow_null=True)


class ListTaskRow(serializers.Serializer):
    id = serializers.IntegerField()
    list = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    paragraph = serializers.CharField()
    due_on = serializers.DateField()
    status = serializers.CharField()
    units = UnitRow(many=True)


class NoticeRow(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    task = serializers.IntegerField()
    title = serializers.CharField()
    reason = serializers.CharField()
    due_on = serializers.DateField()
    passed = serializers.BooleanField()


class InspectionRow(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.IntegerField()
    kind = serializers.CharField()
    held_on = serializers.DateField()
    task_list = serializers.IntegerField(allow_null=True)


_STEP = extend_schema(request=None, responses=OpenApiTypes.OBJECT)


@extend_schema_view(
    list=extend_schema(responses=ListTaskRow(many=True)),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    progress=extend_schema(request=ProgressIn, responses=OpenApiTypes.OBJECT),
    done=_STEP,
    verify=_STEP,
    return_=_STEP,
    supervise=extend_schema(request=NoticeIn, responses=OpenApiTypes.OBJECT),
    talk=extend_schema(request=TalkIn, responses=OpenApiTypes.OBJECT),
)
class ListTaskViewSet(viewsets.GenericViewSet):
    serializer_class = ListTaskRow
    # Never read (the actions go through the scoped selectors): the schema's model.
    queryset = KeyTask.objects.none()
    permission_classes = [Requires.any(VIEW)]

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        user = request.user
        chosen = None
        wanted = str(request.query_params.get("list", ""))
        if wanted:
            chosen = list_selectors.get_list(user, wanted)
        status = str(request.query_params.get("status", ""))
        qs = list_selectors.board(
            user,
            task_list=chosen,
            status=status if status in list_status.ORDER else "",
            unit=str(request.query_params.get("unit", ""))[:60],
        )
        page = self.paginate_queryset(qs)
        rows = [
            {
                "id": t.pk,
                "list": t.task_list_id,
                "number": t.number,
                "title": t.title,
                "paragraph": t.paragraph,
                "due_on": t.due_on,
                "status": list_status.ORDER[list_status.code_of(t)],
                "units": _units(t),
            }
            for t in (page if page is not None else [])
        ]
        return self.get_paginated_response(rows)

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        task = list_selectors.get_task(request.user, pk)
        days = list_status.risk_days(task.task_list.place)
        return Response(
            {
                "id": task.pk,
                "list": task.task_list_id,
                "number": task.number,
                "title": task.title,
                "paragraph": task.paragraph,
                "due_on": task.due_on,
                "state": task.state,
                "status": list_status.status(task, days),
                "units": _units(task),
                "milestones": [
                    {"id": m.pk, "title": m.title, "due_on": m.due_on, "done_on": m.done_on}
                    for m in task.milestones.all()
                ],
                "reports": [
                    {
                        "text": r.text,
                        "reported_at": r.reported_at,
                        "photos": [p.pk for p in r.photos.all()],
                    }
                    for r in list_selectors.reports_of(task)[:200]
                ],
            }
        )

    @action(detail=True, methods=["post"])
    def progress(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        task = list_selectors.get_task(request.user, pk)
        data = _valid(ProgressIn, request)
        report = list_services.report_progress(
            task, actor=request.user, text=data["text"], reached=data["reached"]
        )
        return Response({"report": report.pk}, status=201)

    def _step(self, request: AuthenticatedAPIRequest, pk: str | None, step: str) -> Response:
        task = list_selectors.get_task(request.user, pk)
        task = list_services.step(task, step, actor=request.user)
        return Response({"state": task.state})

    @action(detail=True, methods=["post"])
    def done(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(request, pk, Step.DONE)

    @action(detail=True, methods=["post"])
    def verify(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(request, pk, Step.VERIFY)

    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(request, pk, Step.RETURN)

    @action(detail=True, methods=["post"])
    def supervise(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        task = list_selectors.get_task(request.user, pk)
        data = _valid(NoticeIn, request)
        notice = supervision.issue_notice(
            task, actor=request.user, reason=data["reason"], due_on=data["due_on"]
        )
        return Response({"id": notice.pk, "number": notice.number}, status=201)

    @action(detail=True, methods=["post"])
    def talk(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        task = list_selectors.get_task(request.user, pk)
        data = _valid(TalkIn, request)
        talk = supervision.record_talk(
            task,
            actor=request.user,
            held_on=data["held_on"],
            talked_to=data["talked_to"],
            minutes=data["minutes"],
        )
        return Response({"id": talk.pk}, status=201)


@extend_schema_view(list=extend_schema(responses=NoticeRow(many=True)))
class SupervisionViewSet(viewsets.GenericViewSet):
    serializer_class = NoticeRow
    queryset = SupervisionNotice.objects.none()
    permission_classes = [Requires.any(VIEW)]

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        user = request.user
        place = None
        wanted = str(request.query_params.get("place", ""))
        if wanted:
            place = next((p for p in list_selectors.list_places(user) if str(p.pk) == wanted), None)
            if place is None:
                raise Http404
        today = clock.today()
        page = self.paginate_queryset(list_selectors.open_notices(user, place))
        rows = [
            {
                "id": n.pk,
                "number": n.number,
                "task": n.task_id,
                "title": n.task.title,
                "reason": n.reason,
                "due_on": n.due_on,
                "passed": n.due_on < today,
            }
            for n in (page if page is not None else [])
        ]
        return self.get_paginated_response(rows)


@extend_schema_view(
    list=extend_schema(responses=InspectionRow(many=True)),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    create=extend_schema(request=InspectionIn, responses=OpenApiTypes.OBJECT),
)
class InspectionViewSet(viewsets.GenericViewSet):
    serializer_class = InspectionRow
    queryset = Inspection.objects.none()
    permission_classes = [Requires.any(VIEW)]

    def get_permissions(self) -> list[Any]:
        if self.action == "create":
            return [Requires.any(INSPECT)()]
        return list(super().get_permissions())

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        page = self.paginate_queryset(inspections.inspections(request.user))
        rows = [
            {
                "id": i.pk,
                "community": i.community_id,
                "kind": i.kind,
                "held_on": i.held_on,
                "task_list": i.task_list_id,
            }
            for i in (page if page is not None else [])
        ]
        return self.get_paginated_response(rows)

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        user = request.user
        item = inspections.get_inspection(user, pk)
        tasks = (
            list(list_selectors.board(user, task_list=item.task_list))
            if item.task_list is not None
            else []
        )
        return Response(
            {
                "id": item.pk,
                "community": item.community_id,
                "kind": item.kind,
                "held_on": item.held_on,
                "summary": item.summary,
                "inspector": item.inspector_id,
                "findings": [
                    {
                        "task": t.pk,
                        "text": t.title,
                        "due_on": t.due_on,
                        "status": list_status.ORDER[list_status.code_of(t)],
                    }
                    for t in tasks
                ],
            }
        )

    def create(self, request: AuthenticatedAPIRequest) -> Response:
        user = request.user
        data = _valid(InspectionIn, request)
        community = inspections.inspectable(user).filter(pk=data["community"]).first()
        if community is None:
            raise Http404
        item = inspections.record_inspection(
            community,
            actor=user,
            kind=data["kind"],
            held_on=data["held_on"],
            summary=data["summary"],
            findings=[Finding(f["text"], f["due_on"]) for f in data["findings"]],
        )
        return Response({"id": item.pk, "task_list": item.task_list_id}, status=201)
