"""Personal-information rights under the PIPL (《个人信息保护法》): residents' correction and
deletion requests (arts. 46–47, refusals with a reason art. 50) and consent records (arts.
14–16, separate consent for sensitive data arts. 28–29, minors art. 31).

See docs/privacy.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


class RequestKind(models.TextChoices):
    CORRECTION = "correction", _("Correction")
    DELETION = "deletion", _("Deletion")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Request received")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")


OPEN_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class PrivacyRequest(models.Model):
    """A resident's request to correct or delete personal information held about them."""

    kind = models.CharField(_("request"), max_length=12, choices=RequestKind.choices)
    what = models.TextField(_("what"), max_length=1000)
    why = models.TextField(_("why"), max_length=1000)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The requester's name as filed; blanked when the person is anonymised.
    name = models.CharField(_("name"), max_length=64, blank=True)
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.RECEIVED
    )
    due_on = models.DateField(_("answer due"))
    note = models.TextField(_("what was done"), max_length=1000, blank=True)
    refusal_reason = models.TextField(_("reason for refusing"), max_length=1000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("filed at"), default=clock.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("personal-information request")
        verbose_name_plural = _("personal-information requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["place_path", "status"], name="privacy_request_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="privacy_request_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Purpose(models.TextChoices):
    """What a consent is for. The first is the privacy notice itself; the others are the
    separate consents for sensitive personal information (PIPL arts. 28–29, 31)."""

    NOTICE = "notice", _("Processing under the privacy notice")
    HEALTH = "health", _("Health and disability information I enter myself")
    LOCATION = "location", _("Precise location of my reports")
    MINOR = "minor", _("A child under 14 in my care (guardian's consent)")


SENSITIVE_PURPOSES = (Purpose.HEALTH, Purpose.LOCATION, Purpose.MINOR)


class ConsentChannel(models.TextChoices):
    WEB = "web", _("Phone or web page")
    API = "api", _("Phone app")
    PAPER = "paper", _("Paper form")


class Consent(models.Model):
    """One consent: given at a time to a version of the notice, withdrawn later or not.
    Withdrawing sets `withdrawn_at`; consenting again makes a new row (the history stays)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    notice_version = models.CharField(_("notice version"), max_length=16)
    channel = models.CharField(
        _("channel"), max_length=8, choices=ConsentChannel.choices, default=ConsentChannel.WEB
    )
    given_at = models.DateTimeField(_("given at"), default=clock.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(resident__isnull=False),
                name="privacy_consent_has_person",
            ),
            # At most one standing consent per user and purpose.
            models.UniqueConstraint(
                fields=["user", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="privacy_consent_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.notice_version})"

    @property
    def standing(self) -> bool:
        return self.withdrawn_at is None


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise")
    KEEP = "keep", _("Keep (never deleted)")
    EXPIRES = "expires", _("Expires by itself")


class RetentionRule(models.Model):
    """How long one category of personal information is kept (PIPL art. 19), then what
    happens. The categories are fixed in code (gongzhi/privacy/retention.py, which also does
    the deleting); the numbers are data, seeded by a migration and changed by an admin."""

    category = models.CharField(_("category"), max_length=32, unique=True)
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    action = models.CharField(_("then"), max_length=12, choices=RetentionAction.choices)
    basis = models.CharField(_("basis"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(keep_days__gte=1), name="privacy_retention_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.category


class ProcessingActivity(models.Model):
    """One row of the register of processing activities (PIPL arts. 55–56): kept as data,
    seeded by a migration, exported for the personal-information protection impact
    assessment. The texts are content (in the installation's language), not interface."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("processing activity"), max_length=100)
    purpose = models.TextField(_("purpose"))
    categories = models.TextField(_("categories of personal information"))
    sensitive = models.BooleanField(_("includes sensitive information"), default=False)
    legal_basis = models.TextField(_("legal basis"))
    recipients = models.TextField(_("recipients"))
    retention = models.TextField(_("retention"))
    security = models.TextField(_("security measures"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name
