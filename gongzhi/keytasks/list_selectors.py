"""Reads of task lists for a viewer, narrowed in the query.

A task is seen by whoever has KEYTASK_LIST_VIEW over its list's place, and by the staff of a
place named as one of its units (a community sees the street's tasks it leads or cooperates
on, and no other). The board sorts overdue first (list_status.annotate) and reads a page in a
fixed number of queries, however many tasks there are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.core import access, clock
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.keytasks import list_status
from gongzhi.keytasks.models import (
    Inspection,
    KeyTask,
    KeyTaskState,
    ProgressReport,
    SupervisionNotice,
    Talk,
    TaskList,
    TaskUnit,
)
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
        .order_by("status_code", "_deadline", "task_list_id", "number")
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


def inspector_of(task: KeyTask) -> Any:
    """The inspector who verifies a rectification task (None for other tasks)."""
    found = (
        Inspection.objects.filter(task_list_id=task.task_list_id)
        .select_related("inspector")
        .first()
    )
    return found.inspector if found is not None else None


def may_manage(user: Viewer, task: KeyTask) -> bool:
    return access.can(user, MANAGE, task.place_path)


# --------------------------------------------------------------------------- supervision list


def list_places(user: Viewer) -> QuerySet[Place]:
    """The places owning lists the viewer sees (the supervision list's place filter)."""
    return Place.objects.filter(pk__in=lists(user).values("place_id")).order_by("path")


def open_notices(user: Viewer, place: Place | None = None) -> QuerySet[SupervisionNotice]:
    """The latest notice of every open task the viewer sees, under `place` if given, the
    supervision deadline first (a passed one is due a talk)."""
    later = SupervisionNotice.objects.filter(task=OuterRef("task"), pk__gt=OuterRef("pk"))
    qs = SupervisionNotice.objects.filter(
        ~Exists(later),
        task__in=KeyTask.objects.filter(_visible(user), state=KeyTaskState.OPEN),
    )
    if place is not None:
        qs = qs.filter(place_path__under=place.path)
    return qs.select_related("task__task_list", "issued_by").order_by("due_on", "id")


def talks(user: Viewer, place: Place | None = None) -> QuerySet[Talk]:
    qs = Talk.objects.filter(task__in=KeyTask.objects.filter(_visible(user)))
    if place is not None:
        qs = qs.filter(place_path__under=place.path)
    return qs.select_related("task", "notice", "recorded_by").order_by("-held_on", "-id")


# --------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class Bar:
    """One task on the timeline: where its bar starts and how wide it is, in percent."""

    task: KeyTask
    status: str
    label: str
    left: float
    width: float
    late: float  # an overdue task's bar beyond its deadline up to today
    late_left: float
    deadline: dt.date
    marks: tuple[tuple[float, str, bool], ...]  # milestones: (position %, title, reached)


def timeline(user: Viewer, task_list: TaskList) -> dict[str, Any]:
    """The list's tasks as bars from the list's start to each deadline that counts (a
    supervision notice's when one was issued), milestones as marks, and today's line."""
    qs = board(user, task_list=task_list).prefetch_related("milestones")[:500]
    tasks = list(qs)
    today = clock.today()
    start = min(
        [task_list.created_at.date(), today] + [m.due_on for t in tasks for m in t.milestones.all()]
    )
    end = max(
        [today + dt.timedelta(days=1)]
        + [t.supervised_due_on or t.due_on for t in tasks]
        + [t.due_on for t in tasks]
    )
    span = max((end - start).days, 1)

    def at(day: dt.date) -> float:
        return round(100 * (day - start).days / span, 2)

    begun = at(task_list.created_at.date())
    bars = []
    for t in tasks:
        code = list_status.code_of(t)
        due = t.supervised_due_on or t.due_on
        status = list_status.ORDER[code]
        bars.append(
            Bar(
                task=t,
                status=status,
                label=list_status.label(code),
                left=min(begun, at(due)),
                width=round(max(at(due) - min(begun, at(due)), 0.5), 2),
                late=round(max(at(today) - at(due), 0.0), 2) if status == "overdue" else 0.0,
                late_left=at(due),
                deadline=due,
                marks=tuple(
                    (at(m.due_on), m.title, m.done_on is not None) for m in t.milestones.all()
                ),
            )
        )
    # At most about twelve labels (a month, a quarter, half a year… apart) so they never
    # overlap, and none so near the right edge that it would run past it.
    count = (end.year - start.year) * 12 + end.month - start.month + 1
    step = max(1, -(-count // 12))
    months = []
    day = dt.date(start.year, start.month, 1)
    index = 0
    while day <= end:
        if day >= start and index % step == 0 and at(day) <= 94:
            months.append((at(day), f"{day:%Y-%m}"))
        index += 1
        day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return {"bars": bars, "start": start, "end": end, "today": at(today), "months": months}
