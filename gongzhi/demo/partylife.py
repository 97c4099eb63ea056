"""Demo organisational life (gongzhi/partylife) for the branches of the demo community (the
`secretary` login's): a year of meetings held by the profile's frequencies (the last branch
skips the current period, so the overdue list shows it), one democratic review round of last
year with grades decided, this year's dues of the first branch with arrears, and transfers of
membership: one accepted and one refused (with the reason) between branches, one awaiting the
receiving branch, one out of and one in from outside the platform (with the letters' numbers);
the community committee's members with part-time members from partner units (兼职委员), and
bodies of the community covered alone, jointly or by affiliation — and two covered by none;
the first branch's members' pledges of last year (reviewed: kept, partly kept, not kept) and
this year (open), and a responsibility area of one building for each of them; the first
branch's vanguard index: attendance, declarations (accepted, refused, waiting), bonus and
deduction items, one veto, scores across the grade bands.

Everything goes through the services (one audit record each). Idempotent: when a branch of the
community already has a meeting, no meetings are added; when one has a transfer, no transfers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.party import services as registry
from gongzhi.party.models import Body, CommitteeMember, OrgKind, PartyMember, PartyOrg
from gongzhi.party.selectors import residents_for
from gongzhi.partylife import rules, services
from gongzhi.partylife.models import (
    AttendanceStatus,
    DuesEntry,
    IndexItem,
    Meeting,
    MeetingKind,
    Pledge,
    ResponsibilityArea,
    ReviewResult,
    Transfer,
)
from gongzhi.partylife.selectors import area_buildings

BRANCHES = 5
MINUTES: dict[str, str] = {
    MeetingKind.GENERAL: "传达学习上级精神，通报支部工作，讨论小区治理事项。",
    MeetingKind.COMMITTEE: "研究本月支部工作安排和党员联系户情况。",
    MeetingKind.LECTURE: "书记讲党课：党建引领社区治理。",
    MeetingKind.THEME_DAY: "主题党日+：清理楼道杂物，走访独居老人。",
}


def _summary() -> str:
    return _(
        "%(n)s meetings, %(r)s review results, %(d)s dues entries, %(t)s transfers, "
        "%(c)s committee members, %(b)s bodies, %(p)s pledges, %(a)s responsibility areas, "
        "%(i)s vanguard index items"
    ) % {
        "i": IndexItem.objects.count(),
        "p": Pledge.objects.count(),
        "a": ResponsibilityArea.objects.count(),
        "n": Meeting.objects.count(),
        "r": ReviewResult.objects.count(),
        "d": DuesEntry.objects.count(),
        "t": Transfer.objects.count(),
        "c": CommitteeMember.objects.count(),
        "b": Body.objects.count(),
    }


def _meetings(org: PartyOrg, actor: User, today: dt.date, skip_current: bool) -> None:
    profile = rules.profiles_of([org.place])[org.place_id]
    for kind in rules.PLANNED_KINDS[org.kind]:
        for first, last in rules.periods(today.year, rules.per_year(profile, kind)):
            if first > today:
                break
            current = first <= today <= last
            if current and skip_current:
                continue
            day = min(first + dt.timedelta(days=4), today)
            meeting = services.plan_meeting(
                org,
                actor=actor,
                kind=kind,
                held_on=day,
                agenda="1. 学习\n2. 讨论\n3. 部署",
            )
            services.record_minutes(meeting, actor=actor, minutes=MINUTES.get(kind, "会议记录"))
    # One planned theme day ahead.
    ahead = today + dt.timedelta(days=14)
    if ahead.year == today.year and MeetingKind.THEME_DAY in rules.KINDS_OF_ORG[org.kind]:
        services.plan_meeting(org, actor=actor, kind=MeetingKind.THEME_DAY, held_on=ahead)


def _review(org: PartyOrg, actor: User, year: int) -> None:
    round_ = services.open_review(org, actor=actor, year=year)
    for i, result in enumerate(round_.results.order_by("id")):
        base = 95 - (i * 7) % 40
        services.decide(
            result, actor=actor, peer_score=base, branch_score=base, self_score=min(base + 3, 100)
        )


def _dues(org: PartyOrg, actor: User, today: dt.date) -> None:
    members = PartyMember.objects.filter(org_id__in=rules.below([org.pk]), is_active=True)
    for i, member in enumerate(members.order_by("id")[:12]):
        amount = 200 + (i % 4) * 100  # 2–5 yuan a month
        for month in range(1, today.month + 1):
            first = dt.date(today.year, month, 1)
            services.record_due(member, actor=actor, month=first, amount_fen=amount)
            late = i % 3 == 0 and month >= today.month - 2
            if month < today.month and not late:
                # Paid on a day of the month (the vanguard index counts dues paid on time);
                # the second member always pays in the following month, late.
                paid = (
                    dt.datetime(today.year, month, 10 + i % 10, 10, tzinfo=dt.UTC)
                    if i != 1
                    else dt.datetime(today.year, month + 1, 5, 10, tzinfo=dt.UTC)
                )
                with clock.travel_to(min(paid, clock.now())):
                    services.record_payment(member, actor=actor, month=first, amount_fen=amount)


def _transfers(branches: list[PartyOrg], actor: User, community: Any) -> None:
    """Accepted, refused and awaiting transfers between the first two branches, one out of
    the platform and one in from outside (a resident of the community who is no member)."""
    if len(branches) < 2:
        return
    first, second = branches[0], branches[1]
    movable = list(
        PartyMember.objects.filter(org=first, is_active=True)
        .exclude(pk=first.secretary_id or 0)
        .order_by("-id")[:4]
    )
    if len(movable) < 4:
        return
    accepted = services.request_transfer(movable[0], second, actor=actor, note="随子女迁居")
    services.accept_transfer(accepted, actor=actor)
    refused = services.request_transfer(movable[1], second, actor=actor, note="工作调动")
    services.refuse_transfer(
        refused, actor=actor, reason="该党员仍居住在原网格，建议保留在原支部参加组织生活"
    )
    services.request_transfer(movable[2], second, actor=actor, note="搬迁至新小区")
    services.record_transfer_out(
        movable[3],
        actor=actor,
        outside_org="洪山区某街道机关党支部",
        letter_no="武组转〔2026〕017号",
        note="工作单位变动",
    )
    newcomer = (
        residents_for(actor)
        .filter(place_path__under=community.path, is_active=True)
        .exclude(party_member__isnull=False)
        .order_by("id")
        .first()
    )
    if newcomer is not None:
        services.record_transfer_in(
            newcomer,
            second,
            actor=actor,
            outside_org="江汉区某社区党委",
            letter_no="江组转〔2026〕103号",
        )


COMMITTEE = [
    ("张建华", "secretary", False, ""),
    ("李红梅", "deputy", False, ""),
    ("王志强", "member", True, "区供电公司"),
    ("赵敏", "member", True, "区自来水公司"),
    ("陈刚", "member", True, "辖区派出所"),
]
BODIES = [
    ("阳光志愿者协会", "social_org", 3, 0, "single"),
    ("惠民超市", "firm", 1, 1, "joint"),
    ("顺达物流公司", "firm", 1, 1, "joint"),
    ("社区卫生服务站", "institution", 2, 0, "affiliated"),
    ("邻里文化促进会", "social_org", 1, None, ""),
    ("新时代家政公司", "firm", 2, None, ""),
]


def _structures(
    community: Any, committee: PartyOrg | None, branches: list[PartyOrg], actor: User
) -> None:
    """The committee's members (part-time ones from partner units) and the community's bodies."""
    today = clock.today()
    if committee is not None and not CommitteeMember.objects.filter(org=committee).exists():
        start = dt.date(today.year - 2, 1, 1)
        for name, duty, part_time, unit in COMMITTEE:
            registry.add_committee_member(
                committee,
                actor=actor,
                name=name,
                duty=duty,
                part_time=part_time,
                source_unit=unit,
                term_start=start,
                term_end=dt.date(start.year + 5, 12, 31),
            )
    if Body.objects.filter(community=community).exists():
        return
    for name, kind, party, which, form in BODIES:
        org = None if which is None else branches[min(which, len(branches) - 1)]
        registry.add_body(
            community,
            actor=actor,
            name=name,
            kind=kind,
            party_count=party,
            org=org,
            setup_form=form,
        )


PLEDGES = [
    ["每月参加一次主题党日", "联系帮扶两户独居老人", "带头做好垃圾分类"],
    ["每季度走访责任区住户一遍", "参与小区停车秩序劝导"],
    ["认领楼栋引导岗，每月服务4小时", "收集反映居民诉求"],
    ["参加社区议事协商", "带动家人参加志愿服务"],
]
REVIEWS = [
    ("kept", "全年按承诺履职，居民认可。"),
    ("partly", "走访次数未达到承诺，下一年度加强。"),
    ("kept", ""),
    ("not_kept", "全年未参加楼栋引导服务。"),
]


def _pledges_and_areas(branch: PartyOrg, actor: User, today: dt.date) -> None:
    """Last year's pledges of the branch's members, reviewed, and this year's, the first
    ones open; responsibility areas: one building of the branch's place per member."""
    in_branch = PartyMember.objects.filter(org_id__in=rules.below([branch.pk]), is_active=True)
    # The `partymember` login first, when it belongs here: its phone page shows the area.
    own = list(in_branch.filter(resident__user__username="partymember").select_related("org"))
    others = in_branch.exclude(pk__in=[m.pk for m in own]).select_related("org").order_by("id")
    members = own + list(others[: 8 - len(own)])
    # Seed data: the members have no logins to pledge with; the rows are written here (the
    # demo's one audit entry covers them) and the reviews go through the service.
    for year in (today.year - 1, today.year):
        for i, member in enumerate(members):
            Pledge.objects.get_or_create(
                member=member,
                year=year,
                defaults={
                    "org": member.org,
                    "items": PLEDGES[i % len(PLEDGES)],
                    "place_path": member.place_path,
                },
            )
    for i, pledge in enumerate(
        Pledge.objects.filter(member__in=members, year=today.year - 1, reviewed_at__isnull=True)
    ):
        outcome, comment = REVIEWS[i % len(REVIEWS)]
        services.review_pledge(pledge, actor=actor, outcome=outcome, comment=comment)
    buildings = list(area_buildings(branch)[: len(members)])
    for member, building in zip(members, buildings, strict=False):
        services.assign_area(
            branch,
            member,
            actor=actor,
            starts_on=dt.date(today.year, 1, 1),
            buildings=[building.pk],
            note="联系本楼住户，收集诉求，宣传政策",
        )


