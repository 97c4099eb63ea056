"""Every write to social organisations, incubation, subsidies and venture philanthropy: one
transaction, the permission check (`access.require`: 404 outside the actor's scope, 403 inside
it without the right), one audit record; a refusal raises a ValidationError with a clear
message and writes nothing.

Who does what (gongzhi/core/roles.py):
- community and street staff (ORG_MANAGE) keep the register, documents, ratings, incubators and
  incubation stages;
- the street and district (ORG_FUND) set the year's subsidy budget, approve (with a reason) and
  pay subsidies, and run venture-philanthropy rounds: call, experts, awards, closing;
- an organisation's contact (ORG_APPLY and a link in OrgContact — the object rule) applies for
  subsidies and rounds in its name, records milestones and the final report;
- an appointed expert (ORG_REVIEW and RoundExpert — the object rule) scores the projects.

Money never goes above the rule or the budget, also under two simultaneous approvals or awards:
the budget's (the round's) row is locked while the sum is checked and the decision written, and
the database refuses an approved amount above the rule's (CHECK constraint).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, credit_codes, inputs
from gongzhi.core.access import Grant
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.organisations import rules, workflow
from gongzhi.organisations.models import (
    LIVE_STAGES,
    DocumentKind,
    ExpertScore,
    Incubation,
    Incubator,
    IncubatorLevel,
    Milestone,
    Organisation,
    OrgContact,
    OrgDocument,
    OrgKind,
    OrgStatus,
    Rating,
    RoundExpert,
    RoundStatus,
    ServiceField,
    Stage,
    SubsidyApplication,
    SubsidyBudget,
    SubsidyStatus,
    VentureApplication,
    VentureRound,
    VentureStatus,
)
from gongzhi.party.models import PartyOrg
from gongzhi.places.models import Place, PlaceKind

MAX_YUAN = Decimal("100000000")  # a hundred million yuan: beyond any figure of these rules
LEVEL_OF_KIND = {
    PlaceKind.DISTRICT: IncubatorLevel.DISTRICT,
    PlaceKind.STREET: IncubatorLevel.STREET,
    PlaceKind.COMMUNITY: IncubatorLevel.COMMUNITY,
}


def _manage(actor: User, path: str) -> Grant:
    return access.require(actor, Action.ORG_MANAGE, path, read_action=Action.ORG_VIEW)


def _fund(actor: User, path: str) -> Grant:
    return access.require(actor, Action.ORG_FUND, path, read_action=Action.ORG_VIEW)


def _acts_for(actor: User, org: Organisation) -> Grant:
    """The object rule: only a contact linked to the organisation acts in its name."""
    grant = access.require(actor, Action.ORG_APPLY, org.place_path, read_action=Action.ORG_VIEW)
    if not OrgContact.objects.filter(organisation=org, user=actor).exists():
        raise PermissionDenied(_("Only the organisation's own contact may do this."))
    return grant


def review_grant(user: User, path: str) -> Grant | None:
    """A grant of ORG_REVIEW over the area of `path` or inside it: a street's round may appoint
    a community's secretary as an expert."""
    for grant in access.grants(user, Action.ORG_REVIEW):
        if grant.household_id is not None:
            continue
        if (
            grant.everything
            or path.startswith(grant.path or "")
            or (grant.path or "").startswith(path)
        ):
            return grant
    return None


