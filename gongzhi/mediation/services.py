"""Every write of people's mediation: one transaction, the access check (404 outside the
actor's scope, 403 inside it without the right), one audit record; a refusal raises a
ValidationError with a clear message and writes nothing.

Who does what (gongzhi/core/roles.py, docs/mediation.md):
- the committee's staff (MEDIATION_MANAGE on the committee's place) keep committees, mediators
  and legal advisers, open cases and assign mediators;
- a case's workflow steps (sessions, agreement, no agreement, referral, withdrawal, follow-up,
  close) are taken by the committee's staff or by one of the case's own mediators — an object
  rule: a right on the place alone is not enough for a mediator's login;
- every step locks the case row (select_for_update) and re-reads its state, so of two people
  closing the same case one wins and the other is refused.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, crypto, inputs, notifications, photos
from gongzhi.core.models import Post, User
from gongzhi.core.roles import PERMISSIONS, Action
from gongzhi.mediation import workflow
from gongzhi.mediation.models import (
    Agreement,
    AgreementScan,
    Case,
    CaseEvent,
    Committee,
    DisputeType,
    FollowUp,
    LegalAdviser,
    Level,
    Mediator,
    MediatorKind,
    Party,
    Referral,
    ReferralKind,
    Risk,
    Session,
    Side,
    Source,
    State,
)
from gongzhi.mediation.workflow import Step
from gongzhi.people.models import Resident
from gongzhi.places.models import Household, Place, PlaceKind
from gongzhi.tickets.models import Ticket

VIEW = Action.MEDIATION_VIEW
MANAGE = Action.MEDIATION_MANAGE
MAX_AMOUNT = Decimal("100000000")  # 1亿: beyond any dispute a people's mediation committee takes
PHONE = re.compile(r"^1\d{10}$")
# Ticket categories that are disputes (the default tree: 邻里纠纷 and its children).
DISPUTE_CATEGORY_CODES = frozenset({"neighbour", "dispute", "noise"})


# --------------------------------------------------------------------------- access


def _staff(actor: User, path: str) -> Post | None:
    return access.require(actor, MANAGE, path, read_action=VIEW).post


def mediator_of(user: object, case: Case) -> bool:
    """Whether `user` is one of the case's (active) mediators — the object rule."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return case.mediators.filter(Q(user=user) | Q(resident__user=user), is_active=True).exists()


def may_handle(user: object, case: Case) -> bool:
    """The case's content and steps: its mediators and the staff of the committee holding it."""
    if not isinstance(user, User):
        return False
    return access.can(user, MANAGE, case.place_path) or mediator_of(user, case)


def _handler(actor: User, case: Case) -> Post | None:
    grant = access.grant_for(actor, MANAGE, case.place_path)
    if grant is not None:
        return grant.post
    if mediator_of(actor, case):
        mine = access.grant_for(actor, Action.MEDIATION_MEDIATE, case.place_path)
        return mine.post if mine else None
    seen = access.can(actor, VIEW, case.place_path) or (
        bool(case.household_path) and access.can(actor, VIEW, case.household_path)
    )
    if seen:
        raise PermissionDenied
    raise Http404


def _locked(case: Case) -> Case:
    """The case row, locked until the transaction ends, with its current state."""
    return Case.objects.select_for_update().get(pk=case.pk)


def _refuse(error: workflow.IllegalTransition) -> ValidationError:
    return ValidationError(error.message)


def _move(
    case: Case, step: str, *, actor: User, post: Post | None, note: str = "", **changes: Any
) -> Case:
    """Apply one step of the table to the locked case, with its history row and audit record."""
    try:
        new = workflow.target(case.state, step)
    except workflow.IllegalTransition as error:
        raise _refuse(error) from error
    before = case.state
    case.state = new
    case.updated_at = clock.now()
    case.save()
    CaseEvent.objects.create(
        case=case, step=step, from_state=before, to_state=new, note=note[:500], actor=actor
    )
    audit.record(
        actor=actor,
        action=f"mediation.case_{step}",
        target=case,
        place_path=case.place_path,
        post=post,
        changes={"state": [before, new], **changes},
        reason=note,
    )
    return case


