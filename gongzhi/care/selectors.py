"""Every read of care and outreach for a user, scoped by the permission matrix.

A staff post sees a notice sent to its place, below it, or above it (a building head sees the
community's water-cut notice), but only the deliveries of households inside its own scope: the
figures, unread lists and door-knock lists are always narrowed to the viewer's place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _t

from gongzhi.care.models import (
    CheckItem,
    CheckRound,
    Delivery,
    Donation,
    Notice,
    RentedHome,
    ServicePoint,
    Tenancy,
    Visit,
    VisitPhoto,
    VisitPlan,
)
from gongzhi.core import access, clock, crypto, profiles
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action, Role
from gongzhi.core.types import Viewer
from gongzhi.people.models import Resident, ResidentTag, Tag
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
    return (
        Visit.objects.filter(plan=plan)
        .select_related("visitor", "photo")
        .order_by("-visited_at", "-id")
    )


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


# --------------------------------------------------------------------------- planning visits

VISITOR_ROLES = (Role.GRID_WORKER, Role.PARTY_MEMBER, Role.VOLUNTEER, Role.BUILDING_HEAD)


def plan_places(user: Viewer) -> QuerySet[Place]:
    """The grids whose care lists the user plans."""
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.GRID), user, Action.CARE_VISIT_PLAN
    ).order_by("path")


def get_plan_place(user: Viewer, pk: object) -> Place:
    return get_object_or_404(plan_places(user), pk=pk if str(pk).isdigit() else -1)


def rhythm_tags() -> list[str]:
    """The care tags that have a visit rhythm (a `care.visit_days_<tag>` key)."""
    return [tag for tag in Tag.values if f"care.visit_days_{tag}" in profiles.SCHEMA]


def care_list(user: Viewer, place: Place) -> QuerySet[ResidentTag]:
    """The place's care list not yet planned: a living resident carrying a care tag with a
    visit rhythm and no plan for that tag yet, within the user's planning scope."""
    planned = VisitPlan.objects.filter(resident_id=OuterRef("resident_id"), tag=OuterRef("tag"))
    return (
        ResidentTag.objects.filter(
            access.scope_q(user, Action.CARE_VISIT_PLAN, "resident__place_path"),
            resident__is_active=True,
            resident__place_path__under=place.path,
            tag__in=rhythm_tags(),
        )
        .exclude(Exists(planned))
        .select_related("resident")
        .order_by("resident__place_path", "resident__name", "id")
    )


def visitor_choices(user: Viewer, place: Place | None = None) -> QuerySet[User]:
    """Logins holding a visitor post over `place` (its buildings or its ancestors) or, without
    a place, anywhere within the user's planning scope. The service checks each choice again
    against the person's home."""
    if place is not None:
        where = Q(place__path__under=place.path) | Q(place__path__in=_ancestors(place.path))
    else:
        where = access.scope_q(user, Action.CARE_VISIT_PLAN, "place__path")
    posts = Post.objects.filter(where, is_active=True, role__in=VISITOR_ROLES)
    return User.objects.filter(is_active=True, pk__in=posts.values("user_id")).order_by(
        "name", "id"
    )


def get_visit_photo(user: Viewer, pk: object) -> VisitPhoto:
    """A visit's photo, for those who may read the visit's notes (else 404)."""
    photo = get_object_or_404(
        VisitPhoto.objects.select_related("visit__plan"), pk=pk if str(pk).isdigit() else -1
    )
    if not can_read_notes(user, photo.visit.plan):
        raise Http404
    return photo


# --------------------------------------------------------------------------- verification rounds


def _round_q(user: Viewer) -> Q:
    """Rounds sent to the viewer's place, below it, or above it (a grid worker sees the
    community's round); their rows are always narrowed to the viewer's own area."""
    q = Q(pk__in=[])
    for grant in access.grants(user, Action.CARE_RENTAL_VIEW):
        if grant.everything:
            return Q()
        if grant.path:
            q |= Q(place_path__under=grant.path) | Q(place_path__in=_ancestors(grant.path))
    return q


def _items_q(user: Viewer, prefix: str = "") -> Q:
    return access.scope_q(user, Action.CARE_RENTAL_VIEW, f"{prefix}place_path")


