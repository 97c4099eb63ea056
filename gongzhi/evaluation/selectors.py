"""Reads of assessment rounds for a viewer, narrowed in the query.

- a round: whoever has EVALUATION_VIEW over its area or over a place inside it (a community
  worker sees the street's round, for their own community's sake), else 404;
- the ranking of a round (names, totals, grades, ranks): everyone who sees the round — a
  community sees where it stands among its peers;
- a score with its parts (raw values, where they came from, normalised values, weights):
  EVALUATION_VIEW over the scored community only, so a community sees its own parts and never
  another community's (404);
- contests: EVALUATION_VIEW over the contested community (the assessor's list, the community's
  own).

A published round is read from its snapshot (services.publish): the figures shown are the
frozen ones, whatever has happened to the rows or the live data since.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.core import access, indicators
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.evaluation import system as systems
from gongzhi.evaluation.models import (
    Contest,
    ContestPhoto,
    ContestStatus,
    ManualItem,
    Part,
    Round,
    RoundStatus,
    Score,
)
from gongzhi.places.models import Place

VIEW = Action.EVALUATION_VIEW
MANAGE = Action.EVALUATION_MANAGE
CONTEST = Action.EVALUATION_CONTEST


def _pk(pk: object) -> int:
    text = str(pk)
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _round_q(user: Viewer) -> Q:
    """Rounds whose area is inside the viewer's scope or contains a place of it."""
    q = access.scope_q(user, VIEW, "place_path")
    for grant in access.grants(user, VIEW):
        if grant.everything:
            return Q()
        if grant.path:
            parts = grant.path.strip("/").split("/")
            ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
            q |= Q(place_path__in=ancestors)
    return q


def rounds(user: Viewer, status: str = "") -> QuerySet[Round]:
    qs = Round.objects.filter(_round_q(user)).select_related("place")
    if status in RoundStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-period_start", "-id")


def get_round(user: Viewer, pk: object) -> Round:
    return get_object_or_404(
        Round.objects.filter(_round_q(user)).select_related("place", "opened_by", "published_by"),
        pk=_pk(pk),
    )


def may_manage(user: Viewer, rnd: Round) -> bool:
    return access.can(user, MANAGE, rnd.place_path)


def may_contest(user: Viewer, score: Score | None) -> bool:
    return score is not None and access.can(user, CONTEST, score.place_path)


def sees_score(user: Viewer, path: str) -> bool:
    return access.can(user, VIEW, path)


# --------------------------------------------------------------------------- the ranking


@dataclass
class Row:
    score_id: int
    place_id: int
    place_name: str
    place_path: str
    street_id: int
    street_name: str
    total: Decimal
    base: Decimal
    bonus: Decimal
    vetoed: bool
    veto_reasons: list[str]
    grade: str
    rank_in_street: int | None
    rank_in_area: int | None
    open: bool = False  # the viewer may open its parts


@dataclass
class Street:
    id: int
    name: str
    rows: list[Row] = field(default_factory=list)


