"""Reads of owners' committees, supervision committees and property companies for a viewer,
narrowed with `access.scoped` (404 outside the read scope).

A property company is seen by those whose area holds its registering place, one of its
contracts' estates, or lies below the street that registered it: a company shared by estates of
two communities is seen by both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from gongzhi.core import access, clock
from gongzhi.core.models import Post
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.estates import rules, scoring
from gongzhi.estates.models import (
    Candidate,
    CandidateList,
    CompanyStaff,
    Evaluation,
    ListColour,
    OwnersCommittee,
    PartyOrgForm,
    PropertyCompany,
    RedBlackEntry,
    ServiceContract,
    StartupGrant,
    SupervisionCommittee,
    SupervisionMember,
    Survey,
    SurveyAnswer,
    Term,
    TermMember,
)
from gongzhi.owners.models import OwnersVote
from gongzhi.party.models import MemberStatus, PartyMember, PartyOrg
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind

VIEW = Action.ESTATE_VIEW


# --------------------------------------------------------------------------- committees


def visible_committees(user: Viewer) -> QuerySet[OwnersCommittee]:
    return access.scoped(OwnersCommittee.objects.all(), user, VIEW, path_field="place_path")


def committee_rows(user: Viewer) -> QuerySet[OwnersCommittee]:
    return visible_committees(user).select_related("estate", "community", "party_org")


def get_committee(user: Viewer, pk: object) -> OwnersCommittee:
    return get_object_or_404(committee_rows(user), pk=pk if str(pk).isdigit() else 0)


def terms_of(committee: OwnersCommittee) -> list[Term]:
    return list(
        committee.terms.select_related("elected_by").prefetch_related(
            Prefetch(
                "members",
                queryset=TermMember.objects.select_related("resident").order_by(
                    "left_on", "-is_chair", "id"
                ),
            )
        )
    )


def current_term(committee: OwnersCommittee) -> Term | None:
    today = clock.today()
    for term in committee.terms.order_by("-number"):
        if term.starts_on <= today <= term.last_day:
            return term
    return None


def get_term(user: Viewer, pk: object) -> Term:
    return get_object_or_404(
        access.scoped(Term.objects.select_related("committee__estate"), user, VIEW, "place_path"),
        pk=pk if str(pk).isdigit() else 0,
    )


def get_member(user: Viewer, pk: object) -> TermMember:
    return get_object_or_404(
        access.scoped(
            TermMember.objects.select_related("term__committee__estate", "resident"),
            user,
            VIEW,
            "term__place_path",
        ),
        pk=pk if str(pk).isdigit() else 0,
    )


def candidate_lists_of(committee: OwnersCommittee) -> list[CandidateList]:
    return list(
        committee.candidate_lists.select_related("reviewed_by").prefetch_related(
            Prefetch("candidates", queryset=Candidate.objects.select_related("resident"))
        )
    )


def get_list(user: Viewer, pk: object) -> CandidateList:
    return get_object_or_404(
        access.scoped(
            CandidateList.objects.select_related("committee__estate"), user, VIEW, "place_path"
        ),
        pk=pk if str(pk).isdigit() else 0,
    )


def get_candidate(user: Viewer, pk: object) -> Candidate:
    return get_object_or_404(
        access.scoped(
            Candidate.objects.select_related("candidate_list__committee__estate", "resident"),
            user,
            VIEW,
            "candidate_list__place_path",
        ),
        pk=pk if str(pk).isdigit() else 0,
    )


def estates_without_committee(user: Viewer) -> QuerySet[Place]:
    """Estates where the viewer may set up a committee and none exists yet."""
    taken = OwnersCommittee.objects.filter(estate=OuterRef("pk"))
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.ESTATE).filter(~Exists(taken)),
        user,
        Action.ESTATE_MANAGE,
    ).order_by("path")


def residents_of(user: Viewer, place: Place) -> QuerySet[Resident]:
    """Active residents of `place` the viewer may see in the registry (for choosing members)."""
    return access.scoped(
        Resident.objects.filter(is_active=True, place_path__under=place.path),
        user,
        Action.RESIDENT_VIEW,
        path_field="place_path",
        own_field="household_id",
    ).order_by("name", "id")


def votes_of(estate: Place) -> QuerySet[OwnersVote]:
    return OwnersVote.objects.filter(estate=estate).order_by("-id")


def party_orgs_for(user: Viewer, place: Place) -> QuerySet[PartyOrg]:
    """Party organisations the viewer may choose for a body at `place`: those of its community."""
    community = place.ancestor_paths()[access.COMMUNITY_DEPTH]
    return access.scoped(
        PartyOrg.objects.filter(place_path__under=community), user, Action.PARTY_VIEW, "place_path"
    ).order_by("place_path", "name")


# --------------------------------------------------------------------------- shares


@dataclass(frozen=True)
class CommitteeShares:
    committee: OwnersCommittee
    term: Term | None
    members: rules.Share | None
    candidates: rules.Share | None
    candidate_list: CandidateList | None

    @property
    def ok(self) -> bool:
        return all(s is None or s.ok for s in (self.members, self.candidates))


def _member_share(term: Term) -> rules.Share:
    current = [m for m in term.members.all() if m.left_on is None]
    chair = next((m.resident_id for m in current if m.is_chair), None)
    return rules.member_share(term.committee.estate, [m.resident_id for m in current], chair)


def _list_share(clist: CandidateList) -> rules.Share:
    ids = [c.resident_id for c in clist.candidates.all() if not c.excluded]
    return rules.candidate_share(clist.committee.estate, ids)


def shares_of(committee: OwnersCommittee) -> CommitteeShares:
    term = current_term(committee)
    clist = committee.candidate_lists.order_by("-created_at", "-id").first()
    return CommitteeShares(
        committee=committee,
        term=term,
        members=_member_share(term) if term else None,
        candidates=_list_share(clist) if clist else None,
        candidate_list=clist,
    )


def falling_short(user: Viewer) -> list[CommitteeShares]:
    """Committees whose current term or latest candidate list breaks a rule of the effective
    profile. The shares are computed in a bounded number of queries for any number of rows."""
    committees = list(
        committee_rows(user).prefetch_related(
            Prefetch(
                "terms",
                queryset=Term.objects.prefetch_related("members").order_by("-number"),
            ),
            Prefetch(
                "candidate_lists",
                queryset=CandidateList.objects.prefetch_related("candidates").order_by(
                    "-created_at", "-id"
                ),
            ),
        )
    )
    resident_ids: set[int] = set()
    for c in committees:
        for t in c.terms.all():
            resident_ids.update(m.resident_id for m in t.members.all())
        for cl in c.candidate_lists.all():
            resident_ids.update(x.resident_id for x in cl.candidates.all())
    party = rules.party_residents(resident_ids)
    keys = rules.keys_for([c.estate for c in committees])
    today = clock.today()
    out: list[CommitteeShares] = []
    for c in committees:
        member_req, member_cite, cand_req, cand_cite = keys[c.estate.pk]
        term = next((t for t in c.terms.all() if t.starts_on <= today <= t.last_day), None)
        members = None
        if term is not None:
            current = [m for m in term.members.all() if m.left_on is None]
            chair = next((m.resident_id for m in current if m.is_chair), None)
            members = rules.Share(
                total=len(current),
                party=sum(1 for m in current if m.resident_id in party),
                required=member_req,
                citation=member_cite,
                key=rules.MEMBER_KEY,
                chair_required=member_req is not None,
                chair_is_party=None if chair is None else chair in party,
            )
        clist = next(iter(c.candidate_lists.all()), None)
        candidates = None
        if clist is not None:
            ids = [x.resident_id for x in clist.candidates.all() if not x.excluded]
            candidates = rules.Share(
                total=len(ids),
                party=sum(1 for i in ids if i in party),
                required=cand_req,
                citation=cand_cite,
                key=rules.CANDIDATE_KEY,
            )
        row = CommitteeShares(c, term, members, candidates, clist)
        if not row.ok:
            out.append(row)
    return out


# --------------------------------------------------------------------------- supervision


def visible_supervision(user: Viewer) -> QuerySet[SupervisionCommittee]:
    return access.scoped(
        SupervisionCommittee.objects.select_related("community").prefetch_related(
            Prefetch(
                "members",
                queryset=SupervisionMember.objects.filter(left_on=None).select_related("resident"),
                to_attr="current_members",
            )
        ),
        user,
        VIEW,
        path_field="place_path",
    )


def communities_for(user: Viewer, action: str = Action.ESTATE_MANAGE) -> QuerySet[Place]:
    return access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, action).order_by(
        "path"
    )


def get_supervisor(user: Viewer, pk: object) -> SupervisionMember:
    return get_object_or_404(
        access.scoped(
            SupervisionMember.objects.select_related("committee", "resident"),
            user,
            VIEW,
            "committee__place_path",
        ),
        pk=pk if str(pk).isdigit() else 0,
    )


# --------------------------------------------------------------------------- companies


def _company_q(user: Viewer) -> Q:
    q = access.scope_q(user, VIEW, path_field="place_path")
    contracts = access.scoped(ServiceContract.objects.all(), user, VIEW, "place_path")
    q |= Q(pk__in=contracts.values("company_id"))
    above: set[str] = set()
    for grant in access.grants(user, VIEW):
        if grant.path:
            above.update(_ancestor_paths(grant.path))
    if above:
        q |= Q(place_path__in=above)
    return q


def _ancestor_paths(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts))]


def visible_companies(user: Viewer) -> QuerySet[PropertyCompany]:
    return PropertyCompany.objects.filter(_company_q(user))


def company_rows(user: Viewer) -> QuerySet[PropertyCompany]:
    full = PartyMember.objects.filter(status=MemberStatus.FULL, is_active=True)
    return (
        visible_companies(user)
        .select_related("place", "party_org")
        .annotate(
            party_count=Count("party_staff", filter=Q(party_staff__is_active=True), distinct=True),
            full_count=Count("party_staff", filter=Q(party_staff__in=full), distinct=True),
            contract_count=Count("contracts", distinct=True),
        )
        .order_by("name", "id")
    )


def company_rows_with_staff(user: Viewer) -> QuerySet[PropertyCompany]:
    """company_rows with the staff links (the API's `staff` field) fetched in one query."""
    links = CompanyStaff.objects.select_related("post__user").order_by("-since", "id")
    return company_rows(user).prefetch_related(Prefetch("staff_links", queryset=links))


def get_company(user: Viewer, pk: object) -> PropertyCompany:
    return get_object_or_404(company_rows(user), pk=pk if str(pk).isdigit() else 0)


def company_by_code(code: str) -> PropertyCompany | None:
    """A registered company by its credit code (public business registration data), so that
    a community can add a contract with a company another community registered."""
    return PropertyCompany.objects.filter(credit_code=code.strip().upper()).first()


def contracts_of(user: Viewer, company: PropertyCompany) -> QuerySet[ServiceContract]:
    return company.contracts.select_related("estate").order_by("-starts_on", "id")


def party_staff_of(company: PropertyCompany) -> QuerySet[PartyMember]:
    return company.party_staff.select_related("resident", "org").order_by("id")


def staff_links_of(company: PropertyCompany) -> QuerySet[CompanyStaff]:
    """The company's staff (issue 14 item 3): the posts linked to it, current ones first."""
    return company.staff_links.select_related("post__user", "post__place").order_by(
        "-ended_on", "-since", "id"
    )


def current_staff_links(company: PropertyCompany) -> QuerySet[CompanyStaff]:
    return staff_links_of(company).filter(ended_on__isnull=True)


def staff_post_choices(user: Viewer, company: PropertyCompany) -> QuerySet[Post]:
    """Active property_staff posts the viewer manages, at a place the company serves (under
    its registering place or at/under/above one of its contract estates), not linked yet."""
    serves = Q(place__path__under=company.place_path)
    for estate in company.contracts.values_list("place_path", flat=True):
        serves |= Q(place__path__under=estate) | Q(place__path__in=_ancestor_paths(estate))
    linked = current_staff_links(company).values("post_id")
    return (
        access.scoped(
            Post.objects.filter(role=Role.PROPERTY_STAFF, is_active=True, place__isnull=False),
            user,
            Action.ESTATE_MANAGE,
            "place__path",
        )
        .filter(serves)
        .exclude(pk__in=linked)
        .select_related("user", "place")
        .order_by("place__path", "user__name", "id")
    )


def get_staff_link(user: Viewer, pk: object) -> CompanyStaff:
    return get_object_or_404(
        access.scoped(CompanyStaff.objects.select_related("company"), user, VIEW, "place_path"),
        pk=pk if str(pk).isdigit() else 0,
    )


def party_members_for(user: Viewer) -> QuerySet[PartyMember]:
    """Active party members the viewer may choose from the party registry."""
    return access.scoped(
        PartyMember.objects.filter(is_active=True).select_related("resident"),
        user,
        Action.PARTY_VIEW,
        "place_path",
    ).order_by("resident__name", "id")


def estates_for(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.ESTATE), user, Action.ESTATE_MANAGE
    ).order_by("path")


