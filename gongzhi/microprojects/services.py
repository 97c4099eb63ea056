"""Every write to micro-projects: one transaction each, the right checked through the access
module, an audit record written. Refusals raise Http404 / PermissionDenied / ValidationError
(translated, saying what to do) and write nothing.

Selection (`select_projects`, pure): feasible projects with at least one vote, sorted by votes
(most first), then lower cost, then earlier proposal, then id; each is taken when its cost fits
what is left of the budget, otherwise skipped with "cost X > remaining Y" — and the next,
cheaper ones are still tried. `select_equal_shares` runs the Method of Equal Shares
(equal_shares.py). `select` computes both; the round's `method`, chosen before voting opens,
decides which is binding. Budget, method and votes per resident are frozen once voting opens
(`set_rules` refuses).

Budget (`profile_budget`): the policy document's yearly budget — the county key for a community
whose area class is "county" when the document sets one, else the general key. When the
document sets none, staff enter the round's budget; no other document's figure is borrowed.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from gongzhi.core import access, audit, clock, photos, profiles
from gongzhi.core.models import User
from gongzhi.core.roles import Action
from gongzhi.core.types import Viewer
from gongzhi.microprojects import equal_shares
from gongzhi.microprojects.models import (
    BudgetSource,
    CostItem,
    Method,
    Phase,
    Photo,
    Progress,
    Project,
    Review,
    Round,
    Selection,
    Spending,
    Support,
)
from gongzhi.organisations import selectors as org_selectors
from gongzhi.organisations.models import Organisation
from gongzhi.people.selectors import resident_of
from gongzhi.places.models import Place, PlaceKind

BUDGET_KEY = "microprojects.yearly_budget_yuan"
COUNTY_BUDGET_KEY = "microprojects.county_yearly_budget_yuan"
TITLE_MAX = 120
TEXT_MAX = 2000
PHOTO_MAX_BYTES = 8 * 1024 * 1024


def _money(value: object, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError, AttributeError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 12000.")}) from None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("10000000000"):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 12000.")})
    return amount


def _manage(user: User, path: str) -> access.Grant:
    """The staff right on a round or project: 403 for those who see it (residents of the
    community, staff browsing the area), 404 for everyone else."""
    if not access.can(user, Action.MICROPROJECT_MANAGE, path) and access.can(
        user, Action.DELIBERATION_JOIN, path
    ):
        raise PermissionDenied
    return access.require(user, Action.MICROPROJECT_MANAGE, path)


@dataclass(frozen=True)
class ProfileBudget:
    """The yearly budget a community's policy document sets, and where it comes from."""

    amount: Decimal | None  # None: not set by this document (no platform default)
    key: str  # the profile key read
    profile: profiles.Profile | None  # None when no profile applies


def profile_budget(community: Place) -> ProfileBudget:
    """The budget per the policy-profile contract: the county key for a community whose
    `area_class` is "county" when the document sets it, else the general key. Nothing is
    borrowed from another document: unset is None."""
    return _budget_from(community, profiles.effective_profile(community))


def profile_budgets(communities: Iterable[Place]) -> dict[int, ProfileBudget]:
    """`profile_budget` for many communities with one query (the profile setters)."""
    communities = list(communities)
    setters = profiles.profile_setters(communities)
    loaded: dict[str, profiles.Profile] = {}
    result: dict[int, ProfileBudget] = {}
    for community in communities:
        setter = setters.get(community.pk)
        profile = None
        if setter is not None:
            name = setter.policy_profile
            if name not in loaded:
                loaded[name] = profiles.current(name)
            profile = loaded[name]
        result[community.pk] = _budget_from(community, profile)
    return result


def _budget_from(community: Place, profile: profiles.Profile | None) -> ProfileBudget:
    key = BUDGET_KEY
    value = None
    if profile is not None and profile.ok:
        if (
            getattr(community, "area_class", "") == "county"
            and COUNTY_BUDGET_KEY in profiles.SCHEMA
        ):
            value = profile.get(COUNTY_BUDGET_KEY)
            if value is not None:
                key = COUNTY_BUDGET_KEY
        if value is None:
            value = profile.get(BUDGET_KEY)
    amount = None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
    return ProfileBudget(amount, key, profile)


def budget_for(community: Place) -> Decimal | None:
    """The yearly budget from the community's policy profile, or None (not set by this
    document: staff enter the round's budget themselves)."""
    return profile_budget(community).amount


