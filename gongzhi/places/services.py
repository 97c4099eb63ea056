"""Writes to the place tree. Each is one transaction, permission-checked and audited."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, paths, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.places.models import Household, Place, PlaceKind, PostTerms, Room, RoomFunction
from gongzhi.places.selectors import COMMUNITY_STAFF_ROLES

EDITABLE_FIELDS = [
    "name",
    "official_code",
    "address",
    "centre_lat",
    "centre_lng",
    "boundary",
    "policy_profile",
    "service_area_m2",
    "is_new_community",
    "area_class",
]
ROOM_FIELDS = ["function", "name", "area_m2"]


def _check_profile(name: str | None) -> None:
    """A place may only be given a policy profile that exists and is valid."""
    if name and (problem := profiles.describe_problem(name)):
        raise ValidationError({"policy_profile": problem})


def _place_path(parent: Place | None, code: str) -> str:
    return paths.join(parent.path if parent else "", code)


@transaction.atomic
def create_place(
    *, actor: User, parent: Place | None, kind: str, name: str, code: str, **fields: Any
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
def update_place(*, actor: User, place: Place, **fields: Any) -> Place:
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
    *,
    actor: User,
    building: Place,
    unit_no: str,
    room_no: str,
    exclusive_area_m2: Decimal | int | str | None = None,
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


# --------------------------------------------------------------------------- rooms (001 §8–9)


def _room_values(
    place: Place, function: str, name: str | None, area_m2: object, exclude_pk: int | None = None
) -> tuple[str, str, Decimal]:
    errors: dict[str, str] = {}
    if function not in RoomFunction.values:
        errors["function"] = _("Choose what the room is for.")
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the room a name.")
    elif len(name) > 100:
        errors["name"] = _("The name is at most 100 characters.")
    elif _room_name_taken(place, name, exclude_pk):
        errors["name"] = _("This community already has a room with this name.")
    try:
        area = Decimal(str(area_m2)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        area = None
    if area is None or not area.is_finite() or area <= 0 or area >= Decimal("10000000"):
        errors["area_m2"] = _("Give the floor area in square metres, more than 0.")
    if errors or area is None:
        raise ValidationError(errors)
    return function, name, area


def _room_name_taken(place: Place, name: str, exclude_pk: int | None) -> bool:
    rooms = Room.objects.filter(place=place, name=name)
    if exclude_pk is not None:
        rooms = rooms.exclude(pk=exclude_pk)
    return rooms.exists()


@transaction.atomic
def create_room(*, actor: User, place: Place, function: str, name: str, area_m2: object) -> Room:
    """Record a room of a community's premises. `place.edit` over the community."""
    grant = access.require(actor, Action.PLACE_EDIT, place.path)
    if place.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"place": _("Rooms are recorded for a community.")})
    function, name, area = _room_values(place, function, name, area_m2)
    room = Room(place=place, function=function, name=name, area_m2=area, place_path=place.path)
    try:
        with transaction.atomic():
            room.save()
    except IntegrityError as exc:  # a concurrent twin
        raise ValidationError(
            {"name": _("This community already has a room with this name.")}
        ) from exc
    audit.record(
        actor=actor,
        post=grant.post,
        action="room.create",
        target=room,
        place_path=room.place_path,
        changes={"function": [None, function], "name": [None, name], "area_m2": [None, str(area)]},
    )
    return room


@transaction.atomic
def update_room(*, actor: User, room: Room, function: str, name: str, area_m2: object) -> Room:
    grant = access.require(actor, Action.PLACE_EDIT, room.place_path)
    room = Room.objects.select_for_update().select_related("place").get(pk=room.pk)
    function, name, area = _room_values(room.place, function, name, area_m2, exclude_pk=room.pk)
    before = {"function": room.function, "name": room.name, "area_m2": str(room.area_m2)}
    after = {"function": function, "name": name, "area_m2": str(area)}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if not changes:
        return room
    room.function, room.name, room.area_m2 = function, name, area
    try:
        with transaction.atomic():
            room.save(update_fields=ROOM_FIELDS)
    except IntegrityError as exc:  # a concurrent rename took the name first
        raise ValidationError(
            {"name": _("This community already has a room with this name.")}
        ) from exc
    audit.record(
        actor=actor,
        post=grant.post,
        action="room.update",
        target=room,
        place_path=room.place_path,
        changes=changes,
    )
    return room


@transaction.atomic
def delete_room(*, actor: User, room: Room) -> None:
    grant = access.require(actor, Action.PLACE_EDIT, room.place_path)
    room = Room.objects.select_for_update().get(pk=room.pk)
    audit.record(
        actor=actor,
        post=grant.post,
        action="room.delete",
        target=room,
        place_path=room.place_path,
        changes={"function": [room.function, None], "name": [room.name, None]},
    )
    room.delete()


# --------------------------------------------------------------------------- full-time posts


@transaction.atomic
def set_post_full_time(*, actor: User, post: Post, full_time: bool) -> PostTerms:
    """Mark a staff post (community secretary, worker, grid worker) full-time or part-time
    (兼职). Part-time posts do not count towards the staffing checks. `post.manage` over the
    post's place."""
    place = post.place
    if place is None:
        raise ValidationError(_("Only a post at a place can be marked."))
    grant = access.require(actor, Action.POST_MANAGE, place.path)
    if post.role not in COMMUNITY_STAFF_ROLES:
        raise ValidationError(
            _("Only community secretaries, community workers and grid workers are staff posts.")
        )
    # A post without terms is full-time: a row is written only when the value changes, and
    # every write has its audit record.
    terms = PostTerms.objects.select_for_update().filter(post=post).first()
    before = PostTerms._meta.get_field("full_time").default if terms is None else terms.full_time
    if before == bool(full_time):
        return terms or PostTerms(post=post, full_time=before)  # already so: nothing written
    if terms is None:
        try:
            with transaction.atomic():
                terms = PostTerms.objects.create(post=post, full_time=bool(full_time))
        except IntegrityError:  # a concurrent first write, which set this same value
            return PostTerms.objects.get(post=post)
    else:
        terms.full_time = bool(full_time)
        terms.save()
    audit.record(
        actor=actor,
        post=grant.post,
        action="post.terms",
        target=post,
        place_path=place.path,
        changes={"full_time": [before, terms.full_time]},
    )
    return terms
