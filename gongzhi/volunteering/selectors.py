"""Reads of volunteering, always narrowed to what the user may see (gongzhi.core.access)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from gongzhi.core import access, clock, ledger, profiles
from gongzhi.core.models import LedgerEntry, User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.people.models import Resident
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind
from gongzhi.volunteering import points, services
from gongzhi.volunteering.models import (
    Activity,
    ActivityStatus,
    Exchange,
    ExchangeStatus,
    OrganiserKind,
    Signup,
    SignupStatus,
    Team,
    Volunteer,
    VolunteerStatus,
)

if TYPE_CHECKING:
    import datetime as dt

    from gongzhi.organisations.models import Organisation
    from gongzhi.partners.models import PartnerUnit
    from gongzhi.party.models import PartyOrg


def volunteers(user: Viewer) -> QuerySet[Volunteer]:
    qs = Volunteer.objects.select_related("resident", "community")
    return access.scoped(qs, user, Action.VOLUNTEER_VIEW, path_field="place_path")


def get_volunteer(user: Viewer, pk: int) -> Volunteer:
    return get_object_or_404(volunteers(user), pk=pk)


def team_candidates(user: Viewer) -> QuerySet[Volunteer]:
    """The volunteers a team form offers: those the user manages, not suspended."""
    return access.scoped(volunteers(user), user, Action.VOLUNTEER_MANAGE, "place_path").exclude(
        status=VolunteerStatus.SUSPENDED
    )


def teams(user: Viewer) -> QuerySet[Team]:
    qs = Team.objects.select_related("community", "leader__resident").annotate(
        member_count=Count("members")
    )
    return access.scoped(qs, user, Action.VOLUNTEER_VIEW, path_field="place_path")


def get_team(user: Viewer, pk: int) -> Team:
    return get_object_or_404(teams(user), pk=pk)


def places_in_scope(
    user: Viewer, action: str, kinds: Iterable[str] = (PlaceKind.COMMUNITY,)
) -> QuerySet[Place]:
    """Places of `kinds` inside the user's scope for `action` (a form's choices)."""
    return access.scoped(Place.objects.filter(kind__in=kinds), user, action, "path").order_by(
        "path"
    )


def place_of(activity: Activity) -> Place | None:
    """The community or grid an activity is held at (its edit form's initial choice)."""
    return Place.objects.filter(path=activity.place_path).first()


def team_choices(places: Iterable[Place]) -> QuerySet[Team]:
    """The teams of the communities of `places` (an activity form's choices)."""
    paths = {points.community_path(p.path) for p in places}
    return Team.objects.filter(community__path__in=paths)


def _oversee_q(user: User) -> Q:
    """The rows of `services.may_oversee` as a filter, for lists: ACTIVITY_ORGANISE or
    VOLUNTEER_VIEW over the place through a community-side post, or, through a partner
    unit's contact post, ACTIVITY_ORGANISE over the place for an activity of one of the
    contact's own units (tests/volunteering/test_activity_rule.py checks the two agree)."""
    from gongzhi.core.roles import Role
    from gongzhi.partners.models import PartnerUnit

    q = Q(pk__in=[])
    own_units = PartnerUnit.objects.filter(contacts=user).values("pk")
    for action in (Action.ACTIVITY_ORGANISE, Action.VOLUNTEER_VIEW):
        for grant in access.grants(user, action):
            if grant.everything:
                return Q()
            if grant.household_id is not None:
                continue
            place = Q(place_path__under=grant.path)
            if grant.post is not None and grant.post.role == Role.PARTNER_CONTACT:
                if action == Action.ACTIVITY_ORGANISE:
                    q |= (
                        place
                        & Q(organiser_kind=OrganiserKind.PARTNER_UNIT)
                        & Q(partner_unit_id__in=own_units)
                    )
                continue
            q |= place
    return q


def organised_activities(user: User) -> QuerySet[Activity]:
    """Activities the user may organise or oversee (a partner unit's contact: their unit's)."""
    return Activity.objects.filter(_oversee_q(user)).select_related(
        "community", "team", "organiser", "party_org", "partner_unit", "organisation"
    )


def _in_place_scope(user: Viewer, pk: int) -> Activity:
    """An activity inside the user's place scope for organising or viewing (404 outside)."""
    q = access.scope_q(user, Action.ACTIVITY_ORGANISE, "place_path") | access.scope_q(
        user, Action.VOLUNTEER_VIEW, "place_path"
    )
    qs = Activity.objects.filter(q).select_related(
        "community", "team", "organiser", "party_org", "partner_unit", "organisation"
    )
    return get_object_or_404(qs, pk=pk)


def get_organised(user: User, pk: int) -> Activity:
    """An activity's page and roster (`services.may_oversee`): 404 outside the user's scope,
    403 inside it for someone who neither manages nor oversees it."""
    activity = _in_place_scope(user, pk)
    if not services.may_oversee(user, activity):
        raise PermissionDenied(
            _("Only the organising unit's contacts and the community's staff may see this.")
        )
    return activity


def get_managed(user: User, pk: int) -> Activity:
    """An activity the user manages (`services.manage_grant`: edit form, check-in codes,
    corrections, hours): 404 outside the user's scope, 403 inside it without the right."""
    activity = _in_place_scope(user, pk)
    services.manage_grant(user, activity)
    return activity


def organises_for_community(user: Viewer) -> bool:
    """Whether the user organises through a community-side post somewhere (not only as a
    partner unit's contact)."""
    from gongzhi.core.roles import Role

    return any(
        g.post is None or g.post.role != Role.PARTNER_CONTACT
        for g in access.grants(user, Action.ACTIVITY_ORGANISE)
    )


def organiser_choices(
    user: User,
) -> dict[str, QuerySet[PartyOrg] | QuerySet[PartnerUnit] | QuerySet[Organisation]]:
    """For the publish form: the party organisations the user may publish for
    (ACTIVITY_ORGANISE_PARTY: committees and branches, not groups or households), the
    partner units (a partner contact: only their own) and the social organisations on the
    register the user reads (organisations.selectors.choosable)."""
    from gongzhi.organisations.selectors import choosable
    from gongzhi.partners.selectors import visible_units
    from gongzhi.party.models import OrgKind, PartyOrg

    orgs = access.scoped(
        PartyOrg.objects.exclude(kind__in=(OrgKind.GROUP, OrgKind.MEMBER_HOUSEHOLD)),
        user,
        Action.ACTIVITY_ORGANISE_PARTY,
        "place_path",
    ).order_by("place_path", "name")
    units = visible_units(user).filter(is_active=True).order_by("place_path", "name")
    if not organises_for_community(user):
        units = units.filter(contacts=user)
    organisations = choosable(user) if organises_for_community(user) else choosable(user).none()
    return {"party_orgs": orgs, "units": units, "organisations": organisations}


def open_activities(user: Viewer) -> QuerySet[Activity]:
    """Published activities of the resident's community that have not ended."""
    qs = Activity.objects.filter(
        status=ActivityStatus.PUBLISHED, ends_at__gt=clock.now()
    ).select_related("team", "community", "party_org", "partner_unit", "organisation")
    return access.scoped(qs, user, Action.VOLUNTEER_JOIN, path_field="place_path").order_by(
        "starts_at", "id"
    )


def visible_activities(user: Viewer) -> QuerySet[Activity]:
    """Activities in the user's scope to organise, oversee or join (the API's detail reads)."""
    q = (
        access.scope_q(user, Action.ACTIVITY_ORGANISE, "place_path")
        | access.scope_q(user, Action.VOLUNTEER_VIEW, "place_path")
        | access.scope_q(user, Action.VOLUNTEER_JOIN, "place_path")
    )
    return Activity.objects.filter(q)


def joinable_activity(user: Viewer, pk: int) -> Activity:
    qs = access.scoped(Activity.objects.all(), user, Action.VOLUNTEER_JOIN, "place_path")
    return get_object_or_404(qs, pk=pk)


def my_signups(resident: Resident) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(resident=resident)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("activity")
        .order_by("-activity__starts_at", "-id")
    )


