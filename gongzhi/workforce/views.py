"""Workforce pages: the roster (社区工作者台账) with filters, a worker's record, a community's two
committees with their compliance rows, and the compliance list of the viewer's communities.
Thin: forms parse, selectors read, services write; a refusal comes back as a flash message."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, audit, clock, gates, inputs, refusals
from gongzhi.core.exports import XLSX_CONTENT_TYPE
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.workforce import appointments as appointments_service
from gongzhi.workforce import (
    checks,
    forms,
    pay,
    roster,
    selectors,
    services,
    training,
    training_export,
)
from gongzhi.workforce.models import (
    APPOINTED_KINDS,
    CommitteeKind,
    CourseKind,
    RewardStatus,
    Worker,
    WorkerKind,
)

PAGE_SIZE = 30
VIEW = Action.WORKFORCE_VIEW
MANAGE = Action.WORKFORCE_MANAGE
REWARD = Action.WORKFORCE_REWARD
FILTER_KEYS = ("community", "kind", "status", "q")


def _nav(user: Any) -> dict[str, Any]:
    return {
        "perms_rewards": access.has_any(user, MANAGE) or access.has_any(user, REWARD),
        "perms_pay": access.has_any(user, Action.WORKFORCE_PERSONAL),
        "perms_appointments": access.has_any(user, Action.WORKFORCE_APPOINTMENT_VIEW),
    }


def _row(worker: Worker, personal: bool, party: dict[int, str]) -> dict[str, Any]:
    terms = getattr(worker.post, "terms", None) if worker.post else None
    return {
        "worker": worker,
        "personal": personal,
        "party": party.get(worker.resident_id, _("Not a party member")),
        "full_time": None if worker.post is None else (terms is None or terms.full_time),
        "age": checks.age_on(worker.resident.birth_date, clock.today()) if personal else None,
    }


@login_required
@requires(VIEW)
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    rows = selectors.worker_rows(user, request.GET)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    workers = list(page.object_list)
    paths = selectors.personal_paths(user)
    party = selectors.party_status([w.resident_id for w in workers])
    return render(
        request,
        "workforce/index.html",
        {
            "page": page,
            "rows": [_row(w, selectors.sees_personal_in(paths, user, w), party) for w in workers],
            "communities": selectors.communities(user)[:300],
            "kinds": WorkerKind.choices,
            "filters": request.GET,
            "turnover": selectors.turnover_due(user)[:20],
            "manage": access.has_any(user, MANAGE),
            **_nav(user),
        },
    )


@login_required
@requires(VIEW)
def worker(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    record = selectors.get_worker(user, pk)
    personal = selectors.sees_personal(user, record)
    party = selectors.party_status([record.resident_id])
    return render(
        request,
        "workforce/worker.html",
        {
            "row": _row(record, personal, party),
            "w": record,
            "posts": selectors.post_history(record),
            "seats": record.seats.select_related("term__committee").order_by("-joined_on"),
            "certificates": selectors.certificates_of(record),
            "manage": access.can(user, MANAGE, record.place_path) and record.is_active,
            "leave_form": forms.LeaveForm(initial={"left_on": clock.today()}),
            "certificate_form": forms.CertificateForm(),
            "assessments": record.assessments.select_related("assessed_by").order_by("-year")
            if personal
            else None,
            "flagged": personal and services.is_flagged(record),
            "assess": access.can(user, Action.WORKFORCE_PERSONAL, record.place_path)
            and record.is_active,
            "assessment_form": forms.AssessmentForm(initial={"year": clock.today().year - 1}),
            "training": training.worker_state(record),
            "attendances": selectors.attendances_of_worker(record)[:50],
            "appointments": list(
                selectors.visible_appointments(user).filter(worker=record).order_by("-starts_on")
            )
            if record.kind in APPOINTED_KINDS
            else [],
            **_nav(user),
        },
    )


@login_required
@require_POST
def worker_leave(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    gates.check(user, MANAGE)
    record = selectors.get_worker(user, pk)
    refusals.act(
        request,
        forms.LeaveForm(request.POST),
        lambda d: services.end_worker(record, actor=user, left_on=d["left_on"], reason=d["reason"]),
        _("The worker's record is closed."),
    )
    return redirect("workforce:worker", pk=record.pk)


@login_required
@requires(VIEW)
def community(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A community's workers in short, its two committees and its compliance rows; managers add
    workers, terms and seats here."""
    user = request.user
    place = selectors.get_community(user, pk)
    manage = access.can(user, MANAGE, place.path)
    if request.method == "POST":
        gates.check(user, MANAGE)
        if not manage:
            raise PermissionDenied
        what = request.POST.get("form")
        if what == "worker":
            form = forms.WorkerForm(
                request.POST,
                choices={
                    "resident": selectors.residents_for(user, place),
                    "post": selectors.posts_for(place),
                },
            )
            refusals.act(
                request,
                form,
                lambda d: services.add_worker(
                    place,
                    actor=user,
                    resident=d["resident"],
                    kind=d["kind"],
                    started_on=d["started_on"],
                    education=d["education"],
                    is_reserve=d["is_reserve"],
                    monthly_pay_yuan=d["monthly_pay_yuan"],
                    post=d["post"],
                ),
                _("The worker's record is added."),
            )
        elif what == "term":
            refusals.act(
                request,
                forms.TermForm(request.POST),
                lambda d: services.add_term(
                    place,
                    d["kind"],
                    actor=user,
                    number=d["number"],
                    elected_on=d["elected_on"],
                    ends_on=d["ends_on"],
                    method=d["method"],
                    seats=d["seats"],
                ),
                _("The term is recorded."),
            )
        elif what == "seat":
            term = selectors.get_term(user, request.POST.get("term"))
            refusals.act(
                request,
                forms.SeatForm(request.POST, choices={"worker": selectors.workers_of(place)}),
                lambda d: services.add_seat(
                    term, actor=user, worker=d["worker"], role=d["role"], joined_on=d["joined_on"]
                ),
                _("The seat is recorded."),
            )
        return redirect("workforce:community", pk=place.pk)
    report = checks.community_report(place)
    context: dict[str, Any] = {
        "place": place,
        "committees": selectors.committees_of(place),
        "report": report,
        "manage": manage,
        "worker_count": report.workers,
        **_nav(user),
    }
    if manage:
        today = clock.today()
        context.update(
            worker_form=forms.WorkerForm(
                choices={
                    "resident": selectors.residents_for(user, place)[:500],
                    "post": selectors.posts_for(place)[:200],
                },
                initial={"started_on": today},
            ),
            term_form=forms.TermForm(initial={"elected_on": today, "seats": 5}),
            seat_form=forms.SeatForm(
                choices={"worker": selectors.workers_of(place)[:300]},
                initial={"joined_on": today},
            ),
            end_form=forms.SeatEndForm(initial={"left_on": today}),
            party_kind=CommitteeKind.PARTY,
        )
    return render(request, "workforce/community.html", context)