# The round's budget is booked against the community's benefit-project funding line of the year
# (issue 16 item 7, docs/funds.md). The funds app imports micro-projects, so it installs the
# booking here (funds.apps: `set_round_budget_hook`) instead of being imported. The hook is called
# inside the round's transaction with the round (saved, with its new budget) and the actor, on
# opening and whenever the rules change the budget; it books what the line does not yet carry
# for the round and returns whether the round is booked on a line (False: the community has no
# benefit-project line for the year). It raises PermissionDenied / ValidationError to refuse —
# then nothing is written. Without a hook nothing is booked.
RoundBudgetHook = Callable[[Round, User], bool]
_round_budget_hook: RoundBudgetHook | None = None


def set_round_budget_hook(hook: RoundBudgetHook | None) -> None:
    global _round_budget_hook
    _round_budget_hook = hook


def _book_budget(rnd: Round, actor: User) -> bool:
    if _round_budget_hook is None:
        return rnd.budget_booked
    return _round_budget_hook(rnd, actor)


def _community_of(user: Viewer) -> Place | None:
    resident = resident_of(user)
    if resident is None or not resident.place_path:
        return None
    parts = resident.place_path.strip("/").split("/")
    path = "/".join(parts[: access.COMMUNITY_DEPTH + 1]) + "/"
    return Place.objects.filter(path=path).first()


# --------------------------------------------------------------------------- rounds


def _max_votes(value: object) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            {"max_votes": _("Enter the votes per resident as a whole number.")}
        ) from None
    if number < 1:
        raise ValidationError({"max_votes": _("Votes per resident must be at least 1.")})
    return number


def _method(value: str | None) -> str:
    value = value or Method.GREEDY
    if value not in Method.values:
        raise ValidationError(
            {"method": _("Choose greedy selection or the Method of Equal Shares.")}
        )
    return value


def open_round(
    community: Place,
    year: int,
    max_votes: int | None = None,
    *,
    actor: User,
    budget: object = None,
    method: str = Method.GREEDY,
) -> Round:
    """Open a community's yearly round. The budget is the policy profile's; when the document
    sets none, staff enter it (`budget`) — nothing is borrowed from another document."""
    if community.kind != PlaceKind.COMMUNITY:
        raise ValidationError(_("Micro-project rounds belong to a community."))
    _manage(actor, community.path)  # a role that may not open rounds is refused before the input
    max_votes = _max_votes(max_votes)
    method = _method(method)
    from_profile = budget_for(community)
    if from_profile is not None:
        amount, source = from_profile, BudgetSource.PROFILE
    elif budget in (None, ""):
        raise ValidationError(
            {
                "budget": _(
                    "The community's policy document does not set a micro-project budget "
                    "(not set by this document): enter this round's budget in yuan."
                )
            }
        )
    else:
        amount, source = _money(budget, "budget"), BudgetSource.ENTERED
    with transaction.atomic():
        grant = _manage(actor, community.path)
        if Round.objects.filter(community=community, year=year).exists():
            raise ValidationError(
                _("This community already has a round for %(year)s.") % {"year": year}
            )
        rnd = Round.objects.create(
            community=community,
            place_path=community.path,
            year=year,
            budget_yuan=amount,
            budget_source=source,
            method=method,
            max_votes=max_votes,
        )
        if _book_budget(rnd, actor):
            rnd.budget_booked = True
            rnd.save(update_fields=["budget_booked"])
        audit.record(
            actor=actor,
            action="microprojects.round_open",
            target=rnd,
            place_path=community.path,
            changes={
                "year": year,
                "budget_yuan": str(rnd.budget_yuan),
                "budget_source": source,
                "budget_booked": rnd.budget_booked,
                "method": method,
                "max_votes": max_votes,
            },
            post=grant.post,
        )
    return rnd


