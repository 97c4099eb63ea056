"""Writes to the party organisation: organisations, members, check-ins of in-service members.

Every function is one transaction, checks `party.edit` with `access.require()` (outside the
`party.view` scope → 404, inside it without the right → 403) and writes an audit record.
Audit `changes` carry names and dates only, never a phone or ID number.

Rules (seed 003 §三(一)1, annex 2 item 1; `PARENT_KINDS` / `PLACE_KINDS` in models.py):
- an organisation's parent has one of the kinds allowed for it, and its bound place has an
  allowed kind and lies in the parent's place (or is that place);
- a party-member household is bound to its household's building, with `household` set;
- a resident is a party member once (one row per resident; ending a membership keeps the row,
  adding the resident again reopens it);
- an in-service member has at most one open check-in per community.

A change that touches several things at once (an organisation's name and its secretary; a
member's fields and their organisation) is one service, `change_org` / `change_member`: one
transaction, so a refused second half leaves the first unwritten too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock
from gongzhi.core.access import Grant
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.party.models import (
    PARENT_KINDS,
    PLACE_KINDS,
    Body,
    BodyKind,
    Checkin,
    CommitteeDuty,
    CommitteeMember,
    MemberStatus,
    OrgKind,
    PartyMember,
    PartyOrg,
    SetupForm,
)
from gongzhi.party.selectors import residents_for
from gongzhi.people.models import Resident
from gongzhi.places.models import Household, Place, PlaceKind

__all__ = [
    "COMMITTEE_KINDS",
    "COVERING_KINDS",
    "MEMBER_FIELDS",
    "add_body",
    "add_committee_member",
    "end_committee_member",
    "set_body_org",
    "MEMBER_ORG_KINDS",
    "UNCHANGED",
    "add_member",
    "change_member",
    "change_org",
    "create_org",
    "delete_org",
    "end_checkin",
    "end_membership",
    "move_member",
    "record_checkin",
    "rename_org",
    "residents_for",
    "set_secretary",
    "transfer_in",
    "transfer_member",
    "transfer_out",
    "update_member",
]

MEMBER_FIELDS = ["status", "joined_on", "in_service", "workplace", "workplace_org"]
# Organisations that hold members directly. A party-member household is a household whose
# party members belong to its group or branch, so it holds none itself.
MEMBER_ORG_KINDS = frozenset(OrgKind.values) - {OrgKind.MEMBER_HOUSEHOLD}


class _Unchanged:
    """The value of an argument the caller leaves alone (None means "clear" for some)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Final = _Unchanged()


def _require(actor: User, path: str) -> Grant:
    return access.require(actor, Action.PARTY_EDIT, path, read_action=Action.PARTY_VIEW)


def _kind_label(kind: str | None) -> str:
    if kind is None:
        return _("no parent (top level)")
    return str(OrgKind(kind).label)


def _place_kind_label(kind: str) -> str:
    return str(PlaceKind(kind).label)


def _check_tree(kind: str, parent: PartyOrg | None, place: Place) -> None:
    if kind not in OrgKind.values:
        raise ValidationError({"kind": _("Unknown kind of party organisation.")})
    parent_kind = parent.kind if parent else None
    if parent_kind not in PARENT_KINDS[kind]:
        allowed = "、".join(_kind_label(k) for k in sorted(PARENT_KINDS[kind], key=str))
        raise ValidationError(
            {
                "parent": _(
                    "A %(kind)s cannot sit under %(parent)s; its parent must be: %(allowed)s."
                )
                % {
                    "kind": _kind_label(kind),
                    "parent": _kind_label(parent_kind),
                    "allowed": allowed,
                }
            }
        )
    if place.kind not in PLACE_KINDS[kind]:
        allowed = "、".join(_place_kind_label(k) for k in sorted(PLACE_KINDS[kind]))
        raise ValidationError(
            {
                "place": _("A %(kind)s is bound to a %(allowed)s, not to a %(place)s.")
                % {
                    "kind": _kind_label(kind),
                    "allowed": allowed,
                    "place": _place_kind_label(place.kind),
                }
            }
        )
    if parent is not None and not place.path.startswith(parent.place_path):
        raise ValidationError(
            {
                "place": _(
                    "%(place)s does not lie within %(parent_place)s, the place of the parent "
                    "organisation %(parent)s."
                )
                % {
                    "place": place.name,
                    "parent_place": parent.place.name,
                    "parent": parent.name,
                }
            }
        )


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the organisation a name.")})
    if len(name) > 100:
        raise ValidationError({"name": _("The name is at most 100 characters.")})
    return name


