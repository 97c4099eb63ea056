"""Reads of people's mediation for a viewer, narrowed in the query.

Two levels of a case (docs/mediation.md "Privacy"):
- its *content* (parties, sessions, agreement, notes) — `readable_cases`: the staff of the
  committee holding it (MEDIATION_MANAGE on its place) and its own mediators, nobody else;
- its *existence* — `known_cases`: also whoever has MEDIATION_VIEW over the household the case is
  about (a grid worker for the households of the grid) or over the committee's place. The
  existence rows carry no names and no content.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.mediation import services
from gongzhi.mediation.models import (
    Agreement,
    AgreementScan,
    Case,
    Committee,
    LegalAdviser,
    Mediator,
    Session,
    State,
)
from gongzhi.mediation.workflow import Step
from gongzhi.people.models import Resident
from gongzhi.places.models import Household, Place

if TYPE_CHECKING:
    from gongzhi.tickets.models import Ticket

VIEW = Action.MEDIATION_VIEW
MANAGE = Action.MEDIATION_MANAGE


def _pk(pk: object) -> int:
    text = str(pk)
    return int(text) if text.isdigit() and len(text) < 10 else 0


# --------------------------------------------------------------------------- organisation


def committee_rows(user: Viewer) -> QuerySet[Committee]:
    return access.scoped(
        Committee.objects.select_related("place"), user, VIEW, path_field="place_path"
    )


def get_committee(user: Viewer, pk: object) -> Committee:
    return get_object_or_404(committee_rows(user), pk=_pk(pk))


def managed_committees(user: Viewer) -> QuerySet[Committee]:
    return access.scoped(Committee.objects.all(), user, MANAGE, path_field="place_path")


def places_without_committee(user: Viewer) -> QuerySet[Place]:
    taken = Committee.objects.filter(place=OuterRef("pk"))
    return access.scoped(
        Place.objects.filter(kind__in=("district", "street", "community")).filter(~Exists(taken)),
        user,
        MANAGE,
    ).order_by("path")


def mediators_of(committee: Committee) -> QuerySet[Mediator]:
    return committee.mediators.select_related("resident", "user").order_by("-is_active", "name")


def get_mediator(user: Viewer, pk: object) -> Mediator:
    return get_object_or_404(
        access.scoped(Mediator.objects.all(), user, VIEW, "place_path"), pk=_pk(pk)
    )


def adviser_rows(user: Viewer) -> QuerySet[LegalAdviser]:
    return access.scoped(LegalAdviser.objects.select_related("community"), user, VIEW, "place_path")


def communities_for(user: Viewer) -> QuerySet[Place]:
    return access.scoped(Place.objects.filter(kind="community"), user, MANAGE).order_by("path")


def residents_of(user: Viewer, path: str) -> QuerySet[Resident]:
    """Active residents under `path` the viewer may see in the registry (to choose from)."""
    return access.scoped(
        Resident.objects.filter(is_active=True, place_path__under=path),
        user,
        Action.RESIDENT_VIEW,
        path_field="place_path",
    ).order_by("name", "id")


def households_of(user: Viewer, path: str) -> QuerySet[Household]:
    return access.scoped(
        Household.objects.filter(place_path__under=path).select_related("building"),
        user,
        Action.HOUSEHOLD_VIEW,
        path_field="place_path",
    ).order_by("place_path", "unit_no", "room_no")


def staff_of(user: Viewer, committee: Committee) -> QuerySet[User]:
    """Staff logins with an active post in or above the committee's area (to choose a mediator)."""
    paths = committee.place.ancestor_paths()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(posts__place__path__under=committee.place_path) | Q(posts__place__path__in=paths),
            posts__is_active=True,
            posts__role__in=[
                "community_secretary",
                "community_worker",
                "grid_worker",
                "street_officer",
            ],
        )
        .distinct()
        .order_by("name", "id")
    )


# --------------------------------------------------------------------------- cases


def _mine(user: Viewer) -> Q:
    if not isinstance(user, User) or not user.is_authenticated:
        return Q(pk__in=[])
    mine = Mediator.objects.filter(cases=OuterRef("pk"), is_active=True).filter(
        Q(user=user) | Q(resident__user=user)
    )
    return Q(Exists(mine))


def content_q(user: Viewer) -> Q:
    return access.scope_q(user, MANAGE, "place_path") | _mine(user)


def readable_cases(user: Viewer) -> QuerySet[Case]:
    return Case.objects.filter(content_q(user))


def known_cases(user: Viewer) -> QuerySet[Case]:
    return Case.objects.filter(
        content_q(user)
        | access.scope_q(user, VIEW, "household_path")
        | access.scope_q(user, VIEW, "place_path")
    )


def case_rows(user: Viewer, state: str = "") -> QuerySet[Case]:
    """The list: every case the viewer knows of, with `readable` saying whether they may open it."""
    rows = known_cases(user).annotate(
        readable=CaseWhen(
            When(content_q(user), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    if state:
        rows = rows.filter(state=state)
    return rows.select_related("committee", "household__building").order_by("-opened_at", "-id")


def get_case(user: Viewer, pk: object) -> Case:
    """A case's content: 404 for whoever may not read it, even if they know it exists."""
    return get_object_or_404(
        readable_cases(user).select_related(
            "committee__place", "origin_committee", "household__building", "ticket"
        ),
        pk=_pk(pk),
    )


def case_detail(case: Case) -> dict[str, object]:
    """Everything of a case for its page, in a handful of queries."""
    return {
        "parties": list(case.parties.select_related("resident")),
        "mediators": list(case.mediators.all()),
        "sessions": list(
            Session.objects.filter(case=case)
            .prefetch_related("parties_present", "mediators_present")
            .select_related("recorded_by")
        ),
        "agreements": list(
            Agreement.objects.filter(case=case).prefetch_related("scans").order_by("id")
        ),
        "referrals": list(case.referrals.select_related("from_committee", "to_committee")),
        "follow_ups": list(case.follow_ups.select_related("visited_by")),
        "events": [
            {
                "at": e.at,
                "step": Step(e.step).label if e.step in Step.values else e.step,
                "state": State(e.to_state).label if e.to_state in State.values else e.to_state,
                "actor": e.actor,
                "note": e.note,
            }
            for e in case.events.select_related("actor")
        ],
    }


def get_scan(case: Case, pk: object) -> AgreementScan:
    """A scan of the case's agreement; the case itself comes from `get_case` (the object rule)."""
    return get_object_or_404(AgreementScan.objects.filter(agreement__case=case), pk=_pk(pk))


def case_of_ticket(user: Viewer, ticket: Ticket) -> dict[str, object]:
    """For a ticket's page: the case opened from it (a link for those who may read it, a line
    for those who may know it exists) or the button for the community's mediation staff."""
    case = Case.objects.filter(ticket=ticket).first()
    if case is not None:
        readable = readable_cases(user).filter(pk=case.pk).exists()
        known = readable or known_cases(user).filter(pk=case.pk).exists()
        return {"case": case if known else None, "readable": readable, "ticket": ticket}
    path = services.community_path(ticket.place_path)
    may_open = (
        bool(path)
        and services.is_dispute(ticket)
        and access.can(user, MANAGE, path)
        and Committee.objects.filter(place_path=path).exists()
    )
    return {"case": None, "may_open": may_open, "ticket": ticket}
