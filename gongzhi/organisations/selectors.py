"""Reads of social organisations for a viewer, narrowed in the query (ORG_VIEW on the row's
place path); an organisation's contact reads its own applications; the public results page of a
venture-philanthropy round needs no login and shows only what is published."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from gongzhi.core import access, profiles
from gongzhi.core.gates import roles_with
from gongzhi.core.models import Post, User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.organisations import rules
from gongzhi.organisations.models import (
    LIVE_STAGES,
    ExpertScore,
    Incubation,
    Incubator,
    Milestone,
    Organisation,
    OrgContact,
    OrgStatus,
    RoundExpert,
    RoundStatus,
    SubsidyApplication,
    SubsidyBudget,
    VentureApplication,
    VentureRound,
    VentureStatus,
)
from gongzhi.party.models import PartyOrg
from gongzhi.places.models import Place, PlaceKind

VIEW = Action.ORG_VIEW
TOP_RATINGS = ("4", "5")


def _pk(pk: object) -> int:
    text = str(pk)
    return int(text) if text.isdigit() and len(text) < 10 else 0


def _scoped(qs: QuerySet, user: Viewer) -> QuerySet:
    return access.scoped(qs, user, VIEW, path_field="place_path")


# --------------------------------------------------------------------------- registry


def org_rows(
    user: Viewer, *, q: str = "", kind: str = "", status: str = ""
) -> QuerySet[Organisation]:
    qs = _scoped(Organisation.objects.select_related("place", "party_org"), user)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__iexact=q))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("place_path", "name", "id")


def get_org(user: Viewer, pk: object) -> Organisation:
    return get_object_or_404(org_rows(user), pk=_pk(pk))


def documents_of(org: Organisation) -> list:
    return list(org.documents.all())


def contacts_of(org: Organisation) -> list[OrgContact]:
    return list(org.contacts.select_related("user"))


def register_places(user: Viewer) -> QuerySet[Place]:
    """Communities and streets where the viewer may register an organisation."""
    return access.scoped(
        Place.objects.filter(kind__in=[PlaceKind.STREET, PlaceKind.COMMUNITY]),
        user,
        Action.ORG_MANAGE,
    ).order_by("path")


def party_orgs_for(user: Viewer, org: Organisation) -> QuerySet[PartyOrg]:
    """Party organisations of the organisation's area the viewer may choose."""
    return access.scoped(
        PartyOrg.objects.filter(place_path__under=org.place_path)
        | PartyOrg.objects.filter(place_path__in=_ancestors(org.place_path)),
        user,
        Action.PARTY_VIEW,
        "place_path",
    ).order_by("place_path", "name")


def contact_candidates(org: Organisation) -> QuerySet[User]:
    """Logins whose posts may act for an organisation where it serves (partner contacts)."""
    return User.objects.filter(
        Exists(
            Post.objects.filter(
                user=OuterRef("pk"),
                is_active=True,
                role__in=roles_with(Action.ORG_APPLY),
                place__path__in=_ancestors(org.place_path),
            )
        )
    ).order_by("name")


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


# --------------------------------------------------------------------------- picking one
# Activities, partner units and micro-project payees pick a registered organisation instead of
# a typed name (issue 16 item 1). Those apps call these; this app imports none of them.


def _near(path: str) -> Q:
    """Organisations serving `path`'s community or its street, or — for a street — one of its
    communities (depth 1 is a street, 2 a community)."""
    ancestors = _ancestors(path)
    return Q(place_path__in=ancestors[1:3]) | Q(place_path__under=path)


def choosable(user: Viewer, path: str | None = None) -> QuerySet[Organisation]:
    """Organisations a form offers to pick: on the register and not dissolved, that the viewer
    reads (ORG_VIEW) — those of the viewer's area and of the street above it. With `path`,
    only those serving that place's community or its street."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    grants = access.grants(user, VIEW)
    if any(g.everything for g in grants):
        rows = Organisation.objects.all()
    else:
        cond = Q()
        for grant in grants:
            if grant.path:
                cond |= _near(grant.path)
        if not cond:
            return Organisation.objects.none()
        rows = Organisation.objects.filter(cond)
    rows = rows.exclude(status=OrgStatus.DISSOLVED)
    if path is not None:
        rows = rows.filter(_near(path))
    return rows.order_by("place_path", "name", "id")


def check_choice(user: Viewer, org: Organisation, path: str, field: str) -> Organisation:
    """The organisation a writer picked for something at `path`, or a refusal on `field`: it
    must be on the register, not dissolved, visible to the user, and serve that place's
    community or its street."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if not choosable(user, path).filter(pk=org.pk).exists():
        raise ValidationError(
            {
                field: _(
                    "Choose a social organisation on the register (not dissolved) that serves "
                    "this community or its street."
                )
            }
        )
    return org


def named_like(name: str, path: str) -> bool:
    """A typed name that is exactly the name of a registered organisation serving `path`'s
    community or its street (then it must be picked, not typed)."""
    name = (name or "").strip()
    if not name:
        return False
    return Organisation.objects.filter(_near(path), name=name).exists()


