"""Every write to owners' rolls and votes: one transaction each, the right checked through the
access module, an audit record written. A refused write raises and changes nothing:
Http404 (not visible), PermissionDenied (role may not), ValidationError (bad input, wrong time,
not an owner, unknown ballot id, already voted) with a translated message.

A person on several roll entries (say, sole owner of one flat and co-owner of another: two
owners for the headcount, as 第九条 counts each buyer — the person alone, the couple together —
once) casts each of them: the ballot names its entry, and without one the service only proceeds
when the person may cast exactly one entry.

One ballot per owner: the vote row is locked (SELECT … FOR UPDATE on PostgreSQL; on SQLite every
write transaction is BEGIN IMMEDIATE) before the ballot is looked for, and the unique constraint
(vote, entry) is the last line of defence.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from gongzhi.core import access, audit, clock
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.owners import tally
from gongzhi.owners.models import (
    Ballot,
    BallotChannel,
    Choice,
    CoOwnerRule,
    Matter,
    Owner,
    OwnerMember,
    OwnersVote,
    Property,
    RollEntry,
    RollMember,
    VoteStatus,
    scan_storage,
)
from gongzhi.people.models import Relation, Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Household, Place, PlaceKind

TITLE_MAX = 200
SCAN_REF_MAX = 64
SCAN_MAX_BYTES = 10 * 1024 * 1024
# Pillow format → (content type, file extension); PDFs are recognised by their header.
SCAN_IMAGE_TYPES = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}
PDF_TYPE = ("application/pdf", "pdf")


def not_on_roll_message() -> str:
    return _(
        "You are not on the owners' roll of this vote, so you cannot vote. If you own a home "
        "here, ask the community to add you to the roll before the next vote."
    )


def _estate(place: Place) -> Place:
    if place.kind != PlaceKind.ESTATE:
        raise ValidationError(_("Owners' votes are held for an estate; choose an estate."))
    return place


def _area(value: object) -> Decimal:
    try:
        area = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(
            {"area_m2": _("Enter the exclusive area in square metres, e.g. 89.5.")}
        ) from None
    if area <= 0 or area >= Decimal("100000000"):
        raise ValidationError(
            {"area_m2": _("Enter the exclusive area in square metres, e.g. 89.5.")}
        )
    return area


# --------------------------------------------------------------------------- the roll


def _owner_name(household: Household) -> tuple[str, Resident | None]:
    residents = list(Resident.objects.filter(household=household, is_active=True).order_by("id"))
    head = next((r for r in residents if r.relation == Relation.HEAD), None)
    head = head or next((r for r in residents if r.relation != Relation.TENANT), None)
    if head is None:
        return _("Owner of %(address)s") % {"address": household.short_address}, None
    return head.name, head


def import_roll(estate: Place, *, actor: User) -> dict[str, int]:
    """Add every household of the estate that has an exclusive area and is not yet on the roll:
    one owner per household (the head of household, else a placeholder name to be edited).
    Households without an area are counted and left for staff to complete."""
    _estate(estate)
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, estate.path)
        known = set(
            Property.objects.filter(owner__estate=estate, household__isnull=False).values_list(
                "household_id", flat=True
            )
        )
        added = missing_area = 0
        households = Household.objects.filter(place_path__startswith=estate.path).select_related(
            "building"
        )
        for household in households.order_by("place_path", "unit_no", "room_no"):
            if household.pk in known:
                continue
            if household.exclusive_area_m2 is None:
                missing_area += 1
                continue
            name, resident = _owner_name(household)
            owner = Owner.objects.create(
                estate=estate,
                place_path=estate.path,
                name=name,
                contact_masked=resident.phone_masked if resident else "",
            )
            OwnerMember.objects.create(
                owner=owner, resident=resident, name=name, is_representative=True
            )
            Property.objects.create(
                owner=owner,
                household=household,
                label=household.short_address,
                area_m2=household.exclusive_area_m2,
            )
            added += 1
        counts = {"added": added, "missing_area": missing_area}
        audit.record(
            actor=actor,
            action="owners.roll_import",
            target=estate,
            place_path=estate.path,
            changes=counts,
            post=grant.post,
        )
    return counts


def add_owner(
    estate: Place,
    *,
    actor: User,
    name: str,
    area_m2: object,
    label: str,
    resident: Resident | None = None,
) -> Owner:
    """A manual entry: an owner (resident or not) with one property."""
    _estate(estate)
    name = (name or (resident.name if resident else "")).strip()
    label = (label or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the owner's name.")})
    if not label:
        raise ValidationError({"label": _("Enter the property, e.g. building 3 room 502.")})
    area = _area(area_m2)
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, estate.path)
        owner = Owner.objects.create(
            estate=estate,
            place_path=estate.path,
            name=name[:120],
            contact_masked=resident.phone_masked if resident else "",
        )
        OwnerMember.objects.create(
            owner=owner, resident=resident, name=name[:64], is_representative=True
        )
        Property.objects.create(owner=owner, label=label[:120], area_m2=area)
        audit.record(
            actor=actor,
            action="owners.owner_add",
            target=owner,
            place_path=estate.path,
            changes={"name": owner.name, "area_m2": str(area), "label": label},
            post=grant.post,
        )
    return owner


def add_property(owner: Owner, *, actor: User, label: str, area_m2: object) -> Property:
    """One more property of the same owner: its area adds up, the headcount stays one."""
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Enter the property, e.g. building 3 room 502.")})
    area = _area(area_m2)
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, owner.place_path)
        prop = Property.objects.create(owner=owner, label=label[:120], area_m2=area)
        audit.record(
            actor=actor,
            action="owners.property_add",
            target=owner,
            place_path=owner.place_path,
            changes={"label": label, "area_m2": str(area)},
            post=grant.post,
        )
    return prop


def set_area(prop: Property, area_m2: object, *, actor: User) -> Property:
    area = _area(area_m2)
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, prop.owner.place_path)
        before = prop.area_m2
        prop.area_m2 = area
        prop.save(update_fields=["area_m2"])
        audit.record(
            actor=actor,
            action="owners.area_set",
            target=prop.owner,
            place_path=prop.owner.place_path,
            changes={"area_m2": [str(before), str(area)], "property": prop.label},
            post=grant.post,
        )
    return prop


def add_co_owner(
    owner: Owner,
    *,
    actor: User,
    name: str = "",
    resident: Resident | None = None,
    representative: bool = False,
) -> OwnerMember:
    """A co-owner of the same property: the owner still has one vote (see CoOwnerRule)."""
    name = (name or (resident.name if resident else "")).strip()
    if not name:
        raise ValidationError({"name": _("Enter the co-owner's name.")})
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, owner.place_path)
        if resident and OwnerMember.objects.filter(owner=owner, resident=resident).exists():
            raise ValidationError(_("This resident is already a co-owner here."))
        if representative:
            OwnerMember.objects.filter(owner=owner).update(is_representative=False)
        member = OwnerMember.objects.create(
            owner=owner, resident=resident, name=name[:64], is_representative=representative
        )
        audit.record(
            actor=actor,
            action="owners.co_owner_add",
            target=owner,
            place_path=owner.place_path,
            changes={"name": member.name, "representative": representative},
            post=grant.post,
        )
    return member


# --------------------------------------------------------------------------- votes


def create_vote(
    estate: Place,
    *,
    actor: User,
    title: str,
    matter: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    description: str = "",
    co_owner_rule: str = CoOwnerRule.ANY,
) -> OwnersVote:
    _estate(estate)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("Enter what the owners decide.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The title is too long (at most %(n)s characters).") % {"n": TITLE_MAX}
    if matter not in Matter.values:
        errors["matter"] = _("Choose ordinary or major matter.")
    if co_owner_rule not in CoOwnerRule.values:
        errors["co_owner_rule"] = _("Choose who casts the vote of a co-owned property.")
    if not opens_at or not closes_at or closes_at <= opens_at:
        errors["closes_at"] = _("The vote must close after it opens.")
    if errors:
        raise ValidationError(errors)
    assert opens_at is not None and closes_at is not None  # refused above
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, estate.path)
        vote = OwnersVote.objects.create(
            estate=estate,
            place_path=estate.path,
            title=title,
            description=(description or "").strip(),
            matter=matter,
            co_owner_rule=co_owner_rule,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor,
        )
        audit.record(
            actor=actor,
            action="owners.vote_create",
            target=vote,
            place_path=estate.path,
            changes={"title": title, "matter": matter, "co_owner_rule": co_owner_rule},
            post=grant.post,
        )
    return vote


def _locked(vote: OwnersVote) -> OwnersVote:
    return OwnersVote.objects.select_for_update().get(pk=vote.pk)


def open_vote(vote: OwnersVote, *, actor: User) -> OwnersVote:
    """Freeze the roll: one entry (with a random ballot id) per active owner, its members and
    the sum of its properties' areas. Later edits of the roll do not touch this vote."""
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, vote.place_path)
        vote = _locked(vote)
        if vote.status != VoteStatus.DRAFT:
            raise ValidationError(_("This vote has already been opened."))
        owners = (
            Owner.objects.filter(estate_id=vote.estate_id, is_active=True)
            .annotate(area=Sum("properties__area_m2"))
            .filter(area__gt=0)
            .prefetch_related("properties", "members")
        )
        total_area, total = Decimal(0), 0
        for owner in owners:
            entry = RollEntry.objects.create(
                vote=vote,
                owner=owner,
                name=owner.name,
                properties="; ".join(p.label for p in owner.properties.all())[:500],
                area_m2=owner.area,
                ballot_id=secrets.token_hex(8).upper(),
            )
            RollMember.objects.bulk_create(
                RollMember(
                    entry=entry,
                    resident_id=m.resident_id,
                    name=m.name,
                    is_representative=m.is_representative,
                )
                for m in owner.members.all()
            )
            total_area += owner.area
            total += 1
        if not total:
            raise ValidationError(
                _("The owners' roll of this estate is empty: import or add owners first.")
            )
        vote.status = VoteStatus.OPEN
        vote.total_area_m2 = total_area
        vote.total_owners = total
        vote.save(update_fields=["status", "total_area_m2", "total_owners"])
        audit.record(
            actor=actor,
            action="owners.vote_open",
            target=vote,
            place_path=vote.place_path,
            changes={"total_area_m2": str(total_area), "total_owners": total},
            post=grant.post,
        )
    return vote


