"""Every write of task lists (任务清单): one transaction, the access check (404 outside the
actor's scope, 403 inside it without the right), one audit record; a refusal raises a
ValidationError with a clear message and writes nothing.

Who does what (gongzhi/core/roles.py):
- KEYTASK_LIST_MANAGE over the list's place: create or import a list, add tasks and
  milestones, verify a task reported done (or return it) — a rectification task of an
  inspection (inspections.py) only by the inspector who recorded it;
- KEYTASK_LIST_REPORT over the list's place or over the place of a unit named on the task:
  report progress (text, photos, milestones reached), report the task done.
Verification locks the task row (select_for_update) and re-reads its state: of two officers
verifying at once, one verifies and the other is told it is already verified.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, photos
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.keytasks import list_workflow
from gongzhi.keytasks.list_workflow import Step
from gongzhi.keytasks.models import (
    Inspection,
    KeyTask,
    Milestone,
    ProgressPhoto,
    ProgressReport,
    TaskList,
    TaskUnit,
    UnitRole,
)
from gongzhi.places.models import Place, PlaceKind

VIEW = Action.KEYTASK_LIST_VIEW
MANAGE = Action.KEYTASK_LIST_MANAGE
REPORT = Action.KEYTASK_LIST_REPORT
OWNER_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY)
MAX_TASKS = 500
MAX_UNITS = 40
MAX_OFFICES = 60


@dataclass(frozen=True)
class Unit:
    """A unit as the list names it: a place of the platform, or an office by name."""

    name: str
    place: Place | None = None


@dataclass(frozen=True)
class TaskSpec:
    title: str
    due_on: dt.date
    paragraph: str = ""
    lead: Unit | None = None
    cooperating: Sequence[Unit] = field(default_factory=tuple)
    milestones: Sequence[tuple[str, dt.date]] = field(default_factory=tuple)


def _clean_offices(offices: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in offices:
        name = name.strip()
        if name and name not in out:
            out.append(name[:60])
    if len(out) > MAX_OFFICES:
        raise ValidationError(_("At most %(n)s offices.") % {"n": MAX_OFFICES})
    return out


def create_list(
    place: Place,
    *,
    actor: User,
    title: str,
    period: str,
    source: str = "",
    offices: Iterable[str] = (),
    tasks: Sequence[TaskSpec] = (),
) -> TaskList:
    """A new list of the place, with its tasks (all or nothing)."""
    title, period = title.strip(), period.strip()
    with transaction.atomic():
        grant = access.require(actor, MANAGE, place.path, read_action=VIEW)
        if place.kind not in OWNER_KINDS:
            raise ValidationError(_("A task list belongs to a district, street or community."))
        if not title or not period:
            raise ValidationError(_("A task list needs a title and a period."))
        if len(tasks) > MAX_TASKS:
            raise ValidationError(_("At most %(n)s tasks in one list.") % {"n": MAX_TASKS})
        if TaskList.objects.filter(place=place, title=title).exists():
            raise ValidationError(_("This place already has a task list of this title."))
        task_list = TaskList.objects.create(
            place=place,
            place_path=place.path,
            title=title[:160],
            period=period[:40],
            source=source.strip()[:200],
            offices=_clean_offices(offices),
            created_by=actor,
        )
        for number, spec in enumerate(tasks, start=1):
            add_task(task_list, number, spec)
        audit.record(
            actor=actor,
            action="keytasks.list_create",
            target=task_list,
            place_path=place.path,
            changes={"title": task_list.title, "period": task_list.period, "tasks": len(tasks)},
            post=grant.post,
        )
    return task_list


def add_task(task_list: TaskList, number: int, spec: TaskSpec) -> KeyTask:
    """One task of a list, inside the caller's transaction (after its access check)."""
    if not spec.title.strip():
        raise ValidationError(_("Task %(n)s has no title.") % {"n": number})
    if spec.lead is None:
        raise ValidationError(_("Task %(n)s has no lead unit.") % {"n": number})
    units = [spec.lead, *spec.cooperating]
    if len(units) > MAX_UNITS:
        raise ValidationError(_("At most %(n)s units on one task.") % {"n": MAX_UNITS})
    for unit in units:
        if unit.place is not None and not unit.place.path.startswith(task_list.place_path):
            raise ValidationError(
                _("“%(name)s” is not under the list's place.") % {"name": unit.place.name}
            )
    task = KeyTask.objects.create(
        task_list=task_list,
        place_path=task_list.place_path,
        number=number,
        title=spec.title.strip()[:500],
        paragraph=spec.paragraph.strip()[:200],
        due_on=spec.due_on,
    )
    TaskUnit.objects.bulk_create(
        TaskUnit(
            task=task,
            role=UnitRole.LEAD if i == 0 else UnitRole.COOPERATING,
            place=unit.place,
            unit_path=unit.place.path if unit.place is not None else "",
            name=(unit.place.name if unit.place is not None else unit.name)[:60],
            position=i,
        )
        for i, unit in enumerate(units)
    )
    Milestone.objects.bulk_create(
        Milestone(task=task, title=title.strip()[:200], due_on=on) for title, on in spec.milestones
    )
    return task


