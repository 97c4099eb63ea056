"""Supervision of key tasks (督办, issue 17 item 2): escalation, reminders, supervision notices
and talks. Every write is one transaction with the access check and an audit record.

- **Escalation** (`sweep`, the daily job in tasks.py): an open task that is at risk or overdue
  is escalated to its list's owner — the officers who keep lists at the list's place
  (KEYTASK_LIST_MANAGE there) and the list's creator — once per task, status and deadline
  (an `Escalation` row, unique), so running the sweep again sends nothing.
- **Reminders**: `keytasks.reminder_days` (platform default 3, no seed sets it) before the
  deadline that counts, the staff of the task's units (KEYTASK_LIST_REPORT at a unit's place;
  the owner when every unit is an office) are reminded, once per task and deadline. Both go
  through the notification centre, which passes them to the installation's senders
  (settings.NOTIFY_SENDERS: the kernel's SMS sender where it is configured).
- **Supervision notice** (督办单, `issue_notice`): an officer over the list's place
  (KEYTASK_SUPERVISE) gives an overdue or at-risk task a reason and a new deadline later than
  today; notices are numbered per place and year (督办〔2026〕3号) under a lock of the place
  row; the task's status then counts from the new deadline.
- **Talk** (约谈, `record_talk`): only for a task still open after its latest notice's deadline,
  with the date, who was talked to and the minutes. Refused before that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, gates, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.notifications import notify
from gongzhi.core.roles import Action
from gongzhi.keytasks import list_status
from gongzhi.keytasks.list_status import Status
from gongzhi.keytasks.models import (
    Escalation,
    EscalationKind,
    KeyTask,
    KeyTaskState,
    SupervisionNotice,
    Talk,
    TaskList,
)
from gongzhi.places.models import Place

SUPERVISE = Action.KEYTASK_SUPERVISE
VIEW = Action.KEYTASK_LIST_VIEW
REMINDER_KEY = "keytasks.reminder_days"
REASON_MAX = 1000
MINUTES_MAX = 5000


def reminder_days(place: Place) -> int:
    """The key's value for the place's effective profile, else the platform default."""
    profile = profiles.effective_profile(place)
    value = profile.get(REMINDER_KEY) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[REMINDER_KEY].default
    return int(value or 0)


# --------------------------------------------------------------------------- who is told


def owners_of(task_list: TaskList) -> set[int]:
    """The list's owner: the officers keeping lists at its place, and its creator."""
    roles = gates.roles_with(Action.KEYTASK_LIST_MANAGE)
    ids = set(
        Post.objects.filter(
            place_id=task_list.place_id, role__in=roles, is_active=True
        ).values_list("user_id", flat=True)
    )
    ids.add(task_list.created_by_id)
    return ids


def reporters_of(task: KeyTask) -> set[int]:
    """The staff of the task's unit places who report on it; the owner if none."""
    places = [p for p in task.units.values_list("place_id", flat=True) if p]
    roles = gates.roles_with(Action.KEYTASK_LIST_REPORT)
    ids = set(
        Post.objects.filter(place_id__in=places, role__in=roles, is_active=True).values_list(
            "user_id", flat=True
        )
    )
    return ids or owners_of(task.task_list)


def _link(task: KeyTask) -> str:
    return reverse("keytasks:list_task", args=[task.pk])


# --------------------------------------------------------------------------- the daily sweep


def _once(task: KeyTask, kind: str, deadline: dt.date) -> bool:
    """Insert the escalation row; False when this one was already sent."""
    try:
        with transaction.atomic():
            Escalation.objects.create(task=task, kind=kind, deadline=deadline)
    except IntegrityError:
        return False
    return True


