"""Training (issue 15 item 5): courses and the grid workers' skills contest, attendance, and
each person's yearly days of centralised training against the profile (001 §5):

- the party secretary and the residents' committee director (their record's kind, or the chair
  of a current committee term): `training.secretary_min_days` (loudi: 7);
- the other members of the two committees (an open seat on a current term):
  `training.committee_min_days` (loudi: 3);
- everybody else: no requirement.

Only centralised training counts towards the days (a skills contest is an event with results,
003 §三(一)2); the days of a course count in the year it starts. Writes: one transaction, the
access check (`workforce.manage` over the course's place, and over the worker's community for
attendance), an audit record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import access, audit, clock, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.places.compliance import Check, Status
from gongzhi.places.models import Place, PlaceKind
from gongzhi.workforce.models import (
    CHAIR_ROLES,
    Attendance,
    CommitteeSeat,
    Course,
    CourseKind,
    Worker,
    WorkerKind,
)

CHIEF_DAYS = "training.secretary_min_days"
MEMBER_DAYS = "training.committee_min_days"
TRAINING_ROW = "training.committee_min_days"
MAX_DAYS = Decimal("366")
CHIEF_KINDS = (WorkerKind.SECRETARY, WorkerKind.DIRECTOR)


def _manage(actor: User, path: str) -> access.Grant:
    return access.require(actor, Action.WORKFORCE_MANAGE, path, read_action=Action.WORKFORCE_VIEW)


def _days(value: Any, field: str) -> Decimal:
    """Days typed as "7" or "6.5": positive, whole or half days, at most 366."""
    try:
        days = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field: _("Enter the days as a number.")}) from None
    if not days.is_finite() or days <= 0 or days > MAX_DAYS or (days * 2) % 1:
        raise ValidationError({field: _("Days: more than 0, at most 366, in half days.")})
    return days


@transaction.atomic
def record_course(
    place: Place,
    *,
    actor: User,
    title: str,
    organiser: str,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    days: Any,
    county_level: bool = False,
) -> Course:
    """A course or a skills contest held for a street or community; `county_level`: held by
    the county (district) or a higher level (counts as a session, 001 §5)."""
    grant = _manage(actor, place.path)
    if place.kind not in (PlaceKind.COMMUNITY, PlaceKind.STREET):
        raise ValidationError({"place": _("Choose a street or a community.")})
    title, organiser = (title or "").strip(), (organiser or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the course's title.")})
    if not organiser:
        raise ValidationError({"organiser": _("Give the organiser.")})
    if kind not in CourseKind.values:
        raise ValidationError({"kind": _("Choose the kind of course.")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The course cannot end before it starts.")})
    if starts_on > clock.today():
        raise ValidationError({"starts_on": _("Record a course once it has started.")})
    count = _days(days, "days")
    if count > (ends_on - starts_on).days + 1:
        raise ValidationError({"days": _("More days than the course lasted.")})
    course = Course.objects.create(
        title=title[:120],
        organiser=organiser[:120],
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        days=count,
        county_level=county_level,
        place=place,
        created_by=actor,
        place_path=place.path,
    )
    audit.record(
        actor=actor,
        action="workforce.course_add",
        target=course,
        place_path=place.path,
        post=grant.post,
        changes={
            "kind": [None, kind],
            "starts_on": [None, starts_on.isoformat()],
            "days": [None, str(count)],
            "county_level": [None, county_level],
        },
    )
    return course


@transaction.atomic
def record_attendance(
    course: Course,
    *,
    actor: User,
    worker: Worker,
    days: Any = None,
    rank: int | None = None,
    score: Any = None,
) -> Attendance:
    """A worker attended a course (all its days unless fewer are given); a contest's result
    (rank, score) goes with it. Once per person and course."""
    grant = _manage(actor, worker.place_path)
    if not worker.place_path.startswith(course.place_path):
        raise ValidationError({"worker": _("This worker is not in the course's area.")})
    if not worker.is_active:
        raise ValidationError({"worker": _("This worker has left.")})
    count = course.days if days in (None, "") else _days(days, "days")
    if count > course.days:
        raise ValidationError({"days": _("More days than the course lasted.")})
    if course.kind != CourseKind.CONTEST and (rank is not None or score not in (None, "")):
        raise ValidationError({"rank": _("Only a contest has results.")})
    if rank is not None and not 1 <= rank <= 10000:
        raise ValidationError({"rank": _("Rank: 1 or more.")})
    points = None
    if score not in (None, ""):
        try:
            points = Decimal(str(score).strip())
        except InvalidOperation:
            raise ValidationError({"score": _("Enter the score as a number.")}) from None
        if (
            not points.is_finite()
            or not 0 <= points <= 1000
            or points != points.quantize(Decimal("0.01"))
        ):
            raise ValidationError({"score": _("Score: 0 to 1000, at most two decimals.")})
    try:
        with transaction.atomic():
            made = Attendance.objects.create(
                course=course,
                worker=worker,
                resident_id=worker.resident_id,
                days=count,
                rank=rank,
                score=points,
                place_path=worker.place_path,
            )
    except IntegrityError:
        raise ValidationError(
            {"worker": _("This person's attendance is already recorded.")}
        ) from None
    audit.record(
        actor=actor,
        action="workforce.attendance_add",
        target=made,
        target_repr=f"{course.title} · {worker.resident.name}",
        place_path=worker.place_path,
        post=grant.post,
        changes={"days": [None, str(count)], "rank": [None, rank]},
    )
    return made


# --------------------------------------------------------------------------- yearly days


def days_in_year(resident_ids: list[int], year: int) -> dict[int, Decimal]:
    """Days of centralised training per person in a calendar year (one query)."""
    rows = (
        Attendance.objects.filter(
            resident_id__in=resident_ids,
            course__kind=CourseKind.TRAINING,
            course__starts_on__year=year,
        )
        .values("resident_id")
        .annotate(total=Sum("days"))
    )
    return {row["resident_id"]: row["total"] or Decimal(0) for row in rows}


def chiefs_and_members(worker_ids: list[int]) -> tuple[set[int], set[int]]:
    """(workers chairing a current term, workers with any open seat on a current term)."""
    chiefs: set[int] = set()
    members: set[int] = set()
    for worker_id, role in CommitteeSeat.objects.filter(
        worker_id__in=worker_ids, left_on__isnull=True, term__succeeded_on__isnull=True
    ).values_list("worker_id", "role"):
        members.add(worker_id)
        if role in CHAIR_ROLES:
            chiefs.add(worker_id)
    return chiefs, members


def value(profile: profiles.Profile | None, key: str) -> Decimal | None:
    """The profile's number for `key` as a Decimal, or None when it is not set."""
    return _value(profile, key)


