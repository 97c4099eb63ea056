"""Selection on hand-made budgets: vote order, skipping what no longer fits, tie-breaks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from gongzhi.microprojects.models import Selection
from gongzhi.microprojects.services import Candidate, select_projects

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def c(key, votes, cost, minutes=0):
    return Candidate(key, votes, Decimal(cost), T0 + dt.timedelta(minutes=minutes))


def picked(decisions):
    return [d.key for d in decisions if d.selection == Selection.SELECTED]


def test_fills_in_vote_order_and_skips_what_no_longer_fits():
    # Budget 300,000: A (120k, 50 votes), B (150k, 40), C (80k, 30), D (30k, 20).
    # A + B = 270k; C (80k) > 30k remaining → skipped; D (30k) fits exactly.
    decisions = select_projects(
        Decimal("300000"),
        [c("A", 50, "120000"), c("B", 40, "150000"), c("C", 30, "80000"), c("D", 20, "30000")],
    )
    assert picked(decisions) == ["A", "B", "D"]
    skipped = [d for d in decisions if d.selection == Selection.SKIPPED]
    assert [(d.key, d.remaining_before) for d in skipped] == [("C", Decimal("30000"))]
    assert [d.rank for d in decisions] == [1, 2, 3, 4]


def test_exact_fit_is_taken():
    decisions = select_projects(Decimal("100"), [c("A", 3, "60"), c("B", 2, "40")])
    assert picked(decisions) == ["A", "B"]


def test_one_fen_over_is_skipped():
    decisions = select_projects(Decimal("100"), [c("A", 3, "60"), c("B", 2, "40.01")])
    assert picked(decisions) == ["A"]
    assert decisions[1].selection == Selection.SKIPPED
    assert decisions[1].remaining_before == Decimal("40")


def test_one_yuan_over_is_skipped_and_a_cheaper_one_still_fits():
    decisions = select_projects(Decimal("100"), [c("A", 3, "60"), c("B", 2, "41"), c("C", 1, "40")])
    assert picked(decisions) == ["A", "C"]
    assert [(d.key, d.selection) for d in decisions][1] == ("B", Selection.SKIPPED)


def test_top_project_larger_than_budget_is_skipped():
    decisions = select_projects(Decimal("1000"), [c("Big", 9, "1000.01"), c("S", 1, "10")])
    assert picked(decisions) == ["S"]


def test_ties_lower_cost_then_earlier_proposal():
    decisions = select_projects(
        Decimal("100"),
        [c("late-cheap", 5, "50", 10), c("early-dear", 5, "80", 0), c("early-cheap", 5, "50", 0)],
    )
    assert [d.key for d in decisions] == ["early-cheap", "late-cheap", "early-dear"]
    assert picked(decisions) == ["early-cheap", "late-cheap"]


def test_projects_without_votes_are_not_selected():
    decisions = select_projects(Decimal("100"), [c("A", 0, "10")])
    assert decisions[0].selection == Selection.NO_VOTES
    assert picked(select_projects(Decimal("100"), [])) == []
