"""Mediation pages: the case list (what the viewer may know of), a case with its actions, the
committees with their mediators and the communities' legal advisers, and the figures. Thin:
forms parse, selectors read, services write; a refusal comes back as a flash message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongzhi.core import access, gates, refusals
from gongzhi.core.gates import requires
from gongzhi.core.roles import Action
from gongzhi.core.types import AuthenticatedRequest
from gongzhi.mediation import forms, selectors, services, stats, workflow
from gongzhi.mediation.models import Case, Committee, State
from gongzhi.tickets import selectors as ticket_selectors

PAGE_SIZE = 30
VIEW = Action.MEDIATION_VIEW
MANAGE = Action.MEDIATION_MANAGE
MEDIATE = Action.MEDIATION_MEDIATE


# --------------------------------------------------------------------------- cases


def _case_form(user: Any, data: Any = None) -> forms.CaseForm:
    committees = selectors.managed_committees(user)
    paths = list(committees.values_list("place_path", flat=True)[:50])
    households = selectors.households_of(user, paths[0]) if len(paths) == 1 else None
    form = forms.CaseForm(data, choices={"committee": committees})
    if households is not None:
        offered = households if data is not None else households[:500]
        form.fields["household"].queryset = offered  # type: ignore[attr-defined]
    else:
        form.fields.pop("household")
    return form


@login_required
@requires(VIEW, MANAGE, MEDIATE)
def index(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    manage = access.has_any(user, MANAGE)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = _case_form(user, request.POST)
        made: list[Case] = []
        if refusals.act(
            request,
            form,
            lambda d: made.append(
                services.open_case(
                    d["committee"],
                    actor=user,
                    source=d["source"],
                    title=d["title"],
                    summary=d["summary"],
                    dispute_type=d["dispute_type"],
                    risk=d["risk"],
                    amount_yuan=d["amount_yuan"],
                    household=d.get("household"),
                    referred_by=d["referred_by"],
                )
            ),
            _("The case is opened."),
        ):
            return redirect("mediation:case", pk=made[0].pk)
    state = request.GET.get("state", "")
    state = state if state in State.values else ""
    page = Paginator(selectors.case_rows(user, state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/index.html",
        {
            "page": page,
            "rows": page.object_list,
            "states": State.choices,
            "state": state,
            "manage": manage,
            "form": _case_form(user) if manage else None,
        },
    )


def _case_forms(user: Any, case: Case, staff: bool) -> dict[str, Any]:
    parties = case.parties.all()
    mediators = case.committee.mediators.filter(is_active=True)
    context: dict[str, Any] = {
        "party_form": forms.PartyForm(
            choices={"resident": selectors.residents_of(user, case.place_path)[:300]}
        ),
        "session_form": forms.SessionForm(choices={"parties": parties, "mediators": mediators}),
        "agreement_form": forms.AgreementForm(),
        "fail_form": forms.NoAgreementForm(),
        "note_form": forms.NoteForm(),
        "optional_note_form": forms.OptionalNoteForm(),
        "follow_up_form": forms.FollowUpForm(),
    }
    if staff:
        context["assign_form"] = forms.AssignForm(choices={"mediator": mediators})
    return context


@login_required
@requires(VIEW, MANAGE, MEDIATE)
def case(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    item = selectors.get_case(user, pk)
    staff = access.can(user, MANAGE, item.place_path)
    context: dict[str, Any] = {
        "case": item,
        "staff": staff,
        "steps": workflow.steps_from(item.state),
        "above": services.committee_above(item.committee),
        **selectors.case_detail(item),
    }
    if item.state != State.CLOSED:
        context.update(_case_forms(user, item, staff))
    return render(request, "mediation/case.html", context)


def _party(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.add_party(
        case, actor=user, side=d["side"], resident=d["resident"], name=d["name"], phone=d["phone"]
    )


def _session(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.record_session(
        case,
        actor=user,
        held_at=d["held_at"],
        location=d["location"],
        parties=d["parties"],
        mediators=d["mediators"],
        others=d["others"],
        notes=d["notes"],
    )


def _agree(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.record_agreement(
        case,
        actor=user,
        signed_on=d["signed_on"],
        terms=d["terms"],
        text=d["text"],
        scans=[d["scan"]] if d["scan"] else [],
    )


def _fail(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.record_no_agreement(case, actor=user, referral=d["referral"], note=d["note"])


def _follow_up(user: Any, case: Case, d: dict[str, Any]) -> object:
    return services.follow_up(
        case, actor=user, visited_on=d["visited_on"], kept=d["kept"] == "1", note=d["note"]
    )


# act → (form class, call, message)
ACTS: dict[str, tuple[type[forms._Form], Callable[[Any, Case, dict[str, Any]], object], Any]] = {
    "party": (forms.PartyForm, _party, gettext_lazy("The party is added.")),
    "session": (forms.SessionForm, _session, gettext_lazy("The session is recorded.")),
    "agree": (forms.AgreementForm, _agree, gettext_lazy("The agreement is recorded.")),
    "fail": (forms.NoAgreementForm, _fail, gettext_lazy("The outcome is recorded.")),
    "refer_up": (
        forms.NoteForm,
        lambda u, c, d: services.refer_up(c, actor=u, note=d["note"]),
        gettext_lazy("The case is referred to the committee above."),
    ),
    "withdraw": (
        forms.NoteForm,
        lambda u, c, d: services.withdraw(c, actor=u, note=d["note"]),
        gettext_lazy("The withdrawal is recorded."),
    ),
    "start": (
        forms.OptionalNoteForm,
        lambda u, c, d: services.start(c, actor=u),
        gettext_lazy("Mediation has started."),
    ),
    "follow_up": (forms.FollowUpForm, _follow_up, gettext_lazy("The follow-up visit is recorded.")),
    "close": (
        forms.OptionalNoteForm,
        lambda u, c, d: services.close(c, actor=u, note=d["note"]),
        gettext_lazy("The case is closed."),
    ),
    "assign": (
        forms.AssignForm,
        lambda u, c, d: services.assign_mediator(c, d["mediator"], actor=u),
        gettext_lazy("The mediator is assigned."),
    ),
}


@login_required
@require_POST
@requires(MANAGE, MEDIATE)
def case_act(request: AuthenticatedRequest, pk: int, act: str) -> HttpResponse:
    user = request.user
    item = selectors.get_case(user, pk)
    if act not in ACTS:
        raise Http404
    form_class, call, done = ACTS[act]
    choices: dict[str, Any] = {}
    if act == "party":
        choices = {"resident": selectors.residents_of(user, item.place_path)}
    elif act == "session":
        choices = {
            "parties": item.parties.all(),
            "mediators": item.committee.mediators.filter(is_active=True),
        }
    elif act == "assign":
        choices = {"mediator": item.committee.mediators.filter(is_active=True)}
    form = form_class(request.POST, request.FILES, choices=choices)
    refusals.act(request, form, lambda d: call(user, item, d), str(done))
    if selectors.readable_cases(user).filter(pk=item.pk).exists():
        return redirect("mediation:case", pk=item.pk)
    return redirect("mediation:index")


@login_required
@requires(VIEW, MANAGE, MEDIATE)
def scan(request: AuthenticatedRequest, pk: int, scan_pk: int) -> FileResponse:
    """A scan of the signed agreement, only for those who may read the case (404 otherwise)."""
    item = selectors.get_scan(selectors.get_case(request.user, pk), scan_pk)
    field = item.thumb if request.GET.get("thumb") else item.file
    try:
        handle = field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
@requires(MANAGE)
def from_ticket(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    ticket = ticket_selectors.get_ticket(user, pk)
    try:
        made = services.open_from_ticket(ticket, actor=user)
    except ValidationError as error:
        refusals.say(request, error)
        return redirect("tickets:detail", ticket.pk)
    messages.success(request, _("The case is opened."))
    return redirect("mediation:case", pk=made.pk)


# --------------------------------------------------------------------------- committees


@login_required
@requires(VIEW)
def committees(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    manage = access.has_any(user, MANAGE)
    if request.method == "POST":
        gates.check(user, MANAGE)
        if request.POST.get("form") == "adviser":
            adviser_form = forms.AdviserForm(
                request.POST, choices={"community": selectors.communities_for(user)}
            )
            refusals.act(
                request,
                adviser_form,
                lambda d: services.set_adviser(
                    d["community"],
                    actor=user,
                    name=d["name"],
                    firm=d["firm"],
                    office_phone=d["office_phone"],
                    office_hours=d["office_hours"],
                ),
                _("The legal adviser is recorded."),
            )
        else:
            form = forms.CommitteeForm(
                request.POST, choices={"place": selectors.places_without_committee(user)}
            )
            refusals.act(
                request,
                form,
                lambda d: services.create_committee(d["place"], actor=user, name=d["name"]),
                _("The mediation committee is recorded."),
            )
        return redirect("mediation:committees")
    page = Paginator(selectors.committee_rows(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "rows": page.object_list,
        "advisers": selectors.adviser_rows(user)[:200],
        "manage": manage,
    }
    if manage:
        context["form"] = forms.CommitteeForm(
            choices={"place": selectors.places_without_committee(user)[:300]}
        )
        context["adviser_form"] = forms.AdviserForm(
            choices={"community": selectors.communities_for(user)[:300]}
        )
    return render(request, "mediation/committees.html", context)


def _mediator_form(user: Any, body: Committee, data: Any = None) -> forms.MediatorForm:
    residents = selectors.residents_of(user, body.place_path)
    staff = selectors.staff_of(user, body)
    if data is None:  # the page offers the first ones; a POST checks against them all
        residents, staff = residents[:500], staff[:200]
    return forms.MediatorForm(data, choices={"resident": residents, "user": staff})


@login_required
@requires(VIEW)
def committee(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    body = selectors.get_committee(user, pk)
    manage = access.can(user, MANAGE, body.place_path)
    if request.method == "POST":
        gates.check(user, MANAGE)
        form = _mediator_form(user, body, request.POST)
        refusals.act(
            request,
            form,
            lambda d: services.add_mediator(
                body,
                actor=user,
                kind=d["kind"],
                resident=d["resident"],
                user=d["user"],
                specialties=d["specialties"],
            ),
            _("The mediator is recorded."),
        )
        return redirect("mediation:committee", pk=body.pk)
    return render(
        request,
        "mediation/committee.html",
        {
            "committee": body,
            "mediators": selectors.mediators_of(body),
            "above": services.committee_above(body),
            "manage": manage,
            "form": _mediator_form(user, body) if manage else None,
        },
    )


@login_required
@require_POST
@requires(MANAGE)
def mediator_active(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    user = request.user
    mediator = selectors.get_mediator(user, pk)
    try:
        services.set_mediator_active(mediator, actor=user, active=request.POST.get("active") == "1")
    except ValidationError as error:
        refusals.say(request, error)
    return redirect("mediation:committee", pk=mediator.committee_id)


# --------------------------------------------------------------------------- figures


@login_required
@requires(VIEW)
def figures(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    year = stats.year_of(request)
    return render(
        request,
        "mediation/figures.html",
        {"year": year, "figures": stats.figures(user, year)},
    )
