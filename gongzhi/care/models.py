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
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock, photos
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


# The kernel's path (`<app>/<year>/<month>/<name>`); the name stays for the migrations.
_photo_path = photos.upload_path


class VisitPhoto(photos.AttachedPhoto):
    """The optional photo of a visit: re-encoded by gongzhi.core.photos (no EXIF, no GPS kept),
    served only through care:visit_photo to those who may read the visit's notes."""

    visit = models.OneToOneField(Visit, on_delete=models.CASCADE, related_name="photo")
    # Columns as this app's table made them (no verbose names, its own storage, SET_NULL).
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


# --------------------------------------------------------------------- talent and skills base
# Seed 002 §三(二)1 (达人库、社区骨干人才库) and §三(三)2 (居民信息技能特长库, 依据用户自主自愿原则).


class SkillTerm(models.Model):
    """One term of the skills vocabulary: the platform's terms (no community; shipped by a data
    migration) and the terms a community's staff add for their own community."""

    community = models.ForeignKey(
        "places.Place",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("skill"), max_length=24)
    is_active = models.BooleanField(_("offered"), default=True)
    sort = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("skill term")
        verbose_name_plural = _("skill terms")
        ordering = ["sort", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="care_skill_name_required"),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(community__isnull=True),
                name="care_skill_platform_name",
            ),
            models.UniqueConstraint(
                fields=["community", "name"],
                condition=Q(community__isnull=False),
                name="care_skill_community_name",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Willingness(models.TextChoices):
    ON_CALL = "on_call", _("May be called on")
    VOLUNTEER = "volunteer", _("As a volunteer, unpaid")
    PAID = "paid", _("For a fee")


class ConsentWay(models.TextChoices):
    SELF = "self", _("Given by the person on their phone")
    WRITTEN = "written", _("Signed form kept by the community")
    IN_PERSON = "in_person", _("Given in person to staff")


class Talent(models.Model):
    """A resident in the talent and skills base (达人库 / 技能特长库): skills from the vocabulary
    and in their own words, how they are willing to help, when, and the consent to be listed
    (PIPL art. 13/14: the person agrees; withdrawing takes them off every search and clears what
    they told us — only the row with the withdrawal remains). Backbone people (社区骨干) are
    flagged by staff with a reason. `place_path` is the person's home (building) path."""

    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="talent",
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    skills = models.ManyToManyField(
        SkillTerm, verbose_name=_("skills"), blank=True, related_name="+"
    )
    specialty = models.CharField(_("skills and specialties"), max_length=200, blank=True)
    willingness = models.CharField(
        _("willing to help"), max_length=12, choices=Willingness.choices, default="on_call"
    )
    availability = models.CharField(_("availability"), max_length=100, blank=True)
    consent_at = models.DateTimeField(_("consented at"), null=True, blank=True)
    consent_way = models.CharField(
        _("consent given"), max_length=12, choices=ConsentWay.choices, blank=True
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    backbone = models.BooleanField(_("backbone"), default=False)
    backbone_reason = models.CharField(_("why a backbone"), max_length=200, blank=True)
    backbone_by = models.ForeignKey(
        "core.User",
        verbose_name=_("backbone set by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    self_entered = models.BooleanField(_("entered by the person"), default=False)
    updated_by = models.ForeignKey(
        "core.User", verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), default=clock.now)

    class Meta:
        verbose_name = _("talent")
        verbose_name_plural = _("talent base")
        ordering = ["-backbone", "place_path", "id"]
        constraints = [
            # Listed only with consent; a withdrawn entry is no backbone.
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=False, backbone=False)
                | Q(withdrawn_at__isnull=True, consent_at__isnull=False) & ~Q(consent_way=""),
                name="care_talent_consented",
            ),
            models.CheckConstraint(
                condition=Q(backbone=False) | ~Q(backbone_reason=""),
                name="care_talent_backbone_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="care_talent_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"talent:{self.resident_id}"

    @property
    def listed(self) -> bool:
        return self.withdrawn_at is None


# ------------------------------------------------------------------ opinions through WeChat
# and DingTalk (seed 002 §三(二)1: 利用钉钉、微信等途径，征集民意、民情).


class Platform(models.TextChoices):
    WECHAT = "wechat", _("WeChat official account")
    DINGTALK = "dingtalk", _("DingTalk robot")


class OpinionChannel(models.Model):
    """A community's inbound channel on a platform. `key` names it in the callback URL; the
    WeChat token or the DingTalk robot's AppSecret is stored only encrypted (core.crypto), and
    shown masked (`secret_tail`)."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    key = models.CharField(_("callback key"), max_length=32, unique=True)
    secret_encrypted = models.TextField(_("secret (encrypted)"))
    secret_tail = models.CharField(_("secret ends with"), max_length=4, blank=True)
    is_active = models.BooleanField(_("receiving"), default=True)
    updated_by = models.ForeignKey(
        "core.User", verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("changed at"), default=clock.now)

    class Meta:
        verbose_name = _("opinion channel")
        verbose_name_plural = _("opinion channels")
        ordering = ["place_path", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "platform"], name="care_channel_one_per_platform"
            ),
            models.CheckConstraint(condition=~Q(key=""), name="care_channel_key_required"),
        ]

    def __str__(self) -> str:
        return f"{self.platform}@{self.community_id}"


class OpinionStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("opinion status", "New")
    TICKET = "ticket", pgettext_lazy("opinion status", "Made a ticket")
    HANDLED = "handled", pgettext_lazy("opinion status", "Handled")


class Opinion(models.Model):
    """A message a resident sent through a channel (意见征集). The sender is kept only as a keyed
    hash of their platform id (`sender_index`); when that id is bound to a resident account,
    the opinion carries the person. One row per platform message id (retries are stored once)."""

    channel = models.ForeignKey(
        OpinionChannel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    message_id = models.CharField(_("message id"), max_length=64)
    sender_index = models.CharField(_("sender (hashed)"), max_length=64)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(_("text"), max_length=2000)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    status = models.CharField(
        _("status"), max_length=8, choices=OpinionStatus.choices, default="new"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    handled_by = models.ForeignKey(
        "core.User",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "message_id"], name="care_opinion_once_per_message"
            ),
            models.CheckConstraint(
                condition=Q(status="new", ticket__isnull=True)
                | Q(status="ticket", ticket__isnull=False)
                | Q(status="handled", ticket__isnull=True) & ~Q(note=""),
                name="care_opinion_status_whole",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path", "status"],
                name="care_opinion_path",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"opinion:{self.pk}"

    @property
    def sender_tag(self) -> str:
        """A short pseudonym for lists: the first characters of the keyed hash."""
        return self.sender_index[:8]


class PlatformBinding(models.Model):
    """A platform id (as its keyed hash) bound to a resident: the resident sent the one-time
    code shown on their phone page from that account."""

    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.CASCADE, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=12, choices=Platform.choices)
    sender_index = models.CharField(_("sender (hashed)"), max_length=64)
    bound_at = models.DateTimeField(_("bound at"), default=clock.now)

    class Meta:
        verbose_name = _("platform binding")
        verbose_name_plural = _("platform bindings")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "sender_index"], name="care_binding_one_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.resident_id}"


class BindCode(models.Model):
    """A one-time code a resident sends from their WeChat or DingTalk account to bind it. Only
    its keyed hash is stored; it expires and is used once."""

    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.CASCADE, related_name="+"
    )
    code_index = models.CharField(_("code (hashed)"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("binding code")
        verbose_name_plural = _("binding codes")
        constraints = [
            models.UniqueConstraint(
                fields=["code_index"], condition=Q(used_at__isnull=True), name="care_bindcode_live"
            ),
        ]

    def __str__(self) -> str:
        return f"bindcode:{self.resident_id}"
