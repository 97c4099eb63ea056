"""Residents' micro-projects (民生微实事, seed 000 §八: 每个社区每年给予30万元).

A Round is one community's year: its budget (frozen from the policy profile when the round is
created), proposals with cost items, a feasibility review, residents' support votes, the
selection (vote order, skipping projects that no longer fit), and then implementation with
spending, photos and completion — all shown on the community's public page.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


class Phase(models.TextChoices):
    PROPOSING = "proposing", _("Proposals and review")
    VOTING = "voting", _("Voting")
    SELECTED = "selected", _("Selected, being implemented")


class Method(models.TextChoices):
    GREEDY = "greedy", _("Greedy: fill the budget in vote order")
    EQUAL_SHARES = "mes", _("Method of Equal Shares")


class BudgetSource(models.TextChoices):
    PROFILE = "profile", _("From the policy profile")
    ENTERED = "entered", _("Entered by staff (not set by the policy document)")


class Round(models.Model):
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    year = models.PositiveSmallIntegerField(_("year"))
    budget_yuan = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2)
    budget_source = models.CharField(
        _("budget from"), max_length=8, choices=BudgetSource.choices, default=BudgetSource.PROFILE
    )
    # Chosen before voting opens; budget, method and votes per resident are frozen from then on.
    method = models.CharField(
        _("selection method"), max_length=8, choices=Method.choices, default=Method.GREEDY
    )
    # None: approval voting (one vote per project, as many projects as one likes).
    max_votes = models.PositiveSmallIntegerField(_("votes per resident"), null=True, blank=True)
    phase = models.CharField(
        _("phase"), max_length=10, choices=Phase.choices, default=Phase.PROPOSING
    )
    # Whether the budget is booked against the community's benefit-project funding line of the
    # year (issue 16 item 7; the funds app's hook, `services.set_round_budget_hook`).
    budget_booked = models.BooleanField(
        _("booked on the benefit-project funding line"), default=False
    )
    selected_at = models.DateTimeField(_("selected at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("micro-project round")
        verbose_name_plural = _("micro-project rounds")
        ordering = ["-year", "place_path"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year"], name="microprojects_round_year")
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="microprojects_round_path",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}"


class Review(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    FEASIBLE = "feasible", _("Feasible")
    NOT_FEASIBLE = "not_feasible", _("Not feasible")


class Selection(models.TextChoices):
    NONE = "", _("Not decided")
    SELECTED = "selected", _("Selected")
    SKIPPED = "skipped", _("Skipped: does not fit the remaining budget")
    NO_VOTES = "no_votes", _("Not selected: no votes")
    NOT_FUNDED = "not_funded", _("Not selected: its supporters' equal shares do not cover it")


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Project(models.Model):
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="projects")
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    proposer = models.ForeignKey(
        "people.Resident",
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposer_name = models.CharField(_("proposed by"), max_length=64)
    proposed_cost = models.DecimalField(_("proposed cost"), max_digits=12, decimal_places=2)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=2)
    review = models.CharField(
        _("review"), max_length=14, choices=Review.choices, default=Review.PENDING
    )
    review_reason = models.CharField(_("review note"), max_length=500, blank=True)
    votes = models.PositiveIntegerField(_("votes"), default=0)
    selection = models.CharField(
        _("selection"), max_length=10, choices=Selection.choices, blank=True, default=""
    )
    selection_rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    remaining_before = models.DecimalField(
        _("remaining budget before"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Both outcomes are kept for the side-by-side results; `selection` follows the round's method.
    greedy_selected = models.BooleanField(_("selected by greedy"), null=True, blank=True)
    mes_selected = models.BooleanField(_("selected by equal shares"), null=True, blank=True)
    mes_stage = models.CharField(_("equal shares stage"), max_length=8, blank=True)
    progress = models.CharField(
        _("implementation"),
        max_length=12,
        choices=Progress.choices,
        default=Progress.NOT_STARTED,
    )
    completed_at = models.DateField(_("completed on"), null=True, blank=True)
    completion_note = models.CharField(_("completion note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("proposed at"), default=clock.now)

    class Meta:
        verbose_name = _("micro-project")
        verbose_name_plural = _("micro-projects")
        ordering = ["round_id", "selection_rank", "created_at", "id"]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="microprojects_project_path",
                opclasses=["varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return self.title


class CostItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("item"), max_length=120)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["project_id", "id"]

    def __str__(self) -> str:
        return self.name


class Support(models.Model):
    """A resident's vote for a project."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="supports")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "resident", "project"], name="microprojects_one_vote"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} → {self.project_id}"


class Spending(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="spending")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    item = models.CharField(_("paid for"), max_length=120, blank=True)
    # Who was paid: a social organisation on the register (picked, issue 16 item 1), or — a
    # company, a person — the typed name. With an organisation, `payee` keeps its name as it
    # was when paid (rows typed before the register keep their text; the migration linked
    # those that matched one organisation).
    payee = models.CharField(_("payee"), max_length=120)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("social organisation paid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("spending")
        verbose_name_plural = _("spending")
        ordering = ["project_id", "paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.payee_name} {self.amount}"

    @property
    def payee_name(self) -> str:
        """The registered organisation's name when one is linked, else the typed payee."""
        return self.organisation.name if self.organisation is not None else self.payee


def media_storage() -> FileSystemStorage:
    # No fixed location: follows settings.MEDIA_ROOT (also when a test overrides it).
    return FileSystemStorage()


def _photo_path(instance: Photo, filename: str) -> str:
    return f"microprojects/{clock.today():%Y/%m}/{filename}"


class Photo(models.Model):
    """Re-encoded (no EXIF) and served only through microprojects:photo. A photo linked to a
    spending entry is its receipt (invoice, payment slip); the others show the work."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="photos")
    spending = models.ForeignKey(
        Spending,
        verbose_name=_("receipt of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    file = models.FileField(_("file"), upload_to=_photo_path, storage=media_storage, max_length=200)
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["project_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.file.name or ""
