"""Volunteering: corrections. Reversing an award of points or hours through the ledger, with
a reason kind and an audit record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core import access, audit, ledger
from gongzhi.core.models import LedgerAccount, LedgerCurrency, LedgerEntry, LedgerOwnerKind, User
from gongzhi.core.roles import Action
from gongzhi.volunteering._common import _ledger_error, _text

# --------------------------------------------------------------------------- corrections

REVERSAL_REASONS = {
    "wrong_person": gettext_lazy("Credited to the wrong resident"),
    "not_attended": gettext_lazy("The resident did not take part"),
    "duplicate": gettext_lazy("Credited twice"),
    "wrong_amount": gettext_lazy("Wrong amount"),
    "other": gettext_lazy("Other reason"),
}


@dataclass
class Reversal:
    entry: LedgerEntry  # the reversing entry
    original: LedgerEntry
    created: bool  # False: it had been reversed before, nothing was written now


def is_award(entry: LedgerEntry) -> bool:
    """Points or hours the community credited to a resident (issuer → resident); the only
    entries staff correct here. Spending, transfers and expiry are not awards."""
    return (
        entry.reverses_id is None
        and entry.debit.owner_kind == LedgerOwnerKind.ISSUER
        and entry.credit.owner_kind == LedgerOwnerKind.RESIDENT
    )


def reverse_award(entry_id: int | None, *, actor: User, reason_kind: str, reason: str) -> Reversal:
    """Correct a wrongly credited award by reversing it (the ledger's only correction): the
    same amount goes back resident → issuer, with the reason on the resident's statement.
    VOLUNTEER_MANAGE in the resident's community; idempotent (a second request returns the
    first reversal and writes nothing); refused, changing nothing, when the resident has
    spent or moved the points or hours meanwhile."""
    from gongzhi.people.models import Resident

    original = (
        LedgerEntry.objects.select_related("debit", "credit").filter(pk=entry_id or 0).first()
    )
    account = None
    if original is not None:
        account = next(
            (a for a in (original.credit, original.debit) if a.owner_kind == "resident"), None
        )
    resident = Resident.objects.filter(pk=account.owner_id).first() if account else None
    if original is None or resident is None:
        raise Http404
    grant = access.require(
        actor, Action.VOLUNTEER_MANAGE, resident.place_path, read_action=Action.VOLUNTEER_VIEW
    )
    if not is_award(original):
        raise ValidationError(
            _("Only points or hours credited by the community can be reversed here.")
        )
    if reason_kind not in REVERSAL_REASONS:
        raise ValidationError({"reason_kind": _("Choose why the award is reversed.")})
    reason = _text(reason, "reason", required=True)
    currency = original.credit.currency
    with transaction.atomic():
        # The resident's account row: two corrections of one award queue here, and the second
        # finds the first one's reversal.
        ledger_account = LedgerAccount.objects.select_for_update().get(pk=original.credit_id)
        done = LedgerEntry.objects.filter(reverses_id=original.pk).first()
        if done is not None:
            return Reversal(done, original, False)
        if ledger_account.balance < original.amount:
            what = _("hours") if currency == LedgerCurrency.HOURS else _("points")
            raise ValidationError(
                _(
                    "This award cannot be reversed: the resident has already used some of these "
                    "%(what)s (%(available)s left, %(amount)s would be taken back). Nothing was "
                    "changed. Cancel the later spending first, for example a redemption."
                )
                % {
                    "what": what,
                    "available": ledger.format_amount(currency, ledger_account.balance),
                    "amount": ledger.format_amount(currency, original.amount),
                }
            )
        label = REVERSAL_REASONS[reason_kind]
        try:
            entry = ledger.reverse(
                original,
                reason=_("Correction (%(kind)s): %(reason)s") % {"kind": label, "reason": reason},
                idempotency_key=f"correction:{original.pk}",
                actor=actor,
            )
        except ledger.LedgerError as error:
            raise _ledger_error(error) from None
        audit.record(
            actor=actor,
            action="volunteering.award_reverse",
            target=resident,
            place_path=resident.place_path,
            changes={
                "entry": original.pk,
                "reversal": entry.pk,
                "currency": currency,
                "amount": original.amount,
            },
            post=grant.post,
            reason=f"{reason_kind}: {reason}",
        )
    return Reversal(entry, original, True)
