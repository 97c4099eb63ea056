"""Owners' votes of an estate (业主共同决定, Civil Code art. 278).

The roll (live, editable by staff):
  Owner     one voting party of the estate: a person, or the co-owners of a property together.
            Counts once for the headcount, whatever the number of its properties (最高法《关于审理
            建筑物区分所有权纠纷案件适用法律若干问题的解释》第9条: 同一买受人拥有一个以上专有部分的,
            按一人计算).
  OwnerMember  the people behind an Owner (a Resident, or a name for a non-resident owner);
            one may be the designated representative.
  Property  an exclusive part (a Household or a non-residential unit) with its area; the areas
            of an owner's properties add up.

A vote (OwnersVote) freezes the roll when it opens: RollEntry/RollMember rows are the snapshot
each ballot refers to, with a random ballot id per entry. Ballots and the snapshot can no longer
change once the vote is closed (save/delete refuse), and the closing writes the result with a
SHA-256 over the tally and every ballot.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


class FrozenRecord(Exception):
    """A write to a closed vote's record."""


class Owner(models.Model):
    estate = models.ForeignKey(
        "places.Place", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    name = models.CharField(_("name"), max_length=120)
    contact_masked = models.CharField(_("contact"), max_length=32, blank=True)
    is_active = models.BooleanField(_("on the roll"), default=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("owner")
        verbose_name_plural = _("owners")
        ordering = ["estate_id", "name", "id"]
        indexes = [
            models.Index(
                fields=["place_path"], name="owners_owner_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.name


class OwnerMember(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="members")
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=64)
    is_representative = models.BooleanField(_("representative"), default=False)

    class Meta:
        verbose_name = _("co-owner")
        verbose_name_plural = _("co-owners")
        ordering = ["owner_id", "-is_representative", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "resident"],
                condition=models.Q(resident__isnull=False),
                name="owners_member_unique_resident",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Property(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="properties")
    household = models.OneToOneField(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    label = models.CharField(_("property"), max_length=120)
    area_m2 = models.DecimalField(_("exclusive area (m²)"), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("property")
        verbose_name_plural = _("properties")
        ordering = ["owner_id", "label", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(area_m2__gt=0), name="owners_area_positive")
        ]

    def __str__(self) -> str:
        return self.label


class Matter(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary matter")
    MAJOR = "major", _("Major matter")


class CoOwnerRule(models.TextChoices):
    ANY = "any", _("Any co-owner; the first ballot counts")
    REPRESENTATIVE = "representative", _("Only the designated representative")


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for ballots")
    CLOSED = "closed", _("Closed")


class Choice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


class BallotChannel(models.TextChoices):
    ONLINE = "online", _("Online")
    PAPER = "paper", _("Paper ballot")


class OwnersVote(models.Model):
    estate = models.ForeignKey(
        "places.Place", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    matter = models.CharField(_("matter"), max_length=10, choices=Matter.choices)
    co_owner_rule = models.CharField(
        _("co-owned property"), max_length=16, choices=CoOwnerRule.choices, default=CoOwnerRule.ANY
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(
        _("status"), max_length=8, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    # Frozen when the vote opens.
    total_area_m2 = models.DecimalField(
        _("total exclusive area (m²)"), max_digits=14, decimal_places=2, default=0
    )
    total_owners = models.PositiveIntegerField(_("owners on the roll"), default=0)
    # Written when the vote closes.
    result = models.JSONField(_("result"), default=dict, blank=True)
    result_hash = models.CharField(_("record hash"), max_length=64, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("owners' vote")
        verbose_name_plural = _("owners' votes")
        ordering = ["-opens_at", "-id"]
        indexes = [
            models.Index(
                fields=["place_path"], name="owners_vote_path", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and _vote_closed(self.pk):
            raise FrozenRecord("closed vote")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if self.status != VoteStatus.DRAFT:
            raise FrozenRecord("vote already opened")
        return super().delete(*args, **kwargs)

    @property
    def is_open_now(self) -> bool:
        now = clock.now()
        return self.status == VoteStatus.OPEN and self.opens_at <= now < self.closes_at


def _vote_closed(vote_id: int) -> bool:
    return OwnersVote.objects.filter(pk=vote_id, status=VoteStatus.CLOSED).exists()


class RollEntry(models.Model):
    """One owner on the frozen roll of a vote: one vote, with its area and its ballot id."""

    vote = models.ForeignKey(OwnersVote, on_delete=models.PROTECT, related_name="entries")
    owner = models.ForeignKey(Owner, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("owner"), max_length=120)
    properties = models.CharField(_("properties"), max_length=500)
    area_m2 = models.DecimalField(_("exclusive area (m²)"), max_digits=12, decimal_places=2)
    ballot_id = models.CharField(_("ballot id"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("roll entry")
        verbose_name_plural = _("roll entries")
        ordering = ["vote_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "owner"], name="owners_entry_unique_owner")
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or _vote_closed(self.vote_id):
            raise FrozenRecord("roll is frozen")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenRecord("roll is frozen")


class RollMember(models.Model):
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="members")
    resident = models.ForeignKey(
        "people.Resident", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("name"), max_length=64)
    is_representative = models.BooleanField(_("representative"), default=False)

    class Meta:
        ordering = ["entry_id", "-is_representative", "id"]
        indexes = [models.Index(fields=["resident", "entry"], name="owners_member_resident")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenRecord("roll is frozen")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenRecord("roll is frozen")


def scan_storage() -> FileSystemStorage:
    """Scans of paper ballots: under MEDIA_ROOT, never served by the web server itself — only
    through owners:scan, to the staff who run the vote."""
    # No fixed location: follows settings.MEDIA_ROOT (also when a test overrides it).
    return FileSystemStorage()


def _scan_path(instance: Ballot, filename: str) -> str:
    return f"owners/scans/{clock.today():%Y/%m}/{filename}"


class Ballot(models.Model):
    vote = models.ForeignKey(OwnersVote, on_delete=models.PROTECT, related_name="ballots")
    entry = models.ForeignKey(RollEntry, on_delete=models.PROTECT, related_name="ballots")
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=BallotChannel.choices)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("cast by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scan_ref = models.CharField(_("scan reference"), max_length=64, blank=True)
    # The scanned paper ballot (PDF, JPEG or PNG, stored as uploaded) and its SHA-256, which
    # the sealed record covers.
    scan = models.FileField(
        _("scan"), upload_to=_scan_path, storage=scan_storage, max_length=200, blank=True
    )
    scan_sha256 = models.CharField(_("scan SHA-256"), max_length=64, blank=True)
    scan_type = models.CharField(_("scan type"), max_length=32, blank=True)
    cast_at = models.DateTimeField(_("cast at"), default=clock.now)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["vote_id", "cast_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "entry"], name="owners_one_ballot_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.entry} {self.choice}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or _vote_closed(self.vote_id):
            raise FrozenRecord("ballots are final")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenRecord("ballots are final")