def round_rows(user: Viewer) -> QuerySet[CheckRound]:
    """The rounds the viewer sees, each with its rows and checked rows within the viewer's area."""
    scope = _items_q(user, "items__")
    return (
        CheckRound.objects.filter(_round_q(user))
        .select_related("sent_by")
        .annotate(
            mine=Count("items", filter=scope),
            checked=Count("items", filter=scope & Q(items__checked_at__isnull=False)),
        )
        .order_by("-sent_at", "-id")
    )


def get_round(user: Viewer, pk: object) -> CheckRound:
    return get_object_or_404(round_rows(user), pk=pk if str(pk).isdigit() else -1)


def round_items(user: Viewer, checkround: CheckRound, todo: bool = False) -> QuerySet[CheckItem]:
    items = CheckItem.objects.filter(_items_q(user), round=checkround)
    if todo:
        items = items.filter(checked_at__isnull=True)
    return items.select_related("household__building", "home__landlord", "checked_by").order_by(
        "place_path", "household__unit_no", "household__room_no", "id"
    )


def get_round_item(user: Viewer, pk: object) -> CheckItem:
    """A household of a round, for one who may answer it (404 outside their area)."""
    items = CheckItem.objects.filter(
        access.scope_q(user, Action.CARE_RENTAL_MANAGE, "place_path")
    ).select_related("round", "household__building", "home__landlord")
    return get_object_or_404(items, pk=pk if str(pk).isdigit() else -1)


def round_places(user: Viewer) -> QuerySet[Place]:
    """The communities and streets the viewer may send a round from."""
    return access.scoped(
        Place.objects.filter(kind__in=[PlaceKind.COMMUNITY, PlaceKind.STREET]),
        user,
        Action.CARE_ROUND_SEND,
    ).order_by("path")


def round_rollup(user: Viewer, checkround: CheckRound) -> tuple[list[str], list[list[object]]]:
    """The roll-up sheet: a row per household of the viewer's area, its answers and note."""
    from gongzhi.care.models import Answer
    from gongzhi.care.rounds import CHECKLIST

    labels = dict(Answer.choices)
    headers = [
        str(_t("Home")),
        str(_t("Landlord")),
        *[str(label) for _code, label in CHECKLIST],
        str(_t("Note")),
        str(_t("Checked by")),
        str(_t("Checked at")),
    ]
    rows: list[list[object]] = []
    for item in round_items(user, checkround).iterator(chunk_size=500):
        rows.append(
            [
                item.household.short_address,
                item.home.landlord.name if item.home else "",
                *[str(labels.get(item.answers.get(code), "")) for code, _label in CHECKLIST],
                item.note,
                item.checked_by.name if item.checked_by else "",
                timezone.localtime(item.checked_at).replace(tzinfo=None) if item.checked_at else "",
            ]
        )
    return headers, rows


# --------------------------------------------------------------------------- 爱心档案, service circle


@dataclass
class CareRecord:
    """A resident's 爱心档案: volunteering, giving, help received."""

    resident: Resident
    signups: list[Any]
    volunteer_minutes: int
    volunteer_points: int
    donations: list[Donation]
    given_fen: int
    visits: list[Visit]
    tickets: list[Any]


RECORD_ROWS = 50  # the phone page shows the latest of each list


def care_record(user: Viewer) -> CareRecord | None:
    """The login's own record (None without a registry record): their volunteering (from
    volunteering's selectors), their donations, and the help their household received — care
    visits (when and by whom, never the notes) and resolved tickets submitted by its members or
    raised on its care visits."""
    from gongzhi.tickets.models import Ticket
    from gongzhi.volunteering.selectors import my_signups

    resident = resident_of(user)
    if resident is None or not resident.is_active:
        return None
    signups = my_signups(resident)
    totals = signups.aggregate(minutes=Sum("minutes"), points=Sum("points"))
    donations = Donation.objects.filter(resident=resident).order_by("-given_on", "-id")
    given = donations.aggregate(fen=Sum("amount_fen"))["fen"] or 0
    household_id = resident.household_id
    members = (
        Resident.objects.filter(household_id=household_id)
        if household_id
        else Resident.objects.filter(pk=resident.pk)
    )
    visits = (
        Visit.objects.filter(plan__resident__in=members)
        .select_related("visitor")
        .only("visited_at", "visitor__name", "plan_id", "ticket_id")
        .order_by("-visited_at", "-id")
    )
    raised = Visit.objects.filter(plan__resident__in=members, ticket__isnull=False).values(
        "ticket_id"
    )
    tickets = (
        Ticket.objects.filter(
            Q(submitter_id__in=members.exclude(user__isnull=True).values("user_id"))
            | Q(pk__in=raised),
            resolved_at__isnull=False,
        )
        .select_related("category")
        .order_by("-resolved_at", "-id")
    )
    return CareRecord(
        resident=resident,
        signups=list(signups[:RECORD_ROWS]),
        volunteer_minutes=totals["minutes"] or 0,
        volunteer_points=totals["points"] or 0,
        donations=list(donations[:RECORD_ROWS]),
        given_fen=given,
        visits=list(visits[:RECORD_ROWS]),
        tickets=list(tickets[:RECORD_ROWS]),
    )


