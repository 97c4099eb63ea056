"""Reads of selections, narrowed to what the user may see (docs/selections.md "Who sees what").

- Managers (SELECTION_MANAGE) see the selections run at or under their place, with every
  nominee.
- Nominators (SELECTION_NOMINATE) and voters (SELECTION_VOTE) see the selections run by a place
  above their community (their street, their district), and only their own area's nominees
  (a grid worker: their grid; a voter: their community); voters see a selection once it is open
  for votes.
- Panel members see the selections they are named on, with every nominee.
- Once published, everybody who sees a selection sees all of its results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.gates import roles_with
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.selections.models import Nominee, NomineePhoto, PanelScore, Selection, Stage, Vote

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer

RESIDENT_STAGES = (Stage.VOTING, Stage.CLOSED, Stage.PUBLISHED)


def prefixes(path: str) -> list[str]:
    """The path and the paths of its ancestors ("a/b/" → ["a/", "a/b/"])."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _above(user: Viewer, action: str) -> Q:
    """Selections run at or above a place the user holds `action` for."""
    q = Q(pk__in=[])
    for grant in access.grants(user, action):
        if grant.everything:
            return Q()
        if grant.path is not None:
            q |= Q(path__in=prefixes(grant.path))
    return q


def _panel_q(user: Viewer) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    return Q(
        pk__in=Selection.panel.through.objects.filter(user_id=int(user.pk or 0)).values(
            "selection_id"
        )
    )


def visible(user: Viewer) -> QuerySet[Selection]:
    q = (
        access.scope_q(user, Action.SELECTION_MANAGE)
        | _above(user, Action.SELECTION_NOMINATE)
        | (_above(user, Action.SELECTION_VOTE) & Q(stage__in=RESIDENT_STAGES))
        | _panel_q(user)
    )
    return Selection.objects.filter(q).select_related("place")


def staff_list(user: Viewer, stage: str = "") -> QuerySet[Selection]:
    qs = visible(user).annotate(n_nominees=Count("nominees"))
    if stage in Stage.values:
        qs = qs.filter(stage=stage)
    return qs.order_by("-year", "-id")


def resident_list(user: Viewer) -> QuerySet[Selection]:
    """The selections of the user's street or district open for votes or published."""
    return (
        Selection.objects.filter(
            _above(user, Action.SELECTION_VOTE), stage__in=(Stage.VOTING, Stage.PUBLISHED)
        )
        .select_related("place")
        .order_by("-year", "-id")
    )


def open_for_vote(user: Viewer) -> QuerySet[Selection]:
    return Selection.objects.filter(
        _above(user, Action.SELECTION_VOTE), stage=Stage.VOTING, method__in=("votes", "combined")
    )


def open_for_nomination(user: Viewer) -> QuerySet[Selection]:
    return Selection.objects.filter(_above(user, Action.SELECTION_NOMINATE), stage=Stage.NOMINATING)


def get(user: Viewer, pk: object) -> Selection:
    return get_object_or_404(visible(user), pk=pk)


def may_manage(user: Viewer, selection: Selection) -> bool:
    return access.can(user, Action.SELECTION_MANAGE, selection.path)


def is_panel_member(user: Viewer, selection: Selection) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return selection.panel.filter(pk=int(user.pk or 0)).exists()


def sees_all_nominees(user: Viewer, selection: Selection) -> bool:
    return (
        selection.stage == Stage.PUBLISHED
        or may_manage(user, selection)
        or is_panel_member(user, selection)
    )


def nominees(user: Viewer, selection: Selection) -> QuerySet[Nominee]:
    qs = Nominee.objects.filter(selection=selection).select_related("community", "building", "head")
    if not sees_all_nominees(user, selection):
        qs = qs.filter(
            access.scope_q(user, Action.SELECTION_NOMINATE)
            | access.scope_q(user, Action.SELECTION_VOTE)
        )
    return qs.annotate(n_votes=Count("vote_rows")).prefetch_related(
        Prefetch("photos", queryset=NomineePhoto.objects.order_by("id"))
    )


def results(selection: Selection) -> QuerySet[Nominee]:
    """A published selection's nominees, best first (public to whoever sees the selection)."""
    return (
        Nominee.objects.filter(selection=selection)
        .select_related("community", "building", "head")
        .order_by("rank", "path", "id")
    )


def nominee(user: Viewer, selection: Selection, pk: object) -> Nominee:
    return get_object_or_404(nominees(user, selection), pk=pk)


def my_votes(user: Viewer, selection: Selection) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(
        Vote.objects.filter(selection=selection, voter_id=user.pk).values_list(
            "nominee_id", flat=True
        )
    )


def my_scores(user: Viewer, selection: Selection) -> dict[int, dict[str, int]]:
    """nominee id → {criterion: points} of this panel member."""
    out: dict[int, dict[str, int]] = {}
    if not getattr(user, "is_authenticated", False):
        return out
    rows = PanelScore.objects.filter(nominee__selection=selection, member_id=user.pk).values_list(
        "nominee_id", "criterion", "points"
    )
    for nid, criterion, points in rows:
        out.setdefault(nid, {})[criterion] = points
    return out


def panel_candidates(selection: Selection) -> QuerySet[User]:
    """Staff who may sit on the panel: holders of a post that runs or nominates in selections,
    at the selection's place, below it, or above it."""
    roles = roles_with(Action.SELECTION_MANAGE) | roles_with(Action.SELECTION_NOMINATE)
    posts = Post.objects.filter(is_active=True, role__in=roles).filter(
        Q(place__path__startswith=selection.path) | Q(place__path__in=prefixes(selection.path))
    )
    return User.objects.filter(pk__in=posts.values("user_id"), is_active=True).order_by("name")


def building_heads(user: Viewer, selection: Selection) -> QuerySet[Post]:
    """Building-head posts the user may nominate (in their own area, under the selection)."""
    return (
        Post.objects.filter(
            access.scope_q(user, Action.SELECTION_NOMINATE, "place__path"),
            role=Role.BUILDING_HEAD,
            is_active=True,
            place__path__startswith=selection.path,
        )
        .select_related("user", "place")
        .order_by("place__path", "id")
    )


def photo(user: Viewer, selection: Selection, nominee_pk: object, pk: object) -> NomineePhoto:
    item = nominee(user, selection, nominee_pk)
    return get_object_or_404(NomineePhoto.objects.filter(nominee=item), pk=pk)
