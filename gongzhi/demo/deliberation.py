"""Demo deliberation in the first community (春园社区), shown to each demo login:

- topics in every state: one just below the support threshold, one on the agenda ("23/20"),
  one discussed at last month's residents' council, one resolved, one closed, one rejected;
  opinions with an official reply and one hidden by the moderator;
- a joint meeting of the three parties last quarter and a residents' council last month, with
  minutes and resolutions whose actions are done (property 胡建军), in progress (grid worker)
  and overdue (community worker); an upcoming party-mass council with the topic on the agenda,
  the resident 13800000001 and the property manager invited;
- an open poll the resident can vote in, a closed per-household poll with results;
- notices in the three categories (one financial table, one withdrawn) and the residents'
  convention (居民公约, 001 §2);
- topics on a grid and on a building (003 annex 19) and the recurring fixed deliberation day, the
  16th of every month (003 annex 7), with its next meeting created ahead;
- residents' representatives confirmed from the proposed candidates.

Topics and meetings are made through the services (audited, like a secretary would); supports
and ballots of residents without a login are seed rows ("collected on paper"). Idempotent: when
the marker topic exists nothing is added. Writes go to the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.deliberation import selectors, services
from gongzhi.deliberation.models import (
    Meeting,
    MeetingKind,
    Notice,
    Poll,
    PollBallot,
    Representative,
    Topic,
    TopicStatus,
    TopicSupport,
)
from gongzhi.people.models import Resident
from gongzhi.places.models import Place

MARKER = "老旧楼栋加装电梯"


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _summary(community: Place | None) -> str:
    if community is None:
        return _("Deliberation: no demo community found")
    return _(
        "Deliberation: %(topics)s topics, %(meetings)s meetings, %(polls)s polls, "
        "%(notices)s notices, %(reps)s representatives"
    ) % {
        "topics": Topic.objects.filter(community=community).count(),
        "meetings": Meeting.objects.filter(community=community).count(),
        "polls": Poll.objects.filter(community=community).count(),
        "notices": Notice.objects.filter(community=community).count(),
        "reps": Representative.objects.filter(community=community).count(),
    }


def _paper_supports(topic: Topic, residents: list[Resident], n: int) -> None:
    """Seed `n` supports from residents (no login needed), then the same counters as the
    service keeps."""
    taken = set(topic.supports.values_list("resident_id", flat=True))
    rows = [TopicSupport(topic=topic, resident=r) for r in residents if r.pk not in taken][:n]
    TopicSupport.objects.bulk_create(rows)
    topic.support_count = topic.supports.count()
    threshold = services.setting(topic.place, "deliberation.support_threshold")
    if topic.support_count >= threshold and topic.status == TopicStatus.OPEN:
        topic.status, topic.threshold, topic.on_agenda_at = (
            TopicStatus.ON_AGENDA,
            threshold,
            clock.now(),
        )
    topic.save(update_fields=["support_count", "status", "threshold", "on_agenda_at"])


def _at(days: int, hour: int = 19) -> dt.datetime:
    day = timezone.localtime(clock.now()) + dt.timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def build(scale, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    secretary = _user("secretary")
    post = (
        Post.objects.filter(user=secretary, role=Role.COMMUNITY_SECRETARY).first()
        if secretary
        else None
    )
    community = post.place if post else None
    if community is None or Topic.objects.filter(community=community, title=MARKER).exists():
        return _summary(community)
    if progress:
        progress(_("Deliberation: topics, meetings, polls, notices"))
    with transaction.atomic():
        _build(community, secretary)
    return _summary(community)


def _build(community: Place, secretary: User) -> None:
    try:
        resident = User.objects.get_by_phone("13800000001")
    except User.DoesNotExist:
        resident = _user("partymember") or secretary
    worker, grid, prop = _user("worker") or secretary, _user("grid"), _user("property")
    party = _user("partymember")
    people = list(
        Resident.objects.filter(place_path__startswith=community.path, is_active=True).order_by(
            "id"
        )[:400]
    )
    threshold = services.setting(community, "deliberation.support_threshold")
    estate = Place.objects.filter(path__startswith=community.path, kind="estate").first()

    def topic(title, text, by=None, place=None, **extra):
        return services.raise_topic(
            actor=by or resident, place=place or community, title=title, text=text, **extra
        )

    below = topic(
        "小区增设电动车充电桩", "电动车在楼道充电有火灾隐患，建议在小区空地增设集中充电桩。"
    )
    _paper_supports(below, people, threshold - 1)
    lift = topic(MARKER, "3号楼、5号楼为七层老楼，老人上下楼困难，建议申请加装电梯。")
    _paper_supports(lift, people, threshold + 3)
    hallway = topic(
        "楼道堆物清理",
        "部分楼道长期堆放杂物，影响通行和消防安全。",
        by=secretary,
        origin="staff",
    )
    _paper_supports(hallway, people, threshold)
    dance = topic(
        "广场舞噪音扰民",
        "晚上九点后广场舞音响声音过大。",
        place=estate or community,
    )
    _paper_supports(dance, people[::-1], threshold + 5)
    parcel = topic("增设快递柜", "希望在小区门口增设快递柜。")
    _paper_supports(parcel, people[5:], 6)
    shed = topic(
        "拆除违建车棚",
        "小区东侧车棚为违章搭建，建议拆除。",
        by=secretary,
        origin="party_org",
        origin_name="春园社区第一党支部",
    )

    services.give_opinion(lift, "我支持，老年人太需要电梯了。", actor=party or secretary)
    services.give_opinion(lift, "一楼住户的意见也要听一听，费用分摊要公平。", actor=resident)
    rude = services.give_opinion(below, "物业就是不作为，全是骗子！", actor=resident)
    services.hide_opinion(rude, "含有侮辱性言辞，请文明发言", actor=secretary)
    services.give_opinion(
        below, "社区已联系供电公司现场勘察，将提交议事会讨论。", actor=secretary, official=True
    )

    # A joint meeting last quarter, a residents' council last month, one upcoming.
    with clock.travel_to(_at(-80, 15)):
        services.set_topic_status(
            parcel, TopicStatus.CLOSED, "物业已在门口安装快递柜", actor=secretary
        )
        services.set_topic_status(
            shed, TopicStatus.REJECTED, "属城管执法范围，已转交街道城管中队处理", actor=secretary
        )
    joint = services.create_meeting(
        actor=secretary,
        community=community,
        kind=MeetingKind.JOINT,
        title="第二季度三方联席会议",
        starts_at=_at(-75, 15),
        location="春园社区党群服务中心",
        topic_ids=[dance.pk] if dance.status == TopicStatus.ON_AGENDA else [],
        free_items=["物业服务质量通报", "业委会换届准备"],
    )
    invitees = [u for u in (prop, party, worker, grid) if u]
    services.invite(joint, invitees, actor=secretary)
    services.mark_attendance(joint, invitees, actor=secretary)
    joint_due = _at(-60).date()
    with clock.travel_to(_at(-75, 17)):
        services.record_minutes(
            joint,
            "社区、业委会、物业三方参会。议定：晚九点后广场禁止使用音响；物业加强巡查。",
            actor=secretary,
        )
        if prop:
            done = services.add_resolution(
                joint,
                actor=secretary,
                text="物业在广场设置音量提示牌，晚九点后巡查",
                owner=prop,
                due=joint_due,
                topic=dance,
            ).follow_through
            services.update_follow_through(
                done, actor=prop, status="done", note="提示牌已安装，每晚巡查。"
            )
        services.set_topic_status(
            dance, TopicStatus.RESOLVED, "三方联席会议已议定", actor=secretary
        )

    council = services.create_meeting(
        actor=secretary,
        community=community,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="居民议事会：楼道安全",
        starts_at=_at(-30),
        location="春园社区议事厅",
        topic_ids=[hallway.pk],
    )
    services.invite(council, [u for u in (resident, party, grid) if u], actor=secretary)
    services.mark_attendance(council, [u for u in (resident, party) if u], actor=secretary)
    running_due, late_due = _at(20).date(), _at(-5).date()
    with clock.travel_to(_at(-30, 21)):
        services.record_minutes(
            council, "到会居民代表12人。一致同意开展楼道堆物集中清理。", actor=secretary
        )
        owner = grid or worker
        running = services.add_resolution(
            council,
            actor=secretary,
            text="网格员牵头各楼栋开展堆物清理",
            owner=owner,
            due=running_due,
            topic=hallway,
        ).follow_through
        services.add_resolution(
            council, actor=secretary, text="社区向街道申请消防器材补充", owner=worker, due=late_due
        )
    services.update_follow_through(
        running, actor=owner, status="in_progress", note="已完成1—3栋清理。"
    )

    upcoming = services.create_meeting(
        actor=secretary,
        community=community,
        kind=MeetingKind.PARTY_MASS,
        title="党群议事会：加装电梯",
        starts_at=_at(7),
        location="春园社区议事厅",
        topic_ids=[lift.pk],
        free_items=["资金分摊方案"],
    )
    services.invite(
        upcoming, [u for u in (resident, prop, party, _user("partner")) if u], actor=secretary
    )

    # 003 annex 19: topics below the estate — a grid and a building.
    grid_place = (
        Place.objects.filter(path__startswith=community.path, kind="grid").order_by("path").first()
    )
    if grid_place is not None:
        on_grid = topic(
            "网格内增设夜间巡逻", "网格内背街小巷照明差，建议组织志愿者夜间巡逻。", place=grid_place
        )
        _paper_supports(on_grid, people, max(threshold // 2, 1))
    building = (
        Place.objects.filter(path__startswith=community.path, kind="building")
        .order_by("path")
        .first()
    )
    if building is not None:
        topic("单元门禁维修", "本楼单元门禁损坏，外来人员随意进出。", place=building)
    # 003 annex 7: the fixed deliberation day, the 16th of every month (meetings created ahead).
    services.create_series(
        actor=secretary,
        community=community,
        kind=MeetingKind.RESIDENTS_COUNCIL,
        title="16号议事日",
        frequency="monthly",
        day=16,
        time=dt.time(19, 30),
        location="春园社区议事厅",
        lead_days=31,
    )

    _polls(community, secretary, people, resident)
    _notices(community, secretary)
    for row in selectors.candidates(community, limit=5):
        services.confirm_representative(
            community, Resident.objects.get(pk=row["resident_id"]), actor=secretary
        )


def _polls(community, secretary, people, resident) -> None:
    services.create_poll(
        actor=secretary,
        community=community,
        question="社区广场舞活动时间调整为？",
        options=["19:00—20:30", "19:30—21:00", "维持现状"],
        opens_at=_at(-1, 8),
        closes_at=_at(7, 20),
    )
    closed = services.create_poll(
        actor=secretary,
        community=community,
        question="小区门禁升级方案（每户一票）",
        description="物业提出两种门禁升级方案，费用由公共收益列支。",
        options=["人脸识别门禁", "刷卡门禁", "暂不升级"],
        opens_at=_at(-20, 8),
        closes_at=_at(-10, 20),
        per_household=True,
    )
    options = list(closed.options.all())
    seen, ballots, choices = set(), [], []
    for n, person in enumerate(people[:120]):
        if person.household_id in seen or person.household_id is None:
            continue
        seen.add(person.household_id)
        ballots.append(PollBallot(poll=closed, resident=person, household_id=person.household_id))
        choices.append(options[0] if n % 5 < 3 else options[1] if n % 5 == 3 else options[2])
    PollBallot.objects.bulk_create(ballots)
    through = PollBallot.options.through
    through.objects.bulk_create(
        [
            through(pollballot_id=b.pk, polloption_id=o.pk)
            for b, o in zip(
                PollBallot.objects.filter(poll=closed).order_by("id"), choices, strict=True
            )
        ]
    )


def _notices(community, secretary) -> None:
    services.publish_notice(
        actor=secretary,
        community=community,
        category="party",
        title="2026年第三季度党费收缴情况公示",
        body="社区党委所属各支部党费已按时足额收缴，详见支部公示栏。",
    )
    services.publish_notice(
        actor=secretary,
        community=community,
        category="residents",
        title="居民议事会决议公示：楼道堆物清理",
        body="经居民议事会讨论，决定开展楼道堆物集中清理，请居民配合。",
    )
    # A financial notice typed before issue 16 made them from the funding lines' entries (the
    # typed path now refuses the category): written as stored, to show that it stays readable.
    Notice.objects.create(
        community=community,
        place_path=community.path,
        category="financial",
        title="2026年第三季度社区经费收支公开",
        body="本季度社区经费收支明细如下。",
        amounts=services.parse_amounts(
            "办公经费 | 12000\n居民活动经费 | 8500.50\n民生微实事项目 | 46000"
        ),
        published_by=secretary,
    )
    wrong = services.publish_notice(
        actor=secretary,
        community=community,
        category="residents",
        title="停水通知（时间有误）",
        body="本周三全天停水。",
    )
    services.withdraw_notice(wrong, "停水时间有误，已重新发布", actor=secretary)
    services.publish_notice(
        actor=secretary,
        community=community,
        category="convention",
        title="春园社区居民公约",
        body="经居民代表大会讨论通过。一、爱护公共环境，不在楼道堆放杂物；二、文明养犬，及时清理"
        "宠物粪便；三、邻里互助，有事多商量；四、遵守议事规则，积极参与社区事务。",
    )