def my_orgs(user: Viewer) -> QuerySet[Organisation]:
    """The organisations the viewer is a contact of (and may still see)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return org_rows(user).filter(contacts__user=user)


# --------------------------------------------------------------------------- incubation


def incubators(user: Viewer) -> QuerySet[Incubator]:
    return _scoped(
        Incubator.objects.select_related("place", "operator").annotate(
            live=Count("cohort", filter=Q(cohort__stage__in=LIVE_STAGES)),
            graduated=Count("cohort", filter=Q(cohort__stage="graduated")),
        ),
        user,
    ).order_by("place_path")


def incubator_places(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind__in=[PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.COMMUNITY]),
        user,
        Action.ORG_MANAGE,
    ).order_by("path")


def incubations(user: Viewer, stage: str = "") -> QuerySet[Incubation]:
    qs = _scoped(Incubation.objects.select_related("organisation", "incubator"), user)
    if stage:
        qs = qs.filter(stage=stage)
    return qs.order_by("-applied_on", "-id")


def get_incubation(user: Viewer, pk: object) -> Incubation:
    return get_object_or_404(incubations(user), pk=_pk(pk))


def get_incubator(user: Viewer, pk: object) -> Incubator:
    return get_object_or_404(incubators(user), pk=_pk(pk))


def incubations_of(org: Organisation) -> list[Incubation]:
    return list(org.incubations.select_related("incubator").order_by("-applied_on"))


def pipeline(user: Viewer) -> dict[str, int]:
    """How many incubations are at each stage in the viewer's area (one query)."""
    rows = (
        _scoped(Incubation.objects.all(), user).values("stage").annotate(n=Count("id")).order_by()
    )
    return {row["stage"]: row["n"] for row in rows}


# --------------------------------------------------------------------------- subsidies


def subsidy_rows(user: Viewer, status: str = "") -> QuerySet[SubsidyApplication]:
    """Applications in the viewer's area, and those of the organisations they act for."""
    qs = SubsidyApplication.objects.select_related("organisation", "budget", "decided_by")
    scope = access.scope_q(user, VIEW, "place_path")
    if user.is_authenticated:
        scope |= Q(organisation__contacts__user=user)
    qs = qs.filter(scope).distinct()
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-applied_at", "-id")


def get_subsidy(user: Viewer, pk: object) -> SubsidyApplication:
    return get_object_or_404(subsidy_rows(user), pk=_pk(pk))


@dataclass(frozen=True)
class BudgetRow:
    budget: SubsidyBudget
    committed_fen: int

    @property
    def left_fen(self) -> int:
        return self.budget.amount_fen - self.committed_fen


def budgets(user: Viewer) -> list[BudgetRow]:
    qs = _scoped(
        SubsidyBudget.objects.select_related("place").annotate(
            used=Sum(
                "applications__approved_fen",
                filter=Q(applications__status__in=["approved", "paid"]),
            )
        ),
        user,
    ).order_by("-year", "place_path")
    return [BudgetRow(b, int(b.used or 0)) for b in qs]


def budget_places(user: Viewer) -> QuerySet[Place]:
    return access.scoped(
        Place.objects.filter(kind__in=[PlaceKind.DISTRICT, PlaceKind.STREET]),
        user,
        Action.ORG_FUND,
    ).order_by("path")


# --------------------------------------------------------------------------- venture


def _round_scope(user: Viewer) -> Q:
    """A round is seen inside the area it is held for and from above it: a street's round by
    the street and the district, and by the communities (and their organisations' contacts)
    of the street."""
    q = Q(pk__in=[])
    for grant in access.grants(user, VIEW):
        if grant.everything:
            return Q()
        if grant.path:
            q |= Q(place_path__under=grant.path) | Q(place_path__in=_ancestors(grant.path))
    if user.is_authenticated:
        q |= Q(experts__user=user)
    return q


def rounds(user: Viewer) -> QuerySet[VentureRound]:
    """Rounds of the viewer's area, those held above it, and those they review."""
    qs = VentureRound.objects.select_related("place").annotate(
        n_applications=Count("applications", distinct=True)
    )
    return qs.filter(_round_scope(user)).distinct().order_by("-year", "-id")


def get_round(user: Viewer, pk: object) -> VentureRound:
    return get_object_or_404(rounds(user), pk=_pk(pk))


def round_places(user: Viewer) -> QuerySet[Place]:
    return budget_places(user)


def applications_of(rnd: VentureRound, user: Viewer) -> QuerySet[VentureApplication]:
    """The round's applications with their scores: all of them for the round's experts and
    for staff over the round's whole area; else those of the viewer's area and of the
    organisations they act for."""
    qs = rnd.applications.select_related("organisation").annotate(
        n_scores=Count("scores", distinct=True), mean_score=Avg("scores__score")
    )
    if not (is_expert(rnd, user) or access.can(user, VIEW, rnd.place_path)):
        scope = access.scope_q(user, VIEW, "place_path")
        if user.is_authenticated:
            scope |= Q(organisation__contacts__user=user)
        qs = qs.filter(scope).distinct()
    return qs.order_by("-mean_score", "id")


