"""Reads of owners' rolls and votes.

Staff (owners_vote.manage) see and run the votes and rolls of the estates in their area; other
staff who browse the area (place.view: district officers, grid workers, property staff…) see
its votes and results read-only. An owner sees the votes on whose frozen roll they stand (and
their results). A resident of the estate's community who is not on a vote's roll is told so
(403 with that message) instead of a bare 404. Nobody else sees a vote.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.owners import services
from gongzhi.owners.models import Ballot, Owner, OwnersVote, RollEntry, VoteStatus
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind


def managed_votes(user: Viewer) -> QuerySet[OwnersVote]:
    return access.scoped(
        OwnersVote.objects.all(), user, Action.OWNERS_VOTE_MANAGE, path_field="place_path"
    )


def my_votes(user: Viewer) -> QuerySet[OwnersVote]:
    resident = resident_of(user)
    if resident is None:
        return OwnersVote.objects.none()
    ids = RollEntry.objects.filter(members__resident=resident).values("vote_id")
    return OwnersVote.objects.filter(pk__in=ids)


def visible_votes(user: Viewer) -> QuerySet[OwnersVote]:
    area = access.scope_q(user, Action.OWNERS_VOTE_MANAGE, path_field="place_path")
    area |= access.scope_q(user, Action.PLACE_VIEW, path_field="place_path")
    resident = resident_of(user)
    if resident is not None:
        area |= Q(pk__in=RollEntry.objects.filter(members__resident=resident).values("vote_id"))
    return OwnersVote.objects.filter(area)


class NotOnRoll(PermissionDenied):
    """The vote is in the user's community and they may cast there, but they are not on its
    frozen roll: a 403 that says so."""


def get_vote(user: Viewer, pk: int) -> OwnersVote:
    vote = visible_votes(user).select_related("estate").filter(pk=pk).first()
    if vote is not None:
        return vote
    hidden = OwnersVote.objects.filter(pk=pk).exclude(status=VoteStatus.DRAFT).first()
    if hidden is not None and access.can(user, Action.OWNERS_VOTE_CAST, hidden.place_path):
        raise NotOnRoll(services.not_on_roll_message())
    raise Http404


def ballot_rows(user: Viewer, vote: OwnersVote) -> list[dict[str, Any]]:
    """The caller's own lines on the frozen roll of `vote`: each entry (property) with its
    ballot, if counted, and whether the caller may cast it online (co-owner rule)."""
    resident = resident_of(user)
    if resident is None:
        return []
    entries = (
        RollEntry.objects.filter(vote=vote, members__resident=resident)
        .distinct()
        .prefetch_related("members", "ballots")
        .order_by("id")
    )
    return [
        {
            "entry": entry,
            "ballot": next(iter(entry.ballots.all()), None),
            "may_cast": services.may_cast_for(resident, entry, vote.co_owner_rule),
        }
        for entry in entries
    ]


def get_scan_ballot(user: Viewer, pk: int) -> Ballot:
    """A paper ballot with its scan, for the staff who run the vote (owners_vote.manage). Staff
    who only browse the area and owners on the roll see the vote but not the scans: 403."""
    ballot = get_object_or_404(
        Ballot.objects.select_related("vote", "entry").exclude(scan=""),
        pk=pk,
        vote__in=visible_votes(user).values("pk"),
    )
    if not access.can(user, Action.OWNERS_VOTE_MANAGE, ballot.vote.place_path):
        raise PermissionDenied
    return ballot


def get_managed_vote(user: Viewer, pk: int) -> OwnersVote:
    vote = get_vote(user, pk)
    access.require(user, Action.OWNERS_VOTE_MANAGE, vote.place_path)
    return vote


def managed_estates(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.ESTATE), user, Action.OWNERS_VOTE_MANAGE
    ).order_by("path")


def get_estate(user: Viewer, pk: int) -> Place:
    estate = get_object_or_404(Place, pk=pk, kind=PlaceKind.ESTATE)
    access.require(user, Action.OWNERS_VOTE_MANAGE, estate.path)
    return estate


def roll(estate: Place) -> QuerySet[Owner]:
    return (
        Owner.objects.filter(estate=estate, is_active=True)
        .annotate(area=Sum("properties__area_m2"), n_properties=Count("properties", distinct=True))
        .prefetch_related("properties", "members")
        .order_by("name", "id")
    )


def get_owner(user: Viewer, pk: int) -> Owner:
    owner = get_object_or_404(Owner.objects.select_related("estate"), pk=pk)
    if not access.can(user, Action.OWNERS_VOTE_MANAGE, owner.place_path):
        if access.can(user, Action.PLACE_VIEW, owner.place_path):
            raise PermissionDenied
        raise Http404
    return owner


def entries(vote: OwnersVote) -> QuerySet[RollEntry]:
    return (
        RollEntry.objects.filter(vote=vote)
        .select_related("vote")
        .prefetch_related("members", "ballots")
        .order_by("name", "id")
    )


def ballots(vote: OwnersVote) -> QuerySet[Ballot]:
    return Ballot.objects.filter(vote=vote).select_related("entry", "entered_by")


def co_owner_candidates(owner: Owner) -> QuerySet[Resident]:
    """Residents living in the owner's properties: the usual co-owners (spouses, children)."""
    homes = owner.properties.exclude(household=None).values("household_id")
    return Resident.objects.filter(household__in=homes, is_active=True).order_by("name", "id")
