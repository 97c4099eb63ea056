"""Demo people: residents, household memberships, tags, skills and the party organisation,
on top of the places, households and logins that gongzhi/demo/places.py builds.

Small scale (the demo street, 10,000 households): every household gets 1–5 residents, about
25,000 in all; the district scale (350,000 households) about 1,000,000 (998,098). Each
household is a family: a head, a spouse, children, parents, sometimes a son- or daughter-in-law and
grandchildren, with ages that fit the relation, common Chinese surnames in their real
proportions, given names of the person's generation, valid 18-digit ID numbers (gender digit and
birth date consistent), phone numbers for most adults, a residence status, care tags in realistic
proportions (living alone mostly among the 60+) and skills for some.

The party organisation follows seed 003: a street working committee per street, a community
party committee per community, a branch per grid (one grid in twenty is left without one, so the
"gaps" panel has something to show), a building party group for most buildings of a grid with a
branch, a few party-member households; about 7 % of adults are party members, about one in
fifteen of them (one in ten of working age) in service elsewhere with a check-in to their home
community. Secretaries are set.

The demo logins of places/demo.py get their people: the resident login (phone 13800000001) is
the head of her household in 第一网格 of 春园社区, with her family; "partymember" (赵国庆) is a
party member who leads his building's party group; "secretary" (张丽华) leads the community party
committee. Their names are given to nobody else.

Deterministic: every household draws from its own seeded generator, ID sequence numbers come
from the community's own slot, so the same tree gives the same people. Idempotent: a community
that already has residents is left alone (each street is built in one transaction, so an
interrupted run resumes at the street it stopped in), and a resident whose ID number (blind
index) is already registered is not created again. Streamed: residents go out in bulk batches,
community by community; memory stays flat. ID numbers and phones are written only through
gongzhi.core.crypto (encrypted, blind index, masked). One audit record per run that created
anything.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock, crypto
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import places as places_demo
from gongzhi.party.models import Checkin, MemberStatus, OrgKind, PartyMember, PartyOrg
from gongzhi.people import pinyin
from gongzhi.people.idcard import Gender, make_id
from gongzhi.people.models import Membership, Relation, ResidenceStatus, Resident, ResidentTag, Tag
from gongzhi.places.models import Household, Place, PlaceKind

BATCH_SIZE = places_demo.BATCH_SIZE

# Household sizes 1–5: weights per scale. Small: mean 2.53 (≈25,000 residents in 10,000
# households); district: mean 2.87 (≈1,004,000 in 350,000).
SIZE_WEIGHTS = {
    "small": (22, 32, 25, 13, 8),
    "district": (15, 26, 28, 19, 12),
}

SQLITE_CACHE_KIB = 128 * 1024  # page cache during the build (SQLite), see _Builder.run

PARTY_SHARE = 0.07  # of adults
IN_SERVICE_SHARE = 0.10  # of members of working age
NO_BRANCH_EVERY = 20  # one grid in twenty has no branch (the gaps panel): in the demo
NO_BRANCH_REMAINDER = 7  # street, 第八网格 of 春园社区 and 第四网格 of 吉星社区
NO_GROUP_SHARE = 0.12  # buildings without a party group, in grids with a branch

# The commonest surnames with their share in percent (2020 census order), Hunan-common
# ones (谭 彭 曾 肖 邓 廖 龚 贺 易 颜) a little heavier.
SURNAME_WEIGHTS = {
    "王": 7.1, "李": 7.0, "张": 6.7, "刘": 5.8, "陈": 4.5, "杨": 3.1, "黄": 2.2, "赵": 2.0,
    "吴": 2.0, "周": 1.9, "徐": 1.3, "孙": 1.2, "马": 1.1, "朱": 1.1, "胡": 1.3, "郭": 1.0,
    "何": 1.2, "林": 0.9, "罗": 1.4, "高": 0.9, "郑": 0.8, "梁": 0.7, "谢": 1.0, "宋": 0.6,
    "唐": 1.0, "许": 0.6, "韩": 0.5, "邓": 1.1, "冯": 0.5, "曹": 0.6, "彭": 1.0, "曾": 1.0,
    "肖": 0.9, "田": 0.5, "董": 0.5, "袁": 0.5, "潘": 0.4, "蒋": 0.6, "谭": 0.9, "廖": 0.6,
    "龚": 0.4, "贺": 0.5, "易": 0.4, "颜": 0.3, "段": 0.3, "欧阳": 0.1,
}  # fmt: skip
_SURNAMES = list(SURNAME_WEIGHTS)
_SURNAME_CUM = []
_total = 0.0
for _w in SURNAME_WEIGHTS.values():
    _total += _w
    _SURNAME_CUM.append(_total)

# Given names by generation (born before 1965 / 1965–1989 / 1990 on) and gender.
GIVEN = {
    ("old", "M"): [
        "建国", "国庆", "建华", "德明", "志刚", "永红", "卫国", "长生", "福生", "国华", "建军",
        "振华", "庆云", "桂林", "树林", "正平", "文革", "学军", "金山", "光明", "新民", "铁军",
    ],
    ("old", "F"): [
        "秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "淑珍", "秀珍", "玉珍", "冬梅", "腊梅",
        "翠兰", "桂芳", "春花", "菊香", "素珍", "爱华", "美华", "金凤", "玉梅", "月娥", "香莲",
    ],
    ("mid", "M"): [
        "伟", "强", "勇", "军", "磊", "涛", "斌", "超", "明", "刚", "杰", "志强", "海涛", "建军",
        "立新", "文斌", "志勇", "永刚", "晓东", "俊杰", "国平", "小军", "卫东", "红兵", "海波",
    ],
    ("mid", "F"): [
        "芳", "敏", "静", "丽", "艳", "娟", "霞", "燕", "红", "萍", "晓燕", "海燕", "红梅",
        "丽娟", "小红", "艳红", "春燕", "慧", "玲", "琴", "丽萍", "美玲", "雪梅", "晓丽", "婷",
    ],
    ("young", "M"): [
        "浩然", "子轩", "宇航", "梓豪", "俊熙", "思远", "文博", "一鸣", "子涵", "宇", "浩",
        "鑫", "昊天", "博文", "家豪", "嘉懿", "睿", "皓轩", "煜", "天佑", "铭", "泽宇", "锦程",
    ],
    ("young", "F"): [
        "欣怡", "雨欣", "子涵", "梓涵", "诗涵", "可馨", "思琪", "佳怡", "雨桐", "梦瑶", "紫涵",
        "一诺", "若汐", "婧", "妍", "悦", "琳", "语嫣", "欣然", "佳琪", "晨曦", "雅琴", "安琪",
    ],
}  # fmt: skip

# GB/T 2260 area codes: 娄星区 first, then the rest of Loudi and other Hunan districts/counties.
HOME_AREA = places_demo.DISTRICT_CODE
HUNAN_AREAS = [
    "431321", "431322", "431381", "431382",  # 双峰 新化 冷水江 涟源
    "430102", "430103", "430104", "430111", "430121",  # 长沙
    "430302", "430304", "430381",  # 湘潭
    "430406", "430408", "430482",  # 衡阳
    "430502", "430582", "430522",  # 邵阳
    "430602", "430702", "430902", "431102", "431202",
]  # fmt: skip
PHONE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "166", "173", "177", "180", "181", "182", "183",
    "184", "185", "186", "187", "188", "189", "191", "199",
]  # fmt: skip
SKILLS = [
    "电工", "水电维修", "法律咨询", "医护", "心理咨询", "书法", "摄影", "厨艺", "家电维修",
    "理发", "裁缝", "驾驶", "会计", "教育辅导", "文艺表演", "广场舞", "园艺", "电脑维修",
]  # fmt: skip
# (workplace, its party organisation) for in-service members.
WORKPLACES = [
    ("娄底市第一人民医院", "娄底市第一人民医院党委"),
    ("国家税务总局娄底市娄星区税务局", "娄星区税务局机关党支部"),
    ("娄底市中心医院", "娄底市中心医院党委"),
    ("娄星区教育局", "娄星区教育局机关党支部"),
    ("娄底职业技术学院", "娄底职业技术学院党委"),
    ("国网娄底供电公司", "国网娄底供电公司党委"),
    ("娄星区人民法院", "娄星区人民法院机关党支部"),
    ("湖南人文科技学院", "湖南人文科技学院党委"),
    ("娄底市公安局娄星分局", "娄底市公安局娄星分局党委"),
    ("中国建设银行娄底分行", "中国建设银行娄底分行党委"),
    ("娄底市第三中学", "娄底市第三中学党总支"),
    ("娄星区市场监督管理局", "娄星区市场监督管理局机关党支部"),
]

# The columns _flush writes, in its row order (the rest get their model defaults).
RESIDENT_COLUMNS = (
    "name", "name_initials", "gender", "birth_date", "id_encrypted", "id_index", "id_masked",
    "phone_encrypted", "phone_index", "phone_masked", "household", "relation", "place_path",
    "residence_status", "specialty", "consent_personal_info", "consent_contact",
    "consent_publicity",
)  # fmt: skip
MEMBER_COLUMNS = (
    "resident", "org", "status", "joined_on", "in_service", "workplace", "workplace_org",
    "place_path",
)  # fmt: skip

# Names that belong to the demo logins' people only.
RESERVED_NAMES = frozenset(name for _role, _login, name, _where in places_demo.DEMO_LOGINS)


@dataclass
class _Person:
    name: str
    gender: str
    birth: dt.date
    relation: str
    status: str
    area: str
    moved_in: dt.date
    surname: str = ""
    phone: str | None = None
    tags: list[str] = field(default_factory=list)
    skills: str = ""
    consents: tuple[bool, bool, bool] = (True, True, False)
    party: bool = False
    joined_on: dt.date | None = None
    workplace: tuple[str, str] | None = None  # in service: (workplace, party organisation)
    leads: str | None = None  # "group" or "committee": the reserved people's posts
    household_id: int = 0
    place_path: str = ""
    org_id: int | None = None
    resident_id: int = 0
    id_index: str = ""


@dataclass
class PeopleResult:
    scale: str
    created: dict[str, int]
    totals: dict[str, int]
    seconds: float
    largest_batch: int = 0
    communities_skipped: int = 0

    @property
    def changed(self) -> bool:
        return any(self.created.values())


def _years_before(day: dt.date, years: int, days: int) -> dt.date:
    """`years` whole years and `days` more before `day` (29 February lands on the 28th)."""
    try:
        start = day.replace(year=day.year - years)
    except ValueError:
        start = day.replace(year=day.year - years, day=28)
    return start - dt.timedelta(days=days)


def _age(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


# The reserved households of the demo logins: (name, gender, birth, relation, phone, party).
_RESIDENT_LOGIN_FAMILY = [
    ("吴秀英", "F", dt.date(1968, 3, 12), Relation.HEAD, places_demo.RESIDENT_PHONE, False),
    ("李建军", "M", dt.date(1966, 8, 20), Relation.SPOUSE, "13907381526", False),
    ("李思远", "M", dt.date(1993, 5, 6), Relation.CHILD, "15873840219", False),
    ("李雨桐", "F", dt.date(2012, 9, 1), Relation.CHILD, None, False),
]
_PARTY_LOGIN_FAMILY = [
    ("赵国庆", "M", dt.date(1971, 10, 1), Relation.HEAD, "13973892047", True),
    ("黄丽", "F", dt.date(1973, 4, 18), Relation.SPOUSE, "18807386613", False),
    ("赵浩然", "M", dt.date(2000, 1, 9), Relation.CHILD, "17773851190", False),
]
# The volunteer login (周晓燕) is a resident of the demo community too: her points, hours,
# sign-ups and redemptions hang on this registry record.
_VOLUNTEER_LOGIN_FAMILY = [
    ("周晓燕", "F", dt.date(1991, 5, 12), Relation.HEAD, "15973821146", False),
    ("李明", "M", dt.date(1989, 8, 3), Relation.SPOUSE, "13687381529", False),
    ("李可馨", "F", dt.date(2016, 9, 21), Relation.CHILD, None, False),
]
_SECRETARY_LOGIN_FAMILY = [
    ("张丽华", "F", dt.date(1978, 6, 23), Relation.HEAD, "13807383318", True),
    ("彭志勇", "M", dt.date(1976, 2, 14), Relation.SPOUSE, "13574816620", False),
    ("彭欣怡", "F", dt.date(2006, 11, 30), Relation.CHILD, "19976403385", False),
]


class _Builder:
    def __init__(self, scale_name: str, batch_size: int, using: str, progress: Callable | None):
        self.scale_name = scale_name
        self.sizes = SIZE_WEIGHTS.get(scale_name, SIZE_WEIGHTS["district"])
        self.batch_size = batch_size
        self.db = using
        self.progress = progress or (lambda message: None)
        self.today = clock.today()
        self.protect = crypto.Protector()
        self.buffer: list[_Person] = []
        self.largest_batch = 0
        self.skipped_ids = 0

    # -- totals and lookups -----------------------------------------------------------------
    def _totals(self) -> dict[str, int]:
        return {
            "residents": Resident.objects.using(self.db).count(),
            "memberships": Membership.objects.using(self.db).count(),
            "tags": ResidentTag.objects.using(self.db).count(),
            "party_orgs": PartyOrg.objects.using(self.db).count(),
            "party_members": PartyMember.objects.using(self.db).count(),
            "checkins": Checkin.objects.using(self.db).count(),
        }

    def _ensure_orgs(self, specs: list[PartyOrg]) -> list[PartyOrg]:
        """Create the organisations that are new by (place, kind, name); ids on every spec."""
        found = {
            (o.place_id, o.kind, o.name): o
            for o in PartyOrg.objects.using(self.db).filter(
                place_id__in={s.place_id for s in specs}
            )
        }
        missing = [s for s in specs if (s.place_id, s.kind, s.name) not in found]
        if missing:
            PartyOrg.objects.using(self.db).bulk_create(missing, batch_size=self.batch_size)
            if any(o.pk is None for o in missing):
                for o in PartyOrg.objects.using(self.db).filter(
                    place_id__in={s.place_id for s in missing}
                ):
                    found.setdefault((o.place_id, o.kind, o.name), o)
        out = []
        for s in specs:
            if s.pk is None:
                s = found[(s.place_id, s.kind, s.name)]
            out.append(s)
        return out

    def _reserved_homes(self) -> dict[int, list]:
        """{household id: fixed family} for the demo logins' households."""
        homes: dict[int, list] = {}
        users = User.objects.using(self.db)
        posts = Post.objects.using(self.db)
        resident_user = (
            users.filter(phone_index=crypto.blind_index("phone", places_demo.RESIDENT_PHONE))
            .values_list("id", flat=True)
            .first()
        )
        if resident_user:
            home = (
                posts.filter(user_id=resident_user, role=Role.RESIDENT)
                .exclude(household=None)
                .values_list("household_id", flat=True)
                .first()
            )
            if home:
                homes[home] = _RESIDENT_LOGIN_FAMILY
        for username, grid, unit, room, family in (
            ("partymember", "G01", "2", "301", _PARTY_LOGIN_FAMILY),
            ("secretary", "G02", "1", "201", _SECRETARY_LOGIN_FAMILY),
            ("volunteer", "G01", "2", "402", _VOLUNTEER_LOGIN_FAMILY),
        ):
            community = (
                posts.filter(user__username=username)
                .exclude(place=None)
                .values_list("place__path", flat=True)
                .first()
            )
            if not community:
                continue
            home = (
                Household.objects.using(self.db)
                .filter(place_path=f"{community}{grid}/E1/B1/", unit_no=unit, room_no=room)
                .values_list("id", flat=True)
                .first()
            )
            if home and home not in homes:
                homes[home] = family
        return homes

    # -- the run -----------------------------------------------------------------------------
    def run(self) -> PeopleResult:
        conn = connections[self.db]
        if conn.vendor != "sqlite":
            return self._run()
        # The blind indexes are random-ordered: with SQLite's default 2 MB page cache a
        # million inserts spill index pages to the WAL over and over (19 GB written for a
        # 1 GB database). A larger cache for this connection, while the build runs.
        with conn.cursor() as cur:
            cur.execute("PRAGMA cache_size")
            (previous,) = cur.fetchone()
            cur.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
        try:
            return self._run()
        finally:
            with conn.cursor() as cur:
                cur.execute(f"PRAGMA cache_size = {int(previous)}")

    def _link_logins(self) -> None:
        """Link the demo logins that live in the demo street to their registry records (by
        name within their reserved household), so their points, votes and volunteering work."""
        users = User.objects.using(self.db)
        residents = Resident.objects.using(self.db)
        for household_id, family in self.reserved.items():
            for name, *_rest in family:
                user = users.filter(name=name, resident=None).order_by("id").first()
                if user is None:
                    continue
                residents.filter(household_id=household_id, name=name, user=None).update(user=user)

    def _run(self) -> PeopleResult:
        started = time.perf_counter()
        before = self._totals()
        district = (
            Place.objects.using(self.db).filter(parent=None, code=places_demo.DISTRICT_CODE).first()
        )
        skipped = 0
        if district is not None:
            self.reserved = self._reserved_homes()
            streets = list(
                Place.objects.using(self.db)
                .filter(parent=district, kind=PlaceKind.STREET)
                .order_by("path")
            )
            for n, street in enumerate(streets):
                # One transaction per street, a savepoint per community: far fewer commits
                # (each rewrites the index pages its batch touched; the blind indexes are
                # random-ordered), and an interrupted run still resumes street by street.
                with transaction.atomic(using=self.db):
                    skipped += self._street(street)
                self.progress(
                    _("Residents of street %(n)s of %(total)s: %(name)s")
                    % {"n": n + 1, "total": len(streets), "name": street.name}
                )
            self._link_logins()
        after = self._totals()
        created = {k: after[k] - before[k] for k in after}
        if any(created.values()) and self.db == DEFAULT_DB_ALIAS:
            from gongzhi.core import audit

            with transaction.atomic(using=self.db):
                audit.record(
                    actor=None,
                    action="demo_data.people",
                    target=district,
                    place_path=district.path,
                    changes={"scale": self.scale_name, "created": created},
                )
        if any(created.values()) and connections[self.db].vendor == "postgresql":
            with connections[self.db].cursor() as cur:
                for table in (
                    "people_resident",
                    "people_membership",
                    "people_residenttag",
                    "party_partyorg",
                    "party_partymember",
                    "party_checkin",
                ):
                    cur.execute(f"ANALYZE {table}")
        return PeopleResult(
            scale=self.scale_name,
            created=created,
            totals=after,
            seconds=time.perf_counter() - started,
            largest_batch=self.largest_batch,
            communities_skipped=skipped,
        )

    def _street(self, street: Place) -> int:
        """The street's working committee, then each community not yet populated."""
        (committee,) = self._ensure_orgs(
            [
                PartyOrg(
                    kind=OrgKind.STREET_COMMITTEE,
                    name=f"{street.name}大工委",
                    place_id=street.pk,
                    place_path=street.path,
                )
            ]
        )
        skipped = 0
        communities = (
            Place.objects.using(self.db)
            .filter(parent=street, kind=PlaceKind.COMMUNITY)
            .order_by("path")
        )
        for community in communities:
            populated = (
                Resident.objects.using(self.db).filter(place_path__under=community.path).exists()
            )
            if populated:
                skipped += 1
                continue
            with transaction.atomic(using=self.db):
                self._community(committee, community)
        self._street_secretary(committee)
        return skipped

    def _street_secretary(self, committee: PartyOrg) -> None:
        """The street committee's secretary: the first member of the street who leads nothing."""
        if committee.secretary_id:
            return
        leaders = PartyOrg.objects.using(self.db).exclude(secretary=None).values("secretary_id")
        member = (
            PartyMember.objects.using(self.db)
            .filter(place_path__under=committee.place_path, status=MemberStatus.FULL)
            .exclude(pk__in=leaders)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if member:
            committee.secretary_id = member
            committee.save(using=self.db, update_fields=["secretary"])

    # -- a community ----------------------------------------------------------------------------
    def _community(self, street_committee: PartyOrg, community: Place) -> None:
        places = list(
            Place.objects.using(self.db)
            .filter(path__under=community.path)
            .exclude(pk=community.pk)
            .order_by("path")
            .only("id", "kind", "name", "path", "code", "parent_id")
        )
        by_id = {p.pk: p for p in places}
        grids = [p for p in places if p.kind == PlaceKind.GRID]
        buildings = [p for p in places if p.kind == PlaceKind.BUILDING]
        code = community.official_code or community.code
        try:
            slot = ((int(code[6:9]) - 1) * 10 + int(code[9:12]) - 1) % 100
        except ValueError:
            slot = 0
        self.slot = slot
        self.id_counts: dict[tuple, int] = {}

        # The party organisation of the community.
        (committee,) = self._ensure_orgs(
            [
                PartyOrg(
                    kind=OrgKind.COMMUNITY_COMMITTEE,
                    name=f"{community.name}大党委",
                    parent_id=street_committee.pk,
                    place_id=community.pk,
                    place_path=community.path,
                )
            ]
        )
        n_grids = len(grids)
        branch_specs = [
            PartyOrg(
                kind=OrgKind.BRANCH,
                name=f"{community.name}{grid.name}党支部",
                parent_id=committee.pk,
                place_id=grid.pk,
                place_path=grid.path,
            )
            for g, grid in enumerate(grids)
            if (slot * n_grids + g) % NO_BRANCH_EVERY != NO_BRANCH_REMAINDER
        ]
        branches = {o.place_path: o for o in self._ensure_orgs(branch_specs)}
        group_specs = []
        for b in buildings:
            grid_path = self._grid_path(community.path, b.path)
            branch = branches.get(grid_path)
            if branch is None:
                continue
            if b.code != "B1" and random.Random(f"group:{b.path}").random() < NO_GROUP_SHARE:
                continue
            parent = by_id.get(b.parent_id)
            group_specs.append(
                PartyOrg(
                    kind=OrgKind.GROUP,
                    name=f"{parent.name if parent else ''}{b.name}党小组",
                    parent_id=branch.pk,
                    place_id=b.pk,
                    place_path=b.path,
                )
            )
        groups = {o.place_path: o for o in self._ensure_orgs(group_specs)}
        self.org_for_path: dict[str, int] = {}
        for b in buildings:
            grid_path = self._grid_path(community.path, b.path)
            org = groups.get(b.path) or branches.get(grid_path) or committee
            self.org_for_path[b.path] = org.pk
        self.community_path = community.path
        self.community_id = community.pk
        self.committee_id = committee.pk
        self.group_of_building = {path: o.pk for path, o in groups.items()}
        self.leaders: dict[int, int] = {}  # org id → member id (the reserved people)
        self.candidates: dict[str, list[int]] = {}  # place path → first members below it
        self.member_homes: dict[str, tuple[int, str, str, str]] = {}  # grid → a household
        self.head_members: dict[int, int] = {}  # household id → its head's party member id

        # Households, in a fixed order, each with its own generator.
        households = (
            Household.objects.using(self.db)
            .filter(place_path__under=community.path)
            .order_by("place_path", "unit_no", "room_no")
            .values_list("id", "place_path", "unit_no", "room_no")
        )
        for hid, path, unit, room in households:
            family = self.reserved.get(hid)
            people = (
                self._reserved_family(family)
                if family
                else self._family(random.Random(f"{path}{unit}-{room}"))
            )
            head = people[0]
            grid_path = self._grid_path(community.path, path)
            if (
                head.party
                and path in self.group_of_building
                and (grid_path not in self.member_homes or family is not None)
            ):
                self.member_homes[grid_path] = (hid, path, unit, room)
            for person in people:
                person.household_id = hid
                person.place_path = path
                self.buffer.append(person)
            if len(self.buffer) >= self.batch_size:
                self._flush()
        self._flush()
        self._secretaries(committee, list(branches.values()), list(groups.values()))
        self._member_households(by_id)

    @staticmethod
    def _grid_path(community_path: str, path: str) -> str:
        return community_path + path[len(community_path) :].split("/", 1)[0] + "/"

    def _secretaries(self, committee, branches, groups) -> None:
        """Leaders first (the demo logins), then the first member below each organisation
        who leads nothing yet: groups, branches, then the community committee."""
        taken = set(self.leaders.values())
        changed = []
        for org in [*groups, *branches, committee]:
            if org.secretary_id:
                taken.add(org.secretary_id)
                continue
            member = self.leaders.get(org.pk)
            if member is None:
                member = next(
                    (m for m in self.candidates.get(org.place_path, []) if m not in taken), None
                )
            if member is not None:
                org.secretary_id = member
                taken.add(member)
                changed.append(org)
        PartyOrg.objects.using(self.db).bulk_update(
            changed, ["secretary"], batch_size=self.batch_size
        )

    def _member_households(self, by_id: dict) -> None:
        """A party-member household in every other grid (and the party login's home)."""
        specs = []
        grids = sorted(self.member_homes)
        for g, grid_path in enumerate(grids):
            hid, path, unit, room = self.member_homes[grid_path]
            if g % 2 and hid not in self.reserved:
                continue
            building = next(p for p in by_id.values() if p.path == path)
            parent = by_id.get(building.parent_id)
            specs.append(
                PartyOrg(
                    kind=OrgKind.MEMBER_HOUSEHOLD,
                    name=f"{parent.name if parent else ''}{building.name}{unit}单元{room}室党员中心户",
                    parent_id=self.group_of_building[path],
                    place_id=building.pk,
                    place_path=path,
                    household_id=hid,
                    secretary_id=self.head_members.get(hid),
                )
            )
        self._ensure_orgs(specs)

    # -- families -----------------------------------------------------------------------------
    def _name(self, rnd: random.Random, gender: str, birth: dt.date, surname: str | None = None):
        surname = surname or self._surname(rnd)
        era = "old" if birth.year < 1965 else "mid" if birth.year < 1990 else "young"
        while True:
            name = surname + rnd.choice(GIVEN[era, gender])
            if name not in RESERVED_NAMES:
                return name, surname

    @staticmethod
    def _surname(rnd: random.Random) -> str:
        x = rnd.random() * _total
        lo, hi = 0, len(_SURNAME_CUM) - 1
        while lo < hi:
            mid = (lo + hi) // 2
            if _SURNAME_CUM[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return _SURNAMES[lo]

    def _birth(self, rnd: random.Random, age: int) -> dt.date:
        return _years_before(self.today, age, rnd.randrange(365))

    def _family(self, rnd: random.Random) -> list[_Person]:
        size = rnd.choices((1, 2, 3, 4, 5), self.sizes)[0]
        r = rnd.random()
        if size == 1:
            members = []
            head_age = rnd.randint(60, 92) if r < 0.5 else rnd.randint(22, 59)
        elif size == 2:
            members = (
                ["spouse"] if r < 0.65 else ["child"] if r < 0.85 else ["parent"]
            )  # fmt: skip
        elif size == 3:
            members = (
                ["spouse", "child"] if r < 0.75
                else ["spouse", "parent"] if r < 0.85 else ["child", "child"]
            )  # fmt: skip
        elif size == 4:
            members = (
                ["spouse", "child", "child"] if r < 0.55
                else ["spouse", "child", "parent"] if r < 0.85
                else ["spouse", "parent", "parent"]
            )  # fmt: skip
        else:
            members = (
                ["spouse", "child", "child_in_law", "grandchild"] if r < 0.4
                else ["spouse", "child", "parent", "parent"] if r < 0.75
                else ["spouse", "child", "child", "parent"]
            )  # fmt: skip
        if size > 1:
            if "grandchild" in members:
                head_age = rnd.randint(50, 75)
            elif "parent" in members:
                head_age = rnd.randint(28, 62)
            elif "child" in members:
                head_age = rnd.randint(28, 70)
            else:
                head_age = rnd.randint(24, 85)
        # Residence status of the household; a floating household moved in lately.
        s = rnd.random()
        status = (
            ResidenceStatus.REGISTERED
            if s < 0.68
            else ResidenceStatus.RESIDENT
            if s < 0.88
            else ResidenceStatus.FLOATING
        )
        head_gender = (
            ("F" if rnd.random() < 0.6 else "M")
            if size == 1
            else ("M" if rnd.random() < 0.6 else "F")
        )
        head_birth = self._birth(rnd, head_age)
        head_name, head_surname = self._name(rnd, head_gender, head_birth)
        earliest = max(_years_before(head_birth, -18, 0), dt.date(1990, 1, 1))
        if status == ResidenceStatus.FLOATING:
            earliest = max(earliest, self.today - dt.timedelta(days=3 * 365))
        span = max((self.today - dt.timedelta(days=30) - earliest).days, 1)
        moved_in = earliest + dt.timedelta(days=rnd.randrange(span))
        head_area = self._area(rnd, status)
        head = _Person(
            head_name, head_gender, head_birth, Relation.HEAD, status, head_area, moved_in,
            surname=head_surname,
        )  # fmt: skip
        people = [head]
        child_surname = head_surname
        children: list[_Person] = []
        in_law: _Person | None = None
        n_parents = members.count("parent")

        def add(gender, age, relation, surname=None) -> _Person:
            birth = self._birth(rnd, age)
            name, surname = self._name(rnd, gender, birth, surname)
            person = _Person(name, gender, birth, relation, status, "", moved_in, surname=surname)
            people.append(person)
            return person

        for kind in members:
            if kind == "spouse":
                gender = "F" if head_gender == "M" else "M"
                spouse = add(gender, max(20, head_age + rnd.randint(-5, 5)), Relation.SPOUSE)
                if head_gender == "F":
                    child_surname = spouse.surname
            elif kind == "child":
                age = max(0, head_age - rnd.randint(22, 36))
                children.append(add(rnd.choice("MF"), age, Relation.CHILD, child_surname))
            elif kind == "parent":
                # Two parents: a father (the head's surname) and a mother; one: either.
                if n_parents == 1:
                    father = rnd.random() < 0.5
                else:
                    father = not any(p.relation == Relation.PARENT for p in people)
                age = min(99, head_age + rnd.randint(22, 34))
                if father:
                    add("M", age, Relation.PARENT, head_surname)
                else:
                    add("F", age, Relation.PARENT)
            elif kind == "child_in_law" and children:
                child = children[0]
                child_age = _age(child.birth, self.today)
                if child_age >= 22:
                    gender = "F" if child.gender == "M" else "M"
                    age = max(20, child_age + rnd.randint(-3, 3))
                    in_law = add(gender, age, Relation.CHILD_IN_LAW)
            elif kind == "grandchild" and children and _age(children[0].birth, self.today) >= 22:
                child = children[0]
                age = max(0, _age(child.birth, self.today) - rnd.randint(22, 34))
                surname = child.surname if child.gender == "M" or in_law is None else in_law.surname
                add(rnd.choice("MF"), age, Relation.GRANDCHILD, surname)
        low_income = rnd.random() < 0.03
        for person in people:
            self._details(rnd, person, head_area, size, low_income)
        return people

    def _area(self, rnd: random.Random, status: str) -> str:
        home_share = 0.8 if status == ResidenceStatus.REGISTERED else 0.15
        return HOME_AREA if rnd.random() < home_share else rnd.choice(HUNAN_AREAS)

    def _details(self, rnd, person: _Person, head_area: str, size: int, low_income: bool):
        """Everything that does not depend on the relation: document area, moving in,
        phone, consents, tags, skills and party membership."""
        age = _age(person.birth, self.today)
        if not person.area:
            person.area = (
                head_area
                if rnd.random() < 0.6
                else self._area(rnd, person.status)
            )  # fmt: skip
        if person.relation != Relation.HEAD and person.status != ResidenceStatus.FLOATING:
            r = rnd.random()
            if r < 0.05:
                person.status = ResidenceStatus.RESIDENT
        if person.birth > person.moved_in:
            person.moved_in = person.birth
        has_phone = (14 <= age <= 80 and rnd.random() < 0.9) or (age > 80 and rnd.random() < 0.4)
        if has_phone:
            phone = rnd.choice(PHONE_PREFIXES) + f"{rnd.randrange(10**8):08d}"
            person.phone = phone if phone != places_demo.RESIDENT_PHONE else None
        person.consents = (rnd.random() < 0.92, rnd.random() < 0.75, rnd.random() < 0.2)
        tags = person.tags
        if size == 1 and rnd.random() < (0.95 if age >= 60 else 0.05):
            tags.append(Tag.LIVING_ALONE)
        if rnd.random() < (0.045 if age >= 60 else 0.012):
            tags.append(Tag.DISABLED)
        if low_income:
            tags.append(Tag.LOW_INCOME)
        if person.gender == "M" and age >= 35 and rnd.random() < 0.035:
            tags.append(Tag.VETERAN)
        care = 0.01
        if (Tag.LIVING_ALONE in tags and age >= 80) or Tag.DISABLED in tags:
            care = 0.35
        if rnd.random() < care:
            tags.append(Tag.KEY_CARE)
        if age >= 40 and rnd.random() < 0.01:
            tags.append(Tag.SERIOUS_ILLNESS)
        if 18 <= age < 60 and rnd.random() < 0.03:
            tags.append(Tag.UNEMPLOYED)
        if age < 16 and person.relation == Relation.GRANDCHILD and rnd.random() < 0.2:
            tags.append(Tag.LEFT_BEHIND_CHILD)
        if 18 <= age <= 75 and rnd.random() < 0.08:
            person.skills = "、".join(rnd.sample(SKILLS, 1 if rnd.random() < 0.7 else 2))
        if age >= 18 and rnd.random() < PARTY_SHARE:
            self._join(rnd, person, age)

    def _join(self, rnd: random.Random, person: _Person, age: int) -> None:
        person.party = True
        joined_age = rnd.randint(18, min(age, 45))
        joined = _years_before(person.birth, -joined_age, -rnd.randrange(365))
        person.joined_on = min(joined, self.today - dt.timedelta(days=30))
        if 23 <= age < 60 and rnd.random() < IN_SERVICE_SHARE:
            person.workplace = rnd.choice(WORKPLACES)

    def _reserved_family(self, family) -> list[_Person]:
        people = []
        for name, gender, birth, relation, phone, party in family:
            person = _Person(
                name,
                gender,
                birth,
                relation,
                ResidenceStatus.REGISTERED,
                HOME_AREA,
                dt.date(2015, 5, 1),
                phone=phone,
                consents=(True, True, False),
            )
            if person.birth > person.moved_in:
                person.moved_in = person.birth
            if party:
                person.party = True
                person.joined_on = _years_before(birth, -24, -120)
                person.leads = "committee" if name == "张丽华" else "group"
                if name == "赵国庆":
                    person.workplace = WORKPLACES[0]  # the in-service login
            if name == "周晓燕":
                person.skills = "医护、文艺表演"  # the volunteer login's specialties
            people.append(person)
        return people

    # -- writing a batch --------------------------------------------------------------------------
    def _id_number(self, person: _Person) -> str:
        """A valid ID number, unique by construction: the sequence comes from the community's
        slot (0–99) and a counter per (area, birth date, gender) within the community."""
        male = person.gender == Gender.MALE
        while True:
            key = (person.area, person.birth, male)
            j = self.id_counts.get(key, 0)
            if j < 5:
                self.id_counts[key] = j + 1
                return make_id(person.area, person.birth, self.slot * 10 + 2 * j + int(male))
            person.birth -= dt.timedelta(days=1)  # five born that day here: the day before

    def _flush(self) -> None:
        if not self.buffer:
            return
        people, self.buffer = self.buffer, []
        self.largest_batch = max(self.largest_batch, len(people))
        ops = connections[self.db].ops
        date = ops.adapt_datefield_value
        rows = []
        for p in people:
            id_enc, p.id_index, id_masked = self.protect("id", self._id_number(p))
            if p.phone:
                ph_enc, ph_index, ph_masked = self.protect("phone", p.phone)
            else:
                ph_enc = ph_index = ph_masked = ""
            rows.append(
                (
                    p.name,
                    pinyin.initials(p.name),
                    p.gender,
                    date(p.birth),
                    id_enc,
                    p.id_index,
                    id_masked,
                    ph_enc,
                    ph_index,
                    ph_masked,
                    p.household_id,
                    p.relation,
                    p.place_path,
                    p.status,
                    p.skills,
                    *p.consents,
                )
            )
        # Somebody registered with the same ID number already (an import, say): keep theirs.
        taken = set(
            Resident.objects.using(self.db)
            .filter(id_index__in=[p.id_index for p in people])
            .values_list("id_index", flat=True)
        )
        if taken:
            self.skipped_ids += len(taken)
            kept = [i for i, p in enumerate(people) if p.id_index not in taken]
            people, rows = [people[i] for i in kept], [rows[i] for i in kept]
        ids = self._insert(Resident, RESIDENT_COLUMNS, rows)
        if ids is None:  # a backend that cannot return ids from a bulk insert
            by_index = dict(
                Resident.objects.using(self.db)
                .filter(id_index__in=[p.id_index for p in people])
                .values_list("id_index", "id")
            )
            ids = [by_index[p.id_index] for p in people]
        for p, pk in zip(people, ids, strict=True):
            p.resident_id = pk
        self._insert(
            Membership,
            ("resident", "household", "relation", "moved_in"),
            [(p.resident_id, p.household_id, p.relation, date(p.moved_in)) for p in people],
        )
        self._insert(
            ResidentTag,
            ("resident", "tag"),
            [(p.resident_id, t) for p in people for t in p.tags],
        )
        joining = [p for p in people if p.party]
        rows = []
        for p in joining:
            org = (
                self.committee_id
                if p.leads == "committee"
                else self.org_for_path.get(p.place_path, self.committee_id)
            )
            p.org_id = org
            status = (
                MemberStatus.PROBATIONARY
                if (self.today - p.joined_on).days < 365
                else MemberStatus.FULL
            )
            rows.append(
                (
                    p.resident_id,
                    org,
                    status,
                    date(p.joined_on),
                    p.workplace is not None,
                    p.workplace[0] if p.workplace else "",
                    p.workplace[1] if p.workplace else "",
                    self._org_path(org, p.place_path),
                )
            )
        member_ids = self._insert(PartyMember, MEMBER_COLUMNS, rows)
        if member_ids is None:
            by_resident = dict(
                PartyMember.objects.using(self.db)
                .filter(resident_id__in=[p.resident_id for p in joining])
                .values_list("resident_id", "id")
            )
            member_ids = [by_resident[p.resident_id] for p in joining]
        checkins = []
        for p, member in zip(joining, member_ids, strict=True):
            if p.leads:
                self.leaders[p.org_id] = member
            if p.relation == Relation.HEAD:
                self.head_members[p.household_id] = member
            for path in (
                p.place_path,
                self._grid_path(self.community_path, p.place_path),
                self.community_path,
            ):
                first = self.candidates.setdefault(path, [])
                if len(first) < 5:
                    first.append(member)
            if p.workplace:
                rnd = random.Random(f"checkin:{p.id_index}")
                start = max(p.joined_on, dt.date(2018, 1, 1))
                span = max((self.today - dt.timedelta(days=7) - start).days, 1)
                checkins.append(
                    (
                        member,
                        self.community_id,
                        p.workplace[1],
                        date(start + dt.timedelta(days=rnd.randrange(span))),
                        self.community_path,
                    )
                )
        self._insert(
            Checkin,
            ("member", "community", "workplace_org", "checked_in_on", "place_path"),
            checkins,
        )

    def _insert(self, model, names: tuple[str, ...], rows: list[tuple]) -> list[int] | None:
        """Multi-row INSERTs of ready tuples (the ORM's per-value preparation is most of
        the cost of bulk_create at this size). The named fields come first in each row; every
        other column gets its model default. Returns the new ids in row order where the
        backend can (PostgreSQL, SQLite 3.35+), else None."""
        if not rows:
            return []
        conn = connections[self.db]
        meta = model._meta
        given = [meta.get_field(name) for name in names]
        rest = [f for f in meta.concrete_fields if not f.primary_key and f not in given]
        tail = tuple(f.get_db_prep_save(f.get_default(), conn) for f in rest)
        qn = conn.ops.quote_name
        columns = ", ".join(qn(f.column) for f in [*given, *rest])
        width = len(given) + len(rest)
        returning = conn.features.can_return_rows_from_bulk_insert
        per_statement = max(1, min(self.batch_size, 2000, self._max_params(conn) // width))
        row_sql = "(" + ", ".join(["%s"] * width) + ")"
        ids: list[int] = []
        with conn.cursor() as cur:
            for i in range(0, len(rows), per_statement):
                part = rows[i : i + per_statement]
                sql = (
                    f"INSERT INTO {qn(meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
                    f"VALUES {', '.join([row_sql] * len(part))}"
                )
                if returning:
                    sql += f" RETURNING {qn(meta.pk.column)}"
                cur.execute(sql, [v for row in part for v in (*row, *tail)])
                if returning:
                    ids.extend(r[0] for r in cur.fetchall())
        return ids if returning else None

    @staticmethod
    def _max_params(conn) -> int:
        if conn.vendor == "sqlite":
            import sqlite3

            raw = conn.connection
            if raw is not None and hasattr(raw, "getlimit"):
                return raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            return 999
        return conn.features.max_query_params or 65_535

    def _org_path(self, org_id: int, building_path: str) -> str:
        if org_id == self.committee_id:
            return self.community_path
        if self.group_of_building.get(building_path) == org_id:
            return building_path
        return self._grid_path(self.community_path, building_path)


def build(
    scale: str | places_demo.Scale = "small",
    *,
    batch_size: int = BATCH_SIZE,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] | None = None,
) -> PeopleResult:
    """Give the demo households (built by gongzhi.demo.places) their people; idempotent."""
    name = scale if isinstance(scale, str) else scale.name
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    return _Builder(name, batch_size, using, progress).run()


__all__ = ["PeopleResult", "RESERVED_NAMES", "build"]
