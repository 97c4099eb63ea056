"""People's mediation under /api/v1/:

GET  /api/v1/mediation-committees/                committees in the caller's area (MEDIATION_VIEW)
POST /api/v1/mediation-committees/                {"place": id, "name"} (MEDIATION_MANAGE)
POST /api/v1/mediation-committees/{id}/mediators/ {"kind", "resident" | "user", "specialties"}
GET  /api/v1/mediation-cases/                     the cases the caller may know of; content
                                                  fields only where the caller may read the case
GET  /api/v1/mediation-cases/{id}/                a case's content (its mediators and the
                                                  committee's staff only; 404 for anyone else)
POST /api/v1/mediation-cases/                     {"committee", "source", "title", "summary",
                                                  "dispute_type", "risk", "amount_yuan",
                                                  "household", "referred_by",
                                                  "escalation_risk"}
POST /api/v1/mediation-cases/{id}/parties/        {"side", "resident" | "name", "phone"}
POST /api/v1/mediation-cases/{id}/mediators/      {"mediator"} (committee staff)
POST /api/v1/mediation-cases/{id}/sessions/       {"held_at", "notes", "location", "parties",
                                                  "mediators", "others"}
POST /api/v1/mediation-cases/{id}/agreement/      {"signed_on", "terms", "text"}
POST /api/v1/mediation-cases/{id}/no-agreement/   {"referral": court|arbitration|none, "note"}
POST /api/v1/mediation-cases/{id}/refer-up/       {"note"}
POST /api/v1/mediation-cases/{id}/withdraw/       {"note"}
POST /api/v1/mediation-cases/{id}/start/
POST /api/v1/mediation-cases/{id}/follow-up/      {"visited_on", "kept", "note"}
POST /api/v1/mediation-cases/{id}/close/          {"note"}
POST /api/v1/mediation-cases/{id}/escalation/     {"note"}: risk of escalation (群体性), flagged
                                                  to the street's mediation staff at once
GET  /api/v1/mediation-cases/figures/?year=&by=   the figures of docs/mediation.md (counts only;
                                                  by=committee, the default, or by=level)

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from gongzhi.core import gates
from gongzhi.core.gates import Requires
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.mediation import selectors, services, stats
from gongzhi.mediation.models import (
    Case,
    Committee,
    DisputeType,
    MediatorKind,
    ReferralKind,
    Risk,
    Side,
    Source,
)

VIEW = Action.MEDIATION_VIEW
MANAGE = Action.MEDIATION_MANAGE
MEDIATE = Action.MEDIATION_MEDIATE
MAX_ID = 2**31 - 1


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


def _missing(field: str) -> Response:
    return Response({field: [_("Not found.")]}, status=status.HTTP_400_BAD_REQUEST)


def _id(**options: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **options)


class CommitteeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ["id", "name", "level", "place", "place_path"]


class CaseRowSerializer(serializers.ModelSerializer):
    """A list row: content fields are null unless the caller may read the case."""

    readable = serializers.BooleanField(read_only=True)
    title = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "committee",
            "household",
            "opened_at",
            "readable",
            "title",
            "state",
        ]

    def get_title(self, case: Case) -> str | None:
        return case.title if getattr(case, "readable", False) else None

    def get_state(self, case: Case) -> str | None:
        return case.state if getattr(case, "readable", False) else None


class CaseSerializer(serializers.ModelSerializer):
    parties = serializers.SerializerMethodField()
    sessions = serializers.SerializerMethodField()
    agreements = serializers.SerializerMethodField()
    follow_ups = serializers.SerializerMethodField()
    referrals = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "committee",
            "origin_committee",
            "source",
            "ticket",
            "referred_by",
            "title",
            "summary",
            "dispute_type",
            "amount_yuan",
            "risk",
            "escalation_risk",
            "escalation_flagged_at",
            "household",
            "state",
            "mediators",
            "opened_at",
            "outcome_at",
            "closed_at",
            "parties",
            "sessions",
            "agreements",
            "follow_ups",
            "referrals",
        ]

    def get_parties(self, case: Case) -> list[dict[str, Any]]:
        return [
            {
                "id": p.pk,
                "side": p.side,
                "resident": p.resident_id,
                "name": p.name,
                "phone": p.phone_masked,
            }
            for p in case.parties.all()
        ]

    def get_sessions(self, case: Case) -> list[dict[str, Any]]:
        return [
            {"id": s.pk, "held_at": s.held_at, "location": s.location, "notes": s.notes}
            for s in case.sessions.all()
        ]

    def get_agreements(self, case: Case) -> list[dict[str, Any]]:
        return [
            {
                "id": a.pk,
                "signed_on": a.signed_on,
                "terms": a.terms,
                "text": a.text,
                "broken_on": a.broken_on,
                "scans": [s.pk for s in a.scans.all()],
            }
            for a in case.agreements.prefetch_related("scans")
        ]

    def get_follow_ups(self, case: Case) -> list[dict[str, Any]]:
        return [
            {"visited_on": f.visited_on, "kept": f.kept, "note": f.note}
            for f in case.follow_ups.all()
        ]

    def get_referrals(self, case: Case) -> list[dict[str, Any]]:
        return [
            {"kind": r.kind, "from": r.from_committee_id, "to": r.to_committee_id, "note": r.note}
            for r in case.referrals.all()
        ]


# Input shapes: a malformed body is a 400 with the field errors, never a 500.


class CommitteeIn(serializers.Serializer):
    place = _id()
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class MediatorIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=MediatorKind.choices)
    resident = _id(required=False, allow_null=True, default=None)
    user = _id(required=False, allow_null=True, default=None)
    specialties = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class CaseIn(serializers.Serializer):
    committee = _id()
    # The body field "source" shadows Field.source for mypy; the metaclass collects it.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Source.WALK_IN, Source.REFERRAL]
    )
    title = serializers.CharField(max_length=100)
    summary = serializers.CharField(max_length=2000)
    dispute_type = serializers.ChoiceField(choices=DisputeType.choices)
    risk = serializers.ChoiceField(choices=Risk.choices, required=False, default=Risk.LOW)
    amount_yuan = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True, default=None
    )
    household = _id(required=False, allow_null=True, default=None)
    referred_by = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    escalation_risk = serializers.BooleanField(required=False, default=False)


class PartyIn(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    resident = _id(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class AssignIn(serializers.Serializer):
    mediator = _id()


class SessionIn(serializers.Serializer):
    held_at = serializers.DateTimeField()
    notes = serializers.CharField(max_length=4000)
    location = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    parties = serializers.ListField(child=_id(), required=False, default=list, max_length=50)
    mediators = serializers.ListField(child=_id(), required=False, default=list, max_length=50)
    others = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AgreementIn(serializers.Serializer):
    signed_on = serializers.DateField()
    terms = serializers.CharField(max_length=2000)
    text = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")


class FailIn(serializers.Serializer):
    referral = serializers.ChoiceField(
        choices=[ReferralKind.COURT, ReferralKind.ARBITRATION, ReferralKind.NONE]
    )
    note = serializers.CharField(max_length=500)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FollowUpIn(serializers.Serializer):
    visited_on = serializers.DateField()
    kept = serializers.BooleanField(required=False, default=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _valid(shape: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = shape(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class CommitteeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(VIEW)]
    serializer_class = CommitteeSerializer

    def get_queryset(self) -> QuerySet[Committee]:
        return selectors.committee_rows(self.request.user).order_by("id")

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(CommitteeIn, request)
        place = selectors.places_without_committee(request.user).filter(pk=data["place"]).first()
        if place is None:
            return _missing("place")
        try:
            made = services.create_committee(place, actor=request.user, name=data["name"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(CommitteeSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def mediators(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        gates.check(request.user, MANAGE)
        committee = self.get_object()
        data = _valid(MediatorIn, request)
        resident = user = None
        if data["resident"] is not None:
            resident = (
                selectors.residents_of(request.user, committee.place_path)
                .filter(pk=data["resident"])
                .first()
            )
            if resident is None:
                return _missing("resident")
        if data["user"] is not None:
            user = selectors.staff_of(request.user, committee).filter(pk=data["user"]).first()
            if user is None:
                return _missing("user")
        try:
            made = services.add_mediator(
                committee,
                actor=request.user,
                kind=data["kind"],
                resident=resident,
                user=user,
                specialties=data["specialties"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {"id": made.pk, "name": made.name, "kind": made.kind}, status=status.HTTP_201_CREATED
        )


class CaseViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(VIEW, MANAGE, MEDIATE)]

    def get_queryset(self) -> QuerySet[Case]:
        if self.action == "list":
            return selectors.case_rows(self.request.user)
        return selectors.readable_cases(self.request.user).order_by("id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return CaseRowSerializer if self.action == "list" else CaseSerializer

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, MANAGE)
        data = _valid(CaseIn, request)
        committee = selectors.managed_committees(request.user).filter(pk=data["committee"]).first()
        if committee is None:
            return _missing("committee")
        household = None
        if data["household"] is not None:
            household = (
                selectors.households_of(request.user, committee.place_path)
                .filter(pk=data["household"])
                .first()
            )
            if household is None:
                return _missing("household")
        try:
            made = services.open_case(
                committee,
                actor=request.user,
                source=data["source"],
                title=data["title"],
                summary=data["summary"],
                dispute_type=data["dispute_type"],
                risk=data["risk"],
                amount_yuan=data["amount_yuan"],
                household=household,
                referred_by=data["referred_by"],
                escalation_risk=data["escalation_risk"],
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(CaseSerializer(made).data, status=status.HTTP_201_CREATED)

    def _step(
        self,
        request: AuthenticatedAPIRequest,
        shape: type[serializers.Serializer],
        call: Callable[[User, Case, dict[str, Any]], object],
    ) -> Response:
        gates.check(request.user, MANAGE, MEDIATE)
        case = self.get_object()
        data = _valid(shape, request)
        try:
            call(request.user, case, data)
        except DjangoValidationError as error:
            return _bad(error)
        fresh = selectors.readable_cases(request.user).filter(pk=case.pk).first()
        if fresh is None:  # referred up, out of the caller's hands
            return Response({"id": case.pk, "number": case.number})
        return Response(CaseSerializer(fresh).data)

    @action(detail=True, methods=["post"])
    def parties(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        def call(user: User, case: Case, d: dict[str, Any]) -> object:
            resident = None
            if d["resident"] is not None:
                resident = (
                    selectors.residents_of(user, case.place_path).filter(pk=d["resident"]).first()
                )
                if resident is None:
                    raise DjangoValidationError(_("The resident was not found."))
            return services.add_party(
                case,
                actor=user,
                side=d["side"],
                resident=resident,
                name=d["name"],
                phone=d["phone"],
            )

        return self._step(request, PartyIn, call)

    @action(detail=True, methods=["post"], url_path="mediators")
    def assign(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        def call(user: User, case: Case, d: dict[str, Any]) -> object:
            mediator = case.committee.mediators.filter(pk=d["mediator"]).first()
            if mediator is None:
                raise DjangoValidationError(_("The mediator was not found."))
            return services.assign_mediator(case, mediator, actor=user)

        return self._step(request, AssignIn, call)

    @action(detail=True, methods=["post"])
    def sessions(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        def call(user: User, case: Case, d: dict[str, Any]) -> object:
            parties = list(case.parties.filter(pk__in=d["parties"]))
            mediators = list(case.committee.mediators.filter(pk__in=d["mediators"]))
            if len(parties) != len(set(d["parties"])) or len(mediators) != len(set(d["mediators"])):
                raise DjangoValidationError(_("Choose parties of this case and its mediators."))
            return services.record_session(
                case,
                actor=user,
                held_at=d["held_at"],
                notes=d["notes"],
                location=d["location"],
                parties=parties,
                mediators=mediators,
                others=d["others"],
            )

        return self._step(request, SessionIn, call)

    @action(detail=True, methods=["post"])
    def agreement(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(
            request,
            AgreementIn,
            lambda u, c, d: services.record_agreement(
                c, actor=u, signed_on=d["signed_on"], terms=d["terms"], text=d["text"]
            ),
        )

    @action(detail=True, methods=["post"], url_path="no-agreement")
    def no_agreement(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(
            request,
            FailIn,
            lambda u, c, d: services.record_no_agreement(
                c, actor=u, referral=d["referral"], note=d["note"]
            ),
        )

    @action(detail=True, methods=["post"], url_path="refer-up")
    def refer_up(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(
            request, NoteIn, lambda u, c, d: services.refer_up(c, actor=u, note=d["note"])
        )

    @action(detail=True, methods=["post"])
    def withdraw(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(
            request, NoteIn, lambda u, c, d: services.withdraw(c, actor=u, note=d["note"])
        )

    @action(detail=True, methods=["post"])
    def start(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(request, NoteIn, lambda u, c, d: services.start(c, actor=u))

    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(
            request,
            FollowUpIn,
            lambda u, c, d: services.follow_up(
                c, actor=u, visited_on=d["visited_on"], kept=d["kept"], note=d["note"]
            ),
        )

    @action(detail=True, methods=["post"])
    def close(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(
            request, NoteIn, lambda u, c, d: services.close(c, actor=u, note=d["note"])
        )

    @action(detail=True, methods=["post"])
    def escalation(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._step(
            request, NoteIn, lambda u, c, d: services.flag_escalation(c, actor=u, note=d["note"])
        )

    @action(detail=False, methods=["get"])
    def figures(self, request: AuthenticatedAPIRequest) -> Response:
        gates.check(request.user, VIEW)
        year = stats.year_of(request._request)
        by = stats.by_of(request._request)
        return Response(
            {
                "year": year,
                "by": by,
                "rows": [
                    {
                        "month": r.month,
                        "committee": r.committee,
                        "opened": r.opened,
                        "agreed": r.agreed,
                        "no_agreement": r.no_agreement,
                        "withdrawn": r.withdrawn,
                        "pending": r.pending,
                        "success_rate": str(r.success_rate) if r.success_rate is not None else None,
                        "community_share": str(r.community_share)
                        if r.community_share is not None
                        else None,
                        "agreements_kept": r.agreements_kept,
                        "agreements_checked": r.agreements_checked,
                    }
                    for r in stats.figures(request.user, year, by)
                ],
            }
        )
