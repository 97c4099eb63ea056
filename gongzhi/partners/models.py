"""Partner units (共建单位 / 辖区单位) and the three lists — needs, resources, projects — with
two-way claiming (双向认领; seed 002 §三(一)1, §三(一)3; seed 003 §三(二)1, annex 2 item 12).

A partner unit claims a need or a project of a community; a community claims a resource that a
unit offers. One claim per list item at a time (a partial unique index). The claimant reports
progress and completes with evidence; the other side confirms."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Enterprise")
    INSTITUTION = "institution", _("Public institution")
    SCHOOL = "school", _("School")
    HOSPITAL = "hospital", _("Hospital")
    SOCIAL_ORG = "social_org", _("Social organisation")
    PROPERTY_COMPANY = "property_company", _("Property company")
    OTHER = "other", _("Other unit")


class PartnerUnit(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    # The street or community the unit is paired with (包联).
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("street or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    party_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    party_org_name = models.CharField(
        _("party organisation of the unit"), max_length=100, blank=True
    )
    # A unit of kind social organisation is one on the register (issue 16 item 1); units
    # registered before it keep their typed name (the migration linked those whose name
    # matched one organisation of their street or community).
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("social organisation on the register"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contacts"),
        related_name="partner_units",
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["place_path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="partner_unit_unique")
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="partners_unit_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name


class ListKind(models.TextChoices):
    NEED = "need", _("Need")
    RESOURCE = "resource", _("Resource")
    PROJECT = "project", _("Project")


class ResourceKind(models.TextChoices):
    VOLUNTEERS = "volunteers", _("Volunteers")
    VENUE = "venue", _("Venue")
    FUNDS = "funds", _("Funds")
    EXPERTISE = "expertise", _("Expertise")
    GOODS = "goods", _("Goods")
    OTHER = "other", _("Other")


class ItemStatus(models.TextChoices):
    # A need a resident posted, not yet on the list units see (staff review it first).
    PENDING = "pending", _("Waiting for review by the community")
    OPEN = "open", _("Open for claiming")
    CLAIMED = "claimed", _("Claimed")
    COMPLETED = "completed", _("Completed, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Withdrawn from the list")


class ListItem(models.Model):
    kind = models.CharField(_("list"), max_length=10, choices=ListKind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    category = models.CharField(
        _("category"), max_length=12, choices=ResourceKind.choices, blank=True
    )
    # Needs and projects: the community; resources: the unit's street or community.
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    offered_by = models.ForeignKey(
        PartnerUnit,
        verbose_name=_("offered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resources",
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("from ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    # A resident's need: who reviewed it, when, and why it was declined.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("list item")
        verbose_name_plural = _("list items")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ticket"],
                condition=models.Q(source_ticket__isnull=False),
                name="partner_need_once_per_ticket",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="partners_item_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["kind", "status"], name="partners_item_kind"),
        ]

    def __str__(self) -> str:
        return self.title


class ClaimStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed, waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


LIVE_CLAIM = (ClaimStatus.ACTIVE, ClaimStatus.COMPLETED, ClaimStatus.CONFIRMED)


class Claim(models.Model):
    item = models.ForeignKey(
        ListItem, verbose_name=_("list item"), on_delete=models.PROTECT, related_name="claims"
    )
    # Needs and projects are claimed by a unit; resources by a community.
    unit = models.ForeignKey(
        PartnerUnit,
        verbose_name=_("partner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
    )
    community = models.ForeignKey(
        "places.Place",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ClaimStatus.choices, default=ClaimStatus.ACTIVE
    )
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    amount = models.PositiveIntegerField(_("amount (yuan)"), default=0)
    minutes = models.PositiveIntegerField(_("service minutes"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("claimed at"), default=clock.now)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=models.Q(status__in=["active", "completed", "confirmed"]),
                name="partner_claim_one_per_item",
            ),
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(community__isnull=False),
                name="partner_claim_has_claimant",
            ),
        ]
        indexes = [
            models.Index(
                fields=["place_path"], name="partners_claim_path", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} ← {self.unit or self.community}"

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


class ClaimUpdate(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="updates")
    text = models.CharField(_("progress"), max_length=1000)
    amount = models.PositiveIntegerField(_("amount (yuan)"), default=0)
    minutes = models.PositiveIntegerField(_("service minutes"), default=0)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


# The kernel's path (`<app>/<year>/<month>/<name>`); the name stays for the migrations.
_photo_path = photos.upload_path


class ClaimPhoto(photos.AttachedPhoto):
    """A photo of the evidence given on completion. Stored re-encoded (no EXIF) under
    MEDIA_ROOT and served only through partners:photo, which checks the viewer may see the
    list item."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="photos")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence photo")
        verbose_name_plural = _("evidence photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id} #{self.pk}"