def roster(activity: Activity) -> QuerySet[Signup]:
    return (
        Signup.objects.filter(activity=activity)
        .select_related("resident")
        .order_by("status", "signed_up_at", "id")
    )


def exchanges(user: Viewer) -> QuerySet[Exchange]:
    qs = Exchange.objects.select_related("author", "taker")
    return access.scoped(qs, user, Action.VOLUNTEER_JOIN, path_field="place_path")


def get_exchange(user: Viewer, pk: int) -> Exchange:
    return get_object_or_404(exchanges(user), pk=pk)


def open_exchanges(user: Viewer) -> QuerySet[Exchange]:
    return exchanges(user).filter(status=ExchangeStatus.OPEN)


def my_exchanges(resident: Resident) -> QuerySet[Exchange]:
    return (
        Exchange.objects.filter(Q(author=resident) | Q(taker=resident))
        .select_related("author", "taker")
        .order_by("-created_at", "-id")
    )


def me(user: Viewer) -> Resident | None:
    return resident_of(user)


# --------------------------------------------------------------------------- staff: points


def managed_resident(user: Viewer, pk: int) -> Resident:
    """A resident whose points and hours the user corrects (VOLUNTEER_MANAGE; 404 outside)."""
    qs = access.scoped(
        Resident.objects.filter(is_active=True), user, Action.VOLUNTEER_MANAGE, "place_path"
    )
    return get_object_or_404(qs, pk=pk)


