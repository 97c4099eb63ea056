"""Row 000-17 of issue 14 (seed 000 §五): the start-up funds of a newly founded party
organisation of an owners' committee (对新成立的业委会党组织,给予5000元启动工作经费) and the
full-time secretary of that organisation.

Workflow of a grant (explicit table `TRANSITIONS`):

    requested --approve--> approved --pay--> paid
    requested --refuse---> refused (with a reason; the organisation may be requested again)

- The community (Action `estate.manage`) requests it for a committee whose party organisation is
  recorded (`OwnersCommittee.party_org`); the amount is the key
  `owners_committee.party_org_startup_yuan` of the effective profile of the estate, in fen, with
  the key's citation kept as the basis. Unset key: no request (本地政策未规定).
- The street (Action `estate.file`, the action of street acts on committees) approves or refuses
  with a reason, then marks it paid.
- At most one grant that is not refused per organisation: checked under the committee's lock and
  kept by a partial unique constraint. An approval locks the grant (select_for_update), so two
  simultaneous approvals approve once.
Every step: one transaction, the access check, one audit record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, inputs, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.estates.models import GrantStatus, OwnersCommittee, StartupGrant
from gongzhi.places.models import Place

STARTUP_KEY = "owners_committee.party_org_startup_yuan"

TRANSITIONS: dict[str, dict[str, str]] = {
    "approve": {GrantStatus.REQUESTED: GrantStatus.APPROVED},
    "refuse": {GrantStatus.REQUESTED: GrantStatus.REFUSED},
    "pay": {GrantStatus.APPROVED: GrantStatus.PAID},
}


@dataclass(frozen=True)
class Amount:
    """The start-up amount the effective profile of an estate sets (None: not set)."""

    fen: int | None
    citation: str

    @property
    def yuan(self) -> str:
        if self.fen is None:
            return ""
        return f"{self.fen // 100}" if self.fen % 100 == 0 else f"{Decimal(self.fen) / 100:.2f}"

    @property
    def paragraph(self) -> str:
        return self.citation.split(":", 1)[0].strip() if self.citation else ""


def startup_amount(estate: Place) -> Amount:
    profile = profiles.effective_profile(estate)
    value = profile.get(STARTUP_KEY) if profile is not None else None
    if value is None or profile is None:
        return Amount(None, "")
    fen = int(Decimal(str(value)) * 100)
    return Amount(fen if fen > 0 else None, profile.citations.get(STARTUP_KEY, ""))


def _street(actor: User, path: str) -> access.Grant:
    return access.require(actor, Action.ESTATE_FILE, path, read_action=Action.ESTATE_VIEW)


def _move(grant: StartupGrant, step: str) -> str:
    target = TRANSITIONS[step].get(grant.status)
    if target is None:
        raise ValidationError(
            _("This grant is %(status)s: it cannot be changed this way.")
            % {"status": grant.get_status_display()}
        )
    return target


def request_grant(committee: OwnersCommittee, *, actor: User) -> StartupGrant:
    """The community asks the street for the start-up funds of the committee's organisation."""
    with transaction.atomic():
        grant_ = access.require(
            actor, Action.ESTATE_MANAGE, committee.place_path, read_action=Action.ESTATE_VIEW
        )
        OwnersCommittee.objects.select_for_update().filter(pk=committee.pk).first()
        committee.refresh_from_db(fields=["party_org", "party_org_form"])
        if committee.party_org_id is None or not committee.party_org_form:
            raise ValidationError(
                _("Record the committee's party organisation before requesting its start-up funds.")
            )
        amount = startup_amount(committee.estate)
        if amount.fen is None:
            raise ValidationError(
                _(
                    "The local policy sets no start-up funds for an owners' committee's party "
                    "organisation (本地政策未规定)."
                )
            )
        if (
            StartupGrant.objects.filter(party_org_id=committee.party_org_id)
            .exclude(status=GrantStatus.REFUSED)
            .exists()
        ):
            raise ValidationError(
                _("The start-up funds of this party organisation are already requested or granted.")
            )
        try:
            with transaction.atomic():
                made = StartupGrant.objects.create(
                    committee=committee,
                    party_org_id=committee.party_org_id,
                    amount_fen=amount.fen,
                    basis=amount.citation,
                    requested_by=actor,
                    requested_at=clock.now(),
                    place_path=committee.place_path,
                )
        except IntegrityError as error:
            raise ValidationError(
                _("The start-up funds of this party organisation are already requested or granted.")
            ) from error
        audit.record(
            actor=actor,
            action="estates.grant_request",
            target=made,
            place_path=made.place_path,
            post=grant_.post,
            changes={"amount_fen": made.amount_fen, "party_org": made.party_org_id},
        )
    return made


