"""Writes of rented homes and tenants (issue 24 item 2, 实有人口); re-exported by `services`.

- `mark_rented`: a household is let, its landlord a person of the registry (living anywhere).
- `register_tenant`: the tenant is registered like any resident — through
  `people.services.create_resident` (ID and phone protected the same way, relation 租户,
  residence status 流动人口) in the same transaction — and linked to the home for the lease.
- `end_tenancy`: the tenant moved out: the link ends (`ended_on`) and the registry records the
  move-out (`people.services.move_out`), both or neither.
- `extend_lease`: a new end date for a current tenancy.

A link is current only while its lease runs (`Tenancy.is_current`, `selectors.current_q`):
when the lease ends without a recorded move-out, the tenant leaves the home's current tenants
and appears on the list of leases to confirm. The door-to-door verification round (入户核查)
is in `rounds.py`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.care.models import RentedHome, Tenancy
from gongzhi.core import access, audit, clock
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.people import services as people
from gongzhi.people.idcard import IdType
from gongzhi.people.models import Relation, ResidenceStatus, Resident
from gongzhi.places.models import Household

MANAGE = Action.CARE_RENTAL_MANAGE
VIEW = Action.CARE_RENTAL_VIEW
LONGEST_LEASE_DAYS = 366 * 20  # a lease date beyond this is a typing mistake


def _lease(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The lease must end after it starts.")})
    if (ends_on - starts_on).days > LONGEST_LEASE_DAYS:
        raise ValidationError({"ends_on": _("Check the lease dates: longer than 20 years.")})


def mark_rented(household: Household, *, actor: User, landlord: Resident) -> RentedHome:
    if not landlord.is_active:
        raise ValidationError(
            {"landlord": _("The landlord must be a living person of the registry.")}
        )
    with transaction.atomic():
        grant = access.require(actor, MANAGE, household.place_path, read_action=VIEW)
        if RentedHome.objects.filter(household=household).exists():
            raise ValidationError({"household": _("This home is already marked as rented.")})
        try:
            with transaction.atomic():
                home = RentedHome.objects.create(
                    household=household, landlord=landlord, place_path=household.place_path
                )
        except IntegrityError as error:
            raise ValidationError(
                {"household": _("This home is already marked as rented.")}
            ) from error
        audit.record(
            actor=actor,
            action="care.rented_mark",
            target=home,
            place_path=home.place_path,
            post=grant.post,
            changes={"landlord": landlord.pk},
        )
    return home


def register_tenant(
    home: RentedHome,
    *,
    actor: User,
    name: str,
    id_number: str,
    starts_on: dt.date,
    ends_on: dt.date,
    id_type: str = IdType.RESIDENT_ID,
    phone: str = "",
) -> Tenancy:
    _lease(starts_on, ends_on)
    with transaction.atomic():
        grant = access.require(actor, MANAGE, home.place_path, read_action=VIEW)
        household = Household.objects.get(pk=home.household_id)
        tenant = people.create_resident(
            actor=actor,
            household=household,
            name=name,
            id_type=id_type,
            id_number=id_number,
            phone=phone,
            relation=Relation.TENANT,
            residence_status=ResidenceStatus.FLOATING,
            moved_in=starts_on,
        )
        tenancy = Tenancy.objects.create(
            home=home,
            tenant=tenant,
            starts_on=starts_on,
            ends_on=ends_on,
            place_path=home.place_path,
        )
        audit.record(
            actor=actor,
            action="care.tenant_register",
            target=tenancy,
            place_path=home.place_path,
            post=grant.post,
            changes={"tenant": tenant.pk, "starts_on": starts_on, "ends_on": ends_on},
        )
    return tenancy


def end_tenancy(tenancy: Tenancy, *, actor: User, on: dt.date | None = None) -> Tenancy:
    """The tenant moved out on `on` (default today): the link ends and the registry records
    the move-out."""
    day = on or clock.today()
    with transaction.atomic():
        grant = access.require(actor, MANAGE, tenancy.place_path, read_action=VIEW)
        locked = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
        if locked.ended_on is not None:
            raise ValidationError(_("This tenant's moving out is already recorded."))
        if day < locked.starts_on or day > clock.today():
            raise ValidationError(
                {"ended_on": _("The moving-out date must lie between the lease start and today.")}
            )
        locked.ended_on = day
        locked.save(update_fields=["ended_on"])
        tenant = Resident.objects.get(pk=locked.tenant_id)
        if tenant.is_active and tenant.household_id == locked.home.household_id:
            people.move_out(tenant, day, actor=actor)
        audit.record(
            actor=actor,
            action="care.tenant_end",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes={"ended_on": day},
        )
    return locked


def extend_lease(tenancy: Tenancy, *, actor: User, ends_on: dt.date) -> Tenancy:
    with transaction.atomic():
        grant = access.require(actor, MANAGE, tenancy.place_path, read_action=VIEW)
        locked = Tenancy.objects.select_for_update().get(pk=tenancy.pk)
        if locked.ended_on is not None:
            raise ValidationError(_("This tenant has moved out; register a new lease instead."))
        if ends_on <= locked.ends_on:
            raise ValidationError({"ends_on": _("The new end must come after the current one.")})
        _lease(locked.starts_on, ends_on)
        before = locked.ends_on
        locked.ends_on = ends_on
        locked.save(update_fields=["ends_on"])
        audit.record(
            actor=actor,
            action="care.lease_extend",
            target=locked,
            place_path=locked.place_path,
            post=grant.post,
            changes={"ends_on": [before, ends_on]},
        )
    return locked