def donations(user: Viewer) -> QuerySet[Donation]:
    """Donations of the staff's area (care.giving_manage)."""
    return (
        Donation.objects.filter(access.scope_q(user, Action.CARE_GIVING_MANAGE, "place_path"))
        .select_related("resident", "community", "recorded_by")
        .order_by("-given_on", "-id")
    )


def donor_by_id(user: Viewer, id_number: str) -> Resident | None:
    """The living resident with this ID number (blind index) within the staff's area."""
    number = (id_number or "").strip().upper()
    if not number:
        return None
    return Resident.objects.filter(
        access.scope_q(user, Action.CARE_GIVING_MANAGE, "place_path"),
        is_active=True,
        id_index=crypto.blind_index("id", number),
    ).first()


def giving_communities(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind=PlaceKind.COMMUNITY), user, Action.CARE_GIVING_MANAGE
    ).order_by("path")


def managed_points(user: Viewer) -> QuerySet[ServicePoint]:
    return (
        ServicePoint.objects.filter(access.scope_q(user, Action.CARE_GIVING_MANAGE, "place_path"))
        .select_related("community", "merchant")
        .order_by("place_path", "kind", "name", "id")
    )


def get_managed_point(user: Viewer, pk: object) -> ServicePoint:
    return get_object_or_404(managed_points(user), pk=pk if str(pk).isdigit() else -1)


def merchant_choices(user: Viewer) -> QuerySet[Any]:
    from gongzhi.merchants.models import Merchant

    return Merchant.objects.filter(
        access.scope_q(user, Action.CARE_GIVING_MANAGE, "place_path"), is_active=True
    ).order_by("place_path", "name")


@dataclass
class CirclePoint:
    point: ServicePoint
    metres: int | None


def service_circle(user: Viewer) -> tuple[Place | None, list[CirclePoint]]:
    """The resident's service circle: the listed points of their community; with positions on
    both sides, only those within `care.service_walk_metres` of their building, nearest first.
    None, [] for a login without a home."""
    from gongzhi.care.visits import _setting, distance_m

    household = household_of(user)
    if household is None:
        return None, []
    building = Place.objects.filter(pk=household.building_id).first()
    community = None
    if building is not None:
        community = Place.objects.filter(
            kind=PlaceKind.COMMUNITY, path__in=_ancestors(building.path)
        ).first()
    if building is None or community is None:
        return None, []
    walk = _setting(building, "care.service_walk_metres")
    rows: list[CirclePoint] = []
    points = ServicePoint.objects.filter(place_path=community.path, is_active=True).order_by(
        "kind", "name", "id"
    )[:500]
    for point in points:
        metres = None
        if (
            point.lat is not None
            and point.lng is not None
            and building.centre_lat is not None
            and building.centre_lng is not None
        ):
            metres = distance_m(
                float(building.centre_lat),
                float(building.centre_lng),
                float(point.lat),
                float(point.lng),
            )
            if metres > walk:
                continue
        rows.append(CirclePoint(point=point, metres=metres))
    rows.sort(key=lambda r: (r.metres is None, r.metres or 0))
    return community, rows


def map_points(points: list[ServicePoint]) -> list[dict[str, Any]]:
    """The points with a position, as plain data for the map (names are text, never HTML)."""
    return [
        {
            "name": p.name,
            "kind": p.get_kind_display(),
            "hours": p.hours,
            "lat": float(p.lat),
            "lng": float(p.lng),
        }
        for p in points
        if p.lat is not None and p.lng is not None
    ]
