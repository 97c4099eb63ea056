"""Every read of care and outreach for a user, scoped by the permission matrix.

A staff post sees a notice sent to its place, below it, or above it (a building head sees the
community's water-cut notice), but only the deliveries of households inside its own scope: the
figures, unread lists and door-knock lists are always narrowed to the viewer's place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from gongzhi.care.models import Delivery, Notice, RentedHome, Tenancy, Visit, VisitPlan
from gongzhi.core import access, clock, crypto
from gongzhi.core.models import User
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Household, Place, PlaceKind

VIEW = Action.CARE_NOTICE_VIEW
SEND = Action.CARE_NOTICE_SEND
READ = Action.CARE_NOTICE_READ


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def _notice_q(user: Viewer) -> Q:
    q = Q(pk__in=[])
    for grant in access.grants(user, VIEW):
        if grant.everything:
            return Q()
        if grant.path:
            q |= Q(place_path__under=grant.path) | Q(place_path__in=_ancestors(grant.path))
    return q


def _delivery_q(user: Viewer, prefix: str = "") -> Q:
    return access.scope_q(user, VIEW, f"{prefix}place_path")


def visible_notices(user: Viewer) -> QuerySet[Notice]:
    return Notice.objects.filter(_notice_q(user))


def _count(user: Viewer, extra: Q) -> Coalesce:
    sub = (
        Delivery.objects.filter(notice=OuterRef("pk"))
        .filter(_delivery_q(user))
        .filter(extra)
        .order_by()
        .values("notice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub), Value(0))


def notice_rows(user: Viewer) -> QuerySet[Notice]:
    """The notices a staff post sees, newest first, each with its households and those that
    read it — inside the viewer's scope."""
    return (
        visible_notices(user)
        .select_related("place", "sent_by")
        .annotate(in_scope=_count(user, Q()), read=_count(user, Q(read_at__isnull=False)))
        .annotate(unread=F("in_scope") - F("read"))
        .order_by("-sent_at", "-id")
    )


def get_notice(user: Viewer, pk: object) -> Notice:
    return get_object_or_404(visible_notices(user).select_related("place", "sent_by"), pk=pk)


@dataclass(frozen=True)
class Figures:
    households: int
    read: int
    texted: int

    @property
    def unread(self) -> int:
        return self.households - self.read

    @property
    def read_percent(self) -> int:
        return round(100 * self.read / self.households) if self.households else 0


def figures(user: Viewer, notice: Notice) -> Figures:
    """Households, receipts and texts of the notice inside the viewer's scope (one query)."""
    row = (
        Delivery.objects.filter(notice=notice)
        .filter(_delivery_q(user))
        .aggregate(
            households=Count("pk"),
            read=Count("pk", filter=Q(read_at__isnull=False)),
            texted=Count("pk", filter=Q(sms_at__isnull=False)),
        )
    )
    return Figures(households=row["households"], read=row["read"], texted=row["texted"])


def unread(user: Viewer, notice: Notice) -> QuerySet[Delivery]:
    """The households inside the viewer's scope that have not read the notice: the door-knock
    list, by building, unit and room."""
    return (
        Delivery.objects.filter(notice=notice, read_at__isnull=True)
        .filter(_delivery_q(user))
        .select_related("household__building")
        .order_by("place_path", "household__unit_no", "household__room_no", "pk")
    )


def residents_by_household(user: Viewer, household_ids: list[int]) -> dict[int, list[Resident]]:
    """The active residents of these households (names and masked phones for the door-knock
    list), only where the viewer may see residents; one query."""
    result: dict[int, list[Resident]] = {hid: [] for hid in household_ids}
    if not household_ids or not access.has_any(user, Action.RESIDENT_VIEW):
        return result
    rows = access.scoped(
        Resident.objects.filter(household_id__in=household_ids, is_active=True),
        user,
        Action.RESIDENT_VIEW,
        "place_path",
        own_field="household_id",
    ).only("id", "name", "phone_masked", "relation", "household_id")
    for resident in rows.order_by("household_id", "id"):
        if resident.household_id is not None:
            result.setdefault(resident.household_id, []).append(resident)
    return result


def places_to_send(user: Viewer) -> QuerySet[Place]:
    """The places the user may send a notice to (their own and everything below)."""
    return access.scoped(Place.objects.all(), user, SEND).order_by("path")


