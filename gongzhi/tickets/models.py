"""Tickets: residents' requests and grid events (工单), their history and photos.

Their notifications are the kernel's (gongzhi.core.models.Notification, linking to the ticket).

A ticket's `status` changes only in gongzhi/tickets/services.py, through the transition table
in gongzhi/tickets/workflow.py. `place_path` is a copy of the place's path, so scoping a list
needs no join (like Household.place_path).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


class Kind(models.TextChoices):
    CONSULT = "consult", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report")
    SUGGESTION = "suggestion", _("Suggestion")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    PHONE = "phone", _("Phone call")
    WALK_IN = "walk_in", _("Walk-in")
    PATROL = "patrol", _("Grid patrol")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted by the grid")
    IN_GRID = "in_grid", _("Handled in the grid")
    ESCALATED = "escalated", _("Escalated to the community")
    DISPATCHED = "dispatched", _("Dispatched")
    POOLED = "pooled", _("In the pool")
    TAKEN = "taken", _("Taken")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CONFIRMED = "confirmed", _("Confirmed and rated")
    CLOSED = "closed", _("Closed")
    RETURNED = "returned", _("Returned")
    MERGED = "merged", _("Merged")
    ESCALATED_TO_STREET = "escalated_to_street", _("Escalated to the street")


class Level(models.TextChoices):
    GRID = "grid", _("Grid")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")


class HandlerKind(models.TextChoices):
    GRID_WORKER = "grid_worker", _("Grid worker")
    COMMUNITY = "community", _("Community")
    STREET = "street", _("Street")
    PARTY_MEMBER = "party_member", _("Party member")
    VOLUNTEER_TEAM = "volunteer_team", _("Volunteer team")
    PROPERTY_COMPANY = "property_company", _("Property company")
    PARTNER_UNIT = "partner_unit", _("Partner unit")
    DEPARTMENT = "department", _("Department")


class RoutingTarget(models.TextChoices):
    GRID = "grid", _("The grid's worker")
    COMMUNITY = "community", _("The community")
    PROPERTY_COMPANY = "property_company", _("The property company")
    PARTNER_UNIT = "partner_unit", _("A partner unit")


class Category(models.Model):
    """A node of the configurable category tree, with its routing rule."""

    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    default_priority = models.CharField(
        _("default priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    routing = models.CharField(
        _("routed to"), max_length=20, choices=RoutingTarget.choices, default=RoutingTarget.GRID
    )
    # Local configuration, not policy: a category may need more or less time than its kind.
    response_hours = models.PositiveIntegerField(_("response time (hours)"), null=True, blank=True)
    resolve_hours = models.PositiveIntegerField(_("resolution time (hours)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["sort", "code"]
        # One name per level of the tree (two constraints: NULL parents are distinct in SQL).
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=models.Q(parent__isnull=False),
                name="ticket_category_name_unique_in_parent",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="ticket_category_root_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="tickets"
    )
    text = models.TextField(_("text"), max_length=2000)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    channel = models.CharField(
        _("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE
    )
    # The resident (or patrolling grid worker) who submitted; null when staff entered the
    # ticket for someone without an account (then `on_behalf_of_name`).
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets_submitted",
    )
    on_behalf_of_name = models.CharField(_("on behalf of"), max_length=64, blank=True)
    # The ledger's "last four digits" search (gongzhi/tickets/ledger.py): a keyed blind index
    # (core.crypto) of the last four digits of the submitter's phone at submission, never the
    # digits themselves; empty for anonymous reports and tickets without a phone.
    phone_tail_index = models.CharField(max_length=64, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    grid = models.ForeignKey(
        "places.Place",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.GRID)
    handler_kind = models.CharField(
        _("handler kind"), max_length=20, choices=HandlerKind.choices, blank=True
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets_handled",
    )
    handler_place = models.ForeignKey(
        "places.Place",
        verbose_name=_("handling place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    response_due = models.DateTimeField(_("response due"))
    resolve_due = models.DateTimeField(_("resolution due"))
    # The next time the sweep looks at the ticket (escalation or supervision); null: never.
    escalate_at = models.DateTimeField(_("next escalation check"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    supervised = models.BooleanField(_("supervised"), default=False)
    resolution_note = models.TextField(_("resolution note"), blank=True, max_length=2000)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    rating_comment = models.CharField(_("rating comment"), max_length=500, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="ticket_rating_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(anonymous=False) | models.Q(kind="report"),
                name="ticket_anonymous_only_reports",
            ),
            models.CheckConstraint(
                condition=models.Q(merged_into__isnull=True) | models.Q(status="merged"),
                name="ticket_merged_into_only_when_merged",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="ticket_path_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["status", "place_path"], name="ticket_status_path"),
            models.Index(fields=["escalate_at"], name="ticket_escalate_at"),
            models.Index(fields=["submitter", "-created_at"], name="ticket_submitter"),
            models.Index(fields=["handler_user", "status"], name="ticket_handler"),
            models.Index(fields=["grid", "status"], name="ticket_grid_status"),
            models.Index(fields=["phone_tail_index"], name="ticket_phone_tail"),
            # Statistics (tickets.stats): tickets of an area created in a month range, read
            # from the index alone (PostgreSQL: INCLUDE, an index-only scan; see bench/README).
            models.Index(
                fields=["place_path", "created_at"],
                name="ticket_path_created",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
                include=[
                    "id",
                    "status",
                    "level",
                    "grid",
                    "rating",
                    "response_due",
                    "responded_at",
                    "resolve_due",
                    "resolved_at",
                ],
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def is_overdue(self, now=None) -> bool:
        now = now or clock.now()
        if self.status in (Status.CLOSED, Status.MERGED, Status.RESOLVED, Status.CONFIRMED):
            return False
        if self.responded_at is None and self.response_due < now:
            return True
        return self.resolved_at is None and self.resolve_due < now


class TicketEvent(models.Model):
    """One row of a ticket's history: a transition (or the submission) and who made it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey(
        "core.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)
    data = models.JSONField(_("details"), default=dict, blank=True)
    at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.from_status}→{self.to_status}"


