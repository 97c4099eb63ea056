"""Every write to owners' committees, terms, candidate lists, supervision committees, property
companies and service contracts: one transaction, the permission check (`access.require`:
404 outside the actor's scope, 403 inside it without the right), one audit record; a refusal
raises a ValidationError with a clear message and writes nothing.

Who does what (gongzhi/core/roles.py):
- community staff (ESTATE_MANAGE) keep committees, terms, members, candidate lists, the
  supervision committee, companies and contracts of their community;
- the community party committee (ESTATE_REVIEW: the community secretary) reviews a candidate
  list against the negative list before it may be finalised;
- the street (ESTATE_FILE) records the filing (备案) of a term.

The party-share rules (gongzhi/estates/rules.py) refuse finalising a candidate list (seed 000
§五) and filing a term (seed 002 §三(一)4) that break the effective profile of the estate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, credit_codes, inputs
from gongzhi.core.access import Grant
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.estates import ratings, rules
from gongzhi.estates.models import (
    Candidate,
    CandidateList,
    CompanyStaff,
    ListStatus,
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
from gongzhi.party.models import PartyMember, PartyOrg
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind

MAX_SEATS = 50
MAX_FEE = Decimal("1000")


def _community(place: Place) -> Place:
    paths = place.ancestor_paths()
    if len(paths) <= access.COMMUNITY_DEPTH:
        raise ValidationError({"place": _("Choose a place inside a community.")})
    return Place.objects.get(path=paths[access.COMMUNITY_DEPTH])


def _manage(actor: User, path: str) -> Grant:
    return access.require(actor, Action.ESTATE_MANAGE, path, read_action=Action.ESTATE_VIEW)


def _lock_committee(committee: OwnersCommittee) -> None:
    """Serialise writers of one committee (SQLite serialises all writers anyway)."""
    OwnersCommittee.objects.select_for_update().filter(pk=committee.pk).first()


def _lives_in(resident: Resident, estate: Place) -> bool:
    return resident.is_active and resident.place_path.startswith(estate.path)


def _require_resident(resident: Resident, estate: Place, field: str = "resident") -> None:
    if not _lives_in(resident, estate):
        raise ValidationError(
            {
                field: _(
                    "%(name)s is not a resident of %(estate)s in the resident registry; only "
                    "residents of the estate may be chosen."
                )
                % {"name": resident.name, "estate": estate.name}
            }
        )


def _date_order(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The end date must be after the start date.")})


def _party_org_form(form: str) -> str:
    if form and form not in PartyOrgForm.values:
        raise ValidationError({"party_org_form": _("Choose how the party organisation is set up.")})
    return form


# --------------------------------------------------------------------------- committees


def create_committee(estate: Place, *, actor: User, name: str = "") -> OwnersCommittee:
    if estate.kind != PlaceKind.ESTATE:
        raise ValidationError({"estate": _("An owners' committee belongs to an estate.")})
    name = inputs.text(name, "name", 100, required=False) or _(
        "Owners' committee of %(estate)s"
    ) % {"estate": estate.name}
    with transaction.atomic():
        grant = _manage(actor, estate.path)
        if OwnersCommittee.objects.filter(estate=estate).exists():
            raise ValidationError(
                {"estate": _("%(estate)s already has an owners' committee.") % {"estate": estate}}
            )
        committee = OwnersCommittee.objects.create(
            estate=estate, community=_community(estate), name=name, place_path=estate.path
        )
        audit.record(
            actor=actor,
            action="estates.committee_create",
            target=committee,
            place_path=committee.place_path,
            post=grant.post,
            changes={"name": name},
        )
    return committee


def set_party_org(
    body: OwnersCommittee | PropertyCompany,
    *,
    actor: User,
    form: str,
    party_org: PartyOrg | None,
) -> OwnersCommittee | PropertyCompany:
    """Record how the body's party organisation is set up (单独建、联合建、挂靠建) and which
    organisation of the party tree it is; an empty form means none is recorded."""
    form = _party_org_form(form)
    if form and party_org is None:
        raise ValidationError({"party_org": _("Choose the party organisation.")})
    if not form:
        party_org = None
    with transaction.atomic():
        grant = _manage(actor, body.place_path)
        if party_org is not None and not access.can(actor, Action.PARTY_VIEW, party_org.place_path):
            raise ValidationError({"party_org": _("Choose a party organisation in your area.")})
        before = audit.snapshot(body, ["party_org_form", "party_org_id"])
        body.party_org_form = form
        body.party_org = party_org
        body.save(update_fields=["party_org_form", "party_org"])
        audit.record(
            actor=actor,
            action="estates.party_org",
            target=body,
            place_path=body.place_path,
            post=grant.post,
            changes=audit.diff(body, before, ["party_org_form", "party_org_id"]),
        )
    return body


# --------------------------------------------------------------------------- terms


def add_term(
    committee: OwnersCommittee,
    *,
    actor: User,
    number: int,
    starts_on: dt.date,
    ends_on: dt.date,
    seats: int,
    elected_by: OwnersVote | None = None,
) -> Term:
    """A new term (届). Terms of one committee may not overlap: the previous one must have
    ended (on its end date or early) before the new one starts."""
    _date_order(starts_on, ends_on)
    if not 1 <= number <= 100:
        raise ValidationError({"number": _("Enter the term number (1–100).")})
    if not 1 <= seats <= MAX_SEATS:
        raise ValidationError(
            {"seats": _("Enter the number of seats (1–%(max)s).") % {"max": MAX_SEATS}}
        )
    if elected_by is not None and elected_by.estate_id != committee.estate_id:
        raise ValidationError(
            {"elected_by": _("The owners' vote must be a vote of the same estate.")}
        )
    with transaction.atomic():
        grant = _manage(actor, committee.place_path)
        _lock_committee(committee)
        if committee.terms.filter(number=number).exists():
            raise ValidationError({"number": _("Term %(n)s is already recorded.") % {"n": number}})
        for other in committee.terms.all():
            if other.starts_on <= ends_on and starts_on <= other.last_day:
                raise ValidationError(
                    {
                        "starts_on": _(
                            "This term overlaps term %(n)s (%(start)s – %(end)s); one committee "
                            "has one term at a time."
                        )
                        % {"n": other.number, "start": other.starts_on, "end": other.last_day}
                    }
                )
        term = Term.objects.create(
            committee=committee,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            seats=seats,
            elected_by=elected_by,
            place_path=committee.place_path,
        )
        audit.record(
            actor=actor,
            action="estates.term_add",
            target=term,
            place_path=term.place_path,
            post=grant.post,
            changes={
                "committee": committee.pk,
                "number": number,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "seats": seats,
                "elected_by": elected_by.pk if elected_by else None,
            },
        )
    return term


def _open_term(term: Term) -> None:
    if term.ended_early_on is not None:
        raise ValidationError(_("This term has ended; it can no longer be changed."))


def add_member(
    term: Term, *, actor: User, resident: Resident, is_chair: bool = False
) -> TermMember:
    estate = term.committee.estate
    with transaction.atomic():
        grant = _manage(actor, term.place_path)
        _lock_committee(term.committee)
        _open_term(term)
        _require_resident(resident, estate)
        current = term.members.filter(left_on=None)
        if term.members.filter(resident=resident).exists():
            raise ValidationError(
                {"resident": _("%(name)s is already a member of this term.") % {"name": resident}}
            )
        if current.count() >= term.seats:
            raise ValidationError(
                {"resident": _("All %(n)s seats of this term are taken.") % {"n": term.seats}}
            )
        if is_chair and current.filter(is_chair=True).exists():
            raise ValidationError({"is_chair": _("This term already has a chair.")})
        member = TermMember.objects.create(term=term, resident=resident, is_chair=is_chair)
        audit.record(
            actor=actor,
            action="estates.member_add",
            target=member,
            place_path=term.place_path,
            post=grant.post,
            changes={"term": term.pk, "resident": resident.pk, "is_chair": is_chair},
        )
    return member


def member_leaves(member: TermMember, *, actor: User, left_on: dt.date, reason: str) -> TermMember:
    """A member leaves before the term ends: the seat becomes a vacancy."""
    reason = inputs.text(reason, "reason", 200)
    term = member.term
    with transaction.atomic():
        grant = _manage(actor, term.place_path)
        _open_term(term)
        if member.left_on is not None:
            raise ValidationError(_("This member has already left."))
        if not term.starts_on <= left_on <= term.ends_on:
            raise ValidationError(
                {
                    "left_on": _("The date must lie within the term (%(start)s – %(end)s).")
                    % {"start": term.starts_on, "end": term.ends_on}
                }
            )
        member.left_on = left_on
        member.leave_reason = reason
        member.save(update_fields=["left_on", "leave_reason"])
        audit.record(
            actor=actor,
            action="estates.member_leave",
            target=member,
            place_path=term.place_path,
            post=grant.post,
            changes={"left_on": left_on},
            reason=reason,
        )
    return member


def term_share(term: Term) -> rules.Share:
    """Seed 002 §三(一)4 on the current members of a term."""
    current = list(term.members.filter(left_on=None).values_list("resident_id", "is_chair"))
    chair = next((rid for rid, chair in current if chair), None)
    return rules.member_share(term.committee.estate, [rid for rid, _c in current], chair)


def file_term(term: Term, *, actor: User, filed_on: dt.date, filing_ref: str) -> Term:
    """Record the filing (备案) of a term with the street. Refused when the term's members
    break the party-share rule of the effective profile (seed 002 §三(一)4)."""
    filing_ref = inputs.text(filing_ref, "filing_ref", 100)
    if filed_on > clock.today():
        raise ValidationError({"filed_on": _("The filing date cannot be in the future.")})
    with transaction.atomic():
        grant = access.require(
            actor, Action.ESTATE_FILE, term.place_path, read_action=Action.ESTATE_VIEW
        )
        _lock_committee(term.committee)
        _open_term(term)
        if term.filed_on is not None:
            raise ValidationError(_("This term is already filed."))
        if not term.members.filter(left_on=None).exists():
            raise ValidationError(_("Record the members of the term before filing it."))
        share = term_share(term)
        if not share.ok:
            raise ValidationError(
                [_("The term cannot be filed:"), *[str(p) for p in share.problems()]]
            )
        term.filed_on = filed_on
        term.filing_ref = filing_ref
        term.save(update_fields=["filed_on", "filing_ref"])
        audit.record(
            actor=actor,
            action="estates.term_file",
            target=term,
            place_path=term.place_path,
            post=grant.post,
            changes={
                "filed_on": filed_on,
                "filing_ref": filing_ref,
                "party": share.party,
                "members": share.total,
            },
        )
    return term


def end_term_early(term: Term, *, actor: User, ended_on: dt.date, reason: str) -> Term:
    reason = inputs.text(reason, "reason", 500)
    with transaction.atomic():
        grant = _manage(actor, term.place_path)
        _open_term(term)
        if not term.starts_on <= ended_on < term.ends_on:
            raise ValidationError(
                {
                    "ended_on": _(
                        "An early end lies within the term, before its end date (%(end)s)."
                    )
                    % {"end": term.ends_on}
                }
            )
        term.ended_early_on = ended_on
        term.end_reason = reason
        term.save(update_fields=["ended_early_on", "end_reason"])
        audit.record(
            actor=actor,
            action="estates.term_end",
            target=term,
            place_path=term.place_path,
            post=grant.post,
            changes={"ended_early_on": ended_on},
            reason=reason,
        )
    return term


# --------------------------------------------------------------------------- candidates


def create_candidate_list(committee: OwnersCommittee, *, actor: User, title: str) -> CandidateList:
    title = inputs.text(title, "title", 100)
    with transaction.atomic():
        grant = _manage(actor, committee.place_path)
        clist = CandidateList.objects.create(
            committee=committee, title=title, place_path=committee.place_path
        )
        audit.record(
            actor=actor,
            action="estates.list_create",
            target=clist,
            place_path=clist.place_path,
            post=grant.post,
            changes={"committee": committee.pk, "title": title},
        )
    return clist


def _draft(clist: CandidateList) -> None:
    if clist.status != ListStatus.DRAFT:
        raise ValidationError(
            _("The list has been reviewed; it can no longer be changed.")
            if clist.status == ListStatus.REVIEWED
            else _("The list is final; it can no longer be changed.")
        )


def add_candidate(clist: CandidateList, *, actor: User, resident: Resident) -> Candidate:
    with transaction.atomic():
        grant = _manage(actor, clist.place_path)
        _draft(clist)
        _require_resident(resident, clist.committee.estate)
        if clist.candidates.filter(resident=resident).exists():
            raise ValidationError(
                {"resident": _("%(name)s is already on the list.") % {"name": resident}}
            )
        candidate = Candidate.objects.create(candidate_list=clist, resident=resident)
        audit.record(
            actor=actor,
            action="estates.candidate_add",
            target=candidate,
            place_path=clist.place_path,
            post=grant.post,
            changes={"list": clist.pk, "resident": resident.pk},
        )
    return candidate


def set_exclusion(
    candidate: Candidate, *, actor: User, excluded: bool, reason: str = ""
) -> Candidate:
    """The negative list (负面清单): a candidate who may not stand, and why."""
    reason = inputs.text(reason, "reason", 500, required=excluded)
    clist = candidate.candidate_list
    with transaction.atomic():
        grant = _manage(actor, clist.place_path)
        _draft(clist)
        candidate.excluded = excluded
        candidate.exclusion_reason = reason if excluded else ""
        candidate.save(update_fields=["excluded", "exclusion_reason"])
        audit.record(
            actor=actor,
            action="estates.candidate_exclude" if excluded else "estates.candidate_readmit",
            target=candidate,
            place_path=clist.place_path,
            post=grant.post,
            changes={"excluded": excluded},
            reason=reason,
        )
    return candidate


def list_share(clist: CandidateList) -> rules.Share:
    """Seed 000 §五 on the candidates who may stand."""
    ids = clist.candidates.filter(excluded=False).values_list("resident_id", flat=True)
    return rules.candidate_share(clist.committee.estate, list(ids))


def review_list(clist: CandidateList, *, actor: User, note: str = "") -> CandidateList:
    """The community party committee has checked the list against the negative list."""
    note = inputs.text(note, "note", 500, required=False)
    with transaction.atomic():
        grant = access.require(
            actor, Action.ESTATE_REVIEW, clist.place_path, read_action=Action.ESTATE_VIEW
        )
        _draft(clist)
        if not clist.candidates.exists():
            raise ValidationError(_("The list has no candidates yet."))
        clist.status = ListStatus.REVIEWED
        clist.reviewed_by = actor
        clist.reviewed_at = clock.now()
        clist.review_note = note
        clist.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit.record(
            actor=actor,
            action="estates.list_review",
            target=clist,
            place_path=clist.place_path,
            post=grant.post,
            changes={"status": clist.status},
            reason=note,
        )
    return clist


def finalise_list(clist: CandidateList, *, actor: User) -> CandidateList:
    """Finalise a reviewed list. Refused when the candidates who may stand break the
    party-share rule of the effective profile (seed 000 §五)."""
    with transaction.atomic():
        grant = _manage(actor, clist.place_path)
        if clist.status == ListStatus.DRAFT:
            raise ValidationError(
                _("The community party committee must review the list before it is final.")
            )
        if clist.status == ListStatus.FINAL:
            raise ValidationError(_("The list is already final."))
        share = list_share(clist)
        if share.total == 0:
            raise ValidationError(_("No candidate on the list may stand."))
        if not share.ok:
            raise ValidationError(
                [_("The list cannot be finalised:"), *[str(p) for p in share.problems()]]
            )
        clist.status = ListStatus.FINAL
        clist.finalised_at = clock.now()
        clist.save(update_fields=["status", "finalised_at"])
        audit.record(
            actor=actor,
            action="estates.list_final",
            target=clist,
            place_path=clist.place_path,
            post=grant.post,
            changes={"party": share.party, "candidates": share.total},
        )
    return clist


# --------------------------------------------------------------------------- supervision


def add_supervisor(
    community: Place,
    *,
    actor: User,
    resident: Resident,
    since: dt.date,
    is_chair: bool = False,
) -> SupervisionMember:
    """A member of the community's residents' supervision committee (居务监督委员会, seed 002
    §四 2, §三(二)3); the committee is created with its first member."""
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("A supervision committee belongs to a community.")})
    with transaction.atomic():
        grant = _manage(actor, community.path)
        _require_resident(resident, community)
        committee, _created = SupervisionCommittee.objects.get_or_create(
            community=community, defaults={"place_path": community.path}
        )
        current = committee.members.filter(left_on=None)
        if current.filter(resident=resident).exists():
            raise ValidationError(
                {"resident": _("%(name)s is already a member.") % {"name": resident}}
            )
        if is_chair and current.filter(is_chair=True).exists():
            raise ValidationError({"is_chair": _("The committee already has a chair.")})
        member = SupervisionMember.objects.create(
            committee=committee, resident=resident, is_chair=is_chair, since=since
        )
        audit.record(
            actor=actor,
            action="estates.supervisor_add",
            target=member,
            place_path=community.path,
            post=grant.post,
            changes={"resident": resident.pk, "is_chair": is_chair, "since": since},
        )
    return member


def supervisor_leaves(
    member: SupervisionMember, *, actor: User, left_on: dt.date
) -> SupervisionMember:
    with transaction.atomic():
        grant = _manage(actor, member.committee.place_path)
        if member.left_on is not None:
            raise ValidationError(_("This member has already left."))
        if left_on < member.since:
            raise ValidationError({"left_on": _("The date is before the member joined.")})
        member.left_on = left_on
        member.save(update_fields=["left_on"])
        audit.record(
            actor=actor,
            action="estates.supervisor_leave",
            target=member,
            place_path=member.committee.place_path,
            post=grant.post,
            changes={"left_on": left_on},
        )
    return member


# --------------------------------------------------------------------------- companies


def normalise_credit_code(value: Any) -> str:
    return credit_codes.clean(value)


def add_company(
    place: Place,
    *,
    actor: User,
    name: str,
    credit_code: str,
    address: str = "",
    contact_name: str = "",
    office_phone: str = "",
) -> PropertyCompany:
    """Register a property company at a community or street."""
    name = inputs.text(name, "name", 100)
    code = normalise_credit_code(credit_code)
    fields = {
        "address": inputs.text(address, "address", 200, required=False),
        "contact_name": inputs.text(contact_name, "contact_name", 64, required=False),
        "office_phone": inputs.text(office_phone, "office_phone", 20, required=False),
    }
    if place.kind not in (PlaceKind.STREET, PlaceKind.COMMUNITY):
        raise ValidationError(
            {"place": _("A property company is registered by a street or a community.")}
        )
    with transaction.atomic():
        grant = _manage(actor, place.path)
        known = PropertyCompany.objects.filter(credit_code=code).first()
        if known is not None:
            raise ValidationError(
                {
                    "credit_code": _(
                        "A company with this credit code is already registered: %(name)s. Add "
                        "a service contract to it instead."
                    )
                    % {"name": known.name}
                }
            )
        company = PropertyCompany.objects.create(
            name=name, credit_code=code, place=place, place_path=place.path, **fields
        )
        audit.record(
            actor=actor,
            action="estates.company_add",
            target=company,
            place_path=company.place_path,
            post=grant.post,
            changes={"name": name, "credit_code": code},
        )
    return company


def set_party_staff(
    company: PropertyCompany, *, actor: User, members: Iterable[PartyMember]
) -> PropertyCompany:
    """The party members among the company's staff, linked to the party registry."""
    chosen = list(members)
    with transaction.atomic():
        grant = _manage(actor, company.place_path)
        for member in chosen:
            if not access.can(actor, Action.PARTY_VIEW, member.place_path):
                raise ValidationError(
                    {"members": _("Choose party members from the registry of your area.")}
                )
        before = sorted(company.party_staff.values_list("pk", flat=True))
        company.party_staff.set(chosen)
        audit.record(
            actor=actor,
            action="estates.company_party_staff",
            target=company,
            place_path=company.place_path,
            post=grant.post,
            changes={"party_staff": {"before": before, "after": sorted(m.pk for m in chosen)}},
        )
    return company


