"""Writes of selections: one function per use case, one transaction, checked with
`access.require`, recorded with `audit.record` (docs/selections.md)."""

from __future__ import annotations

from collections import defaultdict
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, photos
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.places.models import Place
from gongzhi.selections import rules
from gongzhi.selections import selectors as s
from gongzhi.selections.models import (
    Kind,
    Method,
    Nominee,
    NomineePhoto,
    PanelScore,
    Selection,
    Stage,
    Vote,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

COMMUNITY_DEPTH = access.COMMUNITY_DEPTH
RUNNING_KINDS = ("street", "district")


def _require_manage(actor: User, selection: Selection) -> access.Grant:
    """The manager's grant; 403 for one who sees the selection without running it, else 404."""
    grant = access.grant_for(actor, Action.SELECTION_MANAGE, selection.path)
    if grant is not None:
        return grant
    if s.visible(actor).filter(pk=selection.pk).exists():
        raise PermissionDenied
    raise Http404


def _locked(selection: Selection) -> Selection:
    return Selection.objects.select_for_update().select_related("place").get(pk=selection.pk)


def create_selection(
    *, actor: User, place: Place, kind: str, year: int, title: str, method: str
) -> Selection:
    """A new selection run by a street or district, its rules copied from the profile."""
    if place.kind not in RUNNING_KINDS:
        raise ValidationError({"place": _("A selection is run by a street or a district.")})
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose the kind of selection.")})
    if method not in Method.values:
        raise ValidationError({"method": _("Choose how the selection is decided.")})
    if not 2000 <= int(year) <= clock.today().year + 1:
        raise ValidationError({"year": _("Enter a year between 2000 and next year.")})
    title = (title or "").strip()
    if not title or len(title) > 120:
        raise ValidationError({"title": _("Enter a title of at most 120 characters.")})
    with transaction.atomic():
        grant = access.require(actor, Action.SELECTION_MANAGE, place.path)
        selection = Selection.objects.create(
            place=place,
            path=place.path,
            kind=kind,
            year=year,
            title=title,
            method=method,
            created_by=actor,
            **rules.rules_for(place, kind),
        )
        audit.record(
            actor=actor,
            action="selections.create",
            target=selection,
            place_path=place.path,
            post=grant.post,
            changes={"kind": kind, "year": year, "method": method, "title": title},
        )
    return selection


# The stage steps: name → (from stages, to stage).
STEPS = {
    "open_voting": ((Stage.NOMINATING,), Stage.VOTING),
    "close": ((Stage.VOTING,), Stage.CLOSED),
    "reopen": ((Stage.CLOSED,), Stage.VOTING),
}


def set_stage(*, actor: User, selection: Selection, step: str) -> Selection:
    """Open voting and scoring, close (and compute the results), or reopen before publishing."""
    if step not in STEPS:
        raise ValidationError(_("Unknown step."))
    with transaction.atomic():
        grant = _require_manage(actor, selection)
        selection = _locked(selection)
        sources, target = STEPS[step]
        if selection.stage not in sources:
            raise ValidationError(_("This selection is not at a stage where this step applies."))
        if step == "open_voting":
            if not Nominee.objects.filter(selection=selection).exists():
                raise ValidationError(_("Nobody has been nominated yet."))
            if selection.uses_panel and not selection.panel.exists():
                raise ValidationError(_("Name the panel before scoring opens."))
        before = selection.stage
        selection.stage = target
        selection.save(update_fields=["stage"])
        if target == Stage.CLOSED:
            _compute(selection)
        audit.record(
            actor=actor,
            action="selections.stage",
            target=selection,
            place_path=selection.path,
            post=grant.post,
            changes={"stage": [before, target]},
        )
    return selection


def set_panel(*, actor: User, selection: Selection, member_ids: Iterable[object]) -> Selection:
    """Name the panel (replaces it). Only before the panel scores are closed."""
    try:
        ids = {int(str(i)) for i in member_ids}
    except (TypeError, ValueError):
        raise ValidationError({"members": _("Choose panel members from the list.")}) from None
    with transaction.atomic():
        grant = _require_manage(actor, selection)
        selection = _locked(selection)
        if selection.stage not in (Stage.NOMINATING, Stage.VOTING):
            raise ValidationError(_("The panel cannot change once the selection is closed."))
        members = list(s.panel_candidates(selection).filter(pk__in=ids))
        if len(members) != len(ids):
            raise ValidationError({"members": _("Choose panel members from the list.")})
        if selection.uses_panel and not members:
            raise ValidationError({"members": _("Name at least one panel member.")})
        before = sorted(selection.panel.values_list("pk", flat=True))
        selection.panel.set(members)
        audit.record(
            actor=actor,
            action="selections.panel",
            target=selection,
            place_path=selection.path,
            post=grant.post,
            changes={"panel": [before, sorted(m.pk for m in members)]},
        )
    return selection


def _community_of(place: Place) -> Place:
    if place.depth < COMMUNITY_DEPTH:
        raise ValidationError(_("Choose a building inside a community."))
    community_path = place.ancestor_paths()[COMMUNITY_DEPTH]
    return Place.objects.get(path=community_path)


def nominate(
    *,
    actor: User,
    selection: Selection,
    reasons: str,
    building: Place | None = None,
    head_post: Post | None = None,
    uploads: Iterable[IO[bytes] | None] | None = None,
) -> Nominee:
    """Put a building (star civilised building) or a building head (best building head) of the
    actor's own area forward, with reasons and photos."""
    reasons = (reasons or "").strip()
    if not reasons or len(reasons) > 2000:
        raise ValidationError({"reasons": _("Give the reasons, at most 2000 characters.")})
    head: User | None = None
    if selection.kind == Kind.BEST_BUILDING_HEAD:
        if (
            head_post is None
            or head_post.role != Role.BUILDING_HEAD
            or not head_post.is_active
            or head_post.place is None
        ):
            raise ValidationError({"head": _("Choose a building head.")})
        building, head = head_post.place, head_post.user
        name = f"{head.name}（{building.name}）"
    else:
        if building is None or building.kind != "building":
            raise ValidationError({"building": _("Choose a building.")})
        name = building.name
    assert building is not None
    if not building.path.startswith(selection.path):
        raise Http404
    prepared = photos.prepare(uploads)
    with photos.files_removed_on_error() as written, transaction.atomic():
        grant = access.require(actor, Action.SELECTION_NOMINATE, building.path)
        selection = _locked(selection)
        if selection.stage != Stage.NOMINATING:
            raise ValidationError(_("This selection no longer takes nominations."))
        community = _community_of(building)
        if selection.kind == Kind.STAR_BUILDING:
            name = f"{community.name} {building.name}"
        taken = Nominee.objects.filter(selection=selection, community=community).count()
        if taken >= selection.nominees_per_community:
            raise ValidationError(
                _("A community may put forward at most %(n)s nominees in this selection.")
                % {"n": selection.nominees_per_community}
            )
        duplicate = Nominee.objects.filter(selection=selection)
        duplicate = (
            duplicate.filter(head=head) if head else duplicate.filter(building=building, head=None)
        )
        if duplicate.exists():
            raise ValidationError(_("This nominee has already been put forward."))
        nominee = Nominee.objects.create(
            selection=selection,
            community=community,
            path=building.path,
            building=building,
            head=head,
            name=name[:120],
            reasons=reasons,
            nominated_by=actor,
        )
        photos.write(NomineePhoto, prepared, user=actor, written=written, nominee=nominee)
        audit.record(
            actor=actor,
            action="selections.nominate",
            target=nominee,
            place_path=building.path,
            post=grant.post,
            changes={"selection": selection.pk, "name": nominee.name, "photos": len(prepared)},
        )
    return nominee


def withdraw(*, actor: User, nominee: Nominee) -> None:
    """Take a nomination back while nominations are open (its nominator's community or the
    managers)."""
    with transaction.atomic():
        selection = _locked(nominee.selection)
        if access.can(actor, Action.SELECTION_MANAGE, selection.path):
            grant = _require_manage(actor, selection)
        else:
            grant = access.require(actor, Action.SELECTION_NOMINATE, nominee.path)
        if selection.stage != Stage.NOMINATING:
            raise ValidationError(_("Nominations can only be withdrawn while they are open."))
        audit.record(
            actor=actor,
            action="selections.withdraw",
            target=nominee,
            place_path=nominee.path,
            post=grant.post,
            changes={"name": nominee.name},
        )
        nominee.delete()


def vote(*, actor: User, nominee: Nominee) -> Vote:
    """One vote for a nominee of the voter's own community; at most `votes_per_voter` per
    selection. Two votes at the same moment: the selection's row lock queues them, and the
    unique constraints refuse whatever gets past it."""
    with transaction.atomic():
        grant = access.require(actor, Action.SELECTION_VOTE, nominee.path)
        selection = _locked(nominee.selection)
        if selection.stage != Stage.VOTING or not selection.uses_votes:
            raise ValidationError(_("This selection is not open for votes."))
        mine = Vote.objects.filter(selection=selection, voter=actor)
        if mine.filter(nominee=nominee).exists():
            raise ValidationError(_("You have already voted for this nominee."))
        used = mine.count()
        if used >= selection.votes_per_voter:
            raise ValidationError(
                _("You have used all %(n)s of your votes in this selection.")
                % {"n": selection.votes_per_voter}
            )
        try:
            with transaction.atomic():
                row = Vote.objects.create(
                    selection=selection,
                    nominee=nominee,
                    voter=actor,
                    slot=used + 1,
                    path=nominee.path,
                )
        except IntegrityError:
            raise ValidationError(_("You have already voted for this nominee.")) from None
        audit.record(
            actor=actor,
            action="selections.vote",
            target=nominee,
            place_path=nominee.path,
            post=grant.post,
            changes={"selection": selection.pk, "slot": row.slot},
        )
    return row


def _points(selection: Selection, values: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    errors: dict[str, str] = {}
    for criterion in selection.criteria:
        code, maximum = criterion["code"], int(criterion["max"])
        raw = values.get(code)
        try:
            points = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[code] = _("Enter whole points for “%(c)s”.") % {"c": rules.criterion_label(code)}
            continue
        if not 0 <= points <= maximum:
            errors[code] = _("Points for “%(c)s” must be between 0 and %(m)s.") % {
                "c": rules.criterion_label(code),
                "m": maximum,
            }
            continue
        out[code] = points
    if errors:
        raise ValidationError(errors)
    return out


def score(*, actor: User, nominee: Nominee, values: dict[str, Any]) -> list[PanelScore]:
    """A panel member's points for one nominee on every criterion (replaces theirs)."""
    selection = nominee.selection
    if not selection.panel.filter(pk=actor.pk).exists():
        if s.visible(actor).filter(pk=selection.pk).exists():
            raise PermissionDenied
        raise Http404
    points = _points(selection, values)
    with transaction.atomic():
        selection = _locked(selection)
        if selection.stage != Stage.VOTING or not selection.uses_panel:
            raise ValidationError(_("This selection is not open for panel scores."))
        before = dict(
            PanelScore.objects.filter(nominee=nominee, member=actor).values_list(
                "criterion", "points"
            )
        )
        PanelScore.objects.filter(nominee=nominee, member=actor).delete()
        rows = PanelScore.objects.bulk_create(
            PanelScore(
                nominee=nominee,
                member=actor,
                criterion=c["code"],
                points=points[c["code"]],
                maximum=int(c["max"]),
            )
            for c in selection.criteria
        )
        audit.record(
            actor=actor,
            action="selections.score",
            target=nominee,
            place_path=nominee.path,
            changes={"points": [before, points]},
        )
    return rows


def _compute(selection: Selection) -> None:
    """Write every nominee's result fields from the votes and panel scores."""
    items = list(Nominee.objects.filter(selection=selection).order_by("id"))
    votes = dict(
        Vote.objects.filter(selection=selection)
        .values("nominee_id")
        .annotate(n=Count("id"))
        .values_list("nominee_id", "n")
    )
    points: dict[int, dict[int, int]] = defaultdict(dict)
    criteria = len(selection.criteria)
    sums = (
        PanelScore.objects.filter(nominee__selection=selection)
        .values("nominee_id", "member_id")
        .annotate(total=Sum("points"), n=Count("id"))
    )
    for row in sums:
        if row["n"] == criteria:  # only complete score sheets count
            points[row["nominee_id"]][row["member_id"]] = row["total"]
    outcomes = rules.compute(
        kind=selection.kind,
        method=selection.method,
        vote_weight_percent=selection.vote_weight_percent,
        winners=selection.winners,
        star_thresholds=list(selection.star_thresholds),
        max_points=selection.max_points,
        nominees=[(n.pk, n.community_id) for n in items],
        votes=votes,
        points=dict(points),
    )
    for item in items:
        o = outcomes[item.pk]
        item.votes, item.vote_score, item.panel_score = o.votes, o.vote_score, o.panel_score
        item.score, item.stars, item.rank, item.is_winner = o.score, o.stars, o.rank, o.is_winner
    Nominee.objects.bulk_update(
        items,
        ["votes", "vote_score", "panel_score", "score", "stars", "rank", "is_winner"],
    )


def publish(*, actor: User, selection: Selection) -> Selection:
    """Publish the closed selection's results: frozen from now on, shown to residents."""
    with transaction.atomic():
        grant = _require_manage(actor, selection)
        selection = _locked(selection)
        if selection.stage != Stage.CLOSED:
            raise ValidationError(_("Close the selection before publishing its results."))
        selection.stage = Stage.PUBLISHED
        selection.published_at = clock.now()
        selection.save(update_fields=["stage", "published_at"])
        winners = list(
            Nominee.objects.filter(selection=selection, is_winner=True).values_list(
                "name", flat=True
            )
        )
        audit.record(
            actor=actor,
            action="selections.publish",
            target=selection,
            place_path=selection.path,
            post=grant.post,
            changes={"winners": winners},
        )
    return selection
