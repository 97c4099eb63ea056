"""Reads of sent-down tasks for a viewer, narrowed in the query.

- a task and its progress: whoever has KEYTASK_SEND over the task's place (the sender's side);
- a receiver's answers: the sender's side, and whoever has KEYTASK_FILL over the receiving
  place — so a community sees its own answers and never another community's;
- the to-do list: the receivers under the viewer's KEYTASK_FILL scope.

A row about a household or a resident shows what the viewer may see of the registry: a
resident's name and masked ID number with RESIDENT_VIEW over their address, else the surname
and a star.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.core import access, clock
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.keytasks.models import (
    AnswerPhoto,
    FormField,
    Receiver,
    ReceiverRow,
    ReceiverState,
    SentDownTask,
)
from gongzhi.places.models import Place

SEND = Action.KEYTASK_SEND
FILL = Action.KEYTASK_FILL


def _pk(pk: object) -> int:
    text = str(pk)
    return int(text) if text.isdigit() and len(text) < 10 else 0


# --------------------------------------------------------------------------- the sender's side


def sent_tasks(user: Viewer, state: str = "") -> QuerySet[SentDownTask]:
    """The tasks sent from the viewer's area, with their progress counts, latest first."""
    qs = access.scoped(SentDownTask.objects.all(), user, SEND, "place_path").select_related(
        "place", "sent_by"
    )
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    return qs.annotate(
        receiver_total=Count("receivers"),
        submitted_total=Count("receivers", filter=Q(receivers__state=ReceiverState.SUBMITTED)),
        # Late: submitted after the deadline, or not submitted and the deadline has passed.
        late_total=Count(
            "receivers",
            filter=Q(receivers__late=True)
            | (~Q(receivers__state=ReceiverState.SUBMITTED) & Q(due_on__lt=clock.today())),
        ),
    ).order_by("-sent_at", "-id")


def get_sent_task(user: Viewer, pk: object) -> SentDownTask:
    return get_object_or_404(
        access.scoped(
            SentDownTask.objects.select_related("place", "sent_by"), user, SEND, "place_path"
        ),
        pk=_pk(pk),
    )


def sender_places(user: Viewer) -> QuerySet[Place]:
    """The streets and districts the viewer may send from."""
    return access.scoped(
        Place.objects.filter(kind__in=("district", "street")), user, SEND
    ).order_by("path")


def fields_of(task: SentDownTask) -> list[FormField]:
    return list(task.fields.all())


def receivers_of(task: SentDownTask, state: str = "") -> QuerySet[Receiver]:
    """A task's receivers (for its sender's progress page): each with its place and state."""
    qs = task.receivers.select_related("place", "submitted_by")
    if state == "late":
        qs = qs.filter(Q(late=True) | ~Q(state=ReceiverState.SUBMITTED))
    elif state in ReceiverState.values:
        qs = qs.filter(state=state)
    return qs.annotate(photo_total=Coalesce(Count("photos"), 0)).order_by("place_path")


# --------------------------------------------------------------------------- receivers


def _readable(user: Viewer) -> Q:
    return access.scope_q(user, FILL, "place_path") | access.scope_q(user, SEND, "task__place_path")


def todo(user: Viewer, state: str = "") -> QuerySet[Receiver]:
    """The forms the viewer fills in: open ones first, nearest deadline first."""
    qs = access.scoped(Receiver.objects.all(), user, FILL, "place_path").select_related(
        "task", "place"
    )
    if state == "done":
        qs = qs.filter(state=ReceiverState.SUBMITTED)
    elif state == "open":
        qs = qs.exclude(state=ReceiverState.SUBMITTED).filter(task__closed_at__isnull=True)
    return qs.order_by("state", "task__due_on", "place_path", "id")  # pending, reopened, submitted


def get_receiver(user: Viewer, pk: object) -> Receiver:
    """A receiver with its answers: its own place's fillers and the sender's side; 404 for
    anyone else (another community included)."""
    return get_object_or_404(
        Receiver.objects.filter(_readable(user)).select_related(
            "task", "task__place", "place", "submitted_by"
        ),
        pk=_pk(pk),
    )


def rows_of(receiver: Receiver) -> QuerySet[ReceiverRow]:
    return receiver.rows.select_related("household__building", "resident").order_by("position")


def photos_of(receiver: Receiver) -> QuerySet[AnswerPhoto]:
    return receiver.photos.order_by("field_id", "id")


def get_photo(receiver: Receiver, pk: object) -> AnswerPhoto:
    return get_object_or_404(receiver.photos.all(), pk=_pk(pk))


def may_fill(user: Viewer, receiver: Receiver) -> bool:
    return access.can(user, FILL, receiver.place_path)


def may_send(user: Viewer, task: SentDownTask) -> bool:
    return access.can(user, SEND, task.place_path)


def masked_name(name: str) -> str:
    return (name[:1] + "*" * max(1, len(name) - 1)) if name else ""


def row_labeller(
    user: Viewer,
) -> Callable[[str | None, str | None, str | None, str | None, str | None, str | None], str]:
    """`row_label` for many rows read as values: (building, unit, room, name, masked ID,
    resident's path) → the label; the viewer's registry grants are read once."""
    grants = access.grants(user, Action.RESIDENT_VIEW)
    everything = any(g.everything for g in grants)
    paths = tuple(g.path for g in grants if g.path)

    def label(
        building: str | None,
        unit: str | None,
        room: str | None,
        name: str | None,
        id_masked: str | None,
        path: str | None,
    ) -> str:
        if building is not None:
            unit_text = _("Unit %(n)s ") % {"n": unit} if unit else ""
            return f"{building} {unit_text}{room}"
        if name is None:
            return ""
        if everything or (path and path.startswith(paths)):
            return f"{name} {id_masked or ''}".strip()
        return masked_name(name)

    return label


def row_label(user: Viewer, row: ReceiverRow) -> str:
    """What the viewer may see of the row's household or resident."""
    if row.household_id is not None and row.household is not None:
        return row.household.short_address
    resident = row.resident
    if resident is None:
        return ""
    if access.can(user, Action.RESIDENT_VIEW, resident.place_path):
        return f"{resident.name} {resident.id_masked}".strip()
    return masked_name(resident.name)
