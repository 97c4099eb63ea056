"""The fuller vanguard index (先锋指数, seed 002 §三(一)2; issue 23 item 6): the reads.

A member's score for a period is made of parts, every number from the policy profile of the
member's organisation (`partylife.index.*`; all platform defaults, the seeds set none):

    attendance = points.attendance × present / (held meetings − leave)    (no meeting: full)
    dues       = points.dues × months paid on time / months due            (no month due: full)
    study      = points.study × min(lectures attended, lectures due) / lectures due
    basic      = attendance + dues + study
    service    = the service formula's index of the period's year / 100 × points.service
    bonus      = min(Σ accepted bonus items' points, bonus_cap)
    deduction  = min(Σ accepted deduction items' points, deduction_cap)
    total      = max(0, basic + service + bonus − deduction); 0 when a veto item is recorded
    grade      = the highest band (band.excellent / good / qualified) the rounded total reaches

The meetings that count are the held ones (minutes recorded) of the member's organisation and
those above it, of the kinds every member attends (branch general meeting, party group
meeting, party lecture, theme party day), dated in the period and not after today. The service
formula is gongzhi/party's (`party.selectors.indices`, a calendar year's figures; docs/vanguard.md).

`scores(members, period)` computes any number of members in a bounded number of queries.
The writes (declarations, reviews, recorded items) are in gongzhi/partylife/declarations.py."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from gongzhi.core import clock, profiles
from gongzhi.core.profiles.keys import (
    VANGUARD_BANDS,
    VANGUARD_BONUS_ITEMS,
    VANGUARD_DEDUCTION_ITEMS,
    VANGUARD_VETO_ITEMS,
)
from gongzhi.party import selectors as registry
from gongzhi.party.models import PartyMember, PartyOrg
from gongzhi.partylife import rules
from gongzhi.partylife.models import (
    Attendance,
    AttendanceStatus,
    DuesEntry,
    DuesKind,
    IndexItem,
    IndexItemKind,
    IndexItemState,
    Meeting,
    MeetingKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The meetings every member of the organisation attends (a branch committee meeting is for its
# committee, the big-committee meeting for its members: neither counts).
COUNTED_KINDS = (
    MeetingKind.GENERAL,
    MeetingKind.GROUP,
    MeetingKind.LECTURE,
    MeetingKind.THEME_DAY,
)

BONUS: dict[str, Any] = {code: label for code, label, _d, _s in VANGUARD_BONUS_ITEMS}
DEDUCTION: dict[str, Any] = {code: label for code, label, _d in VANGUARD_DEDUCTION_ITEMS}
VETO: dict[str, Any] = {code: label for code, label in VANGUARD_VETO_ITEMS}
CATALOGUE: dict[str, dict[str, Any]] = {
    IndexItemKind.BONUS: BONUS,
    IndexItemKind.DEDUCTION: DEDUCTION,
    IndexItemKind.VETO: VETO,
}
GRADES = {
    "excellent": gettext_lazy("Excellent"),
    "good": gettext_lazy("Good"),
    "qualified": gettext_lazy("Qualified"),
    "unqualified": gettext_lazy("Unqualified"),
}


def item_label(kind: str, code: str) -> StrOrPromise:
    return CATALOGUE.get(kind, {}).get(code, code)


def _one_decimal(value: float | Decimal) -> Decimal:
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- the profile


@dataclass(frozen=True)
class Rule:
    """One number of the rule as it applies: its value and where it comes from (the profile's
    citation, or the platform default)."""

    key: str
    value: float
    source: str  # the profile's citation; "" for the platform default

    @property
    def shown(self) -> str:
        return f"{_one_decimal(self.value).normalize():f}"


class Rules:
    """The `partylife.index.*` numbers of one organisation's profile."""

    def __init__(self, profile: profiles.Profile | None) -> None:
        self.profile = profile

    def rule(self, key: str) -> Rule:
        name = f"partylife.index.{key}"
        # Only a number the profile itself sets is cited; `Profile.get` would give the
        # platform default for a key it leaves out, and a broken profile gives none.
        profile = self.profile
        if profile is not None and profile.ok and name in profile.values:
            cited = profile.citations.get(name, "")
            return Rule(name, float(profile.values[name]), f"{profile.title} {cited}".strip())
        return Rule(name, float(profiles.SCHEMA[name].default or 0), "")

    def number(self, key: str) -> float:
        return self.rule(key).value

    @property
    def periods_per_year(self) -> int:
        return max(1, min(4, int(self.number("periods_per_year"))))

    def lectures_per_year(self) -> int:
        return rules.per_year(self.profile, MeetingKind.LECTURE)

    def bands(self) -> list[tuple[str, Decimal]]:
        return [
            (band, Decimal(str(self.number(f"band.{band}")))) for band, _l, _d in VANGUARD_BANDS
        ]