def _check_unique_name(place: Place, kind: str, name: str, exclude_pk: int | None = None) -> None:
    clash = PartyOrg.objects.filter(place=place, kind=kind, name=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": _("%(place)s already has a %(kind)s with this name.")
                % {"place": place.name, "kind": _kind_label(kind)}
            }
        )


# --- Organisations ------------------------------------------------------------------


@transaction.atomic
def create_org(
    *,
    actor: User,
    kind: str,
    name: str,
    parent: PartyOrg | None,
    place: Place | None = None,
    household: Household | None = None,
) -> PartyOrg:
    """Create an organisation bound to `place` (for a party-member household: `household`)."""
    if kind == OrgKind.MEMBER_HOUSEHOLD:
        if household is None:
            raise ValidationError({"household": _("A party-member household needs its household.")})
        place = household.building
    elif household is not None:
        raise ValidationError(
            {"household": _("Only a party-member household is bound to a household.")}
        )
    if place is None:
        raise ValidationError({"place": _("Choose the place the organisation is bound to.")})
    grant = _require(actor, place.path)
    name = _check_name(name)
    _check_tree(kind, parent, place)
    _check_unique_name(place, kind, name)
    if household is not None and PartyOrg.objects.filter(household=household).exists():
        raise ValidationError(
            {"household": _("This household is already a party-member household.")}
        )
    org = PartyOrg(
        kind=kind, name=name, parent=parent, place=place, household=household, place_path=place.path
    )
    try:
        with transaction.atomic():
            org.save()
    except IntegrityError as exc:  # a concurrent twin
        raise ValidationError(_("This organisation already exists.")) from exc
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_org.create",
        target=org,
        place_path=org.place_path,
        changes={
            "kind": [None, kind],
            "name": [None, name],
            "parent": [None, parent.name if parent else None],
            "place": [None, place.name],
            **({"household": [None, household.short_address]} if household else {}),
        },
    )
    return org


@transaction.atomic
def rename_org(org: PartyOrg, name: str, *, actor: User) -> PartyOrg:
    grant = _require(actor, org.place_path)
    org = PartyOrg.objects.select_for_update(of=("self",)).select_related("place").get(pk=org.pk)
    name = _check_name(name)
    if name == org.name:
        return org
    _check_unique_name(org.place, org.kind, name, exclude_pk=org.pk)
    before = org.name
    org.name = name
    org.save(update_fields=["name"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_org.rename",
        target=org,
        place_path=org.place_path,
        changes={"name": [before, name]},
    )
    return org


@transaction.atomic
def delete_org(org: PartyOrg, *, actor: User) -> None:
    """Delete an organisation with no child organisations and no members (former included)."""
    grant = _require(actor, org.place_path)
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    if org.children.exists():
        raise ValidationError(
            _("%(name)s still has organisations under it; delete or move them first.")
            % {"name": org.name}
        )
    if PartyMember.objects.filter(org=org).exists():
        raise ValidationError(
            _("%(name)s has members (current or former); move them to another organisation first.")
            % {"name": org.name}
        )
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_org.delete",
        target=org,
        place_path=org.place_path,
        changes={"kind": [org.kind, None], "name": [org.name, None]},
    )
    org.delete()


