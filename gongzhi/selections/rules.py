"""The rules of a selection: read from the policy profile of the place running it (numbers in
profile keys, `selections.*`, platform defaults when a profile leaves them out), the platform's
panel criteria per kind, and the computation of the results. docs/selections.md."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from gongzhi.core import profiles
from gongzhi.selections.models import Kind, Method

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from gongzhi.places.models import Place

# The platform's panel criteria (the seed names none; docs/selections.md says why these):
# each criterion's maximum points is the profile key `selections.points.<code>`.
CRITERIA: dict[str, tuple[str, ...]] = {
    Kind.STAR_BUILDING: ("tidy", "harmony", "party_example", "governance", "civility"),
    Kind.BEST_BUILDING_HEAD: ("duty", "service", "harmony", "governance", "party_example"),
}
CRITERION_LABELS: dict[str, StrOrPromise] = {
    "tidy": _("Tidy environment"),
    "harmony": _("Neighbourly harmony"),
    "party_example": _("Party members lead by example"),
    "governance": _("Taking part in governance"),
    "civility": _("Civilised customs"),
    "duty": _("Fulfils the building head's duties"),
    "service": _("Serves the residents"),
}
STAR_LEVELS = (1, 2, 3, 4, 5)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _number(place: Place, key: str) -> float:
    profile = profiles.effective_profile(place)
    value = profile.get(key) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[key].default
    return float(value or 0)


def rules_for(place: Place, kind: str) -> dict[str, Any]:
    """The numbers a new selection copies from `place`'s effective profile."""
    return {
        "votes_per_voter": int(_number(place, "selections.votes_per_voter")),
        "vote_weight_percent": round(_number(place, "selections.vote_share_percent")),
        "nominees_per_community": int(_number(place, "selections.nominees_per_community")),
        "winners": int(_number(place, "selections.winners")),
        "star_thresholds": [_number(place, f"selections.star_min.{n}") for n in STAR_LEVELS],
        "criteria": [
            {"code": code, "max": int(_number(place, f"selections.points.{code}"))}
            for code in CRITERIA[kind]
        ],
    }


def criterion_label(code: str) -> str:
    return str(CRITERION_LABELS.get(code, code))


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Outcome:
    votes: int
    vote_score: Decimal | None
    panel_score: Decimal | None
    score: Decimal
    stars: int = 0
    rank: int = 0
    is_winner: bool = False


def stars_for(score: Decimal, thresholds: list[float]) -> int:
    """The highest star level whose least score the score reaches (0: none)."""
    stars = 0
    for level, minimum in zip(STAR_LEVELS, thresholds, strict=False):
        if score >= Decimal(str(minimum)):
            stars = level
    return stars


def compute(
    *,
    kind: str,
    method: str,
    vote_weight_percent: int,
    winners: int,
    star_thresholds: list[float],
    max_points: int,
    nominees: list[tuple[int, int]],
    votes: dict[int, int],
    points: dict[int, dict[int, int]],
) -> dict[int, Outcome]:
    """Results for `nominees` [(id, community id)]: `votes` id → votes, `points` id → {panel
    member id → sum of their points}.

    - vote score: 100 × votes ÷ the most votes of a nominee of the same community (so a small
      community's best nominee is not outvoted by a large community's);
    - panel score: the mean over the panel members who scored the nominee of 100 × their
      points ÷ the criteria's maximum points;
    - score: the vote score, the panel score, or their weighted sum (`vote_weight_percent`);
      a missing part counts 0;
    - stars (star civilised buildings): from the thresholds; winners: every building with a
      star, or the `winners` best-scored building heads (ties at the last place included).
    """
    best_in_community: dict[int, int] = defaultdict(int)
    for nid, community in nominees:
        best_in_community[community] = max(best_in_community[community], votes.get(nid, 0))
    weight = Decimal(vote_weight_percent) / HUNDRED
    out: dict[int, Outcome] = {}
    for nid, community in nominees:
        n_votes = votes.get(nid, 0)
        top = best_in_community[community]
        vote_score = _round(HUNDRED * n_votes / top) if top else Decimal(0)
        members = points.get(nid, {})
        panel_score = (
            _round(
                sum((HUNDRED * p / max_points for p in members.values()), Decimal(0)) / len(members)
            )
            if members and max_points
            else Decimal(0)
        )
        if method == Method.VOTES:
            score, shown_panel, shown_votes = vote_score, None, vote_score
        elif method == Method.PANEL:
            score, shown_panel, shown_votes = panel_score, panel_score, None
        else:
            score = _round(weight * vote_score + (1 - weight) * panel_score)
            shown_panel, shown_votes = panel_score, vote_score
        out[nid] = Outcome(n_votes, shown_votes, shown_panel, score)
    ordered = sorted(out.items(), key=lambda item: (-item[1].score, item[0]))
    rank, previous = 0, None
    for position, (_nid, outcome) in enumerate(ordered, start=1):
        if outcome.score != previous:
            rank, previous = position, outcome.score
        outcome.rank = rank
    for outcome in out.values():
        if kind == Kind.STAR_BUILDING:
            outcome.stars = stars_for(outcome.score, star_thresholds)
            outcome.is_winner = outcome.stars > 0
        else:
            outcome.is_winner = outcome.rank <= winners and outcome.score > 0
    return out
