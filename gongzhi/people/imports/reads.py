"""Resident import: reads for the pages (scoped batches, communities, rendered errors)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.people.imports.fileformat import render
from gongzhi.people.models import (
    ImportBatch,
)
from gongzhi.places.models import Place, PlaceKind

# -- reads for the pages ------------------------------------------------------------------------


def visible_batches(user: Viewer) -> QuerySet[ImportBatch]:
    return access.scoped(
        ImportBatch.objects.select_related("community", "created_by"),
        user,
        Action.RESIDENT_IMPORT,
        path_field="place_path",
    )


def get_batch(user: Viewer, pk: int) -> ImportBatch:
    """A batch of a community where the user may import; 404 outside, 403 without the right."""
    from django.http import Http404

    batch = ImportBatch.objects.select_related("community").filter(pk=pk).first()
    if batch is None:
        raise Http404
    access.require(user, Action.RESIDENT_IMPORT, batch.place_path, read_action=Action.RESIDENT_VIEW)
    return batch


def import_communities(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.COMMUNITY), user, Action.RESIDENT_IMPORT
    ).order_by("path")


def rendered_errors(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "row": e["row"],
            "messages": [render(m, p) for m, p in e["messages"]],
            "cells": e["cells"],
        }
        for e in entries
    ]