def set_rules(
    rnd: Round,
    *,
    actor: User,
    budget: object = None,
    method: str | None = None,
    max_votes: object = "keep",
) -> Round:
    """Change a round's budget, selection method or votes per resident — only before voting
    opens. `max_votes="keep"` leaves the cap as it is; None or "" removes it."""
    _manage(actor, rnd.place_path)  # a role that may not manage is refused before the input
    new_budget = _money(budget, "budget") if budget not in (None, "") else None
    new_method = _method(method) if method else None
    keep_max = max_votes == "keep"
    new_max = None if keep_max else _max_votes(max_votes)
    with transaction.atomic():
        grant = _manage(actor, rnd.place_path)
        rnd = _lock_round(rnd)
        if rnd.phase != Phase.PROPOSING:
            raise ValidationError(
                _(
                    "The rules of this round (budget, selection method, votes per resident) were "
                    "frozen when voting opened and can no longer be changed."
                )
            )
        before = {
            "budget_yuan": str(rnd.budget_yuan),
            "method": rnd.method,
            "max_votes": rnd.max_votes,
        }
        if new_budget is not None and new_budget != rnd.budget_yuan:
            rnd.budget_yuan, rnd.budget_source = new_budget, BudgetSource.ENTERED
            rnd.save(update_fields=["budget_yuan", "budget_source"])
            rnd.budget_booked = _book_budget(rnd, actor)
        if new_method is not None:
            rnd.method = new_method
        if not keep_max:
            rnd.max_votes = new_max
        rnd.save(
            update_fields=["budget_yuan", "budget_source", "budget_booked", "method", "max_votes"]
        )
        after = {
            "budget_yuan": str(rnd.budget_yuan),
            "method": rnd.method,
            "max_votes": rnd.max_votes,
        }
        audit.record(
            actor=actor,
            action="microprojects.rules",
            target=rnd,
            place_path=rnd.place_path,
            changes={k: [before[k], after[k]] for k in before if before[k] != after[k]},
            post=grant.post,
        )
    return rnd


def _lock_round(rnd: Round) -> Round:
    return Round.objects.select_for_update().get(pk=rnd.pk)


def start_voting(rnd: Round, *, actor: User) -> Round:
    with transaction.atomic():
        grant = _manage(actor, rnd.place_path)
        rnd = _lock_round(rnd)
        if rnd.phase != Phase.PROPOSING:
            raise ValidationError(_("Voting has already started in this round."))
        if Project.objects.filter(round=rnd, review=Review.PENDING).exists():
            raise ValidationError(_("Review every proposal before voting starts."))
        rnd.phase = Phase.VOTING
        rnd.save(update_fields=["phase"])
        audit.record(
            actor=actor,
            action="microprojects.voting_start",
            target=rnd,
            place_path=rnd.place_path,
            changes={"phase": Phase.VOTING},
            post=grant.post,
        )
    return rnd


# --------------------------------------------------------------------------- proposals


def propose(
    rnd: Round, *, actor: User, title: str, description: str, items: list[tuple[str, object]]
) -> Project:
    """A resident proposes a project with its cost items (name, amount)."""
    title, description = (title or "").strip(), (description or "").strip()
    errors: dict[str, str] = {}
    if not title or len(title) > TITLE_MAX:
        errors["title"] = _("Enter a title of at most %(n)s characters.") % {"n": TITLE_MAX}
    if not description or len(description) > TEXT_MAX:
        errors["description"] = _("Describe the project (at most %(n)s characters).") % {
            "n": TEXT_MAX
        }
    clean_items: list[tuple[str, Decimal]] = []
    for name, amount in items:
        name = (name or "").strip()
        if not name and not str(amount or "").strip():
            continue
        if not name:
            errors["items"] = _("Give each cost item a name.")
            continue
        try:
            clean_items.append((name[:120], _money(amount, "items")))
        except ValidationError:
            errors["items"] = _("Each cost item needs an amount in yuan, e.g. 12000.")
    if not clean_items and "items" not in errors:
        errors["items"] = _("List at least one cost item with its amount.")
    if errors:
        raise ValidationError(errors)
    total = sum((amount for _name, amount in clean_items), Decimal(0))
    with transaction.atomic():
        access.require(actor, Action.DELIBERATION_JOIN, rnd.place_path)
        rnd = _lock_round(rnd)
        if rnd.phase != Phase.PROPOSING:
            raise ValidationError(_("Proposals for this round are closed."))
        resident = resident_of(actor)
        project = Project.objects.create(
            round=rnd,
            place_path=rnd.place_path,
            title=title,
            description=description,
            proposer=resident,
            proposer_name=(resident.name if resident else str(actor))[:64],
            proposed_cost=total,
            cost=total,
        )
        CostItem.objects.bulk_create(
            CostItem(project=project, name=n, amount=a) for n, a in clean_items
        )
        audit.record(
            actor=actor,
            action="microprojects.propose",
            target=project,
            place_path=rnd.place_path,
            changes={"title": title, "cost": str(total)},
        )
    return project


