"""People's mediation (人民调解, issue 18 items 1, 2 and 6; seed 000 §九, 003 §三(三)2 and
annex 18): mediation committees at district, street and community level, their mediators, the
legal adviser of each community, and mediation cases with their parties, sessions, agreements
(with scanned signed copies), referrals, follow-up visits and history.

Every row of an area carries `place_path` (the committee's place) so that lists are scoped
without a join; a case also keeps `household_path`, the address of the household the dispute is
about, so that a grid worker can see that a case exists in their grid without seeing its content
(docs/mediation.md "Privacy"). Outsiders' phone numbers are stored like the registry's
(`gongzhi.core.crypto`: encrypted, blind index, masked copy).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


def _path_index(name: str, field: str = "place_path") -> models.Index:
    return models.Index(fields=[field], name=name, opclasses=["varchar_pattern_ops"])


class Level(models.TextChoices):
    """The three levels of the people's mediation network (三级人民调解网络, 000 §九)."""

    DISTRICT = "district", _("District")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")


class Committee(models.Model):
    """A people's mediation committee (人民调解委员会) of a community, a street or a district."""

    place = models.OneToOneField(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    name = models.CharField(_("name"), max_length=100)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("mediation committee")
        verbose_name_plural = _("mediation committees")
        ordering = ["place_path"]
        indexes = [_path_index("mediation_committee_path")]

    def __str__(self) -> str:
        return self.name


class MediatorKind(models.TextChoices):
    """Who the mediator is (003 annex 18: 两代表一委员, lawyers, 五老 in the teams)."""

    RESIDENT = "resident", _("Resident")
    WORKER = "worker", _("Community or grid worker")
    LAWYER = "lawyer", _("Lawyer")
    DEPUTY = "deputy", _("Deputy or CPPCC member (两代表一委员)")
    ELDER = "elder", _("One of the five elders (五老)")
    OTHER = "other", _("Other")


class Mediator(models.Model):
    """A mediator (调解员) serving one committee: a resident of the registry or a staff login."""

    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="mediators"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=64)
    kind = models.CharField(_("kind"), max_length=12, choices=MediatorKind.choices)
    specialties = models.CharField(_("specialties"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")
        ordering = ["committee_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resident__isnull=False) | models.Q(user__isnull=False),
                name="mediation_mediator_is_someone",
            ),
            models.UniqueConstraint(
                fields=["committee", "resident"],
                condition=models.Q(resident__isnull=False),
                name="mediation_mediator_resident_once",
            ),
            models.UniqueConstraint(
                fields=["committee", "user"],
                condition=models.Q(user__isnull=False),
                name="mediation_mediator_user_once",
            ),
        ]
        indexes = [_path_index("mediation_mediator_path")]

    def __str__(self) -> str:
        return self.name


class LegalAdviser(models.Model):
    """The legal adviser of a community (一社区一法律顾问) and the adviser's office hours."""

    community = models.OneToOneField(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=64)
    firm = models.CharField(_("law firm"), max_length=100, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=20, blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login (answers online questions)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("legal adviser")
        verbose_name_plural = _("legal advisers")
        ordering = ["place_path"]
        indexes = [_path_index("mediation_adviser_path")]

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    OPENED = "opened", _("Opened")
    MEDIATING = "mediating", _("In mediation")
    AGREED = "agreed", _("Agreement reached")
    NO_AGREEMENT = "no_agreement", _("No agreement")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", pgettext_lazy("mediation case", "Closed")


class Source(models.TextChoices):
    TICKET = "ticket", _("From a ticket")
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("Referred to us")


class DisputeType(models.TextChoices):
    NEIGHBOUR = "neighbour", _("Neighbours")
    FAMILY = "family", _("Marriage and family")
    PROPERTY = "property", _("Property management")
    DAMAGES = "damages", _("Damages")
    LABOUR = "labour", _("Labour")
    CONTRACT = "contract", _("Contract or debt")
    OTHER = "other", _("Other")


class Risk(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Case(models.Model):
    """A mediation case (调解案件), handled by one committee at a time."""

    number = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    committee = models.ForeignKey(
        Committee, verbose_name=_("committee"), on_delete=models.PROTECT, related_name="cases"
    )
    origin_committee = models.ForeignKey(
        Committee,
        verbose_name=_("committee that opened it"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    referred_by = models.CharField(_("referred by"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=100)
    summary = models.TextField(_("summary"), max_length=2000)
    dispute_type = models.CharField(_("dispute type"), max_length=12, choices=DisputeType.choices)
    amount_yuan = models.DecimalField(
        _("amount at stake (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices, default=Risk.LOW)
    # At risk of escalating into a mass incident (群体性): flagged to the street at once.
    escalation_risk = models.BooleanField(_("risk of escalation (群体性)"), default=False)
    escalation_flagged_at = models.DateTimeField(_("escalation flagged at"), null=True, blank=True)
    household = models.ForeignKey(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    household_path = PathField(_("household path"), blank=True, editable=False, db_index=False)
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.OPENED)
    mediators = models.ManyToManyField(
        Mediator, verbose_name=_("mediators"), blank=True, related_name="cases"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    opened_at = models.DateTimeField(_("opened at"), default=clock.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome_at = models.DateTimeField(_("outcome at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_yuan__isnull=True) | models.Q(amount_yuan__gte=0),
                name="mediation_case_amount_not_negative",
            ),
        ]
        indexes = [
            _path_index("mediation_case_path"),
            _path_index("mediation_case_household", "household_path"),
            models.Index(fields=["state"], name="mediation_case_state"),
        ]

    def __str__(self) -> str:
        return self.number


class Side(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    RESPONDENT = "respondent", _("Respondent")
    OTHER = "other", _("Other party")


class Party(models.Model):
    """A party to a case: a resident of the registry, or an outsider whose phone is protected."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties"
    )
    side = models.CharField(_("side"), max_length=12, choices=Side.choices)
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=64)
    phone_encrypted = models.TextField(blank=True, editable=False)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    phone_masked = models.CharField(_("phone"), max_length=16, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["case_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "resident"],
                condition=models.Q(resident__isnull=False),
                name="mediation_party_resident_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Session(models.Model):
    """A mediation session (调解会) with who attended and the notes."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_at = models.DateTimeField(_("held at"))
    location = models.CharField(_("location"), max_length=100, blank=True)
    parties_present = models.ManyToManyField(
        Party, verbose_name=_("parties present"), blank=True, related_name="+"
    )
    mediators_present = models.ManyToManyField(
        Mediator, verbose_name=_("mediators present"), blank=True, related_name="+"
    )
    others_present = models.CharField(_("others present"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case_id", "held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.held_at:%Y-%m-%d}"


class Agreement(models.Model):
    """A mediation agreement (调解协议): its text and terms, and scans of the signed copy."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="agreements"
    )
    signed_on = models.DateField(_("signed on"))
    text = models.TextField(_("agreement text"), max_length=8000, blank=True)
    terms = models.TextField(_("terms"), max_length=2000)
    broken_on = models.DateField(_("found broken on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["case_id", "signed_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.signed_on}"


# The kernel's path (`<app>/<year>/<month>/<name>`); the name stays for the migrations.
_scan_path = photos.upload_path


class AgreementScan(photos.AttachedPhoto):
    """A page of the signed agreement, re-encoded without metadata (gongzhi.core.photos) and
    served only to those who may see the case."""

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="scans"
    )

    class Meta:
        verbose_name = _("agreement scan")
        verbose_name_plural = _("agreement scans")
        ordering = ["agreement_id", "id"]


class ReferralKind(models.TextChoices):
    UP = "up", _("Up to the committee above")
    COURT = "court", _("To the court link (诉调对接)")
    ARBITRATION = "arbitration", _("To arbitration")
    NONE = "none", _("Not referred")


class Referral(models.Model):
    """Where a case went when mediation failed at a committee."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals"
    )
    kind = models.CharField(_("referral"), max_length=12, choices=ReferralKind.choices)
    from_committee = models.ForeignKey(
        Committee, verbose_name=_("from committee"), on_delete=models.PROTECT, related_name="+"
    )
    to_committee = models.ForeignKey(
        Committee,
        verbose_name=_("to committee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    made_at = models.DateTimeField(_("made at"), default=clock.now)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["case_id", "made_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class FollowUp(models.Model):
    """A follow-up visit (回访): is the agreement kept?"""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    visited_on = models.DateField(_("visited on"))
    kept = models.BooleanField(_("agreement kept"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["case_id", "visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.visited_on}"


class CaseEvent(models.Model):
    """One step of a case's workflow (the history)."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    step = models.CharField(_("step"), max_length=16)
    from_state = models.CharField(_("from"), max_length=14, blank=True)
    to_state = models.CharField(_("to"), max_length=14)
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=clock.now)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.step}"


class AgendaCase(models.Model):
    """A case on the agenda of a joint meeting on disputes (矛盾纠纷联动化解联席会议, 003
    §三(三)2): a deliberation meeting of the kind "dispute", whose agenda item names the case by
    its number only (the meeting's attendees need not all be allowed the case's content)."""

    meeting = models.ForeignKey(
        "deliberation.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="agenda_entries"
    )
    agenda_item = models.OneToOneField(
        "deliberation.AgendaItem",
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), default=clock.now)

    class Meta:
        verbose_name = _("case on a meeting's agenda")
        verbose_name_plural = _("cases on meetings' agendas")
        ordering = ["meeting_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="mediation_agenda_case_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.case_id}"


class CaseDecision(models.Model):
    """A decision of a joint meeting on a case: a deliberation resolution with its action
    (follow-through, owner and deadline)."""

    entry = models.ForeignKey(
        AgendaCase,
        verbose_name=_("case on the agenda"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    resolution = models.OneToOneField(
        "deliberation.Resolution",
        verbose_name=_("resolution"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("meeting decision on a case")
        verbose_name_plural = _("meeting decisions on cases")
        ordering = ["entry_id", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.resolution_id}"


# --------------------------------------------------------------------------- awards


class AwardKind(models.TextChoices):
    """What an award is for (000 §九: 调解员、社区律师和优秀调解案例)."""

    MEDIATOR = "mediator", _("Mediator")
    ADVISER = "adviser", _("Community lawyer (legal adviser)")
    CASE = "case", _("Exemplary mediation case")


class AwardState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


_LIVE = ~models.Q(state="rejected")


class Award(models.Model):
    """An award of the district's selection of mediators, community lawyers and exemplary
    mediation cases (000 §九: 对入选的给予最高1万元奖励), proposed by a street or district
    officer, approved by another officer of the same street or of the level above, then paid.
    At most one award a year for a mediator, a legal adviser or a case (rejected ones aside)."""

    place = models.ForeignKey(
        "places.Place", verbose_name=_("proposed at"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AwardKind.choices)
    mediator = models.ForeignKey(
        Mediator,
        verbose_name=_("mediator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    adviser = models.ForeignKey(
        LegalAdviser,
        verbose_name=_("legal adviser"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="awards",
    )
    nominee = models.CharField(_("awarded to"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    reason = models.CharField(_("reason"), max_length=500)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    state = models.CharField(
        _("state"), max_length=12, choices=AwardState.choices, default=AwardState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision reason"), max_length=500, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("mediation award")
        verbose_name_plural = _("mediation awards")
        ordering = ["-year", "-proposed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind="mediator",
                        mediator__isnull=False,
                        adviser__isnull=True,
                        case__isnull=True,
                    )
                    | models.Q(
                        kind="adviser",
                        mediator__isnull=True,
                        adviser__isnull=False,
                        case__isnull=True,
                    )
                    | models.Q(
                        kind="case", mediator__isnull=True, adviser__isnull=True, case__isnull=False
                    )
                ),
                name="mediation_award_one_nominee",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="mediation_award_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["mediator", "year"], condition=_LIVE, name="mediation_award_mediator_yearly"
            ),
            models.UniqueConstraint(
                fields=["adviser", "year"], condition=_LIVE, name="mediation_award_adviser_yearly"
            ),
            models.UniqueConstraint(
                fields=["case", "year"], condition=_LIVE, name="mediation_award_case_yearly"
            ),
        ]
        indexes = [_path_index("mediation_award_path")]

    def __str__(self) -> str:
        return f"{self.year} {self.nominee}"


# --------------------------------------------------------------------------- online legal services


class LegalTopic(models.TextChoices):
    FAMILY = "family", _("Marriage, family and inheritance")
    NEIGHBOUR = "neighbour", _("Neighbours")
    PROPERTY = "property", _("Housing and property management")
    LABOUR = "labour", _("Work and wages")
    CONTRACT = "contract", _("Contracts, debts and consumer rights")
    OTHER = "other", _("Other")


class LegalQuestion(models.Model):
    """A resident's question to the community's legal adviser (公共法律线上服务, 000 §九) and
    its answer. Read only by the asker, the adviser and the community's mediation staff."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    adviser = models.ForeignKey(
        LegalAdviser,
        verbose_name=_("legal adviser"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="questions",
    )
    topic = models.CharField(_("topic"), max_length=12, choices=LegalTopic.choices)
    text = models.TextField(_("question"), max_length=2000)
    asked_at = models.DateTimeField(_("asked at"), default=clock.now)
    answer = models.TextField(_("answer"), max_length=4000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("legal question")
        verbose_name_plural = _("legal questions")
        ordering = ["-asked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(answered_at__isnull=True, answer="")
                    | (models.Q(answered_at__isnull=False) & ~models.Q(answer=""))
                ),
                name="mediation_question_answered_with_text",
            ),
        ]
        indexes = [_path_index("mediation_question_path")]

    def __str__(self) -> str:
        return f"{self.get_topic_display()} {self.asked_at:%Y-%m-%d}"
