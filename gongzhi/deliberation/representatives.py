"""Deliberation: residents' representatives, confirmed and removed by staff."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import audit
from gongzhi.core.models import User
from gongzhi.deliberation._common import _manage, _reason
from gongzhi.deliberation.models import (
    Representative,
)
from gongzhi.people.models import Resident
from gongzhi.places.models import Place

# --------------------------------------------------------------------------- representatives


def confirm_representative(community: Place, resident: Resident, *, actor: User) -> Representative:
    """Staff confirm a proposed candidate; the score at that moment is kept with its parts."""
    from gongzhi.deliberation import selectors

    grant = _manage(actor, community.path)
    if not (resident.place_path or "").startswith(community.path) or not resident.is_active:
        raise ValidationError(_("This resident does not live in this community."))
    details = selectors.score_residents(community, [resident.pk]).get(resident.pk, {})
    try:
        with transaction.atomic():
            rep = Representative.objects.create(
                community=community,
                place_path=community.path,
                resident=resident,
                score=details.get("score", 0),
                score_details=details,
                confirmed_by=actor,
            )
            audit.record(
                actor=actor,
                action="deliberation.representative_confirm",
                target=rep,
                place_path=community.path,
                post=grant.post,
                changes={"resident": resident.pk, "score": rep.score},
            )
    except IntegrityError:
        raise ValidationError(_("This resident is already a representative.")) from None
    return rep


def remove_representative(rep: Representative, reason: str, *, actor: User) -> None:
    grant = _manage(actor, rep.place_path)
    reason = _reason(reason)
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="deliberation.representative_remove",
            target=rep,
            place_path=rep.place_path,
            post=grant.post,
            reason=reason,
            changes={"resident": rep.resident_id},
        )
        rep.delete()
