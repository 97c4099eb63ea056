"""Demo community workforce (gongzhi/workforce): workers' records and the two committees for
every community of the demo street (the `street` login's), with realistic gaps:

- the demo community (the `secretary` login's): seven workers, the party committee and the
  residents' committee with one person holding both chairs (一肩挑) and a cross-appointed
  member, a graduate and a reserve candidate under 35; its residents' committee is due for
  turnover within the reminder months; the `grid` login's record is linked to its post (the
  grid worker sees their own pay, not their colleagues');
- the second community: its party committee is too small (two members) and nobody is a reserve
  candidate;
- the third community: its residents' committee's turnover is overdue, and no worker is a
  college graduate;
- further communities: workers only, no committee recorded (the rows say "not yet recorded");
- certificates (000 §三): the demo district's document (Loudi, 001) sets neither the coverage
  target nor the rewards, so the last community of the street names the Wuhan East Lake profile
  (000) for itself, as the estates demo does for some estates: there two of its workers hold
  social-work certificates — an assistant's reward awaits the street's approval, an
  intermediate's has been approved and paid — and the others are uncertified, so coverage is
  overdue (持证上岗全覆盖 by 2025). In the demo community two workers hold certificates and the
  pages say that its document sets no reward;
- yearly assessments (001 §6): every worker of the demo community is assessed for the last two
  years; in the second community one worker was judged incompetent (不称职) two years running
  and is flagged for dismissal (Loudi sets `staffing.unfit_years: 2`);
- training (001 §5, 003): the street's seven-day course this year — the demo community's
  secretary attends all of it, one committee member only two days (short of Loudi's three) —
  and the grid workers' skills contest with ranks and scores;
- pay floors (001 §15): in the demo community a member of the residents' committee is paid
  1,150 yuan a month, below Loudi's 1,200 for a member;
- first secretaries and seconded cadres (000 §二): the demo community's first secretary, sent
  by a partner unit of the street, is mid-term and keeps a duty log with their own login
  (`firstsecretary`, 第一书记, a community worker's post); the Wuhan East Lake community's
  seconded cadre served exactly one year (its document's least), which has ended without an
  end-of-term report — the gap on the compliance page. The street's course is held by the
  district (county level): the demo community's secretary has their one session of Loudi's
  `training.secretary_min_sessions_per_year`, the other communities' secretaries none.

Workers are residents of the community aged 25 to 50 (the reserve candidate 35 or under).
Every write goes through the services (one audit record each). Idempotent: when the demo
community already has a worker's record, nothing is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core import services as core_services
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo.places.scales import DEMO_PASSWORD
from gongzhi.partners.models import PartnerUnit
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind
from gongzhi.workforce import appointments, services, training
from gongzhi.workforce.models import (
    CertificateLevel,
    CommitteeKind,
    CourseKind,
    ElectionMethod,
    Grade,
    Reward,
    SeatRole,
    Worker,
    WorkerKind,
)

# (kind, education, reserve, monthly pay in yuan)
STAFF: tuple[tuple[str, str, bool, str], ...] = (
    (WorkerKind.SECRETARY, "bachelor", False, "4200"),
    (WorkerKind.COMMUNITY_WORKER, "college", False, "3300"),
    (WorkerKind.COMMUNITY_WORKER, "bachelor", True, "3100"),
    (WorkerKind.COMMUNITY_WORKER, "secondary", False, "3000"),
    (WorkerKind.GRID_WORKER, "college", False, "2800"),
    (WorkerKind.GRID_WORKER, "secondary", False, "2600"),
    (WorkerKind.FIRST_SECRETARY, "master", False, ""),
)


def _post_place(username: str, role: str) -> Place | None:
    post = (
        Post.objects.filter(user__username=username, role=role, is_active=True)
        .select_related("place")
        .first()
    )
    return post.place if post else None


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _candidates(community: Place, today: dt.date) -> tuple[list[Resident], list[Resident]]:
    """Residents aged 25–50 with no worker's record and no login of their own (the first
    secretary gets a demo login): (35 or under, older)."""
    taken = Worker.objects.filter(left_on__isnull=True).values("resident_id")
    people = list(
        Resident.objects.filter(
            place_path__startswith=community.path,
            is_active=True,
            user__isnull=True,
            birth_date__lte=_years_ago(today, 25),
            birth_date__gt=_years_ago(today, 50),
        )
        .exclude(pk__in=taken)
        .order_by("id")[:40]
    )
    limit = _years_ago(today, 35)
    return [p for p in people if p.birth_date and p.birth_date > limit], [
        p for p in people if p.birth_date and p.birth_date <= limit
    ]


def _workers(
    community: Place, actor: User, today: dt.date, *, graduates: bool, reserve: bool
) -> list[Worker]:
    young, older = _candidates(community, today)
    made = []
    for i, (kind, education, is_reserve, pay) in enumerate(STAFF):
        is_reserve = is_reserve and reserve
        pool = young if is_reserve or not older else older
        if not pool:
            pool = young or older
        if not pool:
            break
        person = pool.pop(0)
        if not graduates and education != "secondary":
            education = "secondary"
        made.append(
            services.add_worker(
                community,
                actor=actor,
                resident=person,
                kind=kind,
                started_on=today.replace(year=today.year - 1 - i % 5, month=3, day=1),
                education=education,
                is_reserve=is_reserve,
                monthly_pay_yuan=pay or None,
            )
        )
    return made


def _committees(
    community: Place,
    workers: list[Worker],
    actor: User,
    today: dt.date,
    *,
    party_size: int,
    residents_elected: dt.date,
) -> None:
    party = services.add_term(
        community,
        CommitteeKind.PARTY,
        actor=actor,
        number=1,
        elected_on=today.replace(year=today.year - 2, month=1, day=10),
        ends_on=today.replace(year=today.year + 3, month=1, day=10),
        method=ElectionMethod.TWO_RECOMMEND,
        seats=5,
    )
    residents = services.add_term(
        community,
        CommitteeKind.RESIDENTS,
        actor=actor,
        number=1,
        elected_on=residents_elected,
        ends_on=_years_ago(residents_elected, -5),
        method=ElectionMethod.DIRECT,
        seats=5,
    )
    for i, worker in enumerate(workers[:party_size]):
        role = SeatRole.SECRETARY if i == 0 else SeatRole.MEMBER
        services.add_seat(party, actor=actor, worker=worker, role=role, joined_on=party.elected_on)
    # 一肩挑: the secretary also chairs the residents' committee; one cross-appointed member
    seated = [workers[0], workers[1], *workers[party_size : party_size + 2]]
    for i, worker in enumerate(seated):
        role = SeatRole.DIRECTOR if i == 0 else SeatRole.MEMBER
        services.add_seat(
            residents, actor=actor, worker=worker, role=role, joined_on=residents.elected_on
        )


def _link_grid_login(community: Place, workers: list[Worker]) -> None:
    """The `grid` login's post on the record of a grid worker (its resident record linked)."""
    post = Post.objects.filter(
        user__username="grid",
        role=Role.GRID_WORKER,
        is_active=True,
        place__path__startswith=(community.path),
    ).first()
    if post is None or Resident.objects.filter(user=post.user).exists():
        return
    worker = next((w for w in workers if w.kind == WorkerKind.GRID_WORKER), None)
    if worker is None:
        return
    Resident.objects.filter(pk=worker.resident_id).update(user=post.user)
    Worker.objects.filter(pk=worker.pk).update(post=post)


