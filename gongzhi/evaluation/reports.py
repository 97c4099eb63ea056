"""The yearly report (年度报告) of a published assessment round: per community and per street
(issue 21 item 6), as a PDF (`reports_pdf`) and an .xlsx (core.exports, the formula-safe writer).

A report reads a *published* round only, from its frozen rows (`Score`, `Part`): every
indicator with its raw value, numerator and denominator, the assessor's adjustment, the
normalised value, the weight and the points; the index, the grade, the ranks in the street and
in the area, bonus points and veto reasons. Beside them stand the period's key facts: the count
indicators of the registry (`core.indicators`, unit other than "%") computed live for the
community or street when the report is generated — they are context, not part of the score,
and the report says when they were computed.

Who reads what (`Action.EVALUATION_VIEW`): a round is found when the viewer's area and the
round's area overlap (a community worker sees the street's round, for their own community);
a community's report needs the score's community in the viewer's scope (another community:
404); a street's report needs the street in the viewer's scope (a community worker: 404). A
round that is not published is 404: nothing is reported before it is frozen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.timezone import localtime
from django.utils.translation import pgettext

from gongzhi.core import access, clock, exports, indicators
from gongzhi.core.indicators import Period, PeriodKind
from gongzhi.core.roles import Action
from gongzhi.evaluation.models import ManualItem, ManualKind, Part, Round, RoundStatus, Score
from gongzhi.places.models import Place, PlaceKind

if TYPE_CHECKING:
    from gongzhi.core.types import Viewer

VIEW = Action.EVALUATION_VIEW


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class PartLine:
    """One indicator of a score, as the report prints it."""

    code: str
    name: str
    unit: str
    dimension: str
    raw: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    adjusted: Decimal | None
    adjust_reason: str
    normalised: Decimal
    weight: Decimal
    points: Decimal
    note: str


@dataclass(frozen=True)
class Fact:
    """A key fact of the period: one count indicator's value (None: no data)."""

    code: str
    name: str
    unit: str
    value: Decimal | None


@dataclass
class CommunityLine:
    score: Score
    parts: list[PartLine]
    bonus_reasons: list[str] = field(default_factory=list)

    @property
    def veto_reasons(self) -> list[str]:
        return reasons(self.score.veto_reasons)


@dataclass
class CommunityReport:
    round: Round
    community: Place
    street: Place
    line: CommunityLine
    street_size: int  # communities of the street in the round
    area_size: int  # communities in the round
    facts: list[Fact]
    generated_at: dt.datetime = field(default_factory=clock.now)

    @property
    def place(self) -> Place:
        return self.community

    @property
    def period_label(self) -> str:
        return period_of(self.round).label


@dataclass
class StreetReport:
    round: Round
    street: Place
    lines: list[CommunityLine]  # by rank in the street
    area_size: int
    facts: list[Fact]
    generated_at: dt.datetime = field(default_factory=clock.now)

    @property
    def place(self) -> Place:
        return self.street

    @property
    def period_label(self) -> str:
        return period_of(self.round).label

    @property
    def average(self) -> Decimal | None:
        if not self.lines:
            return None
        total = sum((line.score.total for line in self.lines), Decimal(0))
        return (total / len(self.lines)).quantize(Decimal("0.01"))


def period_of(rnd: Round) -> Period:
    try:
        kind = PeriodKind(rnd.period_kind)
    except ValueError:
        kind = PeriodKind.YEAR
    return Period(kind, rnd.period_start, rnd.period_end)


def reasons(raw: Any) -> list[str]:
    """Veto reasons as stored (texts, or objects with a reason/name), as texts."""
    if not raw:
        return []
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if isinstance(item, dict):
            text = item.get("reason") or item.get("name") or item.get("code") or ""
            out.append(str(text))
        else:
            out.append(str(item))
    return [text for text in out if text]


def _dimension_names(rnd: Round) -> dict[str, str]:
    """Dimension code → name from the round's index system, when it names them."""
    dims = rnd.system.get("dimensions") if isinstance(rnd.system, dict) else None
    names: dict[str, str] = {}
    if isinstance(dims, list):
        for dim in dims:
            if isinstance(dim, dict) and dim.get("code"):
                names[str(dim["code"])] = str(dim.get("name") or dim["code"])
    elif isinstance(dims, dict):
        for code, dim in dims.items():
            name = dim.get("name") if isinstance(dim, dict) else dim
            names[str(code)] = str(name or code)
    return names


