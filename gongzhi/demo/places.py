"""Demo data: a realistic street for `make demo`, a whole district for benchmarks.

`build("small")` makes one street of 娄星区 (娄底, Hunan): 5 communities × 8 grids, 150
buildings, 10,000 households, grid workers and community staff, and one demo login per role.
The district uses the policy profile `loudi` (profiles/loudi.yaml, seed document 001), the one
profile that sets every number the compliance page checks, and the small street is sized so that
the page shows gaps next to passes: some grids above 240 households (200 + 20 % tolerance), some
communities under 400 m² of premises, one newly built community (新建城市社区) checked against the
600 m² of 001 §8 and short of it, rooms recorded for four communities out of five (one without a
mediation room and with too small a service hall, 001 §9), and part-time grid workers (兼职网格员,
not counted towards staffing) in every community — most in one, which is short of full-time staff.
Every community is in the central city (娄星区 is Loudi's central district).
`build("district")` makes the size in DESIGN.md: 10 streets × 10 communities × 20 grids,
5,000 buildings, 350,000 households.

Codes are the identity: a place is found by its path, a household by (building, unit, room),
a user by username (residents by phone), a post by (user, role, place, household). What exists
is left alone, so a second run changes nothing. The work is streamed community by community;
households go out in bulk batches and never pile up in memory.

This is seed data, not a user's action: it writes in bulk, outside the services, and leaves
one audit record per run that created anything.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from gongzhi.core import crypto, paths
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.places.models import (
    AreaClass,
    Household,
    Place,
    PlaceKind,
    PostTerms,
    Room,
    RoomFunction,
)

DEMO_PASSWORD = "Gongzhi-demo-2026"  # noqa: S105 - published on purpose: demo logins only
RESIDENT_PHONE = "13800000001"
DISTRICT_PROFILE = "loudi"
DISTRICT_CODE = "431302"  # GB/T 2260: 湖南省娄底市娄星区
DISTRICT_NAME = "娄星区"
DISTRICT_ADDRESS = "湖南省娄底市娄星区"
CITY_DISTRICT = "娄底市娄星区"  # the start of every street, community and estate address
BATCH_SIZE = 5000

# Loudi: the south-west corner of street 1 (乐坪街道, centred near 27.73 N 111.99 E);
# each street is this big.
ORIGIN = (27.715, 111.972)
STREET_SIZE = (0.03, 0.035)  # degrees latitude, longitude


@dataclass(frozen=True)
class Scale:
    name: str
    streets: int
    communities_per_street: int
    grids_per_community: int
    buildings_per_grid: tuple[int, ...]  # cycled over all grids in build order
    # (units, floors, rooms per floor), cycled over all buildings in build order
    shapes: tuple[tuple[int, int, int], ...]
    workers_per_community: int = 2  # community workers besides the secretary

    def replace(self, **changes: Any) -> Scale:
        return dataclasses.replace(self, **changes)

    @property
    def grids(self) -> int:
        return self.streets * self.communities_per_street * self.grids_per_community

    @property
    def buildings(self) -> int:
        pattern = self.buildings_per_grid
        return sum(pattern[g % len(pattern)] for g in range(self.grids))

    @property
    def households(self) -> int:
        total = 0
        for i in range(self.buildings):
            units, floors, rooms = self.shapes[i % len(self.shapes)]
            total += units * floors * rooms
        return total


# 5 × 8 = 40 grids, 150 buildings, 150 × 66.7 = 10,000 households. Most grids have 3 buildings
# (~200 households, the size loudi.yaml sets); 11 have 5 or 6 (~330–400, above the 240 the
# tolerance allows). Households per community: 1,800 / 1,600 / 2,066 / 2,334 / 2,200, so with
# 11 staff each (12 in the first, which has the demo logins) the fourth is one worker short of
# ceil(2,334 / 200) = 12.
SMALL = Scale(
    "small",
    streets=1,
    communities_per_street=5,
    grids_per_community=8,
    buildings_per_grid=(
        3, 3, 3, 6, 3, 3, 3, 3,  # 1,800 households, one grid over
        3, 3, 3, 3, 3, 3, 3, 3,  # 1,600, every grid within
        3, 5, 3, 3, 5, 3, 3, 6,  # 2,066, three over
        3, 6, 3, 6, 3, 6, 3, 5,  # 2,334, four over, staff short
        3, 3, 6, 3, 3, 6, 3, 6,  # 2,200, three over
    ),
    shapes=((2, 11, 3), (2, 17, 2), (3, 11, 2)),
)  # fmt: skip
# 100 communities, 2,000 grids, 5,000 buildings, 350,000 households.
DISTRICT = Scale(
    "district",
    streets=10,
    communities_per_street=10,
    grids_per_community=20,
    buildings_per_grid=(3, 2),
    shapes=((2, 18, 2), (2, 17, 2)),
)
SCALES = {"small": SMALL, "district": DISTRICT}

# Streets of 娄星区 (the names are real, the sequence codes are the demo's own). The district
# scale needs ten: the last three borrow the names of towns of 娄星区.
STREET_NAMES = [
    "乐坪街道",
    "花山街道",
    "长青街道",
    "大科街道",
    "黄泥塘街道",
    "涟滨街道",
    "大埠桥街道",
    "杉山街道",
    "万宝街道",
    "茶园街道",
]
COMMUNITY_WORDS = [
    "春园", "月塘", "湘阳", "吉星", "书院", "花山", "东青", "长青", "西阳", "涟水",
    "大科", "九星", "沿河", "涟滨", "青山", "黄泥塘", "石门", "大汉", "贤童", "杏园",
    "新星", "氐星", "珠山", "孙水", "乐坪",
]  # fmt: skip
COMMUNITY_SUFFIXES = ["", "东", "西", "南", "北"]
ESTATE_STEMS = [
    "乐坪", "春园", "长青", "氐星", "湘中", "花山", "大科", "涟滨", "吉星", "月塘",
    "书院", "湘阳", "贤童", "孙水", "涟水", "珠山", "娄星", "水府", "梅山", "锦绣",
    "阳光", "碧桂", "恒大", "中梁", "碧水", "新星", "东方", "金海", "青山", "翠竹",
    "丽景", "天宝", "世纪", "湘银", "华都", "康桥", "紫薇", "龙湾", "九星", "杏园",
]  # fmt: skip
ESTATE_SUFFIXES = ["花园", "小区", "家园", "雅苑", "公寓", "新村", "华庭", "名苑"]
ROADS = [
    "乐坪大道", "长青街", "氐星路", "春园路", "湘中大道", "娄星路", "吉星路", "贤童街",
    "新星路", "涟滨路", "花山路", "月塘路",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN_NAMES = [
    "建国", "秀英", "伟", "芳", "敏", "静", "丽华", "强", "磊", "军", "洋", "勇", "艳",
    "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "志强", "晓燕", "海燕",
    "红梅", "国庆", "俊", "立新", "文博", "思远", "雨欣", "子涵", "浩然", "欣怡",
]  # fmt: skip
# Service premises per community (m²), cycled; some below the 400 m² that loudi.yaml asks for.
SERVICE_AREAS = [650, 520, 380, 300, 800, 450, 360, 700]
# The community (by build order, cycled every five) that is newly built: 520 m², short of 600.
NEW_COMMUNITY_SEQ = 1
# Rooms by build order, cycled every five (001 §8–9): (function, name, m²); None: not recorded.
_NAMED_ROOMS = [
    (RoomFunction.PARTY_MASS, "党群活动室", "90"),
    (RoomFunction.MEDIATION, "人民调解室", "20"),
    (RoomFunction.POLICE, "警务室", "18"),
    (RoomFunction.FAMILY_PLANNING, "计划生育服务室", "16"),
    (RoomFunction.CHARITY_SUPERMARKET, "慈善超市", "40"),
    (RoomFunction.OFFICE, "社区办公室", "45"),
]
ROOMS_BY_SEQ = [
    [(RoomFunction.SERVICE_HALL, "社区服务中心大厅", "80"), *_NAMED_ROOMS],
    [
        (RoomFunction.SERVICE_HALL, "社区服务中心大厅", "60"),
        *_NAMED_ROOMS,
        (RoomFunction.ELDERLY_CARE, "日间照料中心", "150"),
    ],
    # No mediation room, and a service hall under 50 m².
    [(RoomFunction.SERVICE_HALL, "便民服务大厅", "45"), *_NAMED_ROOMS[:1], *_NAMED_ROOMS[2:]],
    [
        (RoomFunction.SERVICE_HALL, "社区服务中心大厅", "50"),
        *_NAMED_ROOMS,
        (RoomFunction.CHILDCARE, "四点半课堂", "60"),
    ],
    None,
]
# Grid workers who are part-time (兼职网格员): grids from this number on, by build order cycled
# every five; the fourth community has the most and is short of full-time staff.
PART_TIME_FROM_GRID = [5, 5, 5, 3, 5]
AREAS_M2 = ["58.60", "72.35", "89.50", "96.80", "108.20", "115.60", "126.40", "143.90"]

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 37 → 三十七 (1–99)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


def person_name(i: int) -> str:
    return (
        SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[(i * 7 + i // len(SURNAMES)) % len(GIVEN_NAMES)]
    )


def community_name(i: int) -> str:
    n = len(COMMUNITY_WORDS)
    return f"{COMMUNITY_WORDS[i % n]}{COMMUNITY_SUFFIXES[(i // n) % len(COMMUNITY_SUFFIXES)]}社区"


def estate_name(k: int) -> str:
    n, m = len(ESTATE_STEMS), len(ESTATE_SUFFIXES)
    name = ESTATE_STEMS[k % n] + ESTATE_SUFFIXES[(k + k // n) % m]
    phase = k // (n * m)
    return f"{name}{cn_number(phase + 1)}期" if phase else name


def street_name(i: int) -> str:
    base = STREET_NAMES[i % len(STREET_NAMES)]
    return (
        base if i < len(STREET_NAMES) else f"{base[:-2]}{cn_number(i // len(STREET_NAMES) + 1)}街道"
    )


Box = tuple[float, float, float, float]  # (south, west, north, east)


def _cells(box: Box, n: int) -> list[Box]:
    """Split a (south, west, north, east) box into n cells, row by row."""
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    south, west, north, east = box
    h, w = (north - south) / rows, (east - west) / cols
    cells = []
    for i in range(n):
        r, c = divmod(i, cols)
        s, west_c = north - (r + 1) * h, west + c * w
        cells.append((s, west_c, s + h, west_c + w))
    return cells


def _deg(x: float) -> Decimal:
    return Decimal(f"{x:.6f}")


def _rectangle(box: Box) -> dict[str, Any]:
    s, w, n, e = (round(v, 6) for v in box)
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _centre(box: Box) -> dict[str, Decimal]:
    s, w, n, e = box
    return {"centre_lat": _deg((s + n) / 2), "centre_lng": _deg((w + e) / 2)}


@dataclass
class Login:
    role: str  # Role value
    label: str  # Role label, translated
    login: str
    password: str
    post: str


@dataclass
class BuildResult:
    scale: str
    created: dict[str, int]
    totals: dict[str, int]
    logins: list[Login]
    seconds: float
    largest_batch: int = 0
    people: PeopleSummary | None = None  # gongzhi.demo.people.PeopleResult when built with people
    # What each feature's demo built: module name -> one line of text (see FEATURE_DEMOS).
    features: dict[str, str] = dataclasses.field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or bool(self.people and self.people.changed)


class PeopleSummary(Protocol):
    """What is read of gongzhi.demo.people.PeopleResult (places imports nothing of people)."""

    created: dict[str, int]
    totals: dict[str, int]
    seconds: float

    @property
    def changed(self) -> bool: ...


@dataclass
class _StaffSpec:
    username: str | None
    name: str
    role: str
    place_path: str | None
    household: tuple[str, str, str] | None = None  # (building path, unit, room)
    phone: str | None = None
    label: str = ""


# The demo logins, one per role: (role, username, name, where). `where` names a place of
# the first community by its role in the tree (see _demo_places).
DEMO_LOGINS = [
    (Role.DISTRICT_OFFICER, "district", "王建国", "district"),
    (Role.STREET_OFFICER, "street", "李红梅", "street"),
    (Role.COMMUNITY_SECRETARY, "secretary", "张丽华", "community"),
    (Role.COMMUNITY_WORKER, "worker", "刘敏", "community"),
    (Role.GRID_WORKER, "grid", "陈伟", "grid"),
    (Role.BUILDING_HEAD, "buildinghead", "杨志强", "building"),
    (Role.PARTY_MEMBER, "partymember", "赵国庆", "community"),
    (Role.VOLUNTEER, "volunteer", "周晓燕", "community"),
    (Role.RESIDENT, None, "吴秀英", "building"),
    (Role.MERCHANT, "merchant", "孙立新", "community"),
    (Role.PARTNER_CONTACT, "partner", "马俊", "street"),
    (Role.PROPERTY_STAFF, "property", "胡建军", "estate"),
    (Role.SYSTEM_ADMIN, "admin", "郭涛", None),
    (Role.SECURITY_ADMIN, "security", "林静", None),
    (Role.AUDIT_ADMIN, "auditor", "黄志明", None),
]


class _Builder:
    def __init__(
        self, scale: Scale, batch_size: int, using: str, progress: Callable[[str], None] | None
    ) -> None:
        self.scale = scale
        self.batch_size = batch_size
        self.db = using
        self.progress = progress or (lambda message: None)
        self.building_seq = 0
        self.grid_seq = 0
        self.estate_seq = 0
        self.person_seq = 0
        self.buffer: list[Household] = []
        self.largest_batch = 0
        self._password_hash: str | None = None

    # -- helpers -------------------------------------------------------------------------
    @property
    def password_hash(self) -> str:
        # Argon2 is slow on purpose: hash the demo password once, reuse it for every user.
        if self._password_hash is None:
            self._password_hash = make_password(DEMO_PASSWORD)
        return self._password_hash

    def _totals(self) -> dict[str, int]:
        return {
            "places": Place.objects.using(self.db).count(),
            "households": Household.objects.using(self.db).count(),
            "users": User.objects.using(self.db).count(),
            "posts": Post.objects.using(self.db).count(),
        }

    def _ensure_places(self, specs: list[Place]) -> list[Place]:
        """Create the places whose path is new; give every spec the id of its row."""
        found = dict(
            Place.objects.using(self.db)
            .filter(path__in=[p.path for p in specs])
            .values_list("path", "id")
        )
        missing = [p for p in specs if p.path not in found]
        if missing:
            Place.objects.using(self.db).bulk_create(missing, batch_size=self.batch_size)
            if any(p.pk is None for p in missing):  # backends that cannot return ids
                found.update(
                    Place.objects.using(self.db)
                    .filter(path__in=[p.path for p in missing])
                    .values_list("path", "id")
                )
        for p in specs:
            if p.pk is None:
                p.pk = found[p.path]
        return specs

    def _place(self, parent: Place | None, kind: str, name: str, code: str, **fields: Any) -> Place:
        place = Place(
            parent_id=parent.pk if parent else None,
            kind=kind,
            name=name,
            code=code,
            path=paths.join(parent.path if parent else "", code),
            depth=parent.depth + 1 if parent else 0,
            **fields,
        )
        return place

    def _next_name(self) -> str:
        self.person_seq += 1
        return person_name(self.person_seq)

    # -- the tree --------------------------------------------------------------------------
    def run(self) -> BuildResult:
        started = time.perf_counter()
        with transaction.atomic(using=self.db):
            before = self._totals()
            (district,) = self._ensure_places(
                [
                    self._place(
                        None,
                        PlaceKind.DISTRICT,
                        DISTRICT_NAME,
                        DISTRICT_CODE,
                        official_code=DISTRICT_CODE,
                        address=DISTRICT_ADDRESS,
                        policy_profile=DISTRICT_PROFILE,
                    )
                ]
            )
            street_boxes = _cells(self._district_box(), self.scale.streets)
            streets = self._ensure_places(
                [
                    self._place(
                        district,
                        PlaceKind.STREET,
                        street_name(i),
                        f"{DISTRICT_CODE}{i + 1:03d}000",
                        official_code=f"{DISTRICT_CODE}{i + 1:03d}000",
                        address=f"{CITY_DISTRICT}{ROADS[i % len(ROADS)]}{100 + i * 11}号",
                        boundary=_rectangle(box),
                        **_centre(box),
                    )
                    for i, box in enumerate(street_boxes)
                ]
            )
            community_seq = 0
            for s_index, (street, box) in enumerate(zip(streets, street_boxes, strict=True)):
                cells = _cells(box, self.scale.communities_per_street)
                for c_index, cbox in enumerate(cells):
                    is_demo = s_index == 0 and c_index == 0
                    self._community(street, c_index, community_seq, cbox, is_demo)
                    community_seq += 1
                self.progress(
                    _("Street %(n)s of %(total)s: %(name)s")
                    % {"n": s_index + 1, "total": len(streets), "name": street.name}
                )
            self._flush()
            logins = self._demo_logins(district, streets[0])
            after = self._totals()
            created = {k: after[k] - before[k] for k in after}
            if any(created.values()) and self.db == DEFAULT_DB_ALIAS:
                from gongzhi.core import audit

                audit.record(
                    actor=None,
                    action="demo_data.build",
                    target=district,
                    place_path=district.path,
                    changes={"scale": self.scale.name, "created": created},
                )
        if any(created.values()) and connections[self.db].vendor == "postgresql":
            # Fresh planner statistics after a bulk load, or the first pages plan badly.
            with connections[self.db].cursor() as cur:
                for table in ("places_place", "places_household", "core_user", "core_post"):
                    cur.execute(f"ANALYZE {table}")
        return BuildResult(
            scale=self.scale.name,
            created=created,
            totals=after,
            logins=logins,
            seconds=time.perf_counter() - started,
            largest_batch=self.largest_batch,
        )

    def _district_box(self) -> Box:
        cols = math.ceil(math.sqrt(self.scale.streets))
        rows = math.ceil(self.scale.streets / cols)
        south, west = ORIGIN
        north = south + rows * STREET_SIZE[0]
        return (south, west, north, west + cols * STREET_SIZE[1])

    def _community(self, street: Place, c_index: int, seq: int, box: Box, is_demo: bool) -> None:
        scale = self.scale
        assert street.official_code is not None  # every demo street has its official code
        code = f"{street.official_code[:9]}{c_index + 1:03d}"
        road = ROADS[seq % len(ROADS)]
        (community,) = self._ensure_places(
            [
                self._place(
                    street,
                    PlaceKind.COMMUNITY,
                    community_name(seq),
                    code,
                    official_code=code,
                    address=f"{CITY_DISTRICT}{road}{20 + seq % 180}号",
                    boundary=_rectangle(box),
                    service_area_m2=Decimal(SERVICE_AREAS[seq % len(SERVICE_AREAS)]),
                    is_new_community=seq % 5 == NEW_COMMUNITY_SEQ,
                    area_class=AreaClass.CENTRAL,
                    **_centre(box),
                )
            ]
        )
        grid_boxes = _cells(box, scale.grids_per_community)
        grids = self._ensure_places(
            [
                self._place(
                    community,
                    PlaceKind.GRID,
                    f"第{cn_number(g + 1)}网格",
                    f"G{g + 1:02d}",
                    boundary=_rectangle(gbox),
                    **_centre(gbox),
                )
                for g, gbox in enumerate(grid_boxes)
            ]
        )
        estates, building_plan = [], []
        for g, (grid, gbox) in enumerate(zip(grids, grid_boxes, strict=True)):
            n_buildings = scale.buildings_per_grid[self.grid_seq % len(scale.buildings_per_grid)]
            self.grid_seq += 1
            self.estate_seq += 1
            estate = self._place(
                grid,
                PlaceKind.ESTATE,
                estate_name(self.estate_seq - 1),
                "E1",
                address=f"{CITY_DISTRICT}{road}{(g + 1) * 8 + seq % 7}号",
                **_centre(gbox),
            )
            estates.append(estate)
            # Every fourth grid has an old building standing on its own, outside any estate.
            has_lone = g % 4 == 3 and n_buildings > 1
            for b in range(n_buildings):
                shape = scale.shapes[self.building_seq % len(scale.shapes)]
                self.building_seq += 1
                is_lone = has_lone and b == n_buildings - 1
                building_plan.append((grid, estate, b, is_lone, shape, gbox))
        estates = self._ensure_places(estates)
        specs, shapes = [], []
        for grid, estate, b, is_lone, shape, gbox in building_plan:
            parent = grid if is_lone else estate
            s, w, n, e = gbox
            lat = s + (n - s) * (0.25 + 0.5 * (b % 2))
            lng = w + (e - w) * (0.2 + 0.15 * b)
            specs.append(
                self._place(
                    parent,
                    PlaceKind.BUILDING,
                    f"{b + 1}栋",
                    f"B{b + 1}",
                    address=f"{estate.address if is_lone else estate.name}{b + 1}栋",
                    centre_lat=_deg(lat),
                    centre_lng=_deg(min(lng, e)),
                )
            )
            shapes.append(shape)
        buildings = self._ensure_places(specs)
        self._households(community, buildings, shapes)
        self._community_staff(community, grids, is_demo)
        self._rooms(community, seq)
        self._part_time(grids, seq)

    # -- premises and staff terms ----------------------------------------------------------
    def _rooms(self, community: Place, seq: int) -> None:
        spec = ROOMS_BY_SEQ[seq % len(ROOMS_BY_SEQ)]
        if not spec or Room.objects.using(self.db).filter(place=community).exists():
            return
        Room.objects.using(self.db).bulk_create(
            Room(
                place=community,
                function=function,
                name=name,
                area_m2=Decimal(area),
                place_path=community.path,
            )
            for function, name, area in spec
        )

    def _part_time(self, grids: list[Place], seq: int) -> None:
        start = PART_TIME_FROM_GRID[seq % len(PART_TIME_FROM_GRID)]
        part_time = [g.pk for g in grids[start - 1 :]]
        posts = Post.objects.using(self.db).filter(
            place_id__in=part_time, role=Role.GRID_WORKER, terms__isnull=True
        )
        PostTerms.objects.using(self.db).bulk_create(
            [PostTerms(post_id=pk, full_time=False) for pk in posts.values_list("pk", flat=True)],
            ignore_conflicts=True,
        )

    # -- households ------------------------------------------------------------------------
    def _households(
        self, community: Place, buildings: list[Place], shapes: list[tuple[int, int, int]]
    ) -> None:
        have = dict(
            Household.objects.using(self.db)
            .filter(place_path__under=community.path)
            .order_by()
            .values("building_id")
            .annotate(n=Count("id"))
            .values_list("building_id", "n")
        )
        for building, (units, floors, rooms) in zip(buildings, shapes, strict=True):
            if have.get(building.pk, 0) >= units * floors * rooms:
                continue
            rnd = random.Random(building.path)
            areas = {
                (u, r): Decimal(rnd.choice(AREAS_M2))
                for u in range(1, units + 1)
                for r in range(1, rooms + 1)
            }
            for u in range(1, units + 1):
                for f in range(1, floors + 1):
                    for r in range(1, rooms + 1):
                        self.buffer.append(
                            Household(
                                building_id=building.pk,
                                unit_no=str(u),
                                room_no=f"{f}{r:02d}",
                                place_path=building.path,
                                exclusive_area_m2=areas[u, r],
                            )
                        )
                        if len(self.buffer) >= self.batch_size:
                            self._flush()

    def _flush(self) -> None:
        if not self.buffer:
            return
        self.largest_batch = max(self.largest_batch, len(self.buffer))
        # A building that was half done keeps its rows: the unique (building, unit, room)
        # constraint makes re-inserting them a no-op.
        Household.objects.using(self.db).bulk_create(
            self.buffer, batch_size=self.batch_size, ignore_conflicts=True
        )
        self.buffer = []

    # -- people ----------------------------------------------------------------------------
    def _community_staff(self, community: Place, grids: list[Place], is_demo: bool) -> None:
        """A secretary, a few community workers and a worker for every grid. In the demo
        community the demo logins hold the secretary's and the first grid's posts."""
        code = community.code
        specs = []
        if not is_demo:
            specs.append(
                _StaffSpec(
                    f"secretary-{code}",
                    self._next_name(),
                    Role.COMMUNITY_SECRETARY,
                    community.path,
                )
            )
        for i in range(self.scale.workers_per_community):
            specs.append(
                _StaffSpec(
                    f"worker-{code}-{i + 1}",
                    self._next_name(),
                    Role.COMMUNITY_WORKER,
                    community.path,
                )
            )
        for g, grid in enumerate(grids):
            if is_demo and g == 0:
                continue
            specs.append(
                _StaffSpec(
                    f"grid-{code}-{grid.code.lower()}",
                    self._next_name(),
                    Role.GRID_WORKER,
                    grid.path,
                )
            )
        self._ensure_staff(specs, {p.path: p.pk for p in [community, *grids]}, bulk=True)

    def _ensure_staff(
        self, specs: list[_StaffSpec], place_ids: dict[str, int], *, bulk: bool
    ) -> dict[int, User]:
        """Create missing users and posts; return {spec index: user}."""
        users = User.objects.using(self.db)
        by_name = {
            u.username: u
            for u in users.filter(username__in=[s.username for s in specs if s.username])
        }
        phones = {crypto.blind_index("phone", s.phone): s for s in specs if s.phone}
        by_phone = {u.phone_index: u for u in users.filter(phone_index__in=list(phones))}
        found: dict[int, User] = {}
        new: list[tuple[int, User]] = []
        for i, spec in enumerate(specs):
            user = (
                by_phone.get(crypto.blind_index("phone", spec.phone))
                if spec.phone
                else by_name.get(spec.username)
            )
            if user is not None:
                found[i] = user
            elif bulk:
                new.append(
                    (i, User(username=spec.username, name=spec.name, password=self.password_hash))
                )
            else:
                user = User.objects.db_manager(self.db).create_user(
                    spec.username, None, phone=spec.phone, name=spec.name
                )
                user.password = self.password_hash
                user.save(using=self.db, update_fields=["password"])
                found[i] = user
        if new:
            users.bulk_create([u for _, u in new], batch_size=self.batch_size)
            if any(u.pk is None for _, u in new):
                ids = dict(
                    users.filter(username__in=[u.username for _, u in new]).values_list(
                        "username", "id"
                    )
                )
                for _, u in new:
                    u.pk = ids[u.username]
            found.update(new)
        households = {}
        wanted = [s.household for s in specs if s.household]
        for building_path, unit, room in wanted:
            households[building_path, unit, room] = (
                Household.objects.using(self.db)
                .values_list("id", flat=True)
                .get(place_path=building_path, unit_no=unit, room_no=room)
            )
        existing: set[tuple[int, str, int | None, int | None]] = set(
            Post.objects.using(self.db)
            .filter(user__in=[u.pk for u in found.values()])
            .values_list("user_id", "role", "place_id", "household_id")
        )
        posts = []
        for i, spec in enumerate(specs):
            key = (
                found[i].pk,
                spec.role,
                place_ids[spec.place_path] if spec.place_path else None,
                households[spec.household] if spec.household else None,
            )
            if key not in existing:
                existing.add(key)
                posts.append(
                    Post(user_id=key[0], role=key[1], place_id=key[2], household_id=key[3])
                )
        Post.objects.using(self.db).bulk_create(posts, batch_size=self.batch_size)
        return found

    def _demo_logins(self, district: Place, street: Place) -> list[Login]:
        assert street.official_code is not None  # every demo street has its official code
        community_path = paths.join(street.path, f"{street.official_code[:9]}001")
        grid_path = paths.join(community_path, "G01")
        estate_path = paths.join(grid_path, "E1")
        building_path = paths.join(estate_path, "B1")
        _units, floors, rooms = self.scale.shapes[0]
        resident_home = (building_path, "1", f"{min(floors, 5)}{min(rooms, 2):02d}")
        where = {
            "district": district.path,
            "street": street.path,
            "community": community_path,
            "grid": grid_path,
            "estate": estate_path,
            "building": building_path,
        }
        places = {
            p.path: p for p in Place.objects.using(self.db).filter(path__in=list(where.values()))
        }
        specs = []
        for role, username, name, key in DEMO_LOGINS:
            path = where[key] if key else None
            is_resident = role == Role.RESIDENT
            specs.append(
                _StaffSpec(
                    username,
                    name,
                    role,
                    path,
                    household=resident_home if is_resident else None,
                    phone=RESIDENT_PHONE if is_resident else None,
                    label=self._post_label(places, path, resident_home if is_resident else None),
                )
            )
        self._ensure_staff(specs, {p: pl.pk for p, pl in places.items()}, bulk=False)
        return [
            Login(
                role=s.role,
                label=str(Role(s.role).label),
                login=s.phone or s.username or "",  # a demo login has one of them
                password=DEMO_PASSWORD,
                post=s.label,
            )
            for s in specs
        ]

    @staticmethod
    def _post_label(
        places: dict[str, Place], path: str | None, household: tuple[str, str, str] | None
    ) -> str:
        if path is None:
            return _("Whole installation")
        names = [places[p].name for p in sorted(places, key=len) if path.startswith(p)]
        label = " ".join(names[1:] or names)  # the district name only for district posts
        if household:
            label += " " + _("unit %(unit)s room %(room)s") % {
                "unit": household[1],
                "room": household[2],
            }
        return label


# Feature demos run after the people, in this order. Each module has
# `build(scale: Scale, *, using: str, progress) -> str`: idempotent (a second run adds nothing),
# and returns one line saying what exists (e.g. "1,234 tickets").
FEATURE_DEMOS = (
    "gongzhi.demo.party",
    "gongzhi.demo.tickets",
    "gongzhi.demo.volunteering",
    "gongzhi.demo.merchants",
    "gongzhi.demo.partners",
    "gongzhi.demo.deliberation",
    "gongzhi.demo.owners",
    "gongzhi.demo.microprojects",
    "gongzhi.demo.privacy",
)


def _build_features(
    scale: Scale, using: str, progress: Callable[[str], None] | None
) -> dict[str, str]:
    import importlib  # the feature apps import places: load them only when building

    return {
        name: importlib.import_module(name).build(scale, using=using, progress=progress)
        for name in FEATURE_DEMOS
    }


def build(
    scale: str | Scale = "small",
    *,
    batch_size: int = BATCH_SIZE,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[str], None] | None = None,
    people: bool = False,
    features: bool = True,
) -> BuildResult:
    """Build (or complete) the demo data; idempotent. Returns what was created.
    With `people`, also the residents and the party organisation (gongzhi.demo.people), and
    then, with `features` (the default), every app's demo (FEATURE_DEMOS)."""
    if isinstance(scale, str):
        scale = SCALES[scale]
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    result = _Builder(scale, batch_size, using, progress).run()
    if people:
        from gongzhi.demo import people as people_demo

        result.people = people_demo.build(
            scale, batch_size=batch_size, using=using, progress=progress
        )
        if features:
            result.features = _build_features(scale, using, progress)
    return result


__all__ = [
    "DEMO_PASSWORD",
    "DISTRICT",
    "RESIDENT_PHONE",
    "SMALL",
    "BuildResult",
    "Login",
    "Scale",
    "build",
]
