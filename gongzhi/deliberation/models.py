"""Deliberation (议事协商): topics raised and supported by residents, meetings with agendas,
attendance, minutes and resolutions tracked as follow-throughs (落实事项), polls, public notices
(党务、居务、财务公开) and resident representatives.

Sources: 001 §2 (居民议事会, 听证会, 民主恳谈会, 党群议事会, 居民代表大会, 社区监督委员会, 居民公约,
矛盾协调会; 党务、居务、财务公开), 003 annex 7 (fixed deliberation days: recurring meetings),
annex 19 (topics of the community, grid, estate and building; residents'-group meetings), 002 §三(三)2
(representatives by role and contribution points), 003 §三(一)3 (三方联席会议 each quarter) and
§三(一)4 (议事协商). Every model that belongs to a place stores `place_path` (a copy of the
place's path) so scoping needs no join. Statuses change only in services.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock
from gongzhi.core.paths import PathField


def _path_index(name: str) -> models.Index:
    return models.Index(fields=["place_path"], name=name, opclasses=["varchar_pattern_ops"])


# --------------------------------------------------------------------------- topics


class TopicStatus(models.TextChoices):
    OPEN = "open", _("Open for support")
    ON_AGENDA = "on_agenda", _("On the agenda")
    DISCUSSED = "discussed", _("Discussed")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


class TopicOrigin(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    STAFF = "staff", _("Community staff")
    PARTY_ORG = "party_org", _("Party organisation")


class Topic(models.Model):
    """A matter raised for deliberation in a community or an estate (议题)."""

    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("description"), max_length=4000)
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(
        _("raised by"), max_length=12, choices=TopicOrigin.choices, default=TopicOrigin.RESIDENT
    )
    origin_name = models.CharField(_("organisation name"), max_length=100, blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TopicStatus.choices, default=TopicStatus.OPEN
    )
    support_count = models.PositiveIntegerField(_("supporters"), default=0)
    # The threshold in force when the topic reached the agenda (the profile may change later).
    threshold = models.PositiveIntegerField(_("support threshold"), null=True, blank=True)
    meeting = models.ForeignKey(
        "Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    on_agenda_at = models.DateTimeField(_("on the agenda since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["-created_at", "-id"]
        indexes = [
            _path_index("delib_topic_path"),
            models.Index(fields=["status", "place_path"], name="delib_topic_status"),
        ]

    def __str__(self) -> str:
        return self.title


class TopicSupport(models.Model):
    """One resident's support of a topic; the unique constraint is the last line of defence."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="supports")
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="topic_supports"
    )
    # The login that gave the support; empty for supports collected on paper (demo, imports).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["topic", "resident"], name="delib_one_support")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.resident_id}"


class Opinion(models.Model):
    """An online opinion on a topic, or the community's official reply."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="opinions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("opinion"), max_length=2000)
    official = models.BooleanField(_("official reply"), default=False)
    hidden = models.BooleanField(_("hidden"), default=False)
    hidden_reason = models.CharField(_("reason for hiding"), max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    # Not stored: set for one reader by selectors.opinions_for.
    show_text: bool
    may_hide: bool

    class Meta:
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


# --------------------------------------------------------------------------- meetings


class MeetingKind(models.TextChoices):
    RESIDENTS_COUNCIL = "residents_council", _("Residents' council")
    JOINT = "joint", _("Joint meeting of the three parties")
    PARTY_MASS = "party_mass", _("Party-mass council")
    HEARING = "hearing", _("Hearing")
    CONSULTATION = "consultation", _("Consultation meeting")
    # 003 annex 19: residents'-group meetings (居民小组会议) below the community.
    RESIDENTS_GROUP = "residents_group", _("Residents' group meeting")
    # 001 §2: 居民代表大会, 社区监督委员会, 矛盾协调会.
    RESIDENTS_CONGRESS = "residents_congress", _("Residents' congress")
    SUPERVISION = "supervision", _("Supervision committee meeting")
    DISPUTE = "dispute", _("Dispute-coordination meeting")
    # 003 §三(三)1: 夜话会.
    EVENING_TALK = "evening_talk", _("Evening talk")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class SeriesFrequency(models.TextChoices):
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every quarter (first month of each calendar quarter)")


class MeetingSeries(models.Model):
    """A recurring meeting (003 annex 7: fixed deliberation days, e.g. "16号议事日"): on `day`
    of every month or of the first month of every calendar quarter, at `time`. A daily task
    creates each meeting `lead_days` ahead (services.create_series_meetings, idempotent)."""

    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=120)
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    frequency = models.CharField(
        _("repeats"),
        max_length=10,
        choices=SeriesFrequency.choices,
        default=SeriesFrequency.MONTHLY,
    )
    day = models.PositiveSmallIntegerField(_("day of the month"))
    time = models.TimeField(_("time"))
    location = models.CharField(_("location"), max_length=120, blank=True)
    lead_days = models.PositiveSmallIntegerField(_("created days ahead"), default=14)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("recurring meeting")
        verbose_name_plural = _("recurring meetings")
        ordering = ["-active", "day", "id"]
        indexes = [_path_index("delib_series_path")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(day__gte=1, day__lte=28), name="delib_series_day_1_28"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=120)
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    starts_at = models.DateTimeField(_("starts at"))
    location = models.CharField(_("location"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    minutes = models.TextField(_("minutes"), max_length=20000, blank=True)
    minutes_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    series = models.ForeignKey(
        MeetingSeries,
        verbose_name=_("recurring meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            _path_index("delib_meeting_path"),
            models.Index(fields=["community", "kind", "starts_at"], name="delib_meeting_kind"),
        ]
        constraints = [
            # One meeting per occurrence of a series (NULL series never collide).
            models.UniqueConstraint(fields=["series", "starts_at"], name="delib_one_per_occurrence")
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="agenda_items"
    )
    title = models.CharField(_("agenda item"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_invitations"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="delib_one_invitation")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id}"


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("QR check-in")
    MANUAL = "manual", _("Marked by staff")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendances"
    )
    method = models.CharField(_("method"), max_length=8, choices=AttendanceMethod.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="delib_one_attendance")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.user_id}"


class Resolution(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="resolutions")
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="resolutions"
    )
    text = models.TextField(_("resolution text"), max_length=2000)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class FollowThroughStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    # Never stored: shown when an open or started follow-through is past its deadline.
    OVERDUE = "overdue", _("Overdue")


class FollowThrough(models.Model):
    """What a resolution commits someone to do (落实事项), with an owner and a deadline."""

    resolution = models.OneToOneField(
        Resolution, on_delete=models.CASCADE, related_name="follow_through"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    title = models.CharField(_("action to take"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="deliberation_follow_throughs",
    )
    # The owner's public function when assigned (shown on the public page instead of contacts).
    owner_title = models.CharField(_("owner's function"), max_length=60, blank=True)
    due = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=FollowThroughStatus.choices,
        default=FollowThroughStatus.OPEN,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due", "id"]
        indexes = [
            _path_index("delib_follow_through_path"),
            models.Index(fields=["owner", "status"], name="delib_follow_through_owner"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="overdue"),
                name="delib_follow_through_overdue_not_stored",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status != FollowThroughStatus.DONE and self.due < (today or clock.today())

    @property
    def display_status(self) -> str:
        return FollowThroughStatus.OVERDUE if self.is_overdue() else self.status

    @property
    def display_status_label(self) -> str:
        return str(FollowThroughStatus(self.display_status).label)


class FollowThroughNote(models.Model):
    follow_through = models.ForeignKey(
        FollowThrough, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=FollowThroughStatus.choices)
    text = models.TextField(_("progress note"), max_length=2000)
    at = models.DateTimeField(_("time"), default=clock.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class JointMeetingReminder(models.Model):
    """One reminder per community per period: the sweep's idempotency record."""

    community = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(_("period start"))
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("joint meeting reminder")
        verbose_name_plural = _("joint meeting reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "period_start"], name="delib_one_reminder_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.community_id}:{self.period_start}"


