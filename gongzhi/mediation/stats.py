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

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongzhi.core import exports, inputs
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


BY = ("committee", "level")


def _group(values: Mapping[str, Any], by: str) -> str:
    """The row label: the committee that opened the case, or its level (by level: the street
    and the district see what their communities, their street and they themselves opened)."""
    if by == "level":
        level = str(values["origin_committee__level"])
        return str(Level(level).label) if level in Level.values else level
    return str(values["origin_committee__name"])


def figures(user: Viewer, year: int, by: str = "committee") -> list[Row]:
    """One row per (committee that opened the cases — or its level —, month), plus a total row
    (month 0)."""
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"), step__in=OUTCOME_STEPS)
        .order_by("-at", "-id")
        .values("step")[:1]
    )
    cases = (
        selectors.known_cases(user)
        .filter(opened_at__year=year)
        .annotate(last_outcome=Subquery(last))
        .values(
            "opened_at",
            "last_outcome",
            "committee__level",
            "origin_committee__name",
            "origin_committee__level",
        )
    )
    rows: dict[tuple[str, int], Row] = {}
    total = Row(committee="", month=0)

    def row(name: str, month: int) -> Row:
        return rows.setdefault((name, month), Row(committee=name, month=month))

    for c in cases:
        month = timezone.localtime(c["opened_at"]).month
        for r in (row(_group(c, by), month), total):
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
        .values(
            "signed_on",
            "broken_on",
            origin_committee__name=F("case__origin_committee__name"),
            origin_committee__level=F("case__origin_committee__level"),
        )
    )
    for a in agreements:
        for r in (row(_group(a, by), a["signed_on"].month), total):
            r.agreements_checked += 1
            if a["broken_on"] is None:
                r.agreements_kept += 1
    ordered = sorted(rows.values(), key=lambda r: (r.month, r.committee))
    return [*ordered, total] if ordered else []


def by_of(request: HttpRequest) -> str:
    by = request.GET.get("by", "")
    return by if by in BY else "committee"


COLUMNS = (
    ("month", _("Month")),
    ("committee", _("Committee or level")),
    ("opened", _("Opened")),
    ("agreed", _("Agreement reached")),
    ("no_agreement", _("No agreement")),
    ("withdrawn", _("Withdrawn")),
    ("pending", _("Pending")),
    ("success_rate", _("Success rate (%)")),
    ("community_share", _("Settled in the community (%)")),
    ("agreements_checked", _("Agreements checked")),
    ("agreements_kept", _("Agreements kept")),
    ("kept_rate", _("Agreements kept (%)")),
)


def xlsx(user: Viewer, year: int, by: str = "committee") -> bytes:
    """The figures as a spreadsheet, through the platform's one writer (core.exports); the
    total row's month reads "Total". Counts only: no party is named."""
    rows = []
    for r in figures(user, year, by):
        cells: list[object] = []
        for name, _label in COLUMNS:
            value = getattr(r, name)
            if name == "month" and not value:
                value = str(_("Total"))
            cells.append(value)
        rows.append(cells)
    return exports.write_xlsx(rows, [str(label) for _name, label in COLUMNS], title=str(year))
