"""Pledges and responsibility areas (承诺践诺、责任区, seed 001 §7; issue 23 item 7): the writes.

A member makes their pledge for the year on their own page (`partylife.attend`, their own
organisation); the branch — its secretary or the community secretary above it — reviews it
(kept, partly kept, not kept; a comment; who and when). The branch assigns responsibility
areas (buildings or households under its place) to its members, from a date until a date or
open; a household is in at most one area of the branch at a time.

Each write: one transaction, the object rule (404 outside the actor's reach, 403 inside it
without the right), one audit record; a refusal is a ValidationError in plain Chinese and
writes nothing. Re-exported by gongzhi/partylife/services.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gongzhi.core import audit, clock, inputs
from gongzhi.core.models import User
from gongzhi.party.models import PartyMember, PartyOrg
from gongzhi.partylife import rules
from gongzhi.partylife.models import (
    AreaUnit,
    Pledge,
    PledgeOutcome,
    ResponsibilityArea,
)
from gongzhi.places.models import Household, Place, PlaceKind

# Platform limits (no policy document sets them): items of a pledge and their length, the
# buildings and households of one area.
MAX_PLEDGE_ITEMS = 10
MAX_ITEM_CHARS = 200
MAX_AREA_UNITS = 200


# --------------------------------------------------------------------------- pledges


def _items(items: Iterable[object] | str) -> list[str]:
    if isinstance(items, str):
        items = items.splitlines()
    cleaned: list[str] = []
    for raw in items:
        if not isinstance(raw, str):
            raise ValidationError({"items": _("Each pledge item is a line of text.")})
        text = inputs.text(raw, "items", MAX_ITEM_CHARS, required=False)
        if text:
            cleaned.append(text)
    if not cleaned:
        raise ValidationError({"items": _("Write at least one pledge item.")})
    if len(cleaned) > MAX_PLEDGE_ITEMS:
        raise ValidationError(
            {"items": _("A pledge has at most %(n)s items.") % {"n": MAX_PLEDGE_ITEMS}}
        )
    return cleaned


def make_pledge(*, actor: User, year: int, items: Iterable[object] | str) -> Pledge:
    """The member's pledge for `year` (this year or the next): made, or changed until the
    branch has reviewed it. One pledge per member and year."""
    cleaned = _items(items)
    today = clock.today()
    if (
        isinstance(year, bool)
        or not isinstance(year, int)
        or year not in (today.year, today.year + 1)
    ):
        raise ValidationError({"year": _("A pledge is made for this year or the next.")})
    me = rules.member(actor)
    if me is None:
        raise PermissionDenied(_("Your login is not linked to a party member record."))
    with transaction.atomic():
        member, grant = rules.require_attend(actor, me.org)
        PartyMember.objects.select_for_update(of=("self",)).filter(pk=member.pk).first()
        pledge = (
            Pledge.objects.select_for_update(of=("self",)).filter(member=member, year=year).first()
        )
        if pledge is not None and pledge.reviewed:
            raise ValidationError(
                _("The branch has reviewed this pledge; it can no longer change.")
            )
        action = "partylife.pledge_change" if pledge is not None else "partylife.pledge_make"
        before = list(pledge.items) if pledge is not None else []
        if pledge is None:
            pledge = Pledge(
                member=member,
                org=member.org,
                year=year,
                items=cleaned,
                place_path=member.place_path,
            )
            try:
                with transaction.atomic():
                    pledge.save()
            except IntegrityError:
                raise ValidationError(
                    _("Your pledge for %(year)s is already recorded.") % {"year": year}
                ) from None
        else:
            pledge.items, pledge.updated_at = cleaned, clock.now()
            pledge.save(update_fields=["items", "updated_at"])
        audit.record(
            actor=actor,
            action=action,
            target=pledge,
            place_path=pledge.place_path,
            post=grant.post,
            changes={"year": year, "items": [before, cleaned]},
        )
    return pledge


def review_pledge(pledge: Pledge, *, actor: User, outcome: str, comment: str = "") -> Pledge:
    """The branch reviews a pledge once: kept, partly kept or not kept, with a comment (required
    unless kept); who reviewed and when are kept."""
    if outcome not in PledgeOutcome.values:
        raise ValidationError({"outcome": _("Choose kept, partly kept or not kept.")})
    comment = inputs.text(comment, "comment", 500, required=outcome != PledgeOutcome.KEPT)
    with transaction.atomic():
        grant = rules.require_manage(actor, pledge.org)
        locked = Pledge.objects.select_for_update(of=("self",)).get(pk=pledge.pk)
        if locked.reviewed:
            raise ValidationError(_("This pledge has already been reviewed."))
        locked.outcome, locked.comment = outcome, comment
        locked.reviewed_by, locked.reviewed_at = actor, clock.now()
        locked.save(update_fields=["outcome", "comment", "reviewed_by", "reviewed_at"])
        audit.record(
            actor=actor,
            action="partylife.pledge_review",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes={"outcome": ["", outcome], "comment": comment},
        )
    return locked


# --------------------------------------------------------------------------- areas


def _date(value: object, field: str) -> dt.date:
    if not isinstance(value, dt.date) or not 2000 <= value.year <= 2100:
        raise ValidationError({field: _("Enter a date between 2000 and 2100.")})
    return value


def _overlapping(org: PartyOrg, starts_on: dt.date, ends_on: dt.date | None) -> Q:
    """Areas of the branch whose dates meet [starts_on, ends_on]."""
    q = Q(org=org) & (Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        q &= Q(starts_on__lte=ends_on)
    return q


def _clash(
    org: PartyOrg,
    starts_on: dt.date,
    ends_on: dt.date | None,
    buildings: list[Place],
    households: list[Household],
    exclude: int | None = None,
) -> str | None:
    """The first household (or building) that would lie in two areas of the branch at once,
    with the member whose area holds it, as a sentence; None when there is none."""
    units = AreaUnit.objects.filter(
        area__in=ResponsibilityArea.objects.filter(_overlapping(org, starts_on, ends_on))
        .exclude(pk=exclude or 0)
        .values("pk")
    ).select_related("area__member__resident", "building", "household__building")
    building_ids = {b.pk for b in buildings}
    wanted = {h.pk for h in households}
    wanted_buildings = {h.building_id for h in households}
    for unit in units:
        name = unit.area.member.resident.name
        if unit.building is not None:
            hit = unit.building_id in building_ids or unit.building_id in wanted_buildings
            place = unit.building.name
        elif unit.household is not None:
            hit = unit.household_id in wanted or unit.household.building_id in building_ids
            place = unit.household.short_address
        else:  # pragma: no cover  (a check constraint: one of the two)
            continue
        if hit:
            return _(
                "%(place)s is already in the responsibility area of %(name)s for these dates."
            ) % {"place": place, "name": name}
    return None


def assign_area(
    org: PartyOrg,
    member: PartyMember,
    *,
    actor: User,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    buildings: Iterable[int] = (),
    households: Iterable[int] = (),
    note: str = "",
) -> ResponsibilityArea:
    """The branch assigns buildings and/or households under its place to one of its members.
    Refused when a household would lie in two areas of the branch at the same time."""
    starts_on = _date(starts_on, "starts_on")
    if ends_on is not None:
        ends_on = _date(ends_on, "ends_on")
        if ends_on < starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    note = inputs.text(note, "note", 200, required=False)
    building_ids = sorted({int(b) for b in buildings})
    household_ids = sorted({int(h) for h in households})
    if not building_ids and not household_ids:
        raise ValidationError(_("Choose at least one building or household."))
    if len(building_ids) + len(household_ids) > MAX_AREA_UNITS:
        raise ValidationError(
            _("An area has at most %(n)s buildings and households.") % {"n": MAX_AREA_UNITS}
        )
    with transaction.atomic():
        grant = rules.require_manage(actor, org)
        if org.kind not in rules.BRANCH_KINDS:
            raise ValidationError(_("Responsibility areas are assigned by a branch."))
        # The branch's row serialises the areas it assigns: the clash check below holds.
        PartyOrg.objects.select_for_update(of=("self",)).filter(pk=org.pk).first()
        if not (member.is_active and member.org_id in rules.below([org.pk])):
            raise ValidationError({"member": _("Choose a member of this branch.")})
        found_buildings = list(
            Place.objects.filter(
                pk__in=building_ids, kind=PlaceKind.BUILDING, path__under=org.place_path
            )
        )
        found_households = list(
            Household.objects.filter(
                pk__in=household_ids, place_path__under=org.place_path
            ).select_related("building")
        )
        if len(found_buildings) != len(building_ids) or len(found_households) != len(household_ids):
            raise ValidationError(_("Choose buildings and households within the branch's area."))
        clash = _clash(org, starts_on, ends_on, found_buildings, found_households)
        if clash:
            raise ValidationError(clash)
        area = ResponsibilityArea.objects.create(
            org=org,
            member=member,
            starts_on=starts_on,
            ends_on=ends_on,
            note=note,
            created_by=actor,
            place_path=org.place_path,
        )
        AreaUnit.objects.bulk_create(
            [AreaUnit(area=area, building=b, place_path=b.path) for b in found_buildings]
            + [AreaUnit(area=area, household=h, place_path=h.place_path) for h in found_households]
        )
        audit.record(
            actor=actor,
            action="partylife.area_assign",
            target=area,
            place_path=area.place_path,
            post=grant.post,
            changes={
                "member": member.pk,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "buildings": [b.name for b in found_buildings],
                "households": [h.short_address for h in found_households],
            },
        )
    return area


def end_area(
    area: ResponsibilityArea, *, actor: User, ends_on: dt.date | None = None
) -> ResponsibilityArea:
    """The area ends on a date (today by default), not before it started."""
    day = _date(ends_on or clock.today(), "ends_on")
    with transaction.atomic():
        grant = rules.require_manage(actor, area.org)
        locked = ResponsibilityArea.objects.select_for_update(of=("self",)).get(pk=area.pk)
        if day < locked.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
        if locked.ends_on is not None and locked.ends_on <= day:
            raise ValidationError(_("This responsibility area has already ended."))
        before = locked.ends_on
        locked.ends_on = day
        locked.save(update_fields=["ends_on"])
        audit.record(
            actor=actor,
            action="partylife.area_end",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes={"ends_on": [before, day]},
        )
    return locked
