"""Owners' committees (业主委员会), their terms (届) and candidate lists, residents' supervision
committees (居务监督委员会) and property companies (物业服务企业) with their service contracts
(issue 14 items 1–3; seeds 000 §五, 002 §三(一)4, §三(二)3).

Every row that belongs to an area carries `place_path` (the estate's or the community's path)
so that lists are scoped without a join. Party shares are never stored: they are computed from
the party registry (gongzhi.estates.rules).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


class PartyOrgForm(models.TextChoices):
    """How a body's party organisation is set up (000 §一: 单独建、联合建、挂靠建)."""

    SINGLE = "single", _("Set up alone (单独建)")
    JOINT = "joint", _("Set up jointly (联合建)")
    AFFILIATED = "affiliated", _("Set up by affiliation (挂靠建)")


def _path_index(name: str) -> models.Index:
    return models.Index(fields=["place_path"], name=name, opclasses=["varchar_pattern_ops"])


class OwnersCommittee(models.Model):
    """The owners' committee of one estate (one per estate; its terms follow one another)."""

    estate = models.OneToOneField(
        "places.Place",
        verbose_name=_("estate"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    party_org_form = models.CharField(
        _("form of the party organisation"),
        max_length=12,
        choices=PartyOrgForm.choices,
        blank=True,
    )
    party_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # 000 §五 (专职副书记/专职书记): whether the secretary of the committee's party organisation
    # (party.PartyOrg.secretary) works for it full-time.
    secretary_full_time = models.BooleanField(_("full-time secretary"), default=False)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")
        ordering = ["place_path"]
        indexes = [_path_index("estates_committee_path")]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    """One term (届) of an owners' committee."""

    committee = models.ForeignKey(
        OwnersCommittee, verbose_name=_("committee"), on_delete=models.CASCADE, related_name="terms"
    )
    number = models.PositiveSmallIntegerField(_("term number"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    seats = models.PositiveSmallIntegerField(_("seats"))
    elected_by = models.ForeignKey(
        "owners.OwnersVote",
        verbose_name=_("owners' vote that elected it"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filed_on = models.DateField(_("filed with the street on"), null=True, blank=True)
    filing_ref = models.CharField(_("filing document"), max_length=100, blank=True)
    ended_early_on = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for the early end"), max_length=500, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["committee_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="estates_term_number"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="estates_term_ends_after_start",
            ),
            models.CheckConstraint(condition=models.Q(seats__gte=1), name="estates_term_seats"),
        ]
        indexes = [_path_index("estates_term_path")]

    def __str__(self) -> str:
        return _("Term %(n)s") % {"n": self.number}

    @property
    def last_day(self) -> dt.date:
        """The last day the term runs: its end date, or the day it ended early."""
        return self.ended_early_on or self.ends_on


class TermMember(models.Model):
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="members"
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["term_id", "-is_chair", "id"]
        constraints = [
            models.UniqueConstraint(fields=["term", "resident"], name="estates_member_once"),
            models.UniqueConstraint(
                fields=["term"],
                condition=models.Q(is_chair=True, left_on__isnull=True),
                name="estates_one_chair",
            ),
        ]

    def __str__(self) -> str:
        return str(self.resident)


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("Being drawn up")
    REVIEWED = "reviewed", _("Reviewed by the community party committee")
    FINAL = "final", _("Final")


class CandidateList(models.Model):
    """The candidates for the election of a committee's next term, with the negative-list check
    (正负面清单, 000 §五) reviewed by the community party committee."""

    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="candidate_lists",
    )
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    reviewed_by = models.ForeignKey(
        "core.User",
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("candidate list")
        verbose_name_plural = _("candidate lists")
        ordering = ["-created_at", "-id"]
        indexes = [_path_index("estates_list_path")]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    candidate_list = models.ForeignKey(
        CandidateList,
        verbose_name=_("candidate list"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+"
    )
    # Negative list (负面清单): who may not stand, and why.
    excluded = models.BooleanField(_("may not stand"), default=False)
    exclusion_reason = models.CharField(_("why not"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["candidate_list_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate_list", "resident"], name="estates_candidate_once"
            ),
            models.CheckConstraint(
                condition=models.Q(excluded=False) | ~models.Q(exclusion_reason=""),
                name="estates_exclusion_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return str(self.resident)


class SupervisionCommittee(models.Model):
    """The residents' supervision committee (居务监督委员会) of a community (002 §三(二)3)."""

    community = models.OneToOneField(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("residents' supervision committee")
        verbose_name_plural = _("residents' supervision committees")
        ordering = ["place_path"]
        indexes = [_path_index("estates_supervision_path")]

    def __str__(self) -> str:
        return str(_("Residents' supervision committee"))


class SupervisionMember(models.Model):
    committee = models.ForeignKey(
        SupervisionCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+"
    )
    is_chair = models.BooleanField(_("chair"), default=False)
    since = models.DateField(_("since"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("supervision committee member")
        verbose_name_plural = _("supervision committee members")
        ordering = ["committee_id", "-is_chair", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "resident"],
                condition=models.Q(left_on__isnull=True),
                name="estates_supervisor_once",
            )
        ]

    def __str__(self) -> str:
        return str(self.resident)


class PropertyCompany(models.Model):
    """A property company (物业服务企业), registered by the community or street where it is
    first recorded; its service contracts may cover estates of several communities."""

    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("registered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    office_phone = models.CharField(_("office telephone"), max_length=20, blank=True)
    party_org_form = models.CharField(
        _("form of the party organisation"),
        max_length=12,
        choices=PartyOrgForm.choices,
        blank=True,
    )
    party_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("party organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    party_staff = models.ManyToManyField(
        "party.PartyMember",
        verbose_name=_("party members among the staff"),
        related_name="+",
        blank=True,
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        ordering = ["name", "id"]
        indexes = [_path_index("estates_company_path")]

    def __str__(self) -> str:
        return self.name


class ServiceContract(models.Model):
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property company"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    estate = models.ForeignKey(
        "places.Place", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    fee_yuan_per_m2 = models.DecimalField(
        _("fee (yuan per m² and month)"), max_digits=6, decimal_places=2
    )
    scope = models.CharField(_("scope of service"), max_length=500, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="estates_contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_yuan_per_m2__gte=0), name="estates_contract_fee"
            ),
        ]
        indexes = [_path_index("estates_contract_path")]

    def __str__(self) -> str:
        return f"{self.company} · {self.estate}"


# --------------------------------------------------------------------------- issue 14 items 1, 4, 5


class TermReminder(models.Model):
    """The re-election reminder (换届提醒) sent for a term: one per term (unique), so the daily
    sweep never sends it twice."""

    term = models.OneToOneField(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="reminder"
    )
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)

    class Meta:
        verbose_name = _("re-election reminder")
        verbose_name_plural = _("re-election reminders")

    def __str__(self) -> str:
        return str(self.term)


class Survey(models.Model):
    """The yearly residents' satisfaction survey of an estate (seed 000 §五): one answer per
    household, on the phone."""

    estate = models.ForeignKey(
        "places.Place", verbose_name=_("estate"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    closes_on = models.DateField(_("closes on"))
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-year", "place_path"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year"], name="estates_survey_once"),
        ]
        indexes = [_path_index("estates_survey_path")]

    def __str__(self) -> str:
        return _("Satisfaction survey %(year)s") % {"year": self.year}

    @property
    def is_open(self) -> bool:
        return clock.today() <= self.closes_on


class SurveyAnswer(models.Model):
    """One household's answer: how satisfied it is with the property company and with the
    owners' committee (1–5). Unique per household: a second answer is refused, also by the
    database when two arrive at once."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="answers"
    )
    household = models.ForeignKey(
        "places.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    company_score = models.PositiveSmallIntegerField(_("property company (1–5)"))
    committee_score = models.PositiveSmallIntegerField(_("owners' committee (1–5)"))
    answered_at = models.DateTimeField(_("answered at"), default=clock.now)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["survey_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "household"], name="estates_answer_once"),
            models.CheckConstraint(
                condition=models.Q(company_score__gte=1, company_score__lte=5)
                & models.Q(committee_score__gte=1, committee_score__lte=5),
                name="estates_answer_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.household_id}"


class BodyKind(models.TextChoices):
    COMPANY = "company", _("Property company")
    COMMITTEE = "committee", _("Owners' committee")


class Evaluation(models.Model):
    """The yearly evaluation of a property company or an owners' committee (seed 000 §五:
    红色物业 / 红色业委会 star ratings). `parts` keeps every part with its weight, so the score
    can always be explained; `published_at` is set when the street publishes the year."""

    kind = models.CharField(_("kind"), max_length=10, choices=BodyKind.choices)
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evaluations",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    assessment = models.PositiveSmallIntegerField(
        _("community's assessment (0–100)"), null=True, blank=True
    )
    assessment_note = models.CharField(_("assessment note"), max_length=500, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=1, null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), null=True, blank=True)
    parts = models.JSONField(_("parts of the score"), default=dict, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # Set at publication when the star level earns the profile's award (000 §五: up to
    # 100,000 yuan for a five-star red owners' committee or a red property company of three
    # stars or more): the most it may be, in fen, and the paragraph that grants it.
    award_max_fen = models.PositiveBigIntegerField(_("award up to (fen)"), null=True, blank=True)
    award_basis = models.CharField(_("award basis"), max_length=200, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("yearly evaluation")
        verbose_name_plural = _("yearly evaluations")
        ordering = ["-year", "kind", "place_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "year", "place_path"], name="estates_eval_company_year"
            ),
            models.UniqueConstraint(
                fields=["committee", "year"], name="estates_eval_committee_year"
            ),
        ]
        indexes = [_path_index("estates_eval_path")]

    def __str__(self) -> str:
        return f"{self.body} · {self.year}"

    @property
    def award_max_yuan(self) -> int | None:
        return None if self.award_max_fen is None else self.award_max_fen // 100

    @property
    def body(self) -> PropertyCompany | OwnersCommittee | None:
        return self.company if self.kind == BodyKind.COMPANY else self.committee


class ListColour(models.TextChoices):
    RED = "red", _("Red list")
    BLACK = "black", _("Black list")


class RedBlackEntry(models.Model):
    """An entry of the street's yearly red and black list (红黑榜, seed 000 §五), with its reason
    and a reference to the evidence; public once the street publishes the year."""

    street = models.ForeignKey(
        "places.Place", verbose_name=_("street"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    colour = models.CharField(_("list"), max_length=5, choices=ListColour.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=BodyKind.choices)
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="redblack",
    )
    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="redblack",
    )
    reason = models.CharField(_("reason"), max_length=500)
    evidence = models.CharField(_("evidence reference"), max_length=200)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("red or black list entry")
        verbose_name_plural = _("red and black list entries")
        ordering = ["-year", "colour", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["street", "year", "company"], name="estates_redblack_company"
            ),
            models.UniqueConstraint(
                fields=["street", "year", "committee"], name="estates_redblack_committee"
            ),
        ]
        indexes = [_path_index("estates_redblack_path")]

    def __str__(self) -> str:
        return f"{self.get_colour_display()} {self.year} · {self.body}"

    @property
    def body(self) -> PropertyCompany | OwnersCommittee | None:
        return self.company if self.kind == BodyKind.COMPANY else self.committee


# --------------------------------------------------------------------------- issue 14 item 3


class CompanyStaff(models.Model):
    """A property_staff post working for a company (the company's staff as a body of its
    own): added and ended by the community's staff. While the company has a link in force in
    a year, its ticket rates count the tickets handled by the linked posts' users; otherwise
    they fall back to the property_staff posts at its contract estates (docs/estates.md)."""

    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("property company"),
        on_delete=models.CASCADE,
        related_name="staff_links",
    )
    post = models.ForeignKey(
        "core.Post", verbose_name=_("post"), on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    added_by = models.ForeignKey(
        "core.User",
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("company staff link")
        verbose_name_plural = _("company staff links")
        ordering = ["ended_on", "-since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "post"],
                condition=models.Q(ended_on__isnull=True),
                name="estates_staff_link_open",
            ),
        ]
        indexes = [_path_index("estates_staff_link_path")]

    def __str__(self) -> str:
        return f"{self.company} · {self.post.user}"


# --------------------------------------------------------------------------- issue 14 row 000-17


class GrantStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested, awaiting the street")
    APPROVED = "approved", _("Approved by the street")
    REFUSED = "refused", _("Refused by the street")
    PAID = "paid", _("Paid out")


class StartupGrant(models.Model):
    """The start-up funds of a newly founded party organisation of an owners' committee
    (000 §五: 对新成立的业委会党组织,给予5000元启动工作经费): requested by the community,
    approved or refused by the street, then paid. The amount comes from the effective profile of
    the estate, with its citation kept; at most one grant that is not refused per organisation."""

    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        on_delete=models.CASCADE,
        related_name="startup_grants",
    )
    party_org = models.ForeignKey(
        "party.PartyOrg",
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    basis = models.CharField(_("basis"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=GrantStatus.choices, default=GrantStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        "core.User",
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=clock.now)
    decided_by = models.ForeignKey(
        "core.User",
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusal"), max_length=500, blank=True)
    paid_by = models.ForeignKey(
        "core.User",
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    payment_ref = models.CharField(_("payment reference"), max_length=100, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("start-up grant")
        verbose_name_plural = _("start-up grants")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party_org"],
                condition=~models.Q(status="refused"),
                name="estates_grant_once_per_org",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0), name="estates_grant_amount"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="refused") | ~models.Q(refusal_reason=""),
                name="estates_grant_refusal_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="estates_grant_paid_on",
            ),
        ]
        indexes = [_path_index("estates_grant_path")]

    def __str__(self) -> str:
        return _("Start-up grant of %(org)s") % {"org": self.party_org}

    @property
    def amount_yuan(self) -> str:
        return f"{self.amount_fen // 100}.{self.amount_fen % 100:02d}"
