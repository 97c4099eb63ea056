"""Demo owners' committees, a supervision committee and property companies (gongzhi/estates).

The estates of the demo community (the `secretary` login's, 春园社区) each get an owners'
committee with a current term whose members come from the estate's residents, in compositions
that show every case of the pages:
- two terms meet the rule and are filed with the street (the first estate also has an ended
  earlier term);
- one term is one party member short; one has a chair who is not a party member; one term has
  a member who left early (a vacancy); two committees record no party organisation;
- a candidate list with a negative-list entry and too few party members among the candidates.

The demo district's profile (loudi, seed 001) sets neither party-share key, so without more the
pages would only say 本地政策未规定. Three estates therefore name a profile of their own: two
the Lishui profile (002 §三(一)4: members ≥ 50 %, the chair a party member; companies with 3 full
members set up their own organisation), one the Wuhan East Lake profile (000 §五: candidates
≥ 60 %).

Companies: one serves two estates of the community and has its own party organisation; one,
registered by the street, serves an estate of the demo community and one of its neighbour (a
company shared across communities); one has no party organisation.

Ratings (issue 14 items 4–5): last year's evaluations of every committee and company of the
community (the community's assessments, published by the street with their star levels), the
third company on the street's black list two years running (barred where a profile sets the
bar: the Wuhan East Lake estate it serves), the first company on last year's red list, and this
year's satisfaction survey of the first estate in progress.

Everything goes through the services (one audit record each). Idempotent: when the first
estate already has a committee, nothing is added. Uses the default database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.translation import gettext as _

from gongzhi.core import clock, crypto
from gongzhi.core import services as core_services
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Role
from gongzhi.demo.places.scales import DEMO_PASSWORD, RESIDENT_PHONE
from gongzhi.estates import grants, ratings, rules, services
from gongzhi.estates.models import (
    CompanyStaff,
    ListColour,
    OwnersCommittee,
    PartyOrgForm,
    PropertyCompany,
    ServiceContract,
    StartupGrant,
    Survey,
)
from gongzhi.party.models import MemberStatus, OrgKind, PartyMember, PartyOrg
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind

# (party members, others, chair is a party member, filed, party organisation form)
COMPOSITIONS: tuple[tuple[int, int, bool, bool, str], ...] = (
    (3, 2, True, True, PartyOrgForm.SINGLE),
    (3, 2, True, True, PartyOrgForm.AFFILIATED),
    (2, 3, True, False, PartyOrgForm.JOINT),  # one party member short of half (Lishui)
    (3, 2, False, False, PartyOrgForm.JOINT),  # the chair is not a party member (Lishui)
    (3, 2, True, True, PartyOrgForm.JOINT),  # candidates short of 60 % (Wuhan East Lake)
    (4, 2, True, True, PartyOrgForm.AFFILIATED),  # a member left early: a vacancy
    (3, 2, True, False, ""),
    (3, 2, True, False, ""),
)
PROFILES = {
    1: "wuhan-east-lake",  # row 000-17: its new party branch's start-up funds await the street
    2: "lishui-lingshan",
    3: "lishui-lingshan",
    4: "wuhan-east-lake",
}
# Row 000-17 (000 §五): the new party branch of estate 4's committee got its start-up funds
# (paid, with a full-time secretary); estate 1's was requested and awaits the street.
GRANTS = ((4, True), (1, False))

COMPANIES = (
    ("春园物业服务有限公司", "91431302MA4L0CY01"),
    ("湘中物业管理有限公司", "91431300MA4L0XW02"),
    ("涟滨物业服务有限公司", "91431302MA4L0LB03"),
)


def _code(first17: str) -> str:
    return first17 + rules.credit_check_char(first17)


def _post_place(username: str, role: str) -> Place | None:
    post = (
        Post.objects.filter(user__username=username, role=role, is_active=True)
        .select_related("place")
        .first()
    )
    return post.place if post else None


def _people(estate: Place) -> tuple[list[Resident], list[Resident]]:
    residents = list(
        Resident.objects.filter(place_path__startswith=estate.path, is_active=True).order_by("id")
    )
    party = set(
        PartyMember.objects.filter(resident__in=residents, is_active=True).values_list(
            "resident_id", flat=True
        )
    )
    return [r for r in residents if r.pk in party], [r for r in residents if r.pk not in party]


def _org_for(estate: Place, community: Place) -> PartyOrg | None:
    return (
        PartyOrg.objects.filter(place_path__startswith=estate.path)
        .exclude(kind=OrgKind.MEMBER_HOUSEHOLD)
        .order_by("place_path")
        .first()
        or PartyOrg.objects.filter(place=community, kind=OrgKind.COMMUNITY_COMMITTEE).first()
    )


def _committee(
    i: int,
    estate: Place,
    community: Place,
    secretary: User,
    street: User,
    today: dt.date,
) -> tuple[OwnersCommittee | None, bool]:
    n_party, n_others, chair_party, filed, form = COMPOSITIONS[i]
    party, others = _people(estate)
    if len(party) < n_party or len(others) < n_others:
        return None, False  # too few residents on the registry for this composition
    committee = services.create_committee(estate, actor=secretary)
    if form:
        services.set_party_org(
            committee, actor=secretary, form=form, party_org=_org_for(estate, community)
        )
    number = 1
    if i == 0:  # an earlier term, ended at its end date
        old = services.add_term(
            committee,
            actor=secretary,
            number=1,
            starts_on=today.replace(year=today.year - 7),
            ends_on=today.replace(year=today.year - 2) - dt.timedelta(days=1),
            seats=5,
        )
        for k, person in enumerate(others[-5:]):
            services.add_member(old, actor=secretary, resident=person, is_chair=k == 0)
        number = 2
    term = services.add_term(
        committee,
        actor=secretary,
        number=number,
        starts_on=today.replace(year=today.year - 2),
        ends_on=today.replace(year=today.year + 3) - dt.timedelta(days=1),
        seats=n_party + n_others + (1 if i == 5 else 0),
    )
    chosen = party[:n_party] + others[:n_others]
    chair = chosen[0] if chair_party else others[0]
    for person in chosen:
        services.add_member(term, actor=secretary, resident=person, is_chair=person == chair)
    if filed:
        services.file_term(
            term,
            actor=street,
            filed_on=term.starts_on + dt.timedelta(days=20),
            filing_ref=f"乐坪街业备〔{term.starts_on.year}〕{i + 1}号",
        )
    if i == 5:
        leaver = term.members.get(resident=others[0])
        services.member_leaves(
            leaver, actor=secretary, left_on=today - dt.timedelta(days=40), reason="搬离本小区"
        )
    if i == 4 and len(party) > n_party:  # the next election: 2 of 5 who may stand are members
        clist = services.create_candidate_list(
            committee, actor=secretary, title=f"第{number + 1}届业主委员会候选人"
        )
        for person in party[n_party : n_party + 3] + others[n_others : n_others + 3]:
            services.add_candidate(clist, actor=secretary, resident=person)
        services.set_exclusion(
            clist.candidates.get(resident=party[n_party]),
            actor=secretary,
            excluded=True,
            reason="拖欠物业费且经催告仍未缴纳(负面清单第3项)",
        )
        services.review_list(clist, actor=secretary, note="社区党委已按正负面清单审核")
    return committee, filed


def _companies(
    community: Place,
    neighbour: Place | None,
    estates: list[Place],
    secretary: User,
    street: User,
    today: dt.date,
) -> list[PropertyCompany]:
    start = today.replace(year=today.year - 1, month=1, day=1)
    end = today.replace(year=today.year + 2, month=12, day=31)
    made = []
    own = services.add_company(
        community,
        actor=secretary,
        name=COMPANIES[0][0],
        credit_code=_code(COMPANIES[0][1]),
        address="春园路18号",
        contact_name="胡建军",
    )
    for estate, fee in zip(estates[:2], ("1.60", "1.80"), strict=False):
        services.add_contract(
            own,
            estate,
            actor=secretary,
            starts_on=start,
            ends_on=end,
            fee_yuan_per_m2=fee,
            scope="保洁、绿化、秩序维护、共用设施设备维修养护",
        )
    full = list(
        PartyMember.objects.filter(
            place_path__startswith=community.path, status=MemberStatus.FULL, is_active=True
        ).order_by("id")[:7]
    )
    services.set_party_staff(own, actor=secretary, members=full[:3])
    services.set_party_org(
        own,
        actor=secretary,
        form=PartyOrgForm.SINGLE,
        party_org=PartyOrg.objects.filter(
            place=community, kind=OrgKind.COMMUNITY_COMMITTEE
        ).first(),
    )
    made.append(own)
    shared = services.add_company(
        community.parent or community,
        actor=street,
        name=COMPANIES[1][0],
        credit_code=_code(COMPANIES[1][1]),
        address="乐坪大道66号",
    )
    targets = estates[2:3] + (
        [Place.objects.filter(path__startswith=neighbour.path, kind=PlaceKind.ESTATE).first()]
        if neighbour
        else []
    )
    for estate in [e for e in targets if e is not None]:
        services.add_contract(
            shared, estate, actor=street, starts_on=start, ends_on=end, fee_yuan_per_m2="1.20"
        )
    services.set_party_staff(shared, actor=street, members=full[3:5])
    made.append(shared)
    bare = services.add_company(
        community,
        actor=secretary,
        name=COMPANIES[2][0],
        credit_code=_code(COMPANIES[2][1]),
    )
    for estate in estates[3:6]:
        services.add_contract(
            bare,
            estate,
            actor=secretary,
            starts_on=start,
            ends_on=end,
            fee_yuan_per_m2="0.95",
            scope="保洁、秩序维护",
        )
    made.append(bare)
    return made


# The staff of the second and third companies (the first is the `property` login's company):
# (username, name); each gets a property_staff post at the company's first estate of the
# demo community and the demo password.
STAFF = (("xzwy-kefu", "邓志明"), ("lbwy-kefu", "罗春花"))


def _staff(companies: list[PropertyCompany], secretary: User, street: User) -> int:
    """Link a staff post to each company (issue 14 item 3: tickets for its estates reach them,
    its ratings count their tickets, meetings and follow-throughs): the `property` login's post
    (胡建军, at the first estate) to the first company, a new staff login to each of the
    others. Since the contract's start, so the published years use the links.
    Idempotent: a company that has a link is left alone."""
    linked = 0
    for i, company in enumerate(companies[:3]):
        if CompanyStaff.objects.filter(company=company).exists():
            continue
        contract = (
            ServiceContract.objects.filter(company=company)
            .select_related("estate")
            .order_by("place_path")
            .first()
        )
        if contract is None:
            continue
        actor = street if i == 1 else secretary
        if i == 0:
            post = Post.objects.filter(
                user__username="property", role=Role.PROPERTY_STAFF, is_active=True
            ).first()
        else:
            username, name = STAFF[i - 1]
            post = Post.objects.filter(
                user__username=username, role=Role.PROPERTY_STAFF, is_active=True
            ).first() or _new_staff(username, name, contract.estate, actor)
        if post is None:
            continue
        services.link_staff(company, post, actor=actor, since=contract.starts_on)
        linked += 1
    return linked


def _new_staff(username: str, name: str, estate: Place, actor: User) -> Post:
    """A demo staff login (the demo password, which the account service refuses for real
    accounts, as the other demo logins) with its post granted through the service."""
    user = User.objects.filter(username=username).first() or User.objects.create_user(
        username=username, password=DEMO_PASSWORD, name=name
    )
    return core_services.grant_post(user, Role.PROPERTY_STAFF, estate, actor=actor)


def _answers(estate: Place, survey_year: int, skip_user: User | None) -> int:
    """A few households of the first estate have answered this year's survey (in progress);
    the demo resident's household has not, so the survey can be tried on the phone."""
    survey = Survey.objects.filter(estate=estate, year=survey_year).first()
    if survey is None or survey.answers.exists():
        return 0
    skipped = resident_of(skip_user) if skip_user is not None else None
    skip_home = skipped.household_id if skipped is not None else None
    residents = (
        Resident.objects.filter(
            place_path__startswith=estate.path,
            is_active=True,
            user__isnull=False,
            household__isnull=False,
        )
        .select_related("user")
        .order_by("household_id", "id")
    )
    done: set[int] = set()
    for person in residents:
        home, user = person.household_id, person.user
        if home is None or user is None or home == skip_home or home in done or len(done) >= 6:
            continue
        ratings.answer_survey(
            survey,
            actor=user,
            company_score=(5, 4, 4, 3, 5, 2)[len(done)],
            committee_score=(4, 5, 3, 4, 4, 3)[len(done)],
        )
        done.add(home)
    return len(done)


