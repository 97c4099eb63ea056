"""Reads of micro-projects. Staff (microproject.manage) run the rounds of their area; other staff
browsing the area (place.view) see them read-only; residents (deliberation.join) see their
community's rounds; everyone sees the public page."""

from __future__ import annotations

from django.db.models import QuerySet, Sum
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.microprojects.models import Project, Round, Selection
from gongzhi.places.models import Place, PlaceKind


def visible_rounds(user) -> QuerySet[Round]:
    q = access.scope_q(user, Action.MICROPROJECT_MANAGE, path_field="place_path")
    q |= access.scope_q(user, Action.DELIBERATION_JOIN, path_field="place_path")
    q |= access.scope_q(user, Action.PLACE_VIEW, path_field="place_path")
    return Round.objects.filter(q).select_related("community")


def get_round(user, pk: int) -> Round:
    return get_object_or_404(visible_rounds(user), pk=pk)


def get_project(user, pk: int) -> Project:
    rounds = visible_rounds(user).values("pk")
    return get_object_or_404(
        Project.objects.filter(round__in=rounds).select_related("round__community"), pk=pk
    )


def managed_communities(user) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.COMMUNITY), user, Action.MICROPROJECT_MANAGE
    ).order_by("path")


def projects(rnd: Round) -> QuerySet[Project]:
    return (
        Project.objects.filter(round=rnd)
        .annotate(spent=Sum("spending__amount"))
        .prefetch_related("items")
        .order_by("selection_rank", "-votes", "created_at", "id")
    )


def public_rounds(community: Place) -> QuerySet[Round]:
    return Round.objects.filter(community=community).order_by("-year")


def selected_total(rnd: Round):
    return (
        Project.objects.filter(round=rnd, selection=Selection.SELECTED).aggregate(s=Sum("cost"))[
            "s"
        ]
        or 0
    )


def is_public_community(pk: int) -> Place:
    return get_object_or_404(Place, pk=pk, kind=PlaceKind.COMMUNITY)