def registering_places(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind__in=(PlaceKind.STREET, PlaceKind.COMMUNITY)),
        user,
        Action.ESTATE_MANAGE,
    ).order_by("path")


# --------------------------------------------------------------------------- party organisations


@dataclass(frozen=True)
class Unorganised:
    kind: str  # "committee" or "company"
    body: OwnersCommittee | PropertyCompany
    reason: str  # "none" or "own_required"
    party_count: int = 0
    minimum: int | None = None


def without_party_org(user: Viewer) -> list[Unorganised]:
    """Bodies with no party organisation recorded, and companies with at least the profile's
    `property.party_org_min_members` full party members that have no organisation of their
    own (seed 002 §三(一)4: 单独组建)."""
    out: list[Unorganised] = [
        Unorganised("committee", c, "none") for c in committee_rows(user).filter(party_org_form="")
    ]
    companies = list(company_rows(user))
    minimums = rules.company_minimums([c.place for c in companies])
    for company in companies:
        minimum = minimums[company.place.pk]
        full = getattr(company, "full_count", 0)
        if not company.party_org_form:
            out.append(Unorganised("company", company, "none", full, minimum))
        elif (
            minimum is not None
            and full >= minimum
            and company.party_org_form != PartyOrgForm.SINGLE
        ):
            out.append(Unorganised("company", company, "own_required", full, minimum))
    return out


