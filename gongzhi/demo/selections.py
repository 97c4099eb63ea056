"""Demo selections (gongzhi/selections, seed 003 annex 4 item 4): the `street` login runs

1. last year's star civilised buildings (星级文明楼栋), decided by votes and panel scores
   combined, published: buildings of the street's first three communities nominated by their
   secretaries, votes from the residents, party members and volunteers who log in, the panel
   (the street officer and the demo secretary) scoring — one building scored by one member
   only (a gap the result shows: its panel score is that member's), one with no star;
2. this year's best building heads (“最美楼栋长”), combined, in voting: the demo building head
   (`buildinghead`) and two more building heads of the demo community nominated with reasons;
   the party member and the volunteer have voted, the demo resident (13800000001) has not —
   they can vote on the phone; the street officer has scored one nominee, the secretary none.

Every write goes through the services (one audit record each), last year's at last year's
dates. Idempotent: a selection already present (same title) is left as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import clock, crypto
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo.places.scales import RESIDENT_PHONE
from gongzhi.places.models import Place
from gongzhi.selections import services
from gongzhi.selections.models import Kind, Method, Nominee, Selection

CITIZENS = (Role.RESIDENT, Role.PARTY_MEMBER, Role.VOLUNTEER, Role.BUILDING_HEAD)
HEAD_REASONS = (
    "担任楼栋长八年,每天巡查楼道,组织邻里互助,疫情期间逐户登记、代购物资。",
    "带头开展垃圾分类宣传,调解邻里纠纷十余起,楼栋连续三年无投诉。",
    "组织楼栋党小组认领公共空间改造,带领居民自筹资金安装楼道扶手。",
)
BUILDING_REASONS = (
    "楼道整洁无堆物,绿植由居民轮流养护,垃圾分类准确率高。",
    "邻里和睦,党员中心户带头,楼栋议事会每月议事一次。",
    "居民积极参与社区志愿服务,楼栋文明公约张贴上墙并长期坚持。",
)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=dt.UTC)


def _secretary(community: Place) -> User | None:
    post = (
        Post.objects.filter(place=community, role=Role.COMMUNITY_SECRETARY, is_active=True)
        .select_related("user")
        .first()
    )
    return post.user if post else None


def _voters(community: Place) -> list[User]:
    posts = Post.objects.filter(
        role__in=CITIZENS, is_active=True, place__path__startswith=community.path
    ).select_related("user")
    return [p.user for p in posts.order_by("id")[:40]]


def _full(selection: Selection, share: float) -> dict[str, int]:
    return {c["code"]: round(int(c["max"]) * share) for c in selection.criteria}


def _try(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except (ValidationError, Http404):  # a demo voter outside the rules: left out
        return None


def _star_buildings(street: User, street_place: Place, secretary: User, year: int) -> None:
    title = f"{year}年度星级文明楼栋评选"
    if Selection.objects.filter(place=street_place, title=title).exists():
        return
    communities = list(
        Place.objects.filter(parent=street_place, kind="community").order_by("path")[:3]
    )
    with clock.travel_to(_at(dt.date(year, 9, 1))):
        selection = services.create_selection(
            actor=street,
            place=street_place,
            kind=Kind.STAR_BUILDING,
            year=year,
            title=title,
            method=Method.COMBINED,
        )
        nominees: list[Nominee] = []
        for community in communities:
            nominator = _secretary(community)
            buildings = Place.objects.filter(kind="building", path__startswith=community.path)
            for building, reasons in zip(
                buildings.order_by("path")[:2], BUILDING_REASONS, strict=False
            ):
                if nominator is not None:
                    nominees.append(
                        services.nominate(
                            actor=nominator,
                            selection=selection,
                            reasons=reasons,
                            building=building,
                        )
                    )
        services.set_panel(actor=street, selection=selection, member_ids=[street.pk, secretary.pk])
        if not nominees:
            return
        services.set_stage(actor=street, selection=selection, step="open_voting")
    with clock.travel_to(_at(dt.date(year, 10, 8))):
        for community in communities:
            mine = [n for n in nominees if n.community_id == community.pk]
            for i, voter in enumerate(_voters(community)):
                for nominee in mine[: 1 + i % 2]:
                    _try(lambda v=voter, n=nominee: services.vote(actor=v, nominee=_fresh(n)))
        shares = (0.95, 0.8, 0.7, 0.55, 0.85, 0.6)
        for index, (nominee, share) in enumerate(zip(nominees, shares, strict=False)):
            services.score(actor=street, nominee=_fresh(nominee), values=_full(selection, share))
            if index != 2:  # the gap: the secretary left one building unscored
                services.score(
                    actor=secretary, nominee=_fresh(nominee), values=_full(selection, share - 0.05)
                )
    with clock.travel_to(_at(dt.date(year, 10, 20))):
        services.set_stage(actor=street, selection=selection, step="close")
    with clock.travel_to(_at(dt.date(year, 10, 25))):
        services.publish(actor=street, selection=selection)


def _fresh(nominee: Nominee) -> Nominee:
    return Nominee.objects.select_related("selection").get(pk=nominee.pk)


def _heads(community: Place, street: User) -> list[Post]:
    """The demo community's building-head posts: the `buildinghead` login's and two more."""
    posts = list(
        Post.objects.filter(
            role=Role.BUILDING_HEAD, is_active=True, place__path__startswith=community.path
        )
        .select_related("user", "place")
        .order_by("id")[:3]
    )
    taken = {p.place_id for p in posts}
    spare = Place.objects.filter(kind="building", path__startswith=community.path).exclude(
        pk__in=taken
    )
    for name, building in zip(("何桂兰", "邓卫东"), spare.order_by("path")[:2], strict=False):
        if len(posts) >= 3:
            break
        user = User.objects.create_user(username=None, password=None, name=name)
        user.set_unusable_password()
        user.save()
        posts.append(Post.objects.create(user=user, role=Role.BUILDING_HEAD, place=building))
    return posts


def _best_heads(street: User, street_place: Place, secretary: User, community: Place) -> None:
    year = clock.today().year
    title = f"{year}年度“最美楼栋长”评选"
    if Selection.objects.filter(place=street_place, title=title).exists():
        return
    with clock.travel_to(clock.now() - dt.timedelta(days=14)):
        selection = services.create_selection(
            actor=street,
            place=street_place,
            kind=Kind.BEST_BUILDING_HEAD,
            year=year,
            title=title,
            method=Method.COMBINED,
        )
        nominees = [
            services.nominate(actor=secretary, selection=selection, reasons=reasons, head_post=post)
            for post, reasons in zip(_heads(community, street), HEAD_REASONS, strict=False)
        ]
        services.set_panel(actor=street, selection=selection, member_ids=[street.pk, secretary.pk])
    with clock.travel_to(clock.now() - dt.timedelta(days=7)):
        services.set_stage(actor=street, selection=selection, step="open_voting")
    resident = User.objects.filter(phone_index=crypto.blind_index("phone", RESIDENT_PHONE)).first()
    voters = [
        u
        for u in User.objects.filter(username__in=("partymember", "volunteer")).order_by("username")
        if u != resident
    ]
    for voter in voters:
        for nominee in nominees[:2]:
            _try(lambda v=voter, n=nominee: services.vote(actor=v, nominee=_fresh(n)))
    if nominees:
        services.score(actor=street, nominee=_fresh(nominees[0]), values=_full(selection, 0.9))


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
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
    if street is None or post is None or post.place is None or secretary_post is None:
        return _("Selections demo: skipped (no demo street or logins)")
    assert secretary_post.place is not None
    with transaction.atomic():
        _star_buildings(street, post.place, secretary_post.user, clock.today().year - 1)
        _best_heads(street, post.place, secretary_post.user, secretary_post.place)
    count = Selection.objects.filter(place=post.place).count()
    return _("Selections demo: %(n)s selections of %(street)s") % {
        "n": count,
        "street": post.place.name,
    }
