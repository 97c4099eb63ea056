"""Demo people's mediation (gongzhi/mediation): committees of the demo street and its
communities, mediators (the `worker` login, residents as 五老, a lawyer, a deputy; the `street`
login at the street), a legal adviser per community, and a year of cases in the demo community
with every outcome — closed with the agreement kept, agreed and awaiting the visit, visited and
not yet closed, no agreement
referred to the court link or to arbitration, referred up to the street and settled there,
withdrawn (and closed after a visit), a broken agreement reopened, and cases still open or in
mediation. Households of the `grid` login's grid are concerned, so the grid worker sees that
cases exist there.

The warning board and the joint meeting on disputes (`_warnings`): two recent disputes between
the same two households and a third in their building (repeat warnings), a high-risk case flagged
to the street as a 群体性 risk (the `street` login is notified), and a joint meeting on disputes
held last month with two cases on its agenda and a decision with its action; this month has none
yet and the other communities none at all — the board shows them as due or overdue.

Awards (000 §九): the demo district runs the Loudi profile, which sets no award cap, so the
awards page shows 本地政策未规定 for its communities; the last community of the demo street runs
wuhan-east-lake (as the workforce demo sets it), whose 10,000-yuan cap applies there: its legal
adviser's award is paid (proposed by `street`, approved and paid by `district`) and an award for
one of its mediators is proposed. Online legal services: the resident `13800000001` asked the
community's legal adviser two questions; the `worker` login answered one.

Every write goes through the services (one audit record each); the dates are then spread over
the past year on the demo rows themselves (seed data). Idempotent: when the demo community
already has a committee, nothing is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.deliberation import services as deliberation
from gongzhi.mediation import awards, legal, meetings, services
from gongzhi.mediation.models import (
    AgendaCase,
    Agreement,
    Award,
    AwardKind,
    Case,
    CaseEvent,
    Committee,
    DisputeType,
    FollowUp,
    LegalQuestion,
    MediatorKind,
    ReferralKind,
    Risk,
    Session,
    Side,
    Source,
)
from gongzhi.people.models import Resident
from gongzhi.places.models import Household, Place, PlaceKind

# (title, dispute type, risk, amount, outcome)
CASES: tuple[tuple[str, str, str, int | None, str], ...] = (
    ("空调冷凝水滴落邻居阳台", DisputeType.NEIGHBOUR, Risk.LOW, None, "kept"),
    ("楼上卫生间漏水损坏天花板", DisputeType.DAMAGES, Risk.MEDIUM, 3200, "kept"),
    ("宠物犬夜间吠叫扰民", DisputeType.NEIGHBOUR, Risk.LOW, None, "agreed"),
    ("装修噪音与施工时间", DisputeType.NEIGHBOUR, Risk.LOW, None, "kept"),
    ("赡养老人费用分担", DisputeType.FAMILY, Risk.MEDIUM, 12000, "court"),
    ("租房押金退还", DisputeType.CONTRACT, Risk.LOW, 2500, "arbitration"),
    ("公共楼道堆放杂物", DisputeType.NEIGHBOUR, Risk.LOW, None, "withdrawn"),
    ("物业费与停车位纠纷", DisputeType.PROPERTY, Risk.HIGH, 8600, "up"),
    ("分期赔偿未按期履行", DisputeType.DAMAGES, Risk.MEDIUM, 5000, "reopened"),
    ("装修工人工资拖欠", DisputeType.LABOUR, Risk.HIGH, 18000, "court"),
    ("相邻阳台晾晒滴水", DisputeType.NEIGHBOUR, Risk.LOW, None, "visited"),
    ("夫妻离婚后子女探视", DisputeType.FAMILY, Risk.MEDIUM, None, "mediating"),
    ("共用墙体开裂维修费用", DisputeType.DAMAGES, Risk.MEDIUM, 6000, "opened"),
    ("小区车位被长期占用", DisputeType.PROPERTY, Risk.LOW, None, "withdrawn_only"),
)
ADVISERS = (
    ("王志远", "湖南楚南律师事务所", "每周三 14:00–17:00 社区服务大厅"),
    ("李静", "湖南湘中律师事务所", "每周五 9:00–12:00 社区服务大厅"),
    ("陈浩", "湖南涟水律师事务所", "每月第一、三周周二下午"),
    ("刘芳", "湖南娄星律师事务所", "每周一 14:30–17:30"),
)


def _post_place(username: str, role: str) -> Place | None:
    post = (
        Post.objects.filter(user__username=username, role=role, is_active=True)
        .select_related("place")
        .first()
    )
    return post.place if post else None


def _run(case: Case, outcome: str, actor: User, street: User, today: dt.date) -> None:
    """Take a case through the steps of its outcome."""
    if outcome == "opened":
        return
    if outcome in ("withdrawn", "withdrawn_only"):
        services.withdraw(case, actor=actor, note="双方自行和解，申请人撤回")
        if outcome == "withdrawn_only":
            return
        services.follow_up(case, actor=actor, visited_on=today, note="双方已和好")
        services.close(case, actor=actor)
        return
    services.record_session(
        case,
        actor=actor,
        held_at=clock.now() - dt.timedelta(hours=3),
        location="社区调解室",
        notes="听取双方陈述，释法说理，双方同意继续协商。",
        parties=list(case.parties.all()),
        mediators=list(case.mediators.all()),
    )
    if outcome == "mediating":
        return
    if outcome in ("court", "arbitration"):
        referral = ReferralKind.COURT if outcome == "court" else ReferralKind.ARBITRATION
        services.record_no_agreement(
            case, actor=actor, referral=referral, note="双方分歧较大，调解不成，引导依法解决"
        )
        return
    if outcome == "up":
        services.refer_up(case, actor=actor, note="社区调解不成，移交街道人民调解委员会")
        case.refresh_from_db()
        services.record_session(
            case,
            actor=street,
            held_at=clock.now() - dt.timedelta(hours=1),
            location="街道调解中心",
            notes="街道调委会组织物业、业主双方再次调解。",
        )
        services.record_agreement(
            case, actor=street, signed_on=today, terms="物业减免部分费用，业主按期缴纳", text="……"
        )
        return
    services.record_agreement(
        case,
        actor=actor,
        signed_on=today,
        terms="责任方承担维修费用并当面致歉",
        text="经调解，双方自愿达成如下协议：……",
    )
    if outcome == "agreed":
        return
    if outcome == "reopened":
        services.follow_up(
            case, actor=actor, visited_on=today, kept=False, note="对方未按期支付第二期赔偿"
        )
        return
    services.follow_up(case, actor=actor, visited_on=today, note="协议已履行，双方满意")
    if outcome == "kept":
        services.close(case, actor=actor)


def _backdate(case: Case, days_ago: int) -> None:
    """Spread a demo case over the past year: its steps three days apart."""
    start = clock.now() - dt.timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(opened_at=start)
    for i, pk in enumerate(
        CaseEvent.objects.filter(case=case).order_by("id").values_list("pk", flat=True)
    ):
        CaseEvent.objects.filter(pk=pk).update(at=start + dt.timedelta(days=3 * i))
    fresh = Case.objects.get(pk=case.pk)
    later = start + dt.timedelta(days=6)
    Case.objects.filter(pk=case.pk).update(
        outcome_at=later if fresh.outcome_at else None,
        closed_at=start + dt.timedelta(days=12) if fresh.closed_at else None,
    )
    Session.objects.filter(case=case).update(held_at=start + dt.timedelta(days=3))
    Agreement.objects.filter(case=case).update(signed_on=later.date())
    Agreement.objects.filter(case=case, broken_on__isnull=False).update(
        broken_on=(start + dt.timedelta(days=9)).date()
    )
    FollowUp.objects.filter(case=case).update(visited_on=(start + dt.timedelta(days=9)).date())


ESCALATION_TITLE = "加装电梯意见分歧，二十余户联名反映"


def _warnings(committee: Committee, secretary: User, worker: User, grid: Place) -> None:
    """Repeat disputes, a 群体性 risk flagged to the street, a joint meeting on disputes."""
    homes = list(
        Household.objects.filter(place_path__startswith=grid.path)
        .exclude(building=None)
        .order_by("building_id", "id")
    )
    by_building: dict[int, list[Household]] = {}
    for home in homes:
        by_building.setdefault(home.building_id, []).append(home)
    block = next((hs for hs in by_building.values() if len(hs) >= 3), None)
    if block is None:
        return
    lived = {
        h.pk: Resident.objects.filter(household=h, is_active=True).order_by("id").first()
        for h in block[:3]
    }
    if None in lived.values():
        return
    a, b, c = block[:3]
    mediator = committee.mediators.filter(user=worker).first()
    repeats = []
    for title, home, other, days in (
        ("楼上拖动家具噪音（再次反映）", a, b, 70),
        ("楼上地漏反水殃及楼下", b, a, 40),
        ("单元门口电动车充电占道", c, a, 20),
    ):
        case = services.open_case(
            committee,
            actor=worker,
            source=Source.WALK_IN,
            title=title,
            summary=f"{title}，邻里多次发生争执。",
            dispute_type=DisputeType.NEIGHBOUR,
            risk=Risk.MEDIUM,
            household=home,
            mediators=[mediator] if mediator else [],
        )
        services.add_party(case, actor=worker, side=Side.APPLICANT, resident=lived[home.pk])
        services.add_party(case, actor=worker, side=Side.RESPONDENT, resident=lived[other.pk])
        _backdate(case, days)
        repeats.append(case)
    flagged = services.open_case(
        committee,
        actor=worker,
        source=Source.WALK_IN,
        title=ESCALATION_TITLE,
        summary="低层住户反对加装电梯，高层住户二十余户联名，双方情绪激动，有聚集上访苗头。",
        dispute_type=DisputeType.PROPERTY,
        risk=Risk.HIGH,
        household=a,
        mediators=[mediator] if mediator else [],
        escalation_risk=True,
    )
    services.start(flagged, actor=worker)
    # Last month's joint meeting on disputes (a deliberation meeting of the kind "dispute").
    today = clock.today()
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=15)
    starts = timezone.make_aware(dt.datetime.combine(last_month, dt.time(15, 0)))
    meeting = meetings.schedule(
        committee,
        actor=secretary,
        title="矛盾纠纷联动化解联席会议（月度例会）",
        starts_at=starts,
        location="社区会议室",
        cases=repeats[:2],
    )
    entry = AgendaCase.objects.filter(meeting=meeting).order_by("id").first()
    if entry is not None:
        meetings.decide(
            entry,
            actor=secretary,
            text="由物业排查楼上地漏，社区组织双方再次面谈，网格员每周回访。",
            owner=worker,
            due=today + dt.timedelta(days=10),
            action_title="组织双方再次面谈并回访",
        )
    deliberation.record_minutes(
        meeting, "会议研究了两起邻里纠纷的化解措施，明确责任人和完成时限。", actor=secretary
    )


AWARD_PROFILE = "wuhan-east-lake"  # 000 §九: 对入选的给予最高 1 万元奖励


def _awards(community: Place, street: User, worker: User) -> int:
    """One paid award and one proposed, in the street's community that runs wuhan-east-lake."""
    district = User.objects.filter(username="district").first()
    if district is None or Award.objects.exists() or community.parent is None:
        return 0
    others = Place.objects.filter(parent=community.parent, kind=PlaceKind.COMMUNITY).exclude(
        pk=community.pk
    )
    east = others.order_by("path").last()
    if east is None:
        return 0
    if not east.policy_profile:
        Place.objects.filter(pk=east.pk).update(policy_profile=AWARD_PROFILE)
        east.policy_profile = AWARD_PROFILE
    committee = Committee.objects.filter(place=east).first() or services.create_committee(
        east, actor=street
    )
    adviser = services.set_adviser(
        east, actor=street, name="赵明", firm="湖南楚才律师事务所", office_hours="每周四下午"
    )
    if awards.cap_fen(east) is None:
        return 0
    paid = awards.propose(
        actor=street,
        kind=AwardKind.ADVISER,
        adviser=adviser,
        reason="全年坐班解答法律咨询120余次，参与调解疑难纠纷8起，入选全区人民满意社区律师。",
        amount_fen=500_000,
    )
    awards.approve(paid, actor=district, note="经区评选委员会评审，同意奖励5000元。")
    awards.mark_paid(paid, actor=district)
    person = (
        Resident.objects.filter(is_active=True, place_path__startswith=east.path)
        .exclude(household=None)
        .order_by("id")
        .first()
    )
    mediator = services.add_mediator(
        committee,
        actor=street,
        kind=MediatorKind.ELDER if person else MediatorKind.WORKER,
        resident=person,
        user=None if person else street,
        specialties="邻里纠纷",
    )
    awards.propose(
        actor=street,
        kind=AwardKind.MEDIATOR,
        mediator=mediator,
        reason="化解邻里纠纷23起，无一起矛盾上交，推荐参评全区人民满意的调解员。",
        amount_fen=300_000,
    )
    return 2