@login_required
@require_POST
def seat_end(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    gates.check(user, MANAGE)
    seat = selectors.get_seat(user, pk)
    refusals.act(
        request,
        forms.SeatEndForm(request.POST),
        lambda d: services.end_seat(seat, actor=user, left_on=d["left_on"]),
        _("The seat is vacated."),
    )
    return redirect("workforce:community", pk=seat.term.committee.community_id)


@login_required
@requires(VIEW)
def compliance(request: AuthenticatedRequest) -> HttpResponse:
    """Every community of the viewer's area with its workforce state and the rows it fails."""
    user = request.user
    communities = selectors.communities(user)
    page = Paginator(communities, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workforce/compliance.html",
        {
            "page": page,
            "reports": checks.reports_for(page.object_list),
            "streets": checks.street_coverage(communities),
            **_nav(user),
        },
    )


# --------------------------------------------------------------------------- certificates, rewards


@login_required
@require_POST
def certificate_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    gates.check(user, MANAGE)
    record = selectors.get_worker(user, pk)
    form = forms.CertificateForm(request.POST, request.FILES)
    refusals.act(
        request,
        form,
        lambda d: services.record_certificate(
            record,
            actor=user,
            level=d["level"],
            number=d["number"],
            obtained_on=d["obtained_on"],
            title=d["title"],
            scans=[d["scan"]] if d["scan"] else [],
        ),
        _("The certificate is recorded."),
    )
    return redirect("workforce:worker", pk=record.pk)


@login_required
@requires(VIEW)
def scan(request: AuthenticatedRequest, pk: int, scan_pk: int) -> FileResponse:
    """A certificate's scan, only for those who see the worker's personal data (404 otherwise)."""
    item = selectors.get_scan(request.user, pk, scan_pk)
    return item.serve(thumb=bool(request.GET.get("thumb")))


REWARD_TABS = ("awaiting", "approved", "paid", "refused")


@login_required
@requires(MANAGE, REWARD)
def rewards(request: AuthenticatedRequest) -> HttpResponse:
    """Certificate rewards by status; officers approve, refuse and mark paid."""
    user = request.user
    tab = request.GET.get("status", "awaiting")
    if tab not in REWARD_TABS:
        tab = "awaiting"
    page = Paginator(selectors.reward_rows(user, {"status": tab}), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workforce/rewards.html",
        {
            "page": page,
            "rows": page.object_list,
            "tab": tab,
            "tabs": [(t, RewardStatus(t).label) for t in REWARD_TABS],
            "decide": access.has_any(user, REWARD),
            "refuse_form": forms.RefuseForm(),
        },
    )


@login_required
@require_POST
def reward_step(request: AuthenticatedRequest, pk: int, step: str) -> HttpResponse:
    user = request.user
    gates.check(user, REWARD)
    reward = selectors.get_reward(user, pk)
    if step == "approve":
        refusals.act(
            request,
            forms.EmptyForm(request.POST),
            lambda d: services.approve_reward(reward, actor=user),
            _("The reward is approved."),
        )
    elif step == "pay":
        refusals.act(
            request,
            forms.EmptyForm(request.POST),
            lambda d: services.mark_paid(reward, actor=user),
            _("The reward is marked paid."),
        )
    elif step == "refuse":
        refusals.act(
            request,
            forms.RefuseForm(request.POST),
            lambda d: services.refuse_reward(reward, actor=user, note=d["note"]),
            _("The reward is refused."),
        )
    else:
        raise Http404
    reward.refresh_from_db(fields=["status"])  # the tab of its status after the step
    return redirect(f"{reverse('workforce:rewards')}?status={reward.status}")


# --------------------------------------------------------------------------- roster xlsx


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@requires(VIEW)
def roster_export(request: AuthenticatedRequest) -> HttpResponse:
    """The filtered roster as .xlsx in the layout offices hand in (an audit record says who
    exported what filter)."""
    user = request.user
    data = roster.roster_xlsx(user, request.GET)
    with transaction.atomic():
        audit.record(
            actor=user,
            action="workforce.roster_export",
            target=None,
            target_repr="社区工作者台账",
            changes={
                "filters": [None, {k: request.GET.get(k, "")[:30] for k in FILTER_KEYS}],
            },
        )
    return _xlsx(data, f"社区工作者台账-{clock.today():%Y%m%d}.xlsx")


@login_required
@requires(MANAGE)
def roster_template(request: AuthenticatedRequest) -> HttpResponse:
    return _xlsx(roster.template_xlsx(), "社区工作者台账-导入模板.xlsx")


@login_required
@requires(MANAGE)
def roster_import(request: AuthenticatedRequest) -> HttpResponse:
    """Import an existing roster into one community: every row checked, all or nothing."""
    user = request.user
    places = [c for c in selectors.communities(user)[:300] if access.can(user, MANAGE, c.path)]
    result = None
    error = ""
    chosen = request.POST.get("community") or request.GET.get("community") or ""
    if request.method == "POST":
        place = selectors.get_community(user, chosen)
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Choose the .xlsx file of the roster.")
        elif upload.size and upload.size > roster.MAX_BYTES:
            error = _("The file is larger than 5 MB.")
        else:
            try:
                result = roster.import_roster(place, upload.read(), actor=user)
            except roster.RosterFileError as refusal:
                error = str(refusal)
        if result is not None and result.created:
            messages.success(
                request,
                _("%(n)s workers' records imported.") % {"n": result.created},
            )
            return redirect(f"{reverse('workforce:index')}?community={place.pk}")
    return render(
        request,
        "workforce/import.html",
        {
            "communities": places,
            "chosen": chosen,
            "result": result,
            "error": error,
            **_nav(user),
        },
    )


@login_required
@require_POST
def assessment_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    gates.check(user, Action.WORKFORCE_PERSONAL)
    record = selectors.get_worker(user, pk)
    refusals.act(
        request,
        forms.AssessmentForm(request.POST),
        lambda d: services.record_assessment(
            record, actor=user, year=d["year"], grade=d["grade"], comments=d["comments"]
        ),
        _("The assessment is recorded."),
    )
    return redirect("workforce:worker", pk=record.pk)


# --------------------------------------------------------------------------- training, pay floors


@login_required
@requires(VIEW)
def training_list(request: AuthenticatedRequest) -> HttpResponse:
    """Courses and skills contests in the viewer's area; managers record a new one."""
    user = request.user
    manage = access.has_any(user, MANAGE)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.CourseForm(request.POST, choices={"place": selectors.course_places(user)})
        refusals.act(
            request,
            form,
            lambda d: training.record_course(
                d["place"],
                actor=user,
                title=d["title"],
                organiser=d["organiser"],
                kind=d["kind"],
                starts_on=d["starts_on"],
                ends_on=d["ends_on"],
                days=d["days"],
                county_level=d["county_level"],
            ),
            _("The course is recorded."),
        )
        return redirect("workforce:training")
    page = Paginator(selectors.course_rows(user, request.GET), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = clock.today()
    return render(
        request,
        "workforce/training.html",
        {
            "page": page,
            "rows": page.object_list,
            "kinds": CourseKind.choices,
            "filters": request.GET,
            "manage": manage,
            "course_form": forms.CourseForm(
                choices={"place": selectors.course_places(user)[:300]},
                initial={"starts_on": today, "ends_on": today, "days": 1},
            )
            if manage
            else None,
            **_nav(user),
        },
    )


@login_required
@requires(VIEW)
def course(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A course or contest with its attendance (and results); managers record attendance."""
    user = request.user
    held = selectors.get_course(user, pk)
    manage = access.can(user, MANAGE, held.place_path)
    if request.method == "POST":
        gates.check(user, MANAGE)
        if not manage:
            raise PermissionDenied
        form = forms.AttendanceForm(
            request.POST, choices={"worker": selectors.attendees_for(user, held)}
        )
        refusals.act(
            request,
            form,
            lambda d: training.record_attendance(
                held,
                actor=user,
                worker=d["worker"],
                days=d["days"],
                rank=d["rank"],
                score=d["score"],
            ),
            _("The attendance of the course is recorded."),
        )
        return redirect("workforce:course", pk=held.pk)
    page = Paginator(selectors.attendances_of(user, held), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "workforce/course.html",
        {
            "course": held,
            "page": page,
            "rows": page.object_list,
            "contest": held.kind == CourseKind.CONTEST,
            "manage": manage,
            "attendance_form": forms.AttendanceForm(
                choices={"worker": selectors.attendees_for(user, held)[:500]}
            )
            if manage
            else None,
            **_nav(user),
        },
    )


@login_required
@requires(Action.WORKFORCE_PERSONAL)
def pay_floors(request: AuthenticatedRequest) -> HttpResponse:
    """Committee members paid below the profile's floor (001 §15): personal data, only for
    `workforce.personal`."""
    user = request.user
    return render(
        request,
        "workforce/pay_floors.html",
        {"rows": pay.below_floor(user), **_nav(user)},
    )


# --------------------------------------------------------------------------- first secretaries


APPOINTMENT_VIEW = Action.WORKFORCE_APPOINTMENT_VIEW
APPOINT = Action.WORKFORCE_APPOINT


@login_required
@requires(APPOINTMENT_VIEW)
def appointments(request: AuthenticatedRequest) -> HttpResponse:
    """First secretaries and seconded cadres per street or community; the street records an
    appointment here."""
    user = request.user
    appoint = access.has_any(user, APPOINT)
    if request.method == "POST":
        gates.check(user, APPOINT)
        form = forms.AppointmentForm(
            request.POST,
            choices={
                "worker": selectors.appointable_workers(user),
                "unit": selectors.partner_units(user),
            },
        )
        refusals.act(
            request,
            form,
            lambda d: appointments_service.appoint(
                d["worker"],
                actor=user,
                unit=d["unit"],
                office=d["office"],
                starts_on=d["starts_on"],
                planned_end_on=d["planned_end_on"],
            ),
            _("The appointment is recorded."),
        )
        return redirect("workforce:appointments")
    page = Paginator(selectors.appointment_rows(user, request.GET), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    today = clock.today()
    return render(
        request,
        "workforce/appointments.html",
        {
            "page": page,
            "rows": [(a, a.is_over(today)) for a in page.object_list],
            "filters": request.GET,
            "streets": selectors.streets(user)[:100],
            "communities": selectors.communities(user, APPOINTMENT_VIEW)[:300],
            "kinds": [(k, WorkerKind(k).label) for k in APPOINTED_KINDS],
            "appointment_form": forms.AppointmentForm(
                choices={
                    "worker": selectors.appointable_workers(user)[:300],
                    "unit": selectors.partner_units(user)[:300],
                },
                initial={"starts_on": today},
            )
            if appoint
            else None,
            **_nav(user),
        },
    )


@login_required
@requires(APPOINTMENT_VIEW)
def appointment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One appointment: its term, the duty log, the end-of-term report. The appointee writes
    the log and the report (others get 403); the street accepts the report or ends early."""
    user = request.user
    item = selectors.get_appointment(user, pk)
    own = item.resident.user_id is not None and item.resident.user_id == user.pk
    appoint = access.can(user, APPOINT, item.place_path)
    if request.method == "POST":
        what = request.POST.get("form")
        if what == "log":
            refusals.act(
                request,
                forms.DutyLogForm(request.POST),
                lambda d: appointments_service.add_log_entry(
                    item, actor=user, day=d["day"], text=d["text"]
                ),
                _("The duty log entry is recorded."),
            )
        elif what == "report":
            form = forms.ReportForm(request.POST, request.FILES)
            refusals.act(
                request,
                form,
                lambda d: appointments_service.submit_report(
                    item,
                    actor=user,
                    text=d["report_text"],
                    files=[d["file"]] if d["file"] else [],
                ),
                _("The end-of-term report is submitted."),
            )
        elif what == "accept":
            gates.check(user, APPOINT)
            refusals.act(
                request,
                forms.EmptyForm(request.POST),
                lambda d: appointments_service.accept_report(item, actor=user),
                _("The end-of-term report is accepted."),
            )
        elif what == "end":
            gates.check(user, APPOINT)
            refusals.act(
                request,
                forms.EndAppointmentForm(request.POST),
                lambda d: appointments_service.end_early(
                    item, actor=user, ended_on=d["ended_on"], reason=d["reason"]
                ),
                _("The appointment is ended early."),
            )
        else:
            raise Http404
        return redirect("workforce:appointment", pk=item.pk)
    today = clock.today()
    page = Paginator(selectors.duty_log(item), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workforce/appointment.html",
        {
            "a": item,
            "over": item.is_over(today),
            "page": page,
            "log": page.object_list,
            "scans": selectors.report_scans(item),
            "own": own,
            "appoint": appoint,
            "log_form": forms.DutyLogForm(initial={"day": today}) if own else None,
            "report_form": forms.ReportForm(initial={"report_text": item.report_text})
            if own and item.report_accepted_at is None
            else None,
            "end_form": forms.EndAppointmentForm(initial={"ended_on": today})
            if appoint and item.ended_on is None and not item.is_over(today)
            else None,
            **_nav(user),
        },
    )


@login_required
@requires(APPOINTMENT_VIEW)
def appointment_scan(request: AuthenticatedRequest, pk: int, scan_pk: int) -> FileResponse:
    item = selectors.get_report_scan(request.user, pk, scan_pk)
    return item.serve(thumb=bool(request.GET.get("thumb")))


# --------------------------------------------------------------------------- training xlsx


@login_required
@requires(VIEW)
def course_export(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A course's or contest's attendance in the viewer's area as .xlsx (audited)."""
    user = request.user
    held = selectors.get_course(user, pk)
    data = training_export.course_xlsx(user, held)
    with transaction.atomic():
        audit.record(
            actor=user,
            action="workforce.training_export",
            target=held,
            place_path=held.place_path,
            changes={"course": [None, held.pk]},
        )
    return _xlsx(data, f"培训签到-{held.title[:40]}.xlsx")


@login_required
@requires(VIEW)
def training_days_export(request: AuthenticatedRequest) -> HttpResponse:
    """Each active worker's training days and county-level sessions in `?year=` against the
    profile (001 §5), for the roster's filters, as .xlsx (audited)."""
    user = request.user
    year = inputs.year(request)
    data = training_export.yearly_xlsx(user, year, request.GET)
    with transaction.atomic():
        audit.record(
            actor=user,
            action="workforce.training_export",
            target=None,
            target_repr=f"{year}年培训天数",
            changes={
                "year": [None, year],
                "filters": [None, {k: request.GET.get(k, "")[:30] for k in FILTER_KEYS}],
            },
        )
    return _xlsx(data, f"培训天数-{year}.xlsx")
