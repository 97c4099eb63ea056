"""Reads of funds, purchased services and funding lines for a viewer, narrowed with
`access.scoped` (404 outside the `funds.view` scope); and the public reads of a fund (no login:
dates, amounts, 爱心人士 for an anonymous donor, the project — no personal data)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.funds import rules
from gongzhi.funds.models import (
    EntryKind,
    Fund,
    FundEntry,
    FundingLine,
    LineEntry,
    LineEntryKind,
    PurchasedService,
)
from gongzhi.microprojects.models import Project
from gongzhi.organisations.models import (
    Organisation,
    OrgStatus,
    VentureApplication,
    VentureStatus,
)
from gongzhi.places.compliance import Check, Status
from gongzhi.places.models import Place, PlaceKind

VIEW = Action.FUNDS_VIEW
MANAGE = Action.FUNDS_MANAGE


def _scoped(qs: QuerySet, user: Viewer, action: str = VIEW) -> QuerySet:
    return access.scoped(qs, user, action, path_field="place_path")


# --------------------------------------------------------------------------- funds


def funds(user: Viewer) -> QuerySet[Fund]:
    return (
        _scoped(Fund.objects.all(), user)
        .select_related("place")
        .annotate(balance_fen=F("account__balance"))
    )


def get_fund(user: Viewer, pk: int) -> Fund:
    return get_object_or_404(funds(user), pk=pk)


def fund_entries(fund: Fund) -> QuerySet[FundEntry]:
    return FundEntry.objects.filter(fund=fund).select_related(
        "micro_project", "venture_project", "recorded_by"
    )


@dataclass(frozen=True)
class Totals:
    donations_fen: int
    grants_fen: int

    @property
    def balance_fen(self) -> int:
        return self.donations_fen - self.grants_fen


def totals(fund: Fund) -> Totals:
    rows = dict(
        FundEntry.objects.filter(fund=fund)
        .order_by()
        .values("kind")
        .annotate(s=Sum("amount_fen"))
        .values_list("kind", "s")
    )
    return Totals(int(rows.get(EntryKind.DONATION) or 0), int(rows.get(EntryKind.GRANT) or 0))


def fund_places(user: Viewer) -> QuerySet[Place]:
    """Communities and districts where the user may create a fund."""
    return access.scoped(
        Place.objects.filter(kind__in=[PlaceKind.COMMUNITY, PlaceKind.DISTRICT]), user, MANAGE
    )


def grantable_micro_projects(fund: Fund) -> QuerySet[Project]:
    return Project.objects.filter(place_path__under=fund.place_path).order_by("-id")


def grantable_ventures(fund: Fund) -> QuerySet[VentureApplication]:
    return VentureApplication.objects.filter(
        place_path__under=fund.place_path,
        status__in=[VentureStatus.AWARDED, VentureStatus.REPORTED],
    ).order_by("-id")


# Public reads: every fund, every entry; nothing personal leaves (the donor's name only when
# the donor did not ask to be anonymous; never who recorded it).


def public_funds() -> QuerySet[Fund]:
    return Fund.objects.select_related("place").annotate(balance_fen=F("account__balance"))


def public_fund(pk: int) -> Fund:
    return get_object_or_404(public_funds(), pk=pk)


def public_entries(fund: Fund) -> QuerySet[FundEntry]:
    return (
        FundEntry.objects.filter(fund=fund)
        .select_related("micro_project", "venture_project")
        .only(
            "kind",
            "amount_fen",
            "on",
            "donor_name",
            "anonymous",
            "purpose",
            "micro_project__title",
            "venture_project__title",
            "fund_id",
        )
    )


# --------------------------------------------------------------------------- item 6


def purchases(user: Viewer, year: int | None = None) -> QuerySet[PurchasedService]:
    rows = _scoped(PurchasedService.objects.all(), user).select_related("community", "organisation")
    if year:
        rows = rows.filter(year=year)
    return rows


def get_purchase(user: Viewer, pk: int) -> PurchasedService:
    return get_object_or_404(purchases(user), pk=pk)


def communities(user: Viewer, action: str = MANAGE) -> QuerySet[Place]:
    return access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, action)


def suppliers(user: Viewer) -> QuerySet[Organisation]:
    """Social organisations on the register a purchase may name (not dissolved): those of the
    user's area and above it (a district organisation serves a community too)."""
    grants = access.grants(user, MANAGE)
    if any(g.everything for g in grants):
        rows = Organisation.objects.all()
    else:
        paths = [g.path for g in grants if g.path]
        if not paths:
            return Organisation.objects.none()
        district_roots = {p.split("/")[0] + "/" for p in paths}
        cond = Q()
        for root in district_roots:
            cond |= Q(place_path__under=root)
        rows = Organisation.objects.filter(cond)
    return rows.exclude(status=OrgStatus.DISSOLVED).order_by("name")