def unorganised_for_party(user: Viewer) -> list[tuple[str, str, int]]:
    """The party registry's list of bodies without an organisation links here
    (party.selectors.add_unorganised_provider): one row per kind of body, with its count."""
    if not access.has_any(user, VIEW):
        return []
    rows = without_party_org(user)
    link = reverse("estates:compliance") + "?tab=orgs"
    return [
        (str(label), link, n)
        for label, kind in (
            (_("Owners' committees without a party organisation"), "committee"),
            (_("Property companies without a party organisation"), "company"),
        )
        if (n := sum(1 for r in rows if r.kind == kind))
    ]


# --------------------------------------------------------------------------- vacancies


@dataclass(frozen=True)
class Vacancy:
    term: Term
    seats: int
    filled: int

    @property
    def open(self) -> int:
        return self.seats - self.filled


def vacancies(user: Viewer) -> list[Vacancy]:
    """Current terms with fewer members than seats (members who left early included)."""
    today = clock.today()
    terms = (
        access.scoped(Term.objects.all(), user, VIEW, "place_path")
        .filter(starts_on__lte=today, ends_on__gte=today, ended_early_on=None)
        .select_related("committee__estate")
        .annotate(filled=Count("members", filter=Q(members__left_on=None)))
        .order_by("place_path")
    )
    return [Vacancy(t, t.seats, t.filled) for t in terms if t.filled < t.seats]


