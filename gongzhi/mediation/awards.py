"""Awards of the district's selection of mediators, community lawyers and exemplary mediation
cases (000 §九, MECHANISMS 000-25: 开展全区人民满意的调解员、社区律师和优秀调解案例等评选,对入选的
给予最高 1 万元奖励).

- The most an award may be is the policy-profile key `awards.mediation_max_yuan` of the
  nominee's place — the mediator's committee, the adviser's community, the case's committee —
  (wuhan-east-lake sets 10000 from 000 §九; where no profile sets it nothing can be proposed
  for that place and the page says 本地政策未规定).
- A street or district officer (MEDIATION_AWARD) proposes an award for a mediator, a legal
  adviser or a case in their area: reason and amount in fen. Another officer holding the right
  over the same place — the same street, or the district above — approves or rejects it with a
  reason; the proposer cannot decide their own proposal. An approved award is marked paid.
- At most one award a year for a mediator, a legal adviser or a case (a rejected one aside): a
  database constraint, checked first for a clear message.
- Every step locks the award row (select_for_update) and re-reads its state, so of two
  simultaneous approvals one approves and the other is told it is already decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import access, audit, clock, inputs, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.mediation.models import (
    Award,
    AwardKind,
    AwardState,
    Case,
    LegalAdviser,
    Mediator,
    State,
)
from gongzhi.places.models import Place

AWARD = Action.MEDIATION_AWARD
VIEW = Action.MEDIATION_VIEW
KEY = "awards.mediation_max_yuan"
# Cases that may be exemplary: an agreement was reached.
AWARDABLE_CASE_STATES = (State.AGREED, State.FOLLOW_UP, State.CLOSED)


class Step:
    APPROVE = "approve"
    REJECT = "reject"
    PAY = "pay"


# The transition table: (state, step) → state. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (AwardState.PROPOSED, Step.APPROVE): AwardState.APPROVED,
    (AwardState.PROPOSED, Step.REJECT): AwardState.REJECTED,
    (AwardState.APPROVED, Step.PAY): AwardState.PAID,
}

_REFUSED = {
    Step.APPROVE: gettext_lazy("Only a proposed award can be approved; this one is %(state)s."),
    Step.REJECT: gettext_lazy("Only a proposed award can be rejected; this one is %(state)s."),
    Step.PAY: gettext_lazy("Only an approved award can be marked paid; this one is %(state)s."),
}


def target(state: str, step: str) -> str:
    try:
        return TRANSITIONS[(state, step)]
    except KeyError:
        label = AwardState(state).label if state in AwardState.values else state
        raise ValidationError(str(_REFUSED[step]) % {"state": label}) from None


def _cap(profile: profiles.Profile | None) -> int | None:
    if profile is None or not profile.ok or profile.values.get(KEY) is None:
        return None
    return int(Decimal(str(profile.values[KEY])) * 100)


def cap_fen(place: Place) -> int | None:
    """The most an award for a nominee of `place` (a community, or the street or district of a
    committee) may be, in fen, from the place's policy profile; None where no profile sets
    `awards.mediation_max_yuan` (本地政策未规定)."""
    return _cap(profiles.effective_profile(place))


def caps(places: Sequence[Place]) -> list[tuple[Place, int | None]]:
    """Each place with its cap (one query for the profile setters, one load per profile)."""
    setters = profiles.profile_setters(list(places))
    loaded: dict[str, int | None] = {}
    result: list[tuple[Place, int | None]] = []
    for place in places:
        setter = setters.get(place.pk)
        if setter is None:
            result.append((place, None))
            continue
        name = setter.policy_profile
        if name not in loaded:
            loaded[name] = _cap(profiles.current(name))
        result.append((place, loaded[name]))
    return result


def nominee_place(award: Award) -> Place:
    """The place whose policy sets the cap: the nominee's community (or committee's place)."""
    if award.mediator_id and award.mediator is not None:
        return award.mediator.committee.place
    if award.adviser_id and award.adviser is not None:
        return award.adviser.community
    assert award.case is not None
    return award.case.committee.place


def fen(yuan: Decimal | int | str) -> int:
    """Yuan (as typed) to fen; a clear error for anything that is not an amount in yuan."""
    try:
        value = Decimal(str(yuan))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter the amount in yuan.")) from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValidationError(_("Enter the amount in yuan with at most two decimals."))
    return int(value * 100)


def _check_amount(amount_fen: int, place: Place) -> None:
    cap = cap_fen(place)
    if cap is None:
        raise ValidationError(
            _(
                "The local policy sets no most amount for mediation awards (本地政策未规定), "
                "so no award can be proposed for this community."
            )
        )
    if amount_fen <= 0:
        raise ValidationError(_("The amount must be more than zero."))
    if amount_fen > cap:
        raise ValidationError(
            _("An award may be at most %(cap)s yuan (the policy profile, 000 §九).")
            % {"cap": f"{Decimal(cap) / 100:,.2f}"}
        )


def _nominee(
    kind: str, mediator: Mediator | None, adviser: LegalAdviser | None, case: Case | None
) -> tuple[str, str, Place]:
    """(the nominee's name as shown, the path it lies at, its place) for the kind."""
    if kind == AwardKind.MEDIATOR and mediator is not None and not adviser and not case:
        return mediator.name, mediator.place_path, mediator.committee.place
    if kind == AwardKind.ADVISER and adviser is not None and not mediator and not case:
        return adviser.name, adviser.place_path, adviser.community
    if kind == AwardKind.CASE and case is not None and not mediator and not adviser:
        if case.state not in AWARDABLE_CASE_STATES:
            raise ValidationError(
                _("Only a case in which an agreement was reached can be awarded.")
            )
        return case.number, case.place_path, case.committee.place
    raise ValidationError(_("Choose the mediator, legal adviser or case the award is for."))


def _award_place(post: Post | None, nominee_place: Place) -> Place:
    """The street or district the award is proposed at: the proposer's post; for a login
    without a post (a superuser) the street above the nominee."""
    if post is not None and post.place is not None:
        return post.place
    paths = nominee_place.ancestor_paths()
    return Place.objects.get(path=paths[1] if len(paths) > 1 else paths[0])


def propose(
    *,
    actor: User,
    kind: str,
    reason: str,
    amount_fen: int,
    mediator: Mediator | None = None,
    adviser: LegalAdviser | None = None,
    case: Case | None = None,
) -> Award:
    name, path, nominee_place = _nominee(kind, mediator, adviser, case)
    reason = inputs.text(reason, "reason", 500, required=True)
    year = clock.today().year
    with transaction.atomic():
        grant = access.require(actor, AWARD, path, read_action=VIEW)
        place = _award_place(grant.post, nominee_place)
        _check_amount(amount_fen, nominee_place)
        taken = Award.objects.filter(year=year).exclude(state=AwardState.REJECTED)
        if taken.filter(mediator=mediator, adviser=adviser, case=case).exists():
            raise ValidationError(_("There is already an award for them this year."))
        try:
            with transaction.atomic():
                award = Award.objects.create(
                    place=place,
                    place_path=place.path,
                    kind=kind,
                    mediator=mediator,
                    adviser=adviser,
                    case=case,
                    nominee=name[:100],
                    year=year,
                    reason=reason,
                    amount_fen=amount_fen,
                    proposed_by=actor,
                )
        except IntegrityError:
            raise ValidationError(_("There is already an award for them this year.")) from None
        audit.record(
            actor=actor,
            action="mediation.award_propose",
            target=award,
            place_path=award.place_path,
            post=grant.post,
            changes={"kind": kind, "year": year, "amount_fen": amount_fen},
            reason=reason,
        )
    return award


def _locked(award: Award) -> Award:
    """The award row, locked until the transaction ends, with its current state."""
    return Award.objects.select_for_update().get(pk=award.pk)


def _step(award: Award, step: str, *, actor: User, note: str = "") -> Award:
    with transaction.atomic():
        grant = access.require(actor, AWARD, award.place_path, read_action=VIEW)
        award = _locked(award)
        before = award.state
        new = target(before, step)
        now = clock.now()
        if step in (Step.APPROVE, Step.REJECT):
            if award.proposed_by_id == actor.pk:
                raise ValidationError(
                    _("Another officer must decide on an award you proposed yourself.")
                )
            if step == Step.APPROVE:
                _check_amount(award.amount_fen, nominee_place(award))
            award.decided_by, award.decided_at, award.decision_note = actor, now, note
        else:
            award.paid_by, award.paid_at = actor, now
        award.state = new
        award.save()
        audit.record(
            actor=actor,
            action=f"mediation.award_{step}",
            target=award,
            place_path=award.place_path,
            post=grant.post,
            changes={"state": [before, new], "amount_fen": award.amount_fen},
            reason=note,
        )
    return award


def approve(award: Award, *, actor: User, note: str) -> Award:
    return _step(award, Step.APPROVE, actor=actor, note=_reason(note))


def reject(award: Award, *, actor: User, note: str) -> Award:
    return _step(award, Step.REJECT, actor=actor, note=_reason(note))


def mark_paid(award: Award, *, actor: User) -> Award:
    return _step(award, Step.PAY, actor=actor)


def _reason(note: str) -> str:
    return inputs.text(note, "reason", 500, required=True)
