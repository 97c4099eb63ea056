"""Article 278 thresholds on hand-made electorates at and around every boundary, and the tally
against an independent count with fractions.Fraction on random electorates."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.owners.tally import MAJOR, ORDINARY, count


def electorate(areas, ballots, matter=ORDINARY):
    roll = [(i, Decimal(a)) for i, a in enumerate(areas)]
    return count(roll, list(ballots.items()), matter)


# Nine owners of 100 m² each: 900 m², 9 heads. Two thirds = 6 owners / 600 m².
NINE = ["100"] * 9


def test_participation_exactly_two_thirds_is_enough():
    r = electorate(NINE, {i: "yes" for i in range(6)})
    assert (r.part_owners, r.part_area) == (6, Decimal("600"))
    assert r.participation_area_ok and r.participation_owners_ok and r.passed


def test_participation_one_owner_short_fails():
    r = electorate(NINE, {i: "yes" for i in range(5)})
    assert not r.participation_owners_ok and not r.participation_area_ok
    assert not r.passed


def test_area_met_but_headcount_not():
    # One big owner (600 m²) and five small ones (60 m²): total 900 m², 6 heads.
    areas = ["600", "60", "60", "60", "60", "60"]
    r = electorate(areas, {0: "yes", 1: "yes", 2: "yes"})
    assert r.part_area == Decimal("720") and r.participation_area_ok  # 720 ≥ 600
    assert r.part_owners == 3 and not r.participation_owners_ok  # 3 < 4
    assert not r.passed


def test_headcount_met_but_area_not():
    areas = ["600", "60", "60", "60", "60", "60"]
    r = electorate(areas, {i: "yes" for i in range(1, 6)})
    assert r.participation_owners_ok and not r.participation_area_ok  # 300 < 600
    assert not r.passed


def test_two_thirds_area_one_cent_short():
    # 3 owners, total 300.03 m²: two thirds is 200.02 m².
    r = electorate(["100.01", "100.01", "100.01"], {0: "yes", 1: "yes"})
    assert r.participation_area_ok  # 200.02 is exactly two thirds
    r = electorate(["100.01", "100.00", "100.02"], {0: "yes", 1: "yes"})
    assert not r.participation_area_ok  # 200.01 < 200.02


def test_ordinary_needs_more_than_half():
    # 6 participants of 100 m²: 3 yes is exactly half → fails; 4 yes passes.
    half = electorate(NINE, {0: "yes", 1: "yes", 2: "yes", 3: "no", 4: "no", 5: "abstain"})
    assert not half.approval_owners_ok and not half.approval_area_ok and not half.passed
    more = electorate(NINE, {0: "yes", 1: "yes", 2: "yes", 3: "yes", 4: "no", 5: "no"})
    assert more.approval_owners_ok and more.approval_area_ok and more.passed


def test_abstentions_count_as_participation_not_as_yes():
    r = electorate(NINE, {0: "yes", 1: "yes", 2: "yes", 3: "yes", 4: "abstain", 5: "abstain"})
    assert r.participation_ok and r.part_owners == 6 and r.abstain_owners == 2
    assert r.passed  # 4 of 6 > half
    r = electorate(NINE, {0: "yes", 1: "yes", 2: "yes", 3: "abstain", 4: "abstain", 5: "abstain"})
    assert not r.passed  # 3 of 6 is not more than half


def test_major_needs_three_quarters_inclusive():
    # 8 participants of 100 m²: 6 yes = exactly 3/4 → passes; 5 yes → fails.
    eight = ["100"] * 8
    yes6 = {i: "yes" for i in range(6)} | {6: "no", 7: "no"}
    assert electorate(eight, yes6, MAJOR).passed
    yes5 = {i: "yes" for i in range(5)} | {5: "no", 6: "no", 7: "no"}
    r = electorate(eight, yes5, MAJOR)
    assert not r.approval_owners_ok and not r.passed
    # The same 5 of 8 passes as an ordinary matter.
    assert electorate(eight, yes5, ORDINARY).passed


def test_major_area_three_quarters_but_headcount_not():
    # 4 participants: one of 300 m² and three of 50 m² (total 450). Yes: the big one + one small
    # = 350 m² ≥ 337.5 (3/4 of area) but 2 of 4 heads < 3/4.
    r = electorate(["300", "50", "50", "50"], {0: "yes", 1: "yes", 2: "no", 3: "no"}, MAJOR)
    assert r.approval_area_ok and not r.approval_owners_ok and not r.passed


def test_empty_roll_and_no_ballots_never_pass():
    assert not electorate([], {}).passed
    assert not electorate(NINE, {}).passed
    assert not electorate(NINE, {}, MAJOR).passed


# ----------------------------------------------------------------- independent computation


def reference(areas, ballots, matter):
    """Straight from the text of art. 278, with Fractions: every threshold flag, the area and
    head sums, and the outcome."""
    total_a = sum((Fraction(a) for a in areas), Fraction(0))
    total_n = len(areas)
    part = list(ballots)
    part_a = sum((Fraction(areas[i]) for i in part), Fraction(0))
    sums = {}
    for choice in ("yes", "no", "abstain"):
        who = [i for i, c in ballots.items() if c == choice]
        sums[choice] = (sum((Fraction(areas[i]) for i in who), Fraction(0)), len(who))
    yes_a, yes_n = sums["yes"]
    quorum_area = total_a > 0 and part_a / total_a >= Fraction(2, 3)
    quorum_heads = total_n > 0 and Fraction(len(part), total_n) >= Fraction(2, 3)
    if not part:
        approve_area = approve_heads = False
    elif matter == MAJOR:
        approve_area = yes_a / part_a >= Fraction(3, 4)
        approve_heads = Fraction(yes_n, len(part)) >= Fraction(3, 4)
    else:
        approve_area = yes_a / part_a > Fraction(1, 2)
        approve_heads = Fraction(yes_n, len(part)) > Fraction(1, 2)
    return {
        "total_area": total_a,
        "total_owners": total_n,
        "part_area": part_a,
        "part_owners": len(part),
        "yes_area": yes_a,
        "yes_owners": yes_n,
        "no_area": sums["no"][0],
        "no_owners": sums["no"][1],
        "abstain_area": sums["abstain"][0],
        "abstain_owners": sums["abstain"][1],
        "participation_area_ok": quorum_area,
        "participation_owners_ok": quorum_heads,
        "approval_area_ok": approve_area,
        "approval_owners_ok": approve_heads,
        "passed": quorum_area and quorum_heads and approve_area and approve_heads,
    }


def as_reference(r) -> dict:
    """The tally's result in the reference's terms (areas as exact fractions)."""
    got = {k: getattr(r, k) for k in reference([], {}, ORDINARY)}
    return {k: Fraction(v) if isinstance(v, Decimal) else v for k, v in got.items()}


areas_st = st.lists(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500"), places=2),
    min_size=1,
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(
    areas=areas_st,
    data=st.data(),
    matter=st.sampled_from([ORDINARY, MAJOR]),
)
def test_tally_matches_independent_count(areas, data, matter):
    choices = data.draw(
        st.lists(
            st.sampled_from([None, "yes", "no", "abstain"]),
            min_size=len(areas),
            max_size=len(areas),
        )
    )
    ballots = {i: c for i, c in enumerate(choices) if c is not None}
    r = electorate([str(a) for a in areas], ballots, matter)
    # Every threshold flag, every area and head sum, and the outcome agree.
    assert as_reference(r) == reference([str(a) for a in areas], ballots, matter)
    assert r.as_json()["passed"] == r.passed
    assert r.yes_owners + r.no_owners + r.abstain_owners == r.part_owners


@pytest.mark.parametrize("matter", [ORDINARY, MAJOR])
def test_reference_and_tally_agree_on_the_boundaries(matter):
    # Exhaustive over 6 equal owners: every combination of choices.
    import itertools

    for combo in itertools.product([None, "yes", "no", "abstain"], repeat=6):
        ballots = {i: c for i, c in enumerate(combo) if c}
        areas = ["80"] * 6
        assert as_reference(electorate(areas, ballots, matter)) == reference(areas, ballots, matter)
