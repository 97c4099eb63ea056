"""The roll-up (汇总) of a sent-down task: every receiver's answers in one table, and the same
as one xlsx written through the kernel's spreadsheet writer (gongzhi/core/exports.py).

One line per row of a form with rows (the receiver's own answers repeated on each), one line
per receiver otherwise (and for a receiver whose form has no rows). Numbers are written as
numbers and dates as dates; a photo field shows how many photos were sent. Rows about people
show what the reader may see of the registry (selectors.row_label). The reads are a fixed
number of queries whatever the size: the receivers, the photo counts, the rows streamed in
chunks with their households and residents.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import exports
from gongzhi.core.models import User
from gongzhi.keytasks import selectors
from gongzhi.keytasks.models import (
    AnswerPhoto,
    FieldKind,
    FormField,
    Receiver,
    ReceiverRow,
    ReceiverState,
    SentDownTask,
)


def _cell(field: FormField, value: Any) -> Any:
    if value in (None, ""):
        return ""
    if field.kind == FieldKind.NUMBER:
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            return str(value)
        return int(number) if number == number.to_integral_value() else number
    if field.kind == FieldKind.DATE:
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return value


def headers(task: SentDownTask, fields: list[FormField]) -> list[str]:
    own = [f for f in fields if not f.per_row]
    row = [f for f in fields if f.per_row]
    head = [_("Receiver"), _("State"), _("Submitted at"), _("Late")]
    head += [f.label for f in own]
    if task.rows_of:
        head += [_("Row"), _("Household or resident")] + [f.label for f in row]
    return head


def rows(task: SentDownTask, *, user: User) -> Iterator[list[Any]]:
    """The roll-up's lines, in receiver order, then row order."""
    fields = selectors.fields_of(task)
    own = [f for f in fields if not f.per_row]
    per_row = [f for f in fields if f.per_row]
    receivers = list(
        Receiver.objects.filter(task=task).select_related("place").order_by("place_path")
    )
    photo_counts = Counter(
        AnswerPhoto.objects.filter(receiver__task=task).values_list("receiver_id", "field_id")
    )

    def head(receiver: Receiver) -> list[Any]:
        submitted = (
            timezone.localtime(receiver.submitted_at).replace(tzinfo=None)
            if receiver.submitted_at and receiver.state == ReceiverState.SUBMITTED
            else ""
        )
        line: list[Any] = [
            receiver.place.name,
            ReceiverState(receiver.state).label,
            submitted,
            _("yes") if receiver.late else "",
        ]
        for f in own:
            if f.kind == FieldKind.PHOTO:
                n = photo_counts.get((receiver.pk, f.pk), 0)
                line.append(_("%(n)s photos") % {"n": n} if n else "")
            else:
                line.append(_cell(f, receiver.answers.get(f.key)))
        return line

    if not task.rows_of:
        for receiver in receivers:
            yield head(receiver)
        return
    label = selectors.row_labeller(user)
    stream = iter(
        ReceiverRow.objects.filter(receiver__task=task)
        .order_by("receiver__place_path", "receiver_id", "position")
        .values_list(
            "receiver_id",
            "position",
            "values",
            "household__building__name",
            "household__unit_no",
            "household__room_no",
            "resident__name",
            "resident__id_masked",
            "resident__place_path",
        )
        .iterator(chunk_size=2000)
    )
    pending = next(stream, None)
    for receiver in receivers:
        line = head(receiver)
        if receiver.row_count == 0:
            yield line
            continue
        while pending is not None and pending[0] == receiver.pk:
            values = pending[2]
            yield [
                *line,
                pending[1],
                label(*pending[3:]),
                *(_cell(f, values.get(f.key)) for f in per_row),
            ]
            pending = next(stream, None)


def xlsx(task: SentDownTask, *, user: User) -> bytes:
    """The roll-up as one xlsx, for the sender's side (the caller checked who may read it)."""
    fields = selectors.fields_of(task)
    return exports.write_xlsx(rows(task, user=user), headers(task, fields), title=_("Roll-up"))


def filename(task: SentDownTask) -> str:
    return f"rollup-{task.pk}.xlsx"
