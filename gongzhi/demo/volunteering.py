"""Demo volunteering: volunteers, teams, past activities with confirmed hours and points,
upcoming activities (one today), and time-bank requests and offers.

In the demo street about one resident in ten is a registered volunteer: 春园社区 (the first
community, where the demo logins live) is above the 15% target of the Loudi profile (seed
001 §13), the others below, so the volunteer-share page shows both. The `volunteer` login
(周晓燕) gets a registry record in 春园社区 (she has none in the people demo) and, like the
resident 13800000001 (吴秀英) and `partymember` (赵国庆), a history of activities, points and
time-bank hours over the last months. Today's activity in 春园社区 is open for check-in:
log in as `worker`, open it under "Organise activities" and show the code.

Seed data: rows are written directly (not through the services, which would check each
demo login's rights), but every point and hour goes through gongzhi.core.ledger with the same
idempotency keys the services use, so balances and statements are real. Idempotent: when the
demo street already has volunteers, nothing is added. Deterministic (seeded generator).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock, crypto, ledger
from gongzhi.core.models import User
from gongzhi.demo import places as places_demo
from gongzhi.people.models import Resident
from gongzhi.places.models import Household, Place, PlaceKind
from gongzhi.volunteering import points
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    Exchange,
    ExchangeStatus,
    PostKind,
    Signup,
    SignupStatus,
    Team,
    Theme,
    Volunteer,
    VolunteerStatus,
)

# Share of residents registered as volunteers: the first community above the target.
SHARES = (0.17, 0.09, 0.11, 0.07, 0.10)
SKILLS = [
    "急救",
    "驾驶",
    "水电维修",
    "理发",
    "书法",
    "唱歌",
    "广场舞",
    "法律咨询",
    "电脑",
    "心理疏导",
    "烹饪",
    "护理",
    "摄影",
    "英语辅导",
    "垃圾分类宣传",
]
AVAILABILITY = ["周末", "工作日晚上", "工作日白天", "随时", "周六上午"]
AREAS = ["扶老助残", "应急救援", "矛盾调处", "环境保护", "文化体育", "邻里互助"]
TEAMS = [
    ("夕阳红助老服务队", Theme.ELDERLY),
    ("应急救援志愿队", Theme.RESCUE),
    ("邻里调解队", Theme.MEDIATION),
    ("绿色家园环保队", Theme.ENVIRONMENT),
    ("文体志愿服务队", Theme.CULTURE),
]
PAST = [
    ("敬老院陪护", "社区养老服务中心", Theme.ELDERLY),
    ("楼道小广告清理", "各小区楼道", Theme.ENVIRONMENT),
    ("防汛物资清点", "社区应急仓库", Theme.RESCUE),
    ("垃圾分类宣传", "社区广场", Theme.ENVIRONMENT),
    ("邻里纠纷调解值班", "党群服务中心调解室", Theme.MEDIATION),
    ("重阳节文艺汇演", "社区文化活动室", Theme.CULTURE),
    ("独居老人上门探访", "各网格", Theme.ELDERLY),
    ("义务理发", "党群服务中心", Theme.NEIGHBOURS),
]
UPCOMING = [
    ("周末义诊志愿服务", "社区卫生服务站", Theme.ELDERLY),
    ("消防安全演练", "春园小区广场", Theme.RESCUE),
    ("社区读书会", "社区图书室", Theme.CULTURE),
]
TIMEBANK = [
    (PostKind.REQUEST, "陪母亲去医院复查", "周三上午，需要会开车的邻居", 120),
    (PostKind.REQUEST, "帮忙修理厨房水龙头", "", 60),
    (PostKind.OFFER, "教老人使用智能手机", "每周六上午在活动室", 60),
    (PostKind.OFFER, "接送小孩放学", "工作日下午四点半", 30),
]
VOLUNTEER_NAME = "周晓燕"


def _community_residents(community: Place, db: str) -> list[tuple[int, str]]:
    return list(
        Resident.objects.using(db)
        .filter(place_path__startswith=community.path, is_active=True)
        .order_by("id")
        .values_list("id", "place_path")
    )


def _volunteer_resident(community: Place, db: str) -> Resident | None:
    """The `volunteer` login's registry record, created in the first community if missing."""
    user = User.objects.using(db).filter(username="volunteer").first()
    if user is None:
        return None
    existing = Resident.objects.using(db).filter(user=user).first()
    if existing is not None:
        return existing
    home = (
        Household.objects.using(db)
        .filter(place_path__startswith=community.path)
        .order_by("place_path", "id")[3:4]
        .first()
    )
    if home is None:
        return None
    return Resident.objects.using(db).create(
        name=VOLUNTEER_NAME,
        name_initials="zxy",
        gender="F",
        household=home,
        place_path=home.place_path,
        specialty="护理, 唱歌",
        user=user,
        created_at=clock.now(),
        updated_at=clock.now(),
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_default_timezone())


