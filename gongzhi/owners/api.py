"""Owners' votes under /api/v1/owners-votes/ and the live rolls under /api/v1/owners-estates/.

GET  /api/v1/owners-votes/              votes the caller manages, browses or stands on the roll of
POST /api/v1/owners-votes/              staff: {"estate", "title", "matter", "opens_at",
                                        "closes_at", "description", "co_owner_rule"} — a draft
GET  /api/v1/owners-votes/{id}/         one vote (with its sealed result once closed)
POST /api/v1/owners-votes/{id}/open/    staff: open the vote and freeze the roll
POST /api/v1/owners-votes/{id}/close/   staff: count and seal (after closes_at)
GET  /api/v1/owners-votes/{id}/roll/    staff: the frozen roll, paginated, with ballot ids,
                                        ballots and each scan's SHA-256
GET  /api/v1/owners-votes/{id}/mine/    an owner: their roll entries, each with its ballot
POST /api/v1/owners-votes/{id}/cast/    {"choice": "yes|no|abstain", "entry": <entry id>} — an
                                        owner votes online; "entry" may be left out when the
                                        caller may cast exactly one entry
POST /api/v1/owners-votes/{id}/paper/   staff, multipart: "ballot_id", "choice", "scan" (file:
                                        PDF, JPEG or PNG, ≤ 10 MB), "scan_ref" (optional)
GET  /api/v1/owners-estates/            staff: the estates whose rolls they keep
GET  /api/v1/owners-estates/{id}/roll/  staff: the live roll of an estate, paginated
Errors: 400 bad input / outside the window / already voted; 403 the role may not, or a
resident of the community who is not on the vote's roll (with that message); 404 not visible.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gongzhi.owners import selectors, services
from gongzhi.owners.models import CoOwnerRule, Matter, OwnersVote
from gongzhi.places.models import Place


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


class VoteInput(serializers.Serializer):
    estate = serializers.IntegerField()
    title = serializers.CharField(max_length=services.TITLE_MAX)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    matter = serializers.ChoiceField(choices=Matter.choices)
    co_owner_rule = serializers.ChoiceField(choices=CoOwnerRule.choices, default=CoOwnerRule.ANY)
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()


def _bad(error: DjangoValidationError) -> Response:
    if hasattr(error, "error_dict"):
        detail = " ".join(m for msgs in error.message_dict.values() for m in msgs)
    else:
        detail = " ".join(error.messages)
    return Response({"detail": detail}, status=status.HTTP_400_BAD_REQUEST)


def _vote(request, pk) -> OwnersVote:
    """The vote, or 403 with "not on the roll" for a resident of its community, or 404."""
    try:
        return selectors.get_vote(request.user, pk)
    except selectors.NotOnRoll as error:
        raise exceptions.PermissionDenied(str(error)) from None


def _ballot_data(request, ballot) -> dict | None:
    if ballot is None:
        return None
    data = {
        "choice": ballot.choice,
        "channel": ballot.channel,
        "cast_at": ballot.cast_at,
        "scan_ref": ballot.scan_ref,
        "scan_sha256": ballot.scan_sha256,
        "scan_url": None,
    }
    if ballot.scan:
        data["scan_url"] = request.build_absolute_uri(reverse("owners:scan", args=[ballot.pk]))
    return data


class OwnersVoteViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = VoteSerializer

    def get_queryset(self):
        return selectors.visible_votes(self.request.user).select_related("estate")

    def retrieve(self, request, pk=None):
        return Response(VoteSerializer(_vote(request, pk)).data)

    def create(self, request):
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        estate = selectors.get_estate(request.user, values.pop("estate"))
        try:
            vote = services.create_vote(estate, actor=request.user, **values)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(VoteSerializer(vote).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        vote = _vote(request, pk)
        try:
            vote = services.open_vote(vote, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(VoteSerializer(vote).data)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        vote = _vote(request, pk)
        try:
            vote = services.close_vote(vote, actor=request.user)
        except DjangoValidationError as error:
            return _bad(error)
        return Response(VoteSerializer(vote).data)

    @action(detail=True, methods=["get"])
    def roll(self, request, pk=None):
        vote = selectors.get_managed_vote(request.user, pk)
        page = self.paginate_queryset(selectors.entries(vote))
        rows = [
            {
                "entry": entry.pk,
                "name": entry.name,
                "properties": entry.properties,
                "area_m2": str(entry.area_m2),
                "ballot_id": entry.ballot_id,
                "members": [
                    {"name": m.name, "representative": m.is_representative}
                    for m in entry.members.all()
                ],
                "ballot": _ballot_data(request, next(iter(entry.ballots.all()), None)),
            }
            for entry in page
        ]
        return self.get_paginated_response(rows)

    @action(detail=True, methods=["get"])
    def mine(self, request, pk=None):
        vote = _vote(request, pk)
        rows = selectors.ballot_rows(request.user, vote)
        return Response(
            [
                {
                    "entry": row["entry"].pk,
                    "properties": row["entry"].properties,
                    "area_m2": str(row["entry"].area_m2),
                    "may_cast": row["may_cast"],
                    "ballot": (
                        {"choice": row["ballot"].choice, "cast_at": row["ballot"].cast_at}
                        if row["ballot"]
                        else None
                    ),
                }
                for row in rows
            ]
        )

    @action(detail=True, methods=["post"])
    def cast(self, request, pk=None):
        vote = _vote(request, pk)
        try:
            ballot = services.cast_online(
                vote,
                str(request.data.get("choice", "")),
                actor=request.user,
                entry_id=request.data.get("entry"),
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {
                "entry": ballot.entry_id,
                "ballot_id": ballot.entry.ballot_id,
                "choice": ballot.choice,
            },
            status=status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"])
    def paper(self, request, pk=None):
        vote = _vote(request, pk)
        upload = request.FILES.get("scan")
        try:
            if upload is not None and upload.size > services.SCAN_MAX_BYTES:
                raise services.scan_too_large()
            ballot = services.enter_paper(
                vote,
                actor=request.user,
                ballot_id=str(request.data.get("ballot_id", "")),
                choice=str(request.data.get("choice", "")),
                scan=upload.read() if upload is not None else None,
                scan_ref=str(request.data.get("scan_ref", "")),
            )
        except DjangoValidationError as error:
            return _bad(error)
        return Response(
            {
                "ballot_id": ballot.entry.ballot_id,
                "choice": ballot.choice,
                "scan_sha256": ballot.scan_sha256,
            },
            status=status.HTTP_201_CREATED,
        )


class EstateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Place
        fields = ["id", "name"]
        read_only_fields = fields


class OwnersEstateViewSet(viewsets.GenericViewSet):
    """The estates whose owners' rolls the caller keeps, and each live roll."""

    serializer_class = EstateSerializer

    def get_queryset(self):
        return selectors.managed_estates(self.request.user)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(EstateSerializer(page, many=True).data)

    @action(detail=True, methods=["get"])
    def roll(self, request, pk=None):
        estate = selectors.get_estate(request.user, pk)
        page = self.paginate_queryset(selectors.roll(estate))
        rows = [
            {
                "owner": owner.pk,
                "name": owner.name,
                "contact": owner.contact_masked,
                "area_m2": str(owner.area),
                "properties": [
                    {"label": p.label, "area_m2": str(p.area_m2)} for p in owner.properties.all()
                ],
                "members": [
                    {"name": m.name, "representative": m.is_representative}
                    for m in owner.members.all()
                ],
            }
            for owner in page
        ]
        return self.get_paginated_response(rows)
