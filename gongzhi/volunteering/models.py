"""Volunteering: volunteers, teams, activities with sign-ups and QR check-in, and the time bank.

Points and hours themselves live in the ledger (gongzhi.core.ledger); the rules that credit
them are in gongzhi/volunteering/points.py. Every model stores `place_path` (the community's
path, or the resident's building path) so that lists are scoped without a join.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


def _path_index(model: str) -> models.Index:
    return models.Index(
        fields=["place_path"], name=f"volunteering_{model}_path", opclasses=["varchar_pattern_ops"]
    )


class VolunteerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class Volunteer(models.Model):
    """A resident registered as a volunteer (志愿者登记注册, seed 001 §13)."""

    resident = models.OneToOneField(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    areas = models.CharField(_("areas of service"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=VolunteerStatus.choices, default=VolunteerStatus.PENDING
    )
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    no_shows = models.PositiveIntegerField(_("no-shows"), default=0)
    registered_at = models.DateTimeField(_("registered at"), default=clock.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["place_path", "id"]
        indexes = [
            _path_index("volunteer"),
            models.Index(fields=["community", "status"], name="volunteering_vol_status"),
        ]

    def __str__(self) -> str:
        return self.resident.name


class Theme(models.TextChoices):
    ELDERLY = "elderly", _("Elderly and disabled help")
    RESCUE = "rescue", _("Emergency rescue")
    MEDIATION = "mediation", _("Dispute mediation")
    ENVIRONMENT = "environment", _("Environment")
    CULTURE = "culture", _("Culture and sports")
    NEIGHBOURS = "neighbours", _("Neighbourly help")
    OTHER = "other", _("Other")


class Team(models.Model):
    """A volunteer team by theme (志愿服务队, seed 003 §三(一)1)."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    name = models.CharField(_("name"), max_length=60)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    leader = models.ForeignKey(
        Volunteer,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        Volunteer, verbose_name=_("members"), blank=True, related_name="teams"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["place_path", "name"]
        indexes = [_path_index("team")]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="volunteering_team_name")
        ]

    def __str__(self) -> str:
        return self.name


class ActivityStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    CONFIRMED = "confirmed", _("Hours confirmed")


def new_secret() -> str:
    return secrets.token_hex(16)


class OrganiserKind(models.TextChoices):
    """Who organises an activity (the issue: community, party organisations, social
    organisations, partner units)."""

    COMMUNITY = "community", _("The community")
    PARTY_ORG = "party_org", _("A party organisation")
    SOCIAL_ORG = "social_org", _("A social organisation")
    PARTNER_UNIT = "partner_unit", _("A partner unit")


