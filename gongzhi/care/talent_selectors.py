"""Reads of the talent and skills base and of the opinion inbox (issue 24 row 002-15), each
narrowed to the viewer's area with `access.scoped`.

Talents: only listed entries (consent given, not withdrawn) are ever searched; the phone is the
registry's masked copy; a volunteer's own free-text skills are read through
`volunteering.selectors.volunteers` (so only a viewer who may see volunteers sees them)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.care.models import (
    Opinion,
    OpinionChannel,
    OpinionStatus,
    Platform,
    PlatformBinding,
    SkillTerm,
    Talent,
)
from gongzhi.core import access
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteering import selectors as volunteering

VIEW = Action.CARE_TALENT_VIEW
MANAGE = Action.CARE_TALENT_MANAGE
HANDLE = Action.CARE_OPINION_HANDLE
CHANNELS = Action.CARE_CHANNEL_MANAGE


# --------------------------------------------------------------------------- talents


def talents(
    user: Viewer,
    *,
    skill: int | None = None,
    place: Place | None = None,
    q: str = "",
    backbone: bool = False,
    willingness: str = "",
) -> QuerySet[Talent]:
    """Listed talents of the viewer's area, backbone people first; filtered by a skill term, a
    place (a community, grid, estate or building of the area), a name or words, backbone."""
    qs = access.scoped(
        Talent.objects.filter(withdrawn_at__isnull=True, resident__is_active=True),
        user,
        VIEW,
        path_field="place_path",
    )
    if skill is not None:
        qs = qs.filter(skills__id=skill)
    if place is not None:
        qs = qs.filter(place_path__under=place.path)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(resident__name__contains=q) | Q(specialty__contains=q))
    if backbone:
        qs = qs.filter(backbone=True)
    if willingness:
        qs = qs.filter(willingness=willingness)
    return (
        qs.select_related("resident__household__building", "community")
        .prefetch_related("skills")
        .order_by("-backbone", "place_path", "id")
    )


def get_talent(user: Viewer, pk: int) -> Talent:
    return get_object_or_404(talents(user), pk=pk)


def get_managed_talent(user: Viewer, pk: int) -> Talent:
    """A listed talent the user may change: outside the search scope 404, inside without the
    right 403 (checked again by the service)."""
    talent = get_talent(user, pk)
    if not access.can(user, MANAGE, talent.place_path):
        raise PermissionDenied
    return talent


def search_places(user: Viewer) -> QuerySet[Place]:
    """The communities and grids a search may narrow to."""
    return access.scoped(
        Place.objects.filter(kind__in=(PlaceKind.COMMUNITY, PlaceKind.GRID)), user, VIEW
    ).order_by("path")


def get_search_place(user: Viewer, pk: int) -> Place:
    return get_object_or_404(search_places(user), pk=pk)


def skill_terms(user: Viewer) -> QuerySet[SkillTerm]:
    """The platform's terms and the terms of the communities in the viewer's area."""
    own = access.scope_q(user, VIEW, "community__path") | access.scope_q(
        user, MANAGE, "community__path"
    )
    return SkillTerm.objects.filter(is_active=True).filter(Q(community__isnull=True) | own)


def community_terms(community_id: int | None) -> QuerySet[SkillTerm]:
    """What a person of this community may choose from."""
    return SkillTerm.objects.filter(is_active=True).filter(
        Q(community__isnull=True) | Q(community_id=community_id)
    )


def community_of_resident(resident: Resident) -> Place | None:
    parts = [p for p in resident.place_path.split("/") if p]
    ancestors = ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]
    return Place.objects.filter(kind=PlaceKind.COMMUNITY, path__in=ancestors).first()


def manage_communities(user: Viewer) -> QuerySet[Place]:
    return access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, MANAGE).order_by(
        "path"
    )


def resident_to_enter(user: Viewer, pk: int) -> Resident:
    """A living resident of the staff's area, to be entered in the base."""
    return get_object_or_404(
        Resident.objects.filter(access.scope_q(user, MANAGE, "place_path"), is_active=True),
        pk=pk,
    )


def candidates(user: Viewer, q: str) -> QuerySet[Resident]:
    """Living residents of the staff's area by name (for entering someone), at most 20."""
    q = (q or "").strip()
    if not q:
        return Resident.objects.none()
    return (
        Resident.objects.filter(
            access.scope_q(user, MANAGE, "place_path"), is_active=True, name__contains=q
        )
        .select_related("household__building")
        .order_by("name", "id")[:20]
    )


