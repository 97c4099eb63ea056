"""Online legal services under /api/v1/ (000 §九; docs/mediation.md "Online legal services"):

GET  /api/v1/legal-questions/               the caller's own questions, and those they answer
                                            (the adviser's login, the community's mediation
                                            staff), unanswered first
GET  /api/v1/legal-questions/{id}/          the asker, the adviser's login and the community's
                                            mediation staff only (404 for anyone else)
POST /api/v1/legal-questions/               {"topic", "text"} (MEDIATION_ASK: a resident of
                                            the community; no ID-card number in the text)
POST /api/v1/legal-questions/{id}/answer/   {"answer"} (the adviser's login or the staff)

Errors: 400 bad input or refused (`detail`, or the field errors), 403 the role may not,
404 not visible.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q, QuerySet
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from gongzhi.core import gates
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedAPIRequest
from gongzhi.mediation import legal, selectors
from gongzhi.mediation.api import _bad, _valid
from gongzhi.mediation.models import LegalQuestion, LegalTopic


class QuestionSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="community.name")
    answered_by = serializers.CharField(source="answered_by.name", default=None)

    class Meta:
        model = LegalQuestion
        fields = [
            "id",
            "community",
            "topic",
            "text",
            "asked_at",
            "answer",
            "answered_by",
            "answered_at",
        ]


class QuestionIn(serializers.Serializer):
    topic = serializers.ChoiceField(choices=LegalTopic.choices)
    text = serializers.CharField(max_length=2000)


class AnswerIn(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)


class QuestionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [IsAuthenticated]
    serializer_class = QuestionSerializer

    def get_queryset(self) -> QuerySet[LegalQuestion]:
        user = self.request.user
        mine = selectors.my_questions(user).values("pk")
        answered = selectors.answerable_questions(user).values("pk")
        return (
            LegalQuestion.objects.filter(Q(pk__in=mine) | Q(pk__in=answered))
            .select_related("community", "answered_by")
            .order_by(F("answered_at").asc(nulls_first=True), "-asked_at", "-id")
        )

    def retrieve(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        item = selectors.get_question(request.user, kwargs.get("pk"))
        return Response(QuestionSerializer(item).data)

    def create(  # type: ignore[override]  # IsAuthenticated: the request carries a User
        self, request: AuthenticatedAPIRequest, *args: Any, **kwargs: Any
    ) -> Response:
        gates.check(request.user, Action.MEDIATION_ASK)
        data = _valid(QuestionIn, request)
        try:
            made = legal.ask(actor=request.user, topic=data["topic"], text=data["text"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(QuestionSerializer(made).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def answer(self, request: AuthenticatedAPIRequest, pk: str | None = None) -> Response:
        item = selectors.get_question(request.user, pk)
        data = _valid(AnswerIn, request)
        try:
            done = legal.answer(item, actor=request.user, text=data["answer"])
        except DjangoValidationError as error:
            return _bad(error)
        return Response(QuestionSerializer(done).data)