@transaction.atomic
def set_secretary(org: PartyOrg, member: PartyMember | None, *, actor: User) -> PartyOrg:
    """Set (or clear, with None) the secretary of an organisation, or the leader of a group."""
    grant = _require(actor, org.place_path)
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    if member is not None and (member.org_id != org.pk or not member.is_active):
        raise ValidationError(
            {
                "secretary": _(
                    "The secretary must be a current member of this organisation; "
                    "add or move them here first."
                )
            }
        )
    before = org.secretary.resident.name if org.secretary is not None else None
    after = member.resident.name if member else None
    if org.secretary_id == (member.pk if member else None):
        return org
    org.secretary = member
    org.save(update_fields=["secretary"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_org.set_secretary",
        target=org,
        place_path=org.place_path,
        changes={"secretary": [before, after]},
    )
    return org


@transaction.atomic
def change_org(
    org: PartyOrg,
    *,
    actor: User,
    name: str | _Unchanged = UNCHANGED,
    secretary: PartyMember | None | _Unchanged = UNCHANGED,
) -> PartyOrg:
    """Rename an organisation and/or set (None: clear) its secretary, in one transaction: when
    either is refused, neither is written (nor audited)."""
    if not isinstance(name, _Unchanged):
        org = rename_org(org, name, actor=actor)
    if not isinstance(secretary, _Unchanged):
        org = set_secretary(org, secretary, actor=actor)
    return org


# --- Members ------------------------------------------------------------------------


def _check_member_org(org: PartyOrg) -> None:
    if org.kind not in MEMBER_ORG_KINDS:
        raise ValidationError(
            {
                "org": _(
                    "A party-member household holds no members itself; add the member to its "
                    "group or branch."
                )
            }
        )


def _check_member_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if "status" in fields and fields["status"] not in MemberStatus.values:
        raise ValidationError({"status": _("Unknown member status.")})
    joined = fields.get("joined_on")
    if joined is not None and joined > clock.today():
        raise ValidationError({"joined_on": _("The joining date cannot be in the future.")})
    for name in ("workplace", "workplace_org"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()[:100]
    return fields


def _member_changes(member: PartyMember, before: dict[str, Any]) -> dict[str, Any]:
    return audit.diff(member, before, MEMBER_FIELDS)


@transaction.atomic
def add_member(*, actor: User, org: PartyOrg, resident: Resident, **fields: Any) -> PartyMember:
    """Make a resident a member of `org`. A former member's row is reopened."""
    grant = _require(actor, org.place_path)
    if not residents_for(actor).filter(pk=resident.pk).exists():
        raise Http404
    _check_member_org(org)
    fields = _check_member_fields(fields)
    existing = PartyMember.objects.select_for_update().filter(resident=resident).first()
    if existing is not None and existing.is_active:
        raise ValidationError(
            {
                "resident": _("%(name)s is already a party member, in %(org)s.")
                % {"name": resident.name, "org": existing.org.name}
            }
        )
    before: dict[str, Any]
    before_active: bool | None
    if existing is not None:
        member = existing
        before = {**audit.snapshot(member, MEMBER_FIELDS), "org": member.org.name}
        before_active = False
    else:
        member = PartyMember(resident=resident)
        before, before_active = {}, None
    member.org = org
    member.place_path = org.place_path
    member.is_active = True
    for name, value in fields.items():
        setattr(member, name, value)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"resident": _("%(name)s is already a party member.") % {"name": resident.name}}
        ) from exc
    changes = _member_changes(member, before)
    changes["org"] = [before.get("org"), org.name]
    changes["is_active"] = [before_active, True]
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_member.add",
        target=member,
        place_path=member.place_path,
        changes=changes,
    )
    return member


@transaction.atomic
def update_member(member: PartyMember, *, actor: User, **fields: Any) -> PartyMember:
    grant = _require(actor, member.place_path)
    fields = _check_member_fields(fields)
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    before = audit.snapshot(member, MEMBER_FIELDS)
    for name, value in fields.items():
        setattr(member, name, value)
    changes = _member_changes(member, before)
    if not changes:
        return member
    member.save(update_fields=list(changes))
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_member.update",
        target=member,
        place_path=member.place_path,
        changes=changes,
    )
    return member


def _clear_secretary_of(member: PartyMember, org_id: int) -> bool:
    return PartyOrg.objects.filter(pk=org_id, secretary=member).update(secretary=None) > 0


@transaction.atomic
def move_member(member: PartyMember, org: PartyOrg, *, actor: User) -> PartyMember:
    """Move a member to another organisation (both must be editable by the actor)."""
    grant = _require(actor, member.place_path)
    _require(actor, org.place_path)
    _check_member_org(org)
    member = (
        PartyMember.objects.select_for_update(of=("self",)).select_related("org").get(pk=member.pk)
    )
    if not member.is_active:
        raise ValidationError(_("This membership has ended; add the resident again instead."))
    if member.org_id == org.pk:
        return member
    old = member.org
    was_secretary = _clear_secretary_of(member, old.pk)
    member.org = org
    member.place_path = org.place_path
    member.save(update_fields=["org", "place_path"])
    changes: dict[str, Any] = {"org": [old.name, org.name]}
    if was_secretary:
        changes["secretary_of"] = [old.name, None]
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_member.move",
        target=member,
        place_path=org.place_path,
        changes=changes,
    )
    return member