# The community's assessments of last year, in turn (0–100).
ASSESSMENTS = (95, 88, 76, 64, 91, 82, 55, 71)


def _ratings(
    community: Place,
    estates: list[Place],
    companies: list[PropertyCompany],
    secretary: User,
    street: User,
    today: dt.date,
) -> int:
    street_place = community.parent
    if street_place is None:
        return 0
    last = today.year - 1
    for i, committee in enumerate(
        OwnersCommittee.objects.filter(community=community).order_by("place_path")
    ):
        ratings.assess(
            committee,
            actor=secretary,
            year=last,
            assessment=ASSESSMENTS[i % len(ASSESSMENTS)],
            note="按时召开业主大会，公开账目" if i % 2 == 0 else "履职基本到位，议事公开不够",
        )
    for j, company in enumerate(companies):
        if ServiceContract.objects.filter(
            company=company, place_path__startswith=community.path
        ).exists():
            ratings.assess(
                company,
                actor=secretary,
                year=last,
                assessment=(92, 78, 48)[j % 3],
                note=("服务规范，居民认可", "响应较慢", "投诉多、整改不力")[j % 3],
                community=community,
            )
    bare = companies[-1]
    for year in (last - 1, last):
        ratings.add_redblack(
            street_place,
            bare,
            actor=street,
            year=year,
            colour=ListColour.BLACK,
            reason="居民投诉集中，限期整改未落实",
            evidence=f"街道物业考评通报〔{year}〕2号",
        )
    ratings.add_redblack(
        street_place,
        companies[0],
        actor=street,
        year=last,
        colour=ListColour.RED,
        reason="党建引领物业服务，居民满意度高",
        evidence=f"街道物业考评通报〔{last}〕1号",
    )
    ratings.publish_year(street_place, actor=street, year=last - 1)
    published = ratings.publish_year(street_place, actor=street, year=last)
    ratings.open_survey(
        estates[0], actor=secretary, year=today.year, closes_on=dt.date(today.year, 12, 31)
    )
    _answers(estates[0], today.year, _demo_resident())
    return published


