"""Demo sent-down tasks (gongzhi/keytasks): the `street` login sends two tasks to every
community of the demo street, and the communities answer — with the gaps a real week has.

1. 燃气安全隐患排查 (a form: numbers, a name, a date, a choice, a photo field), sent ten days
   ago with a deadline three days ago: some communities submitted on time, one submitted a
   day late, one was reopened by the street after the deadline and is being corrected, one
   has only a draft and one has not started (both reminded).
2. 独居老人走访登记 (a row per resident with the care tag 独居 from the registry), due in a
   week: the demo community (the `worker` and `secretary` logins) has a draft with some rows
   filled, another community has submitted, the others have not started.

3. Seed 003's task list (附件2, 19 key tasks of 长乐山工业园区's pilot, each "2024年8月前"), on the
   demo street: the demo has no Huangshi place (its district uses the loudi profile), so the
   list is the street's own, its offices named as text and 各社区 the street's communities
   (docs/key-tasks.md). The story as of the deadline's aftermath: eight verified, three
   reported done awaiting verification, the rest overdue — some with progress and a
   milestone behind, some never started.

4. Supervision and inspection (items 2 and 3): task 12 of the list was given a supervision
   notice a few days after the deadline, is still overdue after it and had a talk (约谈)
   recorded; task 13 has a notice issued today with a deadline in two weeks. The street
   inspected the demo community 20 days ago with two findings: one rectified, reported done
   and verified by the inspector, one overdue; and visited it once (short of 001 §14's 3
   visits a year under the loudi profile).

Every write goes through the services (one audit record each), at the moments they would
have happened (the clock is moved back for them). Idempotent: when the street already sent a
task of the same title, nothing is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.keytasks import inspections, list_services, services, supervision
from gongzhi.keytasks.inspections import Finding
from gongzhi.keytasks.list_services import TaskSpec, Unit
from gongzhi.keytasks.models import (
    FieldKind,
    Inspection,
    InspectionKind,
    Receiver,
    ReceiverKind,
    RowsOf,
    SentDownTask,
    SupervisionNotice,
    TaskList,
)
from gongzhi.keytasks.services import FieldSpec
from gongzhi.people.models import Tag
from gongzhi.places.models import Place

GAS = "燃气安全隐患排查"
ELDERS = "独居老人走访登记"
GAS_FIELDS = (
    FieldSpec("排查户数", FieldKind.NUMBER, required=True),
    FieldSpec("发现隐患数", FieldKind.NUMBER, required=True),
    FieldSpec("是否已全部整改", FieldKind.CHOICE, required=True, choices=("是", "否", "部分")),
    FieldSpec("排查负责人", FieldKind.TEXT, required=True),
    FieldSpec("完成日期", FieldKind.DATE),
    FieldSpec("现场照片", FieldKind.PHOTO),
)
ELDER_FIELDS = (
    FieldSpec("走访人", FieldKind.TEXT, required=True),
    FieldSpec(
        "身体状况", FieldKind.CHOICE, required=True, per_row=True, choices=("良好", "一般", "较差")
    ),
    FieldSpec("是否需要帮扶", FieldKind.CHOICE, required=True, per_row=True, choices=("是", "否")),
    FieldSpec("备注", FieldKind.TEXT, per_row=True),
)
# What each community did with the gas task, in path order (the demo street has five).
GAS_OUTCOMES = ("on_time", "late", "reopened", "draft", "none")


def _filler(place: Place) -> User | None:
    """A login that fills in for the place: the `worker` demo login in the demo community,
    else the community's first worker or its secretary."""
    post = (
        Post.objects.filter(
            place=place,
            is_active=True,
            role__in=(Role.COMMUNITY_WORKER, Role.COMMUNITY_SECRETARY),
        )
        .select_related("user")
        .order_by("-role", "id")  # a worker before the secretary
        .first()
    )
    demo = User.objects.filter(username="worker", posts__place=place, posts__is_active=True).first()
    return demo or (post.user if post else None)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0))


