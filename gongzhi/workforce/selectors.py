"""Reads of workers' records and the two committees for a viewer, narrowed with `access.scoped`
(404 outside the `workforce.view` scope).

Personal data follows the registry's protection: the masked ID number, birth date and pay of a
record are shown only to a viewer with `workforce.personal` over its community, or to the
worker themself (their resident record linked to their login) — `sees_personal`. A grid worker
sees colleagues by name, kind and post only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.core import access, clock, profiles
from gongzhi.core.models import Post
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.partners.models import PartnerUnit
from gongzhi.party.models import PartyMember
from gongzhi.people.models import Resident
from gongzhi.people.selectors import visible_residents
from gongzhi.places import selectors as places
from gongzhi.places.models import Place, PlaceKind
from gongzhi.workforce.models import (
    APPOINTED_KINDS,
    Appointment,
    AppointmentReportScan,
    Attendance,
    Certificate,
    CertificateScan,
    CommitteeKind,
    CommitteeSeat,
    CommitteeTerm,
    CommunityCommittee,
    Course,
    CourseKind,
    DutyLogEntry,
    Reward,
    RewardStatus,
    Worker,
    WorkerKind,
)

VIEW = Action.WORKFORCE_VIEW
REMINDER_KEY = "committees.turnover_reminder_months"


def _pk(value: object) -> int:
    text = str(value)
    return int(text) if text.isdigit() and len(text) < 12 else 0


# --------------------------------------------------------------------------- workers


def visible_workers(user: Viewer) -> QuerySet[Worker]:
    return access.scoped(Worker.objects.all(), user, VIEW, path_field="place_path")


def worker_rows(user: Viewer, params: Mapping[str, Any] | None = None) -> QuerySet[Worker]:
    """The roster: filters `community` (id), `kind`, `status` (active / left / all, default
    active), `q` (name)."""
    params = params or {}
    rows = visible_workers(user).select_related(
        "resident", "community", "post__place", "post__terms"
    )
    community = _pk(params.get("community") or "")
    if community:
        rows = rows.filter(community_id=community)
    kind = params.get("kind") or ""
    if kind in WorkerKind.values:
        rows = rows.filter(kind=kind)
    status = params.get("status") or "active"
    if status == "active":
        rows = rows.filter(left_on__isnull=True)
    elif status == "left":
        rows = rows.filter(left_on__isnull=False)
    q = str(params.get("q") or "").strip()[:30]
    if q:
        rows = rows.filter(Q(resident__name__contains=q) | Q(resident__name_initials=q.lower()))
    rank = Case(
        *[When(kind=kind, then=Value(i)) for i, kind in enumerate(WorkerKind.values)],
        default=Value(99),
    )
    return rows.order_by("place_path", rank, "started_on", "id")


def get_worker(user: Viewer, pk: object) -> Worker:
    return get_object_or_404(
        visible_workers(user).select_related("resident", "community", "post__place", "post__terms"),
        pk=_pk(pk),
    )


def sees_personal(user: Viewer, worker: Worker) -> bool:
    """The masked ID, birth date and pay: `workforce.personal` over the community, or one's own
    record."""
    if access.can(user, Action.WORKFORCE_PERSONAL, worker.place_path):
        return True
    return bool(user.is_authenticated and worker.resident.user_id == user.pk)


def personal_paths(user: Viewer) -> list[str]:
    """Where the viewer sees personal data (for a list: one call, no query per row)."""
    grants = access.grants(user, Action.WORKFORCE_PERSONAL)
    if any(g.everything for g in grants):
        return ["/"]
    return [g.path for g in grants if g.path]


def sees_personal_in(paths: list[str], user: Viewer, worker: Worker) -> bool:
    if "/" in paths or any(worker.place_path.startswith(p) for p in paths):
        return True
    return bool(user.is_authenticated and worker.resident.user_id == user.pk)


def party_status(resident_ids: list[int]) -> dict[int, str]:
    """Political status from the party registry: resident id → the member status label; people
    missing from the answer are not party members (群众)."""
    return {
        m.resident_id: str(m.get_status_display())
        for m in PartyMember.objects.filter(resident_id__in=resident_ids, is_active=True)
    }


def post_history(worker: Worker) -> list[Post]:
    """Every post the worker's login has held (active or not), oldest first."""
    if worker.resident.user_id is None:
        return []
    return list(
        Post.objects.filter(user_id=worker.resident.user_id)
        .select_related("place")
        .order_by("created_at", "id")
    )