def _locked(grant: StartupGrant) -> StartupGrant:
    return StartupGrant.objects.select_for_update().get(pk=grant.pk)


def approve_grant(grant: StartupGrant, *, actor: User) -> StartupGrant:
    with transaction.atomic():
        access_grant = _street(actor, grant.place_path)
        fresh = _locked(grant)
        fresh.status = _move(fresh, "approve")
        fresh.decided_by = actor
        fresh.decided_at = clock.now()
        fresh.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(
            actor=actor,
            action="estates.grant_approve",
            target=fresh,
            place_path=fresh.place_path,
            post=access_grant.post,
            changes={"status": fresh.status, "amount_fen": fresh.amount_fen},
        )
    return fresh


def refuse_grant(grant: StartupGrant, *, actor: User, reason: str) -> StartupGrant:
    reason = inputs.text(reason, "reason", 500)
    with transaction.atomic():
        access_grant = _street(actor, grant.place_path)
        fresh = _locked(grant)
        fresh.status = _move(fresh, "refuse")
        fresh.decided_by = actor
        fresh.decided_at = clock.now()
        fresh.refusal_reason = reason
        fresh.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        audit.record(
            actor=actor,
            action="estates.grant_refuse",
            target=fresh,
            place_path=fresh.place_path,
            post=access_grant.post,
            changes={"status": fresh.status},
            reason=reason,
        )
    return fresh


def pay_grant(
    grant: StartupGrant, *, actor: User, paid_on: dt.date | None = None, payment_ref: str = ""
) -> StartupGrant:
    payment_ref = inputs.text(payment_ref, "payment_ref", 100, required=False)
    paid_on = paid_on or clock.today()
    if paid_on > clock.today():
        raise ValidationError({"paid_on": _("The payment date cannot be in the future.")})
    with transaction.atomic():
        access_grant = _street(actor, grant.place_path)
        fresh = _locked(grant)
        fresh.status = _move(fresh, "pay")
        if fresh.decided_at is not None and paid_on < fresh.decided_at.date():
            raise ValidationError({"paid_on": _("The payment date cannot be before the approval.")})
        fresh.paid_by = actor
        fresh.paid_on = paid_on
        fresh.payment_ref = payment_ref
        fresh.save(update_fields=["status", "paid_by", "paid_on", "payment_ref"])
        audit.record(
            actor=actor,
            action="estates.grant_pay",
            target=fresh,
            place_path=fresh.place_path,
            post=access_grant.post,
            changes={"status": fresh.status, "paid_on": paid_on, "payment_ref": payment_ref},
        )
    return fresh


def set_secretary_full_time(
    committee: OwnersCommittee, *, actor: User, full_time: bool
) -> OwnersCommittee:
    """Record whether the secretary of the committee's party organisation is full-time (专职)."""
    with transaction.atomic():
        access_grant = access.require(
            actor, Action.ESTATE_MANAGE, committee.place_path, read_action=Action.ESTATE_VIEW
        )
        if full_time and committee.party_org_id is None:
            raise ValidationError(_("Record the committee's party organisation first."))
        before = audit.snapshot(committee, ["secretary_full_time"])
        committee.secretary_full_time = full_time
        committee.save(update_fields=["secretary_full_time"])
        audit.record(
            actor=actor,
            action="estates.secretary_full_time",
            target=committee,
            place_path=committee.place_path,
            post=access_grant.post,
            changes=audit.diff(committee, before, ["secretary_full_time"]),
        )
    return committee