def transfer_member(
    member: PartyMember, org: PartyOrg, *, actor: User, post: Post | None, reason: str = ""
) -> PartyMember:
    """The registry half of an accepted transfer between branches (partylife's transfers,
    issue 23 item 4): move the locked member to `org`. The caller has checked its own rule
    (the accepting branch's secretary) inside its transaction; this checks the registry's."""
    _check_member_org(org)
    if not member.is_active:
        raise ValidationError(_("This membership has ended; it cannot be transferred."))
    old = member.org
    was_secretary = _clear_secretary_of(member, old.pk)
    member.org = org
    member.place_path = org.place_path
    member.save(update_fields=["org", "place_path"])
    changes: dict[str, Any] = {"org": [old.name, org.name]}
    if was_secretary:
        changes["secretary_of"] = [old.name, None]
    audit.record(
        actor=actor,
        post=post,
        action="party_member.transfer",
        target=member,
        place_path=org.place_path,
        changes=changes,
        reason=reason,
    )
    return member


def transfer_out(
    member: PartyMember, *, actor: User, post: Post | None, reason: str
) -> PartyMember:
    """The registry half of a transfer out of the platform: the membership ends (the row
    stays, inactive), as `end_membership` does. The caller has checked its own rule."""
    if not member.is_active:
        raise ValidationError(_("This membership has ended; it cannot be transferred."))
    today = clock.today()
    was_secretary = _clear_secretary_of(member, member.org_id)
    Checkin.objects.filter(member=member, ended_on__isnull=True).update(ended_on=today)
    member.is_active = False
    member.save(update_fields=["is_active"])
    changes: dict[str, Any] = {"is_active": [True, False]}
    if was_secretary:
        changes["secretary"] = [True, False]
    audit.record(
        actor=actor,
        post=post,
        action="party_member.transfer_out",
        target=member,
        place_path=member.place_path,
        changes=changes,
        reason=reason,
    )
    return member


def transfer_in(
    resident: Resident, org: PartyOrg, *, actor: User, post: Post | None, reason: str
) -> PartyMember:
    """The registry half of a transfer into the platform: the resident becomes (again) a member
    of `org`. The caller has checked its own rule and that it may see the resident."""
    _check_member_org(org)
    existing = PartyMember.objects.select_for_update().filter(resident=resident).first()
    if existing is not None and existing.is_active:
        raise ValidationError(
            {
                "resident": _("%(name)s is already a party member, in %(org)s.")
                % {"name": resident.name, "org": existing.org.name}
            }
        )
    member = existing or PartyMember(resident=resident)
    member.org = org
    member.place_path = org.place_path
    member.is_active = True
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"resident": _("%(name)s is already a party member.") % {"name": resident.name}}
        ) from exc
    audit.record(
        actor=actor,
        post=post,
        action="party_member.transfer_in",
        target=member,
        place_path=member.place_path,
        changes={"org": [None, org.name], "is_active": [False if existing else None, True]},
        reason=reason,
    )
    return member


@transaction.atomic
def change_member(
    member: PartyMember, *, actor: User, org: PartyOrg | None = None, **fields: Any
) -> PartyMember:
    """Update a member's fields and/or move them to `org`, in one transaction: when the move
    (or the update) is refused, neither is written (nor audited)."""
    if fields:
        member = update_member(member, actor=actor, **fields)
    if org is not None and org.pk != member.org_id:
        member = move_member(member, org, actor=actor)
    return member


@transaction.atomic
def end_membership(member: PartyMember, reason: str = "", *, actor: User) -> PartyMember:
    """End a membership (transferred out, deceased…): the row stays, inactive; its open
    check-ins end today and it stops being the secretary of its organisation."""
    grant = _require(actor, member.place_path)
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if not member.is_active:
        return member
    today = clock.today()
    was_secretary = _clear_secretary_of(member, member.org_id)
    ended = Checkin.objects.filter(member=member, ended_on__isnull=True).update(ended_on=today)
    member.is_active = False
    member.save(update_fields=["is_active"])
    changes: dict[str, Any] = {"is_active": [True, False]}
    if was_secretary:
        changes["secretary"] = [True, False]
    if ended:
        changes["open_checkins_ended"] = ended
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_member.end",
        target=member,
        place_path=member.place_path,
        changes=changes,
        reason=reason,
    )
    return member