def review(
    project: Project, *, actor: User, feasible: bool, reason: str, cost: object = None
) -> Project:
    reason = (reason or "").strip()
    if not feasible and not reason:
        raise ValidationError({"reason": _("Say why the project is not feasible.")})
    if len(reason) > 500:
        raise ValidationError(
            {"reason": _("The note is too long (at most %(n)s characters).") % {"n": 500}}
        )
    new_cost = _money(cost, "cost") if cost not in (None, "") else None
    with transaction.atomic():
        grant = _manage(actor, project.place_path)
        rnd = _lock_round(project.round)
        if rnd.phase != Phase.PROPOSING:
            raise ValidationError(_("Reviews are closed once voting has started."))
        project = Project.objects.select_for_update().get(pk=project.pk)
        before = {"review": project.review, "cost": str(project.cost)}
        project.review = Review.FEASIBLE if feasible else Review.NOT_FEASIBLE
        project.review_reason = reason
        if new_cost is not None:
            project.cost = new_cost
        project.save(update_fields=["review", "review_reason", "cost"])
        audit.record(
            actor=actor,
            action="microprojects.review",
            target=project,
            place_path=project.place_path,
            changes={
                "review": [before["review"], project.review],
                "cost": [before["cost"], str(project.cost)],
                "reason": reason,
            },
            post=grant.post,
        )
    return project


# --------------------------------------------------------------------------- votes


def support(project: Project, *, actor: User) -> Support:
    """A resident votes for a feasible project (once per project; at most `max_votes` in the
    round when the round sets a cap)."""
    with transaction.atomic():
        access.require(actor, Action.DELIBERATION_JOIN, project.place_path)
        rnd = _lock_round(project.round)
        project = Project.objects.get(pk=project.pk)
        if rnd.phase != Phase.VOTING:
            raise ValidationError(_("Voting is not open in this round."))
        if project.review != Review.FEASIBLE:
            raise ValidationError(_("Only projects found feasible can be voted for."))
        resident = resident_of(actor)
        if resident is None or not resident.place_path.startswith(rnd.place_path):
            raise ValidationError(
                _(
                    "Only residents registered in this community can vote. Ask your community "
                    "office to link your account to the registry."
                )
            )
        mine = Support.objects.filter(round=rnd, resident=resident)
        if mine.filter(project=project).exists():
            raise ValidationError(_("You have already voted for this project."))
        if rnd.max_votes is not None and mine.count() >= rnd.max_votes:
            raise ValidationError(
                _("You have used all %(n)s of your votes in this round.") % {"n": rnd.max_votes}
            )
        try:
            with transaction.atomic():
                vote = Support.objects.create(round=rnd, project=project, resident=resident)
        except IntegrityError:
            raise ValidationError(_("You have already voted for this project.")) from None
        Project.objects.filter(pk=project.pk).update(votes=F("votes") + 1)
        audit.record(
            actor=actor,
            action="microprojects.vote",
            target=project,
            place_path=project.place_path,
            changes={"project": project.pk},
        )
    return vote


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class Candidate:
    key: object
    votes: int
    cost: Decimal
    order: object  # when proposed (earlier first)


@dataclass(frozen=True)
class Decision:
    key: object
    rank: int
    selection: str
    remaining_before: Decimal


def select_projects(budget: Decimal, candidates: list[Candidate]) -> list[Decision]:
    """Fill the budget in vote order; skip (and record) what no longer fits."""
    remaining = budget
    out = []
    ranked = sorted(candidates, key=lambda c: (-c.votes, c.cost, c.order, str(c.key)))
    for rank, c in enumerate(ranked, start=1):
        if c.votes <= 0:
            out.append(Decision(c.key, rank, Selection.NO_VOTES, remaining))
        elif c.cost <= remaining:
            out.append(Decision(c.key, rank, Selection.SELECTED, remaining))
            remaining -= c.cost
        else:
            out.append(Decision(c.key, rank, Selection.SKIPPED, remaining))
    return out


def select_equal_shares(
    budget: Decimal, candidates: list[Candidate], ballots: Mapping[Hashable, Iterable[Hashable]]
) -> tuple[list[Decision], dict[Hashable, str]]:
    """The Method of Equal Shares (gongzhi.microprojects.equal_shares) as decisions: the funded
    projects in the order they were funded, then the others in vote order; and each funded
    project's stage (equal shares or greedy completion)."""
    outcome = equal_shares.equal_shares(
        budget,
        {c.key: c.cost for c in candidates},
        ballots,
        {c.key: (c.order, str(c.key)) for c in candidates},
    )
    by_key = {c.key: c for c in candidates}
    out: list[Decision] = []
    remaining = budget
    for rank, key in enumerate(outcome.winners, start=1):
        out.append(Decision(key, rank, Selection.SELECTED, remaining))
        remaining -= by_key[key].cost
    others = sorted(
        (c for c in candidates if c.key not in outcome.selected),
        key=lambda c: (-c.votes, c.cost, c.order, str(c.key)),
    )
    for rank, c in enumerate(others, start=len(out) + 1):
        selection = Selection.NO_VOTES if c.votes <= 0 else Selection.NOT_FUNDED
        out.append(Decision(c.key, rank, selection, remaining))
    return out, outcome.stage


