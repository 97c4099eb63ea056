"""Social organisations (社会组织, issue 16): the registry (item 1), incubation (item 2), subsidies
by rule (item 3) and venture philanthropy (公益创投, item 4). Seeds 000 §四, 001 §3–4, 002
§三(四) and §四2, 003 annex items 13–14.

Every row that belongs to an area carries `place_path` (the community's or the street's path)
so that lists are scoped without a join. Money is in fen (integers); pages show yuan. Other apps
(the community funds and purchased services of issue 16 items 5–7) point at `Organisation` as a
supplier or grantee with a plain foreign key.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock
from gongzhi.core.paths import PathField


def _path_index(name: str) -> models.Index:
    return models.Index(fields=["place_path"], name=name, opclasses=["varchar_pattern_ops"])


# --------------------------------------------------------------------------- item 1: registry


class OrgKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group (社会团体)")
    SERVICE_ORG = "service_org", _("Social service organisation (社会服务机构)")
    FOUNDATION = "foundation", _("Foundation (基金会)")
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise (社会企业)")


class OrgStatus(models.TextChoices):
    """001 §4: 依法实行备案登记管理 — filed with the street, or registered with civil affairs
    (000 §四: 直接……申请登记); a dissolved organisation stays on the register."""

    FILED = "filed", _("Filed with the street (备案)")
    REGISTERED = "registered", _("Registered with civil affairs (登记)")
    DISSOLVED = "dissolved", _("Dissolved (注销)")


class ServiceField(models.TextChoices):
    ELDERLY = "elderly", _("Elderly care")
    CHILDREN = "children", _("Children and youth")
    DISABLED = "disabled", _("People with disabilities")
    HEALTH = "health", _("Health")
    CULTURE = "culture", _("Culture and sports")
    MEDIATION = "mediation", _("Dispute mediation")
    ENVIRONMENT = "environment", _("Environment")
    CHARITY = "charity", _("Charity and mutual aid")
    VOLUNTEERING = "volunteering", _("Volunteering")
    OTHER = "other", _("Other")


class Rating(models.TextChoices):
    """The grade of the civil-affairs assessment (社会组织评估等级, 1A–5A)."""

    A1 = "1", _("1A")
    A2 = "2", _("2A")
    A3 = "3", _("3A")
    A4 = "4", _("4A")
    A5 = "5", _("5A")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    status = models.CharField(_("status"), max_length=12, choices=OrgStatus.choices)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, unique=True
    )
    field = models.CharField(_("field of service"), max_length=16, choices=ServiceField.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("serves"), on_delete=models.PROTECT, related_name="+"
    )
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    office_phone = models.CharField(_("office telephone"), max_length=20, blank=True)
    party_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rating = models.CharField(_("rating"), max_length=1, choices=Rating.choices, blank=True)
    rated_on = models.DateField(_("rated on"), null=True, blank=True)
    certified_on = models.DateField(
        _("first certified as a social enterprise on"), null=True, blank=True
    )
    original_fund_fen = models.BigIntegerField(_("original fund (fen)"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("social organisation")
        verbose_name_plural = _("social organisations")
        ordering = ["place_path", "name", "id"]
        indexes = [_path_index("organisations_org_path")]
        constraints = [
            # A registered organisation has its code and its date; a filed one its filing date.
            models.CheckConstraint(
                condition=~Q(status="registered")
                | (Q(credit_code__isnull=False) & Q(registered_on__isnull=False)),
                name="organisations_registered_has_code",
            ),
            models.CheckConstraint(
                condition=~Q(status="filed") | Q(filed_on__isnull=False),
                name="organisations_filed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="dissolved") | Q(dissolved_on__isnull=False),
                name="organisations_dissolved_has_date",
            ),
            # A rating has its date, and a date belongs to a rating.
            models.CheckConstraint(
                condition=(Q(rating="") & Q(rated_on__isnull=True))
                | (~Q(rating="") & Q(rated_on__isnull=False)),
                name="organisations_rating_dated",
            ),
            models.CheckConstraint(
                condition=Q(original_fund_fen__isnull=True) | Q(original_fund_fen__gte=0),
                name="organisations_fund_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.status != OrgStatus.DISSOLVED


class DocumentKind(models.TextChoices):
    CHARTER = "charter", _("Charter (章程)")
    FILING = "filing", _("Filing record (备案材料)")
    CERTIFICATE = "certificate", _("Registration certificate (登记证书)")
    RATING = "rating", _("Rating certificate (评估等级证书)")
    REPORT = "report", _("Annual report (年度报告)")
    OTHER = "other", _("Other")


class OrgDocument(models.Model):
    """A document of the organisation's file, recorded by its number and date (the paper or
    scan is kept by the office that issued or received it)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("document number"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("organisation document")
        verbose_name_plural = _("organisation documents")
        ordering = ["organisation_id", "-issued_on", "id"]

    def __str__(self) -> str:
        return self.title


class OrgContact(models.Model):
    """A login that acts for the organisation (a partner-unit contact's post): it may apply
    for subsidies and venture-philanthropy rounds in the organisation's name."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    user = models.ForeignKey(
        "core.User", verbose_name=_("login"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("since"), default=clock.today)

    class Meta:
        verbose_name = _("organisation contact")
        verbose_name_plural = _("organisation contacts")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="organisations_contact")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.user}"


# --------------------------------------------------------------------------- item 2: incubation


class IncubatorLevel(models.TextChoices):
    """003 annex 2 item 13: 区社会组织培育基地——街道社会组织联合会——社区社会组织工作室."""

    DISTRICT = "district", _("District cultivation base (区社会组织培育基地)")
    STREET = "street", _("Street federation (街道社会组织联合会)")
    COMMUNITY = "community", _("Community studio (社区社会组织工作室)")


class Incubator(models.Model):
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=IncubatorLevel.choices)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("run by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incubators_run",
    )
    opened_on = models.DateField(_("opened on"))
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("incubator")
        verbose_name_plural = _("incubators")
        ordering = ["place_path", "name"]
        indexes = [_path_index("organisations_incubator_path")]
        constraints = [
            models.UniqueConstraint(fields=["place", "level"], name="organisations_incubator_one")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    APPLIED = "applied", _("Applied")
    INCUBATING = "incubating", _("Incubating")
    GRADUATED = "graduated", _("Graduated")
    WITHDRAWN = "withdrawn", pgettext_lazy("incubation", "Withdrawn")


LIVE_STAGES = (Stage.APPLIED, Stage.INCUBATING)


class Incubation(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="incubations",
    )
    incubator = models.ForeignKey(
        Incubator, verbose_name=_("incubator"), on_delete=models.PROTECT, related_name="cohort"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    applied_on = models.DateField(_("applied on"))
    started_on = models.DateField(_("incubation started on"), null=True, blank=True)
    ended_on = models.DateField(_("graduated or withdrew on"), null=True, blank=True)
    mentor = models.CharField(_("mentor"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("incubation")
        verbose_name_plural = _("incubations")
        ordering = ["-applied_on", "-id"]
        indexes = [_path_index("organisations_incubation_path")]
        constraints = [
            # One live incubation per organisation.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(stage__in=["applied", "incubating"]),
                name="organisations_one_live_incubation",
            ),
            models.CheckConstraint(
                condition=~Q(stage="incubating") | (Q(started_on__isnull=False) & ~Q(mentor="")),
                name="organisations_incubating_has_mentor",
            ),
            models.CheckConstraint(
                condition=~Q(stage="graduated")
                | (Q(started_on__isnull=False) & Q(ended_on__isnull=False)),
                name="organisations_graduated_dated",
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=F("applied_on")),
                name="organisations_start_after_apply",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("applied_on")),
                name="organisations_end_after_apply",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} @ {self.incubator}"


# --------------------------------------------------------------------------- item 3: subsidies


class SubsidyRule(models.TextChoices):
    """000 §四's four rules; the numbers are profile keys (gongzhi/organisations/rules.py)."""

    INCUBATOR = "incubator", _("Incubator or accelerator: share of the yearly running costs")
    RATING = "rating", _("Organisation rated 4A or above")
    FOUNDATION = "foundation", _("Foundation: share of the original fund, once")
    SOCIAL_ENTERPRISE = "social_enterprise", _("Social enterprise first certified, once")


class SubsidyBudget(models.Model):
    """The year's budget for subsidies of a street (or district)."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("budget (fen)"))
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("subsidy budget")
        verbose_name_plural = _("subsidy budgets")
        ordering = ["-year", "place_path"]
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="organisations_budget_year"),
            models.CheckConstraint(
                condition=Q(amount_fen__gte=0), name="organisations_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.year}"


class SubsidyStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    PAID = "paid", _("Paid")


class SubsidyApplication(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="subsidies",
    )
    rule = models.CharField(_("rule"), max_length=20, choices=SubsidyRule.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    # The figure the rule multiplies: the yearly running costs of an incubator, the original
    # fund of a foundation; none for the fixed amounts.
    base_fen = models.BigIntegerField(_("figure the rule applies to (fen)"), null=True, blank=True)
    computed_fen = models.BigIntegerField(_("amount the rule allows (fen)"))
    paragraph = models.CharField(_("paragraph"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SubsidyStatus.choices, default=SubsidyStatus.APPLIED
    )
    budget = models.ForeignKey(
        SubsidyBudget,
        verbose_name=_("budget"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="applications",
    )
    approved_fen = models.BigIntegerField(_("approved amount (fen)"), null=True, blank=True)
    reason = models.CharField(_("reason of the decision"), max_length=500, blank=True)
    applied_by = models.ForeignKey(
        "core.User", verbose_name=_("applied by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        "core.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_ref = models.CharField(_("payment reference"), max_length=100, blank=True)
    applied_at = models.DateTimeField(_("applied at"), default=clock.now)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("subsidy application")
        verbose_name_plural = _("subsidy applications")
        ordering = ["-applied_at", "-id"]
        indexes = [_path_index("organisations_subsidy_path")]
        constraints = [
            models.CheckConstraint(
                condition=Q(computed_fen__gte=0), name="organisations_subsidy_computed"
            ),
            # Never above what the rule allows.
            models.CheckConstraint(
                condition=Q(approved_fen__isnull=True)
                | (Q(approved_fen__gte=0) & Q(approved_fen__lte=F("computed_fen"))),
                name="organisations_subsidy_within_rule",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "paid"])
                | (Q(approved_fen__isnull=False) & Q(budget__isnull=False)),
                name="organisations_subsidy_approved_amount",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False),
                name="organisations_subsidy_paid_dated",
            ),
            # One live application per organisation, rule and year.
            models.UniqueConstraint(
                fields=["organisation", "rule", "year"],
                condition=~Q(status="refused"),
                name="organisations_subsidy_once_a_year",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_rule_display()} · {self.year}"


# --------------------------------------------------------------------------- item 4: 公益创投


class RoundStatus(models.TextChoices):
    CALL = "call", _("Call open")
    REVIEW = "review", _("Expert review")
    AWARDED = "awarded", _("Awarded")
    CLOSED = "closed", _("Closed")


class VentureRound(models.Model):
    """A yearly venture-philanthropy contest (公益创投大赛, 000 §四; 003 annex 2 item 14)."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("held by"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    call = models.TextField(_("call for projects"), max_length=4000)
    budget_fen = models.BigIntegerField(_("budget (fen)"))
    prize_cap_fen = models.BigIntegerField(_("most per project (fen)"))
    cap_paragraph = models.CharField(_("paragraph of the cap"), max_length=300, blank=True)
    closes_on = models.DateField(_("applications close on"))
    status = models.CharField(
        _("status"), max_length=8, choices=RoundStatus.choices, default=RoundStatus.CALL
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("venture-philanthropy round")
        verbose_name_plural = _("venture-philanthropy rounds")
        ordering = ["-year", "-id"]
        indexes = [_path_index("organisations_round_path")]
        constraints = [
            models.UniqueConstraint(fields=["place", "year"], name="organisations_round_year"),
            models.CheckConstraint(
                condition=Q(budget_fen__gt=0) & Q(prize_cap_fen__gt=0),
                name="organisations_round_money",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class RoundExpert(models.Model):
    round = models.ForeignKey(
        VentureRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="experts"
    )
    user = models.ForeignKey(
        "core.User", verbose_name=_("expert"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="organisations_expert_once")
        ]

    def __str__(self) -> str:
        return str(self.user)


class VentureStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    REPORTED = "reported", _("Final report in")


class VentureApplication(models.Model):
    round = models.ForeignKey(
        VentureRound,
        verbose_name=_("round"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="venture_applications",
    )
    title = models.CharField(_("project"), max_length=100)
    plan = models.TextField(_("project plan"), max_length=4000)
    budget_fen = models.BigIntegerField(_("project budget (fen)"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=VentureStatus.choices,
        default=VentureStatus.SUBMITTED,
    )
    award_fen = models.BigIntegerField(_("award (fen)"), null=True, blank=True)
    award_reason = models.CharField(_("reason of the award"), max_length=500, blank=True)
    final_report = models.TextField(_("final report"), max_length=4000, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        "core.User", verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=clock.now)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("venture-philanthropy application")
        verbose_name_plural = _("venture-philanthropy applications")
        ordering = ["round_id", "id"]
        indexes = [_path_index("organisations_venture_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "organisation", "title"], name="organisations_venture_once"
            ),
            models.CheckConstraint(
                condition=Q(budget_fen__gt=0), name="organisations_venture_budget"
            ),
            models.CheckConstraint(
                condition=Q(award_fen__isnull=True) | Q(award_fen__gt=0),
                name="organisations_venture_award_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["awarded", "reported"]) | Q(award_fen__isnull=False),
                name="organisations_venture_awarded_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ExpertScore(models.Model):
    application = models.ForeignKey(
        VentureApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    expert = models.ForeignKey(
        "core.User", verbose_name=_("expert"), on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    scored_at = models.DateTimeField(_("scored at"), default=clock.now)

    class Meta:
        verbose_name = _("expert score")
        verbose_name_plural = _("expert scores")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert"], name="organisations_score_once"
            ),
            models.CheckConstraint(condition=Q(score__lte=100), name="organisations_score_range"),
        ]

    def __str__(self) -> str:
        return str(self.score)


class Milestone(models.Model):
    application = models.ForeignKey(
        VentureApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="milestones",
    )
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    evidence = models.CharField(_("evidence"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["application_id", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | ~Q(evidence=""),
                name="organisations_milestone_evidence",
            )
        ]

    def __str__(self) -> str:
        return self.title
