"""Residents, their household memberships (with history), tags and skills.

Protected fields (ID number, phone) are stored only encrypted (`*_encrypted`), with a keyed
blind index for equality lookups (`*_index`) and the masked form shown everywhere
(`*_masked`, which also serves "last digits" search). See gongzhi/core/crypto.py.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField
from gongzhi.people.idcard import Gender, IdType


class ResidenceStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered (hukou here)")
    RESIDENT = "resident", _("Resident (hukou elsewhere)")
    FLOATING = "floating", _("Floating population")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Tag(models.TextChoices):
    """Care tags set by staff. Age tags (60+, 80+) are derived from the birth date, not stored."""

    LIVING_ALONE = "living_alone", _("Living alone")
    DISABLED = "disabled", _("Disabled")
    LOW_INCOME = "low_income", _("Low income (dibao)")
    VETERAN = "veteran", _("Veteran")
    KEY_CARE = "key_care", _("Key care")
    LEFT_BEHIND_CHILD = "left_behind_child", _("Left-behind child")
    SERIOUS_ILLNESS = "serious_illness", _("Serious illness")
    UNEMPLOYED = "unemployed", _("Unemployed")


class Resident(models.Model):
    name = models.CharField(_("name"), max_length=64)
    name_initials = models.CharField(_("pinyin initials"), max_length=64, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    id_type = models.CharField(
        _("document type"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_encrypted = models.TextField(blank=True, editable=False)
    id_index = models.CharField(max_length=64, unique=True, null=True, editable=False)
    id_masked = models.CharField(_("document number"), max_length=24, blank=True, db_index=True)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True, db_index=True)
    household = models.ForeignKey(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    relation = models.CharField(
        _("relation to the head"), max_length=16, choices=Relation.choices, blank=True
    )
    # Copy of the household's building path (scoping without a join). Kept after a move-out
    # (is_active False) so that the community that keeps the record still finds it.
    place_path = PathField(_("place path"), blank=True, editable=False, db_index=False)
    residence_status = models.CharField(
        _("residence status"),
        max_length=16,
        choices=ResidenceStatus.choices,
        default=ResidenceStatus.REGISTERED,
    )
    specialty = models.CharField(_("skills and specialties"), max_length=200, blank=True)
    consent_personal_info = models.BooleanField(_("consents to processing"), default=False)
    consent_contact = models.BooleanField(_("consents to be contacted"), default=False)
    consent_publicity = models.BooleanField(_("consents to public display"), default=False)
    is_active = models.BooleanField(_("lives here"), default=True)
    # The login of this person, when they have one (resident, party member, volunteer…): points,
    # time bank, votes and volunteering belong to the Resident; the user acts for them.
    user = models.OneToOneField(
        "core.User",
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="resident",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["place_path", "household_id", "id"]
        indexes = [
            models.Index(
                fields=["place_path"], name="resident_path_like", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["place_path", "birth_date"], name="resident_path_birth"),
        ]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("tag"), max_length=24, choices=Tag.choices)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["resident", "tag"], name="resident_tag_unique")
        ]
        indexes = [models.Index(fields=["tag", "resident"], name="resident_tag_lookup")]

    def __str__(self) -> str:
        return self.get_tag_display()


class Membership(models.Model):
    """A stay of a resident in a household. Moving house closes one and opens another."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="memberships")
    household = models.ForeignKey(
        "places.Household", on_delete=models.PROTECT, related_name="memberships"
    )
    relation = models.CharField(_("relation to the head"), max_length=16, choices=Relation.choices)
    moved_in = models.DateField(_("moved in"), null=True, blank=True)
    moved_out = models.DateField(_("moved out"), null=True, blank=True)

    class Meta:
        verbose_name = _("household membership")
        verbose_name_plural = _("household memberships")
        ordering = ["resident", "-moved_in", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=models.Q(moved_out__isnull=True),
                name="membership_one_current",
            ),
            models.CheckConstraint(
                condition=models.Q(moved_out__isnull=True)
                | models.Q(moved_in__isnull=True)
                | models.Q(moved_out__gte=models.F("moved_in")),
                name="membership_out_after_in",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.household}"


class ImportBatch(models.Model):
    """One uploaded resident spreadsheet: its preview, then its commit.

    The file itself is kept only encrypted (var/imports/<id>.bin) until it is committed,
    discarded or expires. This row keeps counts, progress and the per-row errors, with ID
    numbers and phone numbers masked — never a plain protected value.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking")
        VALIDATED = "validated", _("Checked, waiting for a decision")
        FAILED = "failed", _("File rejected")
        COMMITTING = "committing", _("Importing")
        COMMITTED = "committed", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", _("All rows or nothing")
        VALID_ONLY = "valid_only", _("Only the valid rows")

    community = models.ForeignKey(
        "places.Place",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    # Copy of the community's path, so scoping needs no join.
    place_path = PathField(_("place path"), editable=False)
    created_by = models.ForeignKey(
        "core.User",
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    committed_by = models.ForeignKey(
        "core.User",
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("file format"), max_length=8)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.VALIDATING
    )
    mode = models.CharField(_("import mode"), max_length=16, choices=Mode.choices, blank=True)
    background = models.BooleanField(_("runs in the background"), default=False)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    new_rows = models.PositiveIntegerField(_("new people"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    progress = models.PositiveIntegerField(_("rows processed"), default=0)
    # A file-level problem: [msgid, params], translated when shown.
    file_error = models.JSONField(_("file error"), default=list, blank=True)
    # Per-row problems: [{"row": n, "messages": [[msgid, params], ...], "cells": {...}}],
    # cells with the ID number and phone masked.
    errors = models.JSONField(_("row errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident import")
        verbose_name_plural = _("resident imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["place_path"], name="importbatch_path", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["status", "created_at"], name="importbatch_status"),
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def running(self) -> bool:
        return self.status in {self.Status.VALIDATING, self.Status.COMMITTING}

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, self.progress * 100 // self.total_rows)