def _grants(
    community: Place, estates: list[Place], secretary: User, street: User, today: dt.date
) -> int:
    """Row 000-17: a new party branch for two committees under a profile that sets the
    start-up funds; one grant paid, one requested and awaiting the street. Once."""
    if StartupGrant.objects.filter(committee__community=community).exists():
        return 0
    made = 0
    for i, paid in GRANTS:
        if i >= len(estates) or grants.startup_amount(estates[i]).fen is None:
            continue
        estate = estates[i]
        committee = OwnersCommittee.objects.filter(estate=estate).first()
        if committee is None:
            continue
        org, _new = PartyOrg.objects.get_or_create(
            kind=OrgKind.BRANCH,
            place=estate,
            name=f"{estate.name}业主委员会党支部",
            defaults={"place_path": estate.path},
        )
        party, _others = _people(estate)
        leader = PartyMember.objects.filter(resident__in=party[:1]).first()
        if leader is not None and org.secretary_id is None:
            org.secretary = leader
            org.save(update_fields=["secretary"])
        services.set_party_org(
            committee,
            actor=secretary,
            form=committee.party_org_form or PartyOrgForm.SINGLE,
            party_org=org,
        )
        grant = grants.request_grant(committee, actor=secretary)
        if paid:
            grant = grants.approve_grant(grant, actor=street)
            grants.pay_grant(
                grant, actor=street, paid_on=today, payment_ref=f"乐坪街拨〔{today.year}〕3号"
            )
            grants.set_secretary_full_time(committee, actor=secretary, full_time=True)
        made += 1
    return made