# --- Check-ins of in-service members -------------------------------------------------


@transaction.atomic
def record_checkin(
    member: PartyMember,
    *,
    actor: User,
    community: Place,
    workplace_org: str = "",
    checked_in_on: dt.date | None = None,
) -> Checkin:
    """An in-service member reports to a community (在职党员到社区报到)."""
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("A member checks in to a community.")})
    grant = _require(actor, community.path)
    member = PartyMember.objects.select_for_update().get(pk=member.pk)
    if not member.is_active:
        raise ValidationError(_("This membership has ended."))
    if not member.in_service:
        raise ValidationError(
            _(
                "Only in-service members check in to a community; mark the member as in service first."
            )
        )
    workplace_org = (workplace_org or member.workplace_org or "").strip()[:100]
    if not workplace_org:
        raise ValidationError(
            {"workplace_org": _("Give the party organisation of the member's workplace.")}
        )
    checked_in_on = checked_in_on or clock.today()
    if checked_in_on > clock.today():
        raise ValidationError({"checked_in_on": _("The check-in date cannot be in the future.")})
    if Checkin.objects.filter(member=member, community=community, ended_on__isnull=True).exists():
        raise ValidationError(
            {
                "community": _("%(name)s is already checked in to %(community)s.")
                % {"name": member.resident.name, "community": community.name}
            }
        )
    checkin = Checkin(
        member=member,
        community=community,
        workplace_org=workplace_org,
        checked_in_on=checked_in_on,
        place_path=community.path,
    )
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError as exc:
        raise ValidationError(
            {
                "community": _("%(name)s is already checked in here.")
                % {"name": member.resident.name}
            }
        ) from exc
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_checkin.create",
        target=checkin,
        place_path=checkin.place_path,
        changes={
            "member": [None, member.resident.name],
            "community": [None, community.name],
            "workplace_org": [None, workplace_org],
            "checked_in_on": [None, checked_in_on],
        },
    )
    return checkin


@transaction.atomic
def end_checkin(checkin: Checkin, ended_on: dt.date | None = None, *, actor: User) -> Checkin:
    grant = _require(actor, checkin.place_path)
    checkin = Checkin.objects.select_for_update().get(pk=checkin.pk)
    if checkin.ended_on is not None:
        raise ValidationError(_("This check-in has already ended."))
    ended_on = ended_on or clock.today()
    if ended_on < checkin.checked_in_on:
        raise ValidationError({"ended_on": _("A check-in cannot end before it began.")})
    if ended_on > clock.today():
        raise ValidationError({"ended_on": _("The end date cannot be in the future.")})
    checkin.ended_on = ended_on
    checkin.save(update_fields=["ended_on"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_checkin.end",
        target=checkin,
        place_path=checkin.place_path,
        changes={"ended_on": [None, ended_on]},
    )
    return checkin


# --- Structures: committee members, bodies and their organisations (issue 23 item 1) ------

COMMITTEE_KINDS = frozenset({OrgKind.COMMUNITY_COMMITTEE, OrgKind.STREET_COMMITTEE})
# The organisations that may cover a body (its own, a joint one, or the one it is affiliated to).
COVERING_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMUNITY_COMMITTEE})


def _text(value: str, field: str, maximum: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > maximum:
        raise ValidationError({field: _("At most %(n)s characters.") % {"n": maximum}})
    return value


@transaction.atomic
def add_committee_member(
    org: PartyOrg,
    *,
    actor: User,
    name: str,
    term_start: dt.date,
    term_end: dt.date,
    duty: str = CommitteeDuty.MEMBER,
    part_time: bool = False,
    source_unit: str = "",
) -> CommitteeMember:
    """A member of a big committee for a term; a part-time member (兼职委员) names the partner
    unit they come from."""
    grant = _require(actor, org.place_path)
    if org.kind not in COMMITTEE_KINDS:
        raise ValidationError(
            {
                "org": _(
                    "Committee members belong to a community party committee or a street working committee."
                )
            }
        )
    name = _text(name, "name", 50)
    if duty not in CommitteeDuty.values:
        raise ValidationError({"duty": _("Choose a duty from the list.")})
    source_unit = _text(source_unit, "source_unit", 100, required=part_time)
    if term_end < term_start:
        raise ValidationError({"term_end": _("The term cannot end before it starts.")})
    row = CommitteeMember.objects.create(
        org=org,
        name=name,
        duty=duty,
        part_time=part_time,
        source_unit=source_unit,
        term_start=term_start,
        term_end=term_end,
        place_path=org.place_path,
    )
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_committee.add",
        target=row,
        place_path=row.place_path,
        changes={
            "name": name,
            "duty": duty,
            "part_time": part_time,
            "source_unit": source_unit,
            "term": [term_start, term_end],
        },
    )
    return row