def _check_window(vote: OwnersVote) -> None:
    now = clock.now()
    if vote.status != VoteStatus.OPEN or not (vote.opens_at <= now < vote.closes_at):
        raise ValidationError(
            _(
                "This vote is not open for ballots now. Ballots are accepted from %(opens)s "
                "until %(closes)s."
            )
            % {
                "opens": _local(vote.opens_at),
                "closes": _local(vote.closes_at),
            }
        )


def _local(value: datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _choice(choice: str) -> str:
    if choice not in Choice.values:
        raise ValidationError({"choice": _("Choose yes, no or abstain.")})
    return choice


def _not_counted_yet(vote: OwnersVote, entry: RollEntry) -> None:
    if Ballot.objects.filter(vote=vote, entry=entry).exists():
        raise ValidationError(
            _("A ballot has already been counted for this owner; each owner has one vote.")
        )


def _store(vote: OwnersVote, entry: RollEntry, **fields: Any) -> Ballot:
    _not_counted_yet(vote, entry)
    try:
        with transaction.atomic():
            return Ballot.objects.create(vote=vote, entry=entry, **fields)
    except IntegrityError:
        raise ValidationError(
            _("A ballot has already been counted for this owner; each owner has one vote.")
        ) from None


def entries_of(resident: Resident | None, vote: OwnersVote) -> list[RollEntry]:
    """The roll entries of `vote` on which `resident` is an owner or co-owner."""
    if resident is None:
        return []
    return list(
        RollEntry.objects.filter(vote=vote, members__resident=resident)
        .distinct()
        .prefetch_related("members")
        .order_by("id")
    )


def may_cast_for(resident: Resident, entry: RollEntry, rule: str) -> bool:
    members = list(entry.members.all())
    mine = [m for m in members if m.resident_id == resident.pk]
    if not mine:
        return False
    if rule == CoOwnerRule.REPRESENTATIVE and len(members) > 1:
        return any(m.is_representative for m in mine)
    return True


def _chosen_entry(
    resident: Resident | None, vote: OwnersVote, entry_id: object, ballot_id: str
) -> RollEntry:
    """The roll entry this online ballot is for. Not on the roll → 403; an entry that is not the
    caster's, or several to choose from and none chosen → a message naming what to do."""
    entries = entries_of(resident, vote)
    if resident is None or not entries:
        raise PermissionDenied(not_on_roll_message())
    chosen = entries
    if entry_id not in (None, ""):
        chosen = [e for e in entries if str(e.pk) == str(entry_id).strip()]
    elif ballot_id:
        chosen = [e for e in entries if e.ballot_id == ballot_id.strip().upper()]
    if not chosen:
        raise ValidationError(
            {"entry": _("This property is not one of yours on the roll of this vote.")}
        )
    castable = [e for e in chosen if may_cast_for(resident, e, vote.co_owner_rule)]
    if not castable:
        raise ValidationError(_("Your co-owned home votes through its designated representative."))
    if len(castable) > 1:
        raise ValidationError(
            {
                "entry": _(
                    "You are on the roll for several properties, and each has its own vote: "
                    "choose the property this ballot is for."
                )
            }
        )
    return castable[0]


def cast_online(
    vote: OwnersVote,
    choice: str,
    ballot_id: str = "",
    *,
    actor: User,
    entry_id: object = None,
) -> Ballot:
    """An owner votes from their phone for one roll entry (`entry_id`, or its `ballot_id`).
    Ownership is checked against the frozen roll; each entry has one vote."""
    choice = _choice(choice)
    with transaction.atomic():
        access.require(actor, Action.OWNERS_VOTE_CAST, vote.place_path)
        vote = _locked(vote)
        _check_window(vote)
        resident = resident_of(actor)
        entry = _chosen_entry(resident, vote, entry_id, ballot_id)
        ballot = _store(
            vote,
            entry,
            choice=choice,
            channel=BallotChannel.ONLINE,
            resident=resident,
            entered_by=actor,
        )
        audit.record(
            actor=actor,
            action="owners.ballot_cast",
            target=vote,
            place_path=vote.place_path,
            changes={"ballot_id": entry.ballot_id, "channel": BallotChannel.ONLINE},
        )
    return ballot


def scan_too_large() -> ValidationError:
    return ValidationError({"scan": _("The scan is too large (at most 10 MB).")})


def check_scan(data: bytes | None) -> tuple[str, str]:
    """The (content type, extension) of a paper ballot's scan, judged by its content, never by
    its name: a PDF, JPEG or PNG of at most 10 MB."""
    wrong = _("Upload the scan as a PDF, JPEG or PNG file.")
    if not data:
        raise ValidationError({"scan": _("Attach the scan of the paper ballot.")})
    if len(data) > SCAN_MAX_BYTES:
        raise scan_too_large()
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(
                {"scan": _("This PDF is incomplete or damaged; scan the ballot again.")}
            )
        return PDF_TYPE
    try:
        image = Image.open(io.BytesIO(data))
        kind = image.format
        image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"scan": wrong}) from None
    if kind not in SCAN_IMAGE_TYPES:
        raise ValidationError({"scan": wrong})
    return SCAN_IMAGE_TYPES[kind]


