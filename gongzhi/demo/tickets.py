"""Demo tickets: two years of residents' requests and grid events, in every state.

Small scale (the demo street, 10,000 households): about 2 tickets per household and year,
≈40,000 tickets with their full history (≈7 events a ticket). District scale (350,000
households, 2,000 grids): 5,000,000 tickets over two years (≈7 a household and year: a
district counts the 12345 hotline and patrol reports too). Reduced history in the district:
each ticket keeps only its last event (the step that gave it its current status), so
"every ticket's last event is its status" holds there too; tickets older than 60 days get
their outcome in one go (closed after a rating, closed unrated by the sweep, or merged, with
consistent times and flags) instead of the step-by-step life of the recent ones.

Every ticket lives through the workflow of gongzhi/tickets/workflow.py, simulated step by
step from its creation to `clock.now()`: each step is looked up in `workflow.TRANSITIONS`
(an illegal step is a bug here, not data), the deadline sweep's steps (automatic escalation,
supervision, closing unrated tickets) are applied whenever a ticket's `escalate_at` passes
before its next step — as `services.sweep_one` would have — so old tickets are closed,
merged or confirmed, and the last weeks hold tickets in every state, some overdue and
supervised. Texts are realistic Chinese requests per category, with variable parts.

Who is who: tickets come online from resident accounts (one household in four has one at
small scale, one in eight in the district: `resident-<household id>`, linked to the head of
the household), by phone or walk-in (entered by the grid's worker or community staff, on
behalf of a named resident), or from the grid worker's patrol. Handlers are the grid
workers, the community's party members (the `partymember` login 赵国庆 takes most of his
community's pool; two party-member logins `party-<community>-<n>` per community elsewhere),
the property company (the `property` login covers the first estate), the partner unit and
the street. The resident login 13800000001 has tickets of her own, some still open.

Seed data, not a user's action: rows are written in bulk (COPY on PostgreSQL, multi-row
inserts elsewhere), outside the services; one audit record per run that created anything.
Deterministic (seeded generators), idempotent: small scale is one transaction, and when
tickets older than 30 days exist it adds nothing. The district commits a batch of whole days
at a time (the last 60 days first, so an early look already shows the pages' months) and a
later run builds only the days that have no ticket yet: an interrupted build resumes. The
day sequence of a resumed build differs from a fresh one's. Ticket numbers use the day counters of services._number (TicketCounter),
continued and written back, so tickets submitted afterwards never collide.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import time
import zoneinfo
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.functions import TruncDate
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import clock, crypto
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import places as places_demo
from gongzhi.places.models import Household, Place, PlaceKind
from gongzhi.tickets import deadlines, workflow
from gongzhi.tickets.models import (
    Category,
    Channel,
    HandlerKind,
    Kind,
    Level,
    Priority,
    RoutingTarget,
    Status,
    Ticket,
    TicketCounter,
    TicketEvent,
)
from gongzhi.tickets.workflow import Step

DAYS = 730  # two years back from today
PER_HOUSEHOLD_YEAR = 2.0  # small scale
DISTRICT_TICKETS = 5_000_000
ACCOUNT_EVERY = {"small": 4, "district": 8}  # one resident account per n households
PARTY_LOGINS = 2  # party-member logins per community (besides `partymember`)
BATCH = 20_000  # tickets per write
# District only: tickets older than this get their outcome in one go (closed, rated or not,
# or merged) and only their last event, instead of a step-by-step life.
FAST_AFTER = dt.timedelta(days=60)
EXISTS_AFTER_DAYS = 30  # tickets older than this: the demo has run
SEED = 4  # issue 4

S = Status
TERMINAL = workflow.TERMINAL
CHANNEL_WEIGHTS = (
    (Channel.ONLINE, 55),
    (Channel.PHONE, 15),
    (Channel.WALK_IN, 10),
    (Channel.PATROL, 20),
)
RATINGS = (5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 3, 3, 2, 1)  # mostly 4–5
PRIORITY_ORDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]

# --------------------------------------------------------------------------- texts
# Per category: (kind, template). Variable parts: {estate} {building} {unit} {floor} {room}
# {room_up} {road} {n} {relation}.
TEXTS: dict[str, list[tuple[str, str]]] = {
    "streetlight": [
        ("report", "{estate}{building}门口的路灯已经连续{n}天晚上不亮了，老人晚上散步看不清路，请尽快安排维修。"),
        ("complaint", "{road}靠近{estate}的路段有{n}盏路灯一直闪烁，反映过一次还没修，晚上骑电动车很危险。"),
        ("suggestion", "建议在{estate}{building}到小区后门的小路上加装两盏路灯，现在晚上太黑，下晚班回家不安全。"),
        ("report", "{estate}中心花园的庭院灯灯罩碎了，灯杆底部电线外露，孩子经常在旁边玩。"),
    ],
    "road": [
        ("report", "{estate}{building}前面的水泥路面塌陷了一个大坑，下雨后积水，已经有老人摔倒。"),
        ("report", "{road}人行道地砖松动翘起{n}块左右，老人孩子容易绊倒，请安排修补。"),
        ("complaint", "小区主干道的减速带损坏，螺丝外露，车辆经过声音很大，{building}的住户晚上睡不好。"),
    ],
    "drainage": [
        ("report", "{estate}{building}旁边的井盖破损，中间裂开一道缝，晚上很危险，请马上处理。"),
        ("help", "连续下雨，{estate}{building}{unit}单元门口的下水道堵塞，污水倒灌到楼道里，请帮忙疏通。"),
        ("report", "{road}路边的雨水篦子被垃圾堵住，一下雨就积水到脚踝，行人只能绕行。"),
    ],
    "garbage": [
        ("complaint", "{estate}{building}楼下的垃圾桶已经{n}天没有清运，天气热气味很大，招苍蝇。"),
        ("report", "有人在{estate}{building}后面的空地上乱倒装修垃圾，堆了很多，请清理并加强管理。"),
        ("suggestion", "{estate}的分类垃圾桶不够用，每天傍晚就满了，建议增加桶数或清运次数。"),
    ],
    "greening": [
        ("help", "{estate}{building}旁边的大树枝条伸到{floor}楼窗户，遮挡采光，刮风时拍打窗户，请帮忙修剪。"),
        ("complaint", "小区绿化带被人种菜、堆放杂物，{estate}{building}前面尤其严重，影响环境。"),
        ("suggestion", "建议在{estate}中心花园增加一些座椅和遮阳的树，方便老人休息。"),
    ],
    "lift": [
        ("complaint", "{estate}{building}{unit}单元电梯又停了，有人困在{floor}楼附近十多分钟，家里有老人上下楼很困难。"),
        ("report", "{building}{unit}单元电梯运行时异响很大，门也关不严，请物业尽快检修。"),
        ("consult", "{estate}{building}{unit}单元电梯的年检合格证好像过期了，请问今年的检验做了没有？"),
    ],
    "leak": [
        ("help", "{building}{unit}单元{room}室卫生间天花板渗水，可能是楼上{room_up}室水管漏了，联系不上楼上业主。"),
        ("help", "{estate}{building}外墙渗水，{floor}楼卧室墙面发霉脱落，下雨就更严重，请物业维修。"),
        ("complaint", "顶楼{room}室屋面防水老化，客厅漏雨，报修两次了还没有人来看。"),
    ],
    "parking": [
        ("complaint", "{estate}外来车辆随意进出，占用业主车位，请物业加强门岗管理。"),
        ("suggestion", "{building}楼下电动车乱停，挡住单元门，建议规划集中停放和充电的地方。"),
        ("report", "{estate}地下车库的照明坏了一半，{n}个车位那一排完全看不见，请物业维修。"),
    ],
    "noise": [
        ("complaint", "{building}{unit}单元{room}室最近每天晚上十一点以后还在装修敲打，影响休息。"),
        ("complaint", "小区广场舞音响声音太大，晚上九点半以后还在放，{estate}{building}的住户意见很大。"),
        ("report", "{road}沿街烧烤店深夜喧哗，凌晨一两点还很吵，附近{estate}的住户睡不着。"),
    ],
    "dispute": [
        ("help", "{building}{unit}单元{room}室在楼道堆放杂物，占用公共空间，多次沟通无果，请社区协调。"),
        ("help", "楼上{room_up}室的空调外机冷凝水滴到我家阳台，协商不成，希望社区帮忙调解。"),
        ("complaint", "邻居在{estate}公共绿地上私搭棚子养鸡，气味很大，双方已经发生争执。"),
    ],
    "fire_passage": [
        ("report", "{estate}{building}{unit}单元楼道里堆满纸箱和旧家具，消防通道被堵，存在火灾隐患。"),
        ("report", "{estate}{building}东侧的消防通道被私家车长期占用，消防车无法通行。"),
        ("report", "有住户在{building}{unit}单元楼道给电动车充电，电线从{floor}楼窗口拉下来。"),
    ],
    "hazard": [
        ("report", "{estate}{building}外墙瓷砖脱落，{floor}楼附近还有一片松动，下面就是人行道，很危险。"),
        ("report", "{road}路边一根电线杆倾斜，电线垂得很低，请尽快派人处理。"),
        ("report", "{estate}{building}一楼商铺把液化气罐放在门外，还在旁边抽烟，担心出事。"),
    ],
    "elderly": [
        ("consult", "家里老人八十多岁，独居在{building}{unit}单元{room}室，想申请居家养老上门服务，请问怎么办理？"),
        ("help", "{estate}{building}有位独居老人好几天没出门了，邻居有点担心，请社区上门看看。"),
        ("consult", "请问社区老年食堂的开放时间和收费标准是怎样的？家里老人想去吃午饭。"),
    ],
    "assistance": [
        ("help", "家里{relation}重病住院，医疗费负担很重，想了解临时救助的申请条件。"),
        ("help", "我是{building}{unit}单元{room}室的住户，最近失业了，两个孩子在上学，想申请困难帮扶。"),
        ("help", "家里{relation}是残疾人，需要借用轮椅，请社区帮忙联系。"),
    ],
    "certificate": [
        ("consult", "请问开具居住证明需要带哪些材料？社区什么时间可以办理？"),
        ("consult", "孩子上学需要开具居住情况证明，请问是在社区还是派出所办理？"),
        ("consult", "咨询办理老年人优待证需要的材料和流程。"),
    ],
    "municipal": [("report", "{road}靠近{estate}的公共设施损坏了，请相关部门查看处理。")],
    "environment": [("complaint", "{estate}{building}周边卫生状况较差，希望加强日常保洁。")],
    "property": [("complaint", "对{estate}的物业服务不满意，保洁和门岗管理都不到位，希望社区督促。")],
    "neighbour": [("help", "和楼上邻居因为一些琐事产生矛盾，希望社区帮忙调解。")],
    "safety": [("report", "{estate}{building}附近晚上常有陌生人逗留，希望加强巡逻。")],
    "welfare": [("consult", "请问社区有哪些便民服务项目，怎么预约？")],
    "other": [
        ("suggestion", "建议社区周末多组织一些亲子活动，{estate}的孩子比较多。"),
        ("complaint", "{estate}的快递柜不够用，快递每天堆在{building}门口，容易丢件。"),
        ("consult", "请问社区志愿服务怎么报名参加？想利用周末做点事情。"),
    ],
}  # fmt: skip
# The demo grid's showcase: one ticket stopped in each open state a few hours back, so that
# every workbench of the demo logins has items (target, hours ago, the resident login's own).
SHOWCASE = (
    (S.SUBMITTED, 0.5, True, ()),  # (status it stops in, hours ago, the resident's, steps)
    (S.ACCEPTED, 3, False, (Step.ACCEPT,)),
    (S.IN_GRID, 20, False, (Step.ACCEPT, Step.HANDLE)),
    (S.IN_GRID, 8, True, (Step.ACCEPT, Step.HANDLE)),
    (S.ESCALATED, 6, False, (Step.ACCEPT, Step.ESCALATE)),
    (S.DISPATCHED, 26, False, (Step.ESCALATE, Step.DISPATCH)),
    (S.POOLED, 10, False, (Step.ESCALATE, Step.POOL)),
    (S.POOLED, 30, True, (Step.ESCALATE, Step.POOL)),
    (S.TAKEN, 28, False, (Step.ESCALATE, Step.POOL, Step.TAKE)),
    (S.IN_PROGRESS, 50, False, (Step.ESCALATE, Step.POOL, Step.TAKE, Step.START)),
    (S.RETURNED, 40, False, (Step.ESCALATE, Step.DISPATCH, Step.RETURN)),
    (S.ESCALATED_TO_STREET, 45, False, (Step.ESCALATE, Step.ESCALATE_TO_STREET)),
    (S.RESOLVED, 30, True, (Step.ACCEPT, Step.HANDLE, Step.RESOLVE)),
    (S.CONFIRMED, 60, True, (Step.ACCEPT, Step.HANDLE, Step.RESOLVE, Step.CONFIRM)),
)
SHOWCASE_CATEGORIES = ("streetlight", "road", "garbage", "noise")  # grid-routed, normal
RELATIONS = ["父亲", "母亲", "爱人", "孩子", "老伴"]
RESOLUTIONS = [
    "已到现场查看并安排维修，已处理完毕，电话告知住户。",
    "已联系相关责任单位处理，现场已恢复正常。",
    "已上门了解情况并协调解决，住户表示认可。",
    "已安排人员清理，并张贴提示，今后加强巡查。",
    "已组织双方当面沟通，达成一致意见。",
    "已协助住户准备材料并办理完成。",
    "已更换损坏部件，经测试运行正常。",
    "已答复咨询内容，并告知办理地点和时间。",
]
COMMENTS = {
    5: ["处理很及时，谢谢！", "网格员态度很好，点赞。", "", "", "很满意。"],
    4: ["解决了，就是等得有点久。", "", "基本满意。"],
    3: ["问题解决了，但来回跑了好几趟。", ""],
    2: ["问题没有彻底解决，过几天又坏了。", "处理得太慢了。"],
    1: ["没人联系我就说办结了。", "根本没有解决。"],
}
ESCALATE_NOTES = ["超出网格处理能力，提请社区协调。", "需要协调物业和相关部门，上报社区。"]
STREET_NOTES = ["涉及多个部门，提请街道协调。"]
RETURN_NOTES = ["不属于本人负责的范围，请重新派单。", "需要专业维修队伍，申请改派。"]
REOPEN_NOTES = ["回访住户不满意，重新安排处理。"]


# --------------------------------------------------------------------------- the world


@dataclass
class _Building:
    id: int
    path: str
    name: str
    estate: str  # the estate's name (the grid's name for a building outside any estate)
    estate_path: str
    accounts: list = field(default_factory=list)  # [(user id, post id)]


@dataclass
class _Grid:
    id: int
    path: str
    community_id: int
    community_path: str
    street_id: int
    street_path: str
    households: int = 0
    workers: list = field(default_factory=list)  # [(user id, post id)]
    community_staff: list = field(default_factory=list)
    party: list = field(default_factory=list)
    street_staff: list = field(default_factory=list)
    partners: list = field(default_factory=list)
    buildings: list = field(default_factory=list)
    recent: deque = field(default_factory=lambda: deque(maxlen=12))  # merge targets


def _local(day: dt.date, hour: float) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    return (start + dt.timedelta(hours=hour)).astimezone(dt.UTC)


class _Builder:
    def __init__(self, scale, using: str, progress, per_household_year: float | None):
        self.scale = scale
        self.db = using
        self.progress = progress or (lambda message: None)
        self.full_history = scale.name != "district"
        self.rate = per_household_year
        self.now = clock.now()
        self.today = clock.today()
        self.counters: dict[dt.date, int] = {}
        self.counts = defaultdict(int)
        self.tickets: list[list] = []
        self.events: list[tuple] = []
        with translation.override(settings.LANGUAGE_CODE):
            self.sweep_note = _("Deadline passed.")
            self.unrated_note = _("Not rated in time.")
            self.no_property_note = _("No %(kind)s covers this place; routed to the community.") % {
                "kind": HandlerKind.PROPERTY_COMPANY.label
            }

    # -- setup ----------------------------------------------------------------------------
    def _load(self) -> None:
        db = self.db
        self.categories = list(Category.objects.using(db).filter(is_active=True))
        self.leaves = [c for c in self.categories if c.code in TEXTS]
        places = Place.objects.using(db)
        by_path = {}
        for p in places.filter(depth__lte=3).values("id", "path", "kind", "name"):
            by_path[p["path"]] = p
        self.district = places.filter(depth=0).order_by("id").first()
        self.grids: dict[str, _Grid] = {}
        for path, p in by_path.items():
            if p["kind"] != PlaceKind.GRID:
                continue
            parts = path.split("/")
            community_path = "/".join(parts[:3]) + "/"
            street_path = "/".join(parts[:2]) + "/"
            self.grids[path] = _Grid(
                p["id"],
                path,
                by_path[community_path]["id"],
                community_path,
                by_path[street_path]["id"],
                street_path,
            )
        names = dict(
            places.filter(kind__in=(PlaceKind.ESTATE, PlaceKind.GRID)).values_list("path", "name")
        )
        buildings = {}
        for b in (
            places.filter(kind=PlaceKind.BUILDING).values("id", "path", "name").order_by("path")
        ):
            grid_path = "/".join(b["path"].split("/")[:4]) + "/"
            grid = self.grids.get(grid_path)
            if grid is None:
                continue
            parent = b["path"][: b["path"][:-1].rfind("/") + 1]
            building = _Building(b["id"], b["path"], b["name"], names.get(parent, ""), parent)
            grid.buildings.append(building)
            buildings[b["id"]] = building
        self.buildings = buildings
        counts = defaultdict(int)
        for building_id in (
            Household.objects.using(db).values_list("building_id", flat=True).iterator(10_000)
        ):
            counts[building_id] += 1
        for grid in self.grids.values():
            grid.households = sum(counts[b.id] for b in grid.buildings)

    def _ensure_accounts(self) -> int:
        """Resident accounts for one household in n (idempotent), linked to the head."""
        db = self.db
        every = ACCOUNT_EVERY.get(self.scale.name, 4)
        users = User.objects.using(db)
        have = set(
            users.filter(username__startswith="resident-").values_list("username", flat=True)
        )
        template = users.filter(username="grid").values_list("password", flat=True).first()
        password = template or make_password(places_demo.DEMO_PASSWORD)
        from gongzhi.people.models import Relation, Resident

        created = 0
        wanted = []
        for hh_id, building_id in (
            Household.objects.using(db)
            .values_list("id", "building_id")
            .order_by("id")
            .iterator(10_000)
        ):
            if (
                hh_id % every == 0
                and f"resident-{hh_id}" not in have
                and building_id in self.buildings
            ):
                wanted.append((hh_id, building_id))
        for start in range(0, len(wanted), 5000):
            chunk = wanted[start : start + 5000]
            heads = dict(
                Resident.objects.using(db)
                .filter(household_id__in=[h for h, _b in chunk], relation=Relation.HEAD)
                .values_list("household_id", "name")
            )
            new = [
                User(
                    username=f"resident-{h}",
                    name=heads.get(h) or places_demo.person_name(h),
                    password=password,
                )
                for h, _b in chunk
            ]
            users.bulk_create(new, batch_size=5000)
            ids = dict(
                users.filter(username__in=[u.username for u in new]).values_list("username", "id")
            )
            posts = [
                Post(user_id=ids[f"resident-{h}"], role=Role.RESIDENT, place_id=b, household_id=h)
                for h, b in chunk
            ]
            Post.objects.using(db).bulk_create(posts, batch_size=5000)
            created += len(new)
        if created:
            with connections[db].cursor() as cur:
                cur.execute(
                    "UPDATE people_resident SET user_id = (SELECT u.id FROM core_user u "
                    "WHERE u.username = 'resident-' || people_resident.household_id) "
                    "WHERE relation = %s AND user_id IS NULL AND household_id %% %s = 0 "
                    "AND EXISTS (SELECT 1 FROM core_user u WHERE u.username = "
                    "'resident-' || people_resident.household_id)",
                    [Relation.HEAD, every],
                )
        return created

    def _ensure_party_logins(self) -> int:
        db = self.db
        users = User.objects.using(db)
        password = users.filter(username="grid").values_list("password", flat=True).first()
        password = password or make_password(places_demo.DEMO_PASSWORD)
        communities = {g.community_path: g.community_id for g in self.grids.values()}
        names = [
            f"party-{path.split('/')[2]}-{i + 1}"
            for path in communities
            for i in range(PARTY_LOGINS)
        ]
        have = set(users.filter(username__in=names).values_list("username", flat=True))
        new, posts = [], []
        for path, cid in communities.items():
            for i in range(PARTY_LOGINS):
                username = f"party-{path.split('/')[2]}-{i + 1}"
                if username not in have:
                    new.append(
                        (
                            User(
                                username=username,
                                name=places_demo.person_name(cid * 7 + i + 500),
                                password=password,
                            ),
                            cid,
                        )
                    )
        if new:
            users.bulk_create([u for u, _c in new], batch_size=5000)
            ids = dict(
                users.filter(username__in=[u.username for u, _c in new]).values_list(
                    "username", "id"
                )
            )
            posts = [
                Post(user_id=ids[u.username], role=Role.PARTY_MEMBER, place_id=c) for u, c in new
            ]
            Post.objects.using(db).bulk_create(posts, batch_size=5000)
        return len(new)

    def _load_posts(self) -> None:
        rows = (
            Post.objects.using(self.db)
            .filter(is_active=True, user__is_active=True)
            .exclude(role=Role.RESIDENT, household__isnull=True)
            .values_list(
                "id",
                "user_id",
                "role",
                "place__path",
                "household__building_id",
                "user__username",
                "user__phone_index",
            )
        )
        by_community = defaultdict(lambda: defaultdict(list))
        by_street = defaultdict(lambda: defaultdict(list))
        self.property = {}
        self.demo_resident = None
        self.partymember = None
        resident_phone = crypto.blind_index("phone", places_demo.RESIDENT_PHONE)
        for pid, uid, role, path, building_id, username, phone_index in rows.iterator(10_000):
            who = (uid, pid)
            if role == Role.RESIDENT:
                building = self.buildings.get(building_id)
                if building is not None:
                    if phone_index == resident_phone:
                        self.demo_resident = (who, building)
                    else:
                        building.accounts.append(who)
                continue
            if path is None:
                continue
            depth = path.count("/") - 1
            if role == Role.GRID_WORKER and path in self.grids:
                self.grids[path].workers.append(who)
            elif role in (Role.COMMUNITY_SECRETARY, Role.COMMUNITY_WORKER) and depth == 2:
                by_community[path]["staff"].append(who)
            elif role == Role.PARTY_MEMBER and depth == 2:
                by_community[path]["party"].append(who)
                if username == "partymember":
                    self.partymember = who
            elif role == Role.STREET_OFFICER and depth == 1:
                by_street[path]["staff"].append(who)
            elif role == Role.PARTNER_CONTACT and depth == 1:
                by_street[path]["partners"].append(who)
            elif role == Role.PROPERTY_STAFF:
                self.property[path] = who
        self.demo_grid = None
        if self.demo_resident is not None:
            grid_path = "/".join(self.demo_resident[1].path.split("/")[:4]) + "/"
            self.demo_grid = self.grids.get(grid_path)
        for grid in self.grids.values():
            grid.community_staff = sorted(by_community[grid.community_path]["staff"])
            grid.party = sorted(by_community[grid.community_path]["party"])
            grid.street_staff = sorted(by_street[grid.street_path]["staff"])
            grid.partners = sorted(by_street[grid.street_path]["partners"])
            grid.workers.sort()
            for b in grid.buildings:
                b.accounts.sort()

    # -- the run --------------------------------------------------------------------------
    def run(self) -> str:
        started = time.perf_counter()
        db = self.db
        tickets = Ticket.objects.using(db)
        cutoff = self.now - dt.timedelta(days=EXISTS_AFTER_DAYS)
        self.days_done: set[dt.date] = set()
        if self.full_history:  # small: all or nothing
            if tickets.filter(created_at__lt=cutoff).exists():
                return self._summary(None)
        else:  # district: every day commits whole, so an interrupted build resumes
            self.days_done = self._days_done()
            if not self._offsets():
                return self._summary(None)
        self._load()
        if not self.grids:
            return self._summary(None)
        with transaction.atomic(using=db):
            accounts = self._ensure_accounts()
            party = self._ensure_party_logins()
            self._load_posts()
            self.periods_cache = {}
            self.next_id = (tickets.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            self.counters = dict(TicketCounter.objects.using(db).values_list("day", "last"))
            if self.full_history:  # small: all or nothing
                self._simulate()
                self._flush()
        if not self.full_history:  # district: each batch commits (see _simulate)
            self._simulate()
            self._flush()
        with transaction.atomic(using=db):
            if db == DEFAULT_DB_ALIAS:
                from gongzhi.core import audit

                audit.record(
                    actor=None,
                    action="demo_data.tickets",
                    target=self.district,
                    place_path=self.district.path,
                    changes={"scale": self.scale.name, "tickets": self.counts["tickets"]},
                )
        connection = connections[db]
        if connection.vendor == "postgresql":
            # Fresh planner statistics after the bulk load; VACUUM too (outside a transaction)
            # sets the visibility map, without which the statistics index is not index-only.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cur:
                for table in (
                    "tickets_ticket",
                    "tickets_ticketevent",
                    "tickets_ticketcounter",
                    "core_user",
                    "core_post",
                ):
                    cur.execute(f"{command} {table}")
        self.counts["accounts"] = accounts + party
        return self._summary(time.perf_counter() - started)

    def _summary(self, seconds) -> str:
        total = Ticket.objects.using(self.db).count()
        open_ = Ticket.objects.using(self.db).exclude(status__in=(*TERMINAL, S.CONFIRMED)).count()
        events = TicketEvent.objects.using(self.db).count()
        line = _("Tickets: %(tickets)s tickets (%(open)s open), %(events)s events.") % {
            "tickets": f"{total:,}",
            "open": f"{open_:,}",
            "events": f"{events:,}",
        }
        if seconds is not None:
            line += " " + _("Built in %(seconds).1f s.") % {"seconds": seconds}
        return line

    def _offsets(self) -> list[int]:
        """The days to build, as offsets from the first day, in build order. District: the
        last weeks first, so that an early look at a half-built database (each batch of whole
        days commits) already shows the pages' months, then the older days; a resumed build
        starts after the last day built (a day may have no ticket at all at a low rate)."""
        offsets = list(range(DAYS))
        if self.full_history:
            return offsets
        recent = FAST_AFTER.days
        offsets = offsets[-recent:] + offsets[:-recent]
        first = self.today - dt.timedelta(days=DAYS - 1)
        done = [i for i, o in enumerate(offsets) if first + dt.timedelta(days=o) in self.days_done]
        return offsets[max(done) + 1 :] if done else offsets

    def _days_done(self) -> set[dt.date]:
        """Local days that have tickets (batches hold whole days: a day is done or absent)."""
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        days = (
            Ticket.objects.using(self.db)
            .annotate(day=TruncDate("created_at", tzinfo=tz))
            .values_list("day", flat=True)
            .distinct()
            .order_by()
        )
        return set(days)

    def _daily_rate(self, grid: _Grid) -> float:
        if self.rate is not None:
            return grid.households * self.rate / 365
        if self.scale.name == "district":
            households = sum(g.households for g in self.grids.values()) or 1
            return DISTRICT_TICKETS * grid.households / households / DAYS
        return grid.households * PER_HOUSEHOLD_YEAR / 365

    def _simulate(self) -> None:
        rnd = random.Random(SEED)
        grids = sorted(self.grids.values(), key=lambda g: g.path)
        rates = [(g, self._daily_rate(g)) for g in grids]
        demo_days = {
            self.today - dt.timedelta(days=k)
            for k in (1, 3, 6, 12, 25, 60, 120, 200, 300, 420, 550, 700)
        }
        demo_grid = self.demo_grid
        first = self.today - dt.timedelta(days=DAYS - 1)
        for offset in self._offsets():
            day = first + dt.timedelta(days=offset)
            # Busier on weekdays and in the rainy season (April–July).
            factor = (1.1 if day.weekday() < 5 else 0.75) * (1.2 if 4 <= day.month <= 7 else 0.95)
            plan = []
            for grid, rate in rates:
                lam = rate * factor
                n = int(lam) + (1 if rnd.random() < lam - int(lam) else 0)
                for _i in range(n):
                    plan.append((self._hour(rnd), grid, None))
            if demo_grid is not None and day in demo_days:
                plan.append((rnd.uniform(8, 20), demo_grid, self.demo_resident))
            plan.sort(key=lambda p: p[0])
            for hour, grid, forced in plan:
                created = _local(day, hour)
                if created >= self.now:
                    continue
                self._ticket(rnd, grid, day, created, forced)
            if len(self.tickets) >= BATCH:
                self._flush()
            if offset == DAYS - 1:
                self._showcase(rnd)
            if day.day == 1:
                self.progress(
                    _("Tickets: %(month)s, %(n)s so far")
                    % {"month": f"{day:%Y-%m}", "n": f"{self.counts['tickets']:,}"}
                )

    def _showcase(self, rnd: random.Random) -> None:
        grid = self.demo_grid
        if grid is None:
            return
        categories = {c.code: c for c in self.leaves}
        for i, (target, hours, own, script) in enumerate(SHOWCASE):
            created = self.now - dt.timedelta(hours=hours)
            day = created.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
            forced = self.demo_resident if own else None
            category = categories.get(SHOWCASE_CATEGORIES[i % len(SHOWCASE_CATEGORIES)])
            if category is None:
                continue
            self._ticket(rnd, grid, day, created, forced, script=script, category=category)
            if self.tickets[-1]["status"] != target:  # the script and the table disagree
                raise RuntimeError(
                    f"showcase ticket ended {self.tickets[-1]['status']}, not {target}"
                )

    @staticmethod
    def _hour(rnd: random.Random) -> float:
        # Most requests between 8 and 21 o'clock, a few at night.
        if rnd.random() < 0.9:
            return rnd.uniform(8, 21)
        return rnd.uniform(0, 24)

    def _periods(self, kind, priority, category):
        key = (kind, priority, category.pk)
        if key not in self.periods_cache:
            self.periods_cache[key] = deadlines.periods(self.district, kind, priority, category)
        return self.periods_cache[key]

    def _number(self, day: dt.date) -> str:
        last = self.counters.get(day, 0) + 1
        self.counters[day] = last
        return f"GZ-{day:%Y%m%d}-{last:04d}"

    # -- one ticket -----------------------------------------------------------------------
    def _ticket(self, rnd, grid: _Grid, day, created, forced, script=None, category=None) -> None:
        if category is None:
            category = (
                rnd.choice(self.leaves) if rnd.random() < 0.97 else rnd.choice(self.categories)
            )
        kind, template = rnd.choice(TEXTS.get(category.code) or TEXTS["other"])
        building = forced[1] if forced else rnd.choice(grid.buildings) if grid.buildings else None
        if forced:
            channel = Channel.ONLINE
        else:
            channel = rnd.choices(
                [c for c, _w in CHANNEL_WEIGHTS], [w for _c, w in CHANNEL_WEIGHTS]
            )[0]
        if script is not None and not forced:
            channel = Channel.ONLINE
        if channel == Channel.ONLINE and not forced:
            with_account = [b for b in (building,) if b and b.accounts] or [
                b for b in grid.buildings if b.accounts
            ]
            if not with_account:
                channel = Channel.PHONE
            else:
                building = (
                    with_account[0] if with_account[0] is building else rnd.choice(with_account)
                )
        worker = rnd.choice(grid.workers) if grid.workers else None
        staff = rnd.choice(grid.community_staff) if grid.community_staff else worker
        if channel == Channel.PATROL:
            kind = Kind.REPORT
        priority = category.default_priority
        roll = rnd.random()
        if script is not None:
            pass
        elif roll < 0.1:
            priority = PRIORITY_ORDER[min(PRIORITY_ORDER.index(priority) + 1, 3)]
        elif roll < 0.15:
            priority = PRIORITY_ORDER[max(PRIORITY_ORDER.index(priority) - 1, 0)]
        periods = self._periods(kind, priority, category)
        submitter = entered_by = None
        actor = None
        on_behalf = ""
        if channel == Channel.ONLINE:
            actor = forced[0] if forced else rnd.choice(building.accounts)
            submitter = actor[0]
        elif channel == Channel.PATROL:
            actor = worker or staff
            submitter = entered_by = actor[0] if actor else None
        else:
            actor = worker if (worker and rnd.random() < 0.6) else staff
            entered_by = actor[0] if actor else None
            on_behalf = places_demo.person_name(rnd.randrange(10_000))
        place_id = (
            building.id
            if building and channel != Channel.PATROL or building and rnd.random() < 0.7
            else grid.id
        )
        place_path = building.path if place_id == (building.id if building else None) else grid.path
        floor = rnd.randint(1, 11)
        room = f"{floor}{rnd.randint(1, 2):02d}"
        text = template.format(
            estate=building.estate if building else "",
            building=building.name if building else "",
            unit=rnd.randint(1, 2),
            floor=floor,
            room=room,
            room_up=f"{floor + 1}{room[-2:]}",
            road=rnd.choice(places_demo.ROADS),
            n=rnd.randint(2, 6),
            relation=rnd.choice(RELATIONS),
        )
        t = {
            "id": self.next_id,
            "number": self._number(day),
            "kind": kind,
            "category_id": category.pk,
            "text": text,
            "priority": priority,
            "anonymous": kind == Kind.REPORT and channel == Channel.ONLINE and rnd.random() < 0.25,
            "channel": channel,
            "submitter_id": submitter,
            "on_behalf_of_name": on_behalf,
            "entered_by_id": entered_by,
            "place_id": place_id,
            "place_path": place_path,
            "lat": None,
            "lng": None,
            "grid_id": grid.id,
            "response_due": created + periods.response,
            "resolve_due": created + periods.resolve,
            "escalate_at": created + periods.response,
            "responded_at": None,
            "resolved_at": None,
            "closed_at": None,
            "supervised": False,
            "resolution_note": "",
            "rating": None,
            "rating_comment": "",
            "merged_into_id": None,
            "created_at": created,
            "updated_at": created,
        }
        self.next_id += 1
        events: list[tuple] = []
        sim = _Life(self, rnd, grid, t, events, periods, category, building, actor)
        sim.submit(actor, created)
        if script is None and not self.full_history and self.now - created > FAST_AFTER:
            sim.closed_life()
        elif script is None:
            sim.live()
        else:
            sim.scripted(script)
        self.tickets.append(t)
        if self.full_history:
            self.events.extend(events)
        else:
            self.events.append(events[-1])
        self.counts["tickets"] += 1
        grid.recent.append((t["id"], t["number"], category.pk, created, t["closed_at"]))

    # -- writing --------------------------------------------------------------------------
    def _flush(self) -> None:
        if not self.tickets:
            return
        with transaction.atomic(using=self.db):
            self._write_batch()
            self._write_counters()
            self._reset_sequence()

    def _write_batch(self) -> None:
        fields = [f for f in Ticket._meta.concrete_fields]
        rows = [
            [t[f.attname] if f.attname in t else _default(f) for f in fields] for t in self.tickets
        ]
        self._write(Ticket._meta.db_table, [f.column for f in fields], rows)
        efields = [f for f in TicketEvent._meta.concrete_fields if f.attname != "id"]
        names = (
            "ticket_id",
            "action",
            "from_status",
            "to_status",
            "actor_id",
            "post_id",
            "note",
            "data",
            "at",
        )
        index = {n: i for i, n in enumerate(names)}
        erows = [
            [e[index[f.attname]] if f.attname in index else _default(f) for f in efields]
            for e in self.events
        ]
        self._write(TicketEvent._meta.db_table, [f.column for f in efields], erows)
        self.counts["events"] += len(self.events)
        self.tickets, self.events = [], []

    def _write(self, table: str, columns: list[str], rows: list[list]) -> None:
        connection = connections[self.db]
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cur.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            ops = connection.ops
            adapted = [
                [ops.adapt_datetimefield_value(v) if isinstance(v, dt.datetime) else v for v in row]
                for row in rows
            ]
            per = max(1, min(500, 30000 // len(columns)))
            for start in range(0, len(adapted), per):
                chunk = adapted[start : start + per]
                marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
                # Table and column names come from the models' _meta, values are parameters.
                head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
                sql = head + ", ".join([marks] * len(chunk))
                cur.execute(sql, [v for row in chunk for v in row])

    def _write_counters(self) -> None:
        TicketCounter.objects.using(self.db).bulk_create(
            [TicketCounter(day=d, last=n) for d, n in self.counters.items()],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["last"],
            batch_size=1000,
        )

    def _reset_sequence(self) -> None:
        connection = connections[self.db]
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), "
                "(SELECT MAX(id) FROM tickets_ticket))"
            )


def _default(f):
    value = f.get_default()
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


class _Life:
    """One ticket's life from submission to now: person steps mirror services.py, the sweep's
    steps mirror services.sweep_one, every step is checked against workflow.TRANSITIONS."""

    def __init__(self, builder, rnd, grid, t, events, periods, category, building, submitter):
        self.b, self.rnd, self.grid, self.t, self.events = builder, rnd, grid, t, events
        self.periods, self.category, self.building = periods, category, building
        self.submitter = submitter
        # Some tickets are neglected; the last two weeks carry a backlog, so that every
        # workbench of the demo has work on it.
        recent = builder.now - t["created_at"] < dt.timedelta(days=14)
        self.slow = 4.0 if rnd.random() < (0.35 if recent else 0.05) else 1.0
        # The demo grid worker keeps the last days' tickets in hand: the queue is never empty.
        self.hold = 1.0
        if grid is builder.demo_grid and builder.now - t["created_at"] < dt.timedelta(days=3):
            self.slow, self.hold = 1.0, 8.0
        self.resp = periods.response.total_seconds() / 3600
        self.res = periods.resolve.total_seconds() / 3600

    # -- helpers --------------------------------------------------------------------------
    def _delay(self, median_hours: float, sigma: float = 0.9) -> dt.timedelta:
        hours = self.rnd.lognormvariate(math.log(median_hours), sigma) * self.slow
        return dt.timedelta(hours=min(hours, 24 * 120))

    def _record(self, step, before, actor, at, note="", data=None) -> None:
        t = self.t
        t["updated_at"] = at
        self.events.append(
            (
                t["id"],
                step,
                before,
                t["status"],
                actor[0] if actor else None,
                actor[1] if actor else None,
                note,
                json.dumps(data or {}),
                at,
            )
        )

    def _hand_back(self) -> None:
        t, g = self.t, self.grid
        if t["level"] == Level.STREET:
            t["handler_kind"], t["handler_place_id"] = HandlerKind.STREET, g.street_id
        else:
            t["handler_kind"], t["handler_place_id"] = HandlerKind.COMMUNITY, g.community_id
            t["level"] = Level.COMMUNITY
        t["handler_user_id"] = None

    def _worker(self):
        return self.rnd.choice(self.grid.workers) if self.grid.workers else self._staff()

    def _staff(self):
        g = self.grid
        if self.t["level"] == Level.STREET and g.street_staff:
            return self.rnd.choice(g.street_staff)
        return self.rnd.choice(g.community_staff) if g.community_staff else None

    def _party(self):
        g, rnd = self.grid, self.rnd
        if not g.party:
            return None
        if self.b.partymember in g.party and rnd.random() < 0.6:
            return self.b.partymember
        return rnd.choice(g.party)

    # -- submission -------------------------------------------------------------------------
    def submit(self, actor, at) -> None:
        t, g, category = self.t, self.grid, self.category
        t["status"], t["level"] = S.SUBMITTED, Level.GRID
        t["handler_kind"], t["handler_user_id"], t["handler_place_id"] = (
            HandlerKind.GRID_WORKER,
            None,
            g.id,
        )
        note, data = "", {"routing": category.routing}
        if category.routing in (
            RoutingTarget.COMMUNITY,
            RoutingTarget.PROPERTY_COMPANY,
            RoutingTarget.PARTNER_UNIT,
        ):
            property_staff = None
            if category.routing == RoutingTarget.PROPERTY_COMPANY and self.building:
                property_staff = self.b.property.get(self.building.estate_path)
            if property_staff is not None:
                t["status"], t["level"] = S.DISPATCHED, Level.COMMUNITY
                t["handler_kind"], t["handler_user_id"] = (
                    HandlerKind.PROPERTY_COMPANY,
                    property_staff[0],
                )
                t["handler_place_id"] = g.community_id
                data["handler_user"] = property_staff[0]
            else:
                t["status"], t["level"] = S.ESCALATED, Level.COMMUNITY
                t["handler_kind"], t["handler_place_id"] = HandlerKind.COMMUNITY, g.community_id
                if category.routing != RoutingTarget.COMMUNITY:
                    note = self.b.no_property_note
        self._record(Step.SUBMIT, "", actor, at, note, data)

    # -- person steps (services.py) -------------------------------------------------------------
    def step(self, step: str, actor, at, note: str = "", **extra) -> None:
        t = self.t
        rule = workflow.TRANSITIONS[(t["status"], step)]
        before = t["status"]
        t["status"] = rule.target
        if t["responded_at"] is None and step != Step.CONFIRM:
            t["responded_at"] = at
            t["escalate_at"] = t["resolve_due"] if t["resolve_due"] > at else None
        data = {}
        if step in (Step.ACCEPT, Step.HANDLE):
            t["handler_kind"], t["handler_user_id"] = HandlerKind.GRID_WORKER, actor[0]
            if step == Step.ACCEPT:
                t["handler_place_id"] = self.grid.id
        elif step == Step.ESCALATE:
            t["level"] = Level.COMMUNITY
            self._hand_back()
        elif step == Step.ESCALATE_TO_STREET:
            t["level"] = Level.STREET
            self._hand_back()
        elif step == Step.DISPATCH:
            handler, kind = extra["handler"], extra["kind"]
            t["handler_kind"], t["handler_user_id"] = kind, handler[0]
            t["handler_place_id"] = (
                self.grid.street_id if t["level"] == Level.STREET else self.grid.community_id
            )
            t["escalate_at"] = t["resolve_due"] if t["resolve_due"] > at else None
            data = {"handler_user": handler[0], "handler_kind": kind}
        elif step == Step.POOL:
            t["handler_kind"], t["handler_user_id"] = HandlerKind.PARTY_MEMBER, None
            t["handler_place_id"] = self.grid.community_id
            t["escalate_at"] = t["resolve_due"] if t["resolve_due"] > at else None
        elif step == Step.TAKE:
            t["handler_kind"], t["handler_user_id"] = HandlerKind.PARTY_MEMBER, actor[0]
        elif step == Step.RESOLVE:
            t["resolution_note"], t["resolved_at"] = note, at
            t["escalate_at"] = at + self.periods.rating_window
        elif step == Step.RETURN:
            data = {"previous_handler": t["handler_user_id"]}
            self._hand_back()
        elif step == Step.CONFIRM:
            rating = extra["rating"]
            t["rating"], t["rating_comment"] = rating, extra["comment"]
            t["escalate_at"] = None
            data = {"rating": rating, "unsatisfied": rating <= workflow.UNSATISFIED_MAX}
        elif step == Step.REOPEN:
            data = {"rating": t["rating"], "rating_comment": t["rating_comment"]}
            t["rating"], t["rating_comment"], t["resolved_at"] = None, "", None
            if t["handler_user_id"] is None:
                self._hand_back()
            t["escalate_at"] = at + self.periods.resolve
        elif step in (Step.CLOSE, Step.MERGE):
            t["closed_at"], t["escalate_at"] = at, None
            if step == Step.MERGE:
                target = extra["into"]
                t["merged_into_id"] = target[0]
                data = {"merged_into": target[0], "merged_into_number": target[1]}
        self._record(step, before, actor, at, note, data)

    # -- the sweep (services.sweep_one) ----------------------------------------------------------
    def sweep(self, at) -> None:
        t = self.t
        step = next(
            (
                s
                for s in (Step.AUTO_CLOSE, Step.AUTO_ESCALATE, Step.SUPERVISE)
                if (t["status"], s) in workflow.TRANSITIONS
            ),
            None,
        )
        if step is None:
            t["escalate_at"] = None
            return
        rule = workflow.TRANSITIONS[(t["status"], step)]
        before = t["status"]
        t["status"] = rule.target
        if step == Step.AUTO_CLOSE:
            t["closed_at"], t["escalate_at"] = at, None
        else:
            t["supervised"], t["escalate_at"] = True, None
            if step == Step.AUTO_ESCALATE:
                t["level"] = (
                    Level.STREET if rule.target == S.ESCALATED_TO_STREET else Level.COMMUNITY
                )
                self._hand_back()
                if rule.target == S.ESCALATED:
                    t["escalate_at"] = at + self.periods.response
        note = self.b.unrated_note if step == Step.AUTO_CLOSE else self.b.sweep_note
        self._record(step, before, None, at, note)

    # -- what happens next -----------------------------------------------------------------------
    def live(self) -> None:
        t, now = self.t, self.b.now
        at = t["created_at"]
        for _guard in range(40):
            if t["status"] in TERMINAL:
                return
            plan = self.plan(at)
            when = at + plan[1] if plan else None
            limit = min(when, now) if when else now
            if t["escalate_at"] is not None and t["escalate_at"] <= limit:
                at = t["escalate_at"]
                self.sweep(at)
                continue
            if plan is None or when > now:
                return
            step, _delay, actor, note, extra = plan
            self.step(step, actor, when, note, **extra)
            at = when

    def scripted(self, script) -> None:
        """The showcase: the steps of `script`, a few minutes apart, then stop."""
        g, t, rnd = self.grid, self.t, self.rnd
        gap = (self.b.now - t["created_at"]) / (len(script) + 1)
        gap = min(gap, dt.timedelta(minutes=15))
        worker = g.workers[0] if g.workers else self._staff()
        staff = g.community_staff[0] if g.community_staff else worker
        party = self.b.partymember or (g.party[0] if g.party else None)
        at = t["created_at"]
        for step in script:
            at += gap
            actor, note, extra = worker, "", {}
            if step in (Step.ESCALATE, Step.ESCALATE_TO_STREET):
                note = rnd.choice(ESCALATE_NOTES if step == Step.ESCALATE else STREET_NOTES)
                actor = worker if step == Step.ESCALATE else staff
            elif step == Step.POOL:
                actor = staff
            elif step == Step.DISPATCH:
                returning = Step.RETURN in script
                handler = worker if returning or party is None else party
                kind = HandlerKind.GRID_WORKER if handler is worker else HandlerKind.PARTY_MEMBER
                actor, extra = staff, {"handler": handler, "kind": kind}
            elif step == Step.TAKE:
                actor = party
            elif step in (Step.START, Step.RESOLVE, Step.RETURN):
                actor = self._current_handler()
                if step == Step.RESOLVE:
                    note = rnd.choice(RESOLUTIONS)
                if step == Step.RETURN:
                    note = rnd.choice(RETURN_NOTES)
            elif step == Step.CONFIRM:
                actor, extra = self.submitter, {"rating": 5, "comment": COMMENTS[5][0]}
            self.step(step, actor, at, note, **extra)

    def closed_life(self) -> None:
        """The district's short cut for old tickets: the end state a step-by-step life reaches
        (closed after a rating, closed unrated by the sweep, or merged into a duplicate), with
        consistent times, handler and flags, and only the last event."""
        t, g, rnd = self.t, self.grid, self.rnd
        created = t["created_at"]
        del self.events[:]
        responded = created + min(self._delay(0.3 * self.resp, 0.5), dt.timedelta(days=2))
        t["responded_at"] = responded
        target = self._merge_target(responded) if rnd.random() < 0.03 else None
        if target is not None and t["status"] == S.SUBMITTED:
            worker = self._worker()
            t["status"], t["merged_into_id"] = S.MERGED, target[0]
            t["closed_at"], t["escalate_at"], t["updated_at"] = responded, None, responded
            data = {"merged_into": target[0], "merged_into_number": target[1]}
            self._event(Step.MERGE, S.SUBMITTED, worker, responded, "", data)
            return
        in_grid = t["status"] == S.SUBMITTED and rnd.random() < 0.75
        if in_grid:
            handler = self._worker()
            t["handler_kind"], t["handler_place_id"] = HandlerKind.GRID_WORKER, g.id
        else:
            t["level"], t["handler_place_id"] = Level.COMMUNITY, g.community_id
            if t["handler_kind"] == HandlerKind.PROPERTY_COMPANY:
                handler = self._current_handler()
            else:
                handler, kind = self._handler() or (self._staff(), HandlerKind.COMMUNITY)
                t["handler_kind"] = kind
        t["handler_user_id"] = handler[0] if handler else None
        resolved = responded + min(self._delay(0.3 * self.res, 0.7), dt.timedelta(days=20))
        t["resolved_at"], t["resolution_note"] = resolved, rnd.choice(RESOLUTIONS)
        t["supervised"] = responded > t["response_due"] or resolved > t["resolve_due"]
        rater = self._rater()
        if rater is None:
            closed = resolved + self.periods.rating_window
            t["status"], t["closed_at"] = S.CLOSED, closed
            self._event(Step.AUTO_CLOSE, S.RESOLVED, None, closed, self.b.unrated_note)
        else:
            rating = rnd.choice(RATINGS)
            t["rating"], t["rating_comment"] = rating, rnd.choice(COMMENTS[rating])
            closed = resolved + min(
                self._delay(24, 1.0) + self._delay(12, 0.8), dt.timedelta(days=10)
            )
            t["status"], t["closed_at"] = S.CLOSED, closed
            self._event(Step.CLOSE, S.CONFIRMED, self._staff() or self._worker(), closed, "")
        t["escalate_at"], t["updated_at"] = None, t["closed_at"]

    def _event(self, step, before, actor, at, note, data=None) -> None:
        self.events.append(
            (
                self.t["id"],
                step,
                before,
                self.t["status"],
                actor[0] if actor else None,
                actor[1] if actor else None,
                note,
                json.dumps(data or {}),
                at,
            )
        )

    def _merge_target(self, at):
        for tid, number, category_id, created, closed in reversed(self.grid.recent):
            recent = category_id == self.category.pk and at - created < dt.timedelta(days=7)
            if recent and (closed is None or closed > at):
                return (tid, number)
        return None

    def plan(self, at):
        """(step, delay, actor, note, extra) of the next step, or None: nobody acts."""
        t, rnd, status = self.t, self.rnd, self.t["status"]
        r = rnd.random()
        if status in (S.SUBMITTED, S.ACCEPTED):
            target = self._merge_target(at) if r < 0.04 else None
            if target:
                return (
                    Step.MERGE,
                    self._delay(0.4 * self.resp),
                    self._worker(),
                    "",
                    {"into": target},
                )
            if self.hold > 1:
                r = 0.5  # accepted and handled in the grid
            if status == S.SUBMITTED and r < 0.88:
                return (Step.ACCEPT, self._delay(0.3 * self.resp, 0.5), self._worker(), "", {})
            if status == S.ACCEPTED and r < 0.8:
                return (Step.HANDLE, self._delay(0.5 * self.resp, 0.6), self._worker(), "", {})
            return (
                Step.ESCALATE,
                self._delay(0.4 * self.resp, 0.6),
                self._worker(),
                rnd.choice(ESCALATE_NOTES),
                {},
            )
        if status == S.IN_GRID:
            if r < 0.9:
                return (
                    Step.RESOLVE,
                    self._delay(0.25 * self.res * self.hold, 0.8),
                    self._worker(),
                    rnd.choice(RESOLUTIONS),
                    {},
                )
            return (
                Step.ESCALATE,
                self._delay(0.2 * self.res, 0.6),
                self._worker(),
                rnd.choice(ESCALATE_NOTES),
                {},
            )
        if status in (S.ESCALATED, S.RETURNED, S.ESCALATED_TO_STREET):
            staff = self._staff()
            if staff is None:
                return None
            target = self._merge_target(at) if r < 0.03 else None
            if target:
                return (Step.MERGE, self._delay(0.4 * self.resp, 0.6), staff, "", {"into": target})
            if status != S.ESCALATED_TO_STREET:
                if r < 0.05 and self.grid.street_staff:
                    return (
                        Step.ESCALATE_TO_STREET,
                        self._delay(0.5 * self.resp, 0.6),
                        staff,
                        rnd.choice(STREET_NOTES),
                        {},
                    )
                if r < 0.4 and self.grid.party:
                    return (Step.POOL, self._delay(0.4 * self.resp, 0.6), staff, "", {})
            handler = self._handler()
            if handler is None:
                return None
            return (
                Step.DISPATCH,
                self._delay(0.4 * self.resp, 0.6),
                staff,
                "",
                {"handler": handler[0], "kind": handler[1]},
            )
        if status == S.POOLED:
            if r < 0.9:
                return (Step.TAKE, self._delay(36, 0.8), self._party(), "", {})
            handler = self._handler()
            staff = self._staff()
            if handler is None or staff is None:
                return None
            return (
                Step.DISPATCH,
                self._delay(24, 0.6),
                staff,
                "",
                {"handler": handler[0], "kind": handler[1]},
            )
        if status in (S.DISPATCHED, S.TAKEN):
            handler = self._current_handler()
            if r < 0.06:
                return (Step.RETURN, self._delay(10, 0.6), handler, rnd.choice(RETURN_NOTES), {})
            return (Step.START, self._delay(4, 0.6), handler, "", {})
        if status == S.IN_PROGRESS:
            if t["handler_user_id"] is None:
                return None
            return (
                Step.RESOLVE,
                self._delay(0.3 * self.res, 0.7),
                self._current_handler(),
                rnd.choice(RESOLUTIONS),
                {},
            )
        if status == S.RESOLVED:
            rater = self._rater()
            if rater is None:
                return None  # closed by the sweep when the rating window ends
            rating = rnd.choice(RATINGS)
            comment = rnd.choice(COMMENTS[rating])
            return (
                Step.CONFIRM,
                self._delay(24, 1.0),
                rater,
                "",
                {"rating": rating, "comment": comment},
            )
        if status == S.CONFIRMED:
            staff = self._staff() or self._worker()
            if t["rating"] is not None and t["rating"] <= workflow.UNSATISFIED_MAX and r < 0.8:
                return (Step.REOPEN, self._delay(24, 0.6), staff, rnd.choice(REOPEN_NOTES), {})
            closer = self._worker() if r < 0.5 else staff
            return (Step.CLOSE, self._delay(12, 0.8), closer, "", {})
        return None

    def _current_handler(self):
        uid = self.t["handler_user_id"]
        g = self.grid
        for who in (*g.workers, *g.party, *g.partners, *g.street_staff, *self.b.property.values()):
            if who[0] == uid:
                return who
        return (uid, None)

    def _handler(self):
        """(who, handler kind) for a dispatch: a grid worker, a party member, the property
        company covering the building, the partner unit or — at street level — the street."""
        g, rnd, t = self.grid, self.rnd, self.t
        if t["level"] == Level.STREET and g.street_staff:
            return rnd.choice(g.street_staff), HandlerKind.DEPARTMENT
        options = []
        if g.workers:
            options += [(rnd.choice(g.workers), HandlerKind.GRID_WORKER)] * 4
        if g.party:
            options += [(self._party(), HandlerKind.PARTY_MEMBER)] * 3
        prop = self.b.property.get(self.building.estate_path) if self.building else None
        if prop is not None and self.category.code in ("property", "lift", "leak", "parking"):
            options += [(prop, HandlerKind.PROPERTY_COMPANY)] * 6
        if g.partners:
            options += [(rnd.choice(g.partners), HandlerKind.PARTNER_UNIT)]
        return rnd.choice(options) if options else None

    def _rater(self):
        t, rnd = self.t, self.rnd
        if t["submitter_id"] is not None:
            if t["channel"] == Channel.PATROL:
                return self.submitter if rnd.random() < 0.3 else None
            return self.submitter if rnd.random() < 0.85 else None
        return self._staff() if rnd.random() < 0.7 else None


def build(
    scale,
    *,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable | None = None,
    per_household_year: float | None = None,
) -> str:
    """Build the demo tickets (idempotent); returns one line saying what exists."""
    if isinstance(scale, str):
        scale = places_demo.SCALES[scale]
    return _Builder(scale, using, progress, per_household_year).run()
