"""The access module: the one place that decides what a user may see and do.

Reads: `scope_q()` / `scoped()` narrow a queryset to the place subtrees that the user's
posts grant for an action. Writes: `require()` checks one action on one target and
returns the granting post (for the audit record). Outside the read scope a target does
not exist for the user (404); inside it but without the right, the answer is 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from gongzhi.core.models import Post
from gongzhi.core.roles import (
    ANCHOR_KINDS,
    PERMISSIONS,
    STAFF_ROLES,
    UNPLACED_ROLES,
    Action,
    Scope,
)

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer

_M = TypeVar("_M", bound=Model)

COMMUNITY_DEPTH = 2  # district 0 → street 1 → community 2


@dataclass(frozen=True)
class Grant:
    post: Post | None
    path: str | None  # subtree granted; None with household_id None = everything
    household_id: int | None = None

    @property
    def everything(self) -> bool:
        return self.path is None and self.household_id is None


def active_posts(user: Viewer) -> list[Post]:
    """The user's active posts, loaded once per request object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cached = getattr(user, "_gongzhi_posts", None)
    if cached is None:
        cached = list(
            Post.objects.filter(user=user, is_active=True)
            .select_related("place", "household")
            .order_by("id")
        )
        setattr(user, "_gongzhi_posts", cached)  # noqa: B010  (not a field of User)
    return cached


def forget_posts(user: Viewer) -> None:
    user.__dict__.pop("_gongzhi_posts", None)


def _granted_path(post: Post, scope: str) -> str | None:
    if post.place is None:
        return None
    if scope == Scope.COMMUNITY and post.place.depth > COMMUNITY_DEPTH:
        return post.place.ancestor_paths()[COMMUNITY_DEPTH]
    return post.place.path


def grants(user: Viewer, action: str) -> list[Grant]:
    if getattr(user, "is_superuser", False) and user.is_active:
        return [Grant(post=None, path=None)]
    rules = PERMISSIONS.get(action, {})
    result = []
    for post in active_posts(user):
        scope = rules.get(post.role)
        if scope is None:
            continue
        if scope == Scope.OWN:
            if post.household_id:
                result.append(Grant(post=post, path=None, household_id=post.household_id))
            continue
        result.append(Grant(post=post, path=_granted_path(post, scope)))
    return result


def scope_q(user: Viewer, action: str, path_field: str = "path", own_field: str | None = None) -> Q:
    """A Q that keeps exactly the rows the user may see for `action`."""
    q = Q(pk__in=[])
    for grant in grants(user, action):
        if grant.everything:
            return Q()
        if grant.household_id is not None:
            if own_field:
                q |= Q(**{own_field: grant.household_id})
            continue
        q |= Q(**{f"{path_field}__under": grant.path})
    return q


def scoped(
    qs: QuerySet[_M],
    user: Viewer,
    action: str,
    path_field: str = "path",
    own_field: str | None = None,
) -> QuerySet[_M]:
    return qs.filter(scope_q(user, action, path_field, own_field))


def grant_for(
    user: Viewer, action: str, path: str, household_id: int | None = None
) -> Grant | None:
    """The most specific grant covering `path` (or the household), or None."""
    best: Grant | None = None
    for grant in grants(user, action):
        if grant.household_id is not None:
            if household_id is not None and grant.household_id == household_id:
                return grant
            continue
        covers = grant.everything or path.startswith(grant.path or "")
        if covers and (best is None or len(grant.path or "") > len(best.path or "")):
            best = grant
    return best


def can(user: Viewer, action: str, path: str, household_id: int | None = None) -> bool:
    return grant_for(user, action, path, household_id) is not None


def require(
    user: Viewer,
    action: str,
    path: str,
    *,
    read_action: str = Action.PLACE_VIEW,
    household_id: int | None = None,
) -> Grant:
    """Check a write. Invisible target → 404; visible but not allowed → 403."""
    grant = grant_for(user, action, path, household_id)
    if grant is not None:
        return grant
    if can(user, read_action, path, household_id):
        raise PermissionDenied
    raise Http404


def is_staff_user(user: Viewer) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    return any(post.role in STAFF_ROLES for post in active_posts(user))


def may_hold(role: str, place: Any) -> bool:
    """Whether a post of `role` may be anchored at `place` (None = whole installation)."""
    if place is None:
        return role in UNPLACED_ROLES
    return place.kind in ANCHOR_KINDS[role]


def has_any(user: Viewer, action: str) -> bool:
    return bool(grants(user, action))
