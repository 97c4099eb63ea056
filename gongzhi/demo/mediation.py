"""Demo people's mediation (gongzhi/mediation): committees of the demo street and its
communities, mediators (the `worker` login, residents as 五老, a lawyer, a deputy; the `street`
login at the street), a legal adviser per community, and a year of cases in the demo community
with every outcome — closed with the agreement kept, agreed and awaiting the visit, visited and
not yet closed, no agreement
referred to the court link or to arbitration, referred up to the street and settled there,
withdrawn (and closed after a visit), a broken agreement reopened, and cases still open or in mediation. Households of the
`grid` login's grid are concerned, so the grid worker sees that cases exist there.

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
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.mediation import services
from gongzhi.mediation.models import (
    Agreement,
    Case,
    CaseEvent,
    Committee,
    DisputeType,
    FollowUp,
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
        return _("Mediation demo: already present")
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
    return _("Mediation demo: %(cases)s cases in %(committees)s committees") % {
        "cases": Case.objects.count(),
        "committees": Committee.objects.count(),
    }
