"""The shown status of a key task, from its reported state and the dates, with the one clock.

    verified / done      reported (list_workflow.py)
    overdue              open and the deadline has passed
    at risk              open, a milestone behind its date, and the deadline within the
                         profile key `keytasks.at_risk_days` (platform default 30 days)
    not started          open, no progress reported and no milestone reached
    on track             every other open task

"The deadline" is the task's own, or the deadline of its latest supervision notice (督办单,
`supervised_due_on`) once one was issued (`deadline()`; `_deadline` in SQL).

The same rules are written twice: `status()` for one task in Python, `annotate()` as a SQL
CASE so the board filters and sorts (overdue first) in the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, profiles
from gongzhi.keytasks.models import KeyTask, KeyTaskState, Milestone, TaskList
from gongzhi.places.models import Place

RISK_KEY = "keytasks.at_risk_days"


class Status(models.TextChoices):
    OVERDUE = "overdue", _("Overdue")
    AT_RISK = "at_risk", _("At risk")
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")


# The board's order: overdue first.
ORDER = list(Status.values)


def risk_days(place: Place) -> int:
    """The key's value for the place's effective profile, else the platform default."""
    profile = profiles.effective_profile(place)
    value = profile.get(RISK_KEY) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[RISK_KEY].default
    return int(value or 0)


def risk_days_of(lists: Iterable[TaskList]) -> dict[int, int]:
    """list id → days, reading each distinct place's profile once."""
    by_place: dict[int, int] = {}
    out: dict[int, int] = {}
    for item in lists:
        if item.place_id not in by_place:
            by_place[item.place_id] = risk_days(item.place)
        out[item.pk] = by_place[item.place_id]
    return out


def deadline(task: KeyTask) -> dt.date:
    """The deadline that counts: the latest supervision notice's, else the task's own."""
    return task.supervised_due_on or task.due_on


def status(task: KeyTask, days: int, today: dt.date | None = None) -> str:
    today = today or clock.today()
    if task.state == KeyTaskState.VERIFIED:
        return Status.VERIFIED
    if task.state == KeyTaskState.DONE:
        return Status.DONE
    due = deadline(task)
    if due < today:
        return Status.OVERDUE
    milestones = list(task.milestones.all())
    behind = any(m.done_on is None and m.due_on < today for m in milestones)
    if behind and (due - today).days <= days:
        return Status.AT_RISK
    if task.last_report_at is None and not any(m.done_on for m in milestones):
        return Status.NOT_STARTED
    return Status.ON_TRACK


def annotate(qs: QuerySet[KeyTask], days_by_list: dict[int, int]) -> QuerySet[Any]:
    """`status_code` (an index into ORDER) and `_deadline` for every task, computed in SQL."""
    today = clock.today()
    behind = Exists(
        Milestone.objects.filter(task=OuterRef("pk"), done_on__isnull=True, due_on__lt=today)
    )
    reached = Exists(Milestone.objects.filter(task=OuterRef("pk"), done_on__isnull=False))
    by_days: dict[int, list[int]] = {}
    for list_id, days in days_by_list.items():
        by_days.setdefault(days, []).append(list_id)
    near = Q(pk__in=[])
    for days, ids in by_days.items():
        near |= Q(task_list_id__in=ids, _deadline__lte=today + dt.timedelta(days=days))
    open_ = Q(state=KeyTaskState.OPEN)
    # The two milestone checks only feed the CASE: aliased, not selected (on PostgreSQL,
    # selecting them ran both subqueries again for every row: 59 → 42 ms for a 20,000-task
    # board, bench/keytasks.py).
    return (
        qs.alias(_behind=behind, _reached=reached)
        .annotate(_deadline=Coalesce("supervised_due_on", "due_on"))
        .annotate(
            status_code=Case(
                When(state=KeyTaskState.VERIFIED, then=Value(ORDER.index(Status.VERIFIED))),
                When(state=KeyTaskState.DONE, then=Value(ORDER.index(Status.DONE))),
                When(open_ & Q(_deadline__lt=today), then=Value(ORDER.index(Status.OVERDUE))),
                When(open_ & Q(_behind=True) & near, then=Value(ORDER.index(Status.AT_RISK))),
                When(
                    open_ & Q(last_report_at__isnull=True, _reached=False),
                    then=Value(ORDER.index(Status.NOT_STARTED)),
                ),
                default=Value(ORDER.index(Status.ON_TRACK)),
                output_field=IntegerField(),
            )
        )
    )


def code_of(task: KeyTask) -> int:
    """The `status_code` that `annotate` put on a task."""
    return int(vars(task)["status_code"])


def label(code: int) -> str:
    return str(Status(ORDER[code]).label)