def _escalate(task: KeyTask, kind: str, deadline: dt.date) -> bool:
    with transaction.atomic():
        if not _once(task, kind, deadline):
            return False
        with translation.override(settings.LANGUAGE_CODE):
            if kind == EscalationKind.OVERDUE:
                text = _("Key task overdue: %(title)s (deadline %(day)s).")
            elif kind == EscalationKind.AT_RISK:
                text = _("Key task at risk: %(title)s (deadline %(day)s).")
            else:
                text = _("Reminder: the key task “%(title)s” is due on %(day)s.")
            text = text % {"title": task.title[:80], "day": deadline.isoformat()}
        users = reporters_of(task) if kind == EscalationKind.REMINDER else owners_of(task.task_list)
        notify(users, verb=f"keytask_{kind}", text=text, link=_link(task))
        audit.record(
            actor=None,
            action="keytasks.escalate" if kind != EscalationKind.REMINDER else "keytasks.remind",
            target=task,
            place_path=task.place_path,
            changes={"kind": kind, "deadline": deadline.isoformat(), "notified": len(users)},
        )
    return True


def _not_sent(qs: QuerySet[KeyTask], kind: str) -> QuerySet[KeyTask]:
    sent = Escalation.objects.filter(task=OuterRef("pk"), kind=kind, deadline=OuterRef("_deadline"))
    return qs.filter(~Exists(sent))


def sweep() -> int:
    """Escalate at-risk and overdue tasks to their list's owner and remind the units before
    the deadline; each once per task, kind and deadline. Returns the notifications sent."""
    today = clock.today()
    open_tasks = KeyTask.objects.filter(state=KeyTaskState.OPEN)
    lists = list(TaskList.objects.filter(pk__in=open_tasks.values("task_list_id")))
    days = list_status.risk_days_of(lists)
    sent = 0
    annotated = list_status.annotate(open_tasks, days)
    for status, kind in (
        (Status.OVERDUE, EscalationKind.OVERDUE),
        (Status.AT_RISK, EscalationKind.AT_RISK),
    ):
        code = list_status.ORDER.index(status)
        qs = _not_sent(annotated.filter(status_code=code), kind).select_related("task_list")
        for task in qs.order_by("pk"):
            sent += _escalate(task, kind, vars(task)["_deadline"])
    by_place: dict[int, int] = {}
    for item in lists:
        if item.place_id not in by_place:
            by_place[item.place_id] = reminder_days(item.place)
    widest = max(by_place.values(), default=0)
    if widest:
        near = _not_sent(
            annotated.filter(
                _deadline__gte=today, _deadline__lte=today + dt.timedelta(days=widest)
            ),
            EscalationKind.REMINDER,
        ).select_related("task_list")
        for task in near.order_by("pk"):
            due = vars(task)["_deadline"]
            wanted = by_place.get(task.task_list.place_id, 0)
            if wanted and (due - today).days <= wanted:
                sent += _escalate(task, EscalationKind.REMINDER, due)
    return sent


# --------------------------------------------------------------------------- notices and talks


def _sees(actor: User, task: KeyTask) -> bool:
    if access.can(actor, VIEW, task.place_path):
        return True
    paths = [p for p in task.units.values_list("unit_path", flat=True) if p]
    return any(access.can(actor, VIEW, p) for p in paths)


def _require_supervise(actor: User, task: KeyTask) -> access.Grant:
    grant = access.grant_for(actor, SUPERVISE, task.place_path)
    if grant is not None:
        return grant
    raise PermissionDenied if _sees(actor, task) else Http404


def may_supervise(actor: User, task: KeyTask) -> bool:
    return access.can(actor, SUPERVISE, task.place_path)


def latest_notice(task: KeyTask) -> SupervisionNotice | None:
    return task.notices.order_by("-issued_at", "-id").first()


def may_talk(task: KeyTask, today: dt.date | None = None) -> bool:
    """A talk is for an open task whose latest supervision deadline has passed."""
    today = today or clock.today()
    notice = latest_notice(task)
    return task.state == KeyTaskState.OPEN and notice is not None and notice.due_on < today