def _part_line(part: Part, dimensions: dict[str, str]) -> PartLine:
    indicator = indicators.get(part.indicator)
    return PartLine(
        code=part.indicator,
        name=str(indicator.name) if indicator else part.indicator,
        unit=indicator.unit if indicator else "",
        dimension=dimensions.get(part.dimension, part.dimension),
        raw=part.raw,
        numerator=part.numerator,
        denominator=part.denominator,
        adjusted=part.adjusted,
        adjust_reason=part.adjust_reason,
        normalised=part.normalised,
        weight=part.weight,
        points=part.points,
        note=part.note,
    )


def _items(rnd: Round, key: str) -> dict[str, dict[str, Any]]:
    """The round's bonus ("bonus") or veto ("veto") items by code, as its system stores them."""
    found = rnd.system.get(key) if isinstance(rnd.system, dict) else None
    if not isinstance(found, list):
        return {}
    return {str(i["code"]): i for i in found if isinstance(i, dict) and i.get("code")}


def _decimal(value: Any) -> Decimal | None:
    try:
        return None if value is None else Decimal(str(value))
    except ArithmeticError:
        return None


def _bonus_reasons(
    bonus: dict[str, dict[str, Any]], parts: Sequence[Part], manual: Sequence[ManualItem]
) -> list[str]:
    """Why a score got bonus points: the automatic items of the system whose indicator is a
    part reaching the item's threshold (the value after adjustment), then the items the
    assessor recorded, each with its reason."""
    out: list[str] = []
    values = {p.indicator: p.adjusted if p.adjusted is not None else p.raw for p in parts}
    for code, item in bonus.items():
        least = _decimal(item.get("at_least"))
        got = values.get(str(item.get("indicator") or ""))
        if least is not None and got is not None and got >= least:
            out.append(f"{item.get('name') or code}（+{item.get('points', '')}）")
    for entry in manual:
        if entry.kind == ManualKind.BONUS:
            item = bonus.get(entry.item, {})
            name = item.get("name") or entry.item
            out.append(f"{name}（+{item.get('points', '')}）：{entry.reason}")
    return out


def _lines(rnd: Round, scores: Sequence[Score]) -> list[CommunityLine]:
    """Each score with its parts and bonus reasons: one query for all the parts, one for the
    recorded bonus and veto items."""
    dimensions = _dimension_names(rnd)
    ids = [s.pk for s in scores]
    parts: dict[int, list[Part]] = {pk: [] for pk in ids}
    for part in Part.objects.filter(score__in=ids).order_by("score_id", "dimension", "indicator"):
        parts[part.score_id].append(part)
    manual: dict[int, list[ManualItem]] = {pk: [] for pk in ids}
    for entry in ManualItem.objects.filter(score__in=ids).order_by("id"):
        manual[entry.score_id].append(entry)
    bonus = _items(rnd, "bonus")
    return [
        CommunityLine(
            score=s,
            parts=[_part_line(p, dimensions) for p in parts[s.pk]],
            bonus_reasons=_bonus_reasons(bonus, parts[s.pk], manual[s.pk]),
        )
        for s in scores
    ]


def count_indicators(kind: str, period: PeriodKind) -> list[indicators.Indicator]:
    """The registered count indicators (unit other than "%") for a place kind and period."""
    return [i for i in indicators.registered(kind, period) if i.unit != "%"]


def _facts(places: Sequence[Place], period: Period, street: Place | None = None) -> list[Fact]:
    """The key facts of one community (`places` = [it]) or of a street (`street` given, `places`
    its communities): an indicator registered for streets is computed for the street, any other
    is the sum over the communities (counts add up; no data anywhere stays no data)."""
    facts: list[Fact] = []
    found = {i.code: i for i in count_indicators(PlaceKind.COMMUNITY, period.kind)}
    if street is not None:
        found.update({i.code: i for i in count_indicators(PlaceKind.STREET, period.kind)})
    for code in sorted(found):
        indicator = found[code]
        if street is not None and PlaceKind.STREET in indicator.levels:
            value = indicators.compute([code], [street], period)[code][street.pk].value
        else:
            values = indicators.compute([code], places, period)[code]
            known = [v.value for v in values.values() if v.value is not None]
            value = sum(known, Decimal(0)) if known else None
        facts.append(Fact(code, str(indicator.name), indicator.unit, value))
    return facts


# --------------------------------------------------------------------------- the selectors


def _overlaps_q(user: Viewer) -> Q:
    """Rounds whose area overlaps one of the viewer's EVALUATION_VIEW grants: the round's
    area lies in the grant's, or the grant's in the round's (a community under a street)."""
    q = Q(pk__in=[])
    for grant in access.grants(user, VIEW):
        if grant.everything:
            return Q()
        if grant.path is None:
            continue
        ancestors = [grant.path[: i + 1] for i, ch in enumerate(grant.path) if ch == "/"]
        q |= Q(place_path__under=grant.path) | Q(place_path__in=ancestors)
    return q