def enter_paper(
    vote: OwnersVote,
    *,
    actor: User,
    ballot_id: str,
    choice: str,
    scan: bytes | None,
    scan_ref: str = "",
) -> Ballot:
    """Staff enter a paper ballot by its printed ballot id, with its scan (a PDF or image,
    stored as uploaded under MEDIA_ROOT; its SHA-256 goes into the ballot, the audit record and
    the sealed record) and, optionally, the reference number of the paper in the archive."""
    choice = _choice(choice)
    scan_ref = (scan_ref or "").strip()
    if len(scan_ref) > SCAN_REF_MAX:
        raise ValidationError(
            {
                "scan_ref": _("The scan reference is too long (at most %(n)s characters).")
                % {"n": SCAN_REF_MAX}
            }
        )
    content_type, extension = check_scan(scan)
    assert scan is not None  # check_scan refuses a missing scan
    digest = hashlib.sha256(scan).hexdigest()
    stored = ""
    try:
        with transaction.atomic():
            grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, vote.place_path)
            vote = _locked(vote)
            _check_window(vote)
            entry = RollEntry.objects.filter(
                vote=vote, ballot_id=(ballot_id or "").strip().upper()
            ).first()
            if entry is None:
                raise ValidationError(
                    {
                        "ballot_id": _(
                            "No ballot with this id belongs to this vote. Check the number "
                            "printed on the paper ballot."
                        )
                    }
                )
            _not_counted_yet(vote, entry)
            stored = _save_scan(scan, extension)
            ballot = _store(
                vote,
                entry,
                choice=choice,
                channel=BallotChannel.PAPER,
                entered_by=actor,
                scan_ref=scan_ref,
                scan=stored,
                scan_sha256=digest,
                scan_type=content_type,
            )
            audit.record(
                actor=actor,
                action="owners.ballot_enter",
                target=vote,
                place_path=vote.place_path,
                changes={
                    "ballot_id": entry.ballot_id,
                    "channel": BallotChannel.PAPER,
                    "scan_ref": scan_ref,
                    "scan_sha256": digest,
                    "scan_type": content_type,
                    "scan_bytes": len(scan),
                },
                post=grant.post,
            )
    except BaseException:
        if stored:
            scan_storage().delete(stored)  # nothing refers to it: the ballot was not written
        raise
    return ballot