class TicketCounter(models.Model):
    """The last number given out per day (Asia/Shanghai), for GZ-YYYYMMDD-NNNN."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class PhotoStage(models.TextChoices):
    INTAKE = "intake", _("With the ticket")
    RESOLUTION = "resolution", _("With the resolution")


# The kernel's path (`<app>/<year>/<month>/<name>`); the name stays for the migrations.
_photo_path = photos.upload_path


class TicketPhoto(photos.AttachedPhoto):
    """A photo attached on intake or with the resolution. Stored re-encoded (no EXIF) under
    MEDIA_ROOT and served only through tickets:photo, which checks the viewer may see the
    ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("stage"), max_length=12, choices=PhotoStage.choices)
    event = models.ForeignKey(
        TicketEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )

    class Meta:
        verbose_name = _("ticket photo")
        verbose_name_plural = _("ticket photos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "stage"], name="ticket_photo_stage")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.stage} #{self.pk}"


class Open311Key(models.Model):
    """An Open311 client's key (issue 13): scoped to /open311/v2/ only (the REST API does not
    know it), one per client and person, revocable, stored as a SHA-256 digest (the key itself
    is shown once, when issued). Issued and revoked by `manage.py open311_key`
    (gongzhi/tickets/open311_keys.py); docs/open311.md."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="open311_keys",
    )
    client = models.CharField(_("client"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(client=""), name="open311_key_client_named"),
        ]

    def __str__(self) -> str:
        return f"{self.client} ({self.prefix}…)"


class SavedFilter(models.Model):
    """A ledger filter a user saved under a name (gongzhi/tickets/ledger.py): the query string
    of the non-personal filters only — a search by a resident's name or phone digits is never
    saved. Only its owner sees and deletes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("ticket ledger", "owner"),
        on_delete=models.CASCADE,
        related_name="ticket_filters",
    )
    name = models.CharField(pgettext_lazy("ticket ledger", "name"), max_length=40)
    query = models.CharField(_("filter"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("saved ticket filter")
        verbose_name_plural = _("saved ticket filters")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="ticket_filter_name_unique"),
            models.CheckConstraint(condition=~models.Q(name=""), name="ticket_filter_named"),
        ]

    def __str__(self) -> str:
        return self.name


class LedgerExport(models.Model):
    """A large ledger export written in the background (gongzhi/tickets/ledger.py): who asked,
    the filter (its personal parts sealed with core.crypto), progress, and the finished file,
    kept encrypted under var/ledger-exports/ for its owner only until `expires_at`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Writing")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("ticket ledger", "asked by"),
        on_delete=models.CASCADE,
        related_name="ticket_exports",
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    params = models.JSONField(_("filter"), default=dict, blank=True)
    search_encrypted = models.TextField(_("search (encrypted)"), blank=True, editable=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    progress = models.PositiveIntegerField(_("rows written"), default=0)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("ticket ledger export")
        verbose_name_plural = _("ticket ledger exports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["expires_at"], name="ledger_export_expires")]

    def __str__(self) -> str:
        return f"{self.user_id} #{self.pk}"

    @property
    def running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0 if self.running else 100
        return min(100, self.progress * 100 // self.total_rows)