def my_scores(rnd: VentureRound, user: Viewer) -> dict[int, int]:
    if not user.is_authenticated:
        return {}
    return dict(
        ExpertScore.objects.filter(application__round=rnd, expert=user).values_list(
            "application_id", "score"
        )
    )


def is_expert(rnd: VentureRound, user: Viewer) -> bool:
    return user.is_authenticated and RoundExpert.objects.filter(round=rnd, user=user).exists()


def experts_of(rnd: VentureRound) -> list[RoundExpert]:
    return list(rnd.experts.select_related("user"))


def expert_candidates(rnd: VentureRound) -> QuerySet[User]:
    return User.objects.filter(
        Exists(
            Post.objects.filter(
                user=OuterRef("pk"),
                is_active=True,
                role__in=roles_with(Action.ORG_REVIEW),
            ).filter(
                Q(place__path__in=_ancestors(rnd.place_path))
                | Q(place__path__startswith=rnd.place_path)
            )
        )
    ).order_by("name")


def get_application(user: Viewer, pk: object) -> VentureApplication:
    qs = VentureApplication.objects.select_related("round", "organisation")
    scope = access.scope_q(user, VIEW, "place_path")
    if user.is_authenticated:
        scope |= Q(organisation__contacts__user=user) | Q(round__experts__user=user)
    return get_object_or_404(qs.filter(scope).distinct(), pk=_pk(pk))


def milestones_of(application: VentureApplication) -> list[Milestone]:
    return list(application.milestones.all())


def get_milestone(user: Viewer, pk: object) -> Milestone:
    milestone = get_object_or_404(Milestone.objects.select_related("application"), pk=_pk(pk))
    get_application(user, milestone.application_id)
    return milestone


def public_rounds() -> QuerySet[VentureRound]:
    return (
        VentureRound.objects.filter(status__in=[RoundStatus.AWARDED, RoundStatus.CLOSED])
        .select_related("place")
        .order_by("-year", "-id")
    )


def public_round(pk: object) -> VentureRound:
    return get_object_or_404(public_rounds(), pk=_pk(pk))


def public_winners(rnd: VentureRound) -> QuerySet[VentureApplication]:
    return (
        rnd.applications.filter(status__in=[VentureStatus.AWARDED, VentureStatus.REPORTED])
        .select_related("organisation")
        .annotate(mean_score=Avg("scores__score"))
        .order_by("-award_fen", "id")
    )


# --------------------------------------------------------------------------- compliance


@dataclass(frozen=True)
class CommunityCount:
    community: Place
    active: int
    top_rated: int
    required: int | None
    paragraph: str

    @property
    def top_percent(self) -> str:
        if not self.active:
            return "—"
        return f"{100 * self.top_rated / self.active:.0f}%"

    @property
    def met(self) -> bool | None:
        return None if self.required is None else self.active >= self.required

    @property
    def short_by(self) -> int:
        return max((self.required or 0) - self.active, 0)


def community_counts(user: Viewer) -> list[CommunityCount]:
    """Per community of the viewer's area: active organisations serving it, how many are rated
    4A or above, against the profile's least number (002 §四2: 不少于15个). Three queries
    whatever the number of communities, plus one per distinct profile file."""
    communities = list(
        access.scoped(Place.objects.filter(kind=PlaceKind.COMMUNITY), user, VIEW).order_by("path")
    )
    counts = {
        row["place_id"]: row
        for row in Organisation.objects.filter(place__in=communities)
        .exclude(status=OrgStatus.DISSOLVED)
        .values("place_id")
        .annotate(n=Count("id"), top=Count("id", filter=Q(rating__in=TOP_RATINGS)))
        .order_by()
    }
    setters = profiles.profile_setters(communities)
    loaded: dict[str, profiles.Profile] = {}
    out = []
    for community in communities:
        setter = setters.get(community.pk)
        required, paragraph = None, ""
        if setter is not None:
            name = setter.policy_profile
            if name not in loaded:
                loaded[name] = profiles.current(name)
            profile = loaded[name]
            value = profile.get(rules.MIN_ORGS)
            if value is not None:
                required = int(value)
                paragraph = profile.citations.get(rules.MIN_ORGS, "").split(" (")[0]
        row = counts.get(community.pk)
        active, top = (row["n"], row["top"]) if row is not None else (0, 0)
        out.append(CommunityCount(community, active, top, required, paragraph))
    return out


def without_party_org(user: Viewer) -> QuerySet[Organisation]:
    """Active organisations with no party organisation recorded (listed, 000 §一)."""
    return org_rows(user).filter(party_org__isnull=True).exclude(status=OrgStatus.DISSOLVED)