def grade_of(rules_: Rules, total: Decimal) -> str:
    """The highest band whose least score `total` reaches; below them all: unqualified."""
    for band, least in rules_.bands():
        if total >= least:
            return band
    return "unqualified"


# --------------------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    year: int
    number: int  # 1-based
    count: int  # periods in the year
    first: dt.date
    last: dt.date

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    @property
    def label(self) -> str:
        if self.count == 1:
            return _("%(year)s (the whole year)") % {"year": self.year}
        if self.count == 4:
            return _("%(year)s, quarter %(n)s") % {"year": self.year, "n": self.number}
        if self.count == 2:
            return (
                _("%(year)s, first half") if self.number == 1 else _("%(year)s, second half")
            ) % {"year": self.year}
        return _("%(year)s, period %(n)s of %(count)s") % {
            "year": self.year,
            "n": self.number,
            "count": self.count,
        }

    def shift(self, step: int) -> Period:
        index = self.year * self.count + self.number - 1 + step
        return period(index // self.count, index % self.count + 1, self.count)


def period(year: int, number: int, count: int) -> Period:
    """Period `number` (1-based; out of range: the last) of `year` split into `count`."""
    bounds = rules.periods(year, count)
    number = max(1, min(number, len(bounds)))
    first, last = bounds[number - 1]
    return Period(year, number, len(bounds), first, last)


def period_on(day: dt.date, count: int) -> Period:
    for number, (first, last) in enumerate(rules.periods(day.year, count), start=1):
        if first <= day <= last:
            return Period(day.year, number, count, first, last)
    raise ValueError(day)  # pragma: no cover  (the periods cover the year)


def whole_year(year: int) -> Period:
    return period(year, 1, 1)


def rules_for(org: PartyOrg) -> Rules:
    return Rules(rules.profiles_of([org.place])[org.place_id])


def asked_period(rules_: Rules, year: object, number: object) -> Period:
    """The period a page or API asks for (`year`, `n`); the current one when absent or wrong."""
    today = clock.today()
    count = rules_.periods_per_year
    try:
        y = int(str(year))
        n = int(str(number)) if number not in (None, "") else 0
    except ValueError:
        return period_on(today, count)
    if not 2000 <= y <= 2100:
        return period_on(today, count)
    if not 1 <= n <= count:
        return period_on(today, count) if y == today.year else period(y, 1, count)
    return period(y, n, count)


# --------------------------------------------------------------------------- the score


@dataclass
class Part:
    name: str
    label: str
    achieved: str  # the inputs, as text ("5 / 6 meetings")
    points: Decimal  # rounded to one decimal
    most: Decimal | None  # the part's points (None for bonus and deduction: the cap)
    rule: str  # where the numbers come from (a profile citation or the platform default)


@dataclass
class Counted:
    item: IndexItem
    label: str
    points: Decimal


@dataclass
class Score:
    member: PartyMember
    period: Period
    parts: list[Part] = field(default_factory=list)
    basic: Decimal = Decimal(0)
    service: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)
    bonus_raw: Decimal = Decimal(0)
    deduction: Decimal = Decimal(0)
    deduction_raw: Decimal = Decimal(0)
    items: list[Counted] = field(default_factory=list)
    vetoes: list[Counted] = field(default_factory=list)
    total: Decimal = Decimal(0)
    grade: str = "unqualified"
    service_index: float = 0.0

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    @property
    def grade_label(self) -> StrOrPromise:
        return GRADES[self.grade]

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)


def _source(rule: Rule) -> str:
    return rule.source or _("platform default")


def _chains(members: list[PartyMember]) -> dict[int, list[int]]:
    """For each member's organisation, its id and those above it (one query a level)."""
    parents: dict[int, int | None] = {}
    level = {m.org_id for m in members}
    while level:
        rows = list(PartyOrg.objects.filter(pk__in=level).values_list("pk", "parent_id"))
        parents.update(rows)
        level = {p for _pk, p in rows if p is not None and p not in parents}
    chains: dict[int, list[int]] = {}
    for org_id in {m.org_id for m in members}:
        ids: list[int] = []
        current: int | None = org_id
        while current is not None and current not in ids:
            ids.append(current)
            current = parents.get(current)
        chains[org_id] = ids
    return chains