ID_MAX = 2**63 - 1  # a larger id in a URL is no row (and would overflow SQLite's integer)


def _id(value: int) -> int:
    if not 0 < value <= ID_MAX:
        raise Http404
    return value


def published_round(user: Viewer, round_id: int) -> Round:
    """A published round the viewer's area overlaps; anything else is 404."""
    return get_object_or_404(
        Round.objects.filter(_overlaps_q(user), status=RoundStatus.PUBLISHED), pk=_id(round_id)
    )


def _sizes(rnd: Round, street_id: int) -> tuple[int, int]:
    sizes = Score.objects.filter(round=rnd).aggregate(
        area=Count("id"), street=Count("id", filter=Q(street_id=street_id))
    )
    return int(sizes["street"]), int(sizes["area"])


def community_report(user: Viewer, rnd: Round, place_id: int) -> CommunityReport:
    """A community's report in a published round: 404 when the community has no score in the
    round or lies outside the viewer's scope."""
    score = get_object_or_404(
        access.scoped(
            Score.objects.filter(round=rnd).select_related("place", "street"),
            user,
            VIEW,
            "place_path",
        ),
        place_id=_id(place_id),
    )
    street_size, area_size = _sizes(rnd, score.street_id)
    period = period_of(rnd)
    return CommunityReport(
        round=rnd,
        community=score.place,
        street=score.street,
        line=_lines(rnd, [score])[0],
        street_size=street_size,
        area_size=area_size,
        facts=_facts([score.place], period),
    )


def street_report(user: Viewer, rnd: Round, place_id: int) -> StreetReport:
    """A street's report in a published round: every community of the street, ranked. 404
    when the street has no score in the round or is not wholly in the viewer's scope."""
    street = get_object_or_404(Place.objects.filter(kind=PlaceKind.STREET), pk=_id(place_id))
    if not access.can(user, VIEW, street.path):
        raise Http404
    scores = list(
        Score.objects.filter(round=rnd, street=street)
        .select_related("place", "street")
        .order_by("rank_in_street", "-total", "place__name", "id")
    )
    if not scores:
        raise Http404
    _street_size, area_size = _sizes(rnd, street.pk)
    return StreetReport(
        round=rnd,
        street=street,
        lines=_lines(rnd, scores),
        area_size=area_size,
        facts=_facts([s.place for s in scores], period_of(rnd), street=street),
    )


# --------------------------------------------------------------------------- .xlsx


def _num(value: Decimal | None) -> Decimal | str:
    """A figure as a number cell; no data as a text."""
    if value is None:
        return pgettext("yearly report", "no data")
    return value.normalize() if value == value.to_integral() else value


def _rank(rank: int | None, size: int) -> list[Any]:
    return [rank if rank is not None else pgettext("yearly report", "not ranked"), size]


def _yes_no(flag: bool) -> str:
    return pgettext("yearly report", "yes") if flag else pgettext("yearly report", "no")


def _score_rows(line: CommunityLine) -> list[list[Any]]:
    score = line.score
    return [
        [pgettext("yearly report", "Index"), score.total],
        [pgettext("yearly report", "Weighted sum"), score.base],
        [pgettext("yearly report", "Bonus points"), score.bonus],
        [
            pgettext("yearly report", "Bonus reasons"),
            "；".join(line.bonus_reasons) or pgettext("yearly report", "none"),
        ],
        [pgettext("yearly report", "Vetoed"), _yes_no(score.vetoed)],
        [
            pgettext("yearly report", "Veto reasons"),
            "；".join(line.veto_reasons) or pgettext("yearly report", "none"),
        ],
        [pgettext("yearly report", "Grade"), score.grade or pgettext("yearly report", "none")],
    ]


def _part_headers() -> list[str]:
    return [
        pgettext("yearly report", "Dimension"),
        pgettext("yearly report", "Indicator code"),
        pgettext("yearly report", "Indicator"),
        pgettext("yearly report", "Unit"),
        pgettext("yearly report", "Raw value"),
        pgettext("yearly report", "Numerator"),
        pgettext("yearly report", "Denominator"),
        pgettext("yearly report", "Adjusted value"),
        pgettext("yearly report", "Adjustment reason"),
        pgettext("yearly report", "Normalised (0–100)"),
        pgettext("yearly report", "Weight"),
        pgettext("yearly report", "Points"),
    ]


def _part_row(part: PartLine) -> list[Any]:
    return [
        part.dimension,
        part.code,
        part.name,
        part.unit,
        _num(part.raw),
        "" if part.numerator is None else _num(part.numerator),
        "" if part.denominator is None else _num(part.denominator),
        "" if part.adjusted is None else _num(part.adjusted),
        part.adjust_reason,
        part.normalised,
        part.weight,
        part.points,
    ]