class _Builder:
    def __init__(self, scale, db: str, progress):
        self.scale, self.db = scale, db
        self.progress = progress or (lambda message: None)
        self.rng = random.Random(20260505)
        self.postings = 0

    def run(self) -> str:
        district = Place.objects.using(self.db).filter(code=places_demo.DISTRICT_CODE, depth=0)
        district = district.first()
        if district is None:
            return _("Volunteering: no demo district")
        street = (
            Place.objects.using(self.db)
            .filter(parent=district, kind=PlaceKind.STREET)
            .order_by("path")
            .first()
        )
        communities = list(
            Place.objects.using(self.db)
            .filter(parent=street, kind=PlaceKind.COMMUNITY)
            .order_by("path")
        )
        if not Volunteer.objects.using(self.db).filter(place_path__startswith=street.path):
            started = time.perf_counter()
            self.staff = {
                u.username: u
                for u in User.objects.using(self.db).filter(
                    username__in=["worker", "grid", "partner", "secretary"]
                )
            }
            for n, community in enumerate(communities):
                with transaction.atomic(using=self.db):
                    self._community(community, n)
                self.progress(f"Volunteering: {community.name}")
            self.seconds = time.perf_counter() - started
        return self._summary(street)

    def _summary(self, street: Place) -> str:
        vols = Volunteer.objects.using(self.db).filter(place_path__startswith=street.path)
        acts = Activity.objects.using(self.db).filter(place_path__startswith=street.path)
        teams = Team.objects.using(self.db).filter(place_path__startswith=street.path)
        return _(
            "Volunteering: %(volunteers)s volunteers, %(activities)s activities, %(teams)s "
            "teams, %(postings)s ledger entries this run"
        ) % {
            "volunteers": f"{vols.count():,}",
            "activities": f"{acts.count():,}",
            "teams": teams.count(),
            "postings": f"{self.postings:,}",
        }

    # -- one community ---------------------------------------------------------------------
    def _community(self, community: Place, index: int) -> None:
        first = index == 0
        featured: list[Resident] = []
        if first:
            featured = self._featured(community)
        residents = _community_residents(community, self.db)
        share = SHARES[index % len(SHARES)]
        wanted = int(len(residents) * share)
        chosen = self.rng.sample(residents, min(wanted, len(residents)))
        featured_ids = {r.pk for r in featured}
        chosen = [r for r in chosen if r[0] not in featured_ids]
        now = clock.now()
        rows = []
        for i, (pk, path) in enumerate([(r.pk, r.place_path) for r in featured] + chosen):
            roll = self.rng.random()
            status = (
                VolunteerStatus.ACTIVE
                if i < len(featured) or roll < 0.9
                else VolunteerStatus.PENDING
                if roll < 0.97
                else VolunteerStatus.SUSPENDED
            )
            rows.append(
                Volunteer(
                    resident_id=pk,
                    community=community,
                    place_path=path,
                    skills="、".join(self.rng.sample(SKILLS, 2)),
                    availability=self.rng.choice(AVAILABILITY),
                    areas=self.rng.choice(AREAS),
                    status=status,
                    status_reason="多次报名未到" if status == VolunteerStatus.SUSPENDED else "",
                    registered_at=now - dt.timedelta(days=self.rng.randint(5, 400)),
                    decided_at=now if status != VolunteerStatus.PENDING else None,
                )
            )
        Volunteer.objects.using(self.db).bulk_create(rows, batch_size=1000)
        active = list(
            Volunteer.objects.using(self.db).filter(
                community=community, status=VolunteerStatus.ACTIVE
            )
        )
        teams = self._teams(community, active)
        by_resident = {v.resident_id: v for v in active}
        core = [by_resident[r.pk] for r in featured if r.pk in by_resident]
        self._past(community, teams, active, core, many=first)
        self._upcoming(community, teams, core, first)
        if first:
            self._timebank(community, featured)

    def _featured(self, community: Place) -> list[Resident]:
        """The demo logins that live in the first community: volunteer, resident, party member."""
        people = []
        volunteer = _volunteer_resident(community, self.db)
        if volunteer is not None:
            people.append(volunteer)
        users = User.objects.using(self.db)
        for user in (
            users.filter(phone_index=_phone_index(places_demo.RESIDENT_PHONE)).first(),
            users.filter(username="partymember").first(),
        ):
            resident = Resident.objects.using(self.db).filter(user=user).first() if user else None
            if resident is not None and resident.place_path.startswith(community.path):
                people.append(resident)
        return people

    def _teams(self, community: Place, active: list[Volunteer]) -> list[Team]:
        teams = []
        pool = list(active)
        self.rng.shuffle(pool)
        size = max(3, min(25, len(pool) // (len(TEAMS) * 2)))
        for n, (name, theme) in enumerate(TEAMS):
            members = pool[n * size : (n + 1) * size]
            team = Team.objects.using(self.db).create(
                community=community,
                place_path=community.path,
                name=name,
                theme=theme,
                leader=members[0] if members else None,
                created_at=clock.now() - dt.timedelta(days=300),
            )
            team.members.set(members)
            teams.append(team)
        return teams

    def _organiser(self, n: int) -> User | None:
        order = ("worker", "worker", "secretary", "partner", "secretary")
        return self.staff.get(order[n % len(order)]) or self.staff.get("worker")

    def _body(self, community: Place, organiser: User | None, n: int) -> dict:
        """The organising body: the secretary publishes for a party branch of the community
        (or its party committee) every other time; the rest is the community's own. (The
        `partner` login's activities become its unit's in the partners demo, which builds
        the units.)"""
        from gongzhi.core import access
        from gongzhi.core.roles import Action
        from gongzhi.party.models import OrgKind, PartyOrg

        if organiser is None or organiser.username != "secretary":
            return {}
        if not access.can(organiser, Action.ACTIVITY_ORGANISE_PARTY, community.path):
            return {}  # the secretary of 春园社区 publishes for its party organisations only
        kinds = (OrgKind.BRANCH, OrgKind.COMMUNITY_COMMITTEE)
        org = (
            PartyOrg.objects.using(self.db)
            .filter(place_path__startswith=community.path, kind=kinds[n % 2])
            .order_by("place_path", "id")
            .first()
        )
        return {"organiser_kind": "party_org", "party_org": org} if org else {}

    def _past(self, community, teams, active, core, *, many: bool) -> None:
        """Past activities, hours confirmed: points and hours credited at the time."""
        today = clock.today()
        count = 12 if many else 3
        organiser = self._organiser(0)
        if organiser is None or not active:
            return
        theme_team = {t.theme: t for t in teams}
        for n in range(count):
            title, place, theme = PAST[n % len(PAST)]
            day = today - dt.timedelta(days=5 + n * 7)
            start = _at(day, 9 if n % 2 else 14)
            end = start + dt.timedelta(hours=2 + n % 2)
            by = self._organiser(n) or organiser
            activity = Activity.objects.using(self.db).create(
                community=community,
                place_path=community.path,
                title=title,
                location=place,
                starts_at=start,
                ends_at=end,
                capacity=12,
                team=theme_team.get(theme),
                organiser=by,
                **self._body(community, by, n),
                status=ActivityStatus.CONFIRMED,
                created_at=start - dt.timedelta(days=7),
                confirmed_at=end + dt.timedelta(hours=1),
            )
            people = self.rng.sample(active, min(len(active), 6 if many else 4))
            people = list(dict.fromkeys([*core[: 1 + n % max(len(core), 1)], *people]))[:10]
            signups = []
            for k, volunteer in enumerate(people):
                no_show = k == len(people) - 1 and n % 3 == 0
                late = dt.timedelta(minutes=self.rng.choice((0, 5, 10, 20)))
                signups.append(
                    Signup(
                        activity=activity,
                        resident_id=volunteer.resident_id,
                        place_path=volunteer.place_path,
                        status=SignupStatus.NO_SHOW if no_show else SignupStatus.CONFIRMED,
                        signed_up_at=start - dt.timedelta(days=3),
                        checked_in_at=None if no_show else start + late,
                        checked_out_at=None if no_show else end,
                        confirmed_at=None if no_show else end + dt.timedelta(hours=1),
                        confirmed_by=None if no_show else organiser,
                    )
                )
            Signup.objects.using(self.db).bulk_create(signups)
            Activity.objects.using(self.db).filter(pk=activity.pk).update(signed_up=len(signups))
            no_shows = [s.resident_id for s in signups if s.status == SignupStatus.NO_SHOW]
            if no_shows:
                Volunteer.objects.using(self.db).filter(resident_id__in=no_shows).update(no_shows=1)
            with clock.travel_to(end + dt.timedelta(hours=1)):
                for signup in (
                    Signup.objects.using(self.db)
                    .filter(activity=activity, status=SignupStatus.CONFIRMED)
                    .select_related("resident")
                ):
                    self._credit(activity, signup, organiser)

    def _credit(self, activity, signup, organiser) -> None:
        minutes = int((signup.checked_out_at - signup.checked_in_at).total_seconds() // 60)
        base = f"activity:{activity.pk}:resident:{signup.resident_id}"
        total = 0
        for rule, units, key in (
            ("service_hour", minutes / 60, f"{base}:points"),
            ("activity", 1, f"{base}:activity-points"),
        ):
            result = points.earn_result(
                signup.resident,
                rule,
                source=activity,
                units=units,
                actor=organiser,
                key=key,
                reason_text=activity.title,
            )
            total += result.amount
            self.postings += 1 if result.entry else 0
        points.deposit_hours(
            signup.resident,
            minutes,
            source=activity,
            key=f"{base}:hours",
            actor=organiser,
            reason_text=activity.title,
        )
        self.postings += 1
        Signup.objects.using(self.db).filter(pk=signup.pk).update(minutes=minutes, points=total)

    def _upcoming(self, community, teams, core, first: bool) -> None:
        today = clock.today()
        now = clock.now()
        theme_team = {t.theme: t for t in teams}
        plans = []
        if first:
            # Today's activity: open for check-in now (it started 30 minutes ago).
            start = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
            plans.append(("社区环境清洁日", "春园小区中心花园", Theme.ENVIRONMENT, start, 3, True))
        for n, (title, place, theme) in enumerate(UPCOMING):
            start = _at(today + dt.timedelta(days=2 + n * 3), 9)
            plans.append((title, place, theme, start, 2, n == 2))
        organiser = self._organiser(0)
        if organiser is None:
            return
        for n, (title, place, theme, start, hours, walk_in) in enumerate(plans):
            # Upcoming: the first (today's) by the worker; then the secretary for a party
            # branch, the partner login (its unit), the worker.
            by = (organiser, self.staff.get("secretary"), self.staff.get("partner"))[n % 3]
            by = by or organiser
            activity = Activity.objects.using(self.db).create(
                community=community,
                place_path=community.path,
                title=title,
                location=place,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=hours),
                capacity=20,
                required_skills="" if n else "无",
                team=theme_team.get(theme),
                allow_walk_in=walk_in,
                organiser=by,
                **self._body(community, by, 0),
                created_at=now - dt.timedelta(days=2),
            )
            people = core if n == 0 else core[1:]
            Signup.objects.using(self.db).bulk_create(
                [
                    Signup(
                        activity=activity,
                        resident_id=v.resident_id,
                        place_path=v.place_path,
                        signed_up_at=now - dt.timedelta(days=1),
                    )
                    for v in people
                ]
            )
            Activity.objects.using(self.db).filter(pk=activity.pk).update(signed_up=len(people))

    def _timebank(self, community: Place, featured: list[Resident]) -> None:
        if len(featured) < 2:
            return
        now = clock.now()
        authors = [featured[1], featured[0], featured[0], featured[-1]]
        for (kind, title, text, minutes), author in zip(TIMEBANK, authors, strict=True):
            Exchange.objects.using(self.db).create(
                kind=kind,
                community=community,
                place_path=community.path,
                author=author,
                title=title,
                description=text,
                minutes=minutes,
                created_at=now - dt.timedelta(days=self.rng.randint(0, 4)),
            )
        # One finished exchange: the volunteer accompanied the resident's mother (hours moved).
        done = Exchange.objects.using(self.db).create(
            kind=PostKind.REQUEST,
            community=community,
            place_path=community.path,
            author=featured[1],
            taker=featured[0],
            title="陪同买菜",
            minutes=60,
            status=ExchangeStatus.DONE,
            requester_confirmed=True,
            provider_confirmed=True,
            created_at=now - dt.timedelta(days=10),
            taken_at=now - dt.timedelta(days=9),
            done_at=now - dt.timedelta(days=8),
        )
        with clock.travel_to(now - dt.timedelta(days=8)):
            requester = points.hours_account(featured[1])
            if ledger.balance(requester) >= done.minutes:
                ledger.transfer(
                    debit=requester,
                    credit=points.hours_account(featured[0]),
                    amount=done.minutes,
                    reason="timebank",
                    reason_text=done.title,
                    source=done,
                    idempotency_key=f"timebank:{done.pk}",
                )
                self.postings += 1


def _phone_index(phone: str) -> str:
    return crypto.blind_index("phone", phone)


def build(
    scale, *, using: str = DEFAULT_DB_ALIAS, progress: Callable[[str], None] | None = None
) -> str:
    """Build the demo volunteering data (idempotent); returns one line saying what exists."""
    if isinstance(scale, str):
        scale = places_demo.SCALES[scale]
    return _Builder(scale, using, progress).run()