INDEX_BONUS = {0: ("honour", "volunteer_lead", "building_contact"), 4: ("honour", "greening")}
INDEX_DEDUCTION = {3: ("complaint",), 7: ("bad_influence", "pledge_not_kept")}
INDEX_VETO = 5


def _index(branch: PartyOrg, actor: User, today: dt.date) -> None:
    """The vanguard index of the first branch: attendance at its held meetings (full, every
    third missed, on leave now and then, half), the `partymember` login's declarations
    (accepted, refused with the reason, one waiting) or, without that login in the branch,
    two declarations waiting; items the branch records (bonus, deduction, one veto); confirmed
    service hours and claims for three members, so that the table shows every grade band."""
    members = list(
        PartyMember.objects.filter(org_id__in=rules.below([branch.pk]), is_active=True)
        .select_related("org", "resident")
        .order_by("id")[:40]
    )
    held = list(
        Meeting.objects.filter(
            org_id__in=rules.chain(branch), minutes_at__isnull=False, held_on__year=today.year
        )
        .exclude(kind__in=[MeetingKind.COMMITTEE, MeetingKind.BIG_COMMITTEE])
        .order_by("held_on", "id")
    )
    for i, member in enumerate(members):
        if i == INDEX_VETO:
            continue
        for j, meeting in enumerate(held):
            pattern = i % 4
            if (pattern == 1 and j % 3 == 2) or (pattern == 3 and j % 2 == 1):
                continue  # absent
            if pattern == 2 and j % 5 == 4:
                services.record_attendance(
                    meeting, member, actor=actor, status=AttendanceStatus.LEAVE, reason="出差"
                )
                continue
            services.record_attendance(
                meeting, member, actor=actor, status=AttendanceStatus.PRESENT
            )
    day = max(dt.date(today.year, 1, 2), today - dt.timedelta(days=20))
    for i, codes in INDEX_BONUS.items():
        for code in codes if i < len(members) else ():
            services.record_item(
                members[i],
                actor=actor,
                kind="bonus",
                code=code,
                occurred_on=day,
                text=DEMO_ITEMS[code],
            )
    for i, codes in INDEX_DEDUCTION.items():
        for code in codes if i < len(members) else ():
            services.record_item(
                members[i],
                actor=actor,
                kind="deduction",
                code=code,
                occurred_on=day,
                text=DEMO_ITEMS[code],
            )
    if len(members) > INDEX_VETO:
        services.record_item(
            members[INDEX_VETO],
            actor=actor,
            kind="veto",
            code="sanction",
            occurred_on=day,
            text="受到党内警告处分（街道纪工委决定）",
        )
    _service(members[:1] + members[4:5] + members[8:9], today)
    user = next(
        (
            m.resident.user
            for m in members
            if m.resident.user is not None and m.resident.user.username == "partymember"
        ),
        None,
    )
    if user is not None:
        made = [
            services.declare_item(
                actor=user, kind="bonus", code=code, occurred_on=day, text=DEMO_ITEMS[code]
            )
            for code in ("greening", "honour", "neighbour_help")
        ]
        services.review_item(made[0], actor=actor, accept=True)
        services.review_item(
            made[1], actor=actor, accept=False, reason="未附表彰文件，请补充后重新申报"
        )
        return
    # No login to declare with: two declarations waiting (seed rows, the demo's audit entry).
    for member, code in zip(members[1:3], ("neighbour_help", "greening"), strict=False):
        IndexItem.objects.create(
            member=member,
            org=branch,
            kind="bonus",
            code=code,
            occurred_on=day,
            text=DEMO_ITEMS[code],
            place_path=member.place_path,
        )


