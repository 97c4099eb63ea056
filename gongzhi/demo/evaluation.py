"""Demo assessment rounds (gongzhi/evaluation): the `street` login assesses the communities of
the demo street with the index system in force there (the platform default unless the
profile overrides it), from the demo's live data through the registered indicators.

1. Last year's round (年度考核), opened 40 days ago and published 30 days ago: one community vetoed by the
   assessor (重大安全责任事故, recorded with its reason), one with a bonus item; its snapshot
   and SHA-256 are on the round page.
2. This year's last completed quarter (季度考核), under review: the demo community (the
   `secretary` and `worker` logins) contested two figures — one was adjusted by the street
   (the round re-scored, the audit trail has before and after), the other still awaits the
   assessor, so publishing is refused until it is decided.

Every write goes through the services (one audit record each). Idempotent: when the street
already has last year's round, nothing is added. Indicators no app registers show as
"no data" with a note, which is also what the demo is for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from gongzhi.core import clock
from gongzhi.core.indicators import Period
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.evaluation import services
from gongzhi.evaluation.models import Part, Round, RoundStatus, Score
from gongzhi.places.models import Place

YEARLY = "%(year)s年度社区治理考核"
QUARTERLY = "%(label)s社区治理考核"


def _last_quarter(today: dt.date) -> Period:
    quarter = (today.month - 1) // 3  # the one before the current quarter
    return Period.quarter(today.year, quarter) if quarter else Period.quarter(today.year - 1, 4)


def _part(rnd: Round, place: Place, prefer: tuple[str, ...]) -> Part | None:
    parts = Part.objects.filter(score__round=rnd, score__place=place).exclude(weight=0)
    for code in prefer:
        found = parts.filter(indicator=code).first()
        if found is not None:
            return found
    return parts.order_by("indicator").first()


def _yearly(street_place: Place, street: User, demo: Place, today: dt.date) -> Round:
    year = today.year - 1
    with clock.travel_to(dt.datetime.combine(today - dt.timedelta(days=40), dt.time(9, 0))):
        rnd = services.open_round(
            actor=street,
            place=street_place,
            period=Period.year(year),
            title=YEARLY % {"year": year},
            compute=False,
        )
        services.compute_now(rnd.pk)  # in this process: the demo needs the figures now
    rnd.refresh_from_db()
    others = list(Score.objects.filter(round=rnd).exclude(place=demo).order_by("place_path"))
    with clock.travel_to(dt.datetime.combine(today - dt.timedelta(days=30), dt.time(15, 0))):
        if others:
            services.record_item(
                actor=street,
                score=others[-1],
                item="safety",
                reason="辖区内发生一起致1人死亡的燃气爆炸事故，经调查认定为社区安全监管责任事故。",
            )
        demo_score = Score.objects.filter(round=rnd, place=demo).first()
        if demo_score is not None:
            services.record_item(
                actor=street,
                score=demo_score,
                item="award",
                reason="获评区级“和谐社区”表彰。",
            )
        services.publish(actor=street, round=rnd)
    return rnd


def _quarterly(street_place: Place, street: User, demo: Place, secretary: User) -> Round:
    period = _last_quarter(clock.today())
    rnd = services.open_round(
        actor=street,
        place=street_place,
        period=period,
        title=QUARTERLY % {"label": period.label},
        contest_until=clock.today() + dt.timedelta(days=10),
        compute=False,
    )
    services.compute_now(rnd.pk)
    rnd.refresh_from_db()
    first = _part(rnd, demo, ("volunteering.volunteer_share", "tickets.satisfaction_rate"))
    if first is not None:
        adjusted = services.contest(
            actor=secretary,
            part=first,
            reason="本季度新注册的志愿者有32人因系统迁移未同步，附街道志愿服务站盖章名单。",
            claimed="16.5",
        )
        services.decide_contest(
            actor=street,
            contest=adjusted,
            adjust_to="16.5",
            reason="核对志愿服务站名单属实，按补录后的人数调整。",
        )
    second = _part(rnd, demo, ("mediation.success_rate", "tickets.resolution_rate"))
    if second is not None and second.pk != getattr(first, "pk", None):
        services.contest(
            actor=secretary,
            part=second,
            reason="有两起纠纷已在季度末调解成功，但调解协议书次月才录入系统。",
            claimed="95",
        )
    return rnd


def build(
    scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable[[str], None] | None = None
) -> str:
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
        .select_related("place", "user")
        .first()
    )
    if (
        street is None
        or post is None
        or post.place is None
        or secretary_post is None
        or secretary_post.place is None
    ):
        return _("Assessment rounds demo: skipped (no demo street or logins)")
    street_place, demo = post.place, secretary_post.place
    today = clock.today()
    if Round.objects.filter(place=street_place, title=YEARLY % {"year": today.year - 1}).exists():
        return _("Assessment rounds demo: already present")
    yearly = _yearly(street_place, street, demo, today)
    quarterly = _quarterly(street_place, street, demo, secretary_post.user)
    yearly.refresh_from_db()
    quarterly.refresh_from_db()
    published = yearly.status == RoundStatus.PUBLISHED
    return _(
        "Assessment rounds demo: %(n)s communities of %(street)s assessed; last year's round "
        "%(state)s, this quarter's under review with contests"
    ) % {
        "n": Score.objects.filter(round=quarterly).count(),
        "street": street_place.name,
        "state": pgettext("assessment round", "published")
        if published
        else pgettext("assessment round", "not published"),
    }
