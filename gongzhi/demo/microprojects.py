"""Demo micro-projects in the community of the resident login (春园社区):

- last year's round, selected and implemented: spending entries, a photo, completion (one
  project slightly over its cost, so the over-spend warning shows);
- this year's round with proposals by residents, reviews (one not feasible, one cost adjusted),
  residents' votes and the selection by the Method of Equal Shares (chosen before voting), with
  the greedy outcome shown next to it on the results page.

Both rounds run on the budget the community's policy document sets (Loudi, 001 §15: 200,000
yuan for a central-city community). Seed data written directly (one audit record per run); the
selection itself runs through the same pure functions as the service
(services.select_projects, services.select_equal_shares). Idempotent.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import secrets
from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw

from gongzhi.core import access, audit, clock, crypto
from gongzhi.core.models import User
from gongzhi.demo import places as places_demo
from gongzhi.microprojects import services
from gongzhi.microprojects.models import (
    BudgetSource,
    CostItem,
    Method,
    Phase,
    Photo,
    Progress,
    Project,
    Review,
    Round,
    Selection,
    Spending,
    Support,
)
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place

# (title, description, [(item, yuan)], review, review note, reviewed cost, votes)
THIS_YEAR = [
    (
        "老旧小区楼道照明改造",
        "为1—6栋楼道更换声控LED灯,解决夜间照明不足。",
        [("LED声控灯 240套", "36000"), ("安装人工", "12000")],
        Review.FEASIBLE,
        "",
        None,
        186,
    ),
    (
        "社区食堂适老化改造",
        "增设防滑地面、扶手和爱心座椅,方便老年人就餐。",
        [("防滑地面", "62000"), ("扶手与座椅", "28000")],
        Review.FEASIBLE,
        "按询价调整",
        "85000",
        171,
    ),
    (
        "儿童游乐区安全地垫",
        "更换破损地垫,加装围栏。",
        [("EPDM地垫 300㎡", "54000"), ("围栏", "16000")],
        Review.FEASIBLE,
        "",
        None,
        143,
    ),
    (
        "非机动车充电棚",
        "建设带智能充电桩的车棚,消除飞线充电隐患。",
        [("车棚", "88000"), ("充电桩 40个", "52000")],
        Review.FEASIBLE,
        "",
        None,
        139,
    ),
    (
        "社区读书角",
        "在党群服务中心设置读书角。",
        [("书架与图书", "18000"), ("桌椅", "7000")],
        Review.FEASIBLE,
        "",
        None,
        97,
    ),
    (
        "小区大门改建",
        "拆除重建小区大门。",
        [("土建", "260000")],
        Review.NOT_FEASIBLE,
        "涉及产权与规划审批,超出微实事范围",
        None,
        0,
    ),
]
LAST_YEAR = [
    ("健身步道修缮", [("透水沥青", "68000"), ("标识", "6000")], 203, "74000", "76200"),
    ("楼栋信箱更换", [("信箱 300户", "21000")], 158, "21000", "20400"),
    ("雨污管网疏通", [("疏通清淤", "45000")], 131, "45000", "45000"),
]


def _community() -> Place | None:
    user = User.objects.filter(
        phone_index=crypto.blind_index("phone", places_demo.RESIDENT_PHONE)
    ).first()
    resident = resident_of(user) if user else None
    if resident is None or not resident.place_path:
        return None
    parts = resident.place_path.strip("/").split("/")
    return Place.objects.filter(path="/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/").first()


def _photo(text_seed: int) -> tuple[bytes, int, int]:
    image = Image.new("RGB", (640, 400), (60 + text_seed * 40 % 150, 140, 90))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 260, 600, 360), fill=(90, 90, 90))
    out = io.BytesIO()
    image.save(out, "PNG")
    return services.clean_image(out.getvalue())


def _proposers(community: Place, rng: random.Random) -> list[Resident]:
    people = list(
        Resident.objects.filter(place_path__startswith=community.path, is_active=True).order_by(
            "id"
        )[:400]
    )
    rng.shuffle(people)
    return people


def _scaled(votes: int, people: list) -> int:
    """The vote count for a small demo world: in proportion when fewer than 400 residents."""
    if len(people) >= 400:
        return votes
    return max(1, votes * len(people) // 400)


# Where each of this year's projects finds its supporters in the list of residents (a share of
# its length): the lighting and the canteen are wanted by the same residents, the play area by
# others — so equal shares funds the play area where greedy takes the canteen.
SUPPORT_START = (0.0, 0.0, 0.62, 0.3, 0.45, 0.0)


def _voters(people: list, i: int) -> list:
    start = int(len(people) * SUPPORT_START[i])
    return people[start:] + people[:start]


def _supports(rnd: Round, project: Project, voters: list[Resident], n: int) -> list[Support]:
    return [Support(round=rnd, project=project, resident=r) for r in voters[:n]]


def _select(rnd: Round) -> None:
    projects = {p.pk: p for p in Project.objects.filter(round=rnd, review=Review.FEASIBLE)}
    candidates = [
        services.Candidate(p.pk, p.votes, p.cost, p.created_at) for p in projects.values()
    ]
    ballots: dict[int, set] = {}
    for resident_id, project_id in Support.objects.filter(round=rnd).values_list(
        "resident_id", "project_id"
    ):
        ballots.setdefault(resident_id, set()).add(project_id)
    greedy = services.select_projects(rnd.budget_yuan, candidates)
    mes, stages = services.select_equal_shares(rnd.budget_yuan, candidates, ballots)
    greedy_won = {d.key for d in greedy if d.selection == Selection.SELECTED}
    mes_won = {d.key for d in mes if d.selection == Selection.SELECTED}
    for d in mes if rnd.method == Method.EQUAL_SHARES else greedy:
        Project.objects.filter(pk=d.key).update(
            selection=d.selection,
            selection_rank=d.rank,
            remaining_before=d.remaining_before,
            greedy_selected=d.key in greedy_won,
            mes_selected=d.key in mes_won,
            mes_stage=stages.get(d.key, ""),
        )
    rnd.phase = Phase.SELECTED
    rnd.selected_at = clock.now()
    rnd.save(update_fields=["phase", "selected_at"])


def _budget(community) -> dict:
    """The document's budget; when it sets none, a figure staff entered (marked as such)."""
    amount = services.budget_for(community)
    if amount is None:
        return {"budget_yuan": Decimal("200000"), "budget_source": BudgetSource.ENTERED}
    return {"budget_yuan": amount, "budget_source": BudgetSource.PROFILE}