def _note(note: str, required: bool = True) -> str:
    return inputs.text(note, "note", 500, required=required)


# --------------------------------------------------------------------------- notifications


def _logins(mediators: Iterable[Mediator]) -> list[int]:
    """The logins of mediators: their staff login or the login of their registry record."""
    ids = []
    for m in mediators:
        if m.user_id:
            ids.append(m.user_id)
        elif m.resident_id and m.resident is not None and m.resident.user_id:
            ids.append(m.resident.user_id)
    return ids


def _tell(user_ids: Iterable[int], *, actor: User | None, verb: str, case: Case, text: Any) -> None:
    """An in-app notification (gongzhi.core.notifications) about `case`, in the site's language,
    leading to the case's page; never to the actor. Names no party: the number and committee."""
    ids = sorted({uid for uid in user_ids if uid and uid != getattr(actor, "pk", None)})
    with translation.override(settings.LANGUAGE_CODE):
        message = str(text())
    notifications.notify(
        ids,
        verb=verb,
        text=message,
        link=reverse("mediation:case", args=[case.pk]),
        reference=case.number,
    )


def street_of(committee: Committee) -> Place | None:
    """The street a committee belongs to (its own place for a street committee; None above)."""
    if committee.level == Level.STREET:
        return committee.place
    return (
        Place.objects.filter(path__in=committee.place.ancestor_paths(), kind=PlaceKind.STREET)
        .order_by("-path")
        .first()
    )


def street_staff(street: Place) -> list[int]:
    """The street's mediation staff: logins with an active post at the street whose role keeps
    the street's mediation (MEDIATION_MANAGE), and the active mediators of its committee."""
    roles = list(PERMISSIONS.get(MANAGE, {}))
    ids = list(
        Post.objects.filter(place=street, role__in=roles, is_active=True, user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )
    mediators = Mediator.objects.filter(committee__place=street, is_active=True).select_related(
        "resident"
    )
    return sorted(set(ids) | set(_logins(mediators)))


# --------------------------------------------------------------------------- committees


def create_committee(place: Place, *, actor: User, name: str = "") -> Committee:
    if place.kind not in Level.values:
        raise ValidationError(
            {"place": _("A mediation committee belongs to a community, a street or a district.")}
        )
    name = inputs.text(name, "name", 100, required=False) or _(
        "People's mediation committee of %(place)s"
    ) % {"place": place.name}
    with transaction.atomic():
        post = _staff(actor, place.path)
        if Committee.objects.filter(place=place).exists():
            raise ValidationError(
                {"place": _("%(place)s already has a mediation committee.") % {"place": place}}
            )
        committee = Committee.objects.create(
            place=place, level=place.kind, name=name, place_path=place.path
        )
        audit.record(
            actor=actor,
            action="mediation.committee_create",
            target=committee,
            place_path=committee.place_path,
            post=post,
            changes={"name": name, "level": place.kind},
        )
    return committee


def _works_in(user: User, path: str) -> bool:
    """Whether one of the user's posts lies in or above the committee's place."""
    for post in access.active_posts(user):
        if post.place is None:
            continue
        if post.place.path.startswith(path) or path.startswith(post.place.path):
            return True
    return False


def add_mediator(
    committee: Committee,
    *,
    actor: User,
    kind: str,
    resident: Resident | None = None,
    user: User | None = None,
    specialties: str = "",
) -> Mediator:
    """A mediator from the registry (a resident of the committee's area) or a staff login."""
    if kind not in MediatorKind.values:
        raise ValidationError({"kind": _("Choose who the mediator is.")})
    specialties = inputs.text(specialties, "specialties", 200, required=False)
    if resident is None and user is None:
        raise ValidationError(
            {"resident": _("Choose a resident from the registry or a staff login.")}
        )
    if resident is not None and not (
        resident.is_active and resident.place_path.startswith(committee.place_path)
    ):
        raise ValidationError(
            {
                "resident": _("%(name)s does not live in the area of %(committee)s.")
                % {"name": resident.name, "committee": committee.name}
            }
        )
    if user is not None and not _works_in(user, committee.place_path):
        raise ValidationError(
            {
                "user": _("%(name)s holds no post in the area of %(committee)s.")
                % {"name": user, "committee": committee.name}
            }
        )
    name = resident.name if resident is not None else str(getattr(user, "name", "") or user)
    with transaction.atomic():
        post = _staff(actor, committee.place_path)
        taken = Mediator.objects.filter(committee=committee)
        if (resident is not None and taken.filter(resident=resident).exists()) or (
            user is not None and taken.filter(user=user).exists()
        ):
            raise ValidationError(
                {
                    "resident": _("%(name)s is already a mediator of this committee.")
                    % {"name": name}
                }
            )
        mediator = Mediator.objects.create(
            committee=committee,
            resident=resident,
            user=user,
            name=name[:64],
            kind=kind,
            specialties=specialties,
            place_path=committee.place_path,
        )
        audit.record(
            actor=actor,
            action="mediation.mediator_add",
            target=mediator,
            place_path=committee.place_path,
            post=post,
            changes={"kind": kind, "specialties": specialties},
        )
    return mediator


def set_mediator_active(mediator: Mediator, *, actor: User, active: bool) -> Mediator:
    with transaction.atomic():
        post = _staff(actor, mediator.place_path)
        before = audit.snapshot(mediator, ["is_active"])
        mediator.is_active = active
        mediator.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="mediation.mediator_active",
            target=mediator,
            place_path=mediator.place_path,
            post=post,
            changes=audit.diff(mediator, before, ["is_active"]),
        )
    return mediator


