"""Every write of sent-down tasks (下派任务): one transaction, the access check (404 outside the
actor's scope, 403 inside it without the right), one audit record; a refusal raises a
ValidationError with a clear message that names the field, and writes nothing.

This is the service API other apps call too (docs/key-tasks.md "For other apps"): an app that
needs a form filled in by every community or grid under a street — a door-to-door round, a
survey — calls `send_task(place, actor=…, fields=[FieldSpec(…)], rows_of=…, origin="<app>")`
and reads the answers through `selectors.receivers_of` / `rollup.rows`.

Who does what (gongzhi/core/roles.py):
- KEYTASK_SEND on the task's place (street and district officers): send, remind, reopen, close;
- KEYTASK_FILL on the receiving place (its community staff, its grid worker): fill in, submit,
  take back before the deadline;
- every step locks the receiver row (select_for_update) and re-reads its state, so of two
  people submitting the same form at once one wins and the other is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, gates, inputs, notifications, photos
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.keytasks import workflow
from gongzhi.keytasks.models import (
    AnswerPhoto,
    FieldKind,
    FormField,
    Receiver,
    ReceiverEvent,
    ReceiverKind,
    ReceiverRow,
    ReceiverState,
    RowsOf,
    SentDownTask,
)
from gongzhi.keytasks.workflow import Step
from gongzhi.people.models import Resident, Tag
from gongzhi.places.models import Household, Place, PlaceKind

SEND = Action.KEYTASK_SEND
FILL = Action.KEYTASK_FILL
SENDER_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET)
MAX_FIELDS = 30
MAX_CHOICES = 30
TEXT_MAX = 500
# A bound on one receiver's rows, so that one careless filter cannot write millions of rows.
MAX_ROWS = 5000
NUMBER_MAX = Decimal("1e12")


@dataclass(frozen=True)
class FieldSpec:
    """A field the sender defines: answered once per receiver or, `per_row`, once per row."""

    label: str
    kind: str
    required: bool = False
    per_row: bool = False
    choices: Sequence[str] = field(default_factory=tuple)


# --------------------------------------------------------------------------- helpers


def _post(grant: access.Grant) -> Post | None:
    return grant.post


def receiver_places(place: Place, kind: str) -> QuerySet[Place]:
    """The places under `place` that receive a task sent to every `kind`."""
    return Place.objects.filter(kind=kind, path__under=place.path).order_by("path")


def _fill_users(paths: Iterable[str]) -> list[int]:
    """The logins that fill in for these receiving places: posts with KEYTASK_FILL held at
    the place itself (the community's staff, the grid's worker)."""
    wanted = list(paths)
    if not wanted:
        return []
    return list(
        Post.objects.filter(
            is_active=True,
            place__path__in=wanted,
            role__in=gates.roles_with(FILL),
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )


def _subjects(task: SentDownTask, place: Place) -> list[Household] | list[Resident]:
    if task.rows_of == RowsOf.HOUSEHOLD:
        households = Household.objects.filter(place_path__under=place.path)
        if task.row_tag:
            households = households.filter(
                residents__is_active=True, residents__tags__tag=task.row_tag
            ).distinct()
        return list(households.order_by("place_path", "unit_no", "room_no", "id")[: MAX_ROWS + 1])
    residents = Resident.objects.filter(is_active=True, place_path__under=place.path)
    if task.row_tag:
        residents = residents.filter(tags__tag=task.row_tag)
    return list(residents.order_by("place_path", "household_id", "id")[: MAX_ROWS + 1])


def _clean_specs(specs: Sequence[FieldSpec], rows_of: str) -> list[FieldSpec]:
    if len(specs) > MAX_FIELDS:
        raise ValidationError({"fields": _("At most %(n)s fields.") % {"n": MAX_FIELDS}})
    cleaned: list[FieldSpec] = []
    seen: set[str] = set()
    for spec in specs:
        label = inputs.text(spec.label, "fields", 60)
        if label in seen:
            raise ValidationError(
                {"fields": _("Two fields are called “%(label)s”.") % {"label": label}}
            )
        seen.add(label)
        if spec.kind not in FieldKind.values:
            raise ValidationError(
                {"fields": _("“%(label)s”: choose the kind of the field.") % {"label": label}}
            )
        if spec.per_row and not rows_of:
            raise ValidationError(
                {
                    "fields": _(
                        "“%(label)s” is to be answered for each row, but the task has no rows."
                    )
                    % {"label": label}
                }
            )
        if spec.per_row and spec.kind == FieldKind.PHOTO:
            raise ValidationError(
                {
                    "fields": _("“%(label)s”: a photo is asked once per receiver, not per row.")
                    % {"label": label}
                }
            )
        choices = [str(c).strip() for c in spec.choices if str(c).strip()]
        if spec.kind == FieldKind.CHOICE:
            if len(choices) < 2 or len(choices) > MAX_CHOICES or len(set(choices)) != len(choices):
                raise ValidationError(
                    {
                        "fields": _("“%(label)s”: a choice needs at least two different options.")
                        % {"label": label}
                    }
                )
            if any(len(c) > 40 for c in choices):
                raise ValidationError(
                    {"fields": _("“%(label)s”: an option is too long.") % {"label": label}}
                )
        else:
            choices = []
        cleaned.append(
            FieldSpec(
                label=label,
                kind=spec.kind,
                required=bool(spec.required),
                per_row=bool(spec.per_row),
                choices=tuple(choices),
            )
        )
    return cleaned


def _refuse(error: workflow.IllegalTransition) -> ValidationError:
    return ValidationError(error.message)


def _move(
    receiver: Receiver, step: str, *, actor: User, post: Post | None, note: str = ""
) -> tuple[str, str]:
    try:
        new = workflow.target(receiver.state, step)
    except workflow.IllegalTransition as error:
        raise _refuse(error) from error
    before = receiver.state
    receiver.state = new
    if step != Step.SAVE:
        ReceiverEvent.objects.create(
            receiver=receiver,
            step=step,
            from_state=before,
            to_state=new,
            note=note[:500],
            actor=actor,
        )
    return before, new


def _sender_of(actor: User, receiver: Receiver) -> access.Grant:
    """The sender's side of a receiver's task; a filler of the receiver (who sees it) gets 403,
    anyone else 404."""
    grant = access.grant_for(actor, SEND, receiver.task.place_path)
    if grant is not None:
        return grant
    if access.can(actor, FILL, receiver.place_path):
        raise PermissionDenied
    raise Http404


def _locked(receiver: Receiver) -> Receiver:
    return Receiver.objects.select_for_update().select_related("task", "place").get(pk=receiver.pk)


def _open_task(task: SentDownTask) -> None:
    if task.closed_at is not None:
        raise ValidationError(_("This task is closed; its forms can no longer be changed."))


# --------------------------------------------------------------------------- sending


def send_task(
    place: Place,
    *,
    actor: User,
    title: str,
    due_on: dt.date,
    receiver_kind: str,
    fields: Sequence[FieldSpec] = (),
    instructions: str = "",
    rows_of: str = "",
    row_tag: str = "",
    origin: str = "",
) -> SentDownTask:
    """Send a task to every community (or grid) under `place`, with its form and, when
    `rows_of` is set, one row per household or resident of the registry matching `row_tag`.
    Every receiver's fillers are notified."""
    title = inputs.text(title, "title", 120)
    instructions = inputs.text(instructions, "instructions", 2000, required=False)
    origin = inputs.text(origin, "origin", 24, required=False)
    if place.kind not in SENDER_KINDS:
        raise ValidationError({"place": _("Tasks are sent down from a street or a district.")})
    if receiver_kind not in ReceiverKind.values:
        raise ValidationError({"receiver_kind": _("Choose who receives the task.")})
    if rows_of not in RowsOf.values:
        raise ValidationError({"rows_of": _("Choose what the rows of the form are.")})
    if row_tag and row_tag not in Tag.values:
        raise ValidationError({"row_tag": _("Choose a care tag from the list.")})
    if row_tag and not rows_of:
        raise ValidationError({"row_tag": _("A care tag filters rows; choose the rows first.")})
    if not isinstance(due_on, dt.date) or due_on < clock.today():
        raise ValidationError({"due_on": _("The deadline cannot be in the past.")})
    specs = _clean_specs(fields, rows_of)
    if rows_of and not any(s.per_row for s in specs):
        raise ValidationError(
            {"fields": _("The form has rows: add at least one field answered for each row.")}
        )
    with transaction.atomic():
        grant = access.require(actor, SEND, place.path)
        places = list(receiver_places(place, receiver_kind))
        if not places:
            raise ValidationError(
                {
                    "receiver_kind": _("There is no %(kind)s under %(place)s to send it to.")
                    % {"kind": PlaceKind(receiver_kind).label, "place": place.name}
                }
            )
        task = SentDownTask.objects.create(
            place=place,
            place_path=place.path,
            title=title,
            instructions=instructions,
            due_on=due_on,
            receiver_kind=receiver_kind,
            rows_of=rows_of,
            row_tag=row_tag,
            origin=origin,
            sent_by=actor,
            sent_at=clock.now(),
        )
        FormField.objects.bulk_create(
            [
                FormField(
                    task=task,
                    position=i + 1,
                    label=s.label,
                    kind=s.kind,
                    required=s.required,
                    per_row=s.per_row,
                    choices=list(s.choices),
                )
                for i, s in enumerate(specs)
            ]
        )
        receivers = Receiver.objects.bulk_create(
            [Receiver(task=task, place=p, place_path=p.path) for p in places]
        )
        total_rows = 0
        if rows_of:
            by_place = {r.place_id: r for r in Receiver.objects.filter(task=task)}
            batch: list[ReceiverRow] = []
            for p in places:
                receiver = by_place[p.pk]
                subjects = _subjects(task, p)
                if len(subjects) > MAX_ROWS:
                    raise ValidationError(
                        {
                            "rows_of": _(
                                "%(place)s has more than %(n)s matching rows; narrow the filter."
                            )
                            % {"place": p.name, "n": MAX_ROWS}
                        }
                    )
                for i, subject in enumerate(subjects):
                    batch.append(
                        ReceiverRow(
                            receiver=receiver,
                            position=i + 1,
                            household=subject if isinstance(subject, Household) else None,
                            resident=subject if isinstance(subject, Resident) else None,
                        )
                    )
                receiver.row_count = len(subjects)
                total_rows += len(subjects)
                if len(batch) >= 2000:
                    ReceiverRow.objects.bulk_create(batch)
                    batch = []
            ReceiverRow.objects.bulk_create(batch)
            Receiver.objects.bulk_update(list(by_place.values()), ["row_count"], batch_size=500)
        audit.record(
            actor=actor,
            action="keytasks.task_send",
            target=task,
            place_path=task.place_path,
            post=_post(grant),
            changes={
                "title": title,
                "due_on": due_on.isoformat(),
                "receivers": len(receivers),
                "fields": len(specs),
                "rows": total_rows,
            },
        )
        notifications.notify(
            (uid for uid in _fill_users(p.path for p in places) if uid != actor.pk),
            verb="keytask_sent",
            text=_("A task to fill in by %(date)s: %(title)s")
            % {"date": due_on.isoformat(), "title": title},
            link=reverse("keytasks:todo"),
            reference=f"T{task.pk}",
        )
    return task


