"""Demo partner units, the three lists and 认岗认事认亲.

Partner units of street 乐坪街道 and its first community 春园社区: a hospital, a school, an
enterprise (the `partner` login 马俊 is its contact), a property company and a social
organisation; needs (one from a ticket), resources and projects in every state, with claims,
progress and confirmations. Vanguard: posts and tasks of the community, claimed by the
`partymember` login 赵国庆 with a family to visit (a resident with a care tag) and service
records of this year (most confirmed, one waiting), so his index page shows numbers.

Seed rows, written directly (one audit record per run). Idempotent: when the units exist,
nothing is added."""

from __future__ import annotations

import datetime as dt

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock, crypto
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.partners.models import (
    Claim,
    ClaimStatus,
    ClaimUpdate,
    ItemStatus,
    ListItem,
    ListKind,
    PartnerUnit,
    ResourceKind,
    UnitKind,
)
from gongzhi.party.models import (
    ClaimKind,
    CommunityTask,
    PartyMember,
    RecordStatus,
    ServicePost,
    ServiceRecord,
    VanguardClaim,
)
from gongzhi.party.vanguard import CARE_TAGS
from gongzhi.people.models import Resident, ResidentTag

ENTERPRISE = "湘中建材有限公司"
UNITS = (
    ("娄底市中心医院", UnitKind.HOSPITAL, "street", "娄底市中心医院党委"),
    ("乐坪街道实验小学", UnitKind.SCHOOL, "community", "实验小学党支部"),
    (ENTERPRISE, UnitKind.ENTERPRISE, "street", "湘中建材党支部"),
    ("春园物业服务有限公司", UnitKind.PROPERTY_COMPANY, "community", ""),
    ("乐坪爱心社工服务中心", UnitKind.SOCIAL_ORG, "street", "社工中心党小组"),
)


def _place_of(username: str, role: str):
    post = (
        Post.objects.filter(user__username=username, role=role, is_active=True)
        .select_related("place")
        .first()
    )
    return post.place if post else None


def build(scale, *, using: str = DEFAULT_DB_ALIAS, progress=None) -> str:
    street = _place_of("partner", Role.PARTNER_CONTACT)
    community = _place_of("partymember", Role.PARTY_MEMBER) or _place_of("merchant", Role.MERCHANT)
    if street is None or community is None:
        return "Partners: skipped (no demo street)"
    with transaction.atomic():
        if not PartnerUnit.objects.filter(place=street, name=ENTERPRISE).exists():
            _partners(street, community)
        if not ServicePost.objects.filter(community=community).exists():
            _vanguard(community)
        _activities_of_the_enterprise(street)
    units = PartnerUnit.objects.filter(place_path__startswith=street.path).count()
    items = ListItem.objects.filter(place_path__startswith=street.path).count()
    claims = Claim.objects.filter(place_path__startswith=street.path).count()
    records = ServiceRecord.objects.filter(place_path__startswith=community.path).count()
    return _(
        "Partner units: %(units)s units, %(items)s list items, %(claims)s claims; "
        "vanguard: %(records)s service records"
    ) % {"units": units, "items": items, "claims": claims, "records": records}


def _activities_of_the_enterprise(street) -> None:
    """The volunteering demo's activities published by the `partner` login (马俊) are
    organised by his unit, 湘中建材有限公司 (the volunteering demo runs before the units
    exist). Idempotent."""
    from gongzhi.volunteering.models import Activity, OrganiserKind

    unit = PartnerUnit.objects.filter(place=street, name=ENTERPRISE).first()
    if unit is None:
        return
    Activity.objects.filter(
        organiser__username="partner",
        organiser_kind=OrganiserKind.COMMUNITY,
        place_path__startswith=street.path,
    ).update(organiser_kind=OrganiserKind.PARTNER_UNIT, partner_unit=unit)