def _d(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal(0)


def ranking(user: Viewer, rnd: Round) -> list[Row]:
    """Every community of the round, best first (the snapshot's figures once published)."""
    rows: list[Row] = []
    if rnd.status == RoundStatus.PUBLISHED and rnd.snapshot:
        paths = dict(Score.objects.filter(round=rnd).values_list("pk", "place_path"))
        for s in rnd.snapshot.get("scores", []):
            rows.append(
                Row(
                    score_id=s["id"],
                    place_id=s["place"],
                    place_name=s["place_name"],
                    place_path=paths.get(s["id"], ""),
                    street_id=s["street"],
                    street_name=s["street_name"],
                    total=_d(s["total"]),
                    base=_d(s["base"]),
                    bonus=_d(s["bonus"]),
                    vetoed=bool(s["vetoed"]),
                    veto_reasons=list(s["veto_reasons"]),
                    grade=s["grade"],
                    rank_in_street=s["rank_in_street"],
                    rank_in_area=s["rank_in_area"],
                )
            )
    else:
        for score in (
            Score.objects.filter(round=rnd)
            .select_related("place", "street")
            .order_by("rank_in_area", "place_path")
        ):
            rows.append(
                Row(
                    score_id=score.pk,
                    place_id=score.place_id,
                    place_name=score.place.name,
                    place_path=score.place_path,
                    street_id=score.street_id,
                    street_name=score.street.name,
                    total=score.total,
                    base=score.base,
                    bonus=score.bonus,
                    vetoed=score.vetoed,
                    veto_reasons=list(score.veto_reasons or []),
                    grade=score.grade,
                    rank_in_street=score.rank_in_street,
                    rank_in_area=score.rank_in_area,
                )
            )
    for row in rows:
        row.open = bool(row.place_path) and sees_score(user, row.place_path)
    rows.sort(key=lambda r: (r.rank_in_area or 10**6, r.place_path))
    return rows


def by_street(rows: list[Row]) -> list[Street]:
    streets: dict[int, Street] = {}
    for row in rows:
        streets.setdefault(row.street_id, Street(row.street_id, row.street_name)).rows.append(row)
    for street in streets.values():
        street.rows.sort(key=lambda r: (r.rank_in_street or 10**6, r.place_path))
    return sorted(streets.values(), key=lambda s: s.name)


def reportable_streets(user: Viewer, streets: list[Street]) -> set[int]:
    """The streets whose yearly report the viewer may download (the street wholly in their
    scope, as `reports.street_report` requires): one query."""
    paths = Place.objects.filter(pk__in=[s.id for s in streets]).values_list("pk", "path")
    return {pk for pk, path in paths if access.can(user, VIEW, path)}


def open_contest_count(rnd: Round) -> int:
    return Contest.objects.filter(part__score__round=rnd, status=ContestStatus.OPEN).count()


# --------------------------------------------------------------------------- a score


def get_score(user: Viewer, pk: object) -> Score:
    """A score the viewer may open: EVALUATION_VIEW over its community, else 404."""
    return get_object_or_404(
        access.scoped(
            Score.objects.select_related("round", "place", "street"), user, VIEW, "place_path"
        ),
        pk=_pk(pk),
    )


def get_part(user: Viewer, pk: object) -> Part:
    return get_object_or_404(
        access.scoped(
            Part.objects.select_related("score__round", "score__place"),
            user,
            VIEW,
            "score__place_path",
        ),
        pk=_pk(pk),
    )


@dataclass
class PartView:
    id: int
    indicator: str
    name: str
    unit: str
    definition: str
    dimension: str
    raw: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    note: str
    adjusted: Decimal | None
    adjust_reason: str
    normalised: Decimal
    weight: Decimal
    points: Decimal
    source: str | None
    contests: list[Contest] = field(default_factory=list)
    open_contest: bool = False


def _opt(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def score_figures(score: Score) -> dict[str, Any]:
    """The score's own figures: the snapshot's once published, else the row's."""
    rnd = score.round
    if rnd.status == RoundStatus.PUBLISHED and rnd.snapshot:
        for s in rnd.snapshot.get("scores", []):
            if s["id"] == score.pk:
                return {**s, "items": _named_items(rnd, s.get("items") or [])}
    items = [
        {"kind": i.kind, "item": i.item, "reason": i.reason}
        for i in ManualItem.objects.filter(score=score).order_by("id")
    ]
    return {
        "total": str(score.total),
        "base": str(score.base),
        "bonus": str(score.bonus),
        "vetoed": score.vetoed,
        "veto_reasons": list(score.veto_reasons or []),
        "grade": score.grade,
        "rank_in_street": score.rank_in_street,
        "rank_in_area": score.rank_in_area,
        "items": _named_items(rnd, items),
        "parts": None,
    }


def _named_items(rnd: Round, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each recorded bonus or veto item with its name in the round's system (its code when the
    system no longer names it)."""
    system = stored_system(rnd)
    if system is None:
        return [{**i, "name": i["item"]} for i in items]
    names = {b.code: b.name for b in system.bonus_items}
    names.update({v.code: v.name for v in system.veto_items})
    return [{**i, "name": names.get(i["item"], i["item"])} for i in items]


def parts_of(score: Score, figures: dict[str, Any] | None = None) -> list[PartView]:
    """Every part with its indicator's name, definition and the link to its records; the
    snapshot's figures once published. Contests are attached in two queries."""
    rnd = score.round
    figures = figures or score_figures(score)
    period = _period(rnd)
    out: list[PartView] = []
    frozen = figures.get("parts")
    rows: list[dict[str, Any]]
    if frozen is not None:
        rows = list(frozen)
    else:
        rows = [
            {
                "id": p.pk,
                "indicator": p.indicator,
                "dimension": p.dimension,
                "raw": p.raw,
                "numerator": p.numerator,
                "denominator": p.denominator,
                "note": p.note,
                "adjusted": p.adjusted,
                "adjust_reason": p.adjust_reason,
                "normalised": p.normalised,
                "weight": p.weight,
                "points": p.points,
            }
            for p in Part.objects.filter(score=score).order_by("dimension", "indicator")
        ]
    index_system = stored_system(rnd)
    for p in rows:
        known = indicators.get(p["indicator"])
        dim = index_system.dimension(p["dimension"]) if index_system else None
        source = None
        if known is not None and known.source is not None:
            source = known.source(score.place, period)
        out.append(
            PartView(
                id=p["id"],
                indicator=p["indicator"],
                name=str(known.name) if known else str(p.get("name") or p["indicator"]),
                unit=known.unit if known else "",
                definition=str(known.definition) if known else "",
                dimension=dim.name if dim else p["dimension"],
                raw=_opt(p["raw"]),
                numerator=_opt(p["numerator"]),
                denominator=_opt(p["denominator"]),
                note=p["note"],
                adjusted=_opt(p["adjusted"]),
                adjust_reason=p["adjust_reason"],
                normalised=_d(p["normalised"]),
                weight=_d(p["weight"]),
                points=_d(p["points"]),
                source=source,
            )
        )
    by_id = {p.id: p for p in out}
    for c in (
        Contest.objects.filter(part__score=score)
        .select_related("raised_by", "decided_by")
        .prefetch_related("photos")
        .order_by("-raised_at", "-id")
    ):
        view = by_id.get(c.part_id)
        if view is not None:
            view.contests.append(c)
            view.open_contest = view.open_contest or c.status == ContestStatus.OPEN
    return out


def _period(rnd: Round) -> indicators.Period:
    return indicators.Period(
        indicators.PeriodKind(rnd.period_kind), rnd.period_start, rnd.period_end
    )


def manual_choices(rnd: Round) -> list[tuple[str, str]]:
    """The round's bonus and veto items the assessor records by hand: (code, label)."""
    index_system = stored_system(rnd)
    if index_system is None:
        return []
    out = [
        (b.code, _("Bonus: %(name)s (%(points)s points)") % {"name": b.name, "points": b.points})
        for b in index_system.manual_bonus_items()
    ]
    out += [
        (v.code, _("Veto: %(name)s") % {"name": v.name}) for v in index_system.manual_veto_items()
    ]
    return out


def stored_system(rnd: Round) -> systems.System | None:
    """The round's index system as stored when it was opened; None when it no longer reads
    (written by an older version): pages then show codes rather than fail."""
    try:
        return systems.System.from_json(rnd.system)
    except ValueError:
        return None


# --------------------------------------------------------------------------- contests, trend


def contests(user: Viewer, status: str = "") -> QuerySet[Contest]:
    qs = access.scoped(
        Contest.objects.select_related(
            "part__score__place", "part__score__round", "raised_by", "decided_by"
        ),
        user,
        VIEW,
        "place_path",
    )
    if status in ContestStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-raised_at", "-id")


def get_contest(user: Viewer, pk: object) -> Contest:
    return get_object_or_404(
        access.scoped(
            Contest.objects.select_related("part__score__round", "part__score__place"),
            user,
            VIEW,
            "place_path",
        ),
        pk=_pk(pk),
    )


def get_evidence(user: Viewer, contest_pk: object, photo_pk: object) -> ContestPhoto:
    found = get_contest(user, contest_pk)
    return get_object_or_404(ContestPhoto.objects.filter(contest=found), pk=_pk(photo_pk))


def get_community(user: Viewer, pk: object) -> Place:
    return get_object_or_404(
        access.scoped(Place.objects.filter(kind="community"), user, VIEW), pk=_pk(pk)
    )


def trend(user: Viewer, place: Place) -> list[dict[str, Any]]:
    """The community's scores across rounds, oldest first (the frozen figures of published
    rounds)."""
    scores = (
        access.scoped(Score.objects.filter(place=place), user, VIEW, "place_path")
        .select_related("round")
        .order_by("round__period_start", "round__id")
    )
    out = []
    for score in scores:
        figures = score_figures(score) if score.round.status == RoundStatus.PUBLISHED else None
        out.append(
            {
                "score": score,
                "round": score.round,
                "total": _d(figures["total"]) if figures else score.total,
                "grade": figures["grade"] if figures else score.grade,
                "rank_in_area": figures["rank_in_area"] if figures else score.rank_in_area,
                "vetoed": figures["vetoed"] if figures else score.vetoed,
            }
        )
    return out


def area_places(user: Viewer) -> QuerySet[Place]:
    """The streets and districts the viewer may open a round for."""
    return access.scoped(
        Place.objects.filter(kind__in=("district", "street")), user, MANAGE
    ).order_by("path")


def round_counts(rnd: Round) -> dict[str, int]:
    got = Score.objects.filter(round=rnd).aggregate(
        scores=Count("id"), vetoed=Count("id", filter=Q(vetoed=True))
    )
    return {"scores": got["scores"] or 0, "vetoed": got["vetoed"] or 0}