@dataclass
class ShareRow:
    community: Place
    total_fen: int
    social_fen: int
    check: Check

    @property
    def percent(self) -> Decimal | None:
        if not self.total_fen:
            return None
        return (Decimal(self.social_fen) * 100 / self.total_fen).quantize(
            Decimal("0.1"), rounding=ROUND_DOWN
        )


def share_rows(user: Viewer, year: int) -> list[ShareRow]:
    """Per community of the user's area: what was bought in `year` and the share from social
    organisations, as a compliance row against the profile's least share (000 §四: 40%)."""
    places = list(communities(user, VIEW).order_by("path"))
    sums = {
        community_id: (int(total or 0), int(social or 0))
        for community_id, total, social in purchases(user, year)
        .order_by()
        .values("community_id")
        .annotate(
            total=Sum("amount_fen"),
            social=Sum("amount_fen", filter=Q(organisation__isnull=False)),
        )
        .values_list("community_id", "total", "social")
    }
    rows = []
    for community in places:
        total, social = sums.get(community.pk, (0, 0))
        target = rules.social_share_target(community)
        percent = (Decimal(social) * 100 / total) if total else None
        if target.percent is None:
            status = Status.NOT_SET
        elif percent is None:
            status = Status.NOT_RECORDED
        elif percent >= Decimal(str(target.percent)):
            status = Status.OK
        else:
            status = Status.SHORT
        check = Check(
            key=rules.SOCIAL_SHARE,
            label=rules.SOCIAL_SHARE,
            status=status,
            actual=percent.quantize(Decimal("0.1"), rounding=ROUND_DOWN)
            if percent is not None
            else None,
            required=target.percent,
            unit="%",
            citation=target.paragraph,
        )
        rows.append(ShareRow(community, total, social, check))
    return rows


# --------------------------------------------------------------------------- item 7


def lines(user: Viewer, year: int | None = None) -> QuerySet[FundingLine]:
    rows = (
        _scoped(FundingLine.objects.all(), user)
        .select_related("community")
        .annotate(balance_fen=F("account__balance"))
    )
    if year:
        rows = rows.filter(year=year)
    return rows


def get_line(user: Viewer, pk: int) -> FundingLine:
    return get_object_or_404(lines(user), pk=pk)


def line_entries(line: FundingLine) -> QuerySet[LineEntry]:
    return LineEntry.objects.filter(line=line).select_related("recorded_by")


def line_totals(line: FundingLine) -> dict[str, int]:
    rows = dict(
        LineEntry.objects.filter(line=line)
        .order_by()
        .values("kind")
        .annotate(s=Sum("amount_fen"))
        .values_list("kind", "s")
    )
    return {
        "received": int(rows.get(LineEntryKind.RECEIPT) or 0),
        # a round's budget lowered gives back what its booking took
        "spent": int(rows.get(LineEntryKind.SPENDING) or 0)
        - int(rows.get(LineEntryKind.RELEASE) or 0),
    }


# --------------------------------------------------------------------------- xlsx exports
# Rows for `core.exports.write_xlsx` (every cell formula-safe there): amounts in yuan as numbers.


def _yuan(value: int) -> Decimal:
    return (Decimal(value) / rules.FEN).quantize(Decimal("0.01"))


def fund_export_rows(fund: Fund) -> list[list[object]]:
    """Every entry of a fund, oldest first: date, kind, donor or project, amount (a grant
    negative), voucher. An anonymous donor is not named (爱心人士), as on the public page: the
    file leaves the office."""
    rows: list[list[object]] = []
    for entry in fund_entries(fund).order_by("on", "pk"):
        who = entry.public_donor if entry.kind == EntryKind.DONATION else entry.grantee
        amount = _yuan(entry.amount_fen)
        rows.append(
            [
                entry.on,
                entry.get_kind_display(),
                who,
                -amount if entry.kind == EntryKind.GRANT else amount,
                entry.reference,
            ]
        )
    return rows


def lines_export_rows(user: Viewer, year: int) -> list[list[object]]:
    """The year's funding lines of the viewer's area: community, line, rule with its paragraph,
    received, spent and balance (the same sums as the line pages)."""
    found = list(lines(user, year).order_by("place_path", "kind"))
    sums: dict[int, dict[str, int]] = {line.pk: {} for line in found}
    for line_id, kind, total in (
        LineEntry.objects.filter(line__in=found)
        .order_by()
        .values("line_id", "kind")
        .annotate(s=Sum("amount_fen"))
        .values_list("line_id", "kind", "s")
    ):
        sums[line_id][kind] = int(total or 0)
    rows: list[list[object]] = []
    for line in found:
        got = sums[line.pk]
        spent = got.get(LineEntryKind.SPENDING, 0) - got.get(LineEntryKind.RELEASE, 0)
        rows.append(
            [
                line.community.name,
                line.year,
                line.get_kind_display(),
                _yuan(line.rule_fen),
                line.paragraph or line.key,
                _yuan(got.get(LineEntryKind.RECEIPT, 0)),
                _yuan(spent),
                _yuan(line.balance_fen),  # type: ignore[attr-defined]  # annotated in lines()
            ]
        )
    return rows
