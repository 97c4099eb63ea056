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

from django.db.models import BooleanField, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models import Case as CaseWhen
from django.http import Http404
from django.shortcuts import get_object_or_404

from gongzhi.core import access
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.deliberation.models import Meeting, MeetingKind
from gongzhi.mediation import services
from gongzhi.mediation.awards import AWARDABLE_CASE_STATES
from gongzhi.mediation.models import (
    AgendaCase,
    Agreement,
    AgreementScan,
    Award,
    Case,
    CaseDecision,
    Committee,
    LegalAdviser,
    LegalQuestion,
    Mediator,
    Session,
    State,
)
from gongzhi.mediation.workflow import Step
from gongzhi.people.models import Resident
from gongzhi.places.models import Household, Place, PlaceKind

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


# --------------------------------------------------------------------------- joint meetings


def meeting_committees(user: Viewer) -> QuerySet[Committee]:
    """Community committees whose joint meetings on disputes the viewer keeps."""
    return managed_committees(user).filter(level="community").select_related("place")


def board_committee(user: Viewer, pk: object) -> Committee | None:
    """The committee of the warning board (the first managed one unless one is chosen)."""
    rows = managed_committees(user).select_related("place").order_by("place_path")
    chosen = rows.filter(pk=_pk(pk)).first() if pk else None
    return chosen or rows.first()


def dispute_meetings(committee: Committee) -> QuerySet[Meeting]:
    return Meeting.objects.filter(community=committee.place, kind=MeetingKind.DISPUTE).order_by(
        "-starts_at", "-id"
    )


def meeting_entries(meetings: list[Meeting]) -> dict[int, list[AgendaCase]]:
    """The cases on each meeting's agenda with the decisions and their actions: two queries."""
    out: dict[int, list[AgendaCase]] = {m.pk: [] for m in meetings}
    rows = (
        AgendaCase.objects.filter(meeting__in=meetings)
        .select_related("case")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=CaseDecision.objects.select_related("resolution__follow_through__owner"),
            )
        )
        .order_by("id")
    )
    for row in rows:
        out[row.meeting_id].append(row)
    return out


def agenda_candidates(user: Viewer, committee: Committee) -> QuerySet[Case]:
    """Cases of the community the viewer handles and that are not closed."""
    path = committee.place_path
    return (
        readable_cases(user)
        .filter(Q(place_path__under=path) | Q(household_path__under=path))
        .exclude(state=State.CLOSED)
        .order_by("-opened_at", "-id")
    )


def get_meeting(user: Viewer, committee: Committee, pk: object) -> Meeting:
    return get_object_or_404(dispute_meetings(committee), pk=_pk(pk))


def get_entry(user: Viewer, pk: object) -> AgendaCase:
    """A case on a meeting's agenda, for those who may read the case (404 otherwise)."""
    return get_object_or_404(
        AgendaCase.objects.filter(case__in=readable_cases(user)).select_related(
            "meeting__community", "case"
        ),
        pk=_pk(pk),
    )


def case_meetings(case: Case) -> list[AgendaCase]:
    return list(
        AgendaCase.objects.filter(case=case)
        .select_related("meeting")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=CaseDecision.objects.select_related("resolution__follow_through__owner"),
            )
        )
        .order_by("meeting__starts_at", "id")
    )


# --------------------------------------------------------------------------- awards


def award_rows(user: Viewer, year: int | None = None) -> QuerySet[Award]:
    """Awards proposed at places where the viewer holds MEDIATION_AWARD (their street, or the
    district and its streets)."""
    rows = access.scoped(Award.objects.all(), user, Action.MEDIATION_AWARD, "place_path")
    if year is not None:
        rows = rows.filter(year=year)
    return rows.select_related("place", "proposed_by", "decided_by", "paid_by", "case")


def get_award(user: Viewer, pk: object) -> Award:
    return get_object_or_404(award_rows(user), pk=_pk(pk))


def award_communities(user: Viewer) -> QuerySet[Place]:
    """The communities in the viewer's award area (their caps are shown)."""
    rows = Place.objects.filter(kind=PlaceKind.COMMUNITY)
    return access.scoped(rows, user, Action.MEDIATION_AWARD, "path").order_by("path")


def award_mediators(user: Viewer) -> QuerySet[Mediator]:
    rows = access.scoped(Mediator.objects.all(), user, Action.MEDIATION_AWARD, "place_path")
    return rows.filter(is_active=True).select_related("committee").order_by("place_path", "name")


def award_advisers(user: Viewer) -> QuerySet[LegalAdviser]:
    rows = access.scoped(LegalAdviser.objects.all(), user, Action.MEDIATION_AWARD, "place_path")
    return rows.select_related("community").order_by("place_path")


def award_cases(user: Viewer) -> QuerySet[Case]:
    """Cases in the viewer's area in which an agreement was reached (exemplary cases)."""
    rows = access.scoped(Case.objects.all(), user, Action.MEDIATION_AWARD, "place_path")
    return rows.filter(state__in=AWARDABLE_CASE_STATES).order_by("-opened_at", "-id")


# --------------------------------------------------------------------------- online legal services


def _question_q(user: Viewer) -> Q:
    """The questions the viewer answers: as the adviser's login, or as the community's
    mediation staff."""
    return Q(adviser__user=user) | access.scope_q(user, MANAGE, "place_path")


def my_questions(user: Viewer) -> QuerySet[LegalQuestion]:
    if not isinstance(user, User):
        return LegalQuestion.objects.none()
    return (
        LegalQuestion.objects.filter(asker=user)
        .select_related("adviser", "answered_by")
        .order_by("-asked_at", "-id")
    )


def answerable_questions(user: Viewer) -> QuerySet[LegalQuestion]:
    """The questions to answer, unanswered first (oldest first), then the answered ones."""
    if not getattr(user, "is_authenticated", False):
        return LegalQuestion.objects.none()
    return (
        LegalQuestion.objects.filter(_question_q(user))
        .annotate(
            done=CaseWhen(
                When(answered_at__isnull=True, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
        .select_related("community", "adviser", "answered_by")
        .order_by("done", "asked_at", "id")
    )


def is_answerer(user: Viewer) -> bool:
    """Whether the viewer answers questions: an adviser's login or community mediation staff."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return access.has_any(user, MANAGE) or LegalAdviser.objects.filter(user=user).exists()


def get_question(user: Viewer, pk: object) -> LegalQuestion:
    """A question the viewer may read (asker, adviser's login, the community's mediation staff);
    404 for anyone else."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    rows = LegalQuestion.objects.filter(Q(asker=user) | _question_q(user))
    return get_object_or_404(rows.select_related("adviser", "answered_by", "community"), pk=_pk(pk))


def community_adviser(community: Place | None) -> LegalAdviser | None:
    """A community's legal adviser, shown to its residents (name, firm, office hours)."""
    return LegalAdviser.objects.filter(community=community).first() if community else None
