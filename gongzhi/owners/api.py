"""Owners' votes under /api/v1/owners-votes/.

GET  /api/v1/owners-votes/             votes the caller manages or stands on the roll of
GET  /api/v1/owners-votes/{id}/        one vote (with its sealed result once closed)
POST /api/v1/owners-votes/{id}/cast/   {"choice": "yes|no|abstain"} — an owner votes online
POST /api/v1/owners-votes/{id}/paper/  {"ballot_id", "choice", "scan_ref"} — staff enter paper
Errors: 400 bad input / not an owner / outside the window / already voted, 403, 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.owners import selectors, services
from gongzhi.owners.models import OwnersVote


class VoteSerializer(serializers.ModelSerializer):
    estate_name = serializers.CharField(source="estate.name", read_only=True)

    class Meta:
        model = OwnersVote
        fields = [
            "id",
            "estate",
            "estate_name",
            "title",
            "description",
            "matter",
            "co_owner_rule",
            "opens_at",
            "closes_at",
            "status",
            "total_area_m2",
            "total_owners",
            "result",
            "result_hash",
            "closed_at",
        ]


def _bad(error: DjangoValidationError) -> Response:
    return Response({"detail": " ".join(error.messages)}, status=status.HTTP_400_BAD_REQUEST)


class OwnersVoteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VoteSerializer

    def get_queryset(self):
        return selectors.visible_votes(self.request.user).select_related("estate")

    @action(detail=True, methods=["post"])
    def cast(self, request, pk=None):
        vote = selectors.get_vote(request.user, pk)
        try:
            ballot = services.cast_online(request.user, vote, str(request.data.get("choice", "")))
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {"ballot_id": ballot.entry.ballot_id, "choice": ballot.choice},
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def paper(self, request, pk=None):
        vote = selectors.get_vote(request.user, pk)
        try:
            ballot = services.enter_paper(
                request.user,
                vote,
                ballot_id=str(request.data.get("ballot_id", "")),
                choice=str(request.data.get("choice", "")),
                scan_ref=str(request.data.get("scan_ref", "")),
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {"ballot_id": ballot.entry.ballot_id, "choice": ballot.choice},
            status=status.HTTP_201_CREATED,
        )