def fen(value: Any, field: str, *, allow_zero: bool = False) -> int:
    """An amount typed in yuan (at most two decimals) as fen, or a refusal on `field`."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ValidationError({field: _("Enter an amount in yuan.")}) from None
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter an amount in yuan with at most two decimals.")})
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError({field: _("The amount must be above zero.")})
    if amount > MAX_YUAN:
        raise ValidationError({field: _("This amount is too large.")})
    return int(amount * 100)


def _choice(value: str, choices: Any, field: str) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the options.")})
    return value


def _not_future(day: dt.date, field: str) -> dt.date:
    if day > clock.today():
        raise ValidationError({field: _("This date is in the future.")})
    return day


# --------------------------------------------------------------------------- item 1: registry


def register(
    place: Place,
    *,
    actor: User,
    name: str,
    kind: str,
    status: str,
    field: str,
    credit_code: str = "",
    filed_on: dt.date | None = None,
    registered_on: dt.date | None = None,
    address: str = "",
    contact_name: str = "",
    office_phone: str = "",
    original_fund_yuan: Any = None,
    certified_on: dt.date | None = None,
) -> Organisation:
    """Put an organisation on the register, filed with the street (备案: the filing date) or
    registered with civil affairs (登记: the credit code, checked to GB 32100, and the date)."""
    name = inputs.text(name, "name", 100)
    _choice(kind, OrgKind, "kind")
    _choice(field, ServiceField, "field")
    if status not in (OrgStatus.FILED, OrgStatus.REGISTERED):
        raise ValidationError({"status": _("An organisation is filed or registered.")})
    code = credit_codes.clean(credit_code) if (credit_code or "").strip() else None
    if status == OrgStatus.FILED and filed_on is None:
        raise ValidationError({"filed_on": _("Give the date it was filed with the street.")})
    if status == OrgStatus.REGISTERED:
        if code is None:
            raise ValidationError(
                {"credit_code": _("A registered organisation has a unified social credit code.")}
            )
        if registered_on is None:
            raise ValidationError({"registered_on": _("Give the date of registration.")})
    for day, label in ((filed_on, "filed_on"), (registered_on, "registered_on")):
        if day is not None:
            _not_future(day, label)
    if place.kind not in (PlaceKind.STREET, PlaceKind.COMMUNITY):
        raise ValidationError({"place": _("An organisation serves a community or a whole street.")})
    fund = fen(original_fund_yuan, "original_fund_yuan") if original_fund_yuan else None
    fields = {
        "address": inputs.text(address, "address", 200, required=False),
        "contact_name": inputs.text(contact_name, "contact_name", 64, required=False),
        "office_phone": inputs.text(office_phone, "office_phone", 20, required=False),
    }
    with transaction.atomic():
        grant = _manage(actor, place.path)
        if code is not None:
            known = Organisation.objects.filter(credit_code=code).first()
            if known is not None:
                raise ValidationError(
                    {
                        "credit_code": _(
                            "An organisation with this credit code is already on the "
                            "register: %(name)s."
                        )
                        % {"name": known.name}
                    }
                )
        org = Organisation.objects.create(
            name=name,
            kind=kind,
            status=status,
            credit_code=code,
            field=field,
            place=place,
            place_path=place.path,
            filed_on=filed_on,
            registered_on=registered_on,
            original_fund_fen=fund,
            certified_on=certified_on,
            **fields,
        )
        audit.record(
            actor=actor,
            action="organisations.register",
            target=org,
            place_path=org.place_path,
            post=grant.post,
            changes={"name": name, "kind": kind, "status": status, "credit_code": code or ""},
        )
    return org


def _lock(org: Organisation) -> Organisation:
    return Organisation.objects.select_for_update().get(pk=org.pk)


def record_registration(
    org: Organisation, *, actor: User, credit_code: str, registered_on: dt.date
) -> Organisation:
    """A filed organisation registers with civil affairs (登记)."""
    code = credit_codes.clean(credit_code)
    _not_future(registered_on, "registered_on")
    with transaction.atomic():
        grant = _manage(actor, org.place_path)
        org = _lock(org)
        if org.status != OrgStatus.FILED:
            raise ValidationError({"status": _("Only a filed organisation can be registered.")})
        if Organisation.objects.filter(credit_code=code).exclude(pk=org.pk).exists():
            raise ValidationError(
                {"credit_code": _("Another organisation on the register has this credit code.")}
            )
        org.status = OrgStatus.REGISTERED
        org.credit_code = code
        org.registered_on = registered_on
        org.save(update_fields=["status", "credit_code", "registered_on"])
        audit.record(
            actor=actor,
            action="organisations.registered",
            target=org,
            place_path=org.place_path,
            post=grant.post,
            changes={"status": org.status, "credit_code": code, "registered_on": registered_on},
        )
    return org


def dissolve(org: Organisation, *, actor: User, on: dt.date, reason: str) -> Organisation:
    reason = inputs.text(reason, "reason", 500)
    _not_future(on, "on")
    with transaction.atomic():
        grant = _manage(actor, org.place_path)
        org = _lock(org)
        if org.status == OrgStatus.DISSOLVED:
            raise ValidationError({"status": _("This organisation is already dissolved.")})
        org.status = OrgStatus.DISSOLVED
        org.dissolved_on = on
        org.save(update_fields=["status", "dissolved_on"])
        audit.record(
            actor=actor,
            action="organisations.dissolve",
            target=org,
            place_path=org.place_path,
            post=grant.post,
            changes={"dissolved_on": on},
            reason=reason,
        )
    return org


def set_party_org(org: Organisation, *, actor: User, party_org: PartyOrg | None) -> Organisation:
    """Record the organisation's party organisation, or that it has none (it is then listed
    among the bodies without one)."""
    with transaction.atomic():
        grant = _manage(actor, org.place_path)
        if party_org is not None and not access.can(actor, Action.PARTY_VIEW, party_org.place_path):
            raise ValidationError({"party_org": _("Choose a party organisation of your area.")})
        org = _lock(org)
        org.party_org = party_org
        org.save(update_fields=["party_org"])
        audit.record(
            actor=actor,
            action="organisations.party_org",
            target=org,
            place_path=org.place_path,
            post=grant.post,
            changes={"party_org": party_org.pk if party_org else None},
        )
    return org


def set_rating(
    org: Organisation, *, actor: User, rating: str, rated_on: dt.date | None
) -> Organisation:
    """Record the grade of the civil-affairs assessment (1A–5A) and its date; empty clears it."""
    if rating:
        _choice(rating, Rating, "rating")
        if rated_on is None:
            raise ValidationError({"rated_on": _("Give the date of the rating.")})
        _not_future(rated_on, "rated_on")
    else:
        rated_on = None
    with transaction.atomic():
        grant = _manage(actor, org.place_path)
        org = _lock(org)
        before = org.rating
        org.rating = rating
        org.rated_on = rated_on
        org.save(update_fields=["rating", "rated_on"])
        audit.record(
            actor=actor,
            action="organisations.rating",
            target=org,
            place_path=org.place_path,
            post=grant.post,
            changes={"rating": [before, rating], "rated_on": rated_on},
        )
    return org


def add_document(
    org: Organisation,
    *,
    actor: User,
    kind: str,
    title: str,
    issued_on: dt.date,
    reference: str = "",
) -> OrgDocument:
    _choice(kind, DocumentKind, "kind")
    title = inputs.text(title, "title", 200)
    reference = inputs.text(reference, "reference", 100, required=False)
    _not_future(issued_on, "issued_on")
    with transaction.atomic():
        grant = _manage(actor, org.place_path)
        doc = OrgDocument.objects.create(
            organisation=org,
            kind=kind,
            title=title,
            reference=reference,
            issued_on=issued_on,
            place_path=org.place_path,
        )
        audit.record(
            actor=actor,
            action="organisations.document",
            target=doc,
            place_path=org.place_path,
            post=grant.post,
            changes={"kind": kind, "title": title, "reference": reference},
        )
    return doc


def link_contact(org: Organisation, *, actor: User, user: User) -> OrgContact:
    """Let a login act for the organisation: it must hold the apply right where it serves."""
    with transaction.atomic():
        grant = _manage(actor, org.place_path)
        if not access.can(user, Action.ORG_APPLY, org.place_path):
            raise ValidationError(
                {"user": _("This login has no post that may act for an organisation here.")}
            )
        link, made = OrgContact.objects.get_or_create(organisation=org, user=user)
        if not made:
            raise ValidationError({"user": _("This login already acts for the organisation.")})
        audit.record(
            actor=actor,
            action="organisations.contact",
            target=org,
            place_path=org.place_path,
            post=grant.post,
            changes={"user": user.pk},
        )
    return link


# --------------------------------------------------------------------------- item 2: incubation


def add_incubator(
    place: Place,
    *,
    actor: User,
    name: str,
    opened_on: dt.date,
    operator: Organisation | None = None,
) -> Incubator:
    """One incubator per place and level: the district's base, the street's federation, the
    community's studio (003 annex 2 item 13)."""
    name = inputs.text(name, "name", 100)
    level = LEVEL_OF_KIND.get(place.kind)  # type: ignore[call-overload]
    if level is None:
        raise ValidationError(
            {"place": _("An incubator belongs to the district, a street or a community.")}
        )
    with transaction.atomic():
        grant = _manage(actor, place.path)
        if Incubator.objects.filter(place=place, level=level).exists():
            raise ValidationError({"place": _("This place already has its incubator.")})
        incubator = Incubator.objects.create(
            name=name,
            level=level,
            place=place,
            place_path=place.path,
            opened_on=opened_on,
            operator=operator,
        )
        audit.record(
            actor=actor,
            action="organisations.incubator",
            target=incubator,
            place_path=place.path,
            post=grant.post,
            changes={"name": name, "level": level},
        )
    return incubator


