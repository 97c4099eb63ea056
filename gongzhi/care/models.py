"""Care and outreach (issue 24): household notices with read receipts (item 3); rented homes,
their tenants and door-to-door verification rounds (item 2); visit plans, visits and their
photos (item 1); donations and the service circle's points (item 4).

A notice (户通知) goes to every household of a building, estate, grid or community, or to the
households among them with a resident carrying a care tag. It has one delivery row per
household, written set-based when it is sent (`services.send_notice`); reading it on the phone
stamps the household's delivery once (`read_at`), and an urgent notice texts the households
still unread after `care.urgent_sms_after_minutes`, once each (`sms_at`).

Every row carries `place_path` (the target's path on the notice, the household's building path on
a delivery) so that lists are scoped without a join.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField
from gongzhi.people.models import Tag


class NoticeKind(models.TextChoices):
    """What the notice is about; water, power and weather have a ready template."""

    WATER = "water", _("Water cut")
    POWER = "power", _("Power cut")
    WEATHER = "weather", _("Weather warning")
    OTHER = "other", _("Other notice")


class Notice(models.Model):
    place = models.ForeignKey(
        "places.Place", verbose_name=_("sent to"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=1000)
    # Only households with a resident carrying this care tag (blank: every household).
    care_tag = models.CharField(_("care tag"), max_length=24, choices=Tag.choices, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    # Urgent notices: when the households still unread are texted (sent_at + the profile's
    # `care.urgent_sms_after_minutes`), when the texting ran, how many texts went out and how
    # many households were left without one (no phone, or over the per-notice limit).
    sms_due_at = models.DateTimeField(_("SMS due at"), null=True, blank=True)
    sms_done_at = models.DateTimeField(_("SMS sent at"), null=True, blank=True)
    sms_sent = models.PositiveIntegerField(_("SMS sent"), default=0)
    sms_skipped = models.PositiveIntegerField(_("households not texted"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    sent_by = models.ForeignKey(
        "core.User", verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=clock.now, db_index=True)

    class Meta:
        verbose_name = _("household notice")
        verbose_name_plural = _("household notices")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="care_notice_title_required"),
            models.CheckConstraint(
                condition=Q(urgent=True, sms_due_at__isnull=False)
                | Q(urgent=False, sms_due_at__isnull=True, sms_done_at__isnull=True),
                name="care_notice_sms_only_urgent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_notice_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["sms_due_at"],
                name="care_notice_sms_pending",
                condition=Q(urgent=True, sms_done_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """A notice's copy for one household: read once (the receipt), texted at most once."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    household = models.ForeignKey(
        "places.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    read_by = models.ForeignKey(
        "core.User",
        verbose_name=_("read by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sms_at = models.DateTimeField(_("texted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["place_path", "household_id"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "household"], name="care_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["notice", "place_path"], name="care_delivery_scope"),
            models.Index(fields=["notice", "read_at"], name="care_delivery_read"),
            models.Index(fields=["household", "notice"], name="care_delivery_household"),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id}/{self.household_id}"


