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

from gongzhi.core import access, clock
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.estates import rules
from gongzhi.estates.models import (
    Candidate,
    CandidateList,
    OwnersCommittee,
    PartyOrgForm,
    PropertyCompany,
    ServiceContract,
    SupervisionCommittee,
    SupervisionMember,
    Term,
    TermMember,
)
from gongzhi.owners.models import OwnersVote
from gongzhi.party.models import MemberStatus, PartyMember, PartyOrg
from gongzhi.people.models import Resident
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