CERTIFIED_PROFILE = "wuhan-east-lake"


def _certificates(workers: list[Worker], actor: User, approver: User, today: dt.date) -> int:
    """Two certificates: an assistant's (reward awaiting approval) and an intermediate's
    (approved and paid where the profile rewards it)."""
    made = 0
    for worker, level, number in zip(
        workers[1:3],
        (CertificateLevel.ASSISTANT, CertificateLevel.INTERMEDIATE),
        ("S2023420100123", "S2022420100456"),
        strict=False,
    ):
        services.record_certificate(
            worker,
            actor=actor,
            level=level,
            number=number,
            obtained_on=today - dt.timedelta(days=120 if level == "assistant" else 400),
        )
        made += 1
    paid = Reward.objects.filter(
        certificate__worker__in=workers, level=CertificateLevel.INTERMEDIATE
    ).first()
    if paid is not None:
        services.approve_reward(paid, actor=approver)
        services.mark_paid(paid, actor=approver)
    return made


def _assessments(workers: list[Worker], actor: User, today: dt.date, *, unfit: bool) -> int:
    """Assessments of the last two years; with `unfit`, the second worker is incompetent in
    both (flagged for dismissal)."""
    made = 0
    for i, worker in enumerate(workers):
        for year in (today.year - 2, today.year - 1):
            if year < worker.started_on.year:
                continue
            grade = Grade.EXCELLENT if i == 0 else Grade.COMPETENT
            if unfit and i == 1:
                grade = Grade.INCOMPETENT
            elif i == 3 and year == today.year - 1:
                grade = Grade.BASIC
            services.record_assessment(
                worker, actor=actor, year=year, grade=grade, comments="年度述职评议"
            )
            made += 1
    return made


