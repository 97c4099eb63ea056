"""Writes of the 爱心档案 and the service circle (issue 24 item 4); re-exported by `services`.

- `record_donation`: a gift of money (fen) or goods to a community fund or a drive. The
  community's staff record it for any resident of their area (`care.giving_manage`); a resident
  records their own on the phone (`care.notice_read` over their home, object rule: the donor is
  their own registry record), marked `self_reported`.
- `save_service_point`: the community's staff keep the directory of the service circle
  (seed 001 §11: services within a half-hour walk): kind, name, address, a service phone,
  opening hours, a point for the map, optionally the merchants app's record of a merchant.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gongzhi.care.models import Donation, DonationKind, DonationTo, ServiceKind, ServicePoint
from gongzhi.care.visits import _coordinate
from gongzhi.core import access, audit, clock, inputs
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.merchants.models import Merchant
from gongzhi.people.models import Resident
from gongzhi.places.models import Place, PlaceKind

MANAGE = Action.CARE_GIVING_MANAGE
READ = Action.CARE_NOTICE_READ
MAX_FEN = 10_000_000_000  # 1 亿元: beyond it a typing mistake


def community_of(path: str) -> Place | None:
    parts = [p for p in path.split("/") if p]
    ancestors = ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]
    return Place.objects.filter(kind=PlaceKind.COMMUNITY, path__in=ancestors).first()


def record_donation(
    resident: Resident,
    *,
    actor: User,
    kind: str,
    to: str,
    destination: str,
    given_on: dt.date,
    amount_fen: int | None = None,
    goods: str = "",
) -> Donation:
    destination = inputs.text(destination, "destination", 100)
    goods = inputs.text(goods, "goods", 200, required=False)
    if kind not in DonationKind.values:
        raise ValidationError({"kind": _("Choose money or goods.")})
    if to not in DonationTo.values:
        raise ValidationError({"to": _("Choose a community fund or a drive.")})
    if kind == DonationKind.MONEY:
        if not isinstance(amount_fen, int) or not 0 < amount_fen <= MAX_FEN:
            raise ValidationError({"amount_fen": _("Give an amount above zero.")})
        goods = ""
    else:
        if not goods:
            raise ValidationError({"goods": _("Say what goods were given.")})
        amount_fen = None
    if not isinstance(given_on, dt.date) or given_on > clock.today():
        raise ValidationError({"given_on": _("A gift cannot be dated in the future.")})
    own = resident.user_id is not None and resident.user_id == actor.pk
    with transaction.atomic():
        if own:
            grant = access.require(actor, READ, resident.place_path)
        else:
            grant = access.require(actor, MANAGE, resident.place_path)
        if not resident.is_active:
            raise ValidationError({"resident": _("This person is no longer in the registry.")})
        community = community_of(resident.place_path)
        if community is None:
            raise ValidationError({"resident": _("This person's home is in no community.")})
        donation = Donation.objects.create(
            resident=resident,
            community=community,
            kind=kind,
            to=to,
            destination=destination,
            amount_fen=amount_fen,
            goods=goods,
            given_on=given_on,
            self_reported=own,
            recorded_by=actor,
            place_path=resident.place_path,
        )
        audit.record(
            actor=actor,
            action="care.donation_record",
            target=donation,
            place_path=donation.place_path,
            post=grant.post,
            changes={"kind": kind, "to": to, "amount_fen": amount_fen, "self": own},
        )
    return donation


def save_service_point(
    point: ServicePoint | None,
    *,
    actor: User,
    community: Place,
    kind: str,
    name: str,
    address: str = "",
    phone: str = "",
    hours: str = "",
    lat: object = None,
    lng: object = None,
    merchant: Merchant | None = None,
    is_active: bool = True,
) -> ServicePoint:
    name = inputs.text(name, "name", 100)
    address = inputs.text(address, "address", 200, required=False)
    phone = inputs.text(phone, "phone", 32, required=False)
    hours = inputs.text(hours, "hours", 100, required=False)
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": _("Choose the kind of service.")})
    lat_d: Decimal | None = _coordinate(lat, 90, "lat")
    lng_d: Decimal | None = _coordinate(lng, 180, "lng")
    if (lat_d is None) != (lng_d is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError({"community": _("Choose a community.")})
    if merchant is not None and merchant.community_id != community.pk:
        raise ValidationError({"merchant": _("The merchant is not of this community.")})
    with transaction.atomic():
        grant = access.require(actor, MANAGE, community.path)
        if point is not None:
            point = ServicePoint.objects.select_for_update().get(pk=point.pk)
            if not access.can(actor, MANAGE, point.place_path):
                raise PermissionDenied
        else:
            point = ServicePoint(community=community)
        point.community = community
        point.place_path = community.path
        point.kind = kind
        point.name = name
        point.address = address
        point.phone = phone
        point.hours = hours
        point.lat, point.lng = lat_d, lng_d
        point.merchant = merchant
        point.is_active = bool(is_active)
        point.updated_by = actor
        point.updated_at = clock.now()
        created = point.pk is None
        try:
            with transaction.atomic():
                point.save()
        except IntegrityError as error:
            raise ValidationError(
                {"name": _("This community already lists a service of this name.")}
            ) from error
        audit.record(
            actor=actor,
            action="care.service_point_save",
            target=point,
            place_path=point.place_path,
            post=grant.post,
            changes={"name": name, "kind": kind, "created": created, "listed": point.is_active},
        )
    return point