class Activity(models.Model):
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    location = models.CharField(_("place"), max_length=120)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("capacity"))
    required_skills = models.CharField(_("required skills"), max_length=200, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    awards_points = models.BooleanField(_("awards points"), default=True)
    awards_hours = models.BooleanField(_("deposits time-bank hours"), default=True)
    allow_walk_in = models.BooleanField(_("walk-ins allowed"), default=False)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActivityStatus.choices,
        default=ActivityStatus.PUBLISHED,
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The organising body: the community itself, a party organisation, a social organisation
    # (by name) or a partner unit; `organiser` is the login who published for it.
    organiser_kind = models.CharField(
        _("organised by"),
        max_length=16,
        choices=OrganiserKind.choices,
        default=OrganiserKind.COMMUNITY,
    )
    party_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    partner_unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("partner unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A social organisation on the register (issue 16 item 1). `organiser_name` is the name
    # typed before the register existed: kept readable, shown when no organisation is linked
    # (the migration linked those that matched one organisation); no longer typed.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("social organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organiser_name = models.CharField(
        _("social organisation (as typed)"), max_length=100, blank=True
    )
    # Keys the check-in codes of this activity (with SECRET_KEY); never shown.
    qr_secret = models.CharField(max_length=32, default=new_secret, editable=False)
    signed_up = models.PositiveIntegerField(_("signed up"), default=0)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    confirmed_at = models.DateTimeField(_("hours confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "-id"]
        indexes = [
            _path_index("activity"),
            models.Index(fields=["starts_at"], name="volunteering_act_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="volunteering_activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(signed_up__lte=models.F("capacity")),
                name="volunteering_activity_capacity",
            ),
            # The organising body names exactly the one thing its kind needs.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        organiser_kind="community",
                        party_org__isnull=True,
                        partner_unit__isnull=True,
                        organisation__isnull=True,
                        organiser_name="",
                    )
                    | models.Q(
                        organiser_kind="party_org",
                        party_org__isnull=False,
                        partner_unit__isnull=True,
                        organisation__isnull=True,
                        organiser_name="",
                    )
                    | (
                        models.Q(
                            organiser_kind="social_org",
                            party_org__isnull=True,
                            partner_unit__isnull=True,
                        )
                        # a registered organisation, or the name typed before the register
                        & (models.Q(organisation__isnull=False) | ~models.Q(organiser_name=""))
                    )
                    | models.Q(
                        organiser_kind="partner_unit",
                        party_org__isnull=True,
                        partner_unit__isnull=False,
                        organisation__isnull=True,
                        organiser_name="",
                    )
                ),
                name="volunteering_activity_organiser_body",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.signed_up, 0)

    @property
    def organiser_body(self) -> str:
        """The name of the organising body, as residents read it (select_related the FKs)."""
        if self.organiser_kind == OrganiserKind.PARTY_ORG and self.party_org_id:
            return self.party_org.name
        if self.organiser_kind == OrganiserKind.PARTNER_UNIT and self.partner_unit_id:
            return self.partner_unit.name
        if self.organiser_kind == OrganiserKind.SOCIAL_ORG:
            if self.organisation_id:
                return self.organisation.name
            return self.organiser_name
        return self.community.name


class SignupStatus(models.TextChoices):
    SIGNED_UP = "signed_up", _("Signed up")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    CONFIRMED = "confirmed", _("Hours confirmed")


class Signup(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="signups"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="activity_signups",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    status = models.CharField(
        _("status"), max_length=12, choices=SignupStatus.choices, default=SignupStatus.SIGNED_UP
    )
    walk_in = models.BooleanField(_("walk-in"), default=False)
    signed_up_at = models.DateTimeField(_("signed up at"), default=clock.now)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    # Minutes as set by the organiser (null: computed from check-in and check-out).
    minutes_override = models.PositiveIntegerField(_("minutes (corrected)"), null=True, blank=True)
    override_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)
    minutes = models.PositiveIntegerField(_("confirmed minutes"), null=True, blank=True)
    points = models.PositiveIntegerField(_("points credited"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["activity_id", "signed_up_at", "id"]
        indexes = [_path_index("signup")]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "resident"], name="volunteering_signup_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity_id}:{self.resident_id}"


class PostKind(models.TextChoices):
    REQUEST = "request", _("Request for help")
    OFFER = "offer", _("Offer of help")


class ExchangeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    TAKEN = "taken", _("Taken")
    DONE = "done", _("Done, hours moved")
    CANCELLED = "cancelled", _("Cancelled")


class Exchange(models.Model):
    """A time-bank request or offer between residents of one community (时间银行)."""

    kind = models.CharField(_("kind"), max_length=8, choices=PostKind.choices)
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    author = models.ForeignKey(
        "people.Resident",
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        related_name="timebank_posts",
    )
    taker = models.ForeignKey(
        "people.Resident",
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="timebank_taken",
    )
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), max_length=1000, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"))
    status = models.CharField(
        _("status"), max_length=12, choices=ExchangeStatus.choices, default=ExchangeStatus.OPEN
    )
    requester_confirmed = models.BooleanField(_("confirmed by the requester"), default=False)
    provider_confirmed = models.BooleanField(_("confirmed by the provider"), default=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("time-bank request or offer")
        verbose_name_plural = _("time-bank requests and offers")
        ordering = ["-created_at", "-id"]
        indexes = [
            _path_index("exchange"),
            models.Index(fields=["community", "status"], name="volunteering_exch_status"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def requester(self):
        return self.author if self.kind == PostKind.REQUEST else self.taker

    @property
    def provider(self):
        return self.taker if self.kind == PostKind.REQUEST else self.author