def select(rnd: Round, *, actor: User) -> list[Decision]:
    """Close the vote: both the greedy and the equal-shares outcome are computed and kept (the
    results page shows them side by side); the round's method decides which one is binding."""
    with transaction.atomic():
        grant = _manage(actor, rnd.place_path)
        rnd = _lock_round(rnd)
        if rnd.phase != Phase.VOTING:
            raise ValidationError(_("Selection follows the vote: start voting first."))
        projects = {p.pk: p for p in Project.objects.filter(round=rnd, review=Review.FEASIBLE)}
        candidates = [Candidate(p.pk, p.votes, p.cost, p.created_at) for p in projects.values()]
        ballots: dict[Hashable, set[Hashable]] = {}
        for resident_id, project_id in Support.objects.filter(
            round=rnd, project_id__in=projects
        ).values_list("resident_id", "project_id"):
            ballots.setdefault(resident_id, set()).add(project_id)
        greedy = select_projects(rnd.budget_yuan, candidates)
        mes, stages = select_equal_shares(rnd.budget_yuan, candidates, ballots)
        greedy_won = {d.key for d in greedy if d.selection == Selection.SELECTED}
        mes_won = {d.key for d in mes if d.selection == Selection.SELECTED}
        decisions = mes if rnd.method == Method.EQUAL_SHARES else greedy
        for d in decisions:
            Project.objects.filter(pk=cast(int, d.key)).update(  # keys are project ids
                selection=d.selection,
                selection_rank=d.rank,
                remaining_before=d.remaining_before,
                greedy_selected=d.key in greedy_won,
                mes_selected=d.key in mes_won,
                mes_stage=stages.get(d.key, ""),
            )
        rnd.phase = Phase.SELECTED
        rnd.selected_at = clock.now()
        rnd.save(update_fields=["phase", "selected_at"])
        audit.record(
            actor=actor,
            action="microprojects.select",
            target=rnd,
            place_path=rnd.place_path,
            changes={
                "method": rnd.method,
                "selected": [d.key for d in decisions if d.selection == Selection.SELECTED],
                "skipped": [d.key for d in decisions if d.selection == Selection.SKIPPED],
                "greedy": sorted(greedy_won),
                "equal_shares": sorted(mes_won),
            },
            post=grant.post,
        )
    return decisions


# --------------------------------------------------------------------------- implementation


def _selected(project: Project) -> None:
    if project.selection != Selection.SELECTED:
        raise ValidationError(_("Only selected projects are implemented."))


# A payee barred from public projects (000 §五: a property company black-listed years running) is
# known to the estates app beside this one: it installs this check in EstatesConfig.ready()
# (payee text, the project's place path) -> the refusal, or None. Without it no payee is barred.
PayeeCheck = Callable[[str, str], str | None]
_payee_check: PayeeCheck | None = None


def set_payee_check(check: PayeeCheck | None) -> None:
    global _payee_check
    _payee_check = check