def _partners(street, community) -> None:
    staff = User.objects.filter(username="secretary").first()
    contact = User.objects.filter(username="partner").first()
    units = {}
    for name, kind, level, org in UNITS:
        place = street if level == "street" else community
        units[kind] = PartnerUnit.objects.create(
            name=name, kind=kind, place=place, party_org_name=org, place_path=place.path
        )
    if contact is not None:
        units[UnitKind.ENTERPRISE].contacts.add(contact)
    now = clock.now()

    def item(kind, title, place, status=ItemStatus.OPEN, **extra):
        return ListItem.objects.create(
            kind=kind,
            title=title,
            description=extra.pop("description", title),
            place=place,
            status=status,
            created_by=staff,
            place_path=place.path,
            created_at=now - dt.timedelta(days=extra.pop("days", 30)),
            **extra,
        )

    def claim(it, status, *, unit=None, by=None, amount=0, minutes=0, evidence="", updates=()):
        made = Claim.objects.create(
            item=it,
            unit=unit,
            community=None if unit else community,
            claimed_by=by or staff,
            status=status,
            amount=amount,
            minutes=minutes,
            evidence=evidence,
            place_path=it.place_path,
            created_at=it.created_at + dt.timedelta(days=2),
            completed_at=now - dt.timedelta(days=5)
            if status in (ClaimStatus.COMPLETED, ClaimStatus.CONFIRMED)
            else None,
            confirmed_at=now - dt.timedelta(days=3) if status == ClaimStatus.CONFIRMED else None,
            confirmed_by=staff if status == ClaimStatus.CONFIRMED else None,
        )
        for text in updates:
            ClaimUpdate.objects.create(claim=made, text=text, by=by or staff)
        return made

    ent, hosp, school = units[UnitKind.ENTERPRISE], units[UnitKind.HOSPITAL], units[UnitKind.SCHOOL]
    # Needs list
    item(ListKind.NEED, "3 栋楼道扶手老化需更换", community)
    n = item(ListKind.NEED, "独居老人助餐配送", community, ItemStatus.CLAIMED, days=40)
    claim(
        n,
        ClaimStatus.ACTIVE,
        unit=ent,
        by=contact,
        minutes=6 * 60,
        updates=("已安排 3 名员工志愿者每周送餐",),
    )
    n = item(ListKind.NEED, "小区健身器材维修", community, ItemStatus.COMPLETED, days=60)
    claim(
        n,
        ClaimStatus.COMPLETED,
        unit=ent,
        by=contact,
        amount=3200,
        minutes=12 * 60,
        evidence="更换器材 4 件，已验收",
    )
    n = item(ListKind.NEED, "暑期儿童托管", community, ItemStatus.CONFIRMED, days=120)
    claim(
        n,
        ClaimStatus.CONFIRMED,
        unit=school,
        amount=0,
        minutes=80 * 60,
        evidence="托管 6 周，32 名儿童",
    )
    # A need the resident 13800000001 (吴秀英) posted on her phone, waiting for review.
    from gongzhi.demo.places import RESIDENT_PHONE

    resident = User.objects.filter(phone_index=crypto.blind_index("phone", RESIDENT_PHONE)).first()
    if resident is not None:
        pending = item(
            ListKind.NEED,
            "小区门口缺少无障碍坡道",
            community,
            ItemStatus.PENDING,
            description="轮椅和婴儿车进出不便，希望共建单位帮忙修一条坡道。",
            days=1,
        )
        ListItem.objects.filter(pk=pending.pk).update(created_by=resident)
    from gongzhi.tickets.models import Ticket

    ticket = Ticket.objects.filter(place_path__startswith=community.path).order_by("-id").first()
    if ticket is not None and not ListItem.objects.filter(source_ticket=ticket).exists():
        item(
            ListKind.NEED,
            ticket.text[:100],
            community,
            source_ticket=ticket,
            description=ticket.text,
            days=3,
        )
    # Resources list
    r = item(
        ListKind.RESOURCE,
        "每月一次社区义诊",
        street,
        ItemStatus.CONFIRMED,
        category=ResourceKind.EXPERTISE,
        offered_by=hosp,
        days=90,
    )
    claim(r, ClaimStatus.CONFIRMED, minutes=16 * 60, evidence="义诊 4 次，服务 210 人次")
    item(
        ListKind.RESOURCE,
        "周末开放学校操场",
        community,
        category=ResourceKind.VENUE,
        offered_by=school,
    )
    item(
        ListKind.RESOURCE,
        "员工志愿者 20 人",
        street,
        category=ResourceKind.VOLUNTEERS,
        offered_by=ent,
        days=10,
    )
    r = item(
        ListKind.RESOURCE,
        "困难家庭助学金 2 万元",
        street,
        ItemStatus.CLAIMED,
        category=ResourceKind.FUNDS,
        offered_by=ent,
        days=20,
    )
    claim(r, ClaimStatus.ACTIVE, amount=8000, updates=("已确定首批 4 户资助对象",))
    # Projects list
    p = item(ListKind.PROJECT, "口袋公园改造", community, ItemStatus.CLAIMED, days=50)
    claim(
        p,
        ClaimStatus.ACTIVE,
        unit=ent,
        by=contact,
        amount=15000,
        updates=("完成设计方案", "材料已进场"),
    )
    item(ListKind.PROJECT, "老年食堂建设", community)
    audit.record(
        actor=None,
        action="demo_data.partners",
        target=street,
        place_path=street.path,
        changes={"units": len(UNITS)},
    )


