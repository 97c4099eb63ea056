"""The community workforce under /api/v1/:

GET  /api/v1/workforce-workers/               the roster in the caller's area (WORKFORCE_VIEW);
                                              filters ?community=&kind=&status=&q=
GET  /api/v1/workforce-workers/{id}/          one record; `id_masked`, `age` and
                                              `monthly_pay_yuan` only with WORKFORCE_PERSONAL
                                              over its community or for one's own record
POST /api/v1/workforce-workers/               {"community", "resident", "kind", "started_on",
                                              "education", "is_reserve", "monthly_pay_yuan",
                                              "post"} (WORKFORCE_MANAGE)
POST /api/v1/workforce-workers/{id}/leave/    {"left_on", "reason"}
POST /api/v1/workforce-workers/{id}/assessments/  {"year", "grade", "comments"}
                                              (WORKFORCE_PERSONAL); a worker's JSON carries
                                              `assessments` and `flagged_for_dismissal` only
                                              with the personal fields
GET  /api/v1/workforce-communities/{id}/      the two committees and the compliance rows
POST /api/v1/workforce-communities/{id}/terms/  {"kind", "number", "elected_on", "ends_on",
                                              "method", "seats"}
POST /api/v1/workforce-terms/{id}/seats/      {"worker", "role", "joined_on"}
POST /api/v1/workforce-workers/{id}/certificates/  {"level", "number", "obtained_on", "title",
                                              "scan" (multipart, optional)} (WORKFORCE_MANAGE);
                                              a social-work certificate proposes its reward
GET  /api/v1/workforce-rewards/?status=       rewards in the caller's area (WORKFORCE_MANAGE or
                                              WORKFORCE_REWARD); status default awaiting
POST /api/v1/workforce-rewards/{id}/approve/  (WORKFORCE_REWARD) · .../pay/ · .../refuse/ {"note"}
GET/POST /api/v1/workforce-courses/ ...       training courses and skills contests, attendance
                                              and results (see `CourseViewSet`)
GET  /api/v1/workforce-pay-floors/            members paid below the floor (WORKFORCE_PERSONAL)
GET/POST /api/v1/workforce-appointments/ ...  first secretaries' and seconded cadres'
                                              appointments, duty logs, reports (see
                                              `AppointmentViewSet`)

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import access, api_schema, clock, gates
from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.people.selectors import visible_residents
from gongzhi.places.models import Place
from gongzhi.workforce import appointments, checks, pay, selectors, services, training
from gongzhi.workforce.models import (
    Appointment,
    Attendance,
    CertificateLevel,
    CommitteeKind,
    CommitteeTerm,
    Course,
    CourseKind,
    Education,
    ElectionMethod,
    Grade,
    Reward,
    SeatRole,
    Worker,
    WorkerKind,
)

VIEW = Action.WORKFORCE_VIEW
MANAGE = Action.WORKFORCE_MANAGE


def _bad(error: DjangoValidationError) -> Response:
    if hasattr(error, "error_dict"):
        return Response(error.message_dict, status=status.HTTP_400_BAD_REQUEST)
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


def worker_data(worker: Worker, personal: bool, party: dict[int, str]) -> dict[str, Any]:
    post = worker.post
    terms = getattr(post, "terms", None) if post else None
    data: dict[str, Any] = {
        "id": worker.pk,
        "name": worker.resident.name,
        "resident": worker.resident_id,
        "community": worker.community_id,
        "kind": worker.kind,
        "kind_label": str(worker.get_kind_display()),
        "post": post.pk if post else None,
        "full_time": None if post is None else (terms is None or terms.full_time),
        "started_on": worker.started_on.isoformat(),
        "education": worker.education,
        "is_graduate": worker.is_graduate,
        "is_reserve": worker.is_reserve,
        "party_status": party.get(worker.resident_id, ""),
        "left_on": worker.left_on.isoformat() if worker.left_on else None,
    }
    if personal:
        data.update(
            id_masked=worker.resident.id_masked,
            age=checks.age_on(worker.resident.birth_date, clock.today()),
            monthly_pay_yuan=worker.monthly_pay_yuan,
        )
    return data


class WorkerIn(serializers.Serializer):
    community = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    resident = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=WorkerKind.choices)
    started_on = serializers.DateField()
    education = serializers.ChoiceField(choices=Education.choices, required=False, default="")
    is_reserve = serializers.BooleanField(required=False, default=False)
    monthly_pay_yuan = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    post = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )


class LeaveIn(serializers.Serializer):
    left_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class TermIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=CommitteeKind.choices)
    number = serializers.IntegerField(min_value=1, max_value=100)
    elected_on = serializers.DateField()
    ends_on = serializers.DateField()
    method = serializers.ChoiceField(choices=ElectionMethod.choices)
    seats = serializers.IntegerField(min_value=1, max_value=50)


class CertificateIn(serializers.Serializer):
    level = serializers.ChoiceField(choices=CertificateLevel.choices)
    number = serializers.CharField(max_length=40)
    obtained_on = serializers.DateField()
    title = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    scan = serializers.FileField(required=False, allow_null=True, default=None)


class AssessmentIn(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    grade = serializers.ChoiceField(choices=Grade.choices)
    comments = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class RefuseIn(serializers.Serializer):
    note = serializers.CharField(max_length=200)


def reward_data(reward: Reward) -> dict[str, Any]:
    return {
        "id": reward.pk,
        "worker": reward.certificate.worker_id,
        "name": reward.certificate.worker.resident.name,
        "level": reward.level,
        "certificate_number": reward.certificate.number,
        "amount_yuan": reward.amount_yuan,
        "citation": reward.citation,
        "status": reward.status,
        "approved_at": reward.approved_at.isoformat() if reward.approved_at else None,
        "paid_at": reward.paid_at.isoformat() if reward.paid_at else None,
    }


class SeatIn(serializers.Serializer):
    worker = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    role = serializers.ChoiceField(choices=SeatRole.choices)
    joined_on = serializers.DateField()


@extend_schema_view(
    list=extend_schema(responses=api_schema.rows("WorkforceWorkerRow")),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    create=extend_schema(request=WorkerIn, responses=OpenApiTypes.OBJECT),
    assessments=extend_schema(request=AssessmentIn, responses=OpenApiTypes.OBJECT),
    leave=extend_schema(request=LeaveIn, responses=OpenApiTypes.OBJECT),
    certificates=extend_schema(request=CertificateIn, responses=OpenApiTypes.OBJECT),
)
class WorkerViewSet(viewsets.GenericViewSet):
    permission_classes = [Requires.any(VIEW)]

    def get_queryset(self) -> QuerySet[Worker]:
        if api_schema.generating(self):
            return Worker.objects.none()
        return selectors.worker_rows(self.request.user, self.request.query_params)

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page if page is not None else self.get_queryset()[:100])
        paths = selectors.personal_paths(request.user)
        party = selectors.party_status([w.resident_id for w in rows])
        data = [
            worker_data(w, selectors.sees_personal_in(paths, request.user, w), party) for w in rows
        ]
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        worker = selectors.get_worker(request.user, pk)
        party = selectors.party_status([worker.resident_id])
        personal = selectors.sees_personal(request.user, worker)
        data = worker_data(worker, personal, party)
        if personal:
            data["assessments"] = [
                {"year": a.year, "grade": a.grade, "comments": a.comments}
                for a in worker.assessments.order_by("-year")
            ]
            data["flagged_for_dismissal"] = services.is_flagged(worker)
        return Response(data)

    @action(detail=True, methods=["post"])
    def assessments(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.WORKFORCE_PERSONAL)
        worker = selectors.get_worker(request.user, pk)
        data = _valid(AssessmentIn, request)
        try:
            made = services.record_assessment(worker, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {"year": made.year, "grade": made.grade, "flagged": services.is_flagged(worker)},
            status=status.HTTP_201_CREATED,
        )

    def create(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(WorkerIn, request)
        community = selectors.communities(request.user).filter(pk=data.pop("community")).first()
        if community is None:
            return Response({"community": [_("Not found.")]}, status=status.HTTP_404_NOT_FOUND)
        resident = visible_residents(request.user).filter(pk=data.pop("resident")).first()
        if resident is None:
            return Response({"resident": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        post_id = data.pop("post")
        post = None
        if post_id is not None:
            post = selectors.posts_for(community).filter(pk=post_id).first()
            if post is None:
                return Response({"post": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            made = services.add_worker(
                community, actor=request.user, resident=resident, post=post, **data
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            worker_data(made, selectors.sees_personal(request.user, made), {}),
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def leave(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        worker = selectors.get_worker(request.user, pk)
        data = _valid(LeaveIn, request)
        try:
            services.end_worker(worker, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(worker_data(worker, selectors.sees_personal(request.user, worker), {}))

    @action(detail=True, methods=["post"])
    def certificates(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        worker = selectors.get_worker(request.user, pk)
        data = _valid(CertificateIn, request)
        scan = data.pop("scan")
        try:
            made = services.record_certificate(
                worker, actor=request.user, scans=[scan] if scan else [], **data
            )
        except DjangoValidationError as error:
            return _bad(error)
        reward = Reward.objects.filter(certificate=made).first()
        return Response(
            {
                "id": made.pk,
                "level": made.level,
                "number": made.number,
                "obtained_on": made.obtained_on.isoformat(),
                "reward": reward_data(reward) if reward else None,
            },
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(responses=api_schema.rows("WorkforceRewardRow")),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    approve=extend_schema(request=None, responses=OpenApiTypes.OBJECT),
    pay=extend_schema(request=None, responses=OpenApiTypes.OBJECT),
    refuse=extend_schema(request=RefuseIn, responses=OpenApiTypes.OBJECT),
)
class RewardViewSet(viewsets.GenericViewSet):
    permission_classes = [Requires.any(MANAGE, Action.WORKFORCE_REWARD)]

    def get_queryset(self) -> QuerySet[Reward]:
        if api_schema.generating(self):
            return Reward.objects.none()
        return selectors.reward_rows(self.request.user, self.request.query_params)

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([reward_data(r) for r in page or []])

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return Response(reward_data(selectors.get_reward(request.user, pk)))

    def _step(self, request: AuthenticatedAPIRequest, pk: str | None, step: str) -> Response:
        gates.check(request.user, Action.WORKFORCE_REWARD)
        reward = selectors.get_reward(request.user, pk)
        try:
            if step == "approve":
                reward = services.approve_reward(reward, actor=request.user)
            elif step == "pay":
                reward = services.mark_paid(reward, actor=request.user)
            else:
                note = _valid(RefuseIn, request)["note"]
                reward = services.refuse_reward(reward, actor=request.user, note=note)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(reward_data(selectors.get_reward(request.user, reward.pk)))

    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(request, pk, "approve")

    @action(detail=True, methods=["post"])
    def pay(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(request, pk, "pay")

    @action(detail=True, methods=["post"])
    def refuse(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(request, pk, "refuse")


def _term(term: CommitteeTerm, seats: list[Any]) -> dict[str, Any]:
    return {
        "id": term.pk,
        "number": term.number,
        "elected_on": term.elected_on.isoformat(),
        "ends_on": term.ends_on.isoformat(),
        "method": term.method,
        "seats": term.seats,
        "members": [
            {
                "id": s.pk,
                "worker": s.worker_id,
                "name": s.worker.resident.name,
                "role": s.role,
                "joined_on": s.joined_on.isoformat(),
            }
            for s in seats
        ],
    }


@extend_schema_view(
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    terms=extend_schema(request=TermIn, responses=OpenApiTypes.OBJECT),
)
class CommunityViewSet(viewsets.GenericViewSet):
    permission_classes = [Requires.any(VIEW)]

    def get_queryset(self) -> QuerySet[Place]:
        if api_schema.generating(self):
            return Place.objects.none()
        return selectors.communities(self.request.user)

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        place = selectors.get_community(request.user, pk)
        committees = [
            {
                "kind": c.kind,
                "current": _term(c.current, c.seats) if c.current else None,
                "vacant": c.vacant,
                "turnover": c.turnover,
                "past": [t.number for t in c.past],
            }
            for c in selectors.committees_of(place)
        ]
        return Response(
            {"committees": committees, "compliance": checks.community_report(place).as_dict()}
        )

    @action(detail=True, methods=["post"])
    def terms(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        place = selectors.get_community(request.user, pk)
        data = _valid(TermIn, request)
        kind = data.pop("kind")
        try:
            term = services.add_term(place, kind, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(_term(term, []), status=status.HTTP_201_CREATED)


@extend_schema_view(seats=extend_schema(request=SeatIn, responses=OpenApiTypes.OBJECT))
class TermViewSet(viewsets.GenericViewSet):
    permission_classes = [Requires.any(VIEW)]

    def get_queryset(self) -> QuerySet[CommitteeTerm]:
        if api_schema.generating(self):
            return CommitteeTerm.objects.none()
        return access.scoped(CommitteeTerm.objects.all(), self.request.user, VIEW, "place_path")

    @action(detail=True, methods=["post"])
    def seats(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        term = selectors.get_term(request.user, pk)
        data = _valid(SeatIn, request)
        worker = selectors.workers_of(term.committee.community).filter(pk=data["worker"]).first()
        if worker is None:
            return Response({"worker": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            services.add_seat(
                term,
                actor=request.user,
                worker=worker,
                role=data["role"],
                joined_on=data["joined_on"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        seats = list(
            term.seats_held.filter(left_on__isnull=True).select_related("worker__resident")
        )
        return Response(_term(term, seats), status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- training, pay floors


class CourseIn(serializers.Serializer):
    place = serializers.IntegerField()
    title = serializers.CharField(max_length=120)
    organiser = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=CourseKind.choices, default=CourseKind.TRAINING)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    days = serializers.DecimalField(max_digits=4, decimal_places=1)
    county_level = serializers.BooleanField(required=False, default=False)


class AttendanceIn(serializers.Serializer):
    worker = serializers.IntegerField()
    days = serializers.DecimalField(
        max_digits=4, decimal_places=1, required=False, allow_null=True, default=None
    )
    rank = serializers.IntegerField(required=False, allow_null=True, default=None)
    score = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, default=None
    )


def course_data(course: Course) -> dict[str, Any]:
    return {
        "id": course.pk,
        "title": course.title,
        "organiser": course.organiser,
        "kind": course.kind,
        "place": {"id": course.place_id, "name": course.place.name},
        "starts_on": course.starts_on.isoformat(),
        "ends_on": course.ends_on.isoformat(),
        "days": str(course.days),
        "county_level": course.county_level,
    }


def attendance_data(a: Attendance) -> dict[str, Any]:
    return {
        "worker": a.worker_id,
        "name": a.worker.resident.name,
        "days": str(a.days),
        "rank": a.rank,
        "score": None if a.score is None else str(a.score),
    }


@extend_schema_view(
    list=extend_schema(responses=api_schema.rows("WorkforceCourseRow")),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    create=extend_schema(request=CourseIn, responses=OpenApiTypes.OBJECT),
    attendance=extend_schema(request=AttendanceIn, responses=OpenApiTypes.OBJECT),
)
class CourseViewSet(viewsets.GenericViewSet):
    """GET  /api/v1/workforce-courses/?kind=        courses and contests (WORKFORCE_VIEW)
    GET  /api/v1/workforce-courses/{id}/             one, with its attendance and results
    POST /api/v1/workforce-courses/                  {"place", "title", "organiser", "kind",
                                                     "starts_on", "ends_on", "days"} (MANAGE)
    POST /api/v1/workforce-courses/{id}/attendance/  {"worker", "days", "rank", "score"}"""

    permission_classes = [Requires.any(VIEW)]

    def get_queryset(self) -> QuerySet[Course]:
        if api_schema.generating(self):
            return Course.objects.none()
        return selectors.course_rows(self.request.user, self.request.query_params)

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([course_data(c) for c in page or []])

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        course = selectors.get_course(request.user, pk)
        data = course_data(course)
        data["attendance"] = [
            attendance_data(a) for a in selectors.attendances_of(request.user, course)[:500]
        ]
        return Response(data)

    def create(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(CourseIn, request)
        place = selectors.course_places(request.user).filter(pk=data.pop("place")).first()
        if place is None:
            return Response({"place": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            made = training.record_course(place, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(course_data(made), status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def attendance(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        course = selectors.get_course(request.user, pk)
        data = _valid(AttendanceIn, request)
        worker = selectors.attendees_for(request.user, course).filter(pk=data.pop("worker")).first()
        if worker is None:
            return Response({"worker": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            made = training.record_attendance(course, actor=request.user, worker=worker, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(attendance_data(made), status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(responses=api_schema.rows("WorkforcePayFloorRow")))
class PayFloorViewSet(viewsets.GenericViewSet):
    """GET /api/v1/workforce-pay-floors/  committee members paid below their role's floor
    (001 §15), only with WORKFORCE_PERSONAL (pay is personal data)."""

    # Never read (the rows come from pay.below_floor): the schema's model.
    queryset = Worker.objects.none()

    permission_classes = [Requires.any(Action.WORKFORCE_PERSONAL)]

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        return Response([row.as_dict() for row in pay.below_floor(request.user)])


# --------------------------------------------------------------------------- first secretaries


class AppointmentIn(serializers.Serializer):
    worker = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    unit = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )
    office = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    starts_on = serializers.DateField()
    planned_end_on = serializers.DateField()


class AppointmentEndIn(serializers.Serializer):
    ended_on = serializers.DateField()
    reason = serializers.CharField(max_length=200)


class LogIn(serializers.Serializer):
    day = serializers.DateField()
    text = serializers.CharField(max_length=1000)


class ReportIn(serializers.Serializer):
    text = serializers.CharField(max_length=5000)
    file = serializers.FileField(required=False, allow_null=True, default=None)


def appointment_data(a: Appointment, log: bool = False) -> dict[str, Any]:
    today = clock.today()
    data: dict[str, Any] = {
        "id": a.pk,
        "worker": a.worker_id,
        "name": a.resident.name,
        "kind": a.kind,
        "community": a.community_id,
        "unit": a.unit_id,
        "sending_unit": a.sending_unit,
        "starts_on": a.starts_on.isoformat(),
        "planned_end_on": a.planned_end_on.isoformat(),
        "ended_on": a.ended_on.isoformat() if a.ended_on else None,
        "end_reason": a.end_reason,
        "over": a.is_over(today),
        "report": a.report_state or ("missing" if a.is_over(today) else ""),
        "report_submitted_at": a.report_submitted_at.isoformat() if a.report_submitted_at else None,
        "report_accepted_at": a.report_accepted_at.isoformat() if a.report_accepted_at else None,
    }
    if log:
        data["report_text"] = a.report_text
        data["log"] = [
            {"day": e.day.isoformat(), "text": e.text} for e in selectors.duty_log(a)[:500]
        ]
    return data


@extend_schema_view(
    list=extend_schema(responses=api_schema.rows("WorkforceAppointmentRow")),
    retrieve=extend_schema(responses=OpenApiTypes.OBJECT),
    create=extend_schema(request=AppointmentIn, responses=OpenApiTypes.OBJECT),
    end=extend_schema(request=AppointmentEndIn, responses=OpenApiTypes.OBJECT),
    log=extend_schema(request=LogIn, responses=OpenApiTypes.OBJECT),
    report=extend_schema(request=ReportIn, responses=OpenApiTypes.OBJECT),
    accept=extend_schema(request=None, responses=OpenApiTypes.OBJECT),
)
class AppointmentViewSet(viewsets.GenericViewSet):
    """GET  /api/v1/workforce-appointments/?street=&community=&kind=&state=
                                                    (WORKFORCE_APPOINTMENT_VIEW; not grid workers)
    GET  /api/v1/workforce-appointments/{id}/       one, with its duty log and report text
    POST /api/v1/workforce-appointments/            {"worker", "unit" or "office", "starts_on",
                                                    "planned_end_on"} (WORKFORCE_APPOINT)
    POST /api/v1/workforce-appointments/{id}/end/     {"ended_on", "reason"} (WORKFORCE_APPOINT)
    POST /api/v1/workforce-appointments/{id}/log/     {"day", "text"} (the appointee only)
    POST /api/v1/workforce-appointments/{id}/report/  {"text", "file"} (the appointee only)
    POST /api/v1/workforce-appointments/{id}/accept/  (WORKFORCE_APPOINT)"""

    permission_classes = [Requires.any(Action.WORKFORCE_APPOINTMENT_VIEW)]

    def get_queryset(self) -> QuerySet[Appointment]:
        if api_schema.generating(self):
            return Appointment.objects.none()
        return selectors.appointment_rows(self.request.user, self.request.query_params)

    def list(self, request: AuthenticatedAPIRequest) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([appointment_data(a) for a in page or []])

    def retrieve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return Response(appointment_data(selectors.get_appointment(request.user, pk), log=True))

    def create(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, Action.WORKFORCE_APPOINT)
        data = _valid(AppointmentIn, request)
        worker = selectors.appointable_workers(request.user).filter(pk=data.pop("worker")).first()
        if worker is None:
            return Response({"worker": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        unit_id = data.pop("unit")
        unit = None
        if unit_id is not None:
            unit = selectors.partner_units(request.user).filter(pk=unit_id).first()
            if unit is None:
                return Response({"unit": [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            made = appointments.appoint(worker, actor=request.user, unit=unit, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(appointment_data(made), status=status.HTTP_201_CREATED)

    def _done(self, request: AuthenticatedAPIRequest, pk: int, code: int) -> Response:
        return Response(
            appointment_data(selectors.get_appointment(request.user, pk), log=True), status=code
        )

    @action(detail=True, methods=["post"])
    def end(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.WORKFORCE_APPOINT)
        item = selectors.get_appointment(request.user, pk)
        data = _valid(AppointmentEndIn, request)
        try:
            appointments.end_early(item, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return self._done(request, item.pk, status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    def log(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = selectors.get_appointment(request.user, pk)
        data = _valid(LogIn, request)
        try:
            appointments.add_log_entry(item, actor=request.user, **data)
        except DjangoValidationError as error:
            return _bad(error)
        return self._done(request, item.pk, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def report(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = selectors.get_appointment(request.user, pk)
        data = _valid(ReportIn, request)
        upload = data["file"]
        try:
            appointments.submit_report(
                item, actor=request.user, text=data["text"], files=[upload] if upload else []
            )
        except DjangoValidationError as error:
            return _bad(error)
        return self._done(request, item.pk, status.HTTP_200_OK)

    @action(detail=True, methods=["post"])
    def accept(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, Action.WORKFORCE_APPOINT)
        item = selectors.get_appointment(request.user, pk)
        try:
            appointments.accept_report(item, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return self._done(request, item.pk, status.HTTP_200_OK)
