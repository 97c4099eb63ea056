"""Key tasks and supervision (issue 17). This first slice: tasks sent down with a form (下派任务,
item 4).

A street or district officer sends a task to every community (or every grid) under their place,
optionally with a form of fields they define. Each receiving place gets one `Receiver` row: its
answers to the once-per-receiver fields (`answers`), its photos (`AnswerPhoto`) and, when the
task asks for a row per household or resident matching a registry filter, one `ReceiverRow`
per matching household or resident, fixed when the task is sent (the registry is not retyped:
a row points at the household or resident, and pages show only what the viewer may see).

Every row of an area carries `place_path` so that lists are scoped without a join: the task the
sender's place, a receiver and its rows the receiving place.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


def _path_index(name: str, field: str = "place_path") -> models.Index:
    return models.Index(fields=[field], name=name, opclasses=["varchar_pattern_ops"])


class ReceiverKind(models.TextChoices):
    """Which places under the sender's place receive the task."""

    COMMUNITY = "community", _("Every community")
    GRID = "grid", _("Every grid")


class RowsOf(models.TextChoices):
    NONE = "", _("No rows")
    HOUSEHOLD = "household", _("A row per household")
    RESIDENT = "resident", _("A row per resident")


class SentDownTask(models.Model):
    """A task sent down (下派任务) from a street or district to the places under it."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("sent from"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("title"), max_length=120)
    instructions = models.TextField(_("instructions"), max_length=2000, blank=True)
    due_on = models.DateField(_("deadline"))
    receiver_kind = models.CharField(_("receivers"), max_length=12, choices=ReceiverKind.choices)
    rows_of = models.CharField(
        _("rows"), max_length=12, choices=RowsOf.choices, blank=True, default=""
    )
    # The registry filter of the rows: a care tag (blank: every household or resident).
    row_tag = models.CharField(_("care tag of the rows"), max_length=24, blank=True)
    # Which app sent it through the service API (blank: sent from the task pages).
    origin = models.CharField(_("origin"), max_length=24, blank=True, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sent-down task")
        verbose_name_plural = _("sent-down tasks")
        ordering = ["-sent_at", "-id"]
        indexes = [
            _path_index("keytasks_task_path"),
            models.Index(fields=["due_on"], name="keytasks_task_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(receiver_kind__in=ReceiverKind.values),
                name="keytasks_task_receiver_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(rows_of__in=RowsOf.values), name="keytasks_task_rows_of"
            ),
            models.CheckConstraint(
                condition=models.Q(row_tag="") | ~models.Q(rows_of=""),
                name="keytasks_task_row_tag_needs_rows",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class FieldKind(models.TextChoices):
    TEXT = "text", pgettext_lazy("form field kind", "Text")
    NUMBER = "number", pgettext_lazy("form field kind", "Number")
    CHOICE = "choice", pgettext_lazy("form field kind", "Choice")
    DATE = "date", pgettext_lazy("form field kind", "Date")
    PHOTO = "photo", pgettext_lazy("form field kind", "Photo")


class FormField(models.Model):
    """One field of a task's form, answered once per receiver or, `per_row`, once per row."""

    task = models.ForeignKey(
        SentDownTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="fields"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    label = models.CharField(_("label"), max_length=60)
    kind = models.CharField(_("kind"), max_length=8, choices=FieldKind.choices)
    required = models.BooleanField(_("required"), default=False)
    per_row = models.BooleanField(_("for each row"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        ordering = ["task_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="keytasks_field_position"),
            models.UniqueConstraint(fields=["task", "label"], name="keytasks_field_label"),
            models.CheckConstraint(
                condition=models.Q(kind__in=FieldKind.values), name="keytasks_field_kind"
            ),
            # Photos are answered once per receiver, never per row.
            models.CheckConstraint(
                condition=~(models.Q(kind=FieldKind.PHOTO) & models.Q(per_row=True)),
                name="keytasks_field_photo_not_per_row",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """The name of the field in a posted form and in the stored answers."""
        return f"f{self.pk}"


class ReceiverState(models.TextChoices):
    PENDING = "pending", _("To fill in")
    SUBMITTED = "submitted", _("Submitted")
    REOPENED = "reopened", _("Reopened for changes")


class Receiver(models.Model):
    """One receiving place of a task: its answers, state and history (one per place)."""

    task = models.ForeignKey(
        SentDownTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="receivers"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("receiver"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    state = models.CharField(
        _("state"), max_length=12, choices=ReceiverState.choices, default=ReceiverState.PENDING
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    rows_filled = models.PositiveIntegerField(_("rows filled in"), default=0)
    saved_at = models.DateTimeField(_("last saved"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    late = models.BooleanField(_("late"), default=False)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("receiver")
        verbose_name_plural = _("receivers")
        ordering = ["task_id", "place_path"]
        indexes = [
            _path_index("keytasks_receiver_path"),
            models.Index(fields=["task", "state"], name="keytasks_receiver_state"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task", "place"], name="keytasks_receiver_once"),
            models.CheckConstraint(
                condition=models.Q(state__in=ReceiverState.values), name="keytasks_receiver_state_v"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=ReceiverState.SUBMITTED)
                | models.Q(submitted_at__isnull=False),
                name="keytasks_receiver_submitted_at",
            ),
            models.CheckConstraint(
                condition=models.Q(rows_filled__lte=models.F("row_count")),
                name="keytasks_receiver_rows_filled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.place_id}"


class ReceiverRow(models.Model):
    """A row of a receiver's form: one household or resident of the registry."""

    receiver = models.ForeignKey(
        Receiver, verbose_name=_("receiver"), on_delete=models.CASCADE, related_name="rows"
    )
    position = models.PositiveIntegerField(_("position"))
    household = models.ForeignKey(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    values = models.JSONField(_("answers"), default=dict, blank=True)
    filled = models.BooleanField(_("filled in"), default=False)

    class Meta:
        verbose_name = _("form row")
        verbose_name_plural = _("form rows")
        ordering = ["receiver_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["receiver", "position"], name="keytasks_row_position"),
            models.UniqueConstraint(
                fields=["receiver", "household"],
                condition=models.Q(household__isnull=False),
                name="keytasks_row_household_once",
            ),
            models.UniqueConstraint(
                fields=["receiver", "resident"],
                condition=models.Q(resident__isnull=False),
                name="keytasks_row_resident_once",
            ),
            models.CheckConstraint(
                condition=models.Q(household__isnull=True) ^ models.Q(resident__isnull=True),
                name="keytasks_row_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiver_id}#{self.position}"


# The kernel's path (`<app>/<year>/<month>/<name>`); the name stays for the migrations.
_photo_path = photos.upload_path


class AnswerPhoto(photos.AttachedPhoto):
    """A photo answering a photo field, re-encoded without metadata (gongzhi.core.photos) and
    served only to those who may see the receiver's answers."""

    receiver = models.ForeignKey(
        Receiver, verbose_name=_("receiver"), on_delete=models.CASCADE, related_name="photos"
    )
    field = models.ForeignKey(
        FormField, verbose_name=_("field"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("answer photo")
        verbose_name_plural = _("answer photos")
        ordering = ["receiver_id", "field_id", "id"]


class ReceiverEvent(models.Model):
    """The history of a receiver: every step of the table in workflow.py."""

    receiver = models.ForeignKey(
        Receiver, verbose_name=_("receiver"), on_delete=models.CASCADE, related_name="events"
    )
    step = models.CharField(_("step"), max_length=12)
    from_state = models.CharField(_("from"), max_length=12)
    to_state = models.CharField(_("to"), max_length=12)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=clock.now)

    class Meta:
        verbose_name = _("receiver event")
        verbose_name_plural = _("receiver events")
        ordering = ["receiver_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.receiver_id}: {self.step}"


# =========================================================================== task lists (item 1)
# A task list (任务清单) of a place and a period: each task with the paragraph it comes from, a
# lead unit and cooperating units, milestones, a deadline, progress reports with evidence and
# a reported state (open → done → verified, list_workflow.py); "on track / at risk / overdue /
# not started" are computed from the dates with the one clock (list_status.py).


class TaskList(models.Model):
    """A list of key tasks (任务清单) owned by a district, street or community."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("title"), max_length=160)
    period = models.CharField(_("period"), max_length=40)
    source = models.CharField(_("source document"), max_length=200, blank=True)
    # The offices of the owning place named as text (党政办, 社事办…): a unit of an imported
    # row must be one of these or a place under the list's place.
    offices = models.JSONField(_("offices"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("task list")
        verbose_name_plural = _("task lists")
        ordering = ["place_path", "-created_at", "-id"]
        indexes = [_path_index("keytasks_list_path")]
        constraints = [
            models.UniqueConstraint(fields=["place", "title"], name="keytasks_list_title_once"),
        ]

    def __str__(self) -> str:
        return self.title


class KeyTaskState(models.TextChoices):
    """The reported state; the shown status adds what the dates say (list_status.py)."""

    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    VERIFIED = "verified", _("Verified")


class KeyTask(models.Model):
    """One task of a list: title, source paragraph, deadline, reported state."""

    task_list = models.ForeignKey(
        TaskList, verbose_name=_("task list"), on_delete=models.CASCADE, related_name="tasks"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=500)
    paragraph = models.CharField(_("source paragraph"), max_length=200, blank=True)
    due_on = models.DateField(_("deadline"))
    state = models.CharField(
        _("state"), max_length=10, choices=KeyTaskState.choices, default=KeyTaskState.OPEN
    )
    last_report_at = models.DateTimeField(_("last progress report"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The deadline of the latest supervision notice (督办单, supervision.py): while set, the
    # shown status counts from it instead of `due_on`, which keeps the list's own deadline.
    supervised_due_on = models.DateField(_("supervision deadline"), null=True, blank=True)

    class Meta:
        verbose_name = _("key task")
        verbose_name_plural = _("key tasks")
        ordering = ["task_list_id", "number"]
        indexes = [
            _path_index("keytasks_keytask_path"),
            models.Index(fields=["state", "due_on"], name="keytasks_keytask_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["task_list", "number"], name="keytasks_keytask_number"),
            models.CheckConstraint(
                condition=models.Q(state__in=KeyTaskState.values), name="keytasks_keytask_state"
            ),
            models.CheckConstraint(
                condition=models.Q(state=KeyTaskState.OPEN) | models.Q(done_at__isnull=False),
                name="keytasks_keytask_done_at",
            ),
            models.CheckConstraint(
                condition=~models.Q(state=KeyTaskState.VERIFIED)
                | models.Q(verified_at__isnull=False),
                name="keytasks_keytask_verified_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class UnitRole(models.TextChoices):
    LEAD = "lead", _("Lead unit")
    COOPERATING = "coop", _("Cooperating unit")


class TaskUnit(models.Model):
    """A lead or cooperating unit of a task: a place of the platform, or an office by name."""

    task = models.ForeignKey(
        KeyTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="units"
    )
    role = models.CharField(_("role"), max_length=4, choices=UnitRole.choices)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The unit's place path (blank for an office named as text): who reports for the unit.
    unit_path = PathField(_("unit path"), blank=True, editable=False, db_index=False)
    name = models.CharField(_("name"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("task unit")
        verbose_name_plural = _("task units")
        ordering = ["task_id", "position"]
        indexes = [_path_index("keytasks_unit_path", "unit_path")]
        constraints = [
            models.UniqueConstraint(fields=["task", "position"], name="keytasks_unit_position"),
            models.UniqueConstraint(
                fields=["task"],
                condition=models.Q(role=UnitRole.LEAD),
                name="keytasks_unit_one_lead",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=UnitRole.values), name="keytasks_unit_role"
            ),
            models.CheckConstraint(condition=~models.Q(name=""), name="keytasks_unit_named"),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    task = models.ForeignKey(
        KeyTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("date"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["task_id", "due_on", "id"]
        indexes = [models.Index(fields=["task", "due_on"], name="keytasks_milestone_due")]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """A progress report on a task, with its evidence (text and photos)."""

    task = models.ForeignKey(
        KeyTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="reports"
    )
    text = models.TextField(_("progress"), max_length=2000)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=clock.now)

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["task_id", "-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task_id}@{self.reported_at:%Y-%m-%d}"


class ProgressPhoto(photos.AttachedPhoto):
    """A photo of a progress report, re-encoded without metadata (gongzhi.core.photos)."""

    report = models.ForeignKey(
        ProgressReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="photos"
    )
    created_at = None  # type: ignore[assignment]  # None drops the inherited column: not in this table

    class Meta:
        verbose_name = _("progress photo")
        verbose_name_plural = _("progress photos")
        ordering = ["report_id", "id"]


# ===================================================================== supervision (item 2)
# Escalations and reminders are sent once per task, kind and deadline (a row each, unique);
# a supervision notice (督办单) gives an overdue or at-risk task a new deadline; a task still
# open after it may lead to a recorded talk (约谈) with minutes (supervision.py).


class EscalationKind(models.TextChoices):
    REMINDER = "reminder", _("Reminder before the deadline")
    AT_RISK = "at_risk", _("At risk")
    OVERDUE = "overdue", _("Overdue")


class Escalation(models.Model):
    """A notification sent by the daily sweep: one per task, kind and deadline."""

    task = models.ForeignKey(
        KeyTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="escalations"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EscalationKind.choices)
    deadline = models.DateField(_("deadline"))
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["task_id", "sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "kind", "deadline"], name="keytasks_escalation_once"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=EscalationKind.values),
                name="keytasks_escalation_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.kind}"


class SupervisionNotice(models.Model):
    """A supervision notice (督办单): its number, the reason and a new deadline."""

    task = models.ForeignKey(
        KeyTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="notices"
    )
    # The list's place, which numbers its notices per year: 督办〔2026〕3号.
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("number"))
    reason = models.TextField(_("reason"), max_length=1000)
    due_on = models.DateField(_("new deadline"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), default=clock.now)

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        ordering = ["-issued_at", "-id"]
        indexes = [_path_index("keytasks_notice_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "year", "seq"], name="keytasks_notice_number_once"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"督办〔{self.year}〕{self.seq}号"


class Talk(models.Model):
    """A recorded talk (约谈) about a task still open after its supervision deadline."""

    notice = models.ForeignKey(
        SupervisionNotice,
        verbose_name=_("supervision notice"),
        on_delete=models.PROTECT,
        related_name="talks",
    )
    task = models.ForeignKey(
        KeyTask, verbose_name=_("task"), on_delete=models.CASCADE, related_name="talks"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    held_on = models.DateField(_("held on"))
    talked_to = models.CharField(_("talked to"), max_length=200)
    minutes = models.TextField(_("minutes"), max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("talk")
        verbose_name_plural = _("talks")
        ordering = ["-held_on", "-id"]
        indexes = [_path_index("keytasks_talk_path")]

    def __str__(self) -> str:
        return f"{self.task_id}@{self.held_on}"


# ========================================================= inspections and rectification (item 3)
# An inspection of a community by its street records findings; each finding is a rectification
# task (限期整改) on the inspection's own task list, led by the community, closed only when the
# inspector verifies it (inspections.py).


class InspectionKind(models.TextChoices):
    YEARLY = "yearly", _("Yearly inspection")
    VISIT = "visit", _("Visit")


class Inspection(models.Model):
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    # The community's path: who sees the inspection.
    place_path = PathField(_("place path"), editable=False, db_index=False)
    by_place = models.ForeignKey(
        "places.Place", verbose_name=_("inspected by"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=InspectionKind.choices)
    held_on = models.DateField(_("held on"))
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)
    # The rectification tasks (one per finding), a list of the inspecting place.
    task_list = models.OneToOneField(
        TaskList,
        verbose_name=_("rectification list"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection",
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-held_on", "-id"]
        indexes = [
            _path_index("keytasks_inspection_path"),
            models.Index(fields=["community", "kind", "held_on"], name="keytasks_insp_year"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "kind", "held_on"], name="keytasks_inspection_once_a_day"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=InspectionKind.values),
                name="keytasks_inspection_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.community_id}@{self.held_on}"