def party_orgs_in(user: Viewer) -> QuerySet[PartyOrg]:
    """Party organisations the viewer may choose anywhere in their area."""
    return access.scoped(PartyOrg.objects.all(), user, Action.PARTY_VIEW, "place_path").order_by(
        "place_path", "name"
    )


def org_minimum(company: PropertyCompany) -> int | None:
    """The effective `property.party_org_min_members` for the company (None: not set)."""
    return rules.company_org_minimum(company.place)


def party_set(resident_ids: set[int] | list[int]) -> set[int]:
    """Which of these residents are active party members (one query)."""
    return rules.party_residents(resident_ids)


def visible_terms(user: Viewer) -> QuerySet[Term]:
    return (
        access.scoped(Term.objects.all(), user, VIEW, "place_path")
        .select_related("committee__estate", "committee__community")
        .prefetch_related("members__resident")
        .order_by("id")
    )


def visible_lists(user: Viewer) -> QuerySet[CandidateList]:
    return (
        access.scoped(CandidateList.objects.all(), user, VIEW, "place_path")
        .select_related("committee__estate")
        .order_by("id")
    )


def no_residents() -> QuerySet[Resident]:
    return Resident.objects.none()


# --------------------------------------------------------------------------- ratings (items 4, 5)


def _near_q(user: Viewer, action: str) -> Q:
    """Rows at or below the viewer's places, and rows at the places above them (a street's
    red and black list is read by its communities)."""
    q = access.scope_q(user, action, path_field="place_path")
    above: set[str] = set()
    for grant in access.grants(user, action):
        if grant.path:
            above.update(_ancestor_paths(grant.path))
    if above:
        q |= Q(place_path__in=above)
    return q


