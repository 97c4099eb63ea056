"""Helpers shared by the deliberation services: limits, the policy settings of a place, the
community of a place, text checks, notifications, points earned, the manage check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from gongzhi.core import access, ledger, notifications, profiles
from gongzhi.core.access import Grant
from gongzhi.core.gates import roles_with
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.deliberation.models import (
    TopicStatus,
)
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind

log = logging.getLogger(__name__)

TITLE_MAX = 120
TEXT_MAX = 4000
OPINION_MAX = 2000
REASON_MAX = 300
QR_WINDOW_SECONDS = 30  # how long one check-in code is shown (the code rotates)
# 003 annex 19: the public affairs of the community, grid, estate and building (社区、网格、小区、
# 楼栋) are deliberated, down to residents'-group meetings.
TOPIC_PLACE_KINDS = (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.ESTATE, PlaceKind.BUILDING)
# Who may own a follow-through or be invited besides residents: posts in the community, as the
# permission matrix says (deliberation.official).
OFFICIAL_ROLES = tuple(sorted(roles_with(Action.DELIBERATION_OFFICIAL)))
# The transitions staff make by hand (the others are made by supports and minutes).
CLOSING: dict[str, tuple[str, ...]] = {
    TopicStatus.RESOLVED: (TopicStatus.DISCUSSED,),
    TopicStatus.CLOSED: (TopicStatus.OPEN, TopicStatus.ON_AGENDA, TopicStatus.DISCUSSED),
    TopicStatus.REJECTED: (TopicStatus.OPEN, TopicStatus.ON_AGENDA),
}


# --------------------------------------------------------------------------- helpers


def setting(place: Place, key: str) -> int:
    """A policy number for `place`: its profile's value or the platform default."""
    profile = profiles.effective_profile(place)
    value = profile.get(key) if profile is not None else None
    if value is None:
        value = profiles.SCHEMA[key].default
    if value is None:  # only keys with a platform default are read here
        raise ValueError(f"{key} has no platform default")
    return int(value)


def community_of(place: Place) -> Place:
    """The community containing `place` (itself when it is one)."""
    if place.depth == access.COMMUNITY_DEPTH:
        return place
    if place.depth < access.COMMUNITY_DEPTH:
        raise ValidationError(_("Choose a community or a place inside one."))
    return Place.objects.get(path=place.ancestor_paths()[access.COMMUNITY_DEPTH])


def _text(value: str | None, field: str, maximum: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required; please fill it in.")})
    if len(value) > maximum:
        raise ValidationError(
            {field: _("This text is too long (at most %(n)s characters).") % {"n": maximum}}
        )
    return value


def _reason(value: str | None) -> str:
    return _text(value, "reason", REASON_MAX)


def _notify(user_ids: Iterable[int], verb: str, text: str, actor: User | None = None) -> None:
    """In-app notifications (the kernel's notification centre, with no link)."""
    ids = sorted({uid for uid in user_ids if uid and uid != getattr(actor, "pk", None)})
    notifications.notify(ids, verb=verb, text=text)


def _in_site_language(fn: Callable[[], object]) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(fn())


def _earn(resident: Resident | None, source: models.Model, actor: User | None) -> None:
    """Participation points (gongzhi.volunteering.points, rule `deliberation`). A refusal
    there (daily cap, …) never undoes the participation."""
    if resident is None:
        return
    from gongzhi.volunteering import points

    try:
        with transaction.atomic():
            points.earn(resident, "deliberation", source=source, actor=actor)
    except (ledger.LedgerError, ValidationError, ValueError) as error:  # EarnError is a ValueError
        log.info("deliberation points not given: %s", type(error).__name__)


def _manage(actor: User, path: str, action: str = Action.DELIBERATION_MANAGE) -> Grant:
    """403 for people of the community without the right, 404 for everyone else."""
    return access.require(actor, action, path, read_action=Action.DELIBERATION_JOIN)
