"""The count of an owners' vote under Civil Code article 278 — pure, exact arithmetic.

民法典第二百七十八条第二款: 业主共同决定事项,应当由专有部分面积占比三分之二以上的业主且人数占比
三分之二以上的业主参与表决。决定前款第六项至第八项规定的事项,应当经参与表决专有部分面积四分之
三以上的业主且参与表决人数四分之三以上的业主同意。决定前款其他事项,应当经参与表决专有部分面积
过半数的业主且参与表决人数过半数的业主同意。

Reading: 以上 includes the figure itself (民法典第1259条: "民法所称的以上、以下、以内、届满,包括本数";
 刑法第99条 likewise), so two thirds and three quarters are ">="; 过半数 is "more than half",
strictly ">". Participation counts every owner who cast a ballot, abstentions included.
Fractions are compared with integers (3 × part >= 2 × total), never with floats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

YES, NO, ABSTAIN = "yes", "no", "abstain"
ORDINARY, MAJOR = "ordinary", "major"


@dataclass(frozen=True)
class Result:
    matter: str
    total_area: Decimal
    total_owners: int
    part_area: Decimal
    part_owners: int
    yes_area: Decimal
    yes_owners: int
    no_area: Decimal
    no_owners: int
    abstain_area: Decimal
    abstain_owners: int
    participation_area_ok: bool
    participation_owners_ok: bool
    approval_area_ok: bool
    approval_owners_ok: bool

    @property
    def participation_ok(self) -> bool:
        return self.participation_area_ok and self.participation_owners_ok

    @property
    def passed(self) -> bool:
        return self.participation_ok and self.approval_area_ok and self.approval_owners_ok

    def as_json(self) -> dict[str, Any]:
        data = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(self).items()}
        data["participation_ok"] = self.participation_ok
        data["passed"] = self.passed
        return data


def _approved(matter: str, yes: Decimal | int, part: Decimal | int) -> bool:
    if matter == MAJOR:
        return part > 0 and 4 * yes >= 3 * part  # 四分之三以上
    return 2 * yes > part  # 过半数


def count(
    roll: Iterable[tuple[object, Decimal]],
    ballots: Iterable[tuple[object, str]],
    matter: str,
) -> Result:
    """`roll`: (owner key, area) for every owner on the frozen roll; `ballots`: (owner key,
    choice) for every ballot, at most one per owner (the database guarantees it)."""
    areas = dict(roll)
    total_area = sum(areas.values(), Decimal(0))
    total_owners = len(areas)
    area = {YES: Decimal(0), NO: Decimal(0), ABSTAIN: Decimal(0)}
    heads = {YES: 0, NO: 0, ABSTAIN: 0}
    for key, choice in ballots:
        area[choice] += areas[key]
        heads[choice] += 1
    part_area = sum(area.values(), Decimal(0))
    part_owners = sum(heads.values())
    return Result(
        matter=matter,
        total_area=total_area,
        total_owners=total_owners,
        part_area=part_area,
        part_owners=part_owners,
        yes_area=area[YES],
        yes_owners=heads[YES],
        no_area=area[NO],
        no_owners=heads[NO],
        abstain_area=area[ABSTAIN],
        abstain_owners=heads[ABSTAIN],
        # 三分之二以上; an empty roll never reaches a quorum.
        participation_area_ok=total_area > 0 and 3 * part_area >= 2 * total_area,
        participation_owners_ok=total_owners > 0 and 3 * part_owners >= 2 * total_owners,
        approval_area_ok=_approved(matter, area[YES], part_area),
        approval_owners_ok=_approved(matter, heads[YES], part_owners),
    )