class RentedHome(models.Model):
    """A household let by its landlord (出租房), the landlord a person of the registry (item 2).
    Its tenants are registered like any resident and linked to it while their lease runs."""

    household = models.OneToOneField(
        "places.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="rented_home",
    )
    landlord = models.ForeignKey(
        "people.Resident", verbose_name=_("landlord"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    registered_at = models.DateTimeField(_("registered at"), default=clock.now)

    class Meta:
        verbose_name = _("rented home")
        verbose_name_plural = _("rented homes")
        ordering = ["place_path", "household_id"]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_rented_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return str(self.household)


class Tenancy(models.Model):
    """A tenant's link to a rented home: current from `starts_on` while the lease runs (until
    `ends_on`, both included) and not ended; moving out ends it (`ended_on`)."""

    home = models.ForeignKey(RentedHome, on_delete=models.CASCADE, related_name="tenancies")
    tenant = models.ForeignKey(
        "people.Resident", verbose_name=_("tenant"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("lease starts on"))
    ends_on = models.DateField(_("lease ends on"))
    ended_on = models.DateField(_("moved out on"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="care_lease_order"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="care_tenancy_ended_after_start",
            ),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=Q(ended_on__isnull=True),
                name="care_tenancy_one_open_per_tenant",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_tenancy_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}@{self.home_id}"

    def is_current(self, on: dt.date) -> bool:
        return self.ended_on is None and self.starts_on <= on <= self.ends_on


class VisitPlan(models.Model):
    """A person on a care list (a resident carrying a care tag) and the visitor assigned to them
    (issue 24 item 1). Visited every `every_days` (the profile's `care.visit_days_<tag>` when
    planned); the next visit is due on `next_due_on` and overdue after it."""

    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("person cared for"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    tag = models.CharField(_("care tag"), max_length=24, choices=Tag.choices)
    visitor = models.ForeignKey(
        "core.User", verbose_name=_("visitor"), on_delete=models.PROTECT, related_name="+"
    )
    every_days = models.PositiveSmallIntegerField(_("days between visits"))
    next_due_on = models.DateField(_("next visit due on"))
    last_visited_at = models.DateTimeField(_("last visited at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    planned_at = models.DateTimeField(_("planned at"), default=clock.now)
    # The due date whose overdue the visitor was last told of (`visits.notify_overdue`): once
    # per plan per due date.
    overdue_told_for = models.DateField(_("overdue told for"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        ordering = ["next_due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="care_visit_plan_once"),
            models.CheckConstraint(condition=Q(every_days__gte=1), name="care_visit_rhythm"),
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="care_visit_plan_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["visitor", "next_due_on"], name="care_visit_plan_todo"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.tag}"

    def is_overdue(self, on: dt.date) -> bool:
        return self.next_due_on < on


class Visit(models.Model):
    """A visit recorded on the visitor's phone: when, where (an optional point, flagged when far
    from the household's building), what was found and any need raised. Its notes are read only
    by the visitor and those the matrix grants `care.visit_notes`."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.CASCADE, related_name="visits")
    visitor = models.ForeignKey(
        "core.User", verbose_name=_("visitor"), on_delete=models.PROTECT, related_name="+"
    )
    visited_at = models.DateTimeField(_("visited at"))
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # Metres from the building's centre when a point was given and the building has one.
    distance_m = models.PositiveIntegerField(_("metres from the building"), null=True, blank=True)
    far_from_building = models.BooleanField(_("far from the building"), default=False)
    found = models.TextField(_("what was found"), max_length=1000)
    need = models.TextField(_("need raised"), max_length=1000, blank=True)
    # The ticket the need became (one tap by the visitor, tickets.services.submit), once.
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        verbose_name = _("care visit")
        verbose_name_plural = _("care visits")
        ordering = ["-visited_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(found=""), name="care_visit_found_required"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True)
                | Q(lat__isnull=False, lng__isnull=False),
                name="care_visit_point_whole",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_visit_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["plan", "visited_at"], name="care_visit_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}@{self.visited_at:%Y-%m-%d}"


def media_storage() -> FileSystemStorage:
    # No fixed location: follows settings.MEDIA_ROOT (also when a test overrides it).
    return FileSystemStorage()


def _photo_path(instance: object, filename: str) -> str:
    return f"care/{clock.today():%Y/%m}/{filename}"


class VisitPhoto(models.Model):
    """The optional photo of a visit: re-encoded by gongzhi.core.photos (no EXIF, no GPS kept),
    served only through care:visit_photo to those who may read the visit's notes."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="photo")
    file = models.FileField(_("file"), upload_to=_photo_path, storage=media_storage, max_length=200)
    thumb = models.FileField(upload_to=_photo_path, storage=media_storage, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        "core.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.file.name or ""


# --------------------------------------------------------------------------- verification round


class RoundScope(models.TextChoices):
    RENTED = "rented", _("Every rented home")
    TAG = "tag", _("Households with a resident carrying a care tag")


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class CheckRound(models.Model):
    """A door-to-door verification round (入户核查, issue 24 item 2) sent by a community or
    street to its grid workers: a checklist (`rounds.CHECKLIST`) per rented home, or per
    household with a resident carrying `row_tag`, answered by the grid worker of each home; a
    roll-up spreadsheet. Built inside care because the sent-down tasks of keytasks cannot send
    from a community nor take rows of rented homes (docs/care.md)."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("sent from"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("title"), max_length=120)
    scope = models.CharField(_("households checked"), max_length=8, choices=RoundScope.choices)
    row_tag = models.CharField(_("care tag"), max_length=24, choices=Tag.choices, blank=True)
    due_on = models.DateField(_("deadline"))
    rows = models.PositiveIntegerField(_("households"), default=0)
    sent_by = models.ForeignKey(
        "core.User", verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)

    class Meta:
        verbose_name = _("verification round")
        verbose_name_plural = _("verification rounds")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope=RoundScope.RENTED, row_tag="")
                | Q(scope=RoundScope.TAG) & ~Q(row_tag=""),
                name="care_round_scope_tag",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_round_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CheckItem(models.Model):
    """One household of a round: the checklist's answers (`answers`: item code → yes/no), a
    note, who checked it and when. `place_path` is the household's building path."""

    round = models.ForeignKey(CheckRound, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(
        "places.Household", verbose_name=_("household"), on_delete=models.CASCADE, related_name="+"
    )
    home = models.ForeignKey(
        RentedHome,
        verbose_name=_("rented home"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    note = models.TextField(_("note"), max_length=500, blank=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(
        "core.User",
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("household to check")
        verbose_name_plural = _("households to check")
        ordering = ["round_id", "place_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "household"], name="care_round_item_once"),
        ]
        indexes = [
            models.Index(
                fields=["place_path"],
                name="care_round_item_path",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["round", "checked_at"], name="care_round_item_done"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.household_id}"


# --------------------------------------------------------------------------- 爱心档案, service circle


class DonationKind(models.TextChoices):
    MONEY = "money", _("Money")
    GOODS = "goods", _("Goods")


class DonationTo(models.TextChoices):
    FUND = "fund", _("Community fund")
    DRIVE = "drive", _("Donation drive")


class Donation(models.Model):
    """A resident's gift (爱心档案, issue 24 item 4): money (in fen) or goods, to a community
    fund or a drive, recorded by the community's staff or by the resident on the phone
    (`self_reported`). `place_path` is the donor's home (building) path."""

    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("donor"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=DonationKind.choices)
    to = models.CharField(_("given to"), max_length=8, choices=DonationTo.choices)
    destination = models.CharField(_("fund or drive"), max_length=100)
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"), null=True, blank=True)
    goods = models.CharField(_("goods"), max_length=200, blank=True)
    given_on = models.DateField(_("given on"))
    self_reported = models.BooleanField(_("recorded by the donor"), default=False)
    recorded_by = models.ForeignKey(
        "core.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=clock.now)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=DonationKind.MONEY, amount_fen__gt=0, goods="")
                | Q(kind=DonationKind.GOODS, amount_fen__isnull=True) & ~Q(goods=""),
                name="care_donation_money_or_goods",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_donation_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["resident", "given_on"], name="care_donation_donor"),
        ]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.kind}@{self.given_on}"


class ServiceKind(models.TextChoices):
    CLINIC = "clinic", _("Clinic")
    CANTEEN = "canteen", _("Canteen for the elderly")
    STATION = "station", _("Service station")
    MERCHANT = "merchant", _("Merchant")
    OTHER = "other", _("Other service")


class ServicePoint(models.Model):
    """A service within a half-hour walk (the service circle, 001 §11): a clinic, a canteen for
    the elderly, a service station, a merchant (optionally the merchants app's record), with its
    opening hours and a point for the map. Kept by the community's staff."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("service phone"), max_length=32, blank=True)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    lng = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("listed"), default=True)
    updated_by = models.ForeignKey(
        "core.User", verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), default=clock.now)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["place_path", "kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="care_service_point_name"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lng__isnull=True)
                | Q(lat__isnull=False, lng__isnull=False),
                name="care_service_point_whole",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_service_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return self.name
