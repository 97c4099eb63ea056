"""The Method of Equal Shares (MES) for approval ballots with costs — pure, no database.

Each round chooses its selection method before voting opens (`Round.method`): greedy (fill the
budget in vote order, services.select_projects) or equal shares (this module). The results page
shows both outcomes side by side; the chosen one is binding.

The rule, as on equalshares.net (Peters & Skowron, "Proportional participatory budgeting with
additive utilities", 2021) for approval ballots:

1. The budget is split equally among the voters (the residents who voted in the round).
2. A project can be funded when its supporters, who each pay at most what is left of their
   share, can cover its cost. Among those, the project whose cost can be split with the smallest
   largest payment per supporter — the highest "effective vote count" (cost / payment) — is
   funded and its supporters pay (those with less than the payment pay all they have left).
3. Repeat until no project can be funded.

Completion ("add1u" on equalshares.net): MES with the real budget usually leaves money over, so
the per-voter share is raised step by step ("add1": one yuan per voter while the share is under
100 yuan, otherwise 1 % of the share, at most `ADD1_MAX_STEPS` steps) and MES is re-run; the
last outcome that still fits the real budget is kept. What is still left is then filled
greedily in vote order (utilitarian completion). Exact rational arithmetic throughout.

Ties between projects with the same effective vote count: lower cost, then more votes, then
the caller's order (earlier proposal), then the key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

ADD1_MAX_STEPS = 400

STAGE_MES = "mes"  # funded by the voters' equal shares (after add1 completion)
STAGE_GREEDY = "greedy"  # added by the greedy completion of what was left


@dataclass
class FixedResult:
    winners: list[Hashable]
    payments: dict[Hashable, dict[Hashable, Fraction]]  # project → voter → paid
    left: dict[Hashable, Fraction]  # voter → what is left of the share


@dataclass
class Outcome:
    winners: list[Hashable]  # in the order they were funded
    stage: dict[Hashable, str] = field(default_factory=dict)
    share: Fraction = Fraction(0)  # the per-voter share of the kept MES run

    @property
    def selected(self) -> set[Hashable]:
        return set(self.winners)


def _frac(value: object) -> Fraction:
    return Fraction(Decimal(str(value))) if not isinstance(value, Fraction) else value


def fixed_budget(
    share: Fraction,
    costs: Mapping[Hashable, Fraction],
    approvers: Mapping[Hashable, list[Hashable]],
    voters: Iterable[Hashable],
    tie_key: Callable[[Hashable], Any] | None = None,
) -> FixedResult:
    """MES with every voter given `share`; no completion."""
    left = {i: Fraction(share) for i in voters}
    tie_key = tie_key or (lambda c: (costs[c], -len(approvers[c]), str(c)))
    remaining = {c: Fraction(len(approvers[c])) for c in costs if costs[c] > 0 and approvers[c]}
    winners: list[Hashable] = []
    payments: dict[Hashable, dict[Hashable, Fraction]] = {}
    while True:
        best: list[Hashable] = []
        best_eff = Fraction(0)
        for c in sorted(remaining, key=lambda c: (-remaining[c], tie_key(c))):
            if remaining[c] < best_eff:
                break  # effective vote counts only fall: c cannot beat the best any more
            cost = costs[c]
            if sum(left[i] for i in approvers[c]) < cost:
                del remaining[c]  # its supporters cannot afford it now, nor later
                continue
            paid, payers = Fraction(0), len(approvers[c])
            for i in sorted(approvers[c], key=lambda i: (left[i], str(i))):
                payment = (cost - paid) / payers
                if payment > left[i]:
                    paid += left[i]
                    payers -= 1
                    continue
                eff = cost / payment
                remaining[c] = eff
                if eff > best_eff:
                    best_eff, best = eff, [c]
                elif eff == best_eff:
                    best.append(c)
                break
        if not best:
            return FixedResult(winners, payments, left)
        chosen = min(best, key=tie_key)
        winners.append(chosen)
        del remaining[chosen]
        payment = costs[chosen] / best_eff
        paid_here = {}
        for i in approvers[chosen]:
            pay = min(payment, left[i])
            left[i] -= pay
            paid_here[i] = pay
        payments[chosen] = paid_here


def equal_shares(
    budget: object,
    costs: Mapping[Hashable, object],
    ballots: Mapping[Hashable, Iterable[Hashable]],
    order: Mapping[Hashable, object] | None = None,
) -> Outcome:
    """MES with add1 completion, then greedy completion.

    `costs`: project → cost (yuan; Decimal, int or str); `ballots`: voter → the projects they
    approve; `order`: project → a sortable tie-break (earlier proposal first)."""
    total = _frac(budget)
    cost = {c: _frac(v) for c, v in costs.items()}
    approvers: dict[Hashable, list[Hashable]] = {c: [] for c in cost}
    for voter, chosen in ballots.items():
        for c in set(chosen):
            if c in approvers:
                approvers[c].append(voter)
    voters = [v for v, chosen in ballots.items() if any(c in approvers for c in chosen)]
    order = order or {}

    def tie_key(c: Hashable) -> tuple[Any, ...]:
        return (cost[c], -len(approvers[c]), order.get(c, 0), str(c))

    if not voters or total <= 0:
        return Outcome([], {}, Fraction(0))

    def spent(winners: Iterable[Hashable]) -> Fraction:
        return sum((cost[c] for c in winners), Fraction(0))

    def exhaustive(winners: list[Hashable]) -> bool:
        used = spent(winners)
        return all(c in winners or used + cost[c] > total for c in cost if approvers[c])

    share = total / len(voters)
    winners = fixed_budget(share, cost, approvers, voters, tie_key).winners
    kept_share = share
    step = Fraction(1) if share < 100 else Fraction(math.floor(share)) / 100
    current = Fraction(math.floor(share))
    for _ in range(ADD1_MAX_STEPS):
        if exhaustive(winners):
            break
        current += step
        trial = fixed_budget(current, cost, approvers, voters, tie_key).winners
        if spent(trial) > total:
            break
        winners, kept_share = trial, current
    stage = {c: STAGE_MES for c in winners}
    used = spent(winners)
    rest = sorted(
        (c for c in cost if c not in stage and approvers[c]),
        key=lambda c: (-len(approvers[c]), cost[c], order.get(c, 0), str(c)),
    )
    for c in rest:
        if used + cost[c] <= total:
            winners.append(c)
            stage[c] = STAGE_GREEDY
            used += cost[c]
    return Outcome(winners, stage, kept_share)