def _answers(task: SentDownTask, values: dict[str, Any]) -> dict[str, Any]:
    keys = {f.label: f.key for f in task.fields.all()}
    return {keys[label]: value for label, value in values.items()}


def _gas(street_place: Place, street: User, today: dt.date) -> None:
    sent_on = today - dt.timedelta(days=10)
    due = today - dt.timedelta(days=3)
    with clock.travel_to(_at(sent_on, 9)):
        task = services.send_task(
            street_place,
            actor=street,
            title=GAS,
            due_on=due,
            receiver_kind=ReceiverKind.COMMUNITY,
            fields=GAS_FIELDS,
            instructions="请各社区对辖区居民住户燃气使用情况开展全面排查，"
            "于截止日前报送排查户数、隐患数和整改情况，并上传现场照片。",
        )
    receivers = list(task.receivers.select_related("place").order_by("place_path"))
    for i, receiver in enumerate(receivers):
        outcome = GAS_OUTCOMES[i % len(GAS_OUTCOMES)]
        user = _filler(receiver.place)
        if user is None or outcome == "none":
            continue
        homes = 300 + 47 * i
        answers = _answers(
            task,
            {
                "排查户数": str(homes),
                "发现隐患数": str(3 + i),
                "是否已全部整改": "部分" if i % 2 else "是",
                "排查负责人": user.name,
                "完成日期": (due - dt.timedelta(days=1)).isoformat(),
            },
        )
        if outcome == "draft":
            with clock.travel_to(_at(due - dt.timedelta(days=2))):
                services.save_answers(
                    receiver, actor=user, answers={k: v for k, v in list(answers.items())[:2]}
                )
            continue
        day = (
            due + dt.timedelta(days=1) if outcome == "late" else due - dt.timedelta(days=2 - i % 2)
        )
        with clock.travel_to(_at(day, 15)):
            services.save_answers(receiver, actor=user, answers=answers, submit=True)
        if outcome == "reopened":
            with clock.travel_to(_at(due + dt.timedelta(days=1), 9)):
                services.reopen(
                    receiver, actor=street, reason="排查户数与台账不符，请核对后重新报送"
                )
    if task.receivers.exclude(state="submitted").exists():
        with clock.travel_to(_at(due + dt.timedelta(days=1), 10)):
            services.remind(task, actor=street)