def volunteer_skills(user: Viewer, resident_ids: list[int]) -> dict[int, str]:
    """Each volunteer's own free-text skills, for the residents on a page (one query), as far
    as the viewer may see volunteers."""
    if not resident_ids:
        return {}
    return dict(
        volunteering.volunteers(user)
        .filter(resident_id__in=resident_ids)
        .exclude(skills="")
        .values_list("resident_id", "skills")
    )


@dataclass(frozen=True)
class Mine:
    resident: Resident | None
    talent: Talent | None
    terms: QuerySet[SkillTerm]
    bindings: list[PlatformBinding]


def mine(user: Viewer) -> Mine:
    """The resident's own entry (listed or withdrawn), the terms they may pick and the
    platform accounts bound to them."""
    resident = resident_of(user)
    if resident is None:
        return Mine(None, None, SkillTerm.objects.none(), [])
    talent = Talent.objects.filter(resident=resident).prefetch_related("skills").first()
    community = community_of_resident(resident)
    return Mine(
        resident,
        talent,
        community_terms(community.pk if community else None),
        list(PlatformBinding.objects.filter(resident=resident).order_by("platform", "id")),
    )


def my_binding(user: Viewer, pk: int) -> PlatformBinding:
    resident = resident_of(user)
    if resident is None:
        raise Http404
    return get_object_or_404(PlatformBinding, pk=pk, resident=resident)


# --------------------------------------------------------------------------- opinions


def opinions(
    user: Viewer, *, status: str = "", platform: str = "", bound: str = ""
) -> QuerySet[Opinion]:
    qs = access.scoped(Opinion.objects.all(), user, HANDLE, path_field="place_path")
    if status in OpinionStatus.values:
        qs = qs.filter(status=status)
    if platform in Platform.values:
        qs = qs.filter(platform=platform)
    if bound == "1":
        qs = qs.filter(resident__isnull=False)
    elif bound == "0":
        qs = qs.filter(resident__isnull=True)
    return qs.select_related("community", "resident", "ticket").order_by("-received_at", "-id")


def get_opinion(user: Viewer, pk: int) -> Opinion:
    return get_object_or_404(opinions(user), pk=pk)


def ticket_places(opinion: Opinion) -> list[Place]:
    """Where a ticket made from the opinion may be about: the person's building first (when
    bound), then the community's grids."""
    places: list[Place] = []
    resident = opinion.resident
    if resident is not None and resident.household_id is not None:
        building = Place.objects.filter(kind=PlaceKind.BUILDING, path=resident.place_path).first()
        if building is not None:
            places.append(building)
    places.extend(
        Place.objects.filter(kind=PlaceKind.GRID, path__under=opinion.place_path).order_by("path")
    )
    return places


def ticket_place_choices(rows: list[Opinion]) -> dict[int, list[Place]]:
    """`ticket_places` for a page of opinions in two queries (the grids of their communities,
    the buildings of their people)."""
    if not rows:
        return {}
    paths = {o.place_path for o in rows}
    under = Q()
    for path in paths:
        under |= Q(path__under=path)
    grids = list(Place.objects.filter(under, kind=PlaceKind.GRID).order_by("path"))
    homes = {o.resident.place_path for o in rows if o.resident is not None}
    buildings = {b.path: b for b in Place.objects.filter(kind=PlaceKind.BUILDING, path__in=homes)}
    result: dict[int, list[Place]] = {}
    for o in rows:
        own = buildings.get(o.resident.place_path) if o.resident is not None else None
        result[o.pk] = ([own] if own else []) + [
            g for g in grids if g.path.startswith(o.place_path)
        ]
    return result


def channels(user: Viewer) -> QuerySet[OpinionChannel]:
    return access.scoped(
        OpinionChannel.objects.select_related("community"), user, CHANNELS, path_field="place_path"
    ).order_by("place_path", "platform")


def channel_communities(user: Viewer) -> QuerySet[Place]:
    return access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, CHANNELS).order_by(
        "path"
    )


def channel_by_key(key: str) -> OpinionChannel | None:
    """The receiving channel named in a callback URL (no user: the platform calls)."""
    if not key or len(key) > 32:
        return None
    return OpinionChannel.objects.filter(key=key, is_active=True).first()


def may_handle(user: User) -> bool:
    return access.has_any(user, HANDLE)