def _value(profile: profiles.Profile | None, key: str) -> Decimal | None:
    if profile is None or not profile.ok or not profile.is_set(key):
        return None
    return Decimal(str(profile.get(key)))


def required_days(
    worker: Worker, profile: profiles.Profile | None, chiefs: set[int], members: set[int]
) -> tuple[Decimal | None, str]:
    """(least days, the key) for a worker: chiefs by kind or chair, then committee members."""
    if worker.kind in CHIEF_KINDS or worker.pk in chiefs:
        return _value(profile, CHIEF_DAYS), CHIEF_DAYS
    if worker.pk in members:
        return _value(profile, MEMBER_DAYS), MEMBER_DAYS
    return None, ""


@dataclass
class TrainingState:
    worker: Worker
    days: Decimal
    required: Decimal | None
    key: str

    @property
    def short(self) -> bool:
        return self.required is not None and self.days < self.required


def states(
    workers: list[Worker], profile: profiles.Profile | None, year: int
) -> list[TrainingState]:
    """Each worker's days this year against the profile (three queries in all)."""
    ids = [w.pk for w in workers]
    chiefs, members = chiefs_and_members(ids)
    done = days_in_year([w.resident_id for w in workers], year)
    out = []
    for w in workers:
        required, key = required_days(w, profile, chiefs, members)
        out.append(TrainingState(w, done.get(w.resident_id, Decimal(0)), required, key))
    return out


