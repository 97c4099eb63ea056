"""Reads for partner units, the three lists, claims and the yearly report (scoped)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.core import access
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.partners.models import (
    Claim,
    ClaimPhoto,
    ClaimStatus,
    ItemStatus,
    ListItem,
    ListKind,
    PartnerUnit,
)
from gongzhi.places.models import Place

if TYPE_CHECKING:
    from gongzhi.tickets.models import Ticket

DONE = (ClaimStatus.COMPLETED, ClaimStatus.CONFIRMED)


def places_in_scope(user: Viewer, action: str, kinds: Iterable[str]) -> QuerySet[Place]:
    """Places of `kinds` inside the user's scope for `action` (choices of a form)."""
    return access.scoped(Place.objects.filter(kind__in=kinds), user, action).order_by("path")


def community(pk: int | str | None) -> Place | None:
    """The community a claim form names, wherever it is: the claim service checks the actor's
    right there (404 outside the actor's scope, 403 inside it without the right). None when
    `pk` names no community."""
    try:
        key = int(pk or 0)
    except (TypeError, ValueError):
        return None
    return Place.objects.filter(pk=key, kind="community").first()


def contact_logins(user: Viewer) -> QuerySet[User]:
    """Partner-contact logins inside the staff member's scope (candidates to link to a unit)."""
    posts = access.scoped(
        Post.objects.filter(role=Role.PARTNER_CONTACT, is_active=True),
        user,
        Action.PARTNER_MANAGE,
        path_field="place__path",
    )
    return User.objects.filter(pk__in=posts.values("user_id")).order_by("name")


def visible_claims(user: Viewer) -> QuerySet[Claim]:
    """Claims on the list items the user can see."""
    return Claim.objects.filter(item__in=visible_items(user))


def visible_units(user: Viewer) -> QuerySet[PartnerUnit]:
    """Units in the viewer's area: paired with a place inside it, or with a street above it."""
    q = Q(pk__in=[])
    for grant in access.grants(user, Action.PARTNER_VIEW):
        if grant.everything:
            return PartnerUnit.objects.select_related("place")
        if grant.path:
            q |= Q(place_path__under=grant.path) | Q(place_path__in=_ancestors(grant.path))
    return PartnerUnit.objects.filter(q).select_related("place")


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts) - 1)]


def visible_items(
    user: Viewer, kind: str | None = None, status: str | None = None
) -> QuerySet[ListItem]:
    q = Q(pk__in=[])
    for grant in access.grants(user, Action.PARTNER_VIEW):
        if grant.everything:
            q = Q()
            break
        if grant.path:
            # Items in the area, and resources offered at a street above a community viewer.
            q |= Q(place_path__under=grant.path) | Q(
                place_path__in=_ancestors(grant.path), kind=ListKind.RESOURCE
            )
    # A resident's need waiting for review is seen only by staff who review it.
    manage = access.scope_q(user, Action.PARTNER_MANAGE, "place_path")
    qs = (
        ListItem.objects.filter(q)
        .filter(~Q(status=ItemStatus.PENDING) | manage)
        .select_related("place", "offered_by")
    )
    if kind in ListKind.values:
        qs = qs.filter(kind=kind)
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    return qs


def get_claim_photo(user: Viewer, claim_pk: int, photo_pk: int) -> ClaimPhoto:
    """An evidence photo of a claim on an item the user sees (404 otherwise)."""
    return get_object_or_404(
        ClaimPhoto, pk=photo_pk, claim_id=claim_pk, claim__item__in=visible_items(user)
    )


def my_needs(user: User) -> QuerySet[ListItem]:
    """The needs a resident posted, newest first."""
    return ListItem.objects.filter(created_by=user, kind=ListKind.NEED).order_by(
        "-created_at", "-id"
    )


def pending_needs(user: Viewer) -> QuerySet[ListItem]:
    """Residents' needs waiting for the user's review (PARTNER_MANAGE)."""
    return access.scoped(
        ListItem.objects.filter(kind=ListKind.NEED, status=ItemStatus.PENDING),
        user,
        Action.PARTNER_MANAGE,
        "place_path",
    )


def my_units(user: User) -> QuerySet[PartnerUnit]:
    return visible_units(user).filter(contacts=user)


def live_claim(item: ListItem) -> Claim | None:
    return (
        item.claims.exclude(status=ClaimStatus.WITHDRAWN)
        .select_related("unit", "community")
        .first()
    )


@dataclass
class UnitReport:
    unit: PartnerUnit
    year: int
    needs_claimed: int
    needs_completed: int
    projects_claimed: int
    projects_completed: int
    resources_offered: int
    resources_given: int
    amount: int
    minutes: int
    claims: list[Claim]

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)


def unit_report(unit: PartnerUnit, year: int) -> UnitReport:
    """What a unit did in `year`. *Claimed* counts the claims made in the year; *completed*,
    *resources given*, the amount and the hours count the work completed in the year (by
    `completed_at`, whatever the year of the claim), so a need claimed in December and done
    in January is claimed in one year's report and completed in the next. The list holds the
    claims made or completed in the year."""
    start = dt.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
    end = dt.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    made_in = Q(created_at__gte=start, created_at__lt=end)
    done_in = Q(status__in=DONE, completed_at__gte=start, completed_at__lt=end)
    claims = (
        Claim.objects.filter(Q(unit=unit) | Q(item__offered_by=unit))
        .filter(made_in | done_in)
        .exclude(status=ClaimStatus.WITHDRAWN)
        .select_related("item", "unit", "community")
        .order_by("created_at", "id")
    )
    rows = list(claims)

    def made(c: Claim) -> bool:
        return start <= c.created_at < end

    def done(c: Claim) -> bool:
        return c.status in DONE and c.completed_at is not None and start <= c.completed_at < end

    own = [c for c in rows if c.unit_id == unit.pk]
    given = [c for c in rows if c.item.offered_by_id == unit.pk]
    offered = unit.resources.filter(created_at__gte=start, created_at__lt=end).aggregate(
        n=Count("id")
    )["n"]
    totals = claims.filter(done_in).aggregate(a=Sum("amount"), m=Sum("minutes"))

    def count(items: list[Claim], kind: str, test: Callable[[Claim], bool]) -> int:
        return sum(1 for c in items if c.item.kind == kind and test(c))

    return UnitReport(
        unit=unit,
        year=year,
        needs_claimed=count(own, ListKind.NEED, made),
        needs_completed=count(own, ListKind.NEED, done),
        projects_claimed=count(own, ListKind.PROJECT, made),
        projects_completed=count(own, ListKind.PROJECT, done),
        resources_offered=offered,
        resources_given=sum(1 for c in given if done(c)),
        amount=totals["a"] or 0,
        minutes=totals["m"] or 0,
        claims=rows,
    )


def ticket_need(user: Viewer, ticket: Ticket) -> dict[str, object]:
    """For a ticket's page: the need made from it (if the user may see it) and whether the user
    may put the ticket on the community's needs list."""
    community_path = "/".join(ticket.place_path.split("/")[: access.COMMUNITY_DEPTH + 1]) + "/"
    item = visible_items(user).filter(source_ticket=ticket).first()
    exists = item is not None or ListItem.objects.filter(source_ticket=ticket).exists()
    may_add = not exists and access.can(user, Action.PARTNER_MANAGE, community_path)
    return {"item": item, "may_add": may_add, "ticket": ticket}
