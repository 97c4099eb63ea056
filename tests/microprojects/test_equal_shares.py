"""The Method of Equal Shares (pure module): published worked examples and properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.microprojects import equal_shares
from gongzhi.microprojects.services import Candidate, select_equal_shares, select_projects


def _approvers(ballots, costs):
    return {c: [v for v, chosen in ballots.items() if c in chosen] for c in costs}


def test_lackner_skowron_example_11_phase_one():
    """Lackner & Skowron, "Multi-Winner Voting with Approval Preferences" (2023), Example 11
    (also abcvoting's test output): 12 voters 3×{a,b}, 3×{a,c}, 2×{a,d}, {b,c,f}, {e}, {f},
    {g}; unit costs, committee size 4 (budget 4). Phase one of Rule X / MES funds only a, at
    1/8 per supporter, leaving the eight supporters of a with 5/24 and the others with 1/3."""
    ballots, n = {}, 0
    for count, chosen in (
        (3, "ab"),
        (3, "ac"),
        (2, "ad"),
        (1, "bcf"),
        (1, "e"),
        (1, "f"),
        (1, "g"),
    ):
        for _ in range(count):
            n += 1
            ballots[n] = set(chosen)
    costs = {c: Fraction(1) for c in "abcdefgh"}
    result = equal_shares.fixed_budget(
        Fraction(4, 12), costs, _approvers(ballots, costs), list(ballots)
    )
    assert result.winners == ["a"]
    assert [result.left[v] for v in range(1, 13)] == [Fraction(5, 24)] * 8 + [Fraction(1, 3)] * 4
    assert all(pay == Fraction(1, 8) for pay in result.payments["a"].values())


def test_wikipedia_51_49_example_with_add1_completion():
    """Wikipedia, "Method of Equal Shares" (motivation): 51 % support 10 red projects, 49 % 10
    blue ones, money for 10. Greedy takes the 10 red ones; equal shares 5 red and 5 blue (MES
    alone funds 5 + 4; add1 completion raises the shares until the fifth blue one fits)."""
    ballots = {
        i: {f"r{j}" for j in range(10)} if i < 51 else {f"b{j}" for j in range(10)}
        for i in range(100)
    }
    costs = {**{f"r{j}": 100 for j in range(10)}, **{f"b{j}": 100 for j in range(10)}}
    first = equal_shares.fixed_budget(
        Fraction(10),
        {c: Fraction(v) for c, v in costs.items()},
        _approvers(ballots, costs),
        list(ballots),
    )
    assert len(first.winners) == 9
    outcome = equal_shares.equal_shares(1000, costs, ballots)
    red = [c for c in outcome.winners if c.startswith("r")]
    assert (len(red), len(outcome.winners)) == (5, 10)
    assert set(outcome.stage.values()) == {equal_shares.STAGE_MES}
    candidates = [Candidate(c, 51 if c.startswith("r") else 49, Decimal(100), c) for c in costs]
    greedy = [
        d.key for d in select_projects(Decimal(1000), candidates) if d.selection == "selected"
    ]
    assert all(c.startswith("r") for c in greedy) and len(greedy) == 10


def test_greedy_completion_fills_what_is_left():
    """Two voters, budget 100 (50 each), each wants a different 60 project: no share covers
    one; raising the shares funds both at once (120 > 100), so add1 stops with nothing and the
    greedy completion funds the earlier proposal."""
    outcome = equal_shares.equal_shares(
        100, {"X": 60, "Y": 60}, {1: {"X"}, 2: {"Y"}}, {"X": 1, "Y": 2}
    )
    assert outcome.winners == ["X"]
    assert outcome.stage == {"X": equal_shares.STAGE_GREEDY}


def test_nobody_voted_funds_nothing():
    assert equal_shares.equal_shares(100, {"X": 10}, {}).winners == []
    decisions, stages = select_equal_shares(Decimal(100), [Candidate("X", 0, Decimal(10), 1)], {})
    assert [d.selection for d in decisions] == ["no_votes"] and stages == {}


# --------------------------------------------------------------------------- properties

PROJECTS = [f"p{i}" for i in range(6)]


@st.composite
def elections(draw):
    costs = {p: draw(st.integers(min_value=1, max_value=500)) for p in PROJECTS}
    voters = draw(st.integers(min_value=1, max_value=12))
    ballots = {
        v: set(draw(st.lists(st.sampled_from(PROJECTS), max_size=4, unique=True)))
        for v in range(voters)
    }
    budget = draw(st.integers(min_value=1, max_value=1500))
    return budget, costs, ballots


@settings(max_examples=60, deadline=None)
@given(elections())
def test_budget_is_never_exceeded(election):
    budget, costs, ballots = election
    outcome = equal_shares.equal_shares(budget, costs, ballots)
    assert sum(costs[c] for c in outcome.winners) <= budget
    assert len(set(outcome.winners)) == len(outcome.winners)
    # Only projects someone voted for are funded.
    voted = set().union(*ballots.values())
    assert set(outcome.winners) <= voted
    votes = {p: sum(p in b for b in ballots.values()) for p in PROJECTS}
    candidates = [Candidate(p, votes[p], Decimal(costs[p]), i) for i, p in enumerate(PROJECTS)]
    greedy = select_projects(Decimal(budget), candidates)
    assert sum(costs[d.key] for d in greedy if d.selection == "selected") <= budget


@settings(max_examples=60, deadline=None)
@given(elections())
def test_mes_result_is_affordable_from_equal_shares(election):
    budget, costs, ballots = election
    voters = [v for v, b in ballots.items() if b]
    if not voters:
        return
    share = Fraction(budget, len(voters))
    cost = {c: Fraction(v) for c, v in costs.items()}
    result = equal_shares.fixed_budget(share, cost, _approvers(ballots, costs), voters)
    paid = dict.fromkeys(voters, Fraction(0))
    for project in result.winners:
        payments = result.payments[project]
        assert sum(payments.values()) == cost[project]  # each funded project is paid in full
        for voter, amount in payments.items():
            assert project in ballots[voter] and amount >= 0  # only by its supporters
            paid[voter] += amount
    for voter in voters:
        assert paid[voter] <= share  # nobody pays more than their equal share
        assert result.left[voter] == share - paid[voter]


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=1, max_value=30),
    st.integers(min_value=1, max_value=8),
)
def test_proportional_for_two_groups(group_a, group_b, seats):
    """Two groups each approve their own projects (unit cost 10, budget for `seats`): each
    group gets at least its proportional number of projects, rounded down — greedy can give
    the larger group everything."""
    ballots = {
        **{f"a{i}": {f"A{j}" for j in range(seats)} for i in range(group_a)},
        **{f"b{i}": {f"B{j}" for j in range(seats)} for i in range(group_b)},
    }
    costs = {**{f"A{j}": 10 for j in range(seats)}, **{f"B{j}": 10 for j in range(seats)}}
    outcome = equal_shares.equal_shares(10 * seats, costs, ballots)
    n = group_a + group_b
    got_a = sum(c.startswith("A") for c in outcome.winners)
    got_b = sum(c.startswith("B") for c in outcome.winners)
    assert got_a >= seats * group_a // n
    assert got_b >= seats * group_b // n
    assert got_a + got_b <= seats
