"""Deliberation: polls and their ballots (`PollBallot`; a ballot locks its poll row)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.deliberation._common import _earn, _manage, _text
from gongzhi.deliberation.models import (
    Poll,
    PollBallot,
    PollOption,
)
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind

# --------------------------------------------------------------------------- polls


def create_poll(
    *,
    actor: User,
    community: Place,
    question: str,
    options: Iterable[str],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    multiple: bool = False,
    per_household: bool = False,
    description: str = "",
) -> Poll:
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Polls are run by a community.")})
    grant = _manage(actor, community.path)
    question = _text(question, "question", 200)
    description = _text(description, "description", 2000, required=False)
    texts = [o.strip() for o in options if (o or "").strip()]
    if len(texts) < 2:
        raise ValidationError({"options": _("Give at least two options, one per line.")})
    if len(set(texts)) != len(texts):
        raise ValidationError({"options": _("Two options have the same text.")})
    if any(len(t) > 120 for t in texts):
        raise ValidationError({"options": _("An option is too long (at most 120 characters).")})
    if not opens_at or not closes_at or closes_at <= opens_at:
        raise ValidationError({"closes_at": _("The poll must close after it opens.")})
    with transaction.atomic():
        poll = Poll.objects.create(
            question=question,
            description=description,
            community=community,
            place_path=community.path,
            multiple=multiple,
            per_household=per_household,
            opens_at=opens_at,
            closes_at=closes_at,
            created_by=actor,
        )
        PollOption.objects.bulk_create(
            [PollOption(poll=poll, text=t, order=n) for n, t in enumerate(texts, 1)]
        )
        audit.record(
            actor=actor,
            action="deliberation.poll_create",
            target=poll,
            place_path=community.path,
            post=grant.post,
            changes={"options": texts, "multiple": multiple, "per_household": per_household},
        )
    return poll


def vote(poll: Poll, option_ids: Iterable, *, actor: User) -> PollBallot:
    """One vote per resident (or per household); only while the poll is open."""
    access.require(actor, Action.DELIBERATION_JOIN, poll.place_path)
    resident = resident_of(actor)
    if resident is None:
        raise ValidationError(
            _("Only residents in the registry can vote. Ask your community office.")
        )
    if not (resident.place_path or "").startswith(poll.place_path):
        raise PermissionDenied(_("This poll is for the residents of another community."))
    if not poll.is_open():
        raise ValidationError(_("This poll is not open for voting now."))
    try:
        ids = sorted({int(i) for i in option_ids})
    except (TypeError, ValueError):
        raise ValidationError({"options": _("Choose one of the options of this poll.")}) from None
    options = list(poll.options.filter(pk__in=ids))
    if not ids or len(options) != len(ids):
        raise ValidationError({"options": _("Choose one of the options of this poll.")})
    if not poll.multiple and len(options) != 1:
        raise ValidationError({"options": _("This poll takes exactly one choice.")})
    if poll.per_household and resident.household_id is None:
        raise ValidationError(_("This poll counts households; you are not registered in one."))
    household_id = resident.household_id if poll.per_household else None
    duplicate = (
        _("Your household has already voted in this poll; one vote per household.")
        if poll.per_household
        else _("You have already voted in this poll.")
    )
    try:
        with transaction.atomic():
            Poll.objects.select_for_update().filter(pk=poll.pk).first()
            taken = PollBallot.objects.filter(poll=poll, resident=resident)
            if household_id:
                taken = taken | PollBallot.objects.filter(poll=poll, household_id=household_id)
            if taken.exists():
                raise ValidationError(duplicate)
            ballot = PollBallot.objects.create(
                poll=poll, resident=resident, household_id=household_id, user=actor
            )
            ballot.options.set(options)
            audit.record(
                actor=actor,
                action="deliberation.vote",
                target=poll,
                place_path=poll.place_path,
                changes={"ballot": ballot.pk},
            )
            _earn(resident, ballot, actor)
    except IntegrityError:
        raise ValidationError(duplicate) from None
    return ballot
