"""Reads of micro-projects. Staff (microproject.manage) run the rounds of their area; other staff
browsing the area (place.view) see them read-only; residents (deliberation.join) see their
community's rounds; everyone sees the public page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet, Sum
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.microprojects.models import Photo, Project, Round, Selection, Spending
from gongzhi.places.models import Place, PlaceKind


def visible_rounds(user: Viewer) -> QuerySet[Round]:
    q = access.scope_q(user, Action.MICROPROJECT_MANAGE, path_field="place_path")
    q |= access.scope_q(user, Action.DELIBERATION_JOIN, path_field="place_path")
    q |= access.scope_q(user, Action.PLACE_VIEW, path_field="place_path")
    return Round.objects.filter(q).select_related("community")


def get_round(user: Viewer, pk: int) -> Round:
    return get_object_or_404(visible_rounds(user), pk=pk)


def get_project(user: Viewer, pk: int) -> Project:
    rounds = visible_rounds(user).values("pk")
    return get_object_or_404(
        Project.objects.filter(round__in=rounds).select_related("round__community"), pk=pk
    )


def managed_communities(user: Viewer) -> QuerySet[Place]:
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


def spending_of(project: Project) -> QuerySet[Spending]:
    """A project's spending entries, each with its receipt photos."""
    return Spending.objects.filter(project=project).prefetch_related("receipts")


def work_photos(project: Project) -> QuerySet[Photo]:
    return Photo.objects.filter(project=project, spending=None)


def public_projects(community: Place) -> QuerySet[Project]:
    """Every project of every round of the community, with cost items, work photos, spending
    entries and their receipts — a fixed number of queries however many there are."""
    return (
        Project.objects.filter(round__community=community)
        .annotate(spent=Sum("spending__amount"))
        .prefetch_related(
            "items",
            Prefetch("photos", queryset=Photo.objects.filter(spending=None), to_attr="work"),
            Prefetch(
                "spending",
                queryset=Spending.objects.prefetch_related("receipts"),
                to_attr="entries",
            ),
        )
        .order_by("round_id", "selection_rank", "-votes", "created_at", "id")
    )


def public_record(community: Place) -> list[dict[str, Any]]:
    """The public page's rounds, newest first, each with its projects and selected total."""
    by_round: dict[int, list[Project]] = {}
    for project in public_projects(community):
        by_round.setdefault(project.round_id, []).append(project)
    rounds = []
    for rnd in public_rounds(community):
        projects = by_round.get(rnd.pk, [])
        total = sum((p.cost for p in projects if p.selection == Selection.SELECTED), 0)
        rounds.append({"round": rnd, "projects": projects, "selected_total": total})
    return rounds


def selected_total(rnd: Round) -> Decimal | int:
    return (
        Project.objects.filter(round=rnd, selection=Selection.SELECTED).aggregate(s=Sum("cost"))[
            "s"
        ]
        or 0
    )


def is_public_community(pk: int) -> Place:
    return get_object_or_404(Place, pk=pk, kind=PlaceKind.COMMUNITY)