def rating_years() -> list[int]:
    this = clock.today().year
    return list(range(this - 1, this - 6, -1))


def evaluations(user: Viewer, year: int) -> QuerySet[Evaluation]:
    return (
        access.scoped(Evaluation.objects.filter(year=year), user, VIEW, "place_path")
        .select_related("company", "committee__estate")
        .order_by("kind", "place_path", "id")
    )


def redblack(user: Viewer, year: int) -> QuerySet[RedBlackEntry]:
    return (
        RedBlackEntry.objects.filter(_near_q(user, VIEW), year=year)
        .select_related("street", "company", "committee__estate")
        .order_by("colour", "id")
    )


def public_redblack(user: Viewer) -> QuerySet[RedBlackEntry]:
    """The published lists of the streets above the viewer's community (anyone posted there)."""
    return (
        RedBlackEntry.objects.filter(
            _near_q(user, Action.COMMUNITY_PUBLIC_VIEW), published_at__isnull=False
        )
        .select_related("street", "company", "committee__estate")
        .order_by("-year", "colour", "id")
    )


def streets_for(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.STREET), user, Action.ESTATE_RATE
    ).order_by("path")


def surveys(user: Viewer, year: int) -> QuerySet[Survey]:
    return (
        access.scoped(Survey.objects.filter(year=year), user, VIEW, "place_path")
        .select_related("estate")
        .annotate(answer_count=Count("answers"))
        .order_by("place_path")
    )


def company_pairs(user: Viewer) -> list[tuple[PropertyCompany, Place]]:
    """(company, community) pairs the viewer may assess: a contract in a community they keep."""
    contracts = access.scoped(
        ServiceContract.objects.select_related("company"), user, Action.ESTATE_MANAGE, "place_path"
    )
    pairs: dict[tuple[int, str], PropertyCompany] = {}
    for contract in contracts:
        path = contract.place_path.split("/")
        pairs[(contract.company_id, "/".join(path[: access.COMMUNITY_DEPTH + 1]) + "/")] = (
            contract.company
        )
    places = {p.path: p for p in Place.objects.filter(path__in={k[1] for k in pairs})}
    return [
        (company, places[path]) for (_pk, path), company in sorted(pairs.items()) if path in places
    ]


def black_years(company: PropertyCompany) -> list[int]:
    return sorted(
        RedBlackEntry.objects.filter(
            company=company, colour=ListColour.BLACK, published_at__isnull=False
        ).values_list("year", flat=True)
    )


def company_bar(company: PropertyCompany) -> scoring.Bar | None:
    """The black-list bar (000 §五) under the profile of the company's registering place or of
    any estate it has a contract with: shown on the company's page."""
    years = black_years(company)
    if not years:
        return None
    places = [company.place, *[c.estate for c in company.contracts.select_related("estate")]]
    today = clock.today()
    for profile in rules.profiles_of(places).values():
        found = scoring.bar(years, profile, today)
        if found is not None:
            return found
    return None


