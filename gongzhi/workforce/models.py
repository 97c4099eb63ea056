"""The community workforce (issue 15): workers' records (社区工作者台账) and the two committees
(两委: the community party committee and the residents' committee) with their terms and seats.

A worker's record links a person of the people registry (`people.Resident`: name, protected ID,
birth date) to their login post (`core.Post`; full- or part-time is the post's
`places.PostTerms`, never stored twice). Political status comes from the party registry and age
from the registry's birth date: neither is stored here. Every row carries `place_path` (its
community's path) so that lists are scoped without a join. Pay is in fen.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongzhi.core import clock, photos
from gongzhi.core.paths import PathField


def _path_index(name: str) -> models.Index:
    return models.Index(fields=["place_path"], name=name, opclasses=["varchar_pattern_ops"])


class WorkerKind(models.TextChoices):
    SECRETARY = "secretary", _("Community party secretary")
    DIRECTOR = "director", _("Residents' committee director")
    COMMUNITY_WORKER = "community_worker", _("Community worker")
    GRID_WORKER = "grid_worker", _("Grid worker")
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    SECONDED_CADRE = "seconded_cadre", _("Seconded cadre")
    # 000 §三: social workers of a professional agency in the zone, rewarded like community
    # workers after `awards.agency_worker_min_years` there.
    AGENCY_SOCIAL_WORKER = "agency_social_worker", _("Agency social worker")


class Education(models.TextChoices):
    """Highest education; college (大专) and above counts as a graduate (001 §6)."""

    SECONDARY = "secondary", _("Secondary school or below")
    COLLEGE = "college", _("College (大专)")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree or above")


# Education counted as "college and above" (大专以上, 一社区一名大学生).
GRADUATE_EDUCATION = (Education.COLLEGE, Education.BACHELOR, Education.MASTER)


class Worker(models.Model):
    """One person's record in the community's workers' register (社区工作者台账)."""

    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of worker"), max_length=24, choices=WorkerKind.choices)
    post = models.ForeignKey(
        "core.Post",
        verbose_name=_("login post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_on = models.DateField(_("started on"))
    education = models.CharField(
        _("education"), max_length=12, choices=Education.choices, blank=True
    )
    is_reserve = models.BooleanField(_("reserve candidate"), default=False)
    monthly_pay_fen = models.PositiveIntegerField(
        _("basic pay a month (fen)"), null=True, blank=True
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    leave_reason = models.CharField(_("reason for leaving"), max_length=200, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("worker's record")
        verbose_name_plural = _("workers' records")
        ordering = ["place_path", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(left_on__isnull=True),
                name="workforce_worker_one_active",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("started_on")),
                name="workforce_worker_left_after_start",
            ),
        ]
        indexes = [_path_index("workforce_worker_path")]

    def __str__(self) -> str:
        return f"{self.resident.name} ({self.get_kind_display()})"

    @property
    def is_active(self) -> bool:
        return self.left_on is None

    @property
    def is_graduate(self) -> bool:
        return self.education in GRADUATE_EDUCATION

    @property
    def monthly_pay_yuan(self) -> str | None:
        if self.monthly_pay_fen is None:
            return None
        return f"{self.monthly_pay_fen // 100}.{self.monthly_pay_fen % 100:02d}"


class CommitteeKind(models.TextChoices):
    PARTY = "party", pgettext_lazy("two committees", "Community party committee")
    RESIDENTS = "residents", _("Residents' committee")


class CommunityCommittee(models.Model):
    """One of the two committees (两委) of a community; its terms follow one another."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("committee"), max_length=10, choices=CommitteeKind.choices)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("community committee")
        verbose_name_plural = _("community committees")
        constraints = [
            models.UniqueConstraint(fields=["community", "kind"], name="workforce_committee_unique")
        ]
        indexes = [_path_index("workforce_committee_path")]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class ElectionMethod(models.TextChoices):
    """How a term was chosen (001 §5)."""

    TWO_RECOMMEND = "two_recommend", _("Two recommendations, one election (两推一选)")
    OPEN_DIRECT = "open_direct", _("Open recommendation, direct election (公推直选)")
    OPEN_SELECTION = "open_selection", _("Open selection (面向社会公选)")
    APPOINTED = "appointed", _("Appointed by the higher party organisation (上级党组织委派)")
    DIRECT = "direct", _("Direct election by residents (直接选举)")


class CommitteeTerm(models.Model):
    """A term (届) of a committee: elected on a day, due for turnover (换届) on `ends_on`."""

    committee = models.ForeignKey(
        CommunityCommittee,
        verbose_name=_("committee"),
        on_delete=models.CASCADE,
        related_name="terms",
    )
    number = models.PositiveSmallIntegerField(_("term number"))
    elected_on = models.DateField(_("elected on"))
    ends_on = models.DateField(_("turnover due on"))
    method = models.CharField(_("election method"), max_length=16, choices=ElectionMethod.choices)
    seats = models.PositiveSmallIntegerField(_("seats"))
    succeeded_on = models.DateField(_("succeeded on"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("committee term")
        verbose_name_plural = _("committee terms")
        ordering = ["committee_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="workforce_term_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("elected_on")), name="workforce_term_dates"
            ),
            models.CheckConstraint(
                condition=Q(seats__gte=1, seats__lte=50), name="workforce_term_seats"
            ),
        ]
        indexes = [_path_index("workforce_term_path")]

    def __str__(self) -> str:
        return f"{self.committee} #{self.number}"

    @property
    def is_current(self) -> bool:
        return self.succeeded_on is None


class SeatRole(models.TextChoices):
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    DIRECTOR = "director", _("Director")
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
    MEMBER = "member", _("Committee member")


# The chair of each committee: one at a time (database constraint).
CHAIR_ROLES = (SeatRole.SECRETARY, SeatRole.DIRECTOR)
ROLES_OF: dict[str, tuple[str, ...]] = {
    CommitteeKind.PARTY: (SeatRole.SECRETARY, SeatRole.DEPUTY_SECRETARY, SeatRole.MEMBER),
    CommitteeKind.RESIDENTS: (SeatRole.DIRECTOR, SeatRole.DEPUTY_DIRECTOR, SeatRole.MEMBER),
}


class CommitteeSeat(models.Model):
    """A worker's seat on a committee term, with the role held (书记、主任、委员 …)."""

    term = models.ForeignKey(
        CommitteeTerm, verbose_name=_("term"), on_delete=models.CASCADE, related_name="seats_held"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="seats"
    )
    role = models.CharField(_("role"), max_length=20, choices=SeatRole.choices)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)

    class Meta:
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")
        ordering = ["term_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "worker"],
                condition=Q(left_on__isnull=True),
                name="workforce_seat_one_per_term",
            ),
            models.UniqueConstraint(
                fields=["term", "role"],
                condition=Q(left_on__isnull=True, role__in=["secretary", "director"]),
                name="workforce_seat_one_chair",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="workforce_seat_dates",
            ),
        ]
        indexes = [_path_index("workforce_seat_path")]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.role}"


