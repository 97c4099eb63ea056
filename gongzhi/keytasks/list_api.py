"""Task lists under /api/v1/:

GET  /api/v1/list-tasks/                 the board: ?list=<id>&status=<overdue|at_risk|…>
                                         &unit=<text>, overdue first (KEYTASK_LIST_VIEW)
GET  /api/v1/list-tasks/{id}/            a task with units, milestones, progress reports
POST /api/v1/list-tasks/{id}/progress/   {"text", "reached": [milestone ids]}
POST /api/v1/list-tasks/{id}/done/       report done (a reporter of the task)
POST /api/v1/list-tasks/{id}/verify/     verify (an officer of the list's place)
POST /api/v1/list-tasks/{id}/return/     return as not done (the same)

Errors: 400 bad input or refused, 403 the role may not, 404 not visible.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.keytasks import list_selectors, list_services, list_status
from gongzhi.keytasks.list_workflow import Step
from gongzhi.keytasks.models import KeyTask

VIEW = Action.KEYTASK_LIST_VIEW
MAX_ID = 2**31 - 1


class ProgressIn(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    reached = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        default=list,
        max_length=100,
    )


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def _units(task: KeyTask) -> list[dict[str, Any]]:
    return [{"role": u.role, "name": u.name, "place": u.place_id} for u in task.units.all()]


class ListTaskViewSet(viewsets.GenericViewSet):
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
