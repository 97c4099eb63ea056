"""Mediation awards under /api/v1/ (000 §九; docs/mediation.md "Awards"), MEDIATION_AWARD:

GET  /api/v1/mediation-awards/?year=          the awards of the caller's street or district
GET  /api/v1/mediation-awards/{id}/
POST /api/v1/mediation-awards/                {"kind": mediator|adviser|case, "mediator" |
                                              "adviser" | "case": id, "reason", "amount_fen"}
POST /api/v1/mediation-awards/{id}/approve/   {"note"} (another officer of the same place or
                                              the level above)
POST /api/v1/mediation-awards/{id}/reject/    {"note"}
POST /api/v1/mediation-awards/{id}/paid/

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.core.gates import Requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.mediation import awards, selectors
from gongzhi.mediation.api import _bad, _id, _missing, _valid
from gongzhi.mediation.models import Award, AwardKind

AWARD = Action.MEDIATION_AWARD


class AwardSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place.name")
    proposed_by = serializers.CharField(source="proposed_by.name")

    class Meta:
        model = Award
        fields = [
            "id",
            "year",
            "kind",
            "nominee",
            "mediator",
            "adviser",
            "case",
            "place",
            "amount_fen",
            "reason",
            "state",
            "proposed_by",
            "proposed_at",
            "decided_at",
            "decision_note",
            "paid_at",
        ]


class AwardIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AwardKind.choices)
    mediator = _id(required=False, allow_null=True, default=None)
    adviser = _id(required=False, allow_null=True, default=None)
    case = _id(required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=500)
    amount_fen = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class NoteIn(serializers.Serializer):
    note = serializers.CharField(max_length=500)


class AwardViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [Requires.any(AWARD)]
    serializer_class = AwardSerializer

    def get_queryset(self) -> QuerySet[Award]:
        text = self.request.query_params.get("year", "")
        year = int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else None
        return selectors.award_rows(self.request.user, year).order_by("-id")

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        user = request.user
        data = _valid(AwardIn, request)
        kind = data["kind"]
        field = {"mediator": "mediator", "adviser": "adviser", "case": "case"}[kind]
        rows: dict[str, QuerySet[Any]] = {
            "mediator": selectors.award_mediators(user),
            "adviser": selectors.award_advisers(user),
            "case": selectors.award_cases(user),
        }
        if data[field] is None:
            return _missing(field)
        nominee = rows[field].filter(pk=data[field]).first()
        if nominee is None:
            return _missing(field)
        try:
            made = awards.propose(
                actor=user,
                kind=kind,
                reason=data["reason"],
                amount_fen=data["amount_fen"],
                **{field: nominee},
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(AwardSerializer(made).data, status=status.HTTP_201_CREATED)

    def _decide(self, request: AuthenticatedAPIRequest, step: str) -> Response:
        award = self.get_object()
        try:
            if step == "paid":
                done = awards.mark_paid(award, actor=request.user)
            else:
                note = _valid(NoteIn, request)["note"]
                call = awards.approve if step == "approve" else awards.reject
                done = call(award, actor=request.user, note=note)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(AwardSerializer(done).data)

    @action(detail=True, methods=["post"])
    def approve(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._decide(request, "approve")

    @action(detail=True, methods=["post"])
    def reject(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._decide(request, "reject")

    @action(detail=True, methods=["post"])
    def paid(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        return self._decide(request, "paid")
