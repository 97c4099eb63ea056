"""Demo community money (gongzhi/funds): a community fund of the demo community with donations
(one anonymous, shown as 爱心人士 on the public page) and two grants — one to the awarded
venture-philanthropy project of the community where the organisations demo made one, one to a
typed purpose; purchased services of the year in two communities, the demo community buying
below 40% from social organisations (the other above); the year's funding lines of the demo
community from its policy document with receipts and spending.

The demo district's document (loudi, seed 001) sets no least share of purchases from social
organisations (that is 000 §四's 40%, in wuhan-east-lake): the share page shows each
community's share and "not set by this document" — nothing is borrowed from another document.
Every write goes through the services; idempotent: when the demo community has a fund, nothing
is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.funds import services
from gongzhi.funds.models import Fund, FundingLine, LineKind
from gongzhi.microprojects.models import Round
from gongzhi.organisations.models import Organisation, OrgStatus, VentureApplication, VentureStatus
from gongzhi.places.models import Place, PlaceKind

DONATIONS = (
    ("娄星区爱心企业商会", "50000", False),
    ("王建国", "2000", False),
    ("", "10000", True),
    ("社区党员志愿者", "3600", False),
)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    secretary, street_user = _user("secretary"), _user("street")
    post = Post.objects.filter(
        user__username="secretary", role=Role.COMMUNITY_SECRETARY, is_active=True
    ).first()
    if secretary is None or street_user is None or post is None or post.place is None:
        return _("Community funds: skipped (no demo logins)")
    community = post.place
    if Fund.objects.filter(place=community).exists():
        return _("Community funds: already present (%(n)s funds)") % {"n": Fund.objects.count()}
    today = clock.today()
    year = today.year
    with transaction.atomic():
        fund = services.create_fund(
            community,
            actor=secretary,
            name=f"{community.name}社区基金",
            purpose="助老、助学、助困和社区微项目",
        )
        for n, (donor, amount, anonymous) in enumerate(DONATIONS):
            services.donate(
                fund,
                actor=secretary,
                amount_yuan=amount,
                on=today - dt.timedelta(days=60 - n * 10),
                donor_name=donor,
                anonymous=anonymous,
                reference=f"捐-{year}-{n + 1:03d}",
                request_key=f"demo-donation-{n}",
            )
        venture = (
            VentureApplication.objects.filter(
                place_path__startswith=community.path,
                status__in=[VentureStatus.AWARDED, VentureStatus.REPORTED],
            )
            .order_by("pk")
            .first()
        )
        if venture is not None:
            services.grant(
                fund,
                actor=secretary,
                amount_yuan="20000",
                on=today - dt.timedelta(days=15),
                venture_project=venture,
                reference=f"拨-{year}-001",
                request_key="demo-grant-venture",
            )
        services.grant(
            fund,
            actor=secretary,
            amount_yuan="6800",
            on=today - dt.timedelta(days=5),
            purpose="困难家庭学生助学金（8 名）",
            reference=f"拨-{year}-002",
            request_key="demo-grant-purpose",
        )
        purchases = _purchases(community, street_user, secretary, year)
        lines = _lines(community, secretary, today)
    return _(
        "Community funds: 1 fund with %(entries)s entries, %(purchases)s purchased services, "
        "%(lines)s funding lines"
    ) % {"entries": fund.entries.count(), "purchases": purchases, "lines": lines}


def _purchases(community: Place, street_user: User, secretary: User, year: int) -> int:
    orgs = list(
        Organisation.objects.filter(place_path__startswith=community.path)
        .exclude(status=OrgStatus.DISSOLVED)
        .order_by("pk")[:2]
    )
    rows: list[tuple[Place, str, str, Organisation | None, str]] = [
        # The demo community: 25,000 of 100,000 from social organisations (25 %, below 40 %).
        (community, "居家养老上门服务", "25000", orgs[0] if orgs else None, ""),
        (community, "小区绿化养护", "45000", None, "娄底市绿美园林有限公司"),
        (community, "社区食堂运营", "30000", None, "湘中餐饮管理有限公司"),
    ]
    other = (
        Place.objects.filter(parent=community.parent, kind=PlaceKind.COMMUNITY)
        .exclude(pk=community.pk)
        .order_by("path")
        .first()
    )
    if other is not None:
        org = (
            Organisation.objects.filter(place_path__startswith=other.path)
            .exclude(status=OrgStatus.DISSOLVED)
            .first()
        )
        rows += [
            (other, "四点半课堂", "36000", org, "" if org else "娄底市启航教育咨询有限公司"),
            (other, "环境卫生保洁", "24000", None, "娄底市洁美保洁服务有限公司"),
        ]
    count = 0
    for place, service, amount, org, firm in rows:
        if org is None and not firm:
            firm = "娄底市社区服务有限公司"
        services.record_purchase(
            place,
            actor=secretary if place == community else street_user,
            year=year,
            service=service,
            amount_yuan=amount,
            organisation=org,
            supplier_name=firm,
        )
        count += 1
    return count


def _lines(community: Place, secretary: User, today: dt.date) -> int:
    try:
        lines = services.open_lines(community, today.year, actor=secretary)
    except ValidationError:  # a document without money rules: no lines in the demo
        return 0
    for n, line in enumerate(lines):
        if line.kind == LineKind.BENEFIT and _book_round(line, secretary, today, n):
            continue
        half = line.rule_fen // 200  # half of the rule, in yuan
        if half <= 0:
            continue
        services.receive(
            line,
            actor=secretary,
            amount_yuan=str(half),
            on=today - dt.timedelta(days=90),
            description="上半年经费拨付",
            reference=f"拨入-{today.year}-{n + 1:02d}",
            request_key=f"demo-line-{n}-in",
        )
        services.spend(
            line,
            actor=secretary,
            amount_yuan=str(half * 6 // 10),
            on=today - dt.timedelta(days=30),
            description="社区服务活动支出",
            reference=f"支出-{today.year}-{n + 1:02d}",
            request_key=f"demo-line-{n}-out",
        )
    if lines:
        # The financial notice made from these entries (typed ones are refused now).
        services.publish_financial_notice(community, today.year, actor=secretary)
    return len(lines)


def _book_round(line: FundingLine, secretary: User, today: dt.date, n: int) -> bool:
    """The benefit-project line receives the year's money and carries this year's micro-project
    round (built by the microprojects demo before the lines were open): its budget is booked on
    the line through the same booking the round's opening uses (`book_round_budget`)."""
    rnd = Round.objects.filter(community_id=line.community_id, year=line.year).first()
    if rnd is None:
        return False
    services.receive(
        line,
        actor=secretary,
        amount_yuan=str(max(line.rule_fen // 100, int(rnd.budget_yuan))),
        on=today - dt.timedelta(days=90),
        description="民生微实事资金拨付",
        reference=f"拨入-{today.year}-{n + 1:02d}",
        request_key=f"demo-line-{n}-in",
    )
    if services.book_round_budget(rnd, secretary):
        rnd.budget_booked = True  # seed data: the round is saved directly
        rnd.save(update_fields=["budget_booked"])
    return True
