"""Reads of task lists for a viewer, narrowed in the query.

A task is seen by whoever has KEYTASK_LIST_VIEW over its list's place, and by the staff of a
place named as one of its units (a community sees the street's tasks it leads or cooperates
on, and no other). The board sorts overdue first (list_status.annotate) and reads a page in a
fixed number of queries, however many tasks there are.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.keytasks import list_status
from gongzhi.keytasks.models import KeyTask, ProgressReport, TaskList, TaskUnit
from gongzhi.places.models import Place

VIEW = Action.KEYTASK_LIST_VIEW
MANAGE = Action.KEYTASK_LIST_MANAGE


def _pk(pk: object) -> int:
    text = str(pk)
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _visible(user: Viewer) -> Q:
    units = TaskUnit.objects.filter(access.scope_q(user, VIEW, "unit_path"), task=OuterRef("pk"))
    return access.scope_q(user, VIEW, "place_path") | Q(Exists(units))


def lists(user: Viewer) -> QuerySet[TaskList]:
    """The lists the viewer sees: of their area, or with a task naming their place."""
    units = TaskUnit.objects.filter(
        access.scope_q(user, VIEW, "unit_path"), task__task_list=OuterRef("pk")
    )
    return (
        TaskList.objects.filter(access.scope_q(user, VIEW, "place_path") | Q(Exists(units)))
        .select_related("place")
        .order_by("place_path", "-created_at", "-id")
    )


def owner_places(user: Viewer) -> QuerySet[Place]:
    """Where the viewer may create a list."""
    return access.scoped(
        Place.objects.filter(kind__in=("district", "street", "community")), user, MANAGE
    ).order_by("path")


def board(
    user: Viewer,
    *,
    task_list: TaskList | None = None,
    status: str = "",
    unit: str = "",
    text: str = "",
) -> QuerySet[Any]:
    """The viewer's tasks with `status_code`, overdue first, then by deadline."""
    visible = list(lists(user)) if task_list is None else [task_list]
    days = list_status.risk_days_of(visible)
    qs = KeyTask.objects.filter(_visible(user), task_list__in=[t.pk for t in visible])
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(paragraph__icontains=text))
    if unit:
        qs = qs.filter(Exists(TaskUnit.objects.filter(task=OuterRef("pk"), name__icontains=unit)))
    annotated = list_status.annotate(qs, days)
    if status in list_status.ORDER:
        annotated = annotated.filter(status_code=list_status.ORDER.index(status))
    return (
        annotated.select_related("task_list")
        .prefetch_related(Prefetch("units", queryset=TaskUnit.objects.order_by("position")))
        .order_by("status_code", "due_on", "task_list_id", "number")
    )


def get_list(user: Viewer, pk: object) -> TaskList:
    return get_object_or_404(lists(user), pk=_pk(pk))


def get_task(user: Viewer, pk: object) -> KeyTask:
    return get_object_or_404(
        KeyTask.objects.filter(_visible(user)).select_related(
            "task_list__place", "done_by", "verified_by"
        ),
        pk=_pk(pk),
    )


def reports_of(task: KeyTask) -> QuerySet[ProgressReport]:
    return task.reports.select_related("reported_by").prefetch_related("photos")


def may_manage(user: Viewer, task: KeyTask) -> bool:
    return access.can(user, MANAGE, task.place_path)