def close_task(task: SentDownTask, *, actor: User) -> SentDownTask:
    """No more changes to any of the task's forms; the roll-up stays."""
    with transaction.atomic():
        grant = access.require(actor, SEND, task.place_path)
        task = SentDownTask.objects.select_for_update().get(pk=task.pk)
        if task.closed_at is not None:
            raise ValidationError(_("This task is already closed."))
        task.closed_at = clock.now()
        task.save(update_fields=["closed_at"])
        audit.record(
            actor=actor,
            action="keytasks.task_close",
            target=task,
            place_path=task.place_path,
            post=_post(grant),
            changes={"closed_at": task.closed_at.isoformat()},
        )
    return task


# --------------------------------------------------------------------------- answers


def clean_value(form_field: FormField, raw: Any) -> Any:
    """A typed answer to one field (stored as JSON: text, a decimal as text, an ISO date),
    None when left empty, or a refusal that names the field."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    label = form_field.label
    if form_field.kind == FieldKind.TEXT:
        text = str(raw).strip()
        if len(text) > TEXT_MAX:
            raise ValidationError(
                {
                    form_field.key: _("“%(field)s”: at most %(n)s characters.")
                    % {"field": label, "n": TEXT_MAX}
                }
            )
        return text
    if form_field.kind == FieldKind.NUMBER:
        if isinstance(raw, bool):
            raw = ""
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or abs(number) >= NUMBER_MAX:
            raise ValidationError(
                {form_field.key: _("“%(field)s” must be a number.") % {"field": label}}
            )
        return format(number.normalize(), "f")
    if form_field.kind == FieldKind.CHOICE:
        value = str(raw).strip()
        if value not in form_field.choices:
            raise ValidationError(
                {form_field.key: _("“%(field)s”: choose one of the options.") % {"field": label}}
            )
        return value
    if form_field.kind == FieldKind.DATE:
        if isinstance(raw, dt.date):
            return raw.isoformat()
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValidationError(
                {form_field.key: _("“%(field)s” must be a date (YYYY-MM-DD).") % {"field": label}}
            ) from None
    raise ValidationError({form_field.key: _("“%(field)s” takes a photo.") % {"field": label}})


def _row_label(row: ReceiverRow) -> str:
    return _("row %(n)s") % {"n": row.position}


def _check_complete(
    receiver: Receiver, fields: list[FormField], photo_counts: Mapping[int, int]
) -> None:
    """The refusal of a submission with a required answer missing, naming the field (and the
    row)."""
    errors: dict[str, list[str]] = {}
    for f in fields:
        if not f.required or f.per_row:
            continue
        missing = (
            photo_counts.get(f.pk, 0) == 0
            if f.kind == FieldKind.PHOTO
            else receiver.answers.get(f.key) in (None, "")
        )
        if missing:
            errors.setdefault(f.key, []).append(_("“%(field)s” is required.") % {"field": f.label})
    required_row = [f for f in fields if f.required and f.per_row]
    if required_row:
        for row in receiver.rows.order_by("position").only("position", "values"):
            for f in required_row:
                if row.values.get(f.key) in (None, ""):
                    errors.setdefault(f.key, []).append(
                        _("“%(field)s” is required in %(row)s.")
                        % {"field": f.label, "row": _row_label(row)}
                    )
                    break
            if sum(len(v) for v in errors.values()) >= 20:
                break
    if errors:
        raise ValidationError(errors)


def save_answers(
    receiver: Receiver,
    *,
    actor: User,
    answers: Mapping[str, Any] | None = None,
    rows: Mapping[int, Mapping[str, Any]] | None = None,
    photos_by_field: Mapping[str, Sequence[IO[bytes]]] | None = None,
    submit: bool = False,
) -> Receiver:
    """Save the receiver's answers (`answers` keyed by field key `f<id>`; `rows` keyed by row
    id, each keyed by field key; photos by field key) and, with `submit`, submit them. Only the
    keys given change. A submission with a required answer missing is refused and nothing is
    saved. Submitting after the deadline is allowed and marked late."""
    answers = answers or {}
    rows = rows or {}
    photos_by_field = photos_by_field or {}
    prepared_by_field = {
        key: photos.prepare(files) for key, files in photos_by_field.items() if files
    }
    with photos.files_removed_on_error() as written, transaction.atomic():
        grant = access.require(actor, FILL, receiver.place_path)
        receiver = _locked(receiver)
        task = receiver.task
        _open_task(task)
        if receiver.state not in workflow.EDITABLE:
            workflow_step = Step.SUBMIT if submit else Step.SAVE
            raise _refuse_step(receiver.state, workflow_step)
        fields = list(task.fields.all())
        by_key = {f.key: f for f in fields}
        errors: dict[str, list[str]] = {}
        merged = dict(receiver.answers)
        for key, raw in answers.items():
            f = by_key.get(key)
            if f is None or f.per_row or f.kind == FieldKind.PHOTO:
                continue
            try:
                value = clean_value(f, raw)
            except ValidationError as error:
                for k, msgs in error.message_dict.items():
                    errors.setdefault(k, []).extend(msgs)
                continue
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        row_fields = [f for f in fields if f.per_row]
        changed_rows: list[ReceiverRow] = []
        if rows:
            wanted = {int(pk) for pk in rows if str(pk).isdigit()}
            for row in receiver.rows.filter(pk__in=wanted).only("id", "position", "values"):
                given = rows.get(row.pk) or rows.get(str(row.pk)) or {}  # type: ignore[call-overload]
                values = dict(row.values)
                for f in row_fields:
                    if f.key not in given:
                        continue
                    try:
                        value = clean_value(f, given[f.key])
                    except ValidationError as error:
                        for k, msgs in error.message_dict.items():
                            errors.setdefault(k, []).extend(f"{_row_label(row)}: {m}" for m in msgs)
                        continue
                    if value is None:
                        values.pop(f.key, None)
                    else:
                        values[f.key] = value
                row.values = values
                row.filled = all(
                    values.get(f.key) not in (None, "") for f in row_fields if f.required
                ) and bool(values)
                changed_rows.append(row)
        for key in prepared_by_field:
            f = by_key.get(key)
            if f is None or f.kind != FieldKind.PHOTO:
                errors.setdefault(key, []).append(_("This field takes no photo."))
        if errors:
            raise ValidationError(errors)
        if changed_rows:
            ReceiverRow.objects.bulk_update(changed_rows, ["values", "filled"], batch_size=500)
        added = 0
        for key, prepared in prepared_by_field.items():
            added += len(
                photos.write(
                    AnswerPhoto,
                    prepared,
                    user=actor,
                    written=written,
                    receiver=receiver,
                    field=by_key[key],
                )
            )
        receiver.answers = merged
        receiver.rows_filled = receiver.rows.filter(filled=True).count()
        receiver.saved_at = clock.now()
        step = Step.SUBMIT if submit else Step.SAVE
        if submit:
            counts: dict[int, int] = {}
            for field_id in receiver.photos.values_list("field_id", flat=True):
                counts[field_id] = counts.get(field_id, 0) + 1
            _check_complete(receiver, fields, counts)
        before, new = _move(receiver, step, actor=actor, post=_post(grant))
        if submit:
            receiver.submitted_at = clock.now()
            receiver.submitted_by = actor
            receiver.late = clock.today() > task.due_on
        receiver.save()
        audit.record(
            actor=actor,
            action=f"keytasks.receiver_{step}",
            target=receiver,
            target_repr=f"{task.title} · {receiver.place.name}",
            place_path=receiver.place_path,
            post=_post(grant),
            # Which fields changed, never their values (they may be about people).
            changes={
                "state": [before, new],
                "fields": sorted(k for k in answers if k in by_key),
                "rows": len(changed_rows),
                "photos": added,
                "late": receiver.late,
            },
        )
    return receiver


def _refuse_step(state: str, step: str) -> ValidationError:
    try:
        workflow.target(state, step)
    except workflow.IllegalTransition as error:
        return _refuse(error)
    return ValidationError(_("This form cannot be changed now."))  # pragma: no cover


def submit(receiver: Receiver, *, actor: User) -> Receiver:
    """Submit the answers saved so far (refused, naming the field, when one is missing)."""
    return save_answers(receiver, actor=actor, submit=True)


def recall(receiver: Receiver, *, actor: User) -> Receiver:
    """The receiver takes its submitted form back to change it — only up to the deadline;
    after it, the sender reopens."""
    with transaction.atomic():
        grant = access.require(actor, FILL, receiver.place_path)
        receiver = _locked(receiver)
        _open_task(receiver.task)
        if receiver.state == ReceiverState.SUBMITTED and clock.today() > receiver.task.due_on:
            raise ValidationError(
                _("The deadline has passed: ask the sender to reopen the form to change it.")
            )
        before, new = _move(receiver, Step.RECALL, actor=actor, post=_post(grant))
        receiver.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="keytasks.receiver_recall",
            target=receiver,
            target_repr=f"{receiver.task.title} · {receiver.place.name}",
            place_path=receiver.place_path,
            post=_post(grant),
            changes={"state": [before, new]},
        )
    return receiver


def reopen(receiver: Receiver, *, actor: User, reason: str) -> Receiver:
    """The sender reopens a submitted form so that the receiver may change it (a late edit)."""
    reason = inputs.text(reason, "reason", 500)
    with transaction.atomic():
        grant = _sender_of(actor, receiver)
        receiver = _locked(receiver)
        _open_task(receiver.task)
        before, new = _move(receiver, Step.REOPEN, actor=actor, post=_post(grant), note=reason)
        receiver.save(update_fields=["state"])
        audit.record(
            actor=actor,
            action="keytasks.receiver_reopen",
            target=receiver,
            target_repr=f"{receiver.task.title} · {receiver.place.name}",
            place_path=receiver.task.place_path,
            post=_post(grant),
            changes={"state": [before, new]},
            reason=reason,
        )
        notifications.notify(
            (uid for uid in _fill_users([receiver.place_path]) if uid != actor.pk),
            verb="keytask_reopened",
            text=_("Reopened for changes: %(title)s (%(reason)s)")
            % {"title": receiver.task.title, "reason": reason},
            link=reverse("keytasks:fill", args=[receiver.pk]),
            reference=f"T{receiver.task_id}",
        )
    return receiver


def remind(task: SentDownTask, *, actor: User, receivers: Iterable[Receiver] | None = None) -> int:
    """Remind the receivers that have not submitted (or the ones given, if still not
    submitted): a notification to each one's fillers. Returns how many were reminded."""
    with transaction.atomic():
        grant = access.require(actor, SEND, task.place_path)
        task = SentDownTask.objects.select_for_update().get(pk=task.pk)
        _open_task(task)
        late = (
            Receiver.objects.select_for_update()
            .filter(task=task)
            .exclude(state=ReceiverState.SUBMITTED)
        )
        if receivers is not None:
            late = late.filter(pk__in=[r.pk for r in receivers])
        rows = list(late.only("id", "place_path", "reminded_at"))
        if not rows:
            raise ValidationError(_("Every receiver has submitted; there is no one to remind."))
        now = clock.now()
        Receiver.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_at=now)
        overdue = clock.today() > task.due_on
        text = (
            _("Overdue since %(date)s, please fill in: %(title)s")
            if overdue
            else _("Reminder: please fill in by %(date)s: %(title)s")
        ) % {"date": task.due_on.isoformat(), "title": task.title}
        notifications.notify(
            (uid for uid in _fill_users(r.place_path for r in rows) if uid != actor.pk),
            verb="keytask_remind",
            text=text,
            link=reverse("keytasks:todo"),
            reference=f"T{task.pk}",
        )
        audit.record(
            actor=actor,
            action="keytasks.task_remind",
            target=task,
            place_path=task.place_path,
            post=_post(grant),
            changes={"reminded": len(rows)},
        )
    return len(rows)
