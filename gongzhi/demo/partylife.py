"""Demo organisational life (gongzhi/partylife) for the branches of the demo community (the
`secretary` login's): a year of meetings held by the profile's frequencies (the last branch
skips the current period, so the overdue list shows it), one democratic review round of last
year with grades decided, and this year's dues of the first branch with arrears.

Everything goes through the services (one audit record each). Idempotent: when a branch of the
community already has a meeting, nothing is added."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.party.models import OrgKind, PartyMember, PartyOrg
from gongzhi.partylife import rules, services
from gongzhi.partylife.models import DuesEntry, Meeting, MeetingKind, ReviewResult

BRANCHES = 5
MINUTES: dict[str, str] = {
    MeetingKind.GENERAL: "传达学习上级精神，通报支部工作，讨论小区治理事项。",
    MeetingKind.COMMITTEE: "研究本月支部工作安排和党员联系户情况。",
    MeetingKind.LECTURE: "书记讲党课：党建引领社区治理。",
    MeetingKind.THEME_DAY: "主题党日+：清理楼道杂物，走访独居老人。",
}


def _summary() -> str:
    return _("%(n)s meetings, %(r)s review results, %(d)s dues entries") % {
        "n": Meeting.objects.count(),
        "r": ReviewResult.objects.count(),
        "d": DuesEntry.objects.count(),
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
