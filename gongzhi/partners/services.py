"""Every write to partner units, the three lists and claims: one transaction, the permission
check, one audit record; a refusal raises (Http404 / PermissionDenied / ValidationError with a
clear message) and writes nothing.

Who does what:
- community staff (PARTNER_MANAGE) register units, put needs and projects on the lists (also
  from a ticket), claim offered resources for a community, and confirm the work of units;
- a unit's contacts (PARTNER_CLAIM, in their street or community only, and only for their own
  unit) offer resources, claim needs and projects for their unit, report progress, complete,
  and confirm what a community did with their resource.

Claiming is race-safe: the list item's row is locked (SELECT … FOR UPDATE; SQLite serialises
writers) and a partial unique index allows one live claim per item.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs
from gongzhi.core.models import User
from gongzhi.core.roles import Action, Role
from gongzhi.organisations import selectors as org_selectors
from gongzhi.partners.models import (
    Claim,
    ClaimPhoto,
    ClaimStatus,
    ClaimUpdate,
    ItemStatus,
    ListItem,
    ListKind,
    PartnerUnit,
    ResourceKind,
    UnitKind,
)
from gongzhi.places.models import Place

if TYPE_CHECKING:
    from gongzhi.organisations.models import Organisation
    from gongzhi.party.models import PartyOrg

MAX_AMOUNT_YUAN = 100_000_000
MAX_HOURS = Decimal(100_000)
MAX_PENDING_NEEDS = 5  # a resident's needs waiting for review at once


def _amount(value: object) -> int:
    text = str(value if value is not None else "").strip() or "0"
    if not text.isdigit() or int(text) > MAX_AMOUNT_YUAN:
        raise ValidationError(
            {
                "amount": _("Enter the amount as a whole number of yuan from 0 to %(max)s.")
                % {"max": MAX_AMOUNT_YUAN}
            }
        )
    return int(text)


def _minutes(value: object) -> int:
    try:
        hours = Decimal(str(value if value is not None else "").strip() or "0")
    except InvalidOperation:
        hours = Decimal(-1)
    if not (Decimal(0) <= hours <= MAX_HOURS) or hours != hours.quantize(Decimal("0.01")):
        raise ValidationError(
            {"hours": _("Enter the hours as a number from 0 to %(max)s.") % {"max": MAX_HOURS}}
        )
    return int(hours * 60)


def _visible(user: User, item: ListItem) -> bool:
    from gongzhi.partners.selectors import visible_items

    return visible_items(user).filter(pk=item.pk).exists()


def _holds_contact_post(user: User, path: str) -> bool:
    """A partner-contact post whose scope covers `path` (staff are not contacts)."""
    return any(
        post.role == Role.PARTNER_CONTACT
        and post.place is not None
        and path.startswith(post.place.path)
        for post in access.active_posts(user)
    ) or any(
        post.role == Role.PARTNER_CONTACT
        and post.place is not None
        and post.place.path.startswith(path)
        for post in access.active_posts(user)
    )


def is_contact(user: User, unit: PartnerUnit) -> bool:
    return unit.contacts.filter(pk=user.pk).exists() and access.can(
        user, Action.PARTNER_CLAIM, unit.place_path
    )


def _require_for_unit(user: User, unit: PartnerUnit, path: str) -> access.Grant:
    """The actor acts for `unit` at `path`: a contact of that very unit, or community staff at
    `path` for a unit paired with the community of `path` or with a place above it (its street).
    Which units the actor can see is not enough: staff holding posts in two communities see the
    units of both, but act at `path` only for the units paired there."""
    grant = access.require(user, Action.PARTNER_CLAIM, path, read_action=Action.PARTNER_VIEW)
    if unit.contacts.filter(pk=user.pk).exists():
        return grant
    if access.can(user, Action.PARTNER_MANAGE, path) and path.startswith(unit.place_path):
        return grant
    raise PermissionDenied(
        _("You are not a contact of %(unit)s; you cannot act for it.") % {"unit": unit}
    )


# --------------------------------------------------------------------------- units and lists


def add_unit(
    place: Place,
    *,
    actor: User,
    name: str,
    kind: str,
    address: str = "",
    party_org: PartyOrg | None = None,
    party_org_name: str = "",
    contacts: Iterable[User] = (),
    organisation: Organisation | None = None,
) -> PartnerUnit:
    """A partner unit paired with a street or community. A unit of kind social organisation is
    one on the register (issue 16 item 1): `organisation` is required, its name is the unit's
    name unless another is typed; a social organisation typed by name only is refused."""
    contacts = list(contacts)  # read twice: linked, then named in the audit record
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Choose the kind of unit.")})
    if place.kind not in ("street", "community"):
        raise ValidationError(
            {"place": _("A partner unit is paired with a street or a community.")}
        )
    if kind == UnitKind.SOCIAL_ORG:
        if organisation is None:
            raise ValidationError(
                {
                    "organisation": _(
                        "A social organisation is no longer typed by name: choose it on the "
                        "register (register it there first if it is missing)."
                    )
                }
            )
    elif organisation is not None:
        raise ValidationError(
            {"organisation": _("Only a unit of kind social organisation names one.")}
        )
    if organisation is not None and not (name or "").strip():
        name = organisation.name
    name = inputs.text(name, "name", 100)
    with transaction.atomic():
        grant = access.require(actor, Action.PARTNER_MANAGE, place.path)
        if organisation is not None:
            org_selectors.check_choice(actor, organisation, place.path, "organisation")
        if PartnerUnit.objects.filter(place=place, name=name).exists():
            raise ValidationError({"name": _("A unit with this name is already registered here.")})
        unit = PartnerUnit.objects.create(
            name=name,
            kind=kind,
            place=place,
            address=inputs.text(address, "address", 200, required=False),
            party_org=party_org,
            party_org_name=inputs.text(party_org_name, "party_org_name", 100, required=False),
            organisation=organisation,
            place_path=place.path,
        )
        for user in contacts:
            if not _holds_contact_post(user, place.path):
                raise ValidationError(
                    {
                        "contacts": _(
                            "%(name)s has no partner-contact post here; grant the post first."
                        )
                        % {"name": user}
                    }
                )
            unit.contacts.add(user)
        audit.record(
            actor=actor,
            action="partners.unit_add",
            target=unit,
            place_path=unit.place_path,
            post=grant.post,
            changes={
                "kind": kind,
                "contacts": [u.pk for u in contacts],
                "organisation": organisation.pk if organisation is not None else None,
            },
        )
    return unit


def add_item(
    place: Place,
    *,
    actor: User,
    kind: str,
    title: str,
    description: str = "",
    category: str = "",
    unit: PartnerUnit | None = None,
) -> ListItem:
    """Put a need or a project (staff) or a resource (a unit's contact or staff) on a list."""
    title = inputs.text(title, "title", 100)
    description = inputs.text(description, "description", 2000, required=False)
    if kind not in ListKind.values:
        raise ValidationError({"kind": _("Choose the list: needs, resources or projects.")})
    offered_by = None  # the unit offering a resource; needs and projects have none
    if kind == ListKind.RESOURCE:
        if unit is None:
            raise ValidationError({"unit": _("Choose the unit that offers the resource.")})
        if category not in ResourceKind.values:
            raise ValidationError(
                {"category": _("Choose what is offered: volunteers, a venue, funds, expertise…")}
            )
        place, offered_by = unit.place, unit
    elif place.kind != "community":
        raise ValidationError({"place": _("Needs and projects belong to a community.")})
    with transaction.atomic():
        if offered_by is not None:
            grant = _require_for_unit(actor, offered_by, place.path)
        else:
            grant = access.require(
                actor, Action.PARTNER_MANAGE, place.path, read_action=Action.PARTNER_VIEW
            )
        item = ListItem.objects.create(
            kind=kind,
            title=title,
            description=description,
            category=category if kind == ListKind.RESOURCE else "",
            place=place,
            offered_by=offered_by,
            created_by=actor,
            place_path=place.path,
        )
        audit.record(
            actor=actor,
            action="partners.item_add",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={"kind": kind},
        )
    return item


def need_from_ticket(ticket_id: int | str | None, *, actor: User) -> ListItem:
    """Staff turn a resident's ticket into a need on the community's list (once per ticket)."""
    from gongzhi.tickets.selectors import visible_tickets

    ticket = visible_tickets(actor).select_related("place").filter(pk=ticket_id or 0).first()
    if ticket is None:
        raise Http404
    paths = ticket.place.ancestor_paths()
    community = (
        Place.objects.filter(path=paths[access.COMMUNITY_DEPTH]).first()
        if len(paths) > access.COMMUNITY_DEPTH
        else None
    )
    if community is None:  # a ticket placed above any community (a street, a district)
        raise ValidationError(_("Needs and projects belong to a community."))
    with transaction.atomic():
        grant = access.require(
            actor, Action.PARTNER_MANAGE, community.path, read_action=Action.PARTNER_VIEW
        )
        if ListItem.objects.filter(source_ticket=ticket).exists():
            raise ValidationError(_("This ticket is already on the needs list."))
        try:
            with transaction.atomic():
                item = ListItem.objects.create(
                    kind=ListKind.NEED,
                    title=ticket.text[:100],
                    description=ticket.text,
                    place=community,
                    source_ticket=ticket,
                    created_by=actor,
                    place_path=community.path,
                )
        except IntegrityError:
            raise ValidationError(_("This ticket is already on the needs list.")) from None
        audit.record(
            actor=actor,
            action="partners.need_from_ticket",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={"ticket": ticket.number},
        )
    return item


# --------------------------------------------------------------------------- residents' needs


def submit_need(*, actor: User, title: str, description: str = "") -> ListItem:
    """A resident posts a need of their own community. It waits for the community's review
    (status pending) before partner units see it on the needs list."""
    title = inputs.text(title, "title", 100)
    description = inputs.text(description, "description", 2000, required=False)
    grant = next(
        (g for g in access.grants(actor, Action.PARTNER_NEED_SUBMIT) if g.path is not None), None
    )
    community = Place.objects.filter(path=grant.path, kind="community").first() if grant else None
    if grant is None or community is None:
        raise PermissionDenied(_("Your role does not use this page."))
    with transaction.atomic():
        pending = ListItem.objects.select_for_update().filter(
            created_by=actor, kind=ListKind.NEED, status=ItemStatus.PENDING
        )
        if len(pending) >= MAX_PENDING_NEEDS:
            raise ValidationError(
                _(
                    "You already have %(n)s needs waiting for review. Please wait until the "
                    "community office has looked at them."
                )
                % {"n": MAX_PENDING_NEEDS}
            )
        item = ListItem.objects.create(
            kind=ListKind.NEED,
            title=title,
            description=description,
            place=community,
            status=ItemStatus.PENDING,
            created_by=actor,
            place_path=community.path,
        )
        audit.record(
            actor=actor,
            action="partners.need_submit",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={"kind": ListKind.NEED, "status": ItemStatus.PENDING},
        )
    return item


def review_need(
    item_id: int | str | None, *, actor: User, approve: bool, note: str = ""
) -> ListItem:
    """Community staff put a resident's need on the list (open) or decline it with a note."""
    note = inputs.text(note, "note", 200, required=not approve)
    with transaction.atomic():
        item = ListItem.objects.select_for_update().filter(pk=item_id or 0).first()
        if item is None:
            raise Http404
        grant = access.require(
            actor, Action.PARTNER_MANAGE, item.place_path, read_action=Action.PARTNER_VIEW
        )
        if item.status != ItemStatus.PENDING:
            raise ValidationError(_("This need has already been reviewed."))
        item.status = ItemStatus.OPEN if approve else ItemStatus.CANCELLED
        item.reviewed_by, item.reviewed_at, item.review_note = actor, clock.now(), note
        item.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit.record(
            actor=actor,
            action="partners.need_approve" if approve else "partners.need_decline",
            target=item,
            place_path=item.place_path,
            post=grant.post,
            changes={"status": [ItemStatus.PENDING, item.status]},
            reason=note,
        )
    return item


# --------------------------------------------------------------------------- claims


def claim(
    item_id: int | str | None,
    *,
    actor: User,
    unit: PartnerUnit | None = None,
    community: Place | None = None,
) -> Claim:
    """A unit claims a need or a project; a community claims a resource. One live claim per
    item: the second of two racing claims is refused with a clear message."""
    with transaction.atomic():
        item = ListItem.objects.select_for_update().filter(pk=item_id or 0).first()
        if item is None or not _visible(actor, item):
            raise ValidationError(_("This list item does not exist."))
        if item.kind == ListKind.RESOURCE:
            if (
                community is None
                or community.kind != "community"
                or not community.path.startswith(item.place_path)
            ):
                raise ValidationError(
                    {"community": _("Choose a community this resource is offered to.")}
                )
            grant = access.require(
                actor, Action.PARTNER_MANAGE, community.path, read_action=Action.PARTNER_VIEW
            )
            values: dict[str, PartnerUnit | Place] = {"community": community}
        else:
            if unit is None:
                raise ValidationError({"unit": _("Choose the unit that claims it.")})
            grant = _require_for_unit(actor, unit, item.place_path)
            values = {"unit": unit}
        if item.status == ItemStatus.PENDING:
            raise ValidationError(
                _(
                    "This need is waiting for the community's review; it can be claimed once it is on the list."
                )
            )
        if item.status != ItemStatus.OPEN:
            raise ValidationError(_("Someone has already claimed this; it is no longer open."))
        try:
            with transaction.atomic():
                made = Claim.objects.create(
                    item=item, claimed_by=actor, place_path=item.place_path, **values
                )
        except IntegrityError:
            raise ValidationError(
                _("Someone has already claimed this; it is no longer open.")
            ) from None
        item.status = ItemStatus.CLAIMED
        item.save(update_fields=["status"])
        audit.record(
            actor=actor,
            action="partners.claim",
            target=made,
            place_path=made.place_path,
            post=grant.post,
        )
    return made


def _locked_claim(claim_id: int | str | None) -> Claim:
    made = (
        Claim.objects.select_for_update(of=("self",))
        .select_related("item")
        .filter(pk=claim_id or 0)
        .first()
    )
    if made is None:
        raise ValidationError(_("This claim does not exist."))
    return made


def _require_claimant(actor: User, made: Claim) -> access.Grant:
    if made.unit is not None:
        return _require_for_unit(actor, made.unit, made.place_path)
    if made.community is None:  # never: a unit or a community claims (a CHECK constraint)
        raise Http404
    return access.require(
        actor, Action.PARTNER_MANAGE, made.community.path, read_action=Action.PARTNER_VIEW
    )


def _require_other_side(actor: User, made: Claim) -> access.Grant:
    """Who confirms: community staff for a unit's work; the offering unit for a resource."""
    if made.unit_id:
        return access.require(
            actor, Action.PARTNER_MANAGE, made.place_path, read_action=Action.PARTNER_VIEW
        )
    unit = made.item.offered_by
    if unit is None:  # never: a community claims only a resource, which a unit offers
        raise Http404
    grant = access.require(
        actor, Action.PARTNER_CLAIM, unit.place_path, read_action=Action.PARTNER_VIEW
    )
    if not unit.contacts.filter(pk=actor.pk).exists():
        raise PermissionDenied(
            _("Only a contact of %(unit)s confirms the use of its resource.") % {"unit": unit}
        )
    return grant


def claim_rights(actor: User, made: Claim | None) -> dict[str, bool]:
    """What the actor may do with a claim, by the very checks the services run: `work`
    (progress, complete, withdraw: the claiming unit's contacts or community staff; for a
    resource, the claiming community's staff) and `confirm` (the other side). The item page
    offers only these buttons."""
    rights = {"work": False, "confirm": False}
    if made is None:
        return rights
    for key, check in (("work", _require_claimant), ("confirm", _require_other_side)):
        try:
            check(actor, made)
        except (PermissionDenied, Http404):
            continue
        rights[key] = True
    return rights


def progress(
    claim_id: int | str | None,
    *,
    actor: User,
    text: str,
    amount: object = 0,
    hours: object = 0,
) -> ClaimUpdate:
    text = inputs.text(text, "text", 1000)
    yuan, minutes = _amount(amount), _minutes(hours)
    with transaction.atomic():
        made = _locked_claim(claim_id)
        grant = _require_claimant(actor, made)
        if made.status != ClaimStatus.ACTIVE:
            raise ValidationError(
                _("Progress can be reported only while the claim is in progress.")
            )
        update = ClaimUpdate.objects.create(
            claim=made, text=text, amount=yuan, minutes=minutes, by=actor
        )
        made.amount += yuan
        made.minutes += minutes
        made.save(update_fields=["amount", "minutes"])
        audit.record(
            actor=actor,
            action="partners.progress",
            target=made,
            place_path=made.place_path,
            post=grant.post,
            changes={"amount": yuan, "minutes": minutes},
        )
    return update


def complete(
    claim_id: int | str | None,
    *,
    actor: User,
    evidence: str,
    amount: object = 0,
    hours: object = 0,
    photos: Iterable[IO[bytes]] | None = None,
) -> Claim:
    """The claimant completes with evidence: text, amount, hours and up to
    TICKET_PHOTO_MAX_COUNT photos (checked and re-encoded without metadata, by the tickets'
    photo module, before anything is written)."""
    from gongzhi.core import photos as photo_files

    evidence = inputs.text(evidence, "evidence", 2000)
    yuan, minutes = _amount(amount), _minutes(hours)
    prepared = photo_files.prepare(photos)
    with photo_files.files_removed_on_error() as written, transaction.atomic():
        made = _locked_claim(claim_id)
        grant = _require_claimant(actor, made)
        if made.status != ClaimStatus.ACTIVE:
            raise ValidationError(_("Only a claim in progress can be completed."))
        made.status, made.evidence, made.completed_at = ClaimStatus.COMPLETED, evidence, clock.now()
        made.amount += yuan
        made.minutes += minutes
        made.save(update_fields=["status", "evidence", "completed_at", "amount", "minutes"])
        ListItem.objects.filter(pk=made.item_id).update(status=ItemStatus.COMPLETED)
        photo_files.write(ClaimPhoto, prepared, user=actor, written=written, claim=made)
        audit.record(
            actor=actor,
            action="partners.complete",
            target=made,
            place_path=made.place_path,
            post=grant.post,
            changes={"amount": made.amount, "minutes": made.minutes, "photos": len(prepared)},
        )
    return made


def confirm(claim_id: int | str | None, *, actor: User) -> Claim:
    with transaction.atomic():
        made = _locked_claim(claim_id)
        grant = _require_other_side(actor, made)
        if made.status != ClaimStatus.COMPLETED:
            raise ValidationError(_("Only completed work can be confirmed."))
        made.status, made.confirmed_at, made.confirmed_by = (
            ClaimStatus.CONFIRMED,
            clock.now(),
            actor,
        )
        made.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        ListItem.objects.filter(pk=made.item_id).update(status=ItemStatus.CONFIRMED)
        audit.record(
            actor=actor,
            action="partners.confirm",
            target=made,
            place_path=made.place_path,
            post=grant.post,
        )
    return made


def withdraw(claim_id: int | str | None, *, actor: User) -> Claim:
    with transaction.atomic():
        made = _locked_claim(claim_id)
        grant = _require_claimant(actor, made)
        if made.status != ClaimStatus.ACTIVE:
            raise ValidationError(_("Only a claim in progress can be withdrawn."))
        made.status = ClaimStatus.WITHDRAWN
        made.save(update_fields=["status"])
        ListItem.objects.filter(pk=made.item_id).update(status=ItemStatus.OPEN)
        audit.record(
            actor=actor,
            action="partners.withdraw",
            target=made,
            place_path=made.place_path,
            post=grant.post,
        )
    return made