# --------------------------------------------------------------------------- polls


class Poll(models.Model):
    question = models.CharField(_("question"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    multiple = models.BooleanField(_("multiple choice"), default=False)
    per_household = models.BooleanField(_("one vote per household"), default=False)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["-opens_at", "-id"]
        indexes = [_path_index("delib_poll_path")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")), name="delib_poll_window"
            )
        ]

    def __str__(self) -> str:
        return self.question

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or clock.now()
        return self.opens_at <= now < self.closes_at

    def is_closed(self, now: dt.datetime | None = None) -> bool:
        return (now or clock.now()) >= self.closes_at


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options")
    text = models.CharField(_("option"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("poll option")
        verbose_name_plural = _("poll options")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text


class PollBallot(models.Model):
    """One resident's vote in a poll (`owners.Ballot` is an owner's ballot in an owners'
    decision). `household` is set only in one-per-household polls, so the second
    unique constraint applies only there (NULLs never collide)."""

    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="ballots")
    resident = models.ForeignKey("people.Resident", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "places.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Empty for a paper ballot (demo, imports).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    options = models.ManyToManyField(PollOption, related_name="ballots")
    created_at = models.DateTimeField(_("created at"), default=clock.now)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["poll", "resident"], name="delib_one_ballot_resident"),
            models.UniqueConstraint(
                fields=["poll", "household"], name="delib_one_ballot_household"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.poll_id}:{self.resident_id}"


# --------------------------------------------------------------------------- disclosure


class NoticeCategory(models.TextChoices):
    PARTY = "party", _("Party affairs")
    RESIDENTS = "residents", _("Residents' affairs")
    FINANCIAL = "financial", _("Financial affairs")
    # 001 §2: 居民公约 — published as a notice; a new version is a new notice (the old one is
    # withdrawn), citing the meeting resolution that adopted it.
    CONVENTION = "convention", _("Residents' convention")


class NoticeStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Notice(models.Model):
    """A public notice (党务、居务、财务公开, 001 §2), optionally with a table of amounts."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    category = models.CharField(_("category"), max_length=12, choices=NoticeCategory.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=10000)
    # [{"item": "...", "amount": "123.45"}, ...] — amounts as strings with two decimals.
    amounts = models.JSONField(_("amounts"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PUBLISHED
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), default=clock.now)
    withdrawn_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-published_at", "-id"]
        indexes = [_path_index("delib_notice_path")]

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- representatives


class Representative(models.Model):
    """A resident confirmed by staff as a residents' representative (居民代表)."""

    community = models.ForeignKey(
        "places.Place", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    place_path = PathField(_("place path"), editable=False, db_index=False)
    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="representations"
    )
    score = models.PositiveIntegerField(_("score when confirmed"), default=0)
    score_details = models.JSONField(_("score details"), default=dict, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), default=clock.now)

    class Meta:
        verbose_name = _("resident representative")
        verbose_name_plural = _("resident representatives")
        ordering = ["-score", "id"]
        indexes = [_path_index("delib_rep_path")]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "resident"], name="delib_one_representative"
            )
        ]

    def __str__(self) -> str:
        return str(self.resident_id)