DEMO_ITEMS = {
    "honour": "获评街道优秀共产党员",
    "volunteer_lead": "牵头组织小区义诊志愿服务",
    "building_contact": "包幢联系本楼24户，收集诉求6条",
    "greening": "认领楼前绿地，每周浇水修剪",
    "neighbour_help": "帮独居老人更换灯泡、疏通下水道",
    "complaint": "居民反映其占用楼道堆放杂物，经核实",
    "bad_influence": "在业主群发表不当言论",
    "pledge_not_kept": "年初承诺的楼道整治未完成",
}


def _service(members: list[PartyMember], today: dt.date) -> None:
    """Confirmed service hours (60 a member) and, where the community publishes posts, claims of
    them, so the service part is not zero for everyone (seed rows)."""
    from gongzhi.party.models import (
        ClaimKind,
        RecordStatus,
        ServicePost,
        ServiceRecord,
        VanguardClaim,
    )
    from gongzhi.party.selectors import community_path

    for member in members:
        for k in range(6):
            ServiceRecord.objects.create(
                member=member,
                served_on=max(dt.date(today.year, 1, 2), today - dt.timedelta(days=10 + 20 * k)),
                minutes=600,
                status=RecordStatus.CONFIRMED,
                note="认岗服务",
                place_path=member.place_path,
            )
        posts = ServicePost.objects.filter(
            community__path=community_path(member.place_path), is_active=True
        ).select_related("community")[:3]
        for post in posts:
            if not VanguardClaim.objects.filter(
                member=member, service_post=post, ended_on__isnull=True
            ).exists():
                VanguardClaim.objects.create(
                    member=member,
                    kind=ClaimKind.POST,
                    service_post=post,
                    community=post.community,
                    claimed_on=dt.date(today.year, 1, 2),
                    place_path=post.community.path,
                )


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    post = (
        Post.objects.filter(
            user__username="secretary", role=Role.COMMUNITY_SECRETARY, is_active=True
        )
        .select_related("place", "user")
        .first()
    )
    if post is None or post.place is None:
        return _("Organisational life: skipped (no demo community or secretary login)")
    community, actor = post.place, post.user
    branches = list(
        PartyOrg.objects.filter(
            place_path__startswith=community.path, kind__in=rules.BRANCH_KINDS
        ).order_by("place_path", "id")[:BRANCHES]
    )
    if not branches:
        return _("Organisational life: skipped (the demo community has no branches)")
    with transaction.atomic():
        _structures(
            community,
            PartyOrg.objects.filter(place=community, kind=OrgKind.COMMUNITY_COMMITTEE).first(),
            branches,
            actor,
        )
    if not Transfer.objects.filter(from_org__in=branches).exists():
        with transaction.atomic():
            _transfers(branches, actor, community)
    if not ResponsibilityArea.objects.filter(org=branches[0]).exists():
        with transaction.atomic():
            _pledges_and_areas(branches[0], actor, clock.today())
    if Meeting.objects.filter(org__in=branches).exists():
        if not IndexItem.objects.filter(org=branches[0]).exists():
            with transaction.atomic():
                _index(branches[0], actor, clock.today())
        return _summary()
    today = clock.today()
    with transaction.atomic():
        committee = PartyOrg.objects.filter(
            place=community, kind=OrgKind.COMMUNITY_COMMITTEE
        ).first()
        if committee is not None:
            _meetings(committee, actor, today, skip_current=False)
        for i, branch in enumerate(branches):
            _meetings(branch, actor, today, skip_current=i == len(branches) - 1)
        _review(branches[0], actor, today.year - 1)
        _dues(branches[0], actor, today)
    with transaction.atomic():
        _index(branches[0], actor, today)
    return _summary()