def communities(user: Viewer, action: str = VIEW) -> QuerySet[Place]:
    return (
        places.visible_places(user, action)
        .filter(kind=PlaceKind.COMMUNITY)
        .select_related("parent")
        .order_by("path")
    )


def get_community(user: Viewer, pk: object) -> Place:
    return get_object_or_404(communities(user), pk=_pk(pk))


def residents_for(user: Viewer, community: Place) -> QuerySet[Resident]:
    """Residents a manager may record as workers of the community (those they see in the
    registry under it)."""
    return (
        visible_residents(user)
        .filter(place_path__under=community.path, is_active=True)
        .order_by("name", "id")
    )


def posts_for(community: Place) -> QuerySet[Post]:
    """Staff login posts at the community or below, to link a record to."""
    return (
        Post.objects.filter(
            place__path__under=community.path,
            role__in=places.COMMUNITY_STAFF_ROLES,
            is_active=True,
        )
        .select_related("user", "place")
        .order_by("place__path", "role", "id")
    )


def workers_of(community: Place) -> QuerySet[Worker]:
    return (
        Worker.objects.filter(community=community, left_on__isnull=True)
        .select_related("resident")
        .order_by("resident__name", "id")
    )


# --------------------------------------------------------------------------- the two committees


@dataclass
class CommitteeView:
    kind: str
    label: Any
    committee: CommunityCommittee | None
    current: CommitteeTerm | None = None
    seats: list[CommitteeSeat] = field(default_factory=list)
    past: list[CommitteeTerm] = field(default_factory=list)
    turnover: str = ""  # "", "soon" or "overdue"

    @property
    def vacant(self) -> int:
        return max(self.current.seats - len(self.seats), 0) if self.current else 0


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - months
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    return dt.date(year, month, 28)


def turnover_state(term: CommitteeTerm, months: int, today: dt.date) -> str:
    """ "overdue" once the turnover date has passed without a new term, "soon" within the
    reminder months before it, else ""."""
    if not term.is_current:
        return ""
    if today > term.ends_on:
        return "overdue"
    if months and today >= _months_before(term.ends_on, months):
        return "soon"
    return ""


def _months_of(profile: profiles.Profile | None) -> int:
    value = profile.get(REMINDER_KEY) if profile is not None and profile.ok else None
    if value is None:
        value = profiles.SCHEMA[REMINDER_KEY].default
    return int(value or 0)


def reminder_months(community: Place) -> int:
    return _months_of(profiles.effective_profile(community))


def reminder_months_for(communities: list[Place]) -> dict[int, int]:
    """`reminder_months` for many communities in one query (their profile setters)."""
    setters = profiles.profile_setters(communities)
    return {
        pk: _months_of(profiles.current(setter.policy_profile) if setter else None)
        for pk, setter in setters.items()
    }


def committees_of(community: Place) -> list[CommitteeView]:
    """Both committees of a community with their current term, its open seats and past terms."""
    today = clock.today()
    months = reminder_months(community)
    found = {
        c.kind: c
        for c in CommunityCommittee.objects.filter(community=community).prefetch_related(
            Prefetch("terms", queryset=CommitteeTerm.objects.order_by("-number")),
            Prefetch(
                "terms__seats_held",
                queryset=CommitteeSeat.objects.filter(left_on__isnull=True)
                .select_related("worker__resident")
                .order_by("role", "id"),
                to_attr="open_seats",
            ),
        )
    }
    views = []
    for kind in (CommitteeKind.PARTY, CommitteeKind.RESIDENTS):
        committee = found.get(kind)
        view = CommitteeView(kind=kind, label=CommitteeKind(kind).label, committee=committee)
        if committee is not None:
            terms = list(committee.terms.all())
            view.current = next((t for t in terms if t.is_current), None)
            view.past = [t for t in terms if not t.is_current]
            if view.current is not None:
                view.seats = list(getattr(view.current, "open_seats", []))
                view.turnover = turnover_state(view.current, months, today)
        views.append(view)
    return views