def _save_scan(data: bytes, extension: str) -> str:
    name = f"owners/scans/{clock.today():%Y/%m}/{secrets.token_hex(12)}.{extension}"
    return scan_storage().save(name, ContentFile(data))


def count_vote(vote: OwnersVote) -> tally.Result:
    roll = RollEntry.objects.filter(vote=vote).values_list("pk", "area_m2")
    ballots = Ballot.objects.filter(vote=vote).values_list("entry_id", "choice")
    return tally.count(roll, ballots, vote.matter)


def record_hash(vote: OwnersVote, result: dict[str, Any]) -> str:
    """SHA-256 over the tally and every ballot (ballot id, choice, channel, scan reference and,
    for a ballot with an uploaded scan, the scan's SHA-256), in a canonical JSON form: anyone
    holding the export can recompute it. Ballots without a scan file keep the four-item form,
    so records sealed before scans were uploaded still verify."""
    ballots = [
        _record_row(b)
        for b in Ballot.objects.filter(vote=vote).select_related("entry").order_by("entry_id")
    ]
    payload = {"vote": vote.pk, "title": vote.title, "result": result, "ballots": ballots}
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _record_row(ballot: Ballot) -> list[str]:
    row = [ballot.entry.ballot_id, ballot.choice, ballot.channel, ballot.scan_ref]
    if ballot.scan_sha256:
        row.append(ballot.scan_sha256)
    return row