def _questions(worker: User) -> int:
    """Two questions of the demo resident to the community's legal adviser, one answered."""
    try:
        asker = User.objects.get_by_phone("13800000001")
    except User.DoesNotExist:
        return 0
    if asker is None or LegalQuestion.objects.filter(asker=asker).exists():
        return 0
    if legal.home_community(asker) is None:
        return 0
    first = legal.ask(
        actor=asker,
        topic="neighbour",
        text="楼上邻居装修把我家卫生间天花板泡坏了，物业说不归他们管，我该找谁赔？",
    )
    legal.answer(
        first,
        actor=worker,
        text=(
            "可先与楼上住户协商维修和赔偿；协商不成，可向社区人民调解委员会申请调解，"
            "调解达成的协议具有法律约束力。也可保留照片、维修报价等证据后向法院起诉。"
        ),
    )
    legal.ask(actor=asker, topic="labour", text="装修公司拖欠我两个月工资，没有签合同能要回来吗？")
    return 2


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    community = _post_place("secretary", Role.COMMUNITY_SECRETARY)
    grid = _post_place("grid", Role.GRID_WORKER)
    secretary = User.objects.filter(username="secretary").first()
    worker = User.objects.filter(username="worker").first()
    street = User.objects.filter(username="street").first()
    if None in (community, grid, secretary, worker, street):
        return _("Mediation demo: skipped (no demo community or logins)")
    assert community is not None and grid is not None and street is not None
    assert secretary is not None and worker is not None
    if Committee.objects.filter(place=community).exists():
        if Case.objects.filter(title=ESCALATION_TITLE).exists():
            with transaction.atomic():
                added = _awards(community, street, worker) + _questions(worker)
            if added:
                return _("Mediation demo: awards and legal questions added")
            return _("Mediation demo: already present")
        with transaction.atomic():
            _warnings(Committee.objects.get(place=community), secretary, worker, grid)
            _awards(community, street, worker)
            _questions(worker)
        return _("Mediation demo: warnings and a joint meeting added")
    today = clock.today()
    people = list(
        Resident.objects.filter(is_active=True, place_path__startswith=grid.path)
        .exclude(household=None)
        .order_by("id")[:60]
    )
    homes = list(Household.objects.filter(place_path__startswith=grid.path).order_by("id")[:30])
    if len(people) < 12 or not homes:
        return _("Mediation demo: skipped (no demo community or logins)")
    with transaction.atomic():
        street_place = community.parent
        assert street_place is not None
        street_committee = services.create_committee(street_place, actor=street)
        services.add_mediator(street_committee, actor=street, kind=MediatorKind.WORKER, user=street)
        communities = list(
            Place.objects.filter(parent=street_place, kind=PlaceKind.COMMUNITY).order_by("path")[:4]
        )
        for i, place in enumerate(communities):
            services.create_committee(place, actor=street)
            name, firm, hours = ADVISERS[i % len(ADVISERS)]
            services.set_adviser(
                place,
                actor=street,
                name=name,
                firm=firm,
                office_hours=hours,
                office_phone=f"0738-83{i:02d}1234",
            )
        committee = Committee.objects.get(place=community)
        mediators = [
            services.add_mediator(
                committee,
                actor=secretary,
                kind=MediatorKind.WORKER,
                user=worker,
                specialties="邻里纠纷、物业纠纷",
            )
        ]
        kinds: tuple[str, ...] = (
            MediatorKind.ELDER,
            MediatorKind.ELDER,
            MediatorKind.LAWYER,
            MediatorKind.DEPUTY,
        )
        for person, mkind, specialty in zip(
            people[:4],
            kinds,
            ("婚姻家庭", "邻里纠纷", "合同、劳动", "物业纠纷"),
            strict=True,
        ):
            mediators.append(
                services.add_mediator(
                    committee, actor=secretary, kind=mkind, resident=person, specialties=specialty
                )
            )
        parties = people[4:]
        for i, (title, kind, risk, amount, outcome) in enumerate(CASES):
            case = services.open_case(
                committee,
                actor=worker,
                source=(Source.WALK_IN, Source.REFERRAL)[i % 2],
                referred_by="" if i % 2 == 0 else "辖区派出所",
                title=title,
                summary=f"{title}，双方协商未果，申请社区调解。",
                dispute_type=kind,
                risk=risk,
                amount_yuan=Decimal(amount) if amount is not None else None,
                household=homes[i % len(homes)],
                mediators=[mediators[0], mediators[1 + i % 4]],
            )
            services.add_party(
                case, actor=worker, side=Side.APPLICANT, resident=parties[(2 * i) % len(parties)]
            )
            if i % 3 == 0:
                services.add_party(
                    case,
                    actor=worker,
                    side=Side.RESPONDENT,
                    name="外来租户",
                    phone=f"1390738{i:04d}",
                )
            else:
                services.add_party(
                    case,
                    actor=worker,
                    side=Side.RESPONDENT,
                    resident=parties[(2 * i + 1) % len(parties)],
                )
            _run(case, outcome, worker, street, today)
            _backdate(case, 360 - i * 25)
        _warnings(committee, secretary, worker, grid)
        _awards(community, street, worker)
        _questions(worker)
    return _("Mediation demo: %(cases)s cases in %(committees)s committees") % {
        "cases": Case.objects.count(),
        "committees": Committee.objects.count(),
    }