def _training(community: Place, workers: list[Worker], street_user: User, today: dt.date) -> int:
    """This year's centralised training held by the street (7 days) and the grid workers'
    skills contest (003) with its results. The secretary (一肩挑) attends all 7 days; one member
    of the committees only 2 days, short of the 3 days of 001 §5."""
    street = community.parent
    if street is None or len(workers) < 5:
        return 0
    start = max(dt.date(today.year, 1, 2), today - dt.timedelta(days=40))
    course = training.record_course(
        street,
        actor=street_user,
        title="社区“两委”成员集中轮训班",
        organiser="区委组织部、区民政局",
        kind=CourseKind.TRAINING,
        starts_on=start,
        ends_on=start + dt.timedelta(days=6),
        days="7",
        county_level=True,  # held by the district: a session at county level (001 §5)
    )
    training.record_attendance(course, actor=street_user, worker=workers[0])
    training.record_attendance(course, actor=street_user, worker=workers[1], days="2")
    for worker in workers[2:6]:
        training.record_attendance(course, actor=street_user, worker=worker, days="3.5")
    contest = training.record_course(
        street,
        actor=street_user,
        title="网格员技能竞赛",
        organiser="街道综治中心",
        kind=CourseKind.CONTEST,
        starts_on=start + dt.timedelta(days=10)
        if start + dt.timedelta(days=10) <= today
        else start,
        ends_on=today,
        days="1",
    )
    grid = [w for w in workers if w.kind == WorkerKind.GRID_WORKER]
    for rank, worker in enumerate(grid, start=1):
        training.record_attendance(
            contest, actor=street_user, worker=worker, rank=rank, score=str(96 - 7 * rank)
        )
    return 2


FIRST_SECRETARY_LOGIN = ("firstsecretary", "第一书记")
DUTY_LOG = (
    (12, "到任报到，与社区“两委”班子逐一谈心，熟悉社区基本情况"),
    (40, "走访辖区困难家庭 12 户，收集“微心愿”5 条"),
    (75, "牵头召开共建单位联席会议，认领社区需求 3 项"),
    (110, "组织党员志愿者开展老旧小区环境整治"),
)


def _first_secretary(
    community: Place, workers: list[Worker], street_user: User, today: dt.date
) -> int:
    """The demo community's first secretary, sent by a partner unit of the street (or the
    district's organisation department), mid-term, with a login of their own (`firstsecretary`,
    a community worker's post) and four duty-log entries written by it."""
    worker = next((w for w in workers if w.kind == WorkerKind.FIRST_SECRETARY), None)
    if worker is None or worker.resident.user_id is not None:
        return 0
    username, name = FIRST_SECRETARY_LOGIN
    user = User.objects.filter(username=username).first() or User.objects.create_user(
        username=username, password=DEMO_PASSWORD, name=name
    )
    core_services.grant_post(user, Role.COMMUNITY_WORKER, community, actor=street_user)
    Resident.objects.filter(pk=worker.resident_id).update(user=user)
    worker.resident.user = user
    paths = [community.path, community.parent.path if community.parent else community.path]
    unit = PartnerUnit.objects.filter(is_active=True, place_path__in=paths).order_by("id").first()
    start = (today - dt.timedelta(days=150)).replace(day=1)
    made = appointments.appoint(
        worker,
        actor=street_user,
        unit=unit,
        office="" if unit else "区委组织部",
        starts_on=start,
        planned_end_on=_years_ago(start, -2) - dt.timedelta(days=1),
    )
    for days, text in DUTY_LOG:
        day = start + dt.timedelta(days=days)
        if day <= today:
            appointments.add_log_entry(made, actor=user, day=day, text=text)
    return 1