def set_adviser(
    community: Place,
    *,
    actor: User,
    name: str,
    office_hours: str,
    firm: str = "",
    office_phone: str = "",
) -> LegalAdviser:
    """The community's legal adviser (一社区一法律顾问) and office hours; replaces the old one."""
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("A legal adviser serves a community.")})
    name = inputs.text(name, "name", 64)
    office_hours = inputs.text(office_hours, "office_hours", 200)
    firm = inputs.text(firm, "firm", 100, required=False)
    office_phone = inputs.text(office_phone, "office_phone", 20, required=False)
    if office_phone and not re.fullmatch(r"[0-9\-]{7,20}", office_phone):
        raise ValidationError({"office_phone": _("Enter a telephone number (digits and -).")})
    fields = ["name", "firm", "office_phone", "office_hours"]
    with transaction.atomic():
        post = _staff(actor, community.path)
        adviser = LegalAdviser.objects.select_for_update().filter(community=community).first()
        if adviser is None:
            adviser = LegalAdviser(community=community, place_path=community.path)
            before: dict[str, Any] = {}
        else:
            before = audit.snapshot(adviser, fields)
        adviser.name, adviser.firm = name, firm
        adviser.office_phone, adviser.office_hours = office_phone, office_hours
        adviser.updated_at = clock.now()
        adviser.save()
        audit.record(
            actor=actor,
            action="mediation.adviser_set",
            target=adviser,
            place_path=community.path,
            post=post,
            changes=audit.diff(adviser, before, fields) if before else {"name": name},
        )
    return adviser


# --------------------------------------------------------------------------- cases