def reelection_due(committee: OwnersCommittee) -> RedBlackEntry | None:
    """A black-list entry of the committee in a year of its current term: marked for
    re-election (000 §五)."""
    term = current_term(committee)
    if term is None:
        return None
    return (
        RedBlackEntry.objects.filter(
            committee=committee,
            colour=ListColour.BLACK,
            published_at__isnull=False,
            year__gte=term.starts_on.year,
        )
        .order_by("-year")
        .first()
    )


def _published_evaluation(**lookup: object) -> Evaluation | None:
    return Evaluation.objects.filter(published_at__isnull=False, **lookup).order_by("-year").first()


@dataclass(frozen=True)
class MyEstate:
    estate: Place
    committee: OwnersCommittee | None
    term: Term | None
    members: list[TermMember]
    committee_rating: Evaluation | None
    reelection: RedBlackEntry | None
    contracts: list[tuple[ServiceContract, Evaluation | None]]
    survey: Survey | None
    answered: bool


def my_estate(user: Viewer) -> MyEstate | None:
    """Who runs the viewer's estate: its owners' committee (members' names, as in the
    committee's public notice; never phones), its property company with its latest published
    star level and parts, and the survey to answer."""
    resident = resident_of(user)
    household = resident.household if resident is not None else None
    if resident is None or household is None:
        return None
    path = household.place_path
    parts = [p for p in path.split("/") if p]
    paths = ["".join(f"{p}/" for p in parts[:i]) for i in range(1, len(parts) + 1)]
    estate = Place.objects.filter(path__in=paths, kind=PlaceKind.ESTATE).first()
    if estate is None or not access.can(user, Action.ESTATE_MINE, estate.path):
        return None
    committee = OwnersCommittee.objects.filter(estate=estate).first()
    term = current_term(committee) if committee else None
    members = (
        list(
            term.members.filter(left_on=None).select_related("resident").order_by("-is_chair", "id")
        )
        if term
        else []
    )
    community = estate.ancestor_paths()[access.COMMUNITY_DEPTH]
    today = clock.today()
    contracts = list(
        ServiceContract.objects.filter(estate=estate, starts_on__lte=today, ends_on__gte=today)
        .select_related("company")
        .order_by("-starts_on")
    )
    survey = Survey.objects.filter(estate=estate, closes_on__gte=today).order_by("-year").first()
    return MyEstate(
        estate=estate,
        committee=committee,
        term=term,
        members=members,
        committee_rating=_published_evaluation(committee=committee) if committee else None,
        reelection=reelection_due(committee) if committee else None,
        contracts=[
            (c, _published_evaluation(company=c.company, place_path=community)) for c in contracts
        ],
        survey=survey,
        answered=bool(
            survey
            and SurveyAnswer.objects.filter(survey=survey, household_id=household.pk).exists()
        ),
    )


@dataclass(frozen=True)
class MyCompany:
    company: PropertyCompany
    contracts: list[ServiceContract]
    ratings: list[Evaluation]


def my_companies(user: Viewer) -> list[MyCompany]:
    """Property-company staff: the companies with a contract for an estate under their post
    (a post at an estate: that estate; at a community: its estates), their contracts there and
    their published ratings; and the companies their post is linked to (CompanyStaff), with all
    their contracts."""
    q = access.scope_q(user, Action.ESTATE_COMPANY, path_field="place_path")
    linked = CompanyStaff.objects.filter(
        post__user_id=user.pk or 0, post__is_active=True, ended_on__isnull=True
    ).values("company_id")
    contracts = list(
        ServiceContract.objects.filter(q | Q(company_id__in=linked))
        .select_related("company", "estate")
        .order_by("company__name", "-starts_on")
    )
    by_company: dict[int, list[ServiceContract]] = {}
    companies: dict[int, PropertyCompany] = {}
    for contract in contracts:
        by_company.setdefault(contract.company_id, []).append(contract)
        companies[contract.company_id] = contract.company
    ratings: dict[int, list[Evaluation]] = {}
    for evaluation in Evaluation.objects.filter(
        company_id__in=list(companies), published_at__isnull=False
    ).order_by("-year", "place_path"):
        ratings.setdefault(evaluation.company_id or 0, []).append(evaluation)
    return [MyCompany(companies[pk], by_company[pk], ratings.get(pk, [])) for pk in companies]


