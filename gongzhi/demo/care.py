"""Demo care and outreach (gongzhi/care), household notices: in the building of the
`buildinghead` login (where the resident 13800000001 lives) an urgent water-cut notice sent by
the `worker` login yesterday, half of the households having read it — the resident's household
not, so the phone page shows it unread and the building head's door-knock list shows the rest;
an urgent weather warning to the `grid` login's grid two days ago whose SMS has gone out to the
households still unread; and a power-cut notice to the households of the demo community with
someone living alone, just sent and not read yet. Rented homes (item 2) in the `grid` login's
grid: four homes let by residents of the registry, tenants registered like residents (ID numbers
protected), one lease current, one run out with no moving out recorded (on the list to
confirm), one tenant moved out, one home between tenants. Visit plans (item 1) for the people on
the demo community's care lists, their visitors the `partymember`, `grid`, `volunteer` and
`buildinghead` logins, some overdue (`_visit_plans`). A door-to-door verification round
(入户核查) over the demo community's rented homes sent by the `worker` login, half of the homes
checked by the `grid` login (`_round`); donations for the 爱心档案 of the resident 13800000001 —
one recorded by the worker, one by the resident — and a few neighbours (`_donations`); the
service circle's directory: a clinic, a canteen for the elderly, a service station and the
community's merchants, with opening hours and points around the demo building (`_service_points`).

The notices are sent through the services (one audit record each); the receipts of the read
half and the send times are then set on the demo rows themselves (seed data). Idempotent: when
the demo community already has a notice, nothing is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.care import rounds, services, visits
from gongzhi.care.models import (
    CheckItem,
    Delivery,
    Notice,
    NoticeKind,
    RentedHome,
    RoundScope,
    ServiceKind,
    ServicePoint,
    VisitPlan,
)
from gongzhi.core import clock, crypto, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo import care_talents
from gongzhi.merchants.models import Merchant
from gongzhi.people.idcard import make_id
from gongzhi.people.models import Relation, Resident, ResidentTag, Tag
from gongzhi.places.models import Household, Place


def _post_place(username: str, role: str) -> Place | None:
    post = (
        Post.objects.filter(user__username=username, role=role, is_active=True)
        .select_related("place")
        .first()
    )
    return post.place if post else None


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    community = _post_place("worker", Role.COMMUNITY_WORKER)
    grid = _post_place("grid", Role.GRID_WORKER)
    building = _post_place("buildinghead", Role.BUILDING_HEAD)
    worker = User.objects.filter(username="worker").first()
    if None in (community, grid, building, worker):
        return _("Care demo: skipped (no demo community or logins)")
    assert community is not None and grid is not None and building is not None
    assert worker is not None
    plans = _visit_plans(community, worker)
    if Notice.objects.filter(place_path__under=community.path).exists():
        homes = _rentals(grid, worker)
        more = _giving_and_rounds(community, building, worker)
        talents = care_talents.build(community, worker)
        if not homes and not plans and not more and not talents:
            return _("Care demo: already present")
        return (
            _("Care demo: %(homes)s rented homes, %(plans)s visit plans")
            % {"homes": homes, "plans": plans}
            + _more(more)
            + (f"; {talents}" if talents else "")
        )
    resident = User.objects.get_by_phone("13800000001")
    resident_post = (
        Post.objects.filter(user=resident, role=Role.RESIDENT).first() if resident else None
    )
    own_household = resident_post.household_id if resident_post else None
    now = clock.now()
    with transaction.atomic():
        water = services.send_notice(
            building,
            actor=worker,
            kind=NoticeKind.WATER,
            title=_("Water cut notice"),
            body=_(
                "Because of repairs to the water mains, the water supply will be cut tomorrow "
                "from 9:00 to 17:00. Please store water in advance."
            ),
            urgent=True,
        )
        deliveries = list(
            Delivery.objects.filter(notice=water)
            .exclude(household_id=own_household or 0)
            .order_by("household_id")
            .values_list("pk", flat=True)
        )
        half = deliveries[: (len(deliveries) + 1) // 2]
        Delivery.objects.filter(pk__in=half).update(read_at=now - dt.timedelta(hours=20))
        Notice.objects.filter(pk=water.pk).update(
            sent_at=now - dt.timedelta(hours=22),
            sms_due_at=now + dt.timedelta(minutes=30),
        )
        weather = services.send_notice(
            grid,
            actor=worker,
            kind=NoticeKind.WEATHER,
            title=_("Weather warning"),
            body=_(
                "The weather service has issued a rainstorm warning for tonight. Stay indoors, "
                "secure balcony items and keep away from trees and hoardings."
            ),
            urgent=True,
        )
        grid_rows = list(
            Delivery.objects.filter(notice=weather)
            .order_by("household_id")
            .values_list("pk", flat=True)
        )
        read = grid_rows[: len(grid_rows) * 7 // 10]
        Delivery.objects.filter(pk__in=read).update(read_at=now - dt.timedelta(days=2))
        Notice.objects.filter(pk=weather.pk).update(
            sent_at=now - dt.timedelta(days=2, hours=2),
            sms_due_at=now - dt.timedelta(days=2, hours=1),
        )
    services.sweep_urgent()  # texts the unread households of the weather warning, once
    power = None
    try:
        with transaction.atomic():
            power = services.send_notice(
                community,
                actor=worker,
                kind=NoticeKind.POWER,
                title=_("Power cut notice"),
                body=_(
                    "The electricity will be cut on Saturday from 8:00 to 12:00; lifts stop "
                    "meanwhile. Staff will call on you if you need help."
                ),
                care_tag=Tag.LIVING_ALONE,
            )
    except ValidationError:  # no one living alone in a small demo: leave it out
        power = None
    homes = _rentals(grid, worker)
    more = _giving_and_rounds(community, building, worker)
    talents = care_talents.build(community, worker)
    return (
        _(
            "Care demo: notices to %(water)s, %(weather)s and %(power)s households (half of the "
            "water-cut notice read), %(homes)s rented homes, %(plans)s visit plans"
        )
        % {
            "plans": plans,
            "water": water.households,
            "weather": weather.households,
            "power": power.households if power else 0,
            "homes": homes,
        }
        + _more(more)
        + (f"; {talents}" if talents else "")
    )


def _more(counts: tuple[int, int, int] | None) -> str:
    if not counts:
        return ""
    rounds, gifts, points = counts
    return "; " + _(
        "%(rounds)s verification round, %(gifts)s donations, %(points)s service points"
    ) % {"rounds": rounds, "gifts": gifts, "points": points}


def _giving_and_rounds(
    community: Place, building: Place, worker: User
) -> tuple[int, int, int] | None:
    """The round, the donations and the service points; None when they exist already."""
    if ServicePoint.objects.filter(place_path=community.path).exists():
        return None
    with transaction.atomic():
        points = _service_points(community, building, worker)
        gifts = _donations(community, worker)
        rounds = _round(community, worker)
    return rounds, gifts, points


def _round(community: Place, worker: User) -> int:
    if not RentedHome.objects.filter(place_path__under=community.path).exists():
        return 0
    today = clock.today()
    sent = services.send_round(
        community,
        actor=worker,
        title=_("Spring check of rented homes"),
        due_on=today + dt.timedelta(days=14),
        scope=RoundScope.RENTED,
    )
    checker = User.objects.filter(username="grid").first()
    if checker is None:
        return 1
    items = list(CheckItem.objects.filter(round=sent).order_by("id"))
    for i, item in enumerate(items[: (len(items) + 1) // 2]):
        answers = {code: "yes" for code in rounds.CODES}
        if i == 0:
            answers["fire_safe"] = "no"
        try:
            services.check_household(
                item,
                actor=checker,
                answers=answers,
                note=_("Electric bikes charged in the stairwell") if i == 0 else "",
            )
        except (ValidationError, Http404, PermissionDenied):  # the grid login is elsewhere
            break
    return 1


GIFTS = (
    # (kind, to, destination, amount in fen or goods, days ago)
    ("money", "fund", "社区微基金", 20000, 40),
    ("goods", "drive", "冬衣募捐", "棉衣两件、棉被一床", 70),
    ("money", "drive", "助学圆梦", 5000, 12),
)


def _donations(community: Place, worker: User) -> int:
    donors: list[tuple[Resident, User]] = []
    me = User.objects.filter(phone_index=crypto.blind_index("phone", "13800000001")).first()
    record = Resident.objects.filter(user=me, is_active=True).first() if me else None
    if record is not None and me is not None:
        donors.append((record, worker))
        donors.append((record, me))  # one the resident recorded on the phone
    for neighbour in Resident.objects.filter(
        is_active=True, place_path__under=community.path
    ).order_by("id")[:4]:
        donors.append((neighbour, worker))
    today = clock.today()
    made = 0
    for i, (donor, actor) in enumerate(donors):
        kind, to, destination, what, ago = GIFTS[i % len(GIFTS)]
        try:
            services.record_donation(
                donor,
                actor=actor,
                kind=kind,
                to=to,
                destination=destination,
                given_on=today - dt.timedelta(days=ago + i),
                amount_fen=what if isinstance(what, int) else None,
                goods=what if isinstance(what, str) else "",
            )
        except (ValidationError, Http404, PermissionDenied):
            continue
        made += 1
    return made


SERVICE_POINTS = (
    # (kind, name, hours, metres north, metres east of the building)
    ("clinic", "社区卫生服务站", "08:00–17:30", 250, -120),
    ("canteen", "长者食堂", "11:00–13:00，17:00–18:30", -180, 90),
    ("station", "党群服务中心便民服务站", "周一至周六 09:00–18:00", 60, 300),
    ("station", "老年人日间照料中心", "08:30–17:00", None, None),
)


def _service_points(community: Place, building: Place, worker: User) -> int:
    made = 0
    lat0, lng0 = building.centre_lat, building.centre_lng
    for kind, name, hours, north, east in SERVICE_POINTS:
        lat = lng = None
        if lat0 is not None and lng0 is not None and north is not None and east is not None:
            lat = f"{float(lat0) + north / 111_000:.6f}"
            lng = f"{float(lng0) + east / 96_000:.6f}"
        services.save_service_point(
            None,
            actor=worker,
            community=community,
            kind=kind,
            name=name,
            hours=hours,
            lat=lat,
            lng=lng,
        )
        made += 1
    for merchant in Merchant.objects.filter(community=community, is_active=True)[:5]:
        services.save_service_point(
            None,
            actor=worker,
            community=community,
            kind=ServiceKind.MERCHANT,
            name=merchant.name[:100],
            address=merchant.address,
            hours="09:00–21:00",
            merchant=merchant,
        )
        made += 1
    return made


TENANTS = (
    # (name, lease months back from today to start, months of the lease, moved out)
    ("林晓东", 3, 12, False),
    ("黄丽娟", 13, 12, False),
    ("郑凯", 10, 12, True),
)


VISITOR_LOGINS = ("partymember", "grid", "volunteer", "buildinghead")
VISIT_PLANS_MAX = 40


def _visit_plans(community: Place, worker: User) -> int:
    """Visit plans for the people on the community's care lists, each with a visitor among the
    demo logins whose post covers the home (the party member first): a third never visited
    since they were planned three weeks ago (overdue), a third visited two days ago, a third
    visited longer ago than their rhythm (overdue again); some visits raised a need, one was
    recorded far from the building (flagged). Idempotent: nothing when plans exist."""
    if VisitPlan.objects.filter(place_path__under=community.path).exists():
        return 0
    visitors = [u for u in (User.objects.filter(username=n).first() for n in VISITOR_LOGINS) if u]
    tags = [t for t in Tag.values if visits.rhythm_key(t) in profiles.SCHEMA]
    people = (
        ResidentTag.objects.filter(
            tag__in=tags,
            resident__is_active=True,
            resident__place_path__under=community.path,
        )
        .select_related("resident__household")
        .order_by("resident_id", "tag")[:VISIT_PLANS_MAX]
    )
    now = clock.now()
    made = 0
    for i, row in enumerate(people):
        resident = row.resident
        eligible = [u for u in visitors if visits.visitor_posts(u, resident.place_path)]
        if not eligible:
            continue
        visitor = eligible[i % len(eligible)]
        try:
            with clock.travel_to(now - dt.timedelta(days=21)):
                plan = services.plan_visits(resident, row.tag, visitor=visitor, actor=worker)
        except ValidationError:  # already planned for another tag's row, or no rhythm
            continue
        made += 1
        if i % 3 == 0:
            continue
        ago = 2 if i % 3 == 1 else plan.every_days + 3
        need = _("Would like help with meals") if i % 4 == 1 else ""
        with clock.travel_to(now - dt.timedelta(days=ago)):
            services.record_visit(
                plan,
                actor=visitor,
                found=_("At home, in fair health; the fridge has food; spoke for half an hour."),
                need=need,
                lat="30.600000" if i == 2 else None,
                lng="114.600000" if i == 2 else None,
            )
    return made


def _rentals(grid: Place, worker: User) -> int:
    if RentedHome.objects.filter(place_path__under=grid.path).exists():
        return 0
    landlords = list(
        Resident.objects.filter(is_active=True, place_path__under=grid.path, relation=Relation.HEAD)
        .exclude(id_index=None)
        .order_by("id")[:4]
    )
    # Every demo household has residents: the last four of the grid are the let homes.
    households = list(Household.objects.filter(place_path__under=grid.path).order_by("-id")[:4])
    if len(landlords) < 4 or len(households) < 4:
        return 0
    today = clock.today()
    with transaction.atomic():
        homes = [
            services.mark_rented(h, actor=worker, landlord=landlord)
            for h, landlord in zip(households, landlords, strict=True)
        ]
        for i, (name, back, months, moved_out) in enumerate(TENANTS):
            start = today - dt.timedelta(days=30 * back)
            tenancy = services.register_tenant(
                homes[i],
                actor=worker,
                name=name,
                id_number=make_id("431302", dt.date(1988 + i, 3, 12), 101 + 2 * i),
                phone=f"1390738{i:04d}",
                starts_on=start,
                ends_on=start + dt.timedelta(days=30 * months),
            )
            if moved_out:
                services.end_tenancy(tenancy, actor=worker, on=today - dt.timedelta(days=20))
    return len(homes)