def issue_notice(task: KeyTask, *, actor: User, reason: str, due_on: dt.date) -> SupervisionNotice:
    """A supervision notice (督办单) on an overdue or at-risk task, with a new deadline."""
    reason = reason.strip()
    with transaction.atomic():
        grant = _require_supervise(actor, task)
        task = (
            KeyTask.objects.select_for_update(of=("self",))
            .select_related("task_list__place")
            .get(pk=task.pk)
        )
        today = clock.today()
        shown = list_status.status(task, list_status.risk_days(task.task_list.place), today)
        if shown not in (Status.OVERDUE, Status.AT_RISK):
            raise ValidationError(
                _("Only an overdue or at-risk task can be supervised; this one is “%(s)s”.")
                % {"s": Status(shown).label}
            )
        if not reason:
            raise ValidationError(_("Give the reason for the supervision."))
        if len(reason) > REASON_MAX:
            raise ValidationError(
                _("The reason is longer than %(n)s characters.") % {"n": REASON_MAX}
            )
        if due_on <= today:
            raise ValidationError(_("The new deadline must be later than today."))
        place = Place.objects.select_for_update().get(pk=task.task_list.place_id)
        year = today.year
        last = SupervisionNotice.objects.filter(place=place, year=year).aggregate(n=Max("seq"))
        notice = SupervisionNotice.objects.create(
            task=task,
            place=place,
            place_path=task.place_path,
            year=year,
            seq=(last["n"] or 0) + 1,
            reason=reason,
            due_on=due_on,
            issued_by=actor,
        )
        old = task.supervised_due_on
        task.supervised_due_on = due_on
        task.save(update_fields=["supervised_due_on"])
        with translation.override(settings.LANGUAGE_CODE):
            text = _("Supervision notice %(number)s: “%(title)s”, new deadline %(day)s.") % {
                "number": notice.number,
                "title": task.title[:80],
                "day": due_on.isoformat(),
            }
        notify(
            (reporters_of(task) | owners_of(task.task_list)) - {actor.pk},
            verb="keytask_supervise",
            text=text,
            link=_link(task),
            reference=notice.number,
        )
        audit.record(
            actor=actor,
            action="keytasks.supervise",
            target=task,
            place_path=task.place_path,
            changes={
                "number": notice.number,
                "status": str(shown),
                "supervised_due_on": [old.isoformat() if old else None, due_on.isoformat()],
            },
            post=grant.post,
        )
    return notice


def record_talk(
    task: KeyTask, *, actor: User, held_on: dt.date, talked_to: str, minutes: str
) -> Talk:
    """A talk (约谈) about a task still open after its supervision deadline, with minutes."""
    talked_to, minutes = talked_to.strip(), minutes.strip()
    with transaction.atomic():
        grant = _require_supervise(actor, task)
        task = KeyTask.objects.select_for_update().get(pk=task.pk)
        today = clock.today()
        notice = latest_notice(task)
        if notice is None:
            raise ValidationError(_("A talk follows a supervision notice; issue one first."))
        if task.state != KeyTaskState.OPEN:
            raise ValidationError(_("This task has been reported done; no talk is needed."))
        if notice.due_on >= today:
            raise ValidationError(
                _(
                    "The supervision deadline (%(day)s) has not passed yet: a talk is only for "
                    "a task still overdue after it."
                )
                % {"day": notice.due_on.isoformat()}
            )
        if held_on > today:
            raise ValidationError(_("The talk cannot be dated in the future."))
        if held_on <= notice.due_on:
            raise ValidationError(_("The talk must be held after the supervision deadline."))
        if not talked_to:
            raise ValidationError(_("Say who was talked to."))
        if not minutes:
            raise ValidationError(_("Write the minutes of the talk."))
        if len(minutes) > MINUTES_MAX or len(talked_to) > 200:
            raise ValidationError(_("The minutes or the names are too long."))
        talk = Talk.objects.create(
            notice=notice,
            task=task,
            place_path=task.place_path,
            held_on=held_on,
            talked_to=talked_to,
            minutes=minutes,
            recorded_by=actor,
        )
        audit.record(
            actor=actor,
            action="keytasks.talk",
            target=task,
            place_path=task.place_path,
            changes={"notice": notice.number, "held_on": held_on.isoformat()},
            post=grant.post,
        )
    return talk


def notices_of(tasks: Iterable[KeyTask]) -> QuerySet[SupervisionNotice]:
    return SupervisionNotice.objects.filter(task__in=list(tasks)).select_related("issued_by")