def fee(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else "").strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if not (0 <= amount <= MAX_FEE) or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            {
                "fee_yuan_per_m2": _(
                    "Enter the fee in yuan per m² and month, from 0 to %(max)s, at most two "
                    "decimals."
                )
                % {"max": MAX_FEE}
            }
        )
    return amount


def add_contract(
    company: PropertyCompany,
    estate: Place,
    *,
    actor: User,
    starts_on: dt.date,
    ends_on: dt.date,
    fee_yuan_per_m2: Any,
    scope: str = "",
) -> ServiceContract:
    """A service contract of a company for an estate; a company may serve several estates,
    also of other communities."""
    amount = fee(fee_yuan_per_m2)
    scope = inputs.text(scope, "scope", 500, required=False)
    _date_order(starts_on, ends_on)
    if estate.kind != PlaceKind.ESTATE:
        raise ValidationError({"estate": _("A service contract is for an estate.")})
    with transaction.atomic():
        grant = _manage(actor, estate.path)
        ratings.refuse_barred(company, estate)
        clash = ServiceContract.objects.filter(
            company=company, estate=estate, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).first()
        if clash is not None:
            raise ValidationError(
                {
                    "starts_on": _(
                        "%(company)s already has a contract for %(estate)s in this period "
                        "(%(start)s – %(end)s)."
                    )
                    % {
                        "company": company.name,
                        "estate": estate.name,
                        "start": clash.starts_on,
                        "end": clash.ends_on,
                    }
                }
            )
        contract = ServiceContract.objects.create(
            company=company,
            estate=estate,
            starts_on=starts_on,
            ends_on=ends_on,
            fee_yuan_per_m2=amount,
            scope=scope,
            place_path=estate.path,
        )
        audit.record(
            actor=actor,
            action="estates.contract_add",
            target=contract,
            place_path=contract.place_path,
            post=grant.post,
            changes={
                "company": company.pk,
                "estate": estate.pk,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "fee_yuan_per_m2": amount,
            },
        )
    return contract