# --------------------------------------------------------------------------- residents


def household_of(user: Viewer) -> Household | None:
    """The household a login reads notices for: its registry record's, else its resident post's."""
    if not isinstance(user, User) or not user.is_authenticated:
        return None
    resident = resident_of(user)
    if resident is not None and resident.is_active and resident.household_id is not None:
        return Household.objects.filter(pk=resident.household_id).first()
    for post in access.active_posts(user):
        if post.role == Role.RESIDENT and post.household_id is not None:
            return post.household
    return None


def my_deliveries(user: Viewer) -> QuerySet[Delivery]:
    """The notices of the viewer's household, newest first."""
    household = household_of(user)
    if household is None or not access.can(user, READ, household.place_path):
        return Delivery.objects.none()
    return (
        Delivery.objects.filter(household=household)
        .select_related("notice")
        .order_by("-notice__sent_at", "-notice_id")
    )


def my_delivery(user: Viewer, notice_pk: object) -> Delivery:
    return get_object_or_404(my_deliveries(user), notice_id=notice_pk)


def my_unread_count(user: Viewer) -> int:
    return my_deliveries(user).filter(read_at__isnull=True).count()


# --------------------------------------------------------------------------- rented homes

RENTAL_VIEW = Action.CARE_RENTAL_VIEW
RENTAL_MANAGE = Action.CARE_RENTAL_MANAGE


def current_q(on: dt.date, prefix: str = "") -> Q:
    """Tenancies whose lease runs on `on` and that have not ended."""
    return Q(
        **{
            f"{prefix}ended_on__isnull": True,
            f"{prefix}starts_on__lte": on,
            f"{prefix}ends_on__gte": on,
        }
    )


def rented_homes(user: Viewer) -> QuerySet[RentedHome]:
    """Rented homes of the viewer's area with their landlord and the number of current tenants."""
    today = clock.today()
    return (
        access.scoped(RentedHome.objects.all(), user, RENTAL_VIEW, "place_path")
        .select_related("household__building", "landlord")
        .annotate(tenants=Count("tenancies", filter=current_q(today, "tenancies__")))
        .order_by("place_path", "household__unit_no", "household__room_no", "pk")
    )


def get_rented_home(user: Viewer, pk: object) -> RentedHome:
    return get_object_or_404(rented_homes(user), pk=pk)


def tenancies_of(home: RentedHome) -> list[Tenancy]:
    """Every tenancy of the home, newest first, with its tenant."""
    return list(home.tenancies.select_related("tenant").order_by("-starts_on", "-id"))


def get_tenancy(user: Viewer, pk: object) -> Tenancy:
    return get_object_or_404(
        access.scoped(Tenancy.objects.all(), user, RENTAL_VIEW, "place_path").select_related(
            "home__household", "tenant"
        ),
        pk=pk,
    )


def leases_to_confirm(user: Viewer) -> QuerySet[Tenancy]:
    """Leases that have run out with no moving out recorded: the link has ended with the
    lease; staff record the move-out or extend the lease."""
    today = clock.today()
    return (
        access.scoped(Tenancy.objects.all(), user, RENTAL_VIEW, "place_path")
        .filter(ended_on__isnull=True, ends_on__lt=today)
        .select_related("home__household__building", "tenant")
        .order_by("ends_on", "pk")
    )


def households_to_rent(user: Viewer, building: Place) -> QuerySet[Household]:
    """The households of a building the user may mark as rented (not yet marked)."""
    if not access.can(user, RENTAL_MANAGE, building.path):
        return Household.objects.none()
    return Household.objects.filter(building=building, rented_home__isnull=True).order_by(
        "unit_no", "room_no"
    )


def buildings_for_rentals(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.BUILDING), user, RENTAL_MANAGE
    ).order_by("path")


def landlord_choices(user: Viewer) -> QuerySet[Resident]:
    """Living residents the user may see, to choose a landlord from."""
    return access.scoped(
        Resident.objects.filter(is_active=True), user, Action.RESIDENT_VIEW, "place_path"
    ).order_by("name", "pk")


def landlord_by_id(user: Viewer, id_number: str) -> Resident | None:
    """The living resident with this ID number (blind index), if the user may see them."""
    number = (id_number or "").strip().upper()
    if not number:
        return None
    return landlord_choices(user).filter(id_index=crypto.blind_index("id", number)).first()