def assess_choices(user: Viewer) -> list[tuple[str, str]]:
    """Bodies the viewer's community assesses: "committee:<pk>" and
    "company:<pk>:<community pk>" (a company is assessed by each community it serves)."""
    out = [
        (f"committee:{c.pk}", f"{c.name}")
        for c in access.scoped(
            OwnersCommittee.objects.all(), user, Action.ESTATE_MANAGE, "place_path"
        ).order_by("place_path")[:300]
    ]
    out += [
        (f"company:{company.pk}:{community.pk}", f"{company.name} · {community.name}")
        for company, community in company_pairs(user)[:300]
    ]
    return out


def list_choices(user: Viewer) -> list[tuple[str, str]]:
    """Bodies a street may put on its red or black list: "committee:<pk>" or "company:<pk>"."""
    streets = list(streets_for(user).values_list("path", flat=True))
    if not streets:
        return []
    under = Q(pk__in=[])
    for path in streets:
        under |= Q(place_path__under=path)
    out = [
        (f"committee:{c.pk}", c.name)
        for c in OwnersCommittee.objects.filter(under).order_by("place_path")[:300]
    ]
    contracts = ServiceContract.objects.filter(under).values("company_id")
    out += [
        (f"company:{c.pk}", c.name)
        for c in PropertyCompany.objects.filter(Q(pk__in=contracts) | under).order_by("name")[:300]
    ]
    return out


def resolve_body(
    user: Viewer, value: str, action: str = Action.ESTATE_MANAGE
) -> tuple[OwnersCommittee | PropertyCompany, Place | None] | None:
    """The body (and, for a company assessed by a community, the community) named by a
    choice value, or None when it is not one the viewer may choose."""
    parts = str(value).split(":")
    if not all(p.isdigit() for p in parts[1:]) or len(parts) < 2:
        return None
    if parts[0] == "committee" and len(parts) == 2:
        committee = visible_committees(user).filter(pk=int(parts[1])).select_related("estate")
        found = committee.first()
        return (found, None) if found else None
    if parts[0] == "company" and len(parts) in (2, 3):
        company = visible_companies(user).filter(pk=int(parts[1])).select_related("place").first()
        if company is None:
            return None
        community = None
        if len(parts) == 3:
            community = access.scoped(
                Place.objects.filter(pk=int(parts[2]), kind=PlaceKind.COMMUNITY), user, action
            ).first()
            if community is None:
                return None
        return company, community
    return None


def all_evaluations(user: Viewer) -> QuerySet[Evaluation]:
    return access.scoped(Evaluation.objects.all(), user, VIEW, "place_path").select_related(
        "company", "committee__estate"
    )


# --------------------------------------------------------------------------- row 000-17


def visible_grants(user: Viewer) -> QuerySet[StartupGrant]:
    """Start-up grants in the viewer's read scope, with what the list shows (one query)."""
    return access.scoped(
        StartupGrant.objects.all(), user, VIEW, path_field="place_path"
    ).select_related("committee__estate", "committee__community", "party_org")


def get_grant(user: Viewer, pk: object) -> StartupGrant:
    return get_object_or_404(visible_grants(user), pk=pk if str(pk).isdigit() else 0)


def grants_of(committee: OwnersCommittee) -> list[StartupGrant]:
    return list(committee.startup_grants.select_related("party_org").order_by("-id"))


def without_full_time_secretary(user: Viewer) -> QuerySet[OwnersCommittee]:
    """Committees whose party organisation is recorded but has no full-time secretary (000 §五)."""
    return (
        committee_rows(user)
        .filter(party_org__isnull=False, secretary_full_time=False)
        .select_related("party_org__secretary__resident")
        .order_by("place_path", "id")
    )