def statement_entries(statement: ledger.Statement) -> QuerySet[LedgerEntry]:
    """The month's entries with their accounts and whether each was reversed (one query)."""
    entries = cast("QuerySet[LedgerEntry]", statement.entries)  # typed `object` in the ledger
    return entries.select_related("debit", "credit").annotate(
        is_reversed=Exists(LedgerEntry.objects.filter(reverses_id=OuterRef("pk")))
    )


# --------------------------------------------------------------------------- volunteer share


@dataclass
class Share:
    community: Place
    residents: int
    volunteers: int
    target: float | None
    profile: profiles.Profile | None = None  # the document the target comes from

    @property
    def percent(self) -> float:
        return round(100 * self.volunteers / self.residents, 1) if self.residents else 0.0

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.percent >= self.target


def volunteer_shares(user: Viewer) -> list[Share]:
    """Active volunteers as a share of living residents, per community in the user's scope,
    against the profile's `volunteering.target_percent` (seed 001 §13: 15%). Three queries
    plus one per distinct profile."""
    communities = list(
        access.scoped(
            Place.objects.filter(kind=PlaceKind.COMMUNITY), user, Action.VOLUNTEER_VIEW, "path"
        ).order_by("path")
    )
    if not communities:
        return []
    # One scan: a conditional count per community over the indexed path prefix.
    totals = Resident.objects.filter(is_active=True).aggregate(
        **{f"c{c.pk}": Count("id", filter=Q(place_path__startswith=c.path)) for c in communities}
    )
    active = dict(
        Volunteer.objects.filter(community__in=communities, status=VolunteerStatus.ACTIVE)
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
    setters = profiles.profile_setters(communities)
    documents: dict[int, profiles.Profile | None] = {}
    for c in communities:
        setter = setters.get(c.pk)
        documents[c.pk] = profiles.current(setter.policy_profile) if setter else None
    shares = []
    for c in communities:
        document = documents[c.pk]
        target = document.get("volunteering.target_percent") if document else None
        shares.append(Share(c, totals[f"c{c.pk}"], active.get(c.pk, 0), target, document))
    return shares


# --------------------------------------------------------------------------- the workbench


def organised_between(user: User, start: dt.datetime, end: dt.datetime) -> QuerySet[Activity]:
    """Activities the user organises or oversees that start in [start, end), not cancelled
    (the workbench's "today")."""
    return (
        organised_activities(user)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status=ActivityStatus.CANCELLED)
        .order_by("starts_at", "id")
    )


def my_signups_between(user: User, start: dt.datetime, end: dt.datetime) -> QuerySet[Signup]:
    """The user's own sign-ups (through their resident record) for activities starting in
    [start, end)."""
    return (
        Signup.objects.filter(
            resident__user=user, activity__starts_at__gte=start, activity__starts_at__lt=end
        )
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("activity")
        .order_by("activity__starts_at", "id")
    )


def taking_part(
    user: Viewer,
    before: tuple[dt.datetime, dt.datetime],
    after: tuple[dt.datetime, dt.datetime],
) -> tuple[int, int]:
    """Distinct people checked in at activities of the user's `volunteer.view` area in the
    period `before` and in the period `after` (each [start, end)): one aggregate query."""
    in_before = Q(checked_in_at__gte=before[0], checked_in_at__lt=before[1])
    in_after = Q(checked_in_at__gte=after[0], checked_in_at__lt=after[1])
    qs = access.scoped(
        Signup.objects.filter(in_before | in_after),
        user,
        Action.VOLUNTEER_VIEW,
        "activity__place_path",
    )
    counts = qs.aggregate(
        before=Count("resident_id", filter=in_before, distinct=True),
        after=Count("resident_id", filter=in_after, distinct=True),
    )
    return int(counts["before"] or 0), int(counts["after"] or 0)