# --------------------------------------------------------------------------- care visits (item 1)


def visit_plans(user: Viewer) -> QuerySet[VisitPlan]:
    """The visit plans the user plans (community staff, grid worker: their place and below)."""
    return (
        VisitPlan.objects.filter(access.scope_q(user, Action.CARE_VISIT_PLAN, "place_path"))
        .select_related("resident", "visitor")
        .order_by("next_due_on", "id")
    )


def my_visit_plans(user: Viewer) -> QuerySet[VisitPlan]:
    """The visitor's to-do (我的走访): the people they are assigned, the overdue first."""
    if not getattr(user, "is_authenticated", False):
        return VisitPlan.objects.none()
    return (
        VisitPlan.objects.filter(visitor_id=user.pk, resident__is_active=True)
        .select_related("resident")
        .order_by("next_due_on", "id")
    )


def my_overdue_count(user: Viewer) -> int:
    return my_visit_plans(user).filter(next_due_on__lt=clock.today()).count()


def get_my_plan(user: Viewer, pk: object) -> VisitPlan:
    """One plan of the visitor's own (404 for anyone else's: recording is theirs only)."""
    return get_object_or_404(my_visit_plans(user), pk=pk if str(pk).isdigit() else -1)


def can_read_notes(user: Viewer, plan: VisitPlan) -> bool:
    """Visit notes are sensitive: the plan's visitor and those the matrix grants
    `care.visit_notes` over the person's home; nobody else (a party member who is not the
    visitor, a building head, the person's neighbours)."""
    if getattr(user, "pk", None) == plan.visitor_id:
        return True
    return access.can(user, Action.CARE_VISIT_NOTES, plan.place_path)


def visits_of(user: Viewer, plan: VisitPlan) -> QuerySet[Visit]:
    """The visits of a plan with their notes, for those who may read them; else none."""
    if not can_read_notes(user, plan):
        return Visit.objects.none()
    return Visit.objects.filter(plan=plan).select_related("visitor").order_by("-visited_at", "-id")


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class VisitFigures:
    place: Place
    plans: int
    due: int
    done: int
    overdue: int


def visit_figures(user: Viewer) -> list[VisitFigures]:
    """Per grid within the user's area: plans, due this month and not yet overdue, visits done
    this month, overdue now. Two grouped queries, whatever the number of grids."""
    today = clock.today()
    month_start = today.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    grids = list(
        access.scoped(
            Place.objects.filter(kind=PlaceKind.GRID), user, Action.CARE_VISIT_PLAN
        ).order_by("path")[:500]
    )
    if not grids:
        return []
    # Grouped per building in the database (one row per building with plans), summed per grid.
    scope = access.scope_q(user, Action.CARE_VISIT_PLAN, "place_path")
    per_building = (
        VisitPlan.objects.filter(scope, resident__is_active=True)
        .order_by()
        .values("place_path")
        .annotate(
            plans=Count("id"),
            due=Count("id", filter=Q(next_due_on__gte=today, next_due_on__lt=next_month)),
            overdue=Count("id", filter=Q(next_due_on__lt=today)),
        )
    )
    done_per_building = (
        Visit.objects.filter(scope, visited_at__gte=_start_of(month_start))
        .order_by()
        .values("place_path")
        .annotate(n=Count("id"))
    )
    totals = {grid.path: [0, 0, 0, 0] for grid in grids}
    grid_paths = sorted(totals, key=len, reverse=True)

    def grid_of(path: str) -> str | None:
        return next((g for g in grid_paths if path.startswith(g)), None)

    for row in per_building:
        grid_path = grid_of(row["place_path"])
        if grid_path is not None:
            t = totals[grid_path]
            t[0] += row["plans"]
            t[1] += row["due"]
            t[3] += row["overdue"]
    for done in done_per_building:
        grid_path = grid_of(done["place_path"])
        if grid_path is not None:
            totals[grid_path][2] += done["n"]
    rows = [
        VisitFigures(
            place=grid,
            plans=totals[grid.path][0],
            due=totals[grid.path][1],
            done=totals[grid.path][2],
            overdue=totals[grid.path][3],
        )
        for grid in grids
    ]
    return rows
