"""Mediation figures (issue 18 item 5) by month and committee — counts only, never a name.
Definitions (docs/mediation.md "Figures"):

- opened: cases opened in the month at the committee (the committee that first took them);
- agreed / no agreement / withdrawn: of those cases, the latest outcome recorded (a reopened or
  referred-up case without a new outcome counts as pending);
- success rate: agreed ÷ (agreed + no agreement);
- settled in the community (矛盾不上交): agreed at a community committee ÷ (agreed + no agreement);
- agreements kept: agreements signed in the month that were checked at a follow-up visit and not
  found broken ÷ those checked (a broken agreement counts as checked).
Two queries whatever the number of cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone

from gongzhi.core import inputs
from gongzhi.core.types import Viewer
from gongzhi.mediation import selectors
from gongzhi.mediation.models import Agreement, CaseEvent, FollowUp, Level
from gongzhi.mediation.workflow import Step

OUTCOME_STEPS = (Step.AGREE, Step.FAIL, Step.WITHDRAW, Step.REOPEN, Step.REFER_UP)


def year_of(request: HttpRequest) -> int:
    return inputs.year(request)


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class Row:
    committee: str
    month: int
    opened: int = 0
    agreed: int = 0
    no_agreement: int = 0
    withdrawn: int = 0
    pending: int = 0
    agreed_in_community: int = 0
    agreements_checked: int = 0
    agreements_kept: int = 0

    @property
    def success_rate(self) -> Decimal | None:
        return _rate(self.agreed, self.agreed + self.no_agreement)

    @property
    def community_share(self) -> Decimal | None:
        return _rate(self.agreed_in_community, self.agreed + self.no_agreement)

    @property
    def kept_rate(self) -> Decimal | None:
        return _rate(self.agreements_kept, self.agreements_checked)


def figures(user: Viewer, year: int) -> list[Row]:
    """One row per (committee that opened the cases, month), plus a total row (month 0)."""
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"), step__in=OUTCOME_STEPS)
        .order_by("-at", "-id")
        .values("step")[:1]
    )
    cases = (
        selectors.known_cases(user)
        .filter(opened_at__year=year)
        .annotate(last_outcome=Subquery(last))
        .values("opened_at", "last_outcome", "committee__level", "origin_committee__name")
    )
    rows: dict[tuple[str, int], Row] = {}
    total = Row(committee="", month=0)

    def row(name: str, month: int) -> Row:
        return rows.setdefault((name, month), Row(committee=name, month=month))

    for c in cases:
        month = timezone.localtime(c["opened_at"]).month
        for r in (row(c["origin_committee__name"], month), total):
            r.opened += 1
            outcome = c["last_outcome"]
            if outcome == Step.AGREE:
                r.agreed += 1
                if c["committee__level"] == Level.COMMUNITY:
                    r.agreed_in_community += 1
            elif outcome == Step.FAIL:
                r.no_agreement += 1
            elif outcome == Step.WITHDRAW:
                r.withdrawn += 1
            else:
                r.pending += 1
    visited = FollowUp.objects.filter(
        case=OuterRef("case"), kept=True, visited_on__gte=OuterRef("signed_on")
    )
    known = selectors.known_cases(user).values("pk")
    agreements = (
        Agreement.objects.filter(case__in=known, signed_on__year=year)
        .annotate(visited=Exists(visited))
        .filter(Q(visited=True) | Q(broken_on__isnull=False))
        .values("signed_on", "broken_on", name=F("case__origin_committee__name"))
    )
    for a in agreements:
        for r in (row(a["name"], a["signed_on"].month), total):
            r.agreements_checked += 1
            if a["broken_on"] is None:
                r.agreements_kept += 1
    ordered = sorted(rows.values(), key=lambda r: (r.month, r.committee))
    return [*ordered, total] if ordered else []
