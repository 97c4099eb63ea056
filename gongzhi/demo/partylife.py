"""Demo organisational life (gongzhi/partylife) for the branches of the demo community (the
`secretary` login's): a year of meetings held by the profile's frequencies (the last branch
skips the current period, so the overdue list shows it), one democratic review round of last
year with grades decided, this year's dues of the first branch with arrears, and transfers of
membership: one accepted and one refused (with the reason) between branches, one awaiting the
receiving branch, one out of and one in from outside the platform (with the letters' numbers);
the community committee's members with part-time members from partner units (兼职委员), and
bodies of the community covered alone, jointly or by affiliation — and two covered by none;
the first branch's members' pledges of last year (reviewed: kept, partly kept, not kept) and
this year (open), and a responsibility area of one building for each of them.

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
    DuesEntry,
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
        "%(c)s committee members, %(b)s bodies, %(p)s pledges, %(a)s responsibility areas"
    ) % {
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
    return _summary()
