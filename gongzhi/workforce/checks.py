"""The workforce's compliance rows: a community's workers and two committees against its effective
policy profile, shown the way `places.compliance` shows its rows (its `Check` and `Status`).

Rows (each only where the community's own document sets the key; docs/workforce.md):
- `committees.each_min_members` / `committees.each_max_members` (001 §5: 3–5 each): the open
  seats of each committee's current term;
- `committees.total_min_members` / `committees.total_max_members` (001 §5: 5–7 in all): the
  distinct people on both current terms (a cross-appointed member counts once);
- the staffing rows of `places.compliance` as they are (ratio per resident households, 5–7
  workers, 8 full-time workers of 002 §四2; part-time grid workers left out) — not recomputed;
- `staffing.graduates_min` (001 §6: 一社区一名大学生): active workers with college or above;
- `staffing.certified_percent` (000 §三: 2025 年前实现持证上岗全覆盖, due 2024-12-31): the share of
  active community workers (not first secretaries, seconded cadres or agency social workers)
  holding a social-work certificate (assistant, intermediate or senior);
- `staffing.reserve_min_candidates` / `staffing.reserve_max_candidates` (001 §6: 1–2 reserve
  candidates aged `staffing.reserve_max_age` or under with college or above; "35岁以下"
  includes 35, Civil Code art. 1259), dated by the profile's `due:`.

- `training.secretary_min_days` / `training.committee_min_days` (001 §5): people short of
  their yearly days of centralised training (`gongzhi.workforce.training`).

`reports_for` costs what `places.compliance.reports_for` costs plus five queries, whatever the
number of communities.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gongzhi.core import clock, profiles
from gongzhi.places import compliance
from gongzhi.places.compliance import FAILING, Check, Status
from gongzhi.places.models import Place
from gongzhi.workforce import training
from gongzhi.workforce.appointments import MIN_YEARS_KEY, ancestors_and_self, shortest_end
from gongzhi.workforce.models import (
    CHAIR_ROLES,
    GRADUATE_EDUCATION,
    SOCIAL_WORK_LEVELS,
    Appointment,
    Certificate,
    CommitteeKind,
    CommitteeSeat,
    CommitteeTerm,
    Worker,
    WorkerKind,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

EACH_MIN = "committees.each_min_members"
EACH_MAX = "committees.each_max_members"
TOTAL_MIN = "committees.total_min_members"
TOTAL_MAX = "committees.total_max_members"
GRADUATES = "staffing.graduates_min"
RESERVE_MIN = "staffing.reserve_min_candidates"
RESERVE_MAX = "staffing.reserve_max_candidates"
RESERVE_AGE = "staffing.reserve_max_age"
CERTIFIED = "staffing.certified_percent"
# Not community workers for the certificate coverage (000 §三 社区工作者持证上岗).
NOT_COVERED = (
    WorkerKind.FIRST_SECRETARY,
    WorkerKind.SECONDED_CADRE,
    WorkerKind.AGENCY_SOCIAL_WORKER,
)
STAFFING_KEYS = (
    compliance.STAFFING_KEY,
    compliance.MIN_WORKERS_KEY,
    compliance.MAX_WORKERS_KEY,
    compliance.FULL_TIME_KEY,
)


@dataclass
class WorkforceReport:
    community: Place
    profile: profiles.Profile | None
    checks: list[Check] = field(default_factory=list)
    workers: int = 0  # active workers' records
    seats: dict[str, int] = field(default_factory=dict)  # committee kind → open seats
    one_person_both_chairs: bool = False  # 一肩挑
    cross_appointed: int = 0  # 交叉任职: people on both committees
    covered: int = 0  # community workers counted for the certificate coverage
    certified: int = 0  # of them, holding a social-work certificate

    @property
    def short_checks(self) -> list[Check]:
        return [c for c in self.checks if c.status in FAILING]

    @property
    def state(self) -> str:
        if self.profile is None:
            return compliance.State.NO_PROFILE
        if not self.profile.ok:
            return compliance.State.ERROR
        if self.short_checks:
            return compliance.State.SHORT
        if all(c.status == Status.NOT_SET for c in self.checks):
            return compliance.State.NOT_SET
        if any(c.status == Status.NOT_RECORDED for c in self.checks):
            return compliance.State.INCOMPLETE
        return compliance.State.OK

    @property
    def state_label(self) -> StrOrPromise:
        return compliance.State(self.state).label

    def as_dict(self) -> dict[str, Any]:
        return {
            "community": {"id": self.community.pk, "name": self.community.name},
            "state": self.state,
            "profile": self.profile.name if self.profile else None,
            "workers": self.workers,
            "seats": self.seats,
            "one_person_both_chairs": self.one_person_both_chairs,
            "cross_appointed": self.cross_appointed,
            "covered": self.covered,
            "certified": self.certified,
            "checks": [
                {
                    "key": c.key,
                    "label": str(c.label),
                    "status": c.status,
                    "status_label": str(c.status_label),
                    "actual": c.actual,
                    "required": c.required,
                    "citation": c.citation,
                    "due": c.due.isoformat() if c.due else None,
                    "note": str(c.note),
                }
                for c in self.checks
            ],
        }


def _value(profile: profiles.Profile | None, key: str) -> float | None:
    if profile is None or not profile.ok or not profile.is_set(key):
        return None
    return profile.get(key)


def target(
    profile: profiles.Profile | None,
    key: str,
    actual: int | Decimal | None,
    *,
    met: Callable[[Any], bool],
    over: bool = False,
    unit: StrOrPromise = "",
    label: StrOrPromise | None = None,
    today: dt.date | None = None,
) -> Check:
    """One row: not set where the profile does not set `key`, not recorded when `actual` is
    None, else met / short / overdue (the key's `due:`); `over` rows fail as "above the
    profile's maximum"."""
    schema = profiles.SCHEMA[key]
    required = _value(profile, key)
    check = Check(
        key=key,
        label=label or schema.label,
        status=Status.NOT_SET,
        actual=actual,
        required=required,
        unit=unit or schema.unit,
        citation=profile.citations.get(key, "") if profile else "",
    )
    if required is None:
        return check
    if actual is None:
        check.status = Status.NOT_RECORDED
        return check
    state = profiles.target_state(profile, key, met(actual), today or clock.today())
    check.due = state.due
    check.status = {"met": Status.OK, "overdue": Status.OVERDUE}.get(state.code, Status.SHORT)
    if over and check.status in FAILING:
        check.status = Status.OVER
    return check


def _at_least(value: float | None) -> Callable[[Any], bool]:
    return lambda n: value is None or Decimal(n) >= Decimal(str(value))


def _at_most(value: float | None) -> Callable[[Any], bool]:
    return lambda n: value is None or Decimal(n) <= Decimal(str(value))


def age_on(born: dt.date | None, today: dt.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _committee_checks(
    profile: profiles.Profile | None, seats: list[CommitteeSeat], kinds_with_term: set[str]
) -> list[Check]:
    checks: list[Check] = []
    each_min, each_max = _value(profile, EACH_MIN), _value(profile, EACH_MAX)
    for kind in (CommitteeKind.PARTY, CommitteeKind.RESIDENTS):
        count = (
            sum(1 for s in seats if s.term.committee.kind == kind)
            if kind in kinds_with_term
            else None
        )
        name = CommitteeKind(kind).label
        checks.append(
            target(
                profile,
                EACH_MIN,
                count,
                met=_at_least(each_min),
                unit=_("people"),
                label=_("%(committee)s: members (least)") % {"committee": name},
            )
        )
        checks.append(
            target(
                profile,
                EACH_MAX,
                count,
                met=_at_most(each_max),
                over=True,
                unit=_("people"),
                label=_("%(committee)s: members (most)") % {"committee": name},
            )
        )
    total = len({s.worker_id for s in seats}) if kinds_with_term else None
    total_min, total_max = _value(profile, TOTAL_MIN), _value(profile, TOTAL_MAX)
    checks.append(target(profile, TOTAL_MIN, total, met=_at_least(total_min), unit=_("people")))
    checks.append(
        target(profile, TOTAL_MAX, total, met=_at_most(total_max), over=True, unit=_("people"))
    )
    return checks


def coverage(workers: list[Worker], certified_ids: set[int]) -> tuple[int, int]:
    """(community workers counted, of them certified) for the certificate coverage."""
    covered = [w for w in workers if w.kind not in NOT_COVERED]
    return len(covered), sum(1 for w in covered if w.pk in certified_ids)


def _certified_check(profile: profiles.Profile | None, covered: int, certified: int) -> Check:
    """The share of community workers certified (one decimal) against the profile's percent;
    not recorded while the community has no community worker on record."""
    share = (Decimal(certified) * 100 / covered).quantize(Decimal("0.1")) if covered else None
    check = target(profile, CERTIFIED, share, met=_at_least(_value(profile, CERTIFIED)))
    if covered:
        check.note = _("%(certified)s of %(covered)s community workers") % {
            "certified": certified,
            "covered": covered,
        }
    return check


def _people_checks(
    profile: profiles.Profile | None, workers: list[Worker], today: dt.date
) -> list[Check]:
    recorded = bool(workers)
    graduates = sum(1 for w in workers if w.education in GRADUATE_EDUCATION)
    max_age = _value(profile, RESERVE_AGE)
    reserves = sum(
        1
        for w in workers
        if w.is_reserve
        and w.education in GRADUATE_EDUCATION
        and (age := age_on(w.resident.birth_date, today)) is not None
        and (max_age is None or age <= max_age)
    )
    least, most = _value(profile, RESERVE_MIN), _value(profile, RESERVE_MAX)
    note = (
        _("college or above, aged %(age)s or under") % {"age": int(max_age)}
        if max_age is not None
        else _("college or above")
    )
    reserve_least = target(
        profile, RESERVE_MIN, reserves if recorded else None, met=_at_least(least)
    )
    reserve_most = target(
        profile, RESERVE_MAX, reserves if recorded else None, met=_at_most(most), over=True
    )
    reserve_least.note = reserve_most.note = note
    return [
        target(
            profile,
            GRADUATES,
            graduates if recorded else None,
            met=_at_least(_value(profile, GRADUATES)),
        ),
        reserve_least,
        reserve_most,
    ]


def _training_check(
    profile: profiles.Profile | None,
    workers: list[Worker],
    seats: list[CommitteeSeat],
    done: dict[int, Decimal],
    year: int,
) -> Check:
    """People short of their yearly training days (001 §5), from the seats already read."""
    chiefs = {s.worker_id for s in seats if s.role in CHAIR_ROLES}
    members = {s.worker_id for s in seats}
    found = []
    for w in workers:
        required, key = training.required_days(w, profile, chiefs, members)
        found.append(training.TrainingState(w, done.get(w.resident_id, Decimal(0)), required, key))
    return training.training_check(profile, found, year)


def _chiefs(workers: list[Worker], seats: list[CommitteeSeat]) -> list[Worker]:
    """The party secretary and the residents' committee director: by kind or chair."""
    chairs = {s.worker_id for s in seats if s.role in CHAIR_ROLES}
    return [w for w in workers if w.kind in training.CHIEF_KINDS or w.pk in chairs]


def _contests_check(profile: profiles.Profile | None, held: int, year: int) -> Check:
    """Grid workers' skills contests held this year for the community or a place above it
    (003 §三(一)2: 每年至少开展一次网格员技能竞赛); exactly the least passes."""
    key = training.CONTESTS_KEY
    check = target(
        profile,
        key,
        held,
        met=_at_least(_value(profile, key)),
        label=_("Grid workers' skills contests held (%(year)s)") % {"year": year},
    )
    return check


def _secondment_check(
    profile: profiles.Profile | None, appointments: list[Appointment], today: dt.date
) -> Check:
    """First secretaries' and seconded cadres' terms (planned, or served when ended early)
    shorter than `party.secondment_min_years` (000 §二: 挂职期不少于 1 年), over the
    appointments current or ended this year; no such appointment: nothing to compare (OK)."""
    years = _value(profile, MIN_YEARS_KEY)
    check = Check(
        key=MIN_YEARS_KEY,
        label=_("First secretaries' and seconded cadres' terms shorter than the least"),
        status=Status.NOT_SET,
        required=years,
        unit=_("years"),
        citation=profile.citations.get(MIN_YEARS_KEY, "") if profile else "",
    )
    if years is None:
        return check
    counted = [a for a in appointments if a.end_on.year >= today.year]
    short = [a for a in counted if a.end_on < shortest_end(a.starts_on, int(years))]
    check.actual = len(short)
    check.required = 0
    check.unit = _("appointments")
    check.status = Status.SHORT if short else Status.OK
    check.note = _("%(n)s of %(all)s appointments shorter than %(years)s year(s)") % {
        "n": len(short),
        "all": len(counted),
        "years": int(years),
    }
    return check


REPORTS_ROW = "workforce.appointment_reports"


def _reports_check(appointments: list[Appointment], today: dt.date) -> Check:
    """Appointments whose term is over without an end-of-term report (a platform rule: the
    appointee reports at the end; 000 §二 judges the first secretaries' 工作业绩)."""
    over = [a for a in appointments if a.is_over(today)]
    missing = [a for a in over if a.report_submitted_at is None]
    check = Check(
        key=REPORTS_ROW,
        label=_("End-of-term reports of first secretaries and seconded cadres"),
        status=Status.SHORT if missing else Status.OK,
        actual=len(missing),
        required=0,
        unit=_("missing"),
        citation=str(_("Platform rule (000 §二: 工作业绩)")),
    )
    check.note = _("%(n)s of %(all)s ended terms without a report") % {
        "n": len(missing),
        "all": len(over),
    }
    if missing:
        check.note = f"{check.note}: " + "、".join(a.resident.name for a in missing[:10])
    return check


def reports_for(communities: Iterable[Place]) -> list[WorkforceReport]:
    """Reports for communities, in their order: the places report (its staffing rows and the
    profile) plus eight queries (active workers with their birth dates; their social-work
    certificates; current terms; their open seats; this year's training days; this year's
    county-level sessions; this year's contests for the communities and the places above;
    the first secretaries' and seconded cadres' appointments)."""
    communities = list(communities)
    if not communities:
        return []
    today = clock.today()
    base = compliance.reports_for(communities)
    ids = [c.pk for c in communities]
    workers: dict[int, list[Worker]] = {}
    for worker in (
        Worker.objects.filter(community_id__in=ids, left_on__isnull=True)
        .select_related("resident")
        .only("id", "community_id", "kind", "education", "is_reserve", "resident__birth_date")
    ):
        workers.setdefault(worker.community_id, []).append(worker)
    certified_ids = set(
        Certificate.objects.filter(
            worker__community_id__in=ids,
            worker__left_on__isnull=True,
            level__in=SOCIAL_WORK_LEVELS,
        ).values_list("worker_id", flat=True)
    )
    seats: dict[int, list[CommitteeSeat]] = {}
    terms: dict[int, set[str]] = {}
    done = training.days_in_year([w.resident_id for ws in workers.values() for w in ws], today.year)
    for seat in CommitteeSeat.objects.filter(
        term__committee__community_id__in=ids, term__succeeded_on__isnull=True, left_on__isnull=True
    ).select_related("term__committee"):
        seats.setdefault(seat.term.committee.community_id, []).append(seat)
    sessions = training.county_sessions(
        [w.resident_id for ws in workers.values() for w in ws], today.year
    )
    contests = training.contests_held(
        sorted({p for c in communities for p in ancestors_and_self(c.path)}), today.year
    )
    appointments: dict[int, list[Appointment]] = {}
    for item in Appointment.objects.filter(community_id__in=ids).select_related("resident"):
        appointments.setdefault(item.community_id, []).append(item)
    for community_id, kind in CommitteeTerm.objects.filter(
        committee__community_id__in=ids, succeeded_on__isnull=True
    ).values_list("committee__community_id", "committee__kind"):
        terms.setdefault(community_id, set()).add(kind)
    reports = []
    for community, places_report in zip(communities, base, strict=True):
        profile = places_report.profile
        covered, certified = coverage(workers.get(community.pk, []), certified_ids)
        if profile is not None and not profile.ok:
            profile_checks: list[Check] = []
        else:
            mine = seats.get(community.pk, [])
            profile_checks = [
                *_committee_checks(profile, mine, terms.get(community.pk, set())),
                *[c for c in places_report.checks if c.key in STAFFING_KEYS],
                *_people_checks(profile, workers.get(community.pk, []), today),
                _certified_check(profile, covered, certified),
                _training_check(profile, workers.get(community.pk, []), mine, done, today.year),
                training.sessions_check(
                    profile, _chiefs(workers.get(community.pk, []), mine), sessions, today.year
                ),
                _contests_check(
                    profile,
                    sum(contests.get(p, 0) for p in ancestors_and_self(community.path)),
                    today.year,
                ),
            ]
            mine_appointed = appointments.get(community.pk, [])
            profile_checks.append(_secondment_check(profile, mine_appointed, today))
            if mine_appointed:
                profile_checks.append(_reports_check(mine_appointed, today))
        mine = seats.get(community.pk, [])
        by_kind: dict[str, set[int]] = {}
        for seat in mine:
            by_kind.setdefault(seat.term.committee.kind, set()).add(seat.worker_id)
        chairs = {
            seat.term.committee.kind: seat.worker_id
            for seat in mine
            if seat.role in ("secretary", "director")
        }
        party, residents = chairs.get(CommitteeKind.PARTY), chairs.get(CommitteeKind.RESIDENTS)
        reports.append(
            WorkforceReport(
                community=community,
                profile=profile,
                checks=profile_checks,
                workers=len(workers.get(community.pk, [])),
                covered=covered,
                certified=certified,
                seats={kind: len(people) for kind, people in by_kind.items()},
                one_person_both_chairs=party is not None and party == residents,
                cross_appointed=len(
                    by_kind.get(CommitteeKind.PARTY, set())
                    & by_kind.get(CommitteeKind.RESIDENTS, set())
                ),
            )
        )
    return reports


def community_report(community: Place) -> WorkforceReport:
    return reports_for([community])[0]


def street_coverage(communities: QuerySet[Place]) -> list[dict[str, Any]]:
    """Certificate coverage per street (000 §三) over the given communities: one query."""
    rows = (
        Worker.objects.filter(community__in=communities, left_on__isnull=True)
        .exclude(kind__in=NOT_COVERED)
        .values("community__parent_id", "community__parent__name")
        .annotate(
            covered=Count("id", distinct=True),
            certified=Count(
                "id", filter=Q(certificates__level__in=SOCIAL_WORK_LEVELS), distinct=True
            ),
        )
        .order_by("community__parent__name")
    )
    return [
        {
            "street": row["community__parent__name"],
            "covered": row["covered"],
            "certified": row["certified"],
            "percent": (Decimal(row["certified"]) * 100 / row["covered"]).quantize(Decimal("0.1"))
            if row["covered"]
            else None,
        }
        for row in rows
    ]
