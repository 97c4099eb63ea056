"""Pages of social organisations: the register, an organisation, incubation, subsidies, venture
philanthropy (rounds, applications, the public results) and the compliance counts. Thin: forms
parse, selectors read, services write; a refusal comes back as a flash message. A form shows
only to whoever may use it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core import access, clock, gates, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.organisations import forms, rules, selectors, services, workflow
from gongzhi.organisations.models import (
    LIVE_STAGES,
    Organisation,
    OrgKind,
    OrgStatus,
    RoundStatus,
    Stage,
    SubsidyStatus,
    VentureStatus,
)

PAGE_SIZE = 30
VIEW = Action.ORG_VIEW
MANAGE = Action.ORG_MANAGE
FUND = Action.ORG_FUND
APPLY = Action.ORG_APPLY


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --------------------------------------------------------------------------- registry


@login_required
@requires(VIEW)
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    places = selectors.register_places(user)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = forms.RegisterForm(request.POST, choices={"place": places})

        def call(d: dict[str, Any]) -> Organisation:
            return services.register(
                d["place"],
                actor=user,
                name=d["name"],
                kind=d["kind"],
                status=d["status"],
                field=d["field"],
                credit_code=d["credit_code"],
                filed_on=d["filed_on"],
                registered_on=d["registered_on"],
                contact_name=d["contact_name"],
                office_phone=d["office_phone"],
                address=d["address"],
                original_fund_yuan=d["original_fund_yuan"] or None,
                certified_on=d["certified_on"],
            )

        if refusals.act(request, form, call, _("The organisation is on the register.")):
            return redirect("organisations:index")
    q = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    kind = kind if kind in OrgKind.values else ""
    status = status if status in OrgStatus.values else ""
    page = _page(request, selectors.org_rows(user, q=q, kind=kind, status=status))
    manage = access.has_any(user, MANAGE)
    return render(
        request,
        "organisations/index.html",
        {
            "page": page,
            "rows": page.object_list,
            "q": q,
            "kind": kind,
            "status": status,
            "kinds": OrgKind.choices,
            "statuses": OrgStatus.choices,
            "form": forms.RegisterForm(choices={"place": places}) if manage else None,
        },
    )


@login_required
@requires(VIEW)
def organisation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    org = selectors.get_org(user, pk)
    manage = access.can(user, MANAGE, org.place_path)
    context: dict[str, Any] = {
        "org": org,
        "manage": manage,
        "documents": selectors.documents_of(org),
        "contacts": selectors.contacts_of(org),
        "incubations": selectors.incubations_of(org),
        "subsidies": list(org.subsidies.order_by("-applied_at")),
        "ventures": list(org.venture_applications.select_related("round")),
        "filed": OrgStatus.FILED,
        "dissolved": OrgStatus.DISSOLVED,
    }
    if manage:
        context.update(
            registration_form=forms.RegistrationForm(),
            dissolve_form=forms.DissolveForm(),
            rating_form=forms.RatingForm(initial={"rating": org.rating, "rated_on": org.rated_on}),
            party_form=forms.PartyOrgForm(
                choices={"party_org": selectors.party_orgs_for(user, org)},
                initial={"party_org": org.party_org_id},
            ),
            document_form=forms.DocumentForm(),
            contact_form=forms.ContactForm(choices={"user": selectors.contact_candidates(org)}),
        )
    return render(request, "organisations/organisation.html", context)


def _org_action(
    request: AuthenticatedRequest, pk: int, form_class: type, call: Any, done: str
) -> HttpResponse:
    user = request.user
    org = selectors.get_org(user, pk)
    if not access.can(user, MANAGE, org.place_path):
        raise PermissionDenied
    choices: dict[str, Any] = {}
    if form_class is forms.PartyOrgForm:
        choices = {"party_org": selectors.party_orgs_for(user, org)}
    if form_class is forms.ContactForm:
        choices = {"user": selectors.contact_candidates(org)}
    form = form_class(request.POST, choices=choices)
    refusals.act(request, form, lambda d: call(org, user, d), done)
    return redirect("organisations:organisation", org.pk)


@login_required
@require_POST
def registration(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _org_action(
        request,
        pk,
        forms.RegistrationForm,
        lambda o, u, d: services.record_registration(
            o, actor=u, credit_code=d["credit_code"], registered_on=d["registered_on"]
        ),
        _("The registration is recorded."),
    )


@login_required
@require_POST
def dissolve(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _org_action(
        request,
        pk,
        forms.DissolveForm,
        lambda o, u, d: services.dissolve(o, actor=u, on=d["on"], reason=d["reason"]),
        _("The organisation is marked dissolved."),
    )


@login_required
@require_POST
def rating(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _org_action(
        request,
        pk,
        forms.RatingForm,
        lambda o, u, d: services.set_rating(o, actor=u, rating=d["rating"], rated_on=d["rated_on"]),
        _("The rating is recorded."),
    )


@login_required
@require_POST
def party_org(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _org_action(
        request,
        pk,
        forms.PartyOrgForm,
        lambda o, u, d: services.set_party_org(o, actor=u, party_org=d["party_org"]),
        _("The party organisation is recorded."),
    )


@login_required
@require_POST
def document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _org_action(
        request,
        pk,
        forms.DocumentForm,
        lambda o, u, d: services.add_document(
            o,
            actor=u,
            kind=d["kind"],
            title=d["title"],
            reference=d["reference"],
            issued_on=d["issued_on"],
        ),
        _("The document is recorded."),
    )


@login_required
@require_POST
def contact(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _org_action(
        request,
        pk,
        forms.ContactForm,
        lambda o, u, d: services.link_contact(o, actor=u, user=d["user"]),
        _("The login now acts for the organisation."),
    )


# --------------------------------------------------------------------------- incubation


@login_required
@requires(VIEW)
def incubation(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    manage = access.has_any(user, MANAGE)
    incubator_choices = {
        "place": selectors.incubator_places(user),
        "operator": selectors.org_rows(user).exclude(status=OrgStatus.DISSOLVED),
    }
    apply_choices = {
        "organisation": selectors.org_rows(user).exclude(status=OrgStatus.DISSOLVED),
        "incubator": selectors.incubators(user),
    }
    if request.method == "POST":
        gates.check(user, MANAGE)
        if request.POST.get("form") == "incubator":
            form: forms._Form = forms.IncubatorForm(request.POST, choices=incubator_choices)
            refusals.act(
                request,
                form,
                lambda d: services.add_incubator(
                    d["place"],
                    actor=user,
                    name=d["name"],
                    opened_on=d["opened_on"],
                    operator=d["operator"],
                ),
                _("The incubator is recorded."),
            )
        else:
            form = forms.IncubationForm(request.POST, choices=apply_choices)
            refusals.act(
                request,
                form,
                lambda d: services.apply_incubation(
                    d["organisation"], d["incubator"], actor=user, applied_on=d["applied_on"]
                ),
                _("The application for incubation is recorded."),
            )
        return redirect("organisations:incubation")
    stage = request.GET.get("stage", "")
    stage = stage if stage in Stage.values else ""
    page = _page(request, selectors.incubations(user, stage))
    counts = selectors.pipeline(user)
    rows = []
    for inc in page.object_list:
        can_step = manage and access.can(user, MANAGE, inc.place_path)
        rows.append(
            {
                "inc": inc,
                "steps": [workflow.Step(s) for s in workflow.steps_from(inc.stage)]
                if can_step
                else [],
            }
        )
    return render(
        request,
        "organisations/incubation.html",
        {
            "incubators": selectors.incubators(user),
            "pipeline": [(s, counts.get(s.value, 0)) for s in Stage],
            "stage": stage,
            "page": page,
            "rows": rows,
            "today": clock.today(),
            "admit": workflow.Step.ADMIT,
            "incubator_form": forms.IncubatorForm(choices=incubator_choices) if manage else None,
            "apply_form": forms.IncubationForm(
                choices=apply_choices, initial={"applied_on": clock.today()}
            )
            if manage
            else None,
        },
    )


@login_required
@require_POST
def incubation_step(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    inc = selectors.get_incubation(user, pk)
    if not access.can(user, MANAGE, inc.place_path):
        raise PermissionDenied
    form = forms.StepForm(request.POST)
    refusals.act(
        request,
        form,
        lambda d: services.step_incubation(
            inc, d["step"], actor=user, on=d["on"], mentor=d["mentor"], note=d["note"]
        ),
        _("The incubation stage is recorded."),
    )
    return redirect("organisations:incubation")


# --------------------------------------------------------------------------- subsidies


@login_required
@requires(VIEW)
def subsidies(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    mine = selectors.my_orgs(user).exclude(status=OrgStatus.DISSOLVED)
    fund = access.has_any(user, FUND)
    if request.method == "POST":
        if request.POST.get("form") == "budget":
            gates.check(user, FUND)
            form: forms._Form = forms.BudgetForm(
                request.POST, choices={"place": selectors.budget_places(user)}
            )
            refusals.act(
                request,
                form,
                lambda d: services.set_budget(
                    d["place"], d["year"], actor=user, amount_yuan=d["amount_yuan"]
                ),
                _("The budget is recorded."),
            )
        else:
            gates.check(user, APPLY)
            form = forms.SubsidyForm(request.POST, choices={"organisation": mine})
            refusals.act(
                request,
                form,
                lambda d: services.apply_subsidy(
                    d["organisation"],
                    actor=user,
                    rule=d["rule"],
                    year=d["year"],
                    base_yuan=d["base_yuan"] or None,
                ),
                _("The application is in; the amount the rule allows is computed."),
            )
        return redirect("organisations:subsidies")
    status = request.GET.get("status", "")
    status = status if status in SubsidyStatus.values else ""
    page = _page(request, selectors.subsidy_rows(user, status))
    year = clock.today().year
    return render(
        request,
        "organisations/subsidies.html",
        {
            "page": page,
            "rows": page.object_list,
            "status": status,
            "statuses": SubsidyStatus.choices,
            "budgets": selectors.budgets(user),
            "budget_form": forms.BudgetForm(
                choices={"place": selectors.budget_places(user)}, initial={"year": year}
            )
            if fund
            else None,
            "apply_form": forms.SubsidyForm(choices={"organisation": mine}, initial={"year": year})
            if mine.exists()
            else None,
        },
    )


@login_required
@requires(VIEW, APPLY)
def subsidy(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    application = selectors.get_subsidy(user, pk)
    fund = access.can(user, FUND, application.place_path)
    if request.method == "POST":
        if not fund:
            raise PermissionDenied
        if request.POST.get("form") == "pay":
            form: forms._Form = forms.PayForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.pay_subsidy(
                    application, actor=user, paid_on=d["paid_on"], reference=d["reference"]
                ),
                _("The payment is recorded."),
            )
        else:
            form = forms.DecideForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.decide_subsidy(
                    application,
                    actor=user,
                    approve=d["decision"] == "approve",
                    reason=d["reason"],
                    amount_yuan=d["amount_yuan"] or None,
                ),
                _("The decision is recorded."),
            )
        return redirect("organisations:subsidy", application.pk)
    budget = services.budget_for(application.place_path, application.year)
    left = None
    if budget is not None:
        left = budget.amount_fen - services.committed(budget)
    return render(
        request,
        "organisations/subsidy.html",
        {
            "app": application,
            "budget": budget,
            "left": left,
            "decide_form": forms.DecideForm(
                initial={
                    "amount_yuan": rules.fen_to_yuan(application.computed_fen).replace(",", "")
                }
            )
            if fund and application.status == SubsidyStatus.APPLIED
            else None,
            "pay_form": forms.PayForm(initial={"paid_on": clock.today()})
            if fund and application.status == SubsidyStatus.APPROVED
            else None,
        },
    )


# --------------------------------------------------------------------------- venture


@login_required
@requires(VIEW, Action.ORG_REVIEW)
def rounds(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    fund = access.has_any(user, FUND)
    places = selectors.round_places(user)
    if request.method == "POST":
        gates.check(user, FUND)
        form = forms.RoundForm(request.POST, choices={"place": places})
        refusals.act(
            request,
            form,
            lambda d: services.open_round(
                d["place"],
                actor=user,
                year=d["year"],
                title=d["title"],
                call=d["call"],
                budget_yuan=d["budget_yuan"],
                closes_on=d["closes_on"],
                prize_cap_yuan=d["prize_cap_yuan"] or None,
            ),
            _("The round is open for applications."),
        )
        return redirect("organisations:rounds")
    page = _page(request, selectors.rounds(user))
    return render(
        request,
        "organisations/rounds.html",
        {
            "page": page,
            "rows": page.object_list,
            "form": forms.RoundForm(choices={"place": places}, initial={"year": clock.today().year})
            if fund
            else None,
        },
    )


@login_required
@requires(VIEW, Action.ORG_REVIEW)
def round_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    rnd = selectors.get_round(user, pk)
    fund = access.can(user, FUND, rnd.place_path)
    expert = selectors.is_expert(rnd, user)
    mine = (
        selectors.my_orgs(user)
        .filter(place_path__startswith=rnd.place_path)
        .exclude(status=OrgStatus.DISSOLVED)
    )
    if request.method == "POST":
        what = request.POST.get("form", "")
        if what == "apply":
            gates.check(user, APPLY)
            form: forms._Form = forms.VentureForm(request.POST, choices={"organisation": mine})
            refusals.act(
                request,
                form,
                lambda d: services.apply_venture(
                    rnd,
                    d["organisation"],
                    actor=user,
                    title=d["title"],
                    plan=d["plan"],
                    budget_yuan=d["budget_yuan"],
                ),
                _("The project is submitted."),
            )
        elif what == "expert":
            if not fund:
                raise PermissionDenied
            form = forms.ExpertForm(
                request.POST, choices={"user": selectors.expert_candidates(rnd)}
            )
            refusals.act(
                request,
                form,
                lambda d: services.appoint_expert(rnd, d["user"], actor=user),
                _("The expert is appointed."),
            )
        elif what in ("review", "publish", "close"):
            if not fund:
                raise PermissionDenied
            step = {
                "review": services.start_review,
                "publish": services.publish_results,
                "close": services.close_round,
            }[what]
            refusals.act(
                request, forms._Form(request.POST), lambda d: step(rnd, actor=user), _("Done.")
            )
        return redirect("organisations:round", rnd.pk)
    applications = list(selectors.applications_of(rnd, user))
    return render(
        request,
        "organisations/round.html",
        {
            "round": rnd,
            "applications": applications,
            "fund": fund,
            "expert": expert,
            "my_scores": selectors.my_scores(rnd, user),
            "experts": selectors.experts_of(rnd),
            "awarded_fen": services.awarded_total(rnd),
            "left_fen": rnd.budget_fen - services.awarded_total(rnd),
            "call_open": rnd.status == RoundStatus.CALL,
            "in_review": rnd.status == RoundStatus.REVIEW,
            "awarded": rnd.status == RoundStatus.AWARDED,
            "apply_form": forms.VentureForm(choices={"organisation": mine})
            if rnd.status == RoundStatus.CALL and mine.exists()
            else None,
            "expert_form": forms.ExpertForm(choices={"user": selectors.expert_candidates(rnd)})
            if fund and rnd.status == RoundStatus.CALL
            else None,
        },
    )


@login_required
@requires(VIEW, Action.ORG_REVIEW)
def application(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    app = selectors.get_application(user, pk)
    rnd = app.round
    fund = access.can(user, FUND, rnd.place_path)
    expert = selectors.is_expert(rnd, user)
    is_contact = app.organisation.contacts.filter(user=user).exists()
    if request.method == "POST":
        what = request.POST.get("form", "")
        if what == "score":
            if not expert:
                raise PermissionDenied
            form: forms._Form = forms.ScoreForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.score(app, actor=user, value=d["score"], comment=d["comment"]),
                _("The score is recorded."),
            )
        elif what == "award":
            if not fund:
                raise PermissionDenied
            form = forms.AwardForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.award(
                    app, actor=user, amount_yuan=d["amount_yuan"], reason=d["reason"]
                ),
                _("The award is recorded."),
            )
        elif what == "milestone":
            if not is_contact:
                raise PermissionDenied
            form = forms.MilestoneForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.add_milestone(
                    app, actor=user, title=d["title"], due_on=d["due_on"]
                ),
                _("The milestone is recorded."),
            )
        elif what == "done":
            if not is_contact:
                raise PermissionDenied
            milestone = selectors.get_milestone(user, request.POST.get("milestone", ""))
            form = forms.MilestoneDoneForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.complete_milestone(
                    milestone, actor=user, done_on=d["done_on"], evidence=d["evidence"]
                ),
                _("The milestone is done."),
            )
        elif what == "report":
            if not is_contact:
                raise PermissionDenied
            form = forms.ReportForm(request.POST)
            refusals.act(
                request,
                form,
                lambda d: services.final_report(app, actor=user, text=d["text"]),
                _("The final report is in."),
            )
        return redirect("organisations:application", app.pk)
    scored = selectors.my_scores(rnd, user).get(app.pk)
    in_review = rnd.status == RoundStatus.REVIEW
    awarded = app.status == VentureStatus.AWARDED
    see_scores = fund or expert or access.can(user, VIEW, rnd.place_path)
    return render(
        request,
        "organisations/application.html",
        {
            "app": app,
            "round": rnd,
            "scores": list(app.scores.select_related("expert")) if see_scores else [],
            "milestones": selectors.milestones_of(app),
            "score_form": forms.ScoreForm() if expert and in_review and scored is None else None,
            "my_score": scored,
            "award_form": forms.AwardForm()
            if fund and in_review and app.status == VentureStatus.SUBMITTED
            else None,
            "milestone_form": forms.MilestoneForm() if is_contact and awarded else None,
            "done_form": forms.MilestoneDoneForm(initial={"done_on": clock.today()})
            if is_contact and awarded
            else None,
            "report_form": forms.ReportForm() if is_contact and awarded else None,
        },
    )


def public_rounds(request: HttpRequest) -> HttpResponse:
    """The published results of every round: no login."""
    return render(
        request, "organisations/public_rounds.html", {"rounds": selectors.public_rounds()[:50]}
    )


def public_round(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.public_round(pk)
    winners = list(selectors.public_winners(rnd))
    return render(
        request,
        "organisations/public_round.html",
        {
            "round": rnd,
            "winners": winners,
            "awarded_fen": sum(w.award_fen or 0 for w in winners),
        },
    )


# --------------------------------------------------------------------------- compliance


@login_required
@requires(VIEW)
def compliance(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    rows = selectors.community_counts(user)
    return render(
        request,
        "organisations/compliance.html",
        {
            "rows": rows,
            "pipeline": [(s, selectors.pipeline(user).get(s.value, 0)) for s in Stage],
            "live": LIVE_STAGES,
            "without_party": selectors.without_party_org(user)[:100],
        },
    )