def worker_state(worker: Worker, year: int | None = None) -> TrainingState:
    profile = profiles.effective_profile(worker.community)
    return states([worker], profile, year or clock.today().year)[0]


def training_check(
    profile: profiles.Profile | None, found: list[TrainingState], year: int
) -> Check:
    """The community's row: how many people are short of their training days this year."""
    chief, member = _value(profile, CHIEF_DAYS), _value(profile, MEMBER_DAYS)
    citation = " · ".join(
        c
        for c in (
            profile.citations.get(k, "") if profile else "" for k in (CHIEF_DAYS, MEMBER_DAYS)
        )
        if c
    )
    check = Check(
        key=TRAINING_ROW,
        label=gettext_lazy("Training days of the two committees' members (%(year)s)")
        % {"year": year},
        status=Status.NOT_SET,
        required=0,
        unit=gettext_lazy("people short"),
        citation=citation,
    )
    if chief is None and member is None:
        return check
    counted = [s for s in found if s.required is not None]
    if not counted:
        check.status = Status.NOT_RECORDED
        return check
    short = sum(1 for s in counted if s.short)
    check.actual = short
    check.status = Status.SHORT if short else Status.OK
    check.note = gettext_lazy("%(n)s of %(all)s people short of their training days") % {
        "n": short,
        "all": len(counted),
    }
    return check


# --------------------------------------------------------------------------- sessions, contests

SESSIONS_KEY = "training.secretary_min_sessions_per_year"
CONTESTS_KEY = "grid.worker_contests_per_year"


def county_sessions(resident_ids: list[int], year: int) -> dict[int, int]:
    """Sessions of centralised training at county level or above attended per person in a
    calendar year (one query)."""
    rows = (
        Attendance.objects.filter(
            resident_id__in=resident_ids,
            course__kind=CourseKind.TRAINING,
            course__county_level=True,
            course__starts_on__year=year,
        )
        .values("resident_id")
        .annotate(n=Count("course_id", distinct=True))
    )
    return {row["resident_id"]: row["n"] for row in rows}


def sessions_check(
    profile: profiles.Profile | None,
    chiefs: list[Worker],
    sessions: dict[int, int],
    year: int,
) -> Check:
    """The party secretary's and the residents' committee director's sessions at county level
    or above this year (001 §5: 每年至少参加1次县及县以上的集中培训): how many of them are short.
    Exactly the least passes."""
    least = _value(profile, SESSIONS_KEY)
    check = Check(
        key=SESSIONS_KEY,
        label=gettext_lazy("County-level training sessions of secretary and director (%(year)s)")
        % {"year": year},
        status=Status.NOT_SET,
        required=0,
        unit=gettext_lazy("people short"),
        citation=profile.citations.get(SESSIONS_KEY, "") if profile else "",
    )
    if least is None:
        return check
    if not chiefs:
        check.status = Status.NOT_RECORDED
        return check
    short = sum(1 for w in chiefs if sessions.get(w.resident_id, 0) < least)
    check.actual = short
    check.status = Status.SHORT if short else Status.OK
    check.note = gettext_lazy(
        "%(n)s of %(all)s short of %(least)s session(s) at county level or above"
    ) % {"n": short, "all": len(chiefs), "least": int(least)}
    return check


def contests_held(paths: list[str], year: int) -> dict[str, int]:
    """Skills contests starting in `year` held for each of the given place paths (one query)."""
    rows = (
        Course.objects.filter(kind=CourseKind.CONTEST, starts_on__year=year, place_path__in=paths)
        .values("place_path")
        .annotate(n=Count("id"))
    )
    return {row["place_path"]: row["n"] for row in rows}