def _fact_rows(facts: Sequence[Fact], generated_at: dt.datetime) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            pgettext(
                "yearly report", "Key facts of the period (computed from live data on %(when)s)"
            )
            % {"when": localtime(generated_at).strftime("%Y-%m-%d %H:%M")}
        ],
        [
            pgettext("yearly report", "Indicator"),
            pgettext("yearly report", "Value"),
            pgettext("yearly report", "Unit"),
        ],
    ]
    if not facts:
        rows.append(
            [pgettext("yearly report", "No count indicator is registered for this period.")]
        )
    for fact in facts:
        rows.append([fact.name, _num(fact.value), fact.unit])
    return rows


def _head_rows(rnd: Round, place: Place) -> list[list[Any]]:
    return [
        [pgettext("yearly report", "Assessment round"), rnd.title],
        [pgettext("yearly report", "Period"), period_of(rnd).label],
        [pgettext("yearly report", "Place"), place.name],
        [
            pgettext("yearly report", "Published at"),
            localtime(rnd.published_at) if rnd.published_at else "",
        ],
        [pgettext("yearly report", "Snapshot SHA-256"), rnd.snapshot_sha256],
    ]


def title(report: CommunityReport | StreetReport) -> str:
    return pgettext("yearly report", "%(place)s — %(round)s report") % {
        "place": report.place.name,
        "round": report.round.title,
    }


def community_xlsx(report: CommunityReport) -> bytes:
    rows: list[list[Any]] = _head_rows(report.round, report.community)
    rows.append([pgettext("yearly report", "Street"), report.street.name])
    rows += _score_rows(report.line)
    rows.append(
        [
            pgettext("yearly report", "Rank in the street"),
            *_rank(report.line.score.rank_in_street, report.street_size),
        ]
    )
    rows.append(
        [
            pgettext("yearly report", "Rank in the area"),
            *_rank(report.line.score.rank_in_area, report.area_size),
        ]
    )
    rows += [[], [pgettext("yearly report", "Indicators")], _part_headers()]
    rows += [_part_row(part) for part in report.line.parts]
    rows += [[], *_fact_rows(report.facts, report.generated_at)]
    return exports.write_xlsx(rows, [title(report)], title=pgettext("yearly report", "Report"))


def street_xlsx(report: StreetReport) -> bytes:
    rows: list[list[Any]] = _head_rows(report.round, report.street)
    rows.append([pgettext("yearly report", "Communities assessed"), len(report.lines)])
    rows.append(
        [
            pgettext("yearly report", "Average index"),
            report.average if report.average is not None else "",
        ]
    )
    rows += [
        [],
        [pgettext("yearly report", "Communities")],
        [
            pgettext("yearly report", "Rank in the street"),
            pgettext("yearly report", "Community"),
            pgettext("yearly report", "Index"),
            pgettext("yearly report", "Grade"),
            pgettext("yearly report", "Weighted sum"),
            pgettext("yearly report", "Bonus points"),
            pgettext("yearly report", "Bonus reasons"),
            pgettext("yearly report", "Vetoed"),
            pgettext("yearly report", "Veto reasons"),
            pgettext("yearly report", "Rank in the area"),
        ],
    ]
    for line in report.lines:
        s = line.score
        rows.append(
            [
                s.rank_in_street
                if s.rank_in_street is not None
                else pgettext("yearly report", "not ranked"),
                s.place.name,
                s.total,
                s.grade,
                s.base,
                s.bonus,
                "；".join(line.bonus_reasons),
                _yes_no(s.vetoed),
                "；".join(line.veto_reasons),
                s.rank_in_area
                if s.rank_in_area is not None
                else pgettext("yearly report", "not ranked"),
            ]
        )
    rows += [
        [],
        [pgettext("yearly report", "Indicators")],
        [pgettext("yearly report", "Community"), *_part_headers()],
    ]
    for line in report.lines:
        rows += [[line.score.place.name, *_part_row(part)] for part in line.parts]
    rows += [[], *_fact_rows(report.facts, report.generated_at)]
    return exports.write_xlsx(rows, [title(report)], title=pgettext("yearly report", "Report"))


def filename(report: CommunityReport | StreetReport, ext: str) -> tuple[str, str]:
    """(ASCII file name, Chinese file name) of a report download."""
    kind = "community" if isinstance(report, CommunityReport) else "street"
    ascii_name = f"report-{report.round.pk}-{kind}-{report.place.pk}.{ext}"
    readable = f"{report.place.name}-{report.round.title}.{ext}"
    return ascii_name, readable
