"""Volunteering: the time bank. Offers and requests paid in hours, and transfers to family
members. Taking or confirming an exchange locks its row (`_lock_exchange`); the ledger locks
the accounts.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, ledger
from gongzhi.core.models import LedgerEntry, User
from gongzhi.core.roles import Action
from gongzhi.people.models import Resident
from gongzhi.volunteering import points
from gongzhi.volunteering._common import _ledger_error, _text, my_community, my_resident
from gongzhi.volunteering.models import (
    Exchange,
    ExchangeStatus,
    PostKind,
)

# --------------------------------------------------------------------------- time bank


def _minutes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError({"minutes": _("Give the time in whole minutes, more than 0.")})
    limit = ledger.max_amount("hours")
    if value > limit:
        raise ValidationError({"minutes": _("At most %(n)s hours at once.") % {"n": limit // 60}})
    return value


def _require_hours(resident: Resident, minutes: int) -> None:
    available = ledger.balance(points.hours_account(resident))
    if available < minutes:
        raise ValidationError(
            _(
                "Not enough time-bank hours: %(available)s available, %(needed)s needed. Earn "
                "hours by volunteering first."
            )
            % {
                "available": ledger.format_amount("hours", available),
                "needed": ledger.format_amount("hours", minutes),
            }
        )


@transaction.atomic
def post_exchange(
    *, actor: User, kind: str, title: str, description: str = "", minutes: object
) -> Exchange:
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, resident.place_path)
    if kind not in PostKind.values:
        raise ValidationError({"kind": _("Choose request or offer.")})
    title = _text(title, "title", required=True, limit=100)
    description = _text(description, "description", limit=1000)
    amount = _minutes(minutes)
    if kind == PostKind.REQUEST:
        _require_hours(resident, amount)
    community = my_community(resident)
    exchange = Exchange.objects.create(
        kind=kind,
        community=community,
        place_path=community.path,
        author=resident,
        title=title,
        description=description,
        minutes=amount,
        created_at=clock.now(),
    )
    audit.record(
        actor=actor,
        action="volunteering.timebank_post",
        target=exchange,
        place_path=exchange.place_path,
        changes={"kind": kind, "minutes": amount},
    )
    return exchange


def _lock_exchange(actor: User, exchange: Exchange) -> tuple[Exchange, Resident]:
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, exchange.place_path)
    locked = Exchange.objects.select_for_update().get(pk=exchange.pk)
    return locked, resident


@transaction.atomic
def take_exchange(exchange: Exchange, *, actor: User) -> Exchange:
    """Another resident of the community takes it; two takers: the row lock lets one win."""
    locked, resident = _lock_exchange(actor, exchange)
    if points.community_path(resident.place_path) != locked.place_path:
        raise Http404
    if locked.author_id == resident.pk:
        raise ValidationError(_("You cannot take your own request or offer."))
    if locked.status != ExchangeStatus.OPEN:
        raise ValidationError(_("Someone else has already taken this; look for another one."))
    if locked.kind == PostKind.OFFER:
        _require_hours(resident, locked.minutes)
    locked.taker, locked.status, locked.taken_at = resident, ExchangeStatus.TAKEN, clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="volunteering.timebank_take",
        target=locked,
        place_path=locked.place_path,
        changes={"taker": resident.pk},
    )
    return locked


@transaction.atomic
def confirm_exchange(exchange: Exchange, *, actor: User) -> Exchange:
    """Each side confirms the service happened; with both, the hours move requester → provider."""
    locked, resident = _lock_exchange(actor, exchange)
    if locked.status != ExchangeStatus.TAKEN:
        raise ValidationError(_("Only a taken request or offer can be confirmed."))
    if resident.pk == locked.requester.pk:
        locked.requester_confirmed = True
    elif resident.pk == locked.provider.pk:
        locked.provider_confirmed = True
    else:
        raise PermissionDenied(_("Only the two residents of this exchange may confirm it."))
    if locked.requester_confirmed and locked.provider_confirmed:
        try:
            ledger.transfer(
                debit=points.hours_account(locked.requester),
                credit=points.hours_account(locked.provider),
                amount=locked.minutes,
                reason="timebank",
                reason_text=locked.title,
                source=locked,
                idempotency_key=f"timebank:{locked.pk}",
                actor=actor,
            )
        except ledger.LedgerError as error:
            raise _ledger_error(error) from None
        locked.status, locked.done_at = ExchangeStatus.DONE, clock.now()
    locked.save()
    audit.record(
        actor=actor,
        action="volunteering.timebank_confirm",
        target=locked,
        place_path=locked.place_path,
        changes={"status": locked.status, "by": resident.pk},
    )
    return locked


@transaction.atomic
def cancel_exchange(exchange: Exchange, *, actor: User) -> Exchange:
    locked, resident = _lock_exchange(actor, exchange)
    if locked.author_id != resident.pk:
        raise PermissionDenied(_("Only the resident who posted it may cancel it."))
    if locked.status != ExchangeStatus.OPEN:
        raise ValidationError(_("It has been taken; it can no longer be cancelled."))
    locked.status = ExchangeStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="volunteering.timebank_cancel",
        target=locked,
        place_path=locked.place_path,
        changes={"status": ExchangeStatus.CANCELLED},
    )
    return locked


def family_members(resident: Resident) -> QuerySet[Resident]:
    if not resident.household_id:
        return Resident.objects.none()
    return Resident.objects.filter(household_id=resident.household_id, is_active=True).exclude(
        pk=resident.pk
    )


@transaction.atomic
def family_transfer(*, actor: User, to_resident_id: int, minutes: object, key: str) -> LedgerEntry:
    """Pass deposited hours to a member of the same household, when the profile allows it."""
    resident = my_resident(actor)
    access.require(actor, Action.VOLUNTEER_JOIN, resident.place_path)
    community = my_community(resident)
    if not points.int_setting(community, "timebank.family_transfer"):
        raise ValidationError(
            _("Transfers of time-bank hours to family are not allowed in this community.")
        )
    amount = _minutes(minutes)
    target = family_members(resident).filter(pk=to_resident_id).first()
    if target is None:
        raise ValidationError(
            {"to_resident": _("Hours can only go to a member of your own household.")}
        )
    try:
        entry = ledger.transfer(
            debit=points.hours_account(resident),
            credit=points.hours_account(target),
            amount=amount,
            reason="family_transfer",
            reason_text=_("Transfer to family: %(name)s") % {"name": target.name},
            source=target,
            idempotency_key=f"family:{resident.pk}:{key}",
            actor=actor,
        )
    except ledger.LedgerError as error:
        raise _ledger_error(error) from None
    audit.record(
        actor=actor,
        action="volunteering.family_transfer",
        target=target,
        place_path=resident.place_path,
        changes={"from": resident.pk, "to": target.pk, "minutes": amount},
    )
    return entry