# --------------------------------------------------------------------------- certificates, rewards


class CertificateLevel(models.TextChoices):
    """Social-work certificates (社会工作者职业水平证书, 000 §三) and other qualifications."""

    ASSISTANT = "assistant", _("Assistant social worker (助理社会工作师)")
    INTERMEDIATE = "intermediate", _("Intermediate social worker (中级社会工作师)")
    SENIOR = "senior", _("Senior social worker (高级社会工作师)")
    OTHER = "other", _("Other qualification")


# The levels that count as certified (持证上岗) and earn the one-off reward, with their key.
SOCIAL_WORK_LEVELS = (
    CertificateLevel.ASSISTANT,
    CertificateLevel.INTERMEDIATE,
    CertificateLevel.SENIOR,
)
REWARD_KEYS = {
    CertificateLevel.ASSISTANT: "awards.certificate_assistant_yuan",
    CertificateLevel.INTERMEDIATE: "awards.certificate_intermediate_yuan",
    CertificateLevel.SENIOR: "awards.certificate_senior_yuan",
}


# The kernel's path (`<app>/<year>/<month>/<name>`); the name stays for the migrations.
_scan_path = photos.upload_path


class Certificate(models.Model):
    """A worker's certificate, with its number, date and an optional scan."""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="certificates"
    )
    level = models.CharField(_("certificate"), max_length=16, choices=CertificateLevel.choices)
    title = models.CharField(_("name of the qualification"), max_length=100, blank=True)
    number = models.CharField(_("certificate number"), max_length=40)
    obtained_on = models.DateField(_("obtained on"))
    recorded_by = models.ForeignKey(
        "core.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["worker_id", "obtained_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker", "level", "number"], name="workforce_certificate_unique"
            ),
        ]
        indexes = [_path_index("workforce_certificate_path")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.number}"


