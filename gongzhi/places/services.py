"""Writes to the place tree. Each is one transaction, permission-checked and audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from gongzhi.core import access, audit, profiles
from gongzhi.core.roles import Action
from gongzhi.places import paths
from gongzhi.places.models import Household, Place

EDITABLE_FIELDS = [
    "name",
    "official_code",
    "address",
    "centre_lat",
    "centre_lng",
    "boundary",
    "policy_profile",
    "service_area_m2",
]


def _check_profile(name: str | None) -> None:
    """A place may only be given a policy profile that exists and is valid."""
    if name and (problem := profiles.describe_problem(name)):
        raise ValidationError({"policy_profile": problem})


def _place_path(parent: Place | None, code: str) -> str:
    return paths.join(parent.path if parent else "", code)


@transaction.atomic
def create_place(
    actor, *, parent: Place | None, kind: str, name: str, code: str, **fields
) -> Place:
    grant = access.require(actor, Action.PLACE_EDIT, parent.path if parent else "")
    _check_profile(fields.get("policy_profile"))
    place = Place(parent=parent, kind=kind, name=name, code=code, **fields)
    place.path = _place_path(parent, code)
    place.depth = parent.depth + 1 if parent else 0
    place.full_clean()
    place.save()
    audit.record(
        actor=actor,
        post=grant.post,
        action="place.create",
        target=place,
        place_path=place.path,
        changes=audit.diff(place, {}, ["kind", "name", "code", *EDITABLE_FIELDS]),
    )
    return place


@transaction.atomic
def update_place(actor, place: Place, **fields) -> Place:
    grant = access.require(actor, Action.PLACE_EDIT, place.path)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    _check_profile(fields.get("policy_profile"))
    place = Place.objects.select_for_update().get(pk=place.pk)
    before = audit.snapshot(place, EDITABLE_FIELDS)
    for name, value in fields.items():
        setattr(place, name, value)
    place.full_clean()
    changes = audit.diff(place, before, EDITABLE_FIELDS)
    if not changes:
        return place
    place.save(update_fields=[*changes, "updated_at"])
    audit.record(
        actor=actor,
        post=grant.post,
        action="place.update",
        target=place,
        place_path=place.path,
        changes=changes,
    )
    return place


@transaction.atomic
def create_household(
    actor, *, building: Place, unit_no: str, room_no: str, exclusive_area_m2=None
) -> Household:
    grant = access.require(actor, Action.PLACE_EDIT, building.path)
    household = Household(
        building=building,
        unit_no=unit_no,
        room_no=room_no,
        place_path=building.path,
        exclusive_area_m2=exclusive_area_m2,
    )
    household.full_clean()
    household.save()
    audit.record(
        actor=actor,
        post=grant.post,
        action="household.create",
        target=household,
        place_path=building.path,
        changes=audit.diff(household, {}, ["unit_no", "room_no", "exclusive_area_m2"]),
    )
    return household
