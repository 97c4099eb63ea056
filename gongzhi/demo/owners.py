"""Demo owners' votes: the estate of the resident login (13800000001, 吴秀英, 春园社区).

- the owners' roll imported from the registry households (an exclusive area of 60–140 m² is
  set, deterministically, on households that have none);
- a closed major-matter vote (use of the maintenance fund) that passed, with its numbers;
- a closed ordinary vote that failed on participation;
- an open vote that 吴秀英 can cast (she heads her household, so she is on the roll).

The roll, the votes and their opening/closing go through the services (audit records, sealed
records); the ballots of the two closed votes are seed data written in bulk. Idempotent: when
the estate already has the demo votes, nothing is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock, crypto
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import places as places_demo
from gongzhi.owners import services
from gongzhi.owners.models import Ballot, BallotChannel, Matter, OwnersVote, RollEntry
from gongzhi.places.models import Household, Place, PlaceKind

TITLES = {
    "fund": "使用专项维修资金更换2栋、3栋电梯",
    "parking": "调整地面停车位收费标准",
    "open": "小区公共绿地改建为儿童游乐场",
}


def _estate() -> Place | None:
    user = User.objects.filter(
        phone_index=crypto.blind_index("phone", places_demo.RESIDENT_PHONE)
    ).first()
    post = (
        Post.objects.filter(user=user, role=Role.RESIDENT)
        .exclude(household=None)
        .select_related("household__building__parent")
        .first()
        if user
        else None
    )
    if post is None:
        return None
    parent = post.household.building.parent
    return parent if parent.kind == PlaceKind.ESTATE else None


def _set_areas(estate: Place, rng: random.Random) -> int:
    homes = list(
        Household.objects.filter(place_path__startswith=estate.path, exclusive_area_m2=None)
    )
    for home in homes:
        home.exclusive_area_m2 = Decimal(rng.randint(6000, 14000)) / 100
    Household.objects.bulk_update(homes, ["exclusive_area_m2"], batch_size=1000)
    return len(homes)


def _closed_vote(staff, estate, key, matter, start, shares, rng) -> OwnersVote:
    """A vote held in the past: `shares` = (participation, yes share among participants)."""
    with clock.travel_to(start - dt.timedelta(days=1)):
        vote = services.create_vote(
            estate,
            actor=staff,
            title=TITLES[key],
            description="业主大会表决(演示数据)",
            matter=matter,
            opens_at=start,
            closes_at=start + dt.timedelta(days=14),
        )
        vote = services.open_vote(vote, actor=staff)
    participation, yes_share = shares
    entries = list(RollEntry.objects.filter(vote=vote).order_by("id"))
    rng.shuffle(entries)
    voters = entries[: int(len(entries) * participation)]
    ballots = []
    for i, entry in enumerate(voters):
        roll = rng.random()
        choice = "yes" if roll < yes_share else ("no" if roll < yes_share + 0.04 else "abstain")
        paper = i % 3 == 0
        ballots.append(
            Ballot(
                vote=vote,
                entry=entry,
                choice=choice,
                channel=BallotChannel.PAPER if paper else BallotChannel.ONLINE,
                scan_ref=f"SCAN-{start:%Y%m}-{i + 1:04d}" if paper else "",
                entered_by=staff if paper else None,
                cast_at=start + dt.timedelta(hours=1 + i % 300),
            )
        )
    Ballot.objects.bulk_create(ballots, batch_size=1000)
    with clock.travel_to(start + dt.timedelta(days=15)):
        return services.close_vote(vote, actor=staff)


def build(scale, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    estate = _estate()
    staff = User.objects.filter(username="secretary").first()
    if estate is None or staff is None:
        return _("Owners' votes: skipped (no demo estate or secretary login)")
    if OwnersVote.objects.filter(estate=estate, title=TITLES["open"]).exists():
        n = OwnersVote.objects.filter(estate=estate).count()
        return _("Owners' votes: already present (%(n)s votes in %(estate)s)") % {
            "n": n,
            "estate": estate.name,
        }
    rng = random.Random(278)
    now = clock.now()
    with transaction.atomic():
        _set_areas(estate, rng)
        services.import_roll(estate, actor=staff)
        fund = _closed_vote(
            staff, estate, "fund", Matter.MAJOR, now - dt.timedelta(days=120), (0.86, 0.9), rng
        )
        parking = _closed_vote(
            staff, estate, "parking", Matter.ORDINARY, now - dt.timedelta(days=60), (0.55, 0.7), rng
        )
        with clock.travel_to(now - dt.timedelta(days=2)):
            vote = services.create_vote(
                estate,
                actor=staff,
                title=TITLES["open"],
                description="将3栋南侧绿地约300平方米改建为儿童游乐场,费用由公共收益支出。",
                matter=Matter.MAJOR,
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=30),
            )
            vote = services.open_vote(vote, actor=staff)
    return _(
        "Owners' votes: %(estate)s, %(owners)s owners on the roll; two closed votes "
        "(%(passed)s passed), one open"
    ) % {
        "estate": estate.name,
        "owners": vote.total_owners,
        "passed": sum(bool(v.result["passed"]) for v in (fund, parking)),
    }