class CertificateScan(photos.AttachedPhoto):
    """The scan of a certificate, re-encoded without metadata (gongzhi.core.photos) and served
    only to those who may see the worker's personal data."""

    certificate = models.ForeignKey(
        Certificate, verbose_name=_("certificate"), on_delete=models.CASCADE, related_name="scans"
    )

    class Meta:
        verbose_name = _("certificate scan")
        verbose_name_plural = _("certificate scans")
        ordering = ["certificate_id", "id"]


class RewardStatus(models.TextChoices):
    AWAITING = "awaiting", _("Awaiting approval")
    APPROVED = "approved", _("Approved, not yet paid")
    PAID = "paid", _("Paid")
    REFUSED = "refused", _("Refused")


class Reward(models.Model):
    """The one-off reward for a social-work certificate (000 §三), its amount computed from the
    profile when the certificate is recorded. One per person and level (database constraint):
    never paid twice for the same level, whatever the number of records or certificates."""

    certificate = models.OneToOneField(
        Certificate, verbose_name=_("certificate"), on_delete=models.PROTECT, related_name="reward"
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("certificate"), max_length=16, choices=CertificateLevel.choices)
    amount_fen = models.PositiveIntegerField(_("amount (fen)"))
    citation = models.CharField(_("paragraph"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RewardStatus.choices, default=RewardStatus.AWAITING
    )
    approved_by = models.ForeignKey(
        "core.User",
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        "core.User",
        verbose_name=_("marked paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("certificate reward")
        verbose_name_plural = _("certificate rewards")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "level"],
                condition=~Q(status="refused"),
                name="workforce_reward_once_per_level",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting", "refused"])
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="workforce_reward_approved",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False, paid_by__isnull=False),
                name="workforce_reward_paid",
            ),
        ]
        indexes = [_path_index("workforce_reward_path")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.amount_yuan}"

    @property
    def amount_yuan(self) -> str:
        return f"{self.amount_fen // 100}.{self.amount_fen % 100:02d}"


# --------------------------------------------------------------------------- yearly assessment


class Grade(models.TextChoices):
    """The grades of the yearly assessment (目标管理考核、述职评议, 001 §6)."""

    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


class Assessment(models.Model):
    """A worker's yearly assessment: one per person and year (database constraint)."""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="assessments"
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    comments = models.CharField(_("comments"), max_length=500, blank=True)
    assessed_by = models.ForeignKey(
        "core.User", verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("yearly assessment")
        verbose_name_plural = _("yearly assessments")
        ordering = ["resident_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["resident", "year"], name="workforce_assessment_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="workforce_assessment_year_range"
            ),
        ]
        indexes = [_path_index("workforce_assessment_path")]

    def __str__(self) -> str:
        return f"{self.year} {self.grade}"


# --------------------------------------------------------------------------- training (item 5)


class CourseKind(models.TextChoices):
    """A centralised training course (集中培训, 001 §5) or the grid workers' skills contest
    (网格员技能竞赛, 003 §三(一)2), an event whose attendance carries results."""

    TRAINING = "training", _("Centralised training")
    CONTEST = "contest", _("Grid workers' skills contest")