def _month_end(month: dt.date) -> dt.date:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def scores(
    members: Iterable[PartyMember], period_: Period, rules_by_org: dict[int, Rules] | None = None
) -> list[Score]:
    """The score of each member for the period, in a bounded number of queries whatever the
    number of members. `rules_by_org` (organisation id → Rules) may be given by the caller;
    missing ones are read (one query for all)."""
    members = list(members)
    if not members:
        return []
    today = clock.today()
    first, last = period_.first, period_.last
    ids = [m.pk for m in members]
    rules_by_org = dict(rules_by_org or {})
    missing = {m.org_id for m in members} - set(rules_by_org)
    if missing:
        orgs = list(PartyOrg.objects.filter(pk__in=missing).select_related("place"))
        found = rules.profiles_of([o.place for o in orgs])
        rules_by_org.update({o.pk: Rules(found[o.place_id]) for o in orgs})
    chains = _chains(members)
    all_orgs = {pk for chain in chains.values() for pk in chain}
    meetings = list(
        Meeting.objects.filter(
            org_id__in=all_orgs,
            kind__in=COUNTED_KINDS,
            minutes_at__isnull=False,
            held_on__range=(first, min(last, today)),
        ).values_list("pk", "org_id", "kind", "held_on")
    )
    attendance = {
        (member_id, meeting_id): status
        for member_id, meeting_id, status in Attendance.objects.filter(
            member_id__in=ids, meeting_id__in=[m[0] for m in meetings]
        ).values_list("member_id", "meeting_id", "status")
    }
    # Lectures attended anywhere count as study (a community committee's too).
    lectures_attended: dict[int, int] = defaultdict(int)
    for member_id in Attendance.objects.filter(
        member_id__in=ids,
        status=AttendanceStatus.PRESENT,
        meeting__kind=MeetingKind.LECTURE,
        meeting__minutes_at__isnull=False,
        meeting__held_on__range=(first, min(last, today)),
    ).values_list("member_id", flat=True):
        lectures_attended[member_id] += 1
    dues: dict[int, dict[dt.date, dict[str, dt.datetime]]] = defaultdict(dict)
    for member_id, month, kind, created_at in DuesEntry.objects.filter(
        member_id__in=ids, month__range=(first.replace(day=1), last)
    ).values_list("member_id", "month", "kind", "created_at"):
        dues[member_id].setdefault(month, {})[kind] = created_at
    items: dict[int, list[IndexItem]] = defaultdict(list)
    for item in IndexItem.objects.filter(
        member_id__in=ids, state=IndexItemState.ACCEPTED, occurred_on__range=(first, last)
    ).order_by("occurred_on", "id"):
        items[item.member_id].append(item)
    service = {i.member.pk: i.value for i in registry.indices(members, period_.year)}

    result = []
    for member in members:
        r = rules_by_org[member.org_id]
        chain = set(chains[member.org_id])
        mine = [
            m
            for m in meetings
            if m[1] in chain and (member.joined_on is None or m[3] >= member.joined_on)
        ]
        present = sum(1 for m in mine if attendance.get((member.pk, m[0])) == "present")
        leave = sum(1 for m in mine if attendance.get((member.pk, m[0])) == "leave")
        expected = len(mine) - leave
        score = Score(member, period_, service_index=service.get(member.pk, 0.0))
        # Attendance.
        rule = r.rule("points.attendance")
        most = Decimal(str(rule.value))
        attendance_points = most * present / expected if expected > 0 else most
        score.parts.append(
            Part(
                "attendance",
                _("Organisational-life attendance"),
                _("present at %(present)s of %(expected)s meetings (%(leave)s on leave)")
                % {"present": present, "expected": expected, "leave": leave}
                if expected > 0 or leave
                else _("no meeting held yet in this period: full points"),
                _one_decimal(attendance_points),
                _one_decimal(rule.value),
                _source(rule),
            )
        )
        # Dues on time.
        rule = r.rule("points.dues")
        grace = dt.timedelta(days=int(r.number("dues_grace_days")))
        months_due = on_time = 0
        for month, lines in dues[member.pk].items():
            if DuesKind.DUE not in lines:
                continue
            deadline = _month_end(month) + grace
            paid = lines.get(DuesKind.PAYMENT)
            if paid is None and deadline >= today:
                continue  # not due yet
            months_due += 1
            if paid is not None and timezone.localtime(paid).date() <= deadline:
                on_time += 1
        most = Decimal(str(rule.value))
        dues_points = most * on_time / months_due if months_due else most
        score.parts.append(
            Part(
                "dues",
                _("Dues paid on time"),
                _("%(on_time)s of %(due)s months paid on time")
                % {"on_time": on_time, "due": months_due}
                if months_due
                else _("no month due yet in this period: full points"),
                _one_decimal(dues_points),
                _one_decimal(rule.value),
                _source(rule),
            )
        )
        # Study: party lectures attended against those due in the period.
        rule = r.rule("points.study")
        due = -(-r.lectures_per_year() * period_.months // 12)  # rounded up
        attended = lectures_attended.get(member.pk, 0)
        most = Decimal(str(rule.value))
        study_points = most * min(attended, due) / due if due > 0 else most
        score.parts.append(
            Part(
                "study",
                _("Study (party lectures)"),
                _("%(attended)s of %(due)s party lectures attended")
                % {"attended": attended, "due": due},
                _one_decimal(study_points),
                _one_decimal(rule.value),
                _source(rule),
            )
        )
        score.basic = attendance_points + dues_points + study_points
        # Service: the service formula's index (0–100) of the period's year, scaled.
        rule = r.rule("points.service")
        score.service = Decimal(repr(score.service_index)) * Decimal(str(rule.value)) / 100
        score.parts.append(
            Part(
                "service",
                pgettext("vanguard index", "Service"),
                _("service index %(index)s of 100 for %(year)s")
                % {"index": _one_decimal(score.service_index), "year": period_.year},
                _one_decimal(score.service),
                _one_decimal(rule.value),
                _source(rule),
            )
        )
        # Items.
        for item in items[member.pk]:
            label = str(item_label(item.kind, item.code))
            if item.kind == IndexItemKind.VETO:
                if r.number(f"veto.{item.code}") >= 1:
                    score.vetoes.append(Counted(item, label, Decimal(0)))
                continue
            key = f"{item.kind}.{item.code}"
            known = f"partylife.index.{key}" in profiles.SCHEMA
            points = Decimal(str(r.number(key))) if known else Decimal(0)
            score.items.append(Counted(item, label, points))
            if item.kind == IndexItemKind.BONUS:
                score.bonus_raw += points
            else:
                score.deduction_raw += points
        for name, raw, label in (
            ("bonus", score.bonus_raw, _("Bonus items")),
            ("deduction", score.deduction_raw, _("Deduction items")),
        ):
            cap = r.rule(f"{name}_cap")
            counted = min(raw, Decimal(str(cap.value)))
            setattr(score, name, counted)
            score.parts.append(
                Part(
                    name,
                    label,
                    _("%(raw)s points of accepted items, cap %(cap)s")
                    % {"raw": _one_decimal(raw), "cap": cap.shown},
                    _one_decimal(counted),
                    None,
                    _source(cap),
                )
            )
        if score.vetoes:
            score.total = Decimal("0.0")
        else:
            exact = score.basic + score.service + score.bonus - score.deduction
            score.total = _one_decimal(max(Decimal(0), exact))
        score.grade = grade_of(r, score.total)
        result.append(score)
    return result


def score_for(member: PartyMember, period_: Period) -> Score:
    return scores([member], period_)[0]


def band_rules(rules_: Rules) -> list[tuple[StrOrPromise, Rule]]:
    """The grade bands with their sources, for the pages."""
    return [(GRADES[band], rules_.rule(f"band.{band}")) for band, _l, _d in VANGUARD_BANDS]


def catalogue_rules(rules_: Rules) -> list[tuple[str, str, StrOrPromise, Rule]]:
    """(kind, code, label, rule) of every bonus, deduction and veto item, for the pages."""
    rows: list[tuple[str, str, StrOrPromise, Rule]] = []
    for kind, entries in CATALOGUE.items():
        for code, label in entries.items():
            key = f"veto.{code}" if kind == IndexItemKind.VETO else f"{kind}.{code}"
            rows.append((kind, code, label, rules_.rule(key)))
    return rows


def branch_of(member: PartyMember) -> PartyOrg:
    """The branch that reviews a member's items: the nearest branch at or above their
    organisation (a group's members are reviewed by the group's branch)."""
    org: PartyOrg | None = member.org
    while org is not None and org.kind not in rules.BRANCH_KINDS:
        org = org.parent
    return org or member.org


def members_q(org: PartyOrg) -> Q:
    """The current members of `org` and the organisations under it."""
    return Q(org_id__in=rules.below([org.pk]), is_active=True)
