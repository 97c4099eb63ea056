"""Reads of the people registry, always narrowed to what the user may see.

Search (`search()`) takes the parameters of the list page / API as a dict:
  q        name (contains), pinyin initials (starts with; letters only), the last digits of
           the ID or phone (4–6 digits: matched against the masked forms, which keep the last
           four), a whole mobile or ID number (equality through the blind index), or an
           address ("1栋 502": every word matches the building name, unit or room);
  tag      one or more tags (all must be present);
  grid / building   a place id inside the user's scope;
  age      60 or 80 (derived from the birth date with the clock);
  status   residence status;
  active   "1" (default: people living here), "0" (moved out) or "all".

Reads only: linking a login to its registry record is a write (`services.link_login`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from gongzhi.core import access, clock, crypto
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.people.models import Membership, ResidenceStatus, Resident, ResidentTag, Tag
from gongzhi.places.models import Household, Place, PlaceKind

AGE_TAGS = (80, 60)


def visible_residents(user: Viewer, action: str = Action.RESIDENT_VIEW) -> QuerySet[Resident]:
    return access.scoped(
        Resident.objects.all(), user, action, path_field="place_path", own_field="household_id"
    )


def phone_match(user: Viewer) -> Resident | None:
    """The living resident not linked to any login whose phone is the login's phone (the
    oldest record when family members share a phone), or None."""
    phone_index = getattr(user, "phone_index", "")
    if not getattr(user, "is_authenticated", False) or not phone_index:
        return None
    return (
        Resident.objects.filter(phone_index=phone_index, is_active=True, user=None)
        .order_by("id")
        .first()
    )


def resident_of(user: Viewer) -> Resident | None:
    """The registry record of the person behind a login: the linked Resident, else the living
    resident with the same phone (`phone_match`; `services.link_login` links it, at login).
    None when there is none."""
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    linked = Resident.objects.filter(user=user).first()
    if linked is not None:
        return linked
    return phone_match(user)


def get_resident(user: Viewer, pk: int) -> Resident:
    """A resident the user may see, or 404."""
    return get_object_or_404(visible_residents(user).select_related("household__building"), pk=pk)


def cutoff(min_age: int, today: dt.date | None = None) -> dt.date:
    """The latest birth date of someone who is at least `min_age` today."""
    today = today or clock.today()
    try:
        return today.replace(year=today.year - min_age)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - min_age, day=28)


def age_filter(qs: QuerySet[Resident], min_age: int) -> QuerySet[Resident]:
    return qs.filter(birth_date__lte=cutoff(min_age))


def age_of(resident: Resident, today: dt.date | None = None) -> int | None:
    if resident.birth_date is None:
        return None
    today = today or clock.today()
    born = resident.birth_date
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def age_tags(resident: Resident) -> list[str]:
    """Derived, never stored: "80+" (and not also "60+") or "60+"."""
    age = age_of(resident)
    for limit in AGE_TAGS:
        if age is not None and age >= limit:
            return [f"{limit}+"]
    return []


def household_members(user: Viewer, household: Household) -> list[Resident]:
    """The people living in a household, as far as the user may see them."""
    return list(
        visible_residents(user)
        .filter(household=household, is_active=True)
        .prefetch_related("tags")
        .order_by("id")
    )


def membership_history(resident: Resident) -> list[Membership]:
    return list(
        Membership.objects.filter(resident=resident)
        .select_related("household__building")
        .order_by("-moved_in", "-id")
    )


def scoped_place(user: Viewer, pk: Any, kind: str) -> Place | None:
    """A grid or building inside the user's resident scope, or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        access.scoped(Place.objects.filter(kind=kind), user, Action.RESIDENT_VIEW)
        .filter(pk=pk)
        .first()
    )


def visible_grids(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.GRID), user, Action.RESIDENT_VIEW
    ).order_by("path")


def grid_buildings(grid: Place | None) -> list[Place]:
    """The buildings of a grid (already resolved in the user's scope), for the search form."""
    if grid is None:
        return []
    return list(
        Place.objects.filter(kind=PlaceKind.BUILDING, path__under=grid.path).order_by("path")
    )


def edit_buildings(user: Viewer) -> list[Place]:
    """The buildings where the user may add or move residents (the address picker)."""
    return list(
        access.scoped(Place.objects.filter(kind=PlaceKind.BUILDING), user, Action.RESIDENT_EDIT)
        .select_related("parent")
        .order_by("path")
    )


def household_visible(user: Viewer, household: Household) -> bool:
    """Whether the user may see the household (`resident.view`, their own household included)."""
    return access.scoped(
        Household.objects.filter(pk=household.pk),
        user,
        Action.RESIDENT_VIEW,
        path_field="place_path",
        own_field="pk",
    ).exists()


def resident_details(user: Viewer) -> QuerySet[Resident]:
    """The residents the user may see, with what a detail (page or API) shows."""
    return visible_residents(user).select_related("household__building").prefetch_related("tags")


def household_residents(user: Viewer, household: Household) -> QuerySet[Resident]:
    """The people living in a household, as far as the user may see them (API)."""
    return resident_details(user).filter(household=household, is_active=True).order_by("id")


