"""Helpers shared by the volunteering services: the acting resident, text checks, the community
of a place, ledger refusals as ValidationError.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core import ledger
from gongzhi.core.models import User
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteering import points

TEXT_MAX = 200
# --------------------------------------------------------------------------- helpers


def _not_linked() -> ValidationError:
    return ValidationError(
        _(
            "Your login is not linked to a resident record. Ask your community office to "
            "link it, then try again."
        )
    )


def my_resident(actor: User) -> Resident:
    resident = resident_of(actor)
    if resident is None or not points.community_path(resident.place_path):
        raise _not_linked()
    return resident


def my_community(resident: Resident) -> Place:
    """The community of `my_resident(...)`'s record; refused like an unlinked login when no
    community place has its path (the record's place was moved or removed)."""
    community = points.community_of(resident)
    if community is None:
        raise _not_linked()
    return community


def _text(value: str | None, field: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Too long (at most %(n)s characters).") % {"n": limit}})
    return value


def _community(place: Place | None) -> Place:
    if place is None or place.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    return place


def _ledger_error(error: ledger.LedgerError) -> ValidationError:
    return ValidationError(error.message)