def get_term(user: Viewer, pk: object) -> CommitteeTerm:
    return get_object_or_404(
        access.scoped(
            CommitteeTerm.objects.select_related("committee__community"),
            user,
            VIEW,
            path_field="place_path",
        ),
        pk=_pk(pk),
    )


def get_seat(user: Viewer, pk: object) -> CommitteeSeat:
    return get_object_or_404(
        access.scoped(
            CommitteeSeat.objects.select_related("term__committee", "worker__resident"),
            user,
            VIEW,
            path_field="place_path",
        ),
        pk=_pk(pk),
    )


def turnover_due(user: Viewer) -> list[tuple[CommitteeTerm, str]]:
    """Current terms in the viewer's area due for turnover soon or overdue (换届提醒), for the
    roster page's reminder box. Two queries (the terms, the communities' profile setters)."""
    today = clock.today()
    terms = list(
        access.scoped(
            CommitteeTerm.objects.filter(succeeded_on__isnull=True).select_related(
                "committee__community"
            ),
            user,
            VIEW,
            path_field="place_path",
        ).order_by("ends_on")[:200]
    )
    months = reminder_months_for(list({t.committee.community for t in terms}))
    due = []
    for term in terms:
        state = turnover_state(term, months.get(term.committee.community_id, 0), today)
        if state:
            due.append((term, state))
    return due


# --------------------------------------------------------------------------- certificates, rewards


def certificates_of(worker: Worker) -> list[Certificate]:
    return list(
        worker.certificates.select_related("reward")
        .prefetch_related("scans")
        .order_by("obtained_on", "id")
    )


def get_scan(user: Viewer, pk: object, scan_pk: object) -> CertificateScan:
    """A certificate's scan: for those who see the worker's personal data (404 otherwise)."""
    scan = get_object_or_404(
        CertificateScan.objects.select_related("certificate__worker__resident"),
        pk=_pk(scan_pk),
        certificate_id=_pk(pk),
    )
    worker = scan.certificate.worker
    if not visible_workers(user).filter(pk=worker.pk).exists() or not sees_personal(user, worker):
        raise Http404
    return scan


def reward_rows(user: Viewer, params: Mapping[str, Any] | None = None) -> QuerySet[Reward]:
    """Rewards in the viewer's area, filter `status` (default: awaiting approval)."""
    params = params or {}
    rows = access.scoped(
        Reward.objects.select_related(
            "certificate__worker__resident",
            "certificate__worker__community",
            "approved_by",
            "paid_by",
        ),
        user,
        VIEW,
        path_field="place_path",
    )
    state = params.get("status") or RewardStatus.AWAITING
    if state in RewardStatus.values:
        rows = rows.filter(status=state)
    return rows.order_by("-created_at", "-id")


def get_reward(user: Viewer, pk: object) -> Reward:
    return get_object_or_404(reward_rows(user, {"status": "all"}), pk=_pk(pk))


# --------------------------------------------------------------------------- training


def course_rows(user: Viewer, params: Mapping[str, Any] | None = None) -> QuerySet[Course]:
    """Courses and contests held for places in the viewer's area, or (a street's course seen
    from a community) attended by workers in it; newest first; filter `kind`."""
    params = params or {}
    attended_here = access.scoped(
        Attendance.objects.filter(course=OuterRef("pk")), user, VIEW, path_field="place_path"
    )
    rows = (
        Course.objects.filter(access.scope_q(user, VIEW, "place_path") | Exists(attended_here))
        .select_related("place")
        .annotate(attended=Count("attendances"))
    )
    kind = params.get("kind") or ""
    if kind in CourseKind.values:
        rows = rows.filter(kind=kind)
    return rows.order_by("-starts_on", "-id")


def get_course(user: Viewer, pk: object) -> Course:
    return get_object_or_404(course_rows(user), pk=_pk(pk))


def attendances_of(user: Viewer, course: Course) -> QuerySet[Attendance]:
    """A course's attendance in the viewer's area, by rank for a contest (unranked last), then
    by name."""
    return (
        access.scoped(course.attendances.all(), user, VIEW, path_field="place_path")
        .select_related("worker__resident", "worker__community")
        .order_by(F("rank").asc(nulls_last=True), "worker__resident__name", "id")
    )


