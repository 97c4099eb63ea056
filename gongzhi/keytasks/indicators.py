"""The key-task indicators (issue 21): key tasks done on time, overdue key tasks, and sent-down
task forms filled in on time. One aggregate query each, grouped by the place.

A key task belongs to the place whose task list it is on (the list's owner: a community or a
street); its own deadline (`due_on`) counts, not a later supervision deadline. A sent-down form
belongs to the place that received it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.indicators import Direction, Indicator, Period, Value, register
from gongzhi.keytasks.models import KeyTask, KeyTaskState, Receiver, ReceiverState

if TYPE_CHECKING:
    from gongzhi.places.models import Place

LEVELS = ("community", "street")
DONE = (KeyTaskState.DONE, KeyTaskState.VERIFIED)


def _task_counts(places: Sequence[Place], period: Period) -> dict[int, dict[str, int]]:
    """Per owning place: tasks due in the period (`due`), of them done by their deadline
    (`on_time`), tasks whose deadline has passed (`passed`) and of those done in time
    (`passed_on_time`)."""
    ids = [p.pk for p in places if p.kind in LEVELS]
    if not ids:
        return {}
    today = clock.today()
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    on_time = Q(state__in=DONE, done_day__lte=F("due_on"))
    rows = (
        KeyTask.objects.filter(
            task_list__place_id__in=ids, due_on__gte=period.start, due_on__lt=period.end
        )
        .annotate(done_day=TruncDate("done_at", tzinfo=zone))
        .values("task_list__place_id")
        .annotate(
            due=Count("pk"),
            on_time=Count("pk", filter=on_time),
            passed=Count("pk", filter=Q(due_on__lt=today)),
            passed_on_time=Count("pk", filter=on_time & Q(due_on__lt=today)),
        )
        .order_by()
    )
    return {
        row["task_list__place_id"]: {
            "due": row["due"],
            "on_time": row["on_time"],
            "passed": row["passed"],
            "passed_on_time": row["passed_on_time"],
        }
        for row in rows
    }


def done_on_time(places: Sequence[Place], period: Period) -> dict[int, Value]:
    return {
        pk: Value.share(row["on_time"], row["due"])
        for pk, row in _task_counts(places, period).items()
    }


def overdue(places: Sequence[Place], period: Period) -> dict[int, Value]:
    """A place with no key task due in the period has no data (it may keep no task list)."""
    return {
        pk: Value.count(row["passed"] - row["passed_on_time"])
        for pk, row in _task_counts(places, period).items()
    }


def forms_on_time(places: Sequence[Place], period: Period) -> dict[int, Value]:
    ids = [p.pk for p in places if p.kind in LEVELS]
    if not ids:
        return {}
    today = clock.today()
    submitted = Q(state=ReceiverState.SUBMITTED, late=False)
    rows = (
        Receiver.objects.filter(
            place_id__in=ids, task__due_on__gte=period.start, task__due_on__lt=period.end
        )
        .filter(Q(task__due_on__lt=today) | submitted)
        .values("place_id")
        .annotate(total=Count("pk"), on_time=Count("pk", filter=submitted))
        .order_by()
    )
    return {row["place_id"]: Value.share(row["on_time"], row["total"]) for row in rows}


INDICATORS = (
    Indicator(
        code="keytasks.done_on_time",
        name=_("Key tasks done on time"),
        unit="%",
        direction=Direction.HIGHER,
        definition=_(
            "Key tasks on the place's own task lists whose deadline falls in the period and that "
            "were reported done (or verified) by their deadline, as a share of those tasks."
        ),
        compute=done_on_time,
        levels=LEVELS,
    ),
    Indicator(
        code="keytasks.overdue",
        name=_("Overdue key tasks"),
        unit="项",
        direction=Direction.LOWER,
        definition=_(
            "Key tasks on the place's own task lists whose deadline falls in the period and has "
            "passed, and that were not reported done by it (done late or still open)."
        ),
        compute=overdue,
        levels=LEVELS,
    ),
    Indicator(
        code="keytasks.forms_on_time",
        name=_("Sent-down forms filled in on time"),
        unit="%",
        direction=Direction.HIGHER,
        definition=_(
            "Forms of sent-down tasks received by the place, whose deadline falls in the period, "
            "submitted and not late, as a share of those forms whose deadline has passed or that "
            "are submitted."
        ),
        compute=forms_on_time,
        levels=LEVELS,
    ),
)


def register_all() -> None:
    register(*INDICATORS)