def _elders(street_place: Place, street: User, today: dt.date, demo_community: Place) -> None:
    with clock.travel_to(_at(today - dt.timedelta(days=2), 9)):
        task = services.send_task(
            street_place,
            actor=street,
            title=ELDERS,
            due_on=today + dt.timedelta(days=7),
            receiver_kind=ReceiverKind.COMMUNITY,
            rows_of=RowsOf.RESIDENT,
            row_tag=Tag.LIVING_ALONE,
            fields=ELDER_FIELDS,
            instructions="请对名单中的独居老人逐一上门走访，登记身体状况和帮扶需求。",
        )
    keys = {f.label: f.key for f in task.fields.all()}
    receivers = list(
        Receiver.objects.filter(task=task).select_related("place").order_by("place_path")
    )
    done_one = False
    for receiver in receivers:
        user = _filler(receiver.place)
        if user is None:
            continue
        rows = list(receiver.rows.order_by("position"))
        if receiver.place_id == demo_community.pk:
            filled = rows[: max(1, len(rows) // 2)]
            values = {
                r.pk: {
                    keys["身体状况"]: ("良好", "一般", "较差")[n % 3],
                    keys["是否需要帮扶"]: "否" if n % 3 else "是",
                }
                for n, r in enumerate(filled)
            }
            services.save_answers(
                receiver, actor=user, answers={keys["走访人"]: user.name}, rows=values
            )
        elif not done_one and rows:
            values = {r.pk: {keys["身体状况"]: "良好", keys["是否需要帮扶"]: "否"} for r in rows}
            services.save_answers(
                receiver,
                actor=user,
                answers={keys["走访人"]: user.name},
                rows=values,
                submit=True,
            )
            done_one = True


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    street = User.objects.filter(username="street").first()
    post = (
        Post.objects.filter(user=street, role=Role.STREET_OFFICER, is_active=True)
        .select_related("place")
        .first()
        if street
        else None
    )
    secretary_post = (
        Post.objects.filter(user__username="secretary", role=Role.COMMUNITY_SECRETARY)
        .select_related("place")
        .first()
    )
    if (
        street is None
        or post is None
        or post.place is None
        or secretary_post is None
        or secretary_post.place is None
    ):
        return _("Sent-down tasks demo: skipped (no demo street or logins)")
    street_place = post.place
    listed = _annex(street_place, street)
    listed += _oversight(street_place, street, secretary_post.place)
    if SentDownTask.objects.filter(place=street_place, title=GAS).exists():
        return _("Sent-down tasks demo: already present") + listed
    today = clock.today()
    with transaction.atomic():
        _gas(street_place, street, today)
        _elders(street_place, street, today, secretary_post.place)
    count = SentDownTask.objects.filter(place=street_place).count()
    return (
        _("Sent-down tasks demo: %(n)s tasks sent from %(street)s")
        % {"n": count, "street": street_place.name}
        + listed
    )


# ------------------------------------------------------------------ seed 003's task list (item 1)

ANNEX_TITLE = "长乐山工业园区创建全省基层治理创新实验区重点任务清单"
ANNEX_SOURCE = "黄石市下陆区长乐山工业园区实施方案（种子文件003）附件2"
ANNEX_DUE = dt.date(2024, 7, 31)  # "2024年8月前"
ANNEX_OFFICES = ("党政办", "政法办", "城管办", "经济办", "基建办", "社事办", "城管队", "园区各部门")
ANNEX_VERIFIED = range(1, 9)
ANNEX_DONE = (9, 10, 11)
ANNEX_STARTED = (12, 13, 14, 15, 16)
ANNEX = (
    (
        1,
        "健全基层党建联席会议制度,优化“街道大工委—社区大党委—小区党支部—楼栋党小组—党员中心户”基层治理组织架构",
        ("党政办", "各社区"),
    ),
    (
        2,
        "科学设置网格,合理划分,全面推进社区工作者全岗通,推动社区工作者下沉网格",
        ("政法办", "各社区"),
    ),
    (3, "探索综合执法队伍进小区", ("城管办", "各社区")),
    (4, "常态化开展星级文明楼栋创建、“最美楼栋长”评选活动", ("经济办", "各社区")),
    (
        5,
        "持续推进优质物业进小区工作,健全党建引领下的社区居委会、小区业委会、物业服务企业“三方联动”机制",
        ("基建办", "社事办", "各社区"),
    ),
    (6, "持续推广“六民工作法”", ("社事办", "各社区")),
    (
        7,
        "推广“睦邻议事厅”、“16号议事日”、“幸福石墩会”、“星空夜话会”等做法,引导群众及时反映情况和问题",
        ("社事办", "各社区"),
    ),
    (
        8,
        "完善教育、医疗、养老、托育、体育健身、文化服务、交通物流、商业服务、物业服务、智慧安防、社区基层治理等各类配套设施配置",
        ("经济办", "社事办", "政法办", "各社区"),
    ),
    (9, "建好社区养老服务设施", ("经济办", "社事办", "各社区")),
    (10, "推行多种形式的帮办代办服务", ("党政办", "经济办", "社事办", "各社区")),
    (
        11,
        "深化智慧平台下沉,深化政务服务“一网通办”、“一网统管”",
        ("党政办", "经济办", "社事办", "各社区"),
    ),
    (
        12,
        "推动党员干部到居住地社区报到,压实单位包联社区责任,完善“群众点单、社区派单、党员接单”服务模式,开展认岗认事认亲和创单服务",
        ("园区各部门", "各社区"),
    ),
    (
        13,
        "健全完善“下陆区社会组织培育基地——街道社会组织联合会——社区社会组织工作室”三级培育孵化体系",
        ("社事办", "各社区"),
    ),
    (14, "开展公益创投、建设社区基金", ("社事办", "各社区")),
    (15, "加强志愿者队伍建设,加强社区工作者队伍建设", ("经济办", "社事办", "各社区")),
    (
        16,
        "进一步完善志愿者爱心积分管理办法,创新探索“时间银行”志愿服务激励机制",
        ("经济办", "各社区"),
    ),
    (
        17,
        "推进品质下陆建设。推进“停车惠民”建设,对辖区各道路、广场、小游园等绿化实施精细化管理,逐步建立高效、完善的城市园林绿化管理运行体系。强化“六小行业”秩序治理,压实“门前三包”责任",
        ("城管队", "各社区"),
    ),
    (
        18,
        "发挥“两代表一委员”沟通联系作用,整合“两代表一委员”、律师、平安志愿者、“五老人员”等资源力量,强化矛盾纠纷化解服务队伍建设",
        ("党政办", "政法办", "各社区"),
    ),
    (
        19,
        "健全以社区党组织为核心、以社区(网格、小区、楼栋)公共事务为内容、以相关议事协商参与者为主体、以“邻里议事中心”为载体的“一核为主、多元共治”议事协商体系",
        ("党政办", "社事办", "政法办", "各社区"),
    ),
)


def _annex(street_place: Place, officer: User) -> str:
    """Seed 003's 19 tasks as a list of the demo street (once)."""
    if TaskList.objects.filter(place=street_place, title=ANNEX_TITLE).exists():
        return ""
    communities = list(
        Place.objects.filter(kind="community", path__startswith=street_place.path).order_by("path")
    )
    reporter = (
        Post.objects.filter(role=Role.COMMUNITY_SECRETARY, place__in=communities, is_active=True)
        .select_related("user")
        .first()
    )

    def units(names: tuple[str, ...]) -> list[Unit]:
        out: list[Unit] = []
        for name in names:
            if name == "各社区":
                out.extend(Unit(c.name, c) for c in communities)
            else:
                out.append(Unit(name))
        return out

    specs = []
    for number, title, names in ANNEX:
        found = units(names)
        specs.append(
            TaskSpec(
                title=title,
                due_on=ANNEX_DUE,
                paragraph=f"附件2第{number}条",
                lead=found[0],
                cooperating=tuple(found[1:]),
                milestones=(
                    ("制定工作方案", dt.date(2024, 4, 30)),
                    ("中期推进", dt.date(2024, 6, 30)),
                ),
            )
        )
    actor = reporter.user if reporter is not None else officer
    with transaction.atomic(), clock.travel_to(_at(dt.date(2024, 3, 20), 9)):
        task_list = list_services.create_list(
            street_place,
            actor=officer,
            title=ANNEX_TITLE,
            period="2024年",
            source=ANNEX_SOURCE,
            offices=ANNEX_OFFICES,
            tasks=specs,
        )
    tasks = {t.number: t for t in task_list.tasks.all()}
    with transaction.atomic():
        for number, task in tasks.items():
            first = task.milestones.order_by("due_on").first()
            if number in ANNEX_STARTED or number in ANNEX_DONE or number in ANNEX_VERIFIED:
                with clock.travel_to(_at(dt.date(2024, 4, 28), 15)):
                    list_services.report_progress(
                        task,
                        actor=officer,
                        text="工作方案已印发，明确责任分工和时间节点。",
                        reached=[first.pk] if first else [],
                    )
            if number in ANNEX_DONE or number in ANNEX_VERIFIED:
                with clock.travel_to(_at(dt.date(2024, 7, 20), 10)):
                    list_services.report_progress(
                        task,
                        actor=actor,
                        text="各项工作已按方案完成，台账资料已归档。",
                        reached=list(
                            task.milestones.filter(done_on=None).values_list("pk", flat=True)
                        ),
                    )
                    list_services.step(task, "done", actor=actor)
            if number in ANNEX_VERIFIED:
                with clock.travel_to(_at(dt.date(2024, 7, 26), 16)):
                    list_services.step(task, "verify", actor=officer)
    return " " + _("Task list: %(n)s tasks of seed 003 on %(street)s") % {
        "n": len(tasks),
        "street": street_place.name,
    }


# ------------------------------------------------------- supervision and inspection (items 2, 3)

INSPECTION_FINDINGS = ("居务公开栏未按月更新", "消防通道堆放杂物，未及时清理")


def _oversight(street_place: Place, officer: User, community: Place) -> str:
    """A supervision notice and a talk on the annex list; an inspection of the demo community
    with two findings (once each)."""
    task_list = TaskList.objects.filter(place=street_place, title=ANNEX_TITLE).first()
    out = ""
    if (
        task_list is not None
        and not SupervisionNotice.objects.filter(task__task_list=task_list).exists()
    ):
        tasks = {t.number: t for t in task_list.tasks.all()}
        with transaction.atomic():
            with clock.travel_to(_at(ANNEX_DUE + dt.timedelta(days=5), 9)):
                supervision.issue_notice(
                    tasks[12],
                    actor=officer,
                    reason="逾期未完成，请园区各部门会同各社区限期完成“三单”服务模式建设。",
                    due_on=ANNEX_DUE + dt.timedelta(days=31),
                )
            with clock.travel_to(_at(ANNEX_DUE + dt.timedelta(days=36), 15)):
                supervision.record_talk(
                    tasks[12],
                    actor=officer,
                    held_on=ANNEX_DUE + dt.timedelta(days=36),
                    talked_to="园区各部门负责人、各社区党组织书记",
                    minutes="督办期限已过仍未完成。责任单位说明了党员报到率低的原因，"
                    "承诺一个月内完成报到并建立接单台账；街道每周调度。",
                )
            supervision.issue_notice(
                tasks[13],
                actor=officer,
                reason="三级培育孵化体系尚未建成，请于两周内完成。",
                due_on=clock.today() + dt.timedelta(days=14),
            )
        out += " " + _("Supervision: 2 notices, 1 talk")
    if Inspection.objects.filter(community=community).exists():
        return out
    today = clock.today()
    held = today - dt.timedelta(days=20)
    secretary = _filler(community) or officer
    with transaction.atomic():
        with clock.travel_to(_at(held, 10)):
            inspection = inspections.record_inspection(
                community,
                actor=officer,
                kind=InspectionKind.YEARLY,
                held_on=held,
                summary="年度检查：社区党建、居务公开、安全管理台账基本齐全，发现两处问题需限期整改。",
                findings=[
                    Finding(INSPECTION_FINDINGS[0], today - dt.timedelta(days=10)),
                    Finding(INSPECTION_FINDINGS[1], today - dt.timedelta(days=5)),
                ],
            )
        first = TaskList.objects.get(inspection=inspection).tasks.get(number=1)
        with clock.travel_to(_at(today - dt.timedelta(days=12), 16)):
            list_services.report_progress(
                first, actor=secretary, text="公开栏已更新至本月，建立每月更新台账。"
            )
            list_services.step(first, "done", actor=secretary)
        with clock.travel_to(_at(today - dt.timedelta(days=11), 10)):
            list_services.step(first, "verify", actor=officer)
        visit = today - dt.timedelta(days=30)
        if visit.year == today.year:
            with clock.travel_to(_at(visit, 10)):
                inspections.record_inspection(
                    community,
                    actor=officer,
                    kind=InspectionKind.VISIT,
                    held_on=visit,
                    summary="走访指导网格化管理工作。",
                )
    return out + " " + _("Inspection: %(community)s, 2 findings") % {"community": community.name}
