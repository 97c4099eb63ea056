"""Party organisational life (issue 23): meetings of 三会一课, theme party days and the big
committee with attendance, minutes and photos; the yearly democratic review of members
(民主评议党员); party dues (党费) as an append-only, idempotent ledger per member and month.

Every record belongs to a party organisation of the registry (gongzhi/party) and copies its
place path for scoping."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


class MeetingKind(models.TextChoices):
    GENERAL = "general_meeting", _("Branch general meeting")
    COMMITTEE = "committee_meeting", _("Branch committee meeting")
    GROUP = "group_meeting", _("Party group meeting")
    LECTURE = "lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme party day")
    BIG_COMMITTEE = "big_committee", _("Big-committee meeting")


def _secret() -> str:
    return secrets.token_hex(16)


class Meeting(models.Model):
    """One meeting of an organisation: planned with a date and an agenda, held when its
    minutes are recorded."""

    org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="partylife_meetings",
    )
    kind = models.CharField(_("kind"), max_length=24, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=100)
    held_on = models.DateField(_("date"))
    location = models.CharField(_("location"), max_length=100, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    qr_secret = models.CharField(max_length=32, default=_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("party meeting")
        verbose_name_plural = _("party meetings")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="partylife_meeting_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["org", "kind", "held_on"], name="partylife_meeting_org"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def held(self) -> bool:
        return self.minutes_at is not None


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=12, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="partylife_attend_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.status}"


def media_storage() -> FileSystemStorage:
    # No fixed location: follows settings.MEDIA_ROOT (also when a test overrides it).
    return FileSystemStorage()


# The kernel's path (`<app>/<year>/<month>/<name>`); the name stays for the migrations.
_photo_path = photos.upload_path


class MeetingPhoto(photos.AttachedPhoto):
    """Re-encoded by gongzhi.core.photos; served only through partylife:photo (scoped)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="photos")
    # Columns as this app's table made them (no verbose names, its own storage, SET_NULL).
    file = models.FileField(_("file"), upload_to=_photo_path, storage=media_storage, max_length=200)
    thumb = models.FileField(upload_to=_photo_path, storage=media_storage, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["meeting_id", "created_at", "id"]


# --------------------------------------------------------------------------- democratic review


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASIC = "basic", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class ReviewRound(models.Model):
    """The yearly democratic review (民主评议党员) of one branch."""

    org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="partylife_reviews",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("democratic review round")
        verbose_name_plural = _("democratic review rounds")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year"], name="partylife_review_once_a_year"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"


class ReviewResult(models.Model):
    """One member's review: the three parts (0–100 each), the weighted total and the grade
    from the profile's bands, with who decided it and when."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="results")
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    self_score = models.PositiveSmallIntegerField(_("self-assessment"), null=True, blank=True)
    self_note = models.CharField(_("self-assessment note"), max_length=500, blank=True)
    peer_score = models.PositiveSmallIntegerField(_("peer assessment"), null=True, blank=True)
    branch_score = models.PositiveSmallIntegerField(_("branch assessment"), null=True, blank=True)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("democratic review result")
        verbose_name_plural = _("democratic review results")
        ordering = ["round_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="partylife_result_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.grade}"


# --------------------------------------------------------------------------- dues


class DuesKind(models.TextChoices):
    DUE = "due", _("Amount due")
    PAYMENT = "payment", _("Payment")


class DuesEntry(models.Model):
    """An append-only line of a member's dues ledger: the amount due for a month (with the
    base the branch records, nothing else about income) or the payment of that month.
    Amounts in fen. One due and one payment per member and month (database constraints);
    a request repeated with the same idempotency key returns the line already written."""

    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org = models.ForeignKey(
        "party.PartyOrg", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=8, choices=DuesKind.choices)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    base_fen = models.PositiveIntegerField(_("base (fen)"), null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("dues entry")
        verbose_name_plural = _("dues entries")
        ordering = ["member_id", "month", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month", "kind"], name="partylife_dues_once_a_month"
            ),
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="partylife_dues_pos"),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="partylife_dues_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["org", "month"], name="partylife_dues_org"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.kind} {self.amount_fen}"


# --------------------------------------------------------------------------- transfers


class TransferKind(models.TextChoices):
    INTERNAL = "internal", _("Between branches on the platform")
    IN = "in", _("In from outside the platform")
    OUT = "out", _("Out of the platform")


class TransferState(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("transfer", "Awaiting acceptance")
    ACCEPTED = "accepted", pgettext_lazy("transfer", "Accepted")
    REFUSED = "refused", pgettext_lazy("transfer", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("transfer", "Withdrawn")
    RECORDED = "recorded", pgettext_lazy("transfer", "Recorded")


class Transfer(models.Model):
    """A party member's organisational relation moving (组织关系转接). Between branches on the
    platform: requested by the member's branch, accepted or refused (with the reason) by the
    receiving one; only an acceptance moves the member. To or from outside the platform: a
    record with the introduction letter's number that ends or opens the membership at once.
    States and steps: gongzhi/partylife/workflow.py."""

    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=TransferState.choices)
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The branch the member leaves (None: in from outside) and the one they join (None: out).
    from_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The organisation outside the platform (transfers in and out) and the letter's number.
    outside_org = models.CharField(
        _("organisation outside the platform"), max_length=100, blank=True
    )
    letter_no = models.CharField(_("letter number"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The paths of both ends, for scoping either side without a join ("" for outside).
    from_path = PathField(_("from path"), editable=False, db_index=False, blank=True)
    to_path = PathField(_("to path"), editable=False, db_index=False, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("transfer of membership")
        verbose_name_plural = _("transfers of membership")
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one transfer awaiting acceptance per member.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(state="requested"),
                name="partylife_transfer_one_open",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="internal", from_org__isnull=False, to_org__isnull=False)
                    | models.Q(kind="in", from_org__isnull=True, to_org__isnull=False)
                    | models.Q(kind="out", from_org__isnull=False, to_org__isnull=True)
                ),
                name="partylife_transfer_ends",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="internal") | ~models.Q(letter_no=""),
                name="partylife_transfer_letter",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="refused") | ~models.Q(refusal_reason=""),
                name="partylife_transfer_refusal_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["from_path"],
                name="partylife_transfer_from",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(
                fields=["to_path"], name="partylife_transfer_to", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.state}"


# --------------------------------------------------------------------------- pledges and areas


class PledgeOutcome(models.TextChoices):
    KEPT = "kept", pgettext_lazy("pledge", "Kept")
    PARTLY = "partly", pgettext_lazy("pledge", "Partly kept")
    NOT_KEPT = "not_kept", pgettext_lazy("pledge", "Not kept")


class Pledge(models.Model):
    """A member's pledge for a year (承诺践诺, seed 001 §7): the items the member promises,
    made by the member, and the branch's review (kept, partly kept, not kept) with its comment
    and who reviewed it. One pledge per member and year (database constraint)."""

    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The member's organisation when the pledge was made: its branch reviews it.
    org = models.ForeignKey(
        "party.PartyOrg", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    items = models.JSONField(_("pledge items"), default=list)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=PledgeOutcome.choices, blank=True
    )
    comment = models.CharField(_("review comment"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="partylife_pledge_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(reviewed_at__isnull=False),
                name="partylife_pledge_reviewed",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="partylife_pledge_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["org", "year"], name="partylife_pledge_org"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.year}"

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


class ResponsibilityArea(models.Model):
    """A member's responsibility area (责任区, seed 001 §7): buildings or households the branch
    assigns to a member, from a date, until a date or open. A household lies in at most one
    area of a branch at a time (checked by the service under the branch's row lock: a rule
    across rows and dates that a database constraint cannot state)."""

    org = models.ForeignKey(
        "party.PartyOrg", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("responsibility area")
        verbose_name_plural = _("responsibility areas")
        ordering = ["org_id", "-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="partylife_area_dates",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="partylife_area_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["org", "ends_on"], name="partylife_area_org"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.starts_on}"

    def current_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or self.ends_on >= day)


class AreaUnit(models.Model):
    """One building or one household of a responsibility area."""

    area = models.ForeignKey(ResponsibilityArea, on_delete=models.CASCADE, related_name="units")
    building = models.ForeignKey(
        "places.Place",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household = models.ForeignKey(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("area unit")
        verbose_name_plural = _("area units")
        ordering = ["area_id", "place_path", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(building__isnull=False, household__isnull=True)
                | models.Q(building__isnull=True, household__isnull=False),
                name="partylife_area_unit_one",
            ),
            models.UniqueConstraint(fields=["area", "building"], name="partylife_area_building"),
            models.UniqueConstraint(fields=["area", "household"], name="partylife_area_household"),
        ]

    def __str__(self) -> str:
        return str(self.household or self.building)


# --------------------------------------------------------------------------- the vanguard index


class IndexItemKind(models.TextChoices):
    BONUS = "bonus", pgettext_lazy("vanguard index", "Bonus")
    DEDUCTION = "deduction", pgettext_lazy("vanguard index", "Deduction")
    VETO = "veto", pgettext_lazy("vanguard index", "Veto")


class IndexItemState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("vanguard index", "Awaiting review")
    ACCEPTED = "accepted", pgettext_lazy("vanguard index", "Accepted")
    REFUSED = "refused", pgettext_lazy("vanguard index", "Refused")


class IndexItem(models.Model):
    """A bonus, deduction or veto item of a member's vanguard index (先锋指数): declared by the
    member and reviewed by the branch (accepted or refused with the reason), or recorded by the
    branch (accepted at once; vetoes only so). Only accepted items count, in the period their
    date falls in; points, caps and vetoes come from the profile (gongzhi/partylife/index.py)."""

    member = models.ForeignKey(
        "party.PartyMember",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The branch that reviews the item: the member's branch when it was declared.
    org = models.ForeignKey(
        "party.PartyOrg", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=IndexItemKind.choices)
    code = models.CharField(_("item"), max_length=24)
    occurred_on = models.DateField(_("date"))
    text = models.CharField(_("what happened"), max_length=500)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=IndexItemState.choices,
        default=IndexItemState.PENDING,
    )
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # True when the member declared it; False when the branch recorded it.
    self_declared = models.BooleanField(_("declared by the member"), default=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("vanguard index item")
        verbose_name_plural = _("vanguard index items")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="refused") | ~models.Q(refusal_reason=""),
                name="partylife_item_refusal_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(state="pending") | models.Q(reviewed_at__isnull=False),
                name="partylife_item_reviewed",
            ),
            # A veto is recorded by the branch, never declared.
            models.CheckConstraint(
                condition=~models.Q(kind="veto") | models.Q(self_declared=False),
                name="partylife_item_veto_recorded",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="partylife_item_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["member", "occurred_on"], name="partylife_item_member"),
            models.Index(fields=["org", "state"], name="partylife_item_org"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind} {self.code} {self.occurred_on}"


class IndexEvidence(photos.AttachedPhoto):
    """A photo backing a declared item (re-encoded by gongzhi.core.photos; served only through
    partylife:index_evidence, scoped as the item)."""

    item = models.ForeignKey(IndexItem, on_delete=models.CASCADE, related_name="evidence")
    # Columns as this app's table made them (no verbose names, its own storage, SET_NULL).
    file = models.FileField(_("file"), upload_to=_photo_path, storage=media_storage, max_length=200)
    thumb = models.FileField(upload_to=_photo_path, storage=media_storage, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["item_id", "created_at", "id"]