class Course(models.Model):
    """A training course or skills contest held by an organiser over some days. `days` is the
    length counted towards a participant's yearly training days (half days allowed)."""

    title = models.CharField(_("title"), max_length=120)
    organiser = models.CharField(_("organiser"), max_length=120)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CourseKind.choices, default=CourseKind.TRAINING
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    days = models.DecimalField(_("days"), max_digits=4, decimal_places=1)
    # 001 §5: 每年至少参加1次县及县以上的集中培训 — a session held by the county (district) or
    # a higher level, whoever records it.
    county_level = models.BooleanField(_("held at county level or above"), default=False)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("held for"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        "core.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("training course")
        verbose_name_plural = _("training courses")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="workforce_course_dates"
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0, days__lte=366), name="workforce_course_days"
            ),
        ]
        indexes = [_path_index("workforce_course_path")]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """A person's attendance of a course (days counted, at most the course's), and for a
    contest their result (rank, score). One per person and course (database constraint)."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="attendances"
    )
    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="attendances"
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    days = models.DecimalField(_("days attended"), max_digits=4, decimal_places=1)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["course_id", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "resident"], name="workforce_attendance_once"
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0, days__lte=366), name="workforce_attendance_days"
            ),
            models.CheckConstraint(
                condition=Q(rank__isnull=True) | Q(rank__gte=1), name="workforce_attendance_rank"
            ),
        ]
        indexes = [_path_index("workforce_attendance_path")]

    def __str__(self) -> str:
        return f"{self.course_id} {self.resident_id}"


# --------------------------------------------------------------------------- first secretaries (item 3)

# The kinds of worker whose record carries an appointment (000 §二).
APPOINTED_KINDS = ("first_secretary", "seconded_cadre")


class Appointment(models.Model):
    """A first secretary's or seconded cadre's appointment to a community (000 §二: 选派……
    担任“第一书记”; 选派优秀青年干部到社区担任党组织书记或专职副书记,挂职期不少于 1 年): the
    sending unit (a partner unit when one matches, else the office's name as typed), the term,
    an early end with its reason, and the end-of-term report the appointee submits and a
    street officer accepts. The terms of one worker's record never overlap (checked under a row
    lock by `appointments.appoint`)."""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="appointments"
    )
    resident = models.ForeignKey(
        "people.Resident", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of worker"), max_length=24, choices=WorkerKind.choices)
    unit = models.ForeignKey(
        "partners.PartnerUnit",
        verbose_name=_("partner unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sending_unit = models.CharField(_("sending unit"), max_length=100)
    starts_on = models.DateField(_("starts on"))
    planned_end_on = models.DateField(_("planned end"))
    ended_on = models.DateField(_("ended early on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for the early end"), max_length=200, blank=True)
    report_text = models.TextField(_("end-of-term report"), max_length=5000, blank=True)
    report_submitted_at = models.DateTimeField(_("report submitted at"), null=True, blank=True)
    report_accepted_by = models.ForeignKey(
        "core.User",
        verbose_name=_("report accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    report_accepted_at = models.DateTimeField(_("report accepted at"), null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["place_path", "-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end_on__gt=F("starts_on")), name="workforce_appointment_term"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("starts_on")),
                name="workforce_appointment_end",
            ),
            models.CheckConstraint(
                condition=Q(report_accepted_at__isnull=True)
                | Q(report_submitted_at__isnull=False, report_accepted_by__isnull=False),
                name="workforce_appointment_accepted",
            ),
        ]
        indexes = [_path_index("workforce_appointment_path")]

    def __str__(self) -> str:
        return f"{self.sending_unit} → {self.community_id}"

    @property
    def end_on(self) -> dt.date:
        """The day the term ends: the early end, else the planned end."""
        return self.ended_on or self.planned_end_on

    def is_over(self, today: dt.date) -> bool:
        return self.ended_on is not None or today > self.planned_end_on

    @property
    def report_state(self) -> str:
        if self.report_accepted_at is not None:
            return "accepted"
        if self.report_submitted_at is not None:
            return "submitted"
        return ""


class DutyLogEntry(models.Model):
    """A dated entry of an appointee's duty log (what was done), written by the appointee."""

    appointment = models.ForeignKey(
        Appointment, verbose_name=_("appointment"), on_delete=models.CASCADE, related_name="log"
    )
    day = models.DateField(_("date"))
    text = models.CharField(_("what was done"), max_length=1000)
    written_by = models.ForeignKey(
        "core.User", verbose_name=_("written by"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("duty log entry")
        verbose_name_plural = _("duty log entries")
        ordering = ["appointment_id", "-day", "-id"]
        indexes = [_path_index("workforce_dutylog_path")]

    def __str__(self) -> str:
        return f"{self.day} {self.text[:20]}"


class AppointmentReportScan(photos.AttachedPhoto):
    """A file (a scan or photo, re-encoded by gongzhi.core.photos) attached to the end-of-term
    report."""

    appointment = models.ForeignKey(
        Appointment,
        verbose_name=_("appointment"),
        on_delete=models.CASCADE,
        related_name="report_scans",
    )

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["appointment_id", "id"]