def _this_year(community, year, people, rng) -> Round:
    rnd = Round.objects.create(
        community=community,
        place_path=community.path,
        year=year,
        method=Method.EQUAL_SHARES,
        phase=Phase.VOTING,
        **_budget(community),
    )
    supports = []
    for i, (title, text, items, review, note, cost, votes) in enumerate(THIS_YEAR):
        proposer = people[i % len(people)]
        total = sum(Decimal(a) for _n, a in items)
        project = Project.objects.create(
            round=rnd,
            place_path=community.path,
            title=title,
            description=text,
            proposer=proposer,
            proposer_name=proposer.name,
            proposed_cost=total,
            cost=Decimal(cost) if cost else total,
            review=review,
            review_reason=note,
            votes=_scaled(votes, people),
            created_at=clock.now() - dt.timedelta(days=60 - i),
        )
        CostItem.objects.bulk_create(
            CostItem(project=project, name=n, amount=Decimal(a)) for n, a in items
        )
        supports += _supports(rnd, project, _voters(people, i), project.votes)
    Support.objects.bulk_create(supports, batch_size=1000)
    _select(rnd)
    return rnd


def _last_year(community, year, people, rng, staff) -> Round:
    rnd = Round.objects.create(
        community=community,
        place_path=community.path,
        year=year - 1,
        phase=Phase.VOTING,
        **_budget(community),
        created_at=clock.now() - dt.timedelta(days=365),
    )
    supports = []
    done = []
    for i, (title, items, votes, cost, spent) in enumerate(LAST_YEAR):
        proposer = people[(i + 7) % len(people)]
        project = Project.objects.create(
            round=rnd,
            place_path=community.path,
            title=title,
            description=title,
            proposer=proposer,
            proposer_name=proposer.name,
            proposed_cost=Decimal(cost),
            cost=Decimal(cost),
            review=Review.FEASIBLE,
            votes=_scaled(votes, people),
            created_at=clock.now() - dt.timedelta(days=400 - i),
        )
        CostItem.objects.bulk_create(
            CostItem(project=project, name=n, amount=Decimal(a)) for n, a in items
        )
        supports += _supports(rnd, project, rng.sample(people, len(people)), project.votes)
        done.append((project, Decimal(spent)))
    Support.objects.bulk_create(supports, batch_size=1000)
    _select(rnd)
    paid = dt.date(year - 1, 9, 1)
    for i, (project, spent) in enumerate(done):
        first = (spent * Decimal("0.6")).quantize(Decimal("0.01"))
        entries = Spending.objects.bulk_create(
            [
                Spending(
                    project=project,
                    amount=first,
                    item="施工及材料",
                    payee="娄底市恒达建设工程有限公司",
                    paid_on=paid,
                    note="预付款",
                    entered_by=staff,
                ),
                Spending(
                    project=project,
                    amount=spent - first,
                    item="施工及材料",
                    payee="娄底市恒达建设工程有限公司",
                    paid_on=paid + dt.timedelta(days=45),
                    note="验收后尾款",
                    entered_by=staff,
                ),
            ]
        )
        content, width, height = _photo(i)
        photo = Photo(
            project=project, caption="完工照片", width=width, height=height, uploaded_by=staff
        )
        photo.file.save(f"{secrets.token_hex(12)}.jpg", ContentFile(content), save=False)
        photo.save()
        receipt = Photo(
            project=project,
            spending=entries[0],
            caption="预付款发票",
            width=width,
            height=height,
            uploaded_by=staff,
        )
        receipt.file.save(f"{secrets.token_hex(12)}.jpg", ContentFile(content), save=False)
        receipt.save()
        project.progress = Progress.COMPLETED
        project.completed_at = paid + dt.timedelta(days=50)
        project.completion_note = "已完工并经居民代表验收。"
        project.save(update_fields=["progress", "completed_at", "completion_note"])
    return rnd


def build(scale, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    community = _community()
    staff = User.objects.filter(username="secretary").first()
    if community is None:
        return _("Micro-projects: skipped (no demo community)")
    year = clock.today().year
    if Round.objects.filter(community=community, year=year).exists():
        return _("Micro-projects: already present in %(community)s") % {"community": community.name}
    rng = random.Random(300000)
    people = _proposers(community, rng)
    if not people:
        return _("Micro-projects: skipped (no residents)")
    with transaction.atomic():
        current = _this_year(community, year, people, rng)
        last = _last_year(community, year, people, rng, staff)
        audit.record(
            actor=None,
            action="demo_data.microprojects",
            target=community,
            place_path=community.path,
            changes={"rounds": [current.year, last.year]},
        )
    skipped = Project.objects.filter(
        round=current, selection__in=(Selection.SKIPPED, Selection.NOT_FUNDED)
    ).count()
    return _(
        "Micro-projects: %(community)s, round %(last)s implemented, round %(current)s with "
        "%(proposals)s proposals (%(skipped)s skipped)"
    ) % {
        "community": community.name,
        "last": last.year,
        "current": current.year,
        "proposals": Project.objects.filter(round=current).count(),
        "skipped": skipped,
    }