def apply_incubation(
    org: Organisation, incubator: Incubator, *, actor: User, applied_on: dt.date
) -> Incubation:
    _not_future(applied_on, "applied_on")
    if not org.active:
        raise ValidationError({"organisation": _("A dissolved organisation cannot be incubated.")})
    if not org.place_path.startswith(incubator.place_path) and not incubator.place_path.startswith(
        org.place_path
    ):
        raise ValidationError(
            {"incubator": _("Choose an incubator of the organisation's community or street.")}
        )
    with transaction.atomic():
        grant = _manage(actor, incubator.place_path)
        _lock(org)
        if Incubation.objects.filter(organisation=org, stage__in=LIVE_STAGES).exists():
            raise ValidationError(
                {"organisation": _("This organisation is already in an incubator.")}
            )
        incubation = Incubation.objects.create(
            organisation=org,
            incubator=incubator,
            stage=Stage.APPLIED,
            applied_on=applied_on,
            place_path=incubator.place_path,
        )
        audit.record(
            actor=actor,
            action="organisations.incubation_apply",
            target=incubation,
            place_path=incubation.place_path,
            post=grant.post,
            changes={"organisation": org.pk, "incubator": incubator.pk},
        )
    return incubation


def step_incubation(
    incubation: Incubation,
    step: str,
    *,
    actor: User,
    on: dt.date,
    mentor: str = "",
    note: str = "",
) -> Incubation:
    """Move an incubation along the table of gongzhi/organisations/workflow.py."""
    mentor = inputs.text(mentor, "mentor", 64, required=step == workflow.Step.ADMIT)
    note = inputs.text(note, "note", 500, required=False)
    _not_future(on, "on")
    with transaction.atomic():
        grant = _manage(actor, incubation.place_path)
        incubation = Incubation.objects.select_for_update().get(pk=incubation.pk)
        try:
            new = workflow.target(incubation.stage, step)
        except workflow.IllegalTransition as error:
            raise ValidationError({"step": error.message}) from None
        start = incubation.started_on or incubation.applied_on
        if on < start:
            raise ValidationError({"on": _("This date is before the previous stage.")})
        before = incubation.stage
        incubation.stage = new
        if step == workflow.Step.ADMIT:
            incubation.started_on = on
            incubation.mentor = mentor
        else:
            incubation.ended_on = on
        if note:
            incubation.note = note
        incubation.save()
        audit.record(
            actor=actor,
            action="organisations.incubation_step",
            target=incubation,
            place_path=incubation.place_path,
            post=grant.post,
            changes={"stage": [before, new], "on": on, "mentor": mentor},
        )
    return incubation


