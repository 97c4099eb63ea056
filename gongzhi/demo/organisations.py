"""Demo social organisations (gongzhi/organisations): organisations across the demo street's
communities with every status (filed with the street, registered with civil affairs, dissolved),
every kind, ratings from 3A to 5A and none, a party organisation or none (listed); the three
levels of incubators with organisations at every stage; the `partner` login acting for three of
them; one venture-philanthropy round of the street with experts (`district`, `secretary`),
scores, two winners, milestones with evidence and a final report, published.

The demo district's policy document (loudi, seed 001) sets no subsidy rules and no venture cap
(they are 000 §四's): the subsidies page therefore shows the street's budget and no application
— an organisation's application is refused with that reason — and the round's cap is typed by
the street and says so. The counts per community show "not set by this document" (002's 15
is Lishui's). Every write goes through the services; idempotent: when the demo street already
has organisations, nothing is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock, credit_codes
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.organisations import services, workflow
from gongzhi.organisations.models import (
    DocumentKind,
    OrgKind,
    OrgStatus,
    ServiceField,
)
from gongzhi.party.models import PartyOrg
from gongzhi.places.models import Place, PlaceKind

# (name, kind, status, field, rating)
ORGS: tuple[tuple[str, str, str, str, str], ...] = (
    ("夕阳红助老服务队", OrgKind.SOCIAL_GROUP, OrgStatus.FILED, ServiceField.ELDERLY, ""),
    ("阳光社会工作服务中心", OrgKind.SERVICE_ORG, OrgStatus.REGISTERED, ServiceField.CHILDREN, "5"),
    ("邻里守望互助会", OrgKind.SOCIAL_GROUP, OrgStatus.FILED, ServiceField.CHARITY, ""),
    ("和美家庭调解工作室", OrgKind.SOCIAL_GROUP, OrgStatus.REGISTERED, ServiceField.MEDIATION, "4"),
    ("康乐健身协会", OrgKind.SOCIAL_GROUP, OrgStatus.REGISTERED, ServiceField.CULTURE, "3"),
    (
        "善食社区助餐社会企业",
        OrgKind.SOCIAL_ENTERPRISE,
        OrgStatus.REGISTERED,
        ServiceField.ELDERLY,
        "",
    ),
    ("绿色家园环保志愿队", OrgKind.SOCIAL_GROUP, OrgStatus.FILED, ServiceField.ENVIRONMENT, ""),
    ("助残之家康复服务社", OrgKind.SERVICE_ORG, OrgStatus.REGISTERED, ServiceField.DISABLED, "4"),
    ("书香读书会", OrgKind.SOCIAL_GROUP, OrgStatus.FILED, ServiceField.CULTURE, ""),
    ("娄星社区公益基金会", OrgKind.FOUNDATION, OrgStatus.REGISTERED, ServiceField.CHARITY, "3"),
    ("红领巾课后托管服务社", OrgKind.SERVICE_ORG, OrgStatus.REGISTERED, ServiceField.CHILDREN, ""),
    ("老兵宣讲团", OrgKind.SOCIAL_GROUP, OrgStatus.FILED, ServiceField.VOLUNTEERING, ""),
    ("广场舞协会", OrgKind.SOCIAL_GROUP, OrgStatus.FILED, ServiceField.CULTURE, ""),
    ("健康守护志愿服务队", OrgKind.SOCIAL_GROUP, OrgStatus.FILED, ServiceField.HEALTH, ""),
)
PREFIX: dict[str, str] = {
    OrgKind.SOCIAL_GROUP: "51",
    OrgKind.SERVICE_ORG: "52",
    OrgKind.FOUNDATION: "53",
    OrgKind.SOCIAL_ENTERPRISE: "92",
}
# How many of ORGS each community of the street gets (the demo community first).
PER_COMMUNITY = (12, 7, 5, 3, 1)
PROJECTS = (
    (
        "长者助餐送餐上门",
        "每周三次为独居、高龄老人送餐上门，覆盖80位老人，配套健康随访。",
        "120000",
    ),
    ("四点半课堂", "放学后为双职工家庭儿童提供作业辅导与安全看护，每学期60名儿童。", "80000"),
    ("邻里调解进楼栋", "在楼栋设立调解点，培训20名楼栋调解员，化解邻里纠纷。", "50000"),
    ("残障人士康复陪伴", "为辖区40名残障人士提供上门康复训练和陪伴服务。", "90000"),
)


def _code(kind: str, n: int) -> str:
    first = f"{PREFIX[kind]}431302MJ{n:07d}"
    return first + credit_codes.check_char(first)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    from gongzhi.organisations.models import Organisation, VentureRound

    street_user, district_user = _user("street"), _user("district")
    secretary, partner = _user("secretary"), _user("partner")
    post = Post.objects.filter(
        user__username="secretary", role=Role.COMMUNITY_SECRETARY, is_active=True
    ).first()
    if None in (street_user, district_user, secretary, partner) or post is None or not post.place:
        return _("Social organisations: skipped (no demo logins)")
    assert street_user and district_user and secretary and partner
    community = post.place
    street = community.parent
    assert street is not None and street.parent is not None
    if Organisation.objects.filter(place_path__startswith=street.path).exists():
        return _("Social organisations: already present (%(n)s organisations)") % {
            "n": Organisation.objects.count()
        }
    today = clock.today()
    communities = [community] + list(
        Place.objects.filter(parent=street, kind=PlaceKind.COMMUNITY)
        .exclude(pk=community.pk)
        .order_by("path")[: len(PER_COMMUNITY) - 1]
    )
    with transaction.atomic():
        made: list[Any] = []
        n = 0
        for place, count in zip(communities, PER_COMMUNITY, strict=False):
            party = PartyOrg.objects.filter(place_path=place.path).first()
            for i, (name, kind, status, field, rating) in enumerate(ORGS[:count]):
                n += 1
                label = name if place == community else f"{place.name[:2]}{name}"
                registered = status == OrgStatus.REGISTERED
                org = services.register(
                    place,
                    actor=street_user,
                    name=label,
                    kind=kind,
                    status=status,
                    field=field,
                    credit_code=_code(kind, n) if registered else "",
                    filed_on=None if registered else today - dt.timedelta(days=400 + 20 * i),
                    registered_on=today - dt.timedelta(days=700 + 30 * i) if registered else None,
                    contact_name=f"负责人{n}",
                    office_phone=f"0738-8{n:03d}1234",
                    original_fund_yuan="5000000" if kind == OrgKind.FOUNDATION else None,
                    certified_on=today - dt.timedelta(days=90)
                    if kind == OrgKind.SOCIAL_ENTERPRISE
                    else None,
                )
                if rating:
                    services.set_rating(
                        org,
                        actor=street_user,
                        rating=rating,
                        rated_on=today - dt.timedelta(days=200),
                    )
                if party is not None and i % 3 == 1:
                    services.set_party_org(org, actor=street_user, party_org=party)
                made.append(org)
        # The file of the 5A organisation.
        for kind, title, ref, days in (
            (DocumentKind.CERTIFICATE, "民办非企业单位登记证书", "娄星民证字第0002号", 700),
            (DocumentKind.CHARTER, "章程（2024年修订）", "", 650),
            (DocumentKind.RATING, "社会组织评估等级证书（5A）", "娄民评字〔2026〕5号", 200),
        ):
            services.add_document(
                made[1],
                actor=street_user,
                kind=kind,
                title=title,
                reference=ref,
                issued_on=today - dt.timedelta(days=days),
            )
        # One dissolved organisation in the demo community.
        services.dissolve(
            made[11],
            actor=street_user,
            on=today - dt.timedelta(days=30),
            reason="成员流失，自行注销",
        )
        # Incubators at the three levels.
        base = services.add_incubator(
            street.parent,
            actor=district_user,
            name=f"{street.parent.name}社会组织培育基地",
            opened_on=today - dt.timedelta(days=1500),
        )
        federation = services.add_incubator(
            street,
            actor=street_user,
            name=f"{street.name}社会组织联合会",
            opened_on=today - dt.timedelta(days=1000),
            operator=made[1],
        )
        studio = services.add_incubator(
            community,
            actor=secretary,
            name=f"{community.name}社会组织工作室",
            opened_on=today - dt.timedelta(days=600),
        )
        stages = (
            (made[0], studio, "graduated"),
            (made[2], studio, "incubating"),
            (made[6], studio, "incubating"),
            (made[8], studio, "applied"),
            (made[12], federation, "withdrawn"),
            (made[13], federation, "applied"),
            (made[14] if len(made) > 14 else made[4], base, "incubating"),
        )
        for org, incubator, stage in stages:
            start = today - dt.timedelta(days=300)
            inc = services.apply_incubation(org, incubator, actor=district_user, applied_on=start)
            if stage == "applied":
                continue
            if stage == "withdrawn":
                services.step_incubation(
                    inc,
                    workflow.Step.WITHDRAW,
                    actor=district_user,
                    on=start + dt.timedelta(days=20),
                    note="负责人调离",
                )
                continue
            inc = services.step_incubation(
                inc,
                workflow.Step.ADMIT,
                actor=district_user,
                on=start + dt.timedelta(days=15),
                mentor="周晓燕（督导社工）",
            )
            if stage == "graduated":
                services.step_incubation(
                    inc,
                    workflow.Step.GRADUATE,
                    actor=district_user,
                    on=today - dt.timedelta(days=30),
                )
        # The partner login acts for three organisations of the demo community.
        for org in (made[1], made[3], made[7]):
            services.link_contact(org, actor=street_user, user=partner)
        # The year's subsidy budget (the rules themselves are not in the loudi document).
        services.set_budget(street, today.year, actor=street_user, amount_yuan="600000")
        # One venture-philanthropy round of the street, with winners.
        rnd = services.open_round(
            street,
            actor=street_user,
            year=today.year,
            title=f"{today.year}年{street.name}公益创投大赛",
            call="面向辖区社会组织征集为老、助残、儿童和邻里调解服务项目。每个项目须有实施计划、预算和里程碑。",
            budget_yuan="200000",
            prize_cap_yuan="100000",
            closes_on=today + dt.timedelta(days=30),
        )
        projects = []
        for org, (title, plan, budget) in zip(
            (made[1], made[1], made[3], made[7]), PROJECTS, strict=True
        ):
            projects.append(
                services.apply_venture(
                    rnd, org, actor=partner, title=title, plan=plan, budget_yuan=budget
                )
            )
        services.appoint_expert(rnd, district_user, actor=street_user)
        services.appoint_expert(rnd, secretary, actor=street_user)
        rnd = services.start_review(rnd, actor=street_user)
        for project, (a, b) in zip(projects, ((92, 88), (85, 83), (78, 74), (70, 72)), strict=True):
            services.score(project, actor=district_user, value=a, comment="方案可行，预算合理")
            services.score(project, actor=secretary, value=b, comment="居民需求迫切")
        services.award(projects[0], actor=street_user, amount_yuan="100000", reason="一等奖")
        services.award(projects[1], actor=street_user, amount_yuan="60000", reason="二等奖")
        rnd = services.publish_results(rnd, actor=street_user)
        m1 = services.add_milestone(
            projects[0], actor=partner, title="招募送餐志愿者", due_on=today + dt.timedelta(days=30)
        )
        services.add_milestone(
            projects[0], actor=partner, title="完成首季度送餐", due_on=today + dt.timedelta(days=90)
        )
        services.complete_milestone(
            m1, actor=partner, done_on=today, evidence="志愿者名单32人，培训签到表"
        )
        m3 = services.add_milestone(
            projects[1], actor=partner, title="开课", due_on=today + dt.timedelta(days=10)
        )
        services.complete_milestone(m3, actor=partner, done_on=today, evidence="开班照片与签到表")
        services.final_report(
            projects[1], actor=partner, text="本学期服务儿童62名，开展课后辅导96次，家长满意率97%。"
        )
        linked = _pick_in_other_apps(community, secretary, made, today)
    return _(
        "Social organisations: %(n)s organisations, %(rounds)s venture-philanthropy round, "
        "%(linked)s records of other apps naming one"
    ) % {
        "linked": linked,
        "n": Organisation.objects.count(),
        "rounds": VentureRound.objects.count(),
    }


def _pick_in_other_apps(community: Place, secretary: User, made: list[Any], today: Any) -> int:
    """Issue 16 item 1 in the demo: an activity organised by a registered organisation, a
    partner unit that is one, and a micro-project payment to one — all picked on the register
    through the services. The partners demo's street unit 乐坪爱心社工服务中心, typed before the
    register and on it under no such name, stays unlinked (its page says so): the gap."""
    from django.core.exceptions import ValidationError

    from gongzhi.microprojects import services as microprojects
    from gongzhi.microprojects.models import Project, Selection
    from gongzhi.partners import services as partners
    from gongzhi.volunteering import services as volunteering

    linked = 0
    start = clock.now().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    try:
        volunteering.publish(
            actor=secretary,
            community=community,
            organiser_kind="social_org",
            organisation=made[0],
            title="长者义剪与健康咨询",
            description="夕阳红助老服务队组织志愿者为辖区长者义务理发、测量血压。",
            location="社区党群服务中心一楼",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            capacity=12,
        )
        linked += 1
    except ValidationError:
        pass
    try:
        partners.add_unit(
            community, actor=secretary, name="", kind="social_org", organisation=made[1]
        )
        linked += 1
    except ValidationError:
        pass
    project = (
        Project.objects.filter(
            place_path=community.path, selection=Selection.SELECTED, title="楼栋信箱更换"
        )
        .order_by("-round__year")
        .first()
    )
    if project is not None:
        try:
            microprojects.add_spending(
                project,
                actor=secretary,
                amount="600",
                item="住户回访与意见收集",
                organisation=made[2],
                paid_on=today - dt.timedelta(days=30),
                note="由社会组织完成",
            )
            linked += 1
        except ValidationError:
            pass
    return linked