def close_vote(vote: OwnersVote, *, actor: User) -> OwnersVote:
    """Count and seal. Only after the window has ended; afterwards nothing changes."""
    with transaction.atomic():
        grant = access.require(actor, Action.OWNERS_VOTE_MANAGE, vote.place_path)
        vote = _locked(vote)
        if vote.status == VoteStatus.CLOSED:
            raise ValidationError(_("This vote is closed; its record cannot change."))
        if vote.status != VoteStatus.OPEN:
            raise ValidationError(_("Open the vote before closing it."))
        if clock.now() < vote.closes_at:
            raise ValidationError(
                _("The vote is open until %(closes)s; close it after that.")
                % {"closes": _local(vote.closes_at)}
            )
        return _seal(vote, actor=actor, post=grant.post)


def close_due_votes() -> int:
    """The background sweep: count and seal every open vote whose window has ended, so a
    result never waits for someone to press the button. Returns how many it closed."""
    closed = 0
    due = OwnersVote.objects.filter(status=VoteStatus.OPEN, closes_at__lte=clock.now())
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            vote = OwnersVote.objects.select_for_update().get(pk=pk)
            if vote.status == VoteStatus.OPEN and vote.closes_at <= clock.now():
                _seal(vote, actor=None, post=None)
                closed += 1
    return closed


def _seal(vote: OwnersVote, *, actor: User | None, post: Post | None) -> OwnersVote:
    result = count_vote(vote).as_json()
    vote.result = result
    vote.result_hash = record_hash(vote, result)
    vote.status = VoteStatus.CLOSED
    vote.closed_at = clock.now()
    vote.save(update_fields=["result", "result_hash", "status", "closed_at"])
    audit.record(
        actor=actor,
        action="owners.vote_close",
        target=vote,
        place_path=vote.place_path,
        changes={"passed": result["passed"], "hash": vote.result_hash},
        post=post,
    )
    return vote


def verify(vote: OwnersVote) -> bool:
    """The stored record still matches its ballots."""
    return vote.status == VoteStatus.CLOSED and record_hash(vote, vote.result) == vote.result_hash
