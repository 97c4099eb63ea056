"""The results computed by hand (docs/selections.md "How results are computed")."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gongzhi.selections import rules
from gongzhi.selections.models import Kind, Method

NOMINEES = [(1, 10), (2, 10), (3, 20)]
VOTES = {1: 10, 2: 5, 3: 2}
POINTS = {1: {100: 80, 101: 90}, 2: {100: 50}}
THRESHOLDS = [60, 70, 80, 90, 95]


def run(kind, method, winners=10):
    return rules.compute(
        kind=kind,
        method=method,
        vote_weight_percent=40,
        winners=winners,
        star_thresholds=THRESHOLDS,
        max_points=100,
        nominees=NOMINEES,
        votes=VOTES,
        points=POINTS,
    )


def test_combined_star_buildings_by_hand():
    out = run(Kind.STAR_BUILDING, Method.COMBINED)
    # vote score: 100 × votes ÷ the community's best (10 → 100, 5 → 50; community 20: 2 → 100)
    assert [out[i].vote_score for i in (1, 2, 3)] == [Decimal(100), Decimal(50), Decimal(100)]
    # panel: mean of 80 and 90 → 85; 50; nobody scored 3 → 0
    assert [out[i].panel_score for i in (1, 2, 3)] == [Decimal(85), Decimal(50), Decimal(0)]
    # 0.4 × 100 + 0.6 × 85 = 91; 0.4 × 50 + 0.6 × 50 = 50; 0.4 × 100 = 40
    assert [out[i].score for i in (1, 2, 3)] == [Decimal(91), Decimal(50), Decimal(40)]
    assert [out[i].stars for i in (1, 2, 3)] == [4, 0, 0]
    assert [out[i].rank for i in (1, 2, 3)] == [1, 2, 3]
    assert [out[i].is_winner for i in (1, 2, 3)] == [True, False, False]


def test_votes_only_ties_share_a_rank_and_are_all_named():
    out = run(Kind.BEST_BUILDING_HEAD, Method.VOTES, winners=1)
    assert [out[i].rank for i in (1, 2, 3)] == [1, 3, 1]
    assert [out[i].is_winner for i in (1, 2, 3)] == [True, False, True]
    assert out[1].panel_score is None


def test_panel_only_names_nobody_with_no_points():
    out = run(Kind.BEST_BUILDING_HEAD, Method.PANEL, winners=3)
    assert [out[i].score for i in (1, 2, 3)] == [Decimal(85), Decimal(50), Decimal(0)]
    assert [out[i].is_winner for i in (1, 2, 3)] == [True, True, False]
    assert out[1].vote_score is None


@pytest.mark.parametrize(
    ("score", "stars"), [("59.99", 0), ("60", 1), ("79.5", 2), ("90", 4), ("95", 5), ("100", 5)]
)
def test_star_thresholds(score, stars):
    assert rules.stars_for(Decimal(score), THRESHOLDS) == stars


def test_rules_come_from_the_profile_with_platform_defaults(world, profile_dir):
    out = rules.rules_for(world.street_a, Kind.STAR_BUILDING)
    assert out["votes_per_voter"] == 3 and out["vote_weight_percent"] == 40
    assert out["star_thresholds"] == [60, 70, 80, 90, 95]
    assert [c["code"] for c in out["criteria"]] == list(rules.CRITERIA[Kind.STAR_BUILDING])
    (profile_dir / "sel-test.yaml").write_text(
        "source: test\ntitle: test\nselections:\n  votes_per_voter: 5\n"
        "  vote_share_percent: 70\n  points:\n    tidy: 30\n",
        encoding="utf-8",
    )
    world.street_a.policy_profile = "sel-test"
    world.street_a.save()
    out = rules.rules_for(world.street_a, Kind.STAR_BUILDING)
    assert out["votes_per_voter"] == 5 and out["vote_weight_percent"] == 70
    assert out["criteria"][0] == {"code": "tidy", "max": 30}