@transaction.atomic
def end_committee_member(
    row: CommitteeMember, *, actor: User, ended_on: dt.date | None = None
) -> CommitteeMember:
    """A committee member leaves before (or at) the end of the term."""
    grant = _require(actor, row.place_path)
    row = CommitteeMember.objects.select_for_update().get(pk=row.pk)
    if row.ended_on is not None:
        raise ValidationError(_("This committee member has already left."))
    ended_on = ended_on or clock.today()
    if ended_on < row.term_start or ended_on > clock.today():
        raise ValidationError(
            {"ended_on": _("The date must lie between the start of the term and today.")}
        )
    row.ended_on = ended_on
    row.save(update_fields=["ended_on"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_committee.end",
        target=row,
        place_path=row.place_path,
        changes={"ended_on": [None, ended_on]},
    )
    return row


def _check_cover(body_path: str, org: PartyOrg | None, setup_form: str) -> str:
    if org is None:
        if setup_form:
            raise ValidationError({"org": _("Choose the party organisation that covers the body.")})
        return ""
    if org.kind not in COVERING_KINDS:
        raise ValidationError(
            {
                "org": _(
                    "A body is covered by a branch, a general branch or a community party committee."
                )
            }
        )
    if not (org.place_path.startswith(body_path) or body_path.startswith(org.place_path)):
        raise ValidationError({"org": _("Choose an organisation of the body's community.")})
    if setup_form not in SetupForm.values:
        raise ValidationError({"setup_form": _("Choose how the party organisation is set up.")})
    return setup_form


@transaction.atomic
def add_body(
    community: Place,
    *,
    actor: User,
    name: str,
    kind: str,
    party_count: int = 0,
    org: PartyOrg | None = None,
    setup_form: str = "",
) -> Body:
    """Record a social organisation, firm or institution of a community, with the party
    organisation that covers it (or none yet)."""
    grant = _require(actor, community.path)
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("A body is recorded in a community.")})
    name = _text(name, "name", 100)
    if kind not in BodyKind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    if (
        isinstance(party_count, bool)
        or not isinstance(party_count, int)
        or not 0 <= party_count <= 10000
    ):
        raise ValidationError({"party_count": _("Enter a number from 0 to 10000.")})
    if org is not None:
        _require(actor, org.place_path)
    setup_form = _check_cover(community.path, org, setup_form)
    if Body.objects.filter(community=community, name=name).exists():
        raise ValidationError({"name": _("This community already has a body of this name.")})
    body = Body(
        community=community,
        name=name,
        kind=kind,
        party_count=party_count,
        org=org,
        setup_form=setup_form,
        place_path=community.path,
    )
    try:
        with transaction.atomic():
            body.save()
    except IntegrityError:
        raise ValidationError(
            {"name": _("This community already has a body of this name.")}
        ) from None
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_body.add",
        target=body,
        place_path=body.place_path,
        changes={"name": name, "kind": kind, "org": org.name if org else None, "form": setup_form},
    )
    return body


@transaction.atomic
def set_body_org(body: Body, *, actor: User, org: PartyOrg | None, setup_form: str = "") -> Body:
    """Record (or clear) the party organisation covering a body and how it is set up."""
    grant = _require(actor, body.place_path)
    if org is not None:
        _require(actor, org.place_path)
    setup_form = _check_cover(body.place_path, org, setup_form)
    body = Body.objects.select_for_update(of=("self",)).select_related("org").get(pk=body.pk)
    before = [body.org.name if body.org else None, body.setup_form]
    body.org, body.setup_form = org, setup_form
    body.save(update_fields=["org", "setup_form"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="party_body.cover",
        target=body,
        place_path=body.place_path,
        changes={"org": [before[0], org.name if org else None], "form": [before[1], setup_form]},
    )
    return body