def attendances_of_worker(worker: Worker) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(resident_id=worker.resident_id)
        .select_related("course")
        .order_by("-course__starts_on", "-id")
    )


def course_places(user: Viewer) -> QuerySet[Place]:
    """Streets and communities the viewer may hold courses for."""
    return (
        places.visible_places(user, Action.WORKFORCE_MANAGE)
        .filter(kind__in=[PlaceKind.STREET, PlaceKind.COMMUNITY])
        .order_by("path")
    )


def attendees_for(user: Viewer, course: Course) -> QuerySet[Worker]:
    """Active workers in the course's area the viewer sees."""
    return (
        visible_workers(user)
        .filter(place_path__under=course.place_path, left_on__isnull=True)
        .select_related("resident")
        .order_by("place_path", "resident__name", "id")
    )


# --------------------------------------------------------------------------- first secretaries

APPOINTMENT_VIEW = Action.WORKFORCE_APPOINTMENT_VIEW
APPOINTMENT_STATES = ("current", "ended", "all")


def visible_appointments(user: Viewer) -> QuerySet[Appointment]:
    """Appointments in the viewer's `workforce.appointment_view` scope (a grid worker: none)."""
    return access.scoped(Appointment.objects.all(), user, APPOINTMENT_VIEW, path_field="place_path")


def appointment_rows(
    user: Viewer, params: Mapping[str, Any] | None = None
) -> QuerySet[Appointment]:
    """Appointments per street or community: filters `street`, `community` (ids), `kind`,
    `state` (current: not ended early and not past the planned end; ended; all — default)."""
    params = params or {}
    rows = visible_appointments(user).select_related(
        "resident", "community__parent", "unit", "report_accepted_by"
    )
    street = _pk(params.get("street") or "")
    if street:
        rows = rows.filter(community__parent_id=street)
    community = _pk(params.get("community") or "")
    if community:
        rows = rows.filter(community_id=community)
    kind = params.get("kind") or ""
    if kind in APPOINTED_KINDS:
        rows = rows.filter(kind=kind)
    state = params.get("state") or "all"
    today = clock.today()
    if state == "current":
        rows = rows.filter(ended_on__isnull=True, planned_end_on__gte=today)
    elif state == "ended":
        rows = rows.filter(Q(ended_on__isnull=False) | Q(planned_end_on__lt=today))
    return rows.order_by("place_path", "-starts_on", "-id")


def get_appointment(user: Viewer, pk: object) -> Appointment:
    return get_object_or_404(appointment_rows(user), pk=_pk(pk))


def duty_log(appointment: Appointment) -> QuerySet[DutyLogEntry]:
    return appointment.log.select_related("written_by").order_by("-day", "-id")


def report_scans(appointment: Appointment) -> list[AppointmentReportScan]:
    return list(appointment.report_scans.order_by("id"))


def get_report_scan(user: Viewer, pk: object, scan_pk: object) -> AppointmentReportScan:
    """A report's file, for those who see the appointment (404 otherwise)."""
    appointment = get_appointment(user, pk)
    return get_object_or_404(
        AppointmentReportScan.objects.all(), pk=_pk(scan_pk), appointment=appointment
    )


def appointable_workers(user: Viewer) -> QuerySet[Worker]:
    """Active first secretaries' and seconded cadres' records where the viewer may appoint."""
    return (
        access.scoped(
            Worker.objects.filter(kind__in=APPOINTED_KINDS, left_on__isnull=True),
            user,
            Action.WORKFORCE_APPOINT,
            path_field="place_path",
        )
        .select_related("resident", "community")
        .order_by("place_path", "resident__name", "id")
    )


def streets(user: Viewer) -> QuerySet[Place]:
    return (
        places.visible_places(user, APPOINTMENT_VIEW).filter(kind=PlaceKind.STREET).order_by("path")
    )


def partner_units(user: Viewer) -> QuerySet[PartnerUnit]:
    """Active partner units where the viewer may appoint (to name the sending unit)."""
    return access.scoped(
        PartnerUnit.objects.filter(is_active=True),
        user,
        Action.WORKFORCE_APPOINT,
        path_field="place_path",
    ).order_by("place_path", "name")