_TAIL = re.compile(r"\d{3,5}[\dXx]")  # last 4–6 characters of an ID or phone
_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[A-Za-z]+")
_ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]")


def is_whole_number(q: str) -> bool:
    """A query that is (or contains) a whole phone or ID number rather than its last digits."""
    compact = re.sub(r"\s+", "", q or "")
    return sum(c.isdigit() for c in compact) >= 7


def _text_q(q: str) -> Q:
    q = q.strip()
    cond = Q(name__icontains=q)
    compact = re.sub(r"\s+", "", q)
    if _LETTERS.fullmatch(compact):
        cond |= Q(name_initials__startswith=compact.lower())
    if _TAIL.fullmatch(compact):
        # The masked forms keep the last four characters (an ID may end in X).
        tail = compact[-4:].upper()
        cond |= Q(id_masked__endswith=tail)
        if tail.isdigit():
            cond |= Q(phone_masked__endswith=tail)
    if _DIGITS.fullmatch(compact) and len(compact) == 11:
        cond |= Q(phone_index=crypto.blind_index("phone", compact))
    if _ID_LIKE.fullmatch(compact) or (len(compact) >= 5 and compact.isalnum()):
        cond |= Q(id_index=crypto.blind_index("id", compact.upper()))
    words = q.split()
    address = Q()
    for word in words:
        address &= (
            Q(household__building__name__icontains=word)
            | Q(household__room_no=word)
            | Q(household__unit_no=word)
        )
    if len(words) > 1 or not _DIGITS.fullmatch(compact) or len(compact) <= 4:
        cond |= address
    return cond


def _list(params: Mapping[str, Any], key: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    if getlist is not None:
        values = getlist(key)
    else:
        value = params.get(key)
        values = value if isinstance(value, list | tuple) else [value] if value else []
    return [v for v in values if v]


def search(
    user: Viewer, params: Mapping[str, Any], base: QuerySet[Resident] | None = None
) -> QuerySet[Resident]:
    qs = visible_residents(user) if base is None else base
    active = params.get("active") or "1"
    if active == "1":
        qs = qs.filter(is_active=True)
    elif active == "0":
        qs = qs.filter(is_active=False)
    q = (params.get("q") or "").strip()[:64]
    if q:
        qs = qs.filter(_text_q(q))
    for tag in _list(params, "tag"):
        if tag in Tag.values:
            qs = qs.filter(Exists(ResidentTag.objects.filter(resident=OuterRef("pk"), tag=tag)))
        else:
            qs = qs.none()
    for key, kind in (("grid", PlaceKind.GRID), ("building", PlaceKind.BUILDING)):
        if params.get(key):
            place = scoped_place(user, params.get(key), kind)
            qs = qs.filter(place_path__under=place.path) if place else qs.none()
    age = params.get("age")
    if age:
        try:
            qs = age_filter(qs, int(age))
        except (TypeError, ValueError):
            qs = qs.none()
    status = params.get("status")
    if status:
        qs = qs.filter(residence_status=status) if status in ResidenceStatus.values else qs.none()
    skill = (params.get("skill") or "").strip()[:32]
    if skill == "*":
        qs = qs.exclude(specialty="")
    elif skill:
        qs = qs.filter(specialty__icontains=skill)
    return qs


def search_page_queryset(user: Viewer, params: Mapping[str, Any]) -> QuerySet[Resident]:
    return (
        search(user, params)
        .select_related("household__building")
        .prefetch_related("tags")
        .order_by("place_path", "household_id", "id")
    )


PARAM_KEYS = ("q", "tag", "grid", "building", "age", "status", "active", "skill", "list")


def describe_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The filter as recorded in the audit trail (a whole number typed in `q` is masked)."""
    out: dict[str, Any] = {}
    for key in PARAM_KEYS:
        values = _list(params, key)
        if not values:
            continue
        if key == "q":
            values = [_mask_query(v) for v in values]
        out[key] = values if len(values) > 1 or key == "tag" else values[0]
    return out


def _mask_query(q: str) -> str:
    compact = re.sub(r"\s+", "", q)
    if is_whole_number(compact):
        return crypto.mask_id_number(compact) if len(compact) > 11 else crypto.mask_phone(compact)
    return q


# --- "My lists": the preset lists a grid worker needs ---------------------------------

PRESETS: dict[str, dict[str, Any]] = {
    "elderly_80_alone": {"age": "80", "tag": ["living_alone"]},
    "elderly_60": {"age": "60"},
    "disabled": {"tag": ["disabled"]},
    "low_income": {"tag": ["low_income"]},
    "key_care": {"tag": ["key_care"]},
    # The talent register (治社名家册, seed 002 §三(一)3): residents with skills to offer.
    "talents": {"skill": "*"},
}


def preset_params(key: str) -> dict[str, Any] | None:
    preset = PRESETS.get(key)
    return {**preset, "list": key} if preset is not None else None


def preset_counts(user: Viewer) -> dict[str, int]:
    return {key: search(user, params).count() for key, params in PRESETS.items()}