# --------------------------------------------------------------------------- company staff


def _serves(company: PropertyCompany, path: str) -> bool:
    """Whether a post at `path` can work for the company: the place is under the company's
    registering place, or it is (or lies in, or holds) one of the company's contract estates."""
    if path.startswith(company.place_path):
        return True
    return any(
        path.startswith(estate) or estate.startswith(path)
        for estate in company.contracts.values_list("place_path", flat=True)
    )


def link_staff(
    company: PropertyCompany, post: Post, *, actor: User, since: dt.date | None = None
) -> CompanyStaff:
    """A property_staff post now works for the company (issue 14 item 3): its holder counts as
    the company's staff (tickets, ratings). Added by the staff who manage the post's place."""
    since = since or clock.today()
    if post.place is None:
        raise ValidationError({"post": _("Choose an active post of property-company staff.")})
    path = post.place.path
    _manage(actor, path)  # a role that may not link is refused before the input
    if post.role != Role.PROPERTY_STAFF or not post.is_active:
        raise ValidationError({"post": _("Choose an active post of property-company staff.")})
    if since > clock.today():
        raise ValidationError({"since": _("The start date cannot be in the future.")})
    with transaction.atomic():
        grant = _manage(actor, path)
        if not _serves(company, path):
            raise ValidationError(
                {
                    "post": _(
                        "%(company)s has no contract for %(place)s; link staff posted where it "
                        "serves."
                    )
                    % {"company": company.name, "place": post.place.name}
                }
            )
        if CompanyStaff.objects.filter(company=company, post=post, ended_on__isnull=True).exists():
            raise ValidationError({"post": _("This post is already linked to the company.")})
        link = CompanyStaff.objects.create(
            company=company, post=post, since=since, added_by=actor, place_path=path
        )
        audit.record(
            actor=actor,
            action="estates.staff_link",
            target=link,
            place_path=path,
            post=grant.post,
            changes={"company": company.pk, "post": post.pk, "since": str(since)},
        )
    return link


def end_staff_link(
    link: CompanyStaff, *, actor: User, ended_on: dt.date | None = None
) -> CompanyStaff:
    """The post no longer works for the company (kept for the years it did)."""
    ended_on = ended_on or clock.today()
    with transaction.atomic():
        grant = _manage(actor, link.place_path)
        link = CompanyStaff.objects.select_for_update().get(pk=link.pk)
        if link.ended_on is not None:
            raise ValidationError(_("This staff link has already ended."))
        if not link.since <= ended_on <= clock.today():
            raise ValidationError(
                {"ended_on": _("The end date must be from the start date to today.")}
            )
        link.ended_on = ended_on
        link.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            action="estates.staff_unlink",
            target=link,
            place_path=link.place_path,
            post=grant.post,
            changes={"company": link.company_id, "post": link.post_id, "ended_on": str(ended_on)},
        )
    return link