def add_milestone(task: KeyTask, *, actor: User, title: str, due_on: dt.date) -> Milestone:
    title = title.strip()
    with transaction.atomic():
        grant = _require_manage(actor, task)
        if not title:
            raise ValidationError(_("A milestone needs a title."))
        if due_on > task.due_on:
            raise ValidationError(_("A milestone cannot fall after the task's deadline."))
        milestone = Milestone.objects.create(task=task, title=title[:200], due_on=due_on)
        audit.record(
            actor=actor,
            action="keytasks.milestone_add",
            target=task,
            place_path=task.place_path,
            changes={"milestone": milestone.title, "due_on": due_on},
            post=grant.post,
        )
    return milestone


def may_report(actor: User, task: KeyTask) -> bool:
    if access.can(actor, REPORT, task.place_path):
        return True
    paths = [p for p in task.units.values_list("unit_path", flat=True) if p]
    return any(access.can(actor, REPORT, p) for p in paths)


def _sees(actor: User, task: KeyTask) -> bool:
    if access.can(actor, VIEW, task.place_path):
        return True
    paths = [p for p in task.units.values_list("unit_path", flat=True) if p]
    return any(access.can(actor, VIEW, p) for p in paths)


def _require_report(actor: User, task: KeyTask) -> None:
    """A reporter of the list's place or of a unit's place; 403 if the actor sees the task
    but may not report, 404 if they do not see it."""
    if may_report(actor, task):
        return
    raise PermissionDenied if _sees(actor, task) else Http404


def _require_manage(actor: User, task: KeyTask) -> access.Grant:
    grant = access.grant_for(actor, MANAGE, task.place_path)
    if grant is not None:
        return grant
    raise PermissionDenied if _sees(actor, task) else Http404


def _locked(task: KeyTask) -> KeyTask:
    return KeyTask.objects.select_for_update().get(pk=task.pk)


def report_progress(
    task: KeyTask,
    *,
    actor: User,
    text: str,
    reached: Iterable[int] = (),
    uploads: Sequence[IO[bytes]] = (),
) -> ProgressReport:
    """A progress report with its evidence; `reached` marks milestones reached today."""
    text = text.strip()
    prepared = photos.prepare(list(uploads)) if uploads else []
    with photos.files_removed_on_error() as written, transaction.atomic():
        _require_report(actor, task)
        task = _locked(task)
        if task.state != "open":
            raise ValidationError(_("This task has been reported done; no more progress."))
        if not text:
            raise ValidationError(_("Describe the progress."))
        if len(text) > 2000:
            raise ValidationError(_("The progress text is longer than 2,000 characters."))
        now = clock.now()
        report = ProgressReport.objects.create(
            task=task, text=text, reported_by=actor, reported_at=now
        )
        photos.write(ProgressPhoto, prepared, user=actor, written=written, report=report)
        ids = [int(i) for i in reached]
        marked = task.milestones.filter(pk__in=ids, done_on__isnull=True).update(
            done_on=clock.today()
        )
        task.last_report_at = now
        task.save(update_fields=["last_report_at"])
        audit.record(
            actor=actor,
            action="keytasks.progress",
            target=task,
            place_path=task.place_path,
            changes={"photos": len(prepared), "milestones_reached": marked},
        )
    return report


def step(task: KeyTask, step: str, *, actor: User) -> KeyTask:
    """Report done (a reporter), verify or return (an officer of the list's place)."""
    with transaction.atomic():
        if step == Step.DONE:
            _require_report(actor, task)
            post = None
        elif step in (Step.VERIFY, Step.RETURN):
            post = _require_manage(actor, task).post
            inspector = (
                Inspection.objects.filter(task_list_id=task.task_list_id)
                .values_list("inspector_id", flat=True)
                .first()
            )
            if inspector is not None and inspector != actor.pk:
                raise ValidationError(
                    _("A rectification task is verified by the inspector who found it.")
                )
        else:
            raise Http404
        task = _locked(task)
        try:
            new = list_workflow.target(task.state, step)
        except list_workflow.IllegalTransition as error:
            raise ValidationError(error.message) from error
        old = task.state
        now = clock.now()
        task.state = new
        if step == Step.DONE:
            task.done_at, task.done_by = now, actor
        elif step == Step.VERIFY:
            task.verified_at, task.verified_by = now, actor
        else:
            task.done_at, task.done_by = None, None
        task.save(update_fields=["state", "done_at", "done_by", "verified_at", "verified_by"])
        audit.record(
            actor=actor,
            action=f"keytasks.task_{step}",
            target=task,
            place_path=task.place_path,
            changes={"state": [old, new]},
            post=post,
        )
    return task