# --------------------------------------------------------------------------- item 3: subsidies


def set_budget(place: Place, year: int, *, actor: User, amount_yuan: Any) -> SubsidyBudget:
    """The year's subsidy budget of a street or the district; it may not fall below what is
    already approved against it."""
    amount = fen(amount_yuan, "amount_yuan", allow_zero=True)
    if place.kind not in (PlaceKind.STREET, PlaceKind.DISTRICT):
        raise ValidationError({"place": _("A subsidy budget belongs to a street or the district.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    with transaction.atomic():
        grant = _fund(actor, place.path)
        budget = SubsidyBudget.objects.select_for_update().filter(place=place, year=year).first()
        if budget is None:
            budget = SubsidyBudget.objects.create(
                place=place, year=year, amount_fen=amount, place_path=place.path
            )
        else:
            if amount < committed(budget):
                raise ValidationError(
                    {"amount_yuan": _("The budget cannot be below what is already approved.")}
                )
            budget.amount_fen = amount
            budget.save(update_fields=["amount_fen"])
        audit.record(
            actor=actor,
            action="organisations.budget",
            target=budget,
            place_path=place.path,
            post=grant.post,
            changes={"year": year, "amount_fen": amount},
        )
    return budget


def committed(budget: SubsidyBudget) -> int:
    """Fen approved or paid against the budget."""
    total = SubsidyApplication.objects.filter(
        budget=budget, status__in=[SubsidyStatus.APPROVED, SubsidyStatus.PAID]
    ).aggregate(s=Sum("approved_fen"))["s"]
    return int(total or 0)


def budget_for(path: str, year: int) -> SubsidyBudget | None:
    """The most specific budget of the year covering `path` (the street's before the
    district's)."""
    parts = path.strip("/").split("/")
    ancestors = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return (
        SubsidyBudget.objects.filter(place_path__in=ancestors, year=year)
        .order_by("-place_path")
        .first()
    )


def apply_subsidy(
    org: Organisation, *, actor: User, rule: str, year: int, base_yuan: Any = None
) -> SubsidyApplication:
    """The organisation applies with its figures; the platform computes what the rule of the
    organisation's policy document allows."""
    base = fen(base_yuan, "base_yuan") if base_yuan not in (None, "") else None
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    with transaction.atomic():
        grant = _acts_for(actor, org)
        org = _lock(org)
        if not org.active:
            raise ValidationError({"organisation": _("A dissolved organisation cannot apply.")})
        amount = rules.allowed(org, rule, base, org.place)
        live = SubsidyApplication.objects.filter(organisation=org, rule=rule).exclude(
            status=SubsidyStatus.REFUSED
        )
        if rule in rules.ONCE and live.exists():
            raise ValidationError({"rule": _("This subsidy is given once; it was applied for.")})
        if live.filter(year=year).exists():
            raise ValidationError(
                {"rule": _("The organisation has applied under this rule this year.")}
            )
        application = SubsidyApplication.objects.create(
            organisation=org,
            rule=rule,
            year=year,
            base_fen=base if rule in rules.WITH_FIGURE else None,
            computed_fen=amount.fen,
            paragraph=amount.paragraph,
            applied_by=actor,
            place_path=org.place_path,
        )
        audit.record(
            actor=actor,
            action="organisations.subsidy_apply",
            target=application,
            place_path=org.place_path,
            post=grant.post,
            changes={"rule": rule, "year": year, "base_fen": base, "computed_fen": amount.fen},
        )
    return application


def _lock_application(application: SubsidyApplication) -> SubsidyApplication:
    return SubsidyApplication.objects.select_for_update().get(pk=application.pk)


def decide_subsidy(
    application: SubsidyApplication,
    *,
    actor: User,
    approve: bool,
    reason: str,
    amount_yuan: Any = None,
) -> SubsidyApplication:
    """An officer approves (an amount up to what the rule allows and the year's budget has
    left) or refuses, with a reason either way."""
    reason = inputs.text(reason, "reason", 500)
    amount = fen(amount_yuan, "amount_yuan") if approve else None
    with transaction.atomic():
        grant = _fund(actor, application.place_path)
        budget = None
        if approve:
            found = budget_for(application.place_path, application.year)
            if found is None:
                raise ValidationError(
                    {
                        "amount_yuan": _("There is no subsidy budget for %(year)s here.")
                        % {"year": application.year}
                    }
                )
            # The budget row is the lock: two approvals against one budget take turns.
            budget = SubsidyBudget.objects.select_for_update().get(pk=found.pk)
        application = _lock_application(application)
        if application.status != SubsidyStatus.APPLIED:
            raise ValidationError({"status": _("This application has been decided already.")})
        if approve and budget is not None and amount is not None:
            if amount > application.computed_fen:
                raise ValidationError(
                    {
                        "amount_yuan": _("The rule allows at most %(most)s yuan.")
                        % {"most": rules.fen_to_yuan(application.computed_fen)}
                    }
                )
            left = budget.amount_fen - committed(budget)
            if amount > left:
                raise ValidationError(
                    {
                        "amount_yuan": _("The %(year)s budget has %(left)s yuan left.")
                        % {"year": application.year, "left": rules.fen_to_yuan(max(left, 0))}
                    }
                )
        application.status = SubsidyStatus.APPROVED if approve else SubsidyStatus.REFUSED
        application.approved_fen = amount
        application.budget = budget
        application.reason = reason
        application.decided_by = actor
        application.decided_at = clock.now()
        application.save()
        audit.record(
            actor=actor,
            action="organisations.subsidy_decide",
            target=application,
            place_path=application.place_path,
            post=grant.post,
            changes={"status": application.status, "approved_fen": amount},
            reason=reason,
        )
    return application


def pay_subsidy(
    application: SubsidyApplication, *, actor: User, paid_on: dt.date, reference: str
) -> SubsidyApplication:
    reference = inputs.text(reference, "reference", 100)
    _not_future(paid_on, "paid_on")
    with transaction.atomic():
        grant = _fund(actor, application.place_path)
        application = _lock_application(application)
        if application.status != SubsidyStatus.APPROVED:
            raise ValidationError({"status": _("Only an approved subsidy can be paid.")})
        application.status = SubsidyStatus.PAID
        application.paid_on = paid_on
        application.payment_ref = reference
        application.save(update_fields=["status", "paid_on", "payment_ref"])
        audit.record(
            actor=actor,
            action="organisations.subsidy_pay",
            target=application,
            place_path=application.place_path,
            post=grant.post,
            changes={"paid_on": paid_on, "payment_ref": reference},
        )
    return application


# --------------------------------------------------------------------------- item 4: 公益创投


def open_round(
    place: Place,
    *,
    actor: User,
    year: int,
    title: str,
    call: str,
    budget_yuan: Any,
    closes_on: dt.date,
    prize_cap_yuan: Any = None,
) -> VentureRound:
    """A yearly round with its budget. The most per project is the profile's cap (000 §四:
    最高10万元); a lower cap may be typed. Where the place's document sets no cap, the street
    types one and the round says it is the street's own."""
    title = inputs.text(title, "title", 100)
    call = inputs.text(call, "call", 4000)
    budget = fen(budget_yuan, "budget_yuan")
    typed = fen(prize_cap_yuan, "prize_cap_yuan") if prize_cap_yuan not in (None, "") else None
    if place.kind not in (PlaceKind.STREET, PlaceKind.DISTRICT):
        raise ValidationError({"place": _("A round is held by a street or the district.")})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 2000 and 2100.")})
    if closes_on < clock.today():
        raise ValidationError({"closes_on": _("The closing date has passed.")})
    try:
        rule = rules.venture_cap(place)
    except ValidationError:
        if typed is None:
            raise ValidationError(
                {
                    "prize_cap_yuan": _(
                        "The policy document of %(place)s sets no most per project; type it."
                    )
                    % {"place": place.name}
                }
            ) from None
        cap, paragraph = typed, ""
    else:
        if typed is not None and typed > rule.fen:
            raise ValidationError(
                {
                    "prize_cap_yuan": _("The policy document allows at most %(cap)s yuan.")
                    % {"cap": rules.fen_to_yuan(rule.fen)}
                }
            )
        cap, paragraph = (typed if typed is not None else rule.fen), rule.paragraph
    with transaction.atomic():
        grant = _fund(actor, place.path)
        if VentureRound.objects.filter(place=place, year=year).exists():
            raise ValidationError({"year": _("There is already a round for this year here.")})
        rnd = VentureRound.objects.create(
            place=place,
            year=year,
            title=title,
            call=call,
            budget_fen=budget,
            prize_cap_fen=cap,
            cap_paragraph=paragraph,
            closes_on=closes_on,
            place_path=place.path,
        )
        audit.record(
            actor=actor,
            action="organisations.round_open",
            target=rnd,
            place_path=place.path,
            post=grant.post,
            changes={"year": year, "budget_fen": budget, "prize_cap_fen": cap},
        )
    return rnd


def _lock_round(rnd: VentureRound) -> VentureRound:
    return VentureRound.objects.select_for_update().get(pk=rnd.pk)


def appoint_expert(rnd: VentureRound, user: User, *, actor: User) -> RoundExpert:
    with transaction.atomic():
        grant = _fund(actor, rnd.place_path)
        if review_grant(user, rnd.place_path) is None:
            raise ValidationError({"user": _("This login may not review projects here.")})
        if RoundExpert.objects.filter(round=rnd, user=user).exists():
            raise ValidationError({"user": _("This expert is already appointed.")})
        expert = RoundExpert.objects.create(round=rnd, user=user)
        audit.record(
            actor=actor,
            action="organisations.expert",
            target=rnd,
            place_path=rnd.place_path,
            post=grant.post,
            changes={"expert": user.pk},
        )
    return expert


def apply_venture(
    rnd: VentureRound,
    org: Organisation,
    *,
    actor: User,
    title: str,
    plan: str,
    budget_yuan: Any,
) -> VentureApplication:
    title = inputs.text(title, "title", 100)
    plan = inputs.text(plan, "plan", 4000)
    budget = fen(budget_yuan, "budget_yuan")
    if not org.place_path.startswith(rnd.place_path):
        raise ValidationError({"organisation": _("The organisation does not serve this area.")})
    with transaction.atomic():
        grant = _acts_for(actor, org)
        rnd = _lock_round(rnd)
        if rnd.status != RoundStatus.CALL or clock.today() > rnd.closes_on:
            raise ValidationError({"round": _("This round takes no more applications.")})
        if not org.active:
            raise ValidationError({"organisation": _("A dissolved organisation cannot apply.")})
        if VentureApplication.objects.filter(round=rnd, organisation=org, title=title).exists():
            raise ValidationError({"title": _("This project has been submitted already.")})
        application = VentureApplication.objects.create(
            round=rnd,
            organisation=org,
            title=title,
            plan=plan,
            budget_fen=budget,
            submitted_by=actor,
            place_path=org.place_path,
        )
        audit.record(
            actor=actor,
            action="organisations.venture_apply",
            target=application,
            place_path=org.place_path,
            post=grant.post,
            changes={"round": rnd.pk, "title": title, "budget_fen": budget},
        )
    return application


def _round_step(rnd: VentureRound, *, actor: User, frm: str, to: str, action: str) -> VentureRound:
    with transaction.atomic():
        grant = _fund(actor, rnd.place_path)
        rnd = _lock_round(rnd)
        if rnd.status != frm:
            raise ValidationError(
                {"status": _("The round is “%(status)s”.") % {"status": rnd.get_status_display()}}
            )
        if to == RoundStatus.AWARDED:
            rnd.applications.filter(status=VentureStatus.SUBMITTED).update(
                status=VentureStatus.NOT_AWARDED
            )
        rnd.status = to
        rnd.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action=action,
            target=rnd,
            place_path=rnd.place_path,
            post=grant.post,
            changes={"status": [frm, to]},
        )
    return rnd


def start_review(rnd: VentureRound, *, actor: User) -> VentureRound:
    """Close the call; the experts score."""
    if not rnd.experts.exists():
        raise ValidationError({"round": _("Appoint the experts first.")})
    return _round_step(
        rnd,
        actor=actor,
        frm=RoundStatus.CALL,
        to=RoundStatus.REVIEW,
        action="organisations.round_review",
    )


def publish_results(rnd: VentureRound, *, actor: User) -> VentureRound:
    """End the awards: the projects not awarded are marked so, the public page shows the
    results."""
    return _round_step(
        rnd,
        actor=actor,
        frm=RoundStatus.REVIEW,
        to=RoundStatus.AWARDED,
        action="organisations.round_publish",
    )


def close_round(rnd: VentureRound, *, actor: User) -> VentureRound:
    return _round_step(
        rnd,
        actor=actor,
        frm=RoundStatus.AWARDED,
        to=RoundStatus.CLOSED,
        action="organisations.round_close",
    )


def score(
    application: VentureApplication, *, actor: User, value: int, comment: str = ""
) -> ExpertScore:
    comment = inputs.text(comment, "comment", 500, required=False)
    if not 0 <= value <= 100:
        raise ValidationError({"score": _("A score is between 0 and 100.")})
    with transaction.atomic():
        grant = review_grant(actor, application.round.place_path)
        appointed = RoundExpert.objects.filter(round=application.round, user=actor).exists()
        if grant is None or not appointed:
            raise PermissionDenied(_("Only the round's experts score its projects."))
        rnd = _lock_round(application.round)
        if rnd.status != RoundStatus.REVIEW:
            raise ValidationError({"round": _("The round is not in expert review.")})
        if ExpertScore.objects.filter(application=application, expert=actor).exists():
            raise ValidationError({"score": _("You have scored this project already.")})
        try:
            with transaction.atomic():
                made = ExpertScore.objects.create(
                    application=application, expert=actor, score=value, comment=comment
                )
        except IntegrityError:
            raise ValidationError({"score": _("You have scored this project already.")}) from None
        audit.record(
            actor=actor,
            action="organisations.score",
            target=application,
            place_path=application.place_path,
            post=grant.post,
            changes={"score": value},
        )
    return made


def awarded_total(rnd: VentureRound) -> int:
    total = rnd.applications.filter(award_fen__isnull=False).aggregate(s=Sum("award_fen"))["s"]
    return int(total or 0)


def award(
    application: VentureApplication, *, actor: User, amount_yuan: Any, reason: str
) -> VentureApplication:
    """Award a scored project: at most the profile's cap, its own budget and what the round's
    budget has left (the round's row is locked while the sum is checked)."""
    amount = fen(amount_yuan, "amount_yuan")
    reason = inputs.text(reason, "reason", 500)
    with transaction.atomic():
        grant = _fund(actor, application.round.place_path)
        rnd = _lock_round(application.round)
        application = VentureApplication.objects.select_for_update().get(pk=application.pk)
        if rnd.status != RoundStatus.REVIEW:
            raise ValidationError({"round": _("Awards are made during the expert review.")})
        if application.status != VentureStatus.SUBMITTED:
            raise ValidationError({"status": _("This project has been decided already.")})
        if not application.scores.exists():
            raise ValidationError({"status": _("No expert has scored this project yet.")})
        if amount > rnd.prize_cap_fen:
            raise ValidationError(
                {
                    "amount_yuan": _("A prize is at most %(cap)s yuan (%(paragraph)s).")
                    % {
                        "cap": rules.fen_to_yuan(rnd.prize_cap_fen),
                        "paragraph": rnd.cap_paragraph or _("set by the round"),
                    }
                }
            )
        if amount > application.budget_fen:
            raise ValidationError(
                {"amount_yuan": _("The award cannot be above the project's own budget.")}
            )
        left = rnd.budget_fen - awarded_total(rnd)
        if amount > left:
            raise ValidationError(
                {
                    "amount_yuan": _("The round's budget has %(left)s yuan left.")
                    % {"left": rules.fen_to_yuan(max(left, 0))}
                }
            )
        application.status = VentureStatus.AWARDED
        application.award_fen = amount
        application.award_reason = reason
        application.save(update_fields=["status", "award_fen", "award_reason"])
        audit.record(
            actor=actor,
            action="organisations.award",
            target=application,
            place_path=application.place_path,
            post=grant.post,
            changes={"award_fen": amount},
            reason=reason,
        )
    return application


def _awarded(application: VentureApplication) -> None:
    if application.status not in (VentureStatus.AWARDED, VentureStatus.REPORTED):
        raise ValidationError({"status": _("Only an awarded project has milestones.")})


def add_milestone(
    application: VentureApplication, *, actor: User, title: str, due_on: dt.date
) -> Milestone:
    title = inputs.text(title, "title", 200)
    with transaction.atomic():
        grant = _acts_for(actor, application.organisation)
        application = VentureApplication.objects.select_for_update().get(pk=application.pk)
        _awarded(application)
        milestone = Milestone.objects.create(application=application, title=title, due_on=due_on)
        audit.record(
            actor=actor,
            action="organisations.milestone",
            target=application,
            place_path=application.place_path,
            post=grant.post,
            changes={"title": title, "due_on": due_on},
        )
    return milestone


def complete_milestone(
    milestone: Milestone, *, actor: User, done_on: dt.date, evidence: str
) -> Milestone:
    evidence = inputs.text(evidence, "evidence", 500)
    _not_future(done_on, "done_on")
    with transaction.atomic():
        grant = _acts_for(actor, milestone.application.organisation)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.done_on is not None:
            raise ValidationError({"done_on": _("This milestone is done already.")})
        milestone.done_on = done_on
        milestone.evidence = evidence
        milestone.save(update_fields=["done_on", "evidence"])
        audit.record(
            actor=actor,
            action="organisations.milestone_done",
            target=milestone.application,
            place_path=milestone.application.place_path,
            post=grant.post,
            changes={"milestone": milestone.pk, "done_on": done_on, "evidence": evidence},
        )
    return milestone


def final_report(application: VentureApplication, *, actor: User, text: str) -> VentureApplication:
    text = inputs.text(text, "text", 4000)
    with transaction.atomic():
        grant = _acts_for(actor, application.organisation)
        application = VentureApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != VentureStatus.AWARDED:
            raise ValidationError({"status": _("Only an awarded project reports.")})
        if application.milestones.filter(done_on__isnull=True).exists():
            raise ValidationError({"text": _("Complete every milestone before the final report.")})
        application.status = VentureStatus.REPORTED
        application.final_report = text
        application.reported_on = clock.today()
        application.save(update_fields=["status", "final_report", "reported_on"])
        audit.record(
            actor=actor,
            action="organisations.final_report",
            target=application,
            place_path=application.place_path,
            post=grant.post,
            changes={"reported_on": application.reported_on},
        )
    return application