def _amount(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if value < 0 or value > MAX_AMOUNT:
        raise ValidationError({"amount_yuan": _("Enter an amount between 0 and 100,000,000 yuan.")})
    return value


def open_case(
    committee: Committee,
    *,
    actor: User,
    source: str,
    title: str,
    summary: str,
    dispute_type: str,
    risk: str = Risk.LOW,
    amount_yuan: Decimal | None = None,
    household: Household | None = None,
    referred_by: str = "",
    mediators: Sequence[Mediator] = (),
    ticket: Ticket | None = None,
    escalation_risk: bool = False,
) -> Case:
    """Open a case at `committee`: a walk-in, a referral (from whom), or a ticket. A case opened
    at risk of escalation (群体性) is flagged to the street at once (`flag_escalation`)."""
    if source not in Source.values:
        raise ValidationError({"source": _("Choose where the case comes from.")})
    if source == Source.TICKET and ticket is None:
        raise ValidationError({"source": _("A case from a ticket is opened on the ticket's page.")})
    if dispute_type not in DisputeType.values:
        raise ValidationError({"dispute_type": _("Choose the type of dispute.")})
    if risk not in Risk.values:
        raise ValidationError({"risk": _("Choose the risk level.")})
    title = inputs.text(title, "title", 100)
    summary = inputs.text(summary, "summary", 2000)
    referred_by = inputs.text(referred_by, "referred_by", 100, required=source == Source.REFERRAL)
    amount = _amount(amount_yuan)
    if household is not None and not household.place_path.startswith(committee.place_path):
        raise ValidationError(
            {"household": _("The household is not in the area of %(c)s.") % {"c": committee.name}}
        )
    for mediator in mediators:
        if mediator.committee_id != committee.pk or not mediator.is_active:
            raise ValidationError(
                {
                    "mediators": _("%(name)s is not an active mediator of this committee.")
                    % {"name": mediator.name}
                }
            )
    with transaction.atomic():
        post = _staff(actor, committee.place_path)
        if ticket is not None and Case.objects.filter(ticket=ticket).exists():
            raise ValidationError({"ticket": _("A case is already open for this ticket.")})
        case = Case.objects.create(
            number=uuid.uuid4().hex[:24],
            committee=committee,
            origin_committee=committee,
            source=source,
            ticket=ticket,
            referred_by=referred_by,
            title=title,
            summary=summary,
            dispute_type=dispute_type,
            amount_yuan=amount,
            risk=risk,
            household=household,
            household_path=household.place_path if household is not None else "",
            place_path=committee.place_path,
            opened_by=actor,
        )
        case.number = f"TJ{clock.today():%Y}{case.pk:06d}"
        case.save(update_fields=["number"])
        if mediators:
            case.mediators.add(*mediators)
        CaseEvent.objects.create(
            case=case, step=Step.OPEN, from_state="", to_state=State.OPENED, actor=actor
        )
        if mediators:
            _tell_assigned(case, mediators, actor)
        audit.record(
            actor=actor,
            action="mediation.case_open",
            target=case,
            place_path=case.place_path,
            post=post,
            changes={
                "source": source,
                "dispute_type": dispute_type,
                "risk": risk,
                "ticket": ticket.number if ticket is not None else "",
            },
        )
        if escalation_risk:
            _flag(case, actor=actor, post=post, note="")
    return case


def is_dispute(ticket: Ticket) -> bool:
    category = ticket.category
    codes = {category.code}
    if category.parent is not None:
        codes.add(category.parent.code)
    return bool(codes & DISPUTE_CATEGORY_CODES)


def community_path(path: str) -> str:
    parts = path.strip("/").split("/")
    if len(parts) <= access.COMMUNITY_DEPTH:
        return ""
    return "/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/"


def open_from_ticket(ticket: Ticket, *, actor: User) -> Case:
    """One click on a dispute ticket's page: a case at the community's committee that links the
    ticket; the submitter, when the registry knows them, is the applicant."""
    if not is_dispute(ticket):
        raise ValidationError(_("Only a ticket in a dispute category can become a mediation case."))
    path = community_path(ticket.place_path)
    committee = Committee.objects.filter(place_path=path).first() if path else None
    if committee is None:
        raise ValidationError(_("The community has no mediation committee yet; set one up first."))
    applicant = (
        Resident.objects.filter(user_id=ticket.submitter_id, is_active=True)
        .select_related("household")
        .first()
        if ticket.submitter_id
        else None
    )
    household = None
    if (
        applicant is not None
        and applicant.household is not None
        and applicant.household.place_path.startswith(committee.place_path)
    ):
        household = applicant.household
    with transaction.atomic():
        case = open_case(
            committee,
            actor=actor,
            source=Source.TICKET,
            title=_("%(category)s (ticket %(number)s)")
            % {"category": ticket.category.name, "number": ticket.number},
            summary=ticket.text[:2000],
            dispute_type=DisputeType.NEIGHBOUR,
            household=household,
            ticket=ticket,
        )
        if applicant is not None:
            Party.objects.create(
                case=case, side=Side.APPLICANT, resident=applicant, name=applicant.name
            )
    return case


def add_party(
    case: Case,
    *,
    actor: User,
    side: str,
    resident: Resident | None = None,
    name: str = "",
    phone: str = "",
) -> Party:
    """A party: a resident of the registry, or an outsider (name, and a phone stored protected)."""
    if side not in Side.values:
        raise ValidationError({"side": _("Choose the party's side.")})
    phone = (phone or "").strip().replace(" ", "")
    if resident is None:
        name = inputs.text(name, "name", 64)
        if phone and not PHONE.match(phone):
            raise ValidationError({"phone": _("Enter an 11-digit mobile number.")})
    else:
        name = resident.name
        phone = ""
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        if case.state not in workflow.OPEN_STATES:
            raise ValidationError(_("Parties are added while the case is open or in mediation."))
        if resident is not None and case.parties.filter(resident=resident).exists():
            raise ValidationError({"resident": _("%(name)s is already a party.") % {"name": name}})
        encrypted = index = masked = ""
        if phone:
            encrypted, index, masked = crypto.protect("phone", phone)
        party = Party.objects.create(
            case=case,
            side=side,
            resident=resident,
            name=name,
            phone_encrypted=encrypted,
            phone_index=index,
            phone_masked=masked,
        )
        audit.record(
            actor=actor,
            action="mediation.party_add",
            target=case,
            place_path=case.place_path,
            post=post,
            changes={"side": side, "resident": resident.pk if resident else None, "phone": masked},
        )
    return party


def assign_mediator(case: Case, mediator: Mediator, *, actor: User) -> Case:
    with transaction.atomic():
        post = _staff(actor, case.place_path)
        case = _locked(case)
        if case.state in workflow.TERMINAL:
            raise ValidationError(_("This case is closed; nothing more can be done with it."))
        if mediator.committee_id != case.committee_id or not mediator.is_active:
            raise ValidationError(
                {
                    "mediator": _("%(name)s is not an active mediator of this committee.")
                    % {"name": mediator.name}
                }
            )
        case.mediators.add(mediator)
        audit.record(
            actor=actor,
            action="mediation.mediator_assign",
            target=case,
            place_path=case.place_path,
            post=post,
            changes={"mediator": mediator.pk},
        )
        _tell_assigned(case, [mediator], actor)
    return case


def _tell_assigned(case: Case, mediators: Iterable[Mediator], actor: User) -> None:
    _tell(
        _logins(mediators),
        actor=actor,
        verb="mediation_assigned",
        case=case,
        text=lambda: (
            _("You are a mediator of case %(number)s at %(committee)s.")
            % {"number": case.number, "committee": case.committee.name}
        ),
    )


def start(case: Case, *, actor: User) -> Case:
    with transaction.atomic():
        post = _handler(actor, case)
        return _move(_locked(case), Step.START, actor=actor, post=post)


def record_session(
    case: Case,
    *,
    actor: User,
    held_at: dt.datetime,
    notes: str,
    location: str = "",
    parties: Iterable[Party] = (),
    mediators: Iterable[Mediator] = (),
    others: str = "",
) -> Session:
    """A session with attendance and notes; the first session of an opened case starts it."""
    notes = inputs.text(notes, "notes", 4000)
    location = inputs.text(location, "location", 100, required=False)
    others = inputs.text(others, "others_present", 200, required=False)
    if held_at > clock.now() + dt.timedelta(hours=1):
        raise ValidationError({"held_at": _("A session is recorded after it was held.")})
    parties, mediators = list(parties), list(mediators)
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        if case.state not in workflow.SESSION_STATES:
            raise ValidationError(
                _("Sessions are held while the case is open or in mediation (it is “%(s)s”).")
                % {"s": State(case.state).label}
            )
        if any(p.case_id != case.pk for p in parties):
            raise ValidationError({"parties": _("Choose parties of this case.")})
        if any(m.committee_id != case.committee_id for m in mediators):
            raise ValidationError({"mediators": _("Choose mediators of this committee.")})
        if case.state == State.OPENED:
            _move(case, Step.START, actor=actor, post=post)
        session = Session.objects.create(
            case=case,
            held_at=held_at,
            location=location,
            notes=notes,
            others_present=others,
            recorded_by=actor,
        )
        session.parties_present.set(parties)
        session.mediators_present.set(mediators)
        audit.record(
            actor=actor,
            action="mediation.session",
            target=case,
            place_path=case.place_path,
            post=post,
            changes={"held_at": held_at, "parties": len(parties), "mediators": len(mediators)},
        )
    return session


def record_agreement(
    case: Case,
    *,
    actor: User,
    signed_on: dt.date,
    terms: str,
    text: str = "",
    scans: Iterable[IO[bytes] | None] | None = None,
) -> Agreement:
    """The agreement (协议): its terms, and its text or a scan of the signed copy (or both)."""
    terms = inputs.text(terms, "terms", 2000)
    text = inputs.text(text, "text", 8000, required=False)
    if signed_on > clock.today():
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    prepared = photos.prepare(scans)
    if not text and not prepared:
        raise ValidationError(
            {"text": _("Enter the agreement's text or upload a scan of the signed copy.")}
        )
    with photos.files_removed_on_error() as written, transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        case.outcome_at = clock.now()
        _move(case, Step.AGREE, actor=actor, post=post, scans=len(prepared))
        agreement = Agreement.objects.create(
            case=case, signed_on=signed_on, text=text, terms=terms, recorded_by=actor
        )
        photos.write(AgreementScan, prepared, user=actor, written=written, agreement=agreement)
    return agreement


def record_no_agreement(case: Case, *, actor: User, referral: str, note: str) -> Case:
    """No agreement: referred to the court link (诉调对接), to arbitration, or not referred.
    (Up to the committee above is `refer_up`: the case goes on there.)"""
    if referral not in (ReferralKind.COURT, ReferralKind.ARBITRATION, ReferralKind.NONE):
        raise ValidationError({"referral": _("Choose where the case is referred.")})
    note = _note(note)
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        case.outcome_at = clock.now()
        _move(case, Step.FAIL, actor=actor, post=post, note=note, referral=referral)
        if referral != ReferralKind.NONE:
            Referral.objects.create(
                case=case, kind=referral, from_committee=case.committee, note=note, made_by=actor
            )
    return case


def committee_above(committee: Committee) -> Committee | None:
    """The nearest committee of an ancestor place (street above community, district above
    street), as the place tree gives it."""
    paths = committee.place.ancestor_paths()[:-1]
    return Committee.objects.filter(place_path__in=paths).order_by("-place_path").first()


def refer_up(case: Case, *, actor: User, note: str) -> Case:
    """Mediation failed here: the case goes on, opened again, at the committee above."""
    note = _note(note)
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        try:
            workflow.target(case.state, Step.REFER_UP)
        except workflow.IllegalTransition as error:
            raise _refuse(error) from error
        above = committee_above(case.committee)
        if above is None:
            raise ValidationError(
                _("There is no mediation committee above %(c)s.") % {"c": case.committee.name}
            )
        Referral.objects.create(
            case=case,
            kind=ReferralKind.UP,
            from_committee=case.committee,
            to_committee=above,
            note=note,
            made_by=actor,
        )
        case.committee = above
        case.place_path = above.place_path
        _move(case, Step.REFER_UP, actor=actor, post=post, note=note, to=above.name)
        case.mediators.clear()
        _tell(
            _logins(above.mediators.filter(is_active=True).select_related("resident")),
            actor=actor,
            verb="mediation_referred",
            case=case,
            text=lambda: (
                _("Case %(number)s is referred up to %(committee)s.")
                % {"number": case.number, "committee": above.name}
            ),
        )
    return case


def flag_escalation(case: Case, *, actor: User, note: str) -> Case:
    """A case at risk of escalating into a mass incident (群体性): flagged to the street at once
    — a notification to the street's mediation staff, and an audit record."""
    note = _note(note)
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        if case.state in workflow.TERMINAL:
            raise ValidationError(_("This case is closed; nothing more can be done with it."))
        if case.escalation_risk:
            raise ValidationError(_("This case is already flagged to the street."))
        _flag(case, actor=actor, post=post, note=note)
    return case


def _flag(case: Case, *, actor: User, post: Post | None, note: str) -> None:
    case.escalation_risk = True
    case.escalation_flagged_at = clock.now()
    case.updated_at = clock.now()
    case.save(update_fields=["escalation_risk", "escalation_flagged_at", "updated_at"])
    street = street_of(case.committee)
    told = street_staff(street) if street is not None else []
    CaseEvent.objects.create(
        case=case,
        step=Step.ESCALATION,
        from_state=case.state,
        to_state=case.state,
        note=note[:500],
        actor=actor,
    )
    audit.record(
        actor=actor,
        action="mediation.case_escalation",
        target=case,
        place_path=case.place_path,
        post=post,
        changes={"escalation_risk": True, "street": street.path if street else "", "told": told},
        reason=note,
    )
    committee_name = case.committee.name
    _tell(
        told,
        actor=actor,
        verb="mediation_escalation",
        case=case,
        text=lambda: (
            _(
                "Case %(number)s at %(committee)s is at risk of escalating into a mass incident "
                "(群体性)."
            )
            % {"number": case.number, "committee": committee_name}
        ),
    )


def withdraw(case: Case, *, actor: User, note: str) -> Case:
    note = _note(note)
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        case.outcome_at = clock.now()
        return _move(case, Step.WITHDRAW, actor=actor, post=post, note=note)


def follow_up(
    case: Case, *, actor: User, visited_on: dt.date, kept: bool = True, note: str = ""
) -> FollowUp:
    """A follow-up visit. A broken agreement reopens the case (back in mediation)."""
    note = _note(note, required=not kept)
    if visited_on > clock.today():
        raise ValidationError({"visited_on": _("The visit date cannot be in the future.")})
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        if kept:
            _move(case, Step.FOLLOW_UP, actor=actor, post=post, note=note)
        else:
            agreement = case.agreements.filter(broken_on__isnull=True).order_by("-id").first()
            if agreement is None or case.state not in (State.AGREED, State.FOLLOW_UP):
                raise ValidationError(
                    {"kept": _("Only a case with an agreement can find it broken.")}
                )
            agreement.broken_on = visited_on
            agreement.save(update_fields=["broken_on"])
            case.outcome_at = None
            _move(case, Step.REOPEN, actor=actor, post=post, note=note)
        visit = FollowUp.objects.create(
            case=case, visited_on=visited_on, kept=kept, note=note, visited_by=actor
        )
    return visit


def close(case: Case, *, actor: User, note: str = "") -> Case:
    note = _note(note, required=False)
    with transaction.atomic():
        post = _handler(actor, case)
        case = _locked(case)
        case.closed_at = clock.now()
        return _move(case, Step.CLOSE, actor=actor, post=post, note=note)