def add_spending(
    project: Project,
    *,
    actor: User,
    amount: object,
    item: str,
    payee: str = "",
    paid_on: dt.date | None,
    note: str = "",
    organisation: Organisation | None = None,
) -> Spending:
    """One payment of a selected project: what it paid for, to whom, when, how much. Shown
    entry by entry on the public page. The payee is a social organisation picked on the
    register (`organisation`, issue 16 item 1) or — a company, a person — a typed name; a
    typed name that is a registered organisation's of the community or its street is refused
    (pick it instead)."""
    _manage(actor, project.place_path)  # a role that may not spend is refused before the input
    payee = (payee or "").strip()
    item = (item or "").strip()
    errors: dict[str, Any] = {}
    try:
        value = _money(amount, "amount")
    except ValidationError as error:
        value = Decimal(0)  # refused below
        errors.update(error.message_dict)
    if not item:
        errors["item"] = _("Enter what was paid for, e.g. materials or labour.")
    if organisation is not None:
        if payee:
            errors["payee"] = _(
                "Choose the social organisation or type the payee — one of the two."
            )
        else:
            try:
                org_selectors.check_choice(actor, organisation, project.place_path, "payee")
                payee = organisation.name
            except ValidationError as error:
                errors.update(error.message_dict)
    elif not payee:
        errors["payee"] = _("Enter who was paid.")
    elif org_selectors.named_like(payee, project.place_path):
        errors["payee"] = _(
            "%(name)s is a social organisation on the register: choose it in the list instead "
            "of typing its name."
        ) % {"name": payee}
    if (
        "payee" not in errors
        and _payee_check is not None
        and (refusal := _payee_check(payee, project.place_path))
    ):
        errors["payee"] = refusal
    if not paid_on:
        errors["paid_on"] = _("Enter the date of the payment.")
    if errors:
        raise ValidationError(errors)
    assert paid_on is not None  # refused above
    with transaction.atomic():
        grant = _manage(actor, project.place_path)
        project = Project.objects.select_for_update().get(pk=project.pk)
        _selected(project)
        entry = Spending.objects.create(
            project=project,
            amount=value,
            item=item[:120],
            payee=payee[:120],
            organisation=organisation,
            paid_on=paid_on,
            note=(note or "").strip()[:300],
            entered_by=actor,
        )
        if project.progress == Progress.NOT_STARTED:
            project.progress = Progress.IN_PROGRESS
            project.save(update_fields=["progress"])
        audit.record(
            actor=actor,
            action="microprojects.spend",
            target=project,
            place_path=project.place_path,
            changes={
                "amount": str(value),
                "item": item,
                "payee": payee,
                "organisation": organisation.pk if organisation is not None else None,
            },
            post=grant.post,
        )
    return entry


def spent(project: Project) -> Decimal:
    total = project.spending.aggregate(s=Sum("amount"))["s"] or 0
    return Decimal(str(total)).quantize(Decimal("0.01"))  # SQLite's SUM drops the scale


def overspent(project: Project) -> Decimal:
    """How much the spending exceeds the approved cost (0 when within it)."""
    return max(spent(project) - project.cost, Decimal(0))


def complete(project: Project, *, actor: User, note: str) -> Project:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Describe what was done.")})
    with transaction.atomic():
        grant = _manage(actor, project.place_path)
        project = Project.objects.select_for_update().get(pk=project.pk)
        _selected(project)
        if project.progress == Progress.COMPLETED:
            raise ValidationError(_("This project is already completed."))
        project.progress = Progress.COMPLETED
        project.completed_at = clock.today()
        project.completion_note = note[:500]
        project.save(update_fields=["progress", "completed_at", "completion_note"])
        audit.record(
            actor=actor,
            action="microprojects.complete",
            target=project,
            place_path=project.place_path,
            changes={"spent": str(spent(project)), "cost": str(project.cost)},
            post=grant.post,
        )
    return project


def clean_image(data: bytes) -> tuple[bytes, int, int]:
    """Check that `data` is a photo, and re-encode it as JPEG without EXIF (location, device),
    the way ticket photos are (gongzhi.core.photos)."""
    if len(data) > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is too large (at most 8 MB).")})
    try:
        prepared = photos.prepare_one(ContentFile(data))
    except ValidationError as error:
        raise ValidationError({"photo": error.messages}) from None
    return prepared.content, prepared.width, prepared.height


def add_photo(
    project: Project,
    data: bytes,
    caption: str = "",
    spending: Spending | None = None,
    *,
    actor: User,
) -> Photo:
    """A photo of the work, or — with `spending` — the receipt of one spending entry. Both are
    part of the public disclosure."""
    content, width, height = clean_image(data)
    with transaction.atomic():
        grant = _manage(actor, project.place_path)
        project = Project.objects.get(pk=project.pk)
        _selected(project)
        if spending is not None and spending.project_id != project.pk:
            raise ValidationError({"spending": _("Choose a spending entry of this project.")})
        photo = Photo(
            project=project,
            spending=spending,
            caption=(caption or "").strip()[:120],
            width=width,
            height=height,
            uploaded_by=actor,
        )
        photo.file.save(f"{secrets.token_hex(12)}.jpg", ContentFile(content), save=False)
        photo.save()
        audit.record(
            actor=actor,
            action="microprojects.photo",
            target=project,
            place_path=project.place_path,
            changes={
                "photo": photo.file.name,
                "receipt_of": spending.pk if spending is not None else None,
            },
            post=grant.post,
        )
    return photo