def _vanguard(community) -> None:
    member = PartyMember.objects.filter(resident__user__username="partymember").first()
    staff = User.objects.filter(username="secretary").first()
    posts = [
        ServicePost.objects.create(community=community, name=n, place_path=community.path)
        for n in ("楼栋引导岗", "文明交通岗", "垃圾分类督导岗")
    ]
    tasks = [
        CommunityTask.objects.create(community=community, title=t, place_path=community.path)
        for t in ("清理楼道堆放杂物", "汛期巡查", "反诈宣传入户")
    ]
    if member is None:
        return
    today = clock.today()
    start = max(dt.date(today.year, 1, 2), today - dt.timedelta(days=200))
    family = (
        Resident.objects.filter(
            pk__in=ResidentTag.objects.filter(tag__in=CARE_TAGS).values("resident_id"),
            place_path__startswith=community.path,
            is_active=True,
        )
        .exclude(Q(pk=member.resident_id))
        .order_by("id")
        .first()
    )
    claims = [
        VanguardClaim.objects.create(
            member=member,
            kind=ClaimKind.POST,
            service_post=posts[0],
            community=community,
            claimed_on=start,
            place_path=community.path,
        ),
        VanguardClaim.objects.create(
            member=member,
            kind=ClaimKind.TASK,
            task=tasks[0],
            community=community,
            claimed_on=start,
            place_path=community.path,
        ),
    ]
    if family is not None:
        claims.append(
            VanguardClaim.objects.create(
                member=member,
                kind=ClaimKind.FAMILY,
                family=family,
                community=community,
                claimed_on=start,
                place_path=community.path,
            )
        )
    notes = (
        "早高峰引导居民有序出行",
        "清理 2 单元楼道杂物",
        "上门看望，帮助购买药品",
        "楼栋消防通道巡查",
    )
    for i in range(12):
        c = claims[i % len(claims)]
        day = min(today, start + dt.timedelta(days=15 * i))
        pending = i == 11
        ServiceRecord.objects.create(
            member=member,
            claim=c,
            served_on=day,
            minutes=90 + 30 * (i % 3),
            note=notes[i % len(notes)],
            status=RecordStatus.PENDING if pending else RecordStatus.CONFIRMED,
            confirmed_by=None if pending else staff,
            confirmed_at=None if pending else clock.now(),
            place_path=community.path,
        )