def _demo_resident() -> User | None:
    return User.objects.filter(phone_index=crypto.blind_index("phone", RESIDENT_PHONE)).first()


def build(scale: Any, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None) -> str:
    community = _post_place("secretary", Role.COMMUNITY_SECRETARY)
    secretary = User.objects.filter(username="secretary").first()
    street = User.objects.filter(username="street").first()
    if community is None or secretary is None or street is None:
        return _("Estates: skipped (no demo community, secretary or street login)")
    estates = list(
        Place.objects.filter(path__startswith=community.path, kind=PlaceKind.ESTATE).order_by(
            "path"
        )[: len(COMPOSITIONS)]
    )
    if not estates:
        return _("Estates: skipped (the demo community has no estates)")
    if OwnersCommittee.objects.filter(community=community).exists():
        known = {
            c.name: c for c in PropertyCompany.objects.filter(name__in=[n for n, _c in COMPANIES])
        }
        if len(known) == len(COMPANIES):  # an older demo database: add the staff links
            with transaction.atomic():
                _staff([known[n] for n, _c in COMPANIES], secretary, street)
        with transaction.atomic():  # an older demo database: add the start-up grants
            for i, name in PROFILES.items():
                if i < len(estates) and not estates[i].policy_profile:
                    Place.objects.filter(pk=estates[i].pk).update(policy_profile=name)
                    estates[i].policy_profile = name
            _grants(community, estates, secretary, street, clock.today())
        return _(
            "Estates: already present (%(committees)s owners' committees, %(companies)s property "
            "companies)"
        ) % {
            "committees": OwnersCommittee.objects.count(),
            "companies": PropertyCompany.objects.count(),
        }
    today = clock.today()
    neighbour = (
        Place.objects.filter(parent=community.parent, kind=PlaceKind.COMMUNITY)
        .exclude(pk=community.pk)
        .order_by("path")
        .first()
    )
    with transaction.atomic():
        for i, name in PROFILES.items():
            if i < len(estates):
                Place.objects.filter(pk=estates[i].pk).update(policy_profile=name)
                estates[i].policy_profile = name
        filed = made = 0
        for i, estate in enumerate(estates):
            committee, was_filed = _committee(i, estate, community, secretary, street, today)
            made += committee is not None
            filed += was_filed
        for i, person in enumerate(_people(estates[0])[1][:5]):
            services.add_supervisor(
                community,
                actor=secretary,
                resident=person,
                since=today.replace(year=today.year - 1),
                is_chair=i == 0,
            )
        companies = _companies(community, neighbour, estates, secretary, street, today)
        _staff(companies, secretary, street)
        rated = _ratings(community, estates, companies, secretary, street, today)
        funded = _grants(community, estates, secretary, street, today)
    return _(
        "Estates: %(community)s, %(committees)s owners' committees (%(filed)s terms filed), "
        "a supervision committee, %(companies)s property companies, %(rated)s ratings published, "
        "%(funded)s start-up grants"
    ) % {
        "funded": funded,
        "rated": rated,
        "community": community.name,
        "committees": made,
        "filed": filed,
        "companies": len(companies),
    }