def _seconded_cadre(community: Place, street_user: User, today: dt.date) -> int:
    """A seconded cadre of the Wuhan East Lake community whose one-year term ended without an
    end-of-term report: the gap on the compliance page."""
    young, older = _candidates(community, today)
    pool = young or older
    if not pool:
        return 0
    person = pool[0]
    start = (today - dt.timedelta(days=460)).replace(day=1)
    worker = services.add_worker(
        community,
        actor=street_user,
        resident=person,
        kind=WorkerKind.SECONDED_CADRE,
        started_on=start,
        education="bachelor",
    )
    appointments.appoint(
        worker,
        actor=street_user,
        office="市委组织部",
        starts_on=start,
        planned_end_on=_years_ago(start, -1) - dt.timedelta(days=1),  # exactly one year
    )
    return 1


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    community = _post_place("secretary", Role.COMMUNITY_SECRETARY)
    street_user = User.objects.filter(username="street").first()
    secretary = User.objects.filter(username="secretary").first()
    if community is None or street_user is None or secretary is None:
        return _("Workforce: skipped (no demo community, secretary or street login)")
    if Worker.objects.filter(community=community).exists():
        return _("Workforce: already present (%(n)s workers' records)") % {
            "n": Worker.objects.count()
        }
    today = clock.today()
    others = list(
        Place.objects.filter(parent=community.parent, kind=PlaceKind.COMMUNITY)
        .exclude(pk=community.pk)
        .order_by("path")
    )
    with transaction.atomic():
        workers = _workers(community, secretary, today, graduates=True, reserve=True)
        if len(workers) >= 5:
            # the residents' committee is due for turnover within the reminder months
            _committees(
                community,
                workers,
                secretary,
                today,
                party_size=4,
                residents_elected=_years_ago(today + dt.timedelta(days=45), 5),
            )
        _link_grid_login(community, workers)
        _first_secretary(community, workers, street_user, today)
        if workers:
            services.record_certificate(
                workers[0],
                actor=secretary,
                level=CertificateLevel.OTHER,
                title="心理咨询师（三级）",
                number="XL2019-0815",
                obtained_on=dt.date(today.year - 4, 8, 15),
            )
            _certificates(workers, secretary, street_user, today)
            _assessments(workers, secretary, today, unfit=False)
            _training(community, workers, street_user, today)
            if len(workers) >= 6:
                # a committee member paid below Loudi's floor (001 §15: 委员不低于1200元/月)
                services.update_worker(workers[5], actor=secretary, monthly_pay_yuan="1150")
        if others:
            last = others[-1]
            Place.objects.filter(pk=last.pk).update(policy_profile=CERTIFIED_PROFILE)
            last.policy_profile = CERTIFIED_PROFILE
        total = len(workers)
        for i, other in enumerate(others):
            made = _workers(other, street_user, today, graduates=i != 1, reserve=False)
            total += len(made)
            if other == others[-1]:
                _certificates(made, street_user, street_user, today)
                total += _seconded_cadre(other, street_user, today)
            if i == 0:
                _assessments(made, street_user, today, unfit=True)
            if i < 2 and len(made) >= 5:
                _committees(
                    other,
                    made,
                    street_user,
                    today,
                    party_size=2 if i == 0 else 3,  # the second community: too small
                    residents_elected=(
                        _years_ago(today, 6) if i == 1 else dt.date(today.year - 1, 1, 15)
                    ),
                )
    return _(
        "Workforce: %(n)s workers' records in %(c)s communities, the two committees of three"
    ) % {
        "n": total,
        "c": 1 + len(others),
    }
