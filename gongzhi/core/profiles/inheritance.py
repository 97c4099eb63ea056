"""Which profile applies to a place: the nearest ancestor-or-self that names one, with an
expired profile's `successor` chain followed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from gongzhi.core.directory import places
from gongzhi.core.profiles.loading import get
from gongzhi.core.profiles.profile import Profile

if TYPE_CHECKING:
    Place = Any  # a gongzhi.places Place: core reads the tree through core.directory


def profile_setters(items: Iterable[Place]) -> dict[int, Place | None]:
    """For each place, the nearest ancestor-or-self with `policy_profile` set (or None).
    One query for any number of places."""
    items = list(items)
    wanted = {p for place in items for p in place.ancestor_paths()}
    setters = {
        p.path: p
        for p in places.Place.objects.filter(path__in=wanted)
        .exclude(policy_profile="")
        .only("id", "name", "kind", "path", "depth", "policy_profile")
    }
    result: dict[int, Place | None] = {}
    for place in items:
        chain = [setters.get(p) for p in reversed(place.ancestor_paths())]
        result[place.pk] = next((s for s in chain if s is not None), None)
    return result


def profile_setter(place: Place) -> Place | None:
    """The place whose `policy_profile` applies to `place` (itself or an ancestor), or None."""
    if place.policy_profile:
        return place
    return profile_setters([place])[place.pk]


def effective_profile(place: Place, on: dt.date | None = None) -> Profile | None:
    """The profile that applies to `place`, or None when no ancestor names one. A named but
    missing or broken profile comes back with its errors (check `profile.ok`).

    When the named profile has expired (on `on`, default today) and names a `successor` that
    exists and is valid, the successor applies instead (and so on down the chain); its
    `succeeds` lists the expired names it replaces. Without one the expired profile still
    applies, and its status says so."""
    setter = profile_setter(place)
    return current(setter.policy_profile, on) if setter else None


def current(name: str, on: dt.date | None = None) -> Profile:
    """`get(name)` with the successor chain followed: what a place naming `name` uses (for code
    that resolves many places' names at once, e.g. through `profile_setters`)."""
    return follow_successors(get(name), on)


def follow_successors(profile: Profile, on: dt.date | None = None) -> Profile:
    """`profile`, or the first profile down its `successor` chain that is not expired."""
    seen = [profile.name]
    current = profile
    while current.ok and current.successor and current.status(on).code == "expired":
        following = get(current.successor)
        if not following.ok or following.name in seen:
            break
        seen.append(following.name)
        current = following
    if current is profile:
        return profile
    return replace(current, succeeds=tuple(seen[:-1]))


def describe_problem(name: str) -> str:
    """Why a profile name cannot be used, in the current language; "" when it can."""
    profile = get(name)
    return "; ".join(issue.message for issue in profile.errors)
