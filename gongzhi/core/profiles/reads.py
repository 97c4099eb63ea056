"""Reads of profiles for a user: the permission to view them and the places using each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gongzhi.core.directory import places

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from gongzhi.core.types import Viewer

    Place = Any  # a gongzhi.places Place: core reads the tree through core.directory


def require_view(user: Viewer) -> None:
    """Profiles are public policy; any user granted PROFILE_VIEW somewhere may read them."""
    from django.core.exceptions import PermissionDenied

    from gongzhi.core import access
    from gongzhi.core.roles import Action

    if not access.has_any(user, Action.PROFILE_VIEW):
        raise PermissionDenied


def usage_counts(user: Viewer) -> dict[str, int]:
    """How many places in the user's scope name each profile (one query)."""
    from django.db.models import Count

    from gongzhi.core.roles import Action

    rows = (
        places.visible_places(user, Action.PROFILE_VIEW)
        .exclude(policy_profile="")
        .order_by()
        .values("policy_profile")
        .annotate(n=Count("id"))
    )
    return {row["policy_profile"]: row["n"] for row in rows}


def places_using(user: Viewer, name: str) -> QuerySet[Place]:
    """The places in the user's scope that name this profile themselves."""
    from gongzhi.core.roles import Action

    return (
        places.visible_places(user, Action.PROFILE_VIEW)
        .filter(policy_profile=name)
        .order_by("path")
    )
